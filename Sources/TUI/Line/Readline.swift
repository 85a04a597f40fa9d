import CShims
import Foundation

/// GNU readline for the line mode, over the C shims in `CShims/readline.c` (readline's
/// state is C globals). Editing keys, Emacs or vi mode come from the user's `~/.inputrc`
/// (`$if ponder` sections apply); Tab completes through `SlashCompletion`. One caller at a
/// time: the line chat reads a line, then streams its reply, then reads the next.
public enum Readline {
    /// What one read gave.
    public enum Input: Equatable, Sendable {
        case line(String)
        /// Ctrl-D on an empty line, or the end of input.
        case endOfInput
        /// Ctrl-C: the line was dropped.
        case interrupted
    }

    /// Sets readline up for "ponder"; `promptOnStandardError` puts the prompt and the echo
    /// of typed text on standard error (when standard output is not a terminal). Installs
    /// Ctrl-C and resize handlers that only set flags, until `teardown`.
    public static func setup(promptOnStandardError: Bool) {
        ps_rl_setup("ponder", { line, start, end, paths in
            guard let line else { return nil }
            let r = SlashCompletion.complete(line: String(cString: line), start: Int(start), end: Int(end))
            paths?.pointee = r.paths ? 1 : 0
            return r.candidates.isEmpty ? nil : strdup(r.candidates.joined(separator: "\n"))
        }, promptOnStandardError ? 2 : 1)
    }

    /// Puts the previous signal handlers back.
    public static func teardown() { ps_rl_teardown() }

    /// Shows `prompt` and reads one line. Blocks the calling thread (run it on a thread of
    /// its own, not in the cooperative pool: see `LineChat`).
    public static func read(prompt: String) -> Input {
        var out: UnsafeMutablePointer<CChar>? = nil
        switch ps_rl_readline(prompt, &out) {
        case Int32(PS_RL_LINE):
            defer { free(out) }
            return .line(out.map { String(cString: $0) } ?? "")
        case Int32(PS_RL_INTERRUPTED): return .interrupted
        default: return .endOfInput
        }
    }

    /// Appends to the in-memory history that Up and Ctrl-R search.
    public static func addHistory(_ entry: String) { ps_rl_add_history(entry) }

    /// While a reply streams (between `beginReply` and `endReply`): keys are read as they
    /// come, without echo; a lone Esc stops the reply, other keys wait for the next `read`,
    /// which shows them on the line. False when the terminal is left in its own mode
    /// (standard input not a terminal, or the chat not in the foreground).
    public static func beginReply() -> Bool { ps_rl_reply_begin() != 0 }
    /// Whether the Esc key was pressed alone since the last call (call every 50 ms or so:
    /// an Esc with nothing after it by the next call is the key, not a sequence's start).
    public static func takeEscape() -> Bool { ps_rl_reply_poll() != 0 }
    /// The terminal back in its own mode; what was typed is kept for the next `read`.
    public static func endReply() { ps_rl_reply_end() }

    /// Whether Ctrl-C was pressed since the last call (outside `read`).
    public static func takeInterrupt() -> Bool { ps_rl_take_interrupt() != 0 }
}
