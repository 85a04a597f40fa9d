import Testing
import Session
@testable import TUI

/// Key handling in `update`: the keys of issue 7 and the Emacs keys of the input line.
/// Session events are played by hand (a test double for the session).
@Suite struct UpdateTests {
    @Test func ctrlTAndF2ToggleThinkingAtOnce() {
        var s = Script(width: 20, height: 6)
        s.key(.ctrl("t"))
        #expect(s.state.mode == .off && s.lines[4] == " DIRECT")
        s.key(.function(2))
        #expect(s.state.mode == .on && s.lines[4] == " THINKING")
        s.type("hi"); s.key(.enter)
        #expect(s.effects.last == .send("hi", .on))
    }

    /// A model without a reasoning mode (status from the driver): Ctrl-T and /think say
    /// so and leave the mode alone.
    @Test func ctrlTOnAModelWithoutReasoningChangesNothing() {
        var s = Script(width: 60, height: 6)
        s.state.mode = .off
        s.state.status.hasReasoningMode = false
        s.state.status.reasoningProfile = "none"
        s.key(.ctrl("t"))
        #expect(s.state.mode == .off)
        #expect(s.state.notice?.text.contains("no reasoning mode") == true)
        s.type("/think on"); s.key(.enter)
        #expect(s.state.mode == .off)
        #expect(s.state.notice?.text.contains("no reasoning mode") == true)
    }

    @Test func escAndCtrlCStopAGeneration() {
        var s = Script(width: 20, height: 6)
        s.type("hi"); s.key(.enter)
        s.event(.turnStarted(index: 0, mode: .on))
        _ = s.takeEffects()
        s.key(.escape)
        #expect(s.takeEffects() == [.cancel])
        s.key(.ctrl("c"))
        #expect(s.takeEffects() == [.cancel])
        s.event(.turnFinished(index: 0, reason: .cancelled, stats: TurnStats()))
        #expect(!s.state.generating)
        #expect(s.lines.contains("[stopped]"))
    }

    /// A turn that fails mid-reply (a server gone) keeps what arrived, marked with the
    /// error the backend reported before ending it.
    @Test func aFailedTurnKeepsItsTextMarkedWithTheError() {
        var s = Script(width: 60, height: 8)
        s.type("hi"); s.key(.enter)
        s.event(.turnStarted(index: 0, mode: .off))
        s.event(.answer(index: 0, text: "Once upon"))
        s.event(.error("the server closed the stream"))
        s.event(.turnFinished(index: 0, reason: .error, stats: TurnStats()))
        let reply = s.lines.firstIndex(of: "Once upon")
        #expect(reply != nil && s.lines[reply! + 1] == "[error: the server closed the stream]", "\(s.lines)")
        #expect(!s.lines.contains("[stopped]"))
    }

    @Test func secondCtrlCWhenIdleQuits() {
        var s = Script(width: 40, height: 6)
        s.type("draft")
        s.key(.ctrl("c"))
        #expect(s.state.input.isEmpty && s.effects.isEmpty)
        #expect(s.lines[3] == "press Ctrl-C again to quit")
        s.key(.ctrl("c"))
        #expect(s.effects == [.quit] && s.state.quitting)
    }

    @Test func anotherKeyDisarmsCtrlC() {
        var s = Script(width: 40, height: 6)
        s.key(.ctrl("c"))
        s.type("x")
        #expect(s.state.notice == nil)
        s.key(.ctrl("c"))
        #expect(s.effects.isEmpty)
    }

    @Test func ctrlDQuitsOnlyOnAnEmptyLine() {
        var s = Script(width: 20, height: 6)
        s.type("ab"); s.key(.left); s.key(.ctrl("d"))
        #expect(s.state.input.text == "a" && s.effects.isEmpty)
        s.key(.backspace); s.key(.ctrl("d"))
        #expect(s.effects == [.quit])
    }

    @Test func saveRedrawSuspendKeys() {
        var s = Script(width: 20, height: 6)
        s.key(.ctrl("s")); s.key(.ctrl("l")); s.key(.ctrl("z"))
        #expect(s.effects == [.driver(.save(path: nil)), .redraw, .suspend])
        s.send(.commandResult(.save(path: nil), .done("saved to /tmp/x.json")))
        #expect(s.state.notice == Notice(text: "saved to /tmp/x.json", isError: false))
    }

