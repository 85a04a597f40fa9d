import Foundation
import Session
import TUI

/// The line-by-line chat used when standard input or output is not a terminal: each
/// input line is a message; the answer goes to standard output and the reasoning to
/// standard error. No escape codes. A line starting with "/" is a slash command, parsed
/// and run as in the full-screen chat (`LineCommands`); what it reports goes to
/// standard error.
enum PlainChat {
    static func run(driver: SessionDriver, mode initial: ReasoningMode) async {
        var mode = initial
        var lastStats: TurnStats?
        let out = FileHandle.standardOutput, err = FileHandle.standardError
        func note(_ s: String) { err.write(Data("\(s)\n".utf8)) }
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
            var answered = false
            loop: while let e = await events.next() {
                switch e {
                case .reasoning(_, let t): err.write(Data(t.utf8))
                case .answer(_, let t):
                    answered = true
                    out.write(Data(t.utf8))
                case .notice(let n): err.write(Data("\nnote: \(n)\n".utf8))
                case .error(let m): err.write(Data("\nerror: \(m)\n".utf8))
                case .turnFinished(_, let reason, let stats):
                    lastStats = stats
                    if answered { out.write(Data("\n".utf8)) }
                    if reason == .length { err.write(Data("\nnote: reply cut at the token limit\n".utf8)) }
                    break loop
                default: break
                }
            }
        }
    }
}
