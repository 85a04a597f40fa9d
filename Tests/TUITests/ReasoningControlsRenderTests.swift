import Testing
import Session
@testable import TUI

/// The reasoning controls on screen, through the pure update and render: the stats bar's
/// budget while a turn thinks, the shares on the folded reasoning line, the /stats
/// summary, and where the user or the budget ended the reasoning (live and in the
/// full-screen replay). The session's events are played by hand (a test double for the
/// session's event stream); the expected numbers are worked out here from the stats fed in.
@Suite struct ReasoningControlsRenderTests {
    /// A thinking turn streaming reasoning with the given budget and minimum.
    func thinking(budget: Int?, min: Int?, used: Int) -> Script {
        var s = Script(width: 80, height: 12)
        s.type("q"); s.key(.enter)
        s.event(.turnStarted(index: 0, mode: .on))
        s.event(.reasoning(index: 0, text: "hmm"))
        var st = TurnStats()
        st.reasoningTokens = used; st.thinkBudget = budget; st.thinkMin = min
        s.event(.stats(index: 0, st))
        return s
    }

    @Test func theBarShowsTheBudgetUsedWhileTheModelThinks() {
        var s = thinking(budget: 64, min: nil, used: 37)
        #expect(s.lines[9] == " THINKING │ think 37/64")
        // Once the answer comes, the reasoning is over: no think segment.
        s.event(.answer(index: 0, text: "a"))
        #expect(!s.lines[9].contains("think "))
        #expect(thinking(budget: nil, min: 32, used: 12).lines[9] == " THINKING │ think 12 min 32")
        #expect(thinking(budget: 64, min: 32, used: 40).lines[9] == " THINKING │ think 40/64 min 32")
        // No budget, no minimum: nothing to show.
        #expect(!thinking(budget: nil, min: nil, used: 40).lines[9].contains("think "))
        // One row (a short terminal): the segment comes first after the mode.
        var one = Script(width: 80, height: 8)
        one.type("q"); one.key(.enter)
        one.event(.turnStarted(index: 0, mode: .on))
        var st = TurnStats(); st.reasoningTokens = 5; st.thinkBudget = 8
        one.event(.stats(index: 0, st))
        #expect(one.lines.contains { $0.hasPrefix(" THINKING │ think 5/8") }, "\(one.lines)")
    }

    @Test func answerNowEndsTheThinkSegmentAndMarksTheTurn() {
        var s = thinking(budget: 64, min: nil, used: 10)
        s.key(.ctrl("]"))
        #expect(s.takeEffects().contains(.driver(.answerNow)))
        s.send(.commandResult(.answerNow, .done("reasoning ended: the answer follows")))
        #expect(!s.lines[9].contains("think "))
        #expect(s.lines.contains("[reasoning ended by the user: answer now]"))
    }

    /// Shares once the turn ended: 3 s of its 5 s thinking (60 %), 30 of 40 tokens (75 %).
    @Test func theFoldedLineSaysTheShareOfTimeAndTokens() {
        var s = thinking(budget: nil, min: nil, used: 30)
        s.event(.answer(index: 0, text: "a"))
        var st = TurnStats()
        st.reasoningTokens = 30; st.answerTokens = 10
        st.reasoningSeconds = 3; st.answerSeconds = 1; st.wallTime = 5
        st.timeToFirstToken = 0.5; st.timeToFirstAnswerToken = 3.6
        s.event(.turnFinished(index: 0, reason: .endOfTurn, stats: st))
        #expect(s.lines[1] == "▸ thought for 3.0 s (60%), 30 tokens (75%) — Tab to expand")
    }

    /// A turn recorded without decode seconds per channel (a server's): the thinking time
    /// is first answer token less first token, 2.5 s of 10 s.
    @Test func aTurnWithoutChannelSecondsUsesTheFirstTokenTimes() {
        var st = TurnStats()
        st.reasoningTokens = 9; st.answerTokens = 1; st.wallTime = 10
        st.timeToFirstToken = 1; st.timeToFirstAnswerToken = 3.5
        let share = ThinkingShare(st)
        #expect(share.thinkingSeconds == 2.5 && share.answeringSeconds == 6.5)
        #expect(share.thinkingTimeShare == 0.25 && share.thinkingTokenShare == 0.9)
    }

