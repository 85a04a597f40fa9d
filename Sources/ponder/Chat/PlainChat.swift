import Chat
import Foundation
import Session
import TUI

/// The line-by-line chat used when standard input or output is not a terminal: each
/// input line is a message; the answer goes to standard output and the reasoning to
/// standard error. No escape codes of ours; the model's text is sanitized on a terminal
/// and byte-exact to a file or pipe (`TerminalOutput`), and the user's lines are sent and
/// journaled exactly as read. A line starting with "/" is a slash command, parsed and
/// run as in the full-screen chat (`LineCommands`); what it reports goes to standard error.
enum PlainChat {
    static func run(driver: SessionDriver, mode initial: ReasoningMode) async {
        var mode = initial
        var lastStats: TurnStats?
        var out = TerminalOutput.standardOutput, err = TerminalOutput.standardError
        func note(_ s: String) { err.endStream(); err.write("\(s)\n") }
        var events = driver.events.makeAsyncIterator()
        while let line = readLine(strippingNewline: true) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if LineCommands.isCommand(text) {
                let r = LineCommands.run(text, mode: mode, status: await driver.status(), lastStats: lastStats)
                mode = r.mode
                r.lines.forEach(note)
                if let e = r.error { note("error: \(e)") }
                for c in r.driver {
                    switch await driver.perform(c) {
                    case .done(let m): if let m { note(m) }
                    case .failed(let m): note("error: \(m)")
                    case .transcript(_, let m): if let m { note(m) }
                    }
                }
                if r.quit { return }
                continue
            }
            await driver.send(text, mode: mode)
            var answered = false, cut = false
            loop: while let e = await events.next() {
                switch e {
                case .reasoning(_, let t): err.write(t)
                case .answer(_, let t):
                    answered = true
                    out.write(t)
                case .stats(_, let s) where s.budgetApplied == true && !answered && !cut:
                    cut = true
                    err.write("\n[\(ReasoningEnd.budget.mark)]\n")
                case .notice(let n): note("\nnote: \(n)")
                case .error(let m): note("\nerror: \(m)")
                case .turnFinished(_, let reason, let stats):
                    lastStats = stats
                    out.endStream(); err.endStream()
                    if answered { out.write("\n") }
                    if reason == .length { err.write("\nnote: reply cut at the token limit\n") }
                    break loop
                default: break
                }
            }
        }
    }
}