    @Test func regenerateClearsTheLastReply() {
        var s = Script(width: 30, height: 8)
        s.directTurn(0, user: "q", answer: "first")
        _ = s.takeEffects()
        s.key(.ctrl("r"))
        #expect(s.takeEffects() == [.driver(.regenerate(mode: .off))])
        #expect(s.state.turns.count == 1 && s.state.turns[0].answer.isEmpty && s.state.generating)
        s.event(.turnStarted(index: 0, mode: .off))
        s.event(.answer(index: 0, text: "second"))
        #expect(s.state.turns.count == 1 && s.state.turns[0].answer == "second")
        s.key(.ctrl("r"))
        #expect(s.state.notice?.text == "still generating — Esc stops it")
    }

    @Test func ctrlEEditsTheLastMessage() {
        var s = Script(width: 30, height: 8)
        s.directTurn(0, user: "first try", answer: "x")
        _ = s.takeEffects()
        s.key(.ctrl("e"))
        #expect(s.takeEffects() == [.driver(.dropLastTurn)])
        #expect(s.state.turns.isEmpty && s.state.input.text == "first try")
        // With text in the line, Ctrl-E is end-of-line.
        s.key(.ctrl("a")); s.key(.ctrl("e")); s.type("!")
        #expect(s.state.input.text == "first try!")
    }

    /// Two finished turns, each with reasoning ("hmm") and an answer.
    func twoReasonedTurns() -> Script {
        var s = Script(width: 40, height: 20)
        for i in 0..<2 {
            s.type("q\(i)"); s.key(.enter)
            s.event(.turnStarted(index: i, mode: .on))
            s.event(.reasoning(index: i, text: "hmm"))
            s.event(.answer(index: i, text: "a\(i)"))
            s.event(.turnFinished(index: i, reason: .endOfTurn, stats: TurnStats()))
        }
        return s
    }

    @Test func shiftTabFoldsAllThenUnfoldsAll() {
        var s = twoReasonedTurns()
        #expect(s.state.turns.allSatisfy { $0.collapsed })
        s.key(.backTab)
        #expect(s.state.turns.allSatisfy { !$0.collapsed })
        s.key(.tab)                                      // the last turn only
        #expect(!s.state.turns[0].collapsed && s.state.turns[1].collapsed)
        s.key(.backTab)
        #expect(s.state.turns.allSatisfy { $0.collapsed })
    }

    /// `/reasoning show|hide` (the line mode's switch) unfolds or folds every turn here.
    @Test func reasoningShowAndHideUnfoldAndFoldAll() {
        var s = twoReasonedTurns()
        s.type("/reasoning show"); s.key(.enter)
        #expect(s.state.turns.allSatisfy { !$0.collapsed })
        #expect(s.lines.contains { $0.contains("hmm") })
        s.type("/reasoning hide"); s.key(.enter)
        #expect(s.state.turns.allSatisfy { $0.collapsed })
        #expect(!s.lines.contains { $0.contains("hmm") })
    }

    @Test func expandedByHandDuringReasoningStaysOpen() {
        var s = Script(width: 40, height: 10)
        s.type("q"); s.key(.enter)
        s.event(.turnStarted(index: 0, mode: .on))
        s.event(.reasoning(index: 0, text: "hmm"))
        s.key(.tab); s.key(.tab)                         // closed, then open again by hand
        s.event(.answer(index: 0, text: "a"))
        #expect(!s.state.turns[0].collapsed)
    }

    @Test func trailingBackslashAndAltEnterMakeNewlines() {
        var s = Script(width: 30, height: 6)
        s.type("one\\"); s.key(.enter)
        s.type("two"); s.key(.altEnter); s.type("three")
        #expect(s.state.input.text == "one\ntwo\nthree" && s.effects.isEmpty)
        #expect(s.lines[5] == "> one↵two↵three")
        s.key(.enter)
        #expect(s.effects.last == .send("one\ntwo\nthree", .on))
        #expect(s.lines[0] == "> one" && s.lines[1] == "  two" && s.lines[2] == "  three")
    }

    @Test func pasteKeepsNewlinesAndDropsControls() {
        var s = Script(width: 30, height: 6)
        s.key(.paste("line1\r\nline2\u{1B}[2J"))
        #expect(s.state.input.text == "line1\nline2")
    }