    /// /stats sums the conversation's turns: thinking 3 + 2 = 5 s of 5 + 5 = 10 s (50 %)
    /// and 30 + 10 = 40 of 60 tokens (67 %); answering 1 + 2 = 3 s (30 %), 20 tokens (33 %).
    @Test func statsSummarisesTheConversation() {
        let stats = [(30, 10, 3.0, 1.0), (10, 10, 2.0, 2.0)].map { r, a, rs, as_ in
            var st = TurnStats()
            st.reasoningTokens = r; st.answerTokens = a
            st.reasoningSeconds = rs; st.answerSeconds = as_; st.wallTime = 5
            return st
        }
        let sum = ThinkingShare(stats)
        #expect(sum.turns == 2 && sum.thinkingSeconds == 5 && sum.answeringSeconds == 3 && sum.totalSeconds == 10)
        #expect(sum.thinkingTokens == 40 && sum.answeringTokens == 20)
        var s = Script(width: 80, height: 30)
        var status = DriverStatus()
        status.conversation = sum
        s.send(.status(status))
        s.type("/stats"); s.key(.enter)
        let lines = s.state.overlay?.lines ?? []
        #expect(lines.contains("conversation      2 turns, 10.00 s"))
        #expect(lines.contains("  thinking        5.00 s (50%), 40 tokens (67%)"))
        #expect(lines.contains("  answering       3.00 s (30%), 20 tokens (33%)"))
    }

    /// The full-screen replay marks where the user ended the reasoning, at the time the
    /// answer began, in the words of the plain replay.
    @Test func theReplayShowsWhereTheReasoningWasEnded() {
        func turn(_ i: Int, _ end: ReasoningEnd?) -> TurnRecord {
            let stream = [StreamPiece(t: 0.5, c: .reasoning, text: "thinking \(i)"),
                          StreamPiece(t: 1.0, c: .answer, text: "answer \(i)")]
            var t = TurnRecord(index: i, user: "q\(i)", mode: .on, sampling: .thinking, seed: 0,
                               reasoning: "thinking \(i)", answer: "answer \(i)", tokenTimes: [0.5, 1.0], stream: stream)
            t.reasoningEnd = end
            return t
        }
        let doc = SessionDocument(created: 0, model: nil, chatFormat: "chatml", settings: SessionSettings(),
                                  turns: [turn(0, .user), turn(1, nil), turn(2, .budget)])
        let schedule = ReplaySchedule.make(doc)
        // The mark comes right before the first answer piece of its turn.
        for (i, end) in [(0, ReasoningEnd.user), (2, .budget)] {
            let at = schedule.firstIndex { $0.cue == .reasoningEnded(index: i, end) }
            let answer = schedule.firstIndex { $0.cue == .event(.answer(index: i, text: "answer \(i)")) }
            #expect(at != nil && answer != nil && at! + 1 == answer!)
        }
        #expect(!schedule.contains { $0.cue == .reasoningEnded(index: 1, .user) || $0.cue == .reasoningEnded(index: 1, .budget) })
        var s = UIState()
        var p = ReplayPlayer(schedule: schedule, speed: 100)
        _ = replayUpdate(&s, &p, .resize(width: 60, height: 20))
        while !p.finished { _ = replayUpdate(&s, &p, .elapsed(0.1)) }
        let lines = render(s).lines
        let user = "[reasoning ended by the user: answer now]", budget = "[reasoning cut by the think budget]"
        #expect(lines.filter { $0 == user }.count == 1 && lines.filter { $0 == budget }.count == 1)
        // Below the header of its turn, above the answer.
        let u = lines.firstIndex(of: user)!, b = lines.firstIndex(of: budget)!
        #expect(lines[u - 1].hasPrefix("▸ thought for") && lines[u + 1] == "answer 0")
        #expect(lines[b - 1].hasPrefix("▸ thought for") && lines[b + 1] == "answer 2")
    }
}
