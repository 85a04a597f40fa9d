import Foundation

/// Plays a session back as plain text, as it was streamed: the user's message, then each
/// recorded stream piece at its recorded time divided by `speed`. Reasoning is framed by
/// `<think>` / `</think>` lines so it stays distinguishable without colours. Above a
/// turn's message, in brackets, the settings changed there during the session (as
/// `/system` or `/set` did; `TurnSettingChanges`).
public struct PlainReplay: Sendable {
    /// One thing to print, `delay` seconds after the previous one.
    public struct Step: Sendable, Equatable {
        public var delay: Double
        public var text: String
    }

    public var speed: Double
    public init(speed: Double) { self.speed = speed }

    /// The whole replay as a schedule (pure; the command prints it with sleeps).
    public func steps(_ doc: SessionDocument) -> [Step] {
        var steps: [Step] = []
        // Changes made during the session only: the settings a session (or a mode) started
        // with were the command line's.
        for (t, changes) in zip(doc.turns, TurnSettingChanges.lines(doc, initial: false)) {
            let settings = changes.map { "[\($0)]\n" }.joined()
            steps.append(Step(delay: 0, text: (t.index == 0 ? "" : "\n") + settings + "> " + t.user
                .replacingOccurrences(of: "\n", with: "\n> ") + "\n\n"))
            var clock = 0.0
            var channel: StreamPiece.Channel?
            let cut = t.reasoningEnd.map(Self.mark) ?? ""
            // Turns recovered without timings: pieces at t = 0 print at once.
            for p in t.stream {
                var text = p.text
                if p.c != channel {
                    if channel == .reasoning { text = "\n</think>\n" + cut + "\n" + text }
                    if p.c == .reasoning { text = "<think>\n" + text }
                    channel = p.c
                }
                let delay = max(0, p.t - clock) / speed
                clock = max(clock, p.t)
                steps.append(Step(delay: delay, text: text))
            }
            var end = channel == .reasoning ? "\n</think>\n" + cut : "\n"
            switch t.stopReason {
            case .cancelled: end += "[interrupted]\n"
            case .length: end += "[stopped: length]\n"
            case .error: end += "[stopped: error\(t.note.map { ": " + $0 } ?? "")]\n"
            case .endOfTurn: break
            }
            steps.append(Step(delay: 0, text: end))
        }
        return steps
    }

    /// The line that says who ended a turn's reasoning.
    static func mark(_ end: ReasoningEnd) -> String {
        "[\(end.mark)]\n"
    }

    /// Prints the schedule to `write`, sleeping between steps.
    public func play(_ doc: SessionDocument, write: (String) -> Void) async throws {
        for s in steps(doc) {
            if s.delay > 0 { try await Task.sleep(nanoseconds: UInt64(min(s.delay, 3600) * 1e9)) }
            write(s.text)
        }
    }
}