    @Test func emacsKeys() {
        var s = Script(width: 40, height: 6)
        s.type("hello big world")
        s.key(.ctrl("w"))                                // kill "world"
        #expect(s.state.input.text == "hello big ")
        s.key(.ctrl("a")); s.key(.alt("f")); s.key(.ctrl("k"))
        #expect(s.state.input.text == "hello")
        s.key(.ctrl("y"))
        #expect(s.state.input.text == "hello big ")
        s.key(.ctrl("b")); s.key(.ctrl("b")); s.key(.ctrl("u"))
        #expect(s.state.input.text == "g ")
        s.key(.ctrl("e")); s.key(.alt("b")); s.key(.delete)
        #expect(s.state.input.text == " ")
    }

    @Test func altDKillsTheNextWord() {
        var s = Script(width: 40, height: 6)
        s.type("hello big world")
        s.key(.ctrl("a")); s.key(.alt("d"))
        #expect(s.state.input.text == " big world" && s.state.input.cursor == 0)
        s.key(.alt("f")); s.key(.alt("d"))               // kill " world"
        #expect(s.state.input.text == " big" && s.state.input.cursor == 4)
        s.key(.ctrl("a")); s.key(.ctrl("y"))
        #expect(s.state.input.text == " world big" && s.state.input.cursor == 6)
        s.key(.ctrl("e")); s.key(.alt("d"))              // at the end: nothing to kill
        #expect(s.state.input.text == " world big")
    }

    @Test func historyBrowsesAndKeepsTheDraft() {
        var s = Script(width: 40, height: 6)
        s.directTurn(0, user: "one", answer: "1")
        s.directTurn(1, user: "two", answer: "2")
        s.type("dra")
        s.key(.up)
        #expect(s.state.input.text == "two")
        s.key(.up); s.key(.up)
        #expect(s.state.input.text == "one")
        s.key(.down)
        #expect(s.state.input.text == "two")
        s.key(.down)
        #expect(s.state.input.text == "dra")
        #expect(s.effects.filter { if case .appendHistory = $0 { true } else { false } }.count == 2)
    }

    @Test func sendingWhileGeneratingIsRefused() {
        var s = Script(width: 40, height: 6)
        s.type("a"); s.key(.enter)
        _ = s.takeEffects()
        s.type("b"); s.key(.enter)
        #expect(s.effects.isEmpty && s.state.input.text == "b")
        #expect(s.state.notice?.isError == true)
    }

    @Test func loadedTranscriptReplacesTheConversation() {
        var s = Script(width: 30, height: 9)    // 6 conversation rows under the notice
        s.directTurn(0, user: "old", answer: "x")
        s.send(.commandResult(.load(path: "a.json"), .transcript([
            TranscriptTurn(user: "u1", reasoning: "r", answer: "a1"),
            TranscriptTurn(user: "u2", answer: "a2", mode: .off),
        ], message: "loaded a.json")))
        #expect(s.lines.prefix(6) == ["> u1", "▸ thought for 0.0 s — Tab to…", "a1", "", "> u2", "a2"])
        #expect(s.lines[6] == "loaded a.json")
        // The next turn's events (index 2) attach to the next message.
        s.type("u3"); s.key(.enter)
        s.event(.turnStarted(index: 2, mode: .on))
        s.event(.answer(index: 2, text: "a3"))
        #expect(s.state.turns.count == 3 && s.state.turns[2].answer == "a3")
    }

    @Test func sessionErrorsAndNotices() {
        var s = Script(width: 40, height: 6)
        s.event(.error("model file vanished"))
        #expect(s.state.notice == Notice(text: "model file vanished", isError: true))
        s.event(.notice("dropped 2 old turns"))
        #expect(s.lines[3] == "dropped 2 old turns")
    }

    @Test func ctrlGComposesInTheEditor() {
        var s = Script(width: 30, height: 6)
        s.type("draft")
        s.key(.ctrl("g"))
        #expect(s.effects == [.compose("draft")])
        s.send(.composed("line one\nline two\n"))
        #expect(s.state.input.text == "line one\nline two")
    }

    @Test func refusedRegenerateAndEditPutTheTurnBack() {
        var s = Script(width: 30, height: 8)
        s.directTurn(0, user: "q", answer: "kept")
        s.key(.ctrl("r"))
        s.send(.commandResult(.regenerate(mode: .off), .failed("regenerate is not available yet")))
        #expect(s.state.turns.count == 1 && s.state.turns[0].answer == "kept" && !s.state.generating)
        s.key(.ctrl("e"))
        s.send(.commandResult(.dropLastTurn, .failed("no")))
        #expect(s.state.turns.count == 1 && s.state.turns[0].user == "q" && s.state.input.isEmpty)
    }
}
