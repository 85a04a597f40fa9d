import Foundation
import Session
import TUI

/// The line-mode chat (`ponder chat --line`, and the default when standard input is a
/// terminal but the full screen is not possible: see `ChatCommand.chatMode`). For screen
/// readers, Emacs `M-x shell` and dumb terminals: GNU readline reads each line (keys
/// from ~/.inputrc, Tab completion, the full-screen chat's history file), the reply is
/// printed as it streams (`LineReply`), and slash commands are the full-screen chat's
/// (`LineCommands`), carried out by the same driver.
///
/// Keys: Ctrl-C or Esc stops a reply; Ctrl-C drops the line being typed; Ctrl-D on an
/// empty line quits. Readline gives the terminal back in its own mode after every line;
/// during a reply keys are read without echo (`Readline.beginReply`), and the terminal's
/// own mode is back when the reply ends, on Ctrl-Z and when the chat ends.
enum LineChat {
    static let prompt = "> "

    /// Runs until Ctrl-D, end of input or /quit.
    static func run(driver: any ChatDriver, mode: ReasoningMode, history: LineHistory,
                    out: LineOutput = .standard()) async {
        Readline.setup(promptOnStandardError: out.promptOnStandardError)
        defer { Readline.teardown() }
        for entry in history.entries() { Readline.addHistory(entry) }
        let mailbox = EventMailbox()
        let events = driver.events
        let pump = Task { for await e in events { mailbox.put(e) }; mailbox.finish() }
        defer { pump.cancel() }

        var chat = State(mode: mode)
        if case .transcript(let turns, let message) = await driver.perform(.showTranscript) {
            for t in turns { LineReply.show(t, out: out, showReasoning: chat.showReasoning) }
            if let message { out.note(message) }
        }
        // Notices the driver sent at start (a resume warning) go before the first prompt:
        // the pump gets a moment to hand them over.
        for _ in 0..<10 where mailbox.isEmpty { try? await Task.sleep(nanoseconds: 10_000_000) }
        out.line("Ponder line mode: /help for commands, Ctrl-D to quit.")
        while true {
            for e in mailbox.drain() { chat.idle(e, out) }
            switch await readLine() {
            case .endOfInput:
                for e in mailbox.drain() { chat.idle(e, out) }     // what came while the prompt waited
                return
            case .interrupted: continue
            case .line(let text):
                guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
                Readline.addHistory(text)
                history.append(text)
                if LineCommands.isCommand(text) {
                    if await command(text, &chat, driver: driver, out: out) == .quit { return }
                } else {
                    await turn(text, &chat, driver: driver, mailbox: mailbox, out: out)
                }
            }
        }
    }

    /// What the line chat keeps between lines.
    struct State {
        var mode: ReasoningMode
        var showReasoning = true
        var lastStats: TurnStats?

        /// An event that arrives while no turn runs (a notice at start, a late error).
        mutating func idle(_ e: SessionEvent, _ out: LineOutput) {
            switch e {
            case .notice(let n): out.note(n)
            case .error(let m): out.error(m)
            case .stats(_, let st), .turnFinished(_, _, let st): lastStats = st
            default: break
            }
        }
    }

    /// Readline blocks its thread until a line is in: a thread of its own, never one of the
    /// cooperative pool's few threads.
    private static func readLine() async -> Readline.Input {
        await withCheckedContinuation { c in
            Thread.detachNewThread { c.resume(returning: Readline.read(prompt: prompt)) }
        }
    }

