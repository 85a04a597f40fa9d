import Foundation
import Session
import TUI

/// The line-by-line chat used when standard input or output is not a terminal: each
/// input line is a message; the answer goes to standard output and the reasoning to
/// standard error. No escape codes. Lines starting with `/think on|off` switch reasoning.
enum PlainChat {
    static func run(driver: SessionDriver, mode initial: ReasoningMode) async {
        var mode = initial
        let out = FileHandle.standardOutput, err = FileHandle.standardError
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
                case .reasoning(_, let t): err.write(Data(t.utf8))
                case .answer(_, let t):
                    answered = true
                    out.write(Data(t.utf8))
                case .notice(let n): err.write(Data("\nnote: \(n)\n".utf8))
                case .error(let m): err.write(Data("\nerror: \(m)\n".utf8))
                case .turnFinished(_, let reason, _):
                    if answered { out.write(Data("\n".utf8)) }
                    if reason == .length { err.write(Data("\nnote: reply cut at the token limit\n".utf8)) }
                    break loop
                default: break
                }
            }
        }
    }
}
