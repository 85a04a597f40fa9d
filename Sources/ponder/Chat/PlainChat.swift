import Foundation
import Session
import TUI

/// The line-by-line chat used when standard input or output is not a terminal: each
/// input line is a message; the answer goes to standard output and the reasoning to
/// standard error. No escape codes of ours; the model's text is sanitized on a terminal
/// and byte-exact to a file or pipe (`TerminalOutput`), and the user's lines are sent and
/// journaled exactly as read. Lines starting with `/think on|off` switch reasoning.
enum PlainChat {
    static func run(driver: SessionDriver, mode initial: ReasoningMode) async {
        var mode = initial
        var out = TerminalOutput.standardOutput, err = TerminalOutput.standardError
        var events = driver.events.makeAsyncIterator()
        while let line = readLine(strippingNewline: true) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            switch text {
            case "/think on": mode = .on; continue
            case "/think off": mode = .off; continue
            case "/quit": return
            default: break
            }
            await driver.send(text, mode: mode)
            var answered = false
            loop: while let e = await events.next() {
                switch e {
                case .reasoning(_, let t): err.write(t)
                case .answer(_, let t):
                    answered = true
                    out.write(t)
                case .notice(let n): err.endStream(); err.write("\nnote: \(n)\n")
                case .error(let m): err.endStream(); err.write("\nerror: \(m)\n")
                case .turnFinished(_, let reason, _):
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
