import Foundation
import Session
import TUI

/// Where the line mode's text goes and how it looks. The answer goes to standard output;
/// everything else (labels, reasoning, notices, command output — and readline's prompt)
/// to the "ui" stream: standard output when it is a terminal, else standard error, so
/// `ponder chat --line > answers.txt` keeps only answers in the file.
/// Reasoning is dimmed (SGR 2, reset by SGR 22 after every piece so a stop never leaves
/// the terminal dim) when the ui stream is a terminal that shows attributes: not with
/// `NO_COLOR`, nor with `TERM=dumb` unless inside Emacs (whose shell mode reads SGR).
/// Labels ("thinking:", "answer:") set reasoning apart without any attribute too.
final class LineOutput: @unchecked Sendable {
    let uiFD: Int32
    let dim: Bool
    /// Whether the last byte written to a descriptor ended a line (1: stdout, 2: stderr).
    /// Under the lock: the Ctrl-C watcher marks the line it echoed on.
    private var atLineStart: [Int32: Bool] = [1: true, 2: true]
    private let lock = NSLock()

    init(uiFD: Int32, dim: Bool) { self.uiFD = uiFD; self.dim = dim }

    static func standard(environment env: [String: String] = ProcessInfo.processInfo.environment) -> LineOutput {
        let uiFD: Int32 = isatty(1) == 1 ? 1 : (isatty(2) == 1 ? 2 : 1)
        let term = env["TERM"] ?? ""
        let showsAttributes = (!term.isEmpty && term != "dumb") || env["INSIDE_EMACS"] != nil
        let noColor = !(env["NO_COLOR"] ?? "").isEmpty
        return LineOutput(uiFD: uiFD, dim: isatty(uiFD) == 1 && showsAttributes && !noColor)
    }

    /// The readline prompt goes to standard error when the ui stream is standard error.
    var promptOnStandardError: Bool { uiFD == 2 }

    // MARK: - the one place where model and file text goes to the terminal

    /// Text from the model, a session file or a command, made safe for a terminal by the
    /// shared sanitizer. Each piece is cleaned on its own: an escape sequence split across
    /// two pieces loses its ESC and its rest shows as text, so nothing reaches the
    /// terminal as a control.
    static func terminalText(_ s: String) -> String { TerminalText.sanitize(s) }

    // MARK: - writing

    /// Answer text (model output) on standard output.
    func answer(_ s: String) { write(1, Self.terminalText(s)) }

    /// Reasoning text (model output) on the ui stream, dimmed when possible.
    func reasoning(_ s: String) {
        let t = Self.terminalText(s)
        guard !t.isEmpty else { return }
        write(uiFD, dim ? "\u{1B}[2m" + t + "\u{1B}[22m" : t, endsLineAs: t)
    }

    /// A line of our own on the ui stream (label, notice, command output), on a fresh line.
    /// `text` may come from files or the model (a notice, a path): it is made safe too.
    func line(_ text: String, dimmed: Bool = false) {
        newLine(uiFD)
        let t = Self.terminalText(text) + "\n"
        write(uiFD, dimmed && dim ? "\u{1B}[2m" + t + "\u{1B}[22m" : t, endsLineAs: t)
    }

    func note(_ text: String) { line("note: " + text) }
    func error(_ text: String) { line("error: " + text) }

    /// Ends the current line on `fd` if something was written on it.
    func newLine(_ fd: Int32) {
        if lock.withLock({ atLineStart[fd] == false }) { write(fd, "\n") }
    }

    /// The terminal echoed "^C" on the ui stream's line: the next line starts fresh.
    func interrupted() { lock.withLock { atLineStart[uiFD] = false } }

    private func write(_ fd: Int32, _ s: String, endsLineAs visible: String? = nil) {
        guard !s.isEmpty else { return }
        let bytes = Array(s.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            off += n
        }
        if let last = (visible ?? s).last { lock.withLock { atLineStart[fd] = last == "\n" } }
    }
}
