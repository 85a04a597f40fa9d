import Testing
import Session
@testable import TUI

/// The full-screen replay's pure core: schedule, clock and keys. The session document is
/// built by hand here (a test double for a recorded session; the real-model recording is
/// replayed in a real terminal in `ReplayTerminalTests`). The oracle is the document
/// itself: what the screen state ends up holding must be what was recorded.
@Suite struct ReplayUpdateTests {
    static func document() -> SessionDocument {
        func turn(_ i: Int, _ user: String, _ mode: ReasoningMode, _ stream: [StreamPiece],
                  _ stop: StopReason = .endOfTurn, note: String? = nil) -> TurnRecord {
            TurnRecord(index: i, user: user, mode: mode, sampling: .preset(for: mode), seed: UInt64(i),
                       reasoning: stream.filter { $0.c == .reasoning }.map(\.text).joined(),
                       answer: stream.filter { $0.c == .answer }.map(\.text).joined(),
                       stopReason: stop, tokenTimes: stream.map(\.t), stream: stream, note: note)
        }
        return SessionDocument(created: 0, model: nil, chatFormat: "chatml", settings: SessionSettings(), turns: [
            turn(0, "first question", .on, [StreamPiece(t: 0.5, c: .reasoning, text: "let me think"),
                                           StreamPiece(t: 1.0, c: .reasoning, text: " hard"),
                                           StreamPiece(t: 2.0, c: .answer, text: "the answer")]),
            turn(1, "second", .off, [StreamPiece(t: 0.25, c: .answer, text: "short"),
                                     StreamPiece(t: 0.75, c: .answer, text: " reply")], .cancelled),
            // Hostile timings: out of order and NaN stay monotonic.
            turn(2, "third", .off, [StreamPiece(t: 3, c: .answer, text: "x"),
                                    StreamPiece(t: 1, c: .answer, text: "y"),
                                    StreamPiece(t: .nan, c: .answer, text: "z")], .error, note: "boom"),
        ])
    }

    @Test func scheduleIsMonotonicAndCarriesEveryPiece() {
        let doc = Self.document()
        let s = ReplaySchedule.make(doc)
        #expect(zip(s, s.dropFirst()).allSatisfy { $0.at <= $1.at })
        // Turn 2 starts where turn 1's last token was: 2.0 + 0.75.
        #expect(s.first { $0.cue == .user(index: 2, text: "third", mode: .off) }?.at == 2.75)
        for t in doc.turns {
            var r = "", a = ""
            var finished = 0
            for c in s {
                switch c.cue {
                case .event(.reasoning(t.index, let x)): r += x
                case .event(.answer(t.index, let x)): a += x
                case .event(.turnFinished(t.index, let reason, _)): finished += 1; #expect(reason == t.stopReason)
                default: break
                }
            }
            #expect(r == t.reasoning && a == t.answer && finished == 1)
        }
    }

    /// Plays the schedule through `replayUpdate` in uneven steps; the state then holds the
    /// recorded turns, and the clock reached the end.
    @Test func playingToTheEndShowsTheRecordedTurns() {
        let doc = Self.document()
        var s = UIState()
        var p = ReplayPlayer(schedule: ReplaySchedule.make(doc), speed: 2)
        _ = replayUpdate(&s, &p, .resize(width: 60, height: 20))
        var steps = 0
        while !p.finished && steps < 1000 { _ = replayUpdate(&s, &p, .elapsed(0.07)); steps += 1 }
        #expect(p.finished)
        // At speed 2, 2.75 + 3 recorded seconds take 2.875 real seconds: 42 steps of 0.07.
        #expect(steps == Int((5.75 / 2 / 0.07).rounded(.up)))
        #expect(s.turns.map(\.user) == doc.turns.map(\.user))
        #expect(s.turns.map(\.reasoning) == doc.turns.map(\.reasoning))
        #expect(s.turns.map(\.answer) == doc.turns.map(\.answer))
        #expect(s.turns.map(\.finished) == doc.turns.map { $0.stopReason })
        #expect(!s.generating)
        // Recorded durations, not real ones: the first turn's answer came 2 s after it began.
        #expect(s.turns[0].answerStartedAt.map { $0 - (s.turns[0].startedAt ?? 0) } == 2.0)
        // The failed last turn's note is on the notice line.
        #expect(s.notice == Notice(text: "boom", isError: true))
    }

    @Test func spacePausesTheClockAndQQuits() {
        var s = UIState()
        var p = ReplayPlayer(schedule: ReplaySchedule.make(Self.document()), speed: 1)
        _ = replayUpdate(&s, &p, .resize(width: 60, height: 20))
        _ = replayUpdate(&s, &p, .elapsed(0.6))
        #expect(s.turns.count == 1 && s.turns[0].reasoning == "let me think")
        _ = replayUpdate(&s, &p, .key(.char(" ")))
        #expect(p.paused && p.secondsToNext == nil)
        #expect(s.notice?.text.hasPrefix("replay paused at turn 1/3") == true)
        _ = replayUpdate(&s, &p, .elapsed(100))
        #expect(s.turns[0].reasoning == "let me think")   // nothing moved while paused
        _ = replayUpdate(&s, &p, .key(.char(" ")))
        _ = replayUpdate(&s, &p, .elapsed(0.5))
        #expect(s.turns[0].reasoning == "let me think hard")
        // Typing does nothing (no input line in a replay); Tab folds the reasoning.
        _ = replayUpdate(&s, &p, .key(.char("x")))
        #expect(s.input.isEmpty)
        let folded = s.turns[0].collapsed
        _ = replayUpdate(&s, &p, .key(.tab))
        #expect(s.turns[0].collapsed == !folded)
        #expect(replayUpdate(&s, &p, .key(.char("q"))) == [.quit] && s.quitting)
        var s2 = UIState(), p2 = p
        #expect(replayUpdate(&s2, &p2, .key(.ctrl("c"))) == [.quit])
    }

    @Test func badOrExtremeSpeedsStayFinite() {
        for bad in [0.0, -1, .nan, .infinity] {
            #expect(ReplayPlayer(schedule: [], speed: bad).speed == 1)
        }
        #expect(ReplayPlayer(schedule: [], speed: 1e300).speed == ReplayPlayer.speedRange.upperBound)
        #expect(ReplayPlayer(schedule: [], speed: 1e-300).speed == ReplayPlayer.speedRange.lowerBound)
    }
}