    /// Sends one message and prints its reply until the turn ends; Ctrl-C or Esc cancels
    /// it. Keys typed meanwhile are neither echoed into the reply nor lost: the next prompt
    /// shows them (`Readline.beginReply`).
    private static func turn(_ text: String, _ chat: inout State, driver: any ChatDriver,
                             mailbox: EventMailbox, out: LineOutput) async {
        _ = Readline.takeInterrupt()
        // Without echo the terminal prints no "^C" after a Ctrl-C.
        let keysWatched = Readline.beginReply()
        await driver.send(text, mode: chat.mode)
        let watcher = Task {
            while !Task.isCancelled {
                if Readline.takeInterrupt() {
                    if !keysWatched { out.interrupted() }
                    await driver.cancel()
                }
                if keysWatched && Readline.takeEscape() { await driver.cancel() }
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
        }
        var reply = LineReply(out: out, showReasoning: chat.showReasoning)
        while let e = await mailbox.next() {
            switch e {
            case .stats(_, let st), .turnFinished(_, _, let st): chat.lastStats = st
            default: break
            }
            if reply.handle(e) { break }
        }
        // The watcher reads the terminal: it has stopped before the terminal is given back.
        watcher.cancel()
        await watcher.value
        Readline.endReply()
    }

    enum Outcome { case goOn, quit }

    /// Runs a slash command: the full-screen chat's parser and handler (`LineCommands`),
    /// its requests carried out by the same driver.
    private static func command(_ text: String, _ chat: inout State, driver: any ChatDriver,
                                out: LineOutput) async -> Outcome {
        let r = LineCommands.run(text, mode: chat.mode, status: await driver.status(),
                                 lastStats: chat.lastStats, helpKeys: helpKeys)
        if r.mode != chat.mode {
            chat.mode = r.mode
            out.line("thinking \(chat.mode == .on ? "on" : "off") for the next turns")
        }
        if let show = r.showReasoning { chat.showReasoning = show }
        for l in r.lines { out.line(l) }
        if let e = r.error { out.error(e) }
        for d in r.driver {
            switch await driver.perform(d) {
            case .done(let m): if let m { out.line(m) }
            case .failed(let m): out.error(m)
            case .transcript(let turns, let m):
                for t in turns { LineReply.show(t, out: out, showReasoning: chat.showReasoning) }
                if let m { out.line(m) }
            }
        }
        return r.quit ? .quit : .goOn
    }

    /// The line mode's own keys, after the command table in /help.
    static let helpKeys = [
        "Keys",
        "  Tab          complete a command or a path",
        "  Up, Down     earlier lines (the full-screen chat's history too)",
        "  Ctrl-C, Esc  stop a reply (Ctrl-C at the prompt drops the line)",
        "  Ctrl-D       quit (on an empty line)",
        "  Editing keys, Emacs or vi, follow ~/.inputrc ($if ponder applies).",
    ]
}

/// Session events waiting for the line chat: a pump task puts every event in; a turn
/// takes them one by one (waiting), and between lines the chat drains what came in while
/// it was reading (notices at start). Thread-safe.
final class EventMailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var queue: [SessionEvent] = []
    private var waiter: CheckedContinuation<SessionEvent?, Never>?
    private var finished = false

    func put(_ e: SessionEvent) {
        let w: CheckedContinuation<SessionEvent?, Never>? = lock.withLock {
            if let w = waiter { waiter = nil; return w }
            queue.append(e)
            return nil
        }
        w?.resume(returning: e)
    }

    var isEmpty: Bool { lock.withLock { queue.isEmpty } }

    func finish() {
        let w = lock.withLock { () -> CheckedContinuation<SessionEvent?, Never>? in
            finished = true
            defer { waiter = nil }
            return waiter
        }
        w?.resume(returning: nil)
    }

    /// The next event, waiting for it; nil once the stream has ended.
    func next() async -> SessionEvent? {
        await withCheckedContinuation { c in
            let now: SessionEvent?? = lock.withLock {
                if !queue.isEmpty { return .some(queue.removeFirst()) }
                if finished { return .some(nil) }
                waiter = c
                return nil
            }
            if let now { c.resume(returning: now) }
        }
    }

    /// Every event that is waiting, without waiting.
    func drain() -> [SessionEvent] {
        lock.withLock { defer { queue = [] }; return queue }
    }
}
