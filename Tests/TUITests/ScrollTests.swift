import Testing
import Session
@testable import TUI

/// Scrolling the conversation pane: PgUp/PgDn move by the pane height less one line,
/// Home goes to the top, End (or reaching the end) follows new text again.
@Suite struct ScrollTests {
    /// 20x6: 4 conversation rows. Three direct turns = 8 lines:
    /// 0 "> a1", 1 "b1", 2 "", 3 "> a2", 4 "b2", 5 "", 6 "> a3", 7 "b3".
    func threeTurns() -> Script {
        var s = Script(width: 20, height: 6)
        s.directTurn(0, user: "a1", answer: "b1")
        s.directTurn(1, user: "a2", answer: "b2")
        s.directTurn(2, user: "a3", answer: "b3")
        return s
    }

    func pane(_ s: Script) -> [String] { Array(s.lines.prefix(4)) }

    @Test func followsTheEnd() {
        #expect(pane(threeTurns()) == ["b2", "", "> a3", "b3"])
    }

    @Test func pageUpDownHomeEnd() {
        var s = threeTurns()
        s.key(.pageUp)
        #expect(pane(s) == ["b1", "", "> a2", "b2"])
        s.key(.pageUp)
        #expect(pane(s) == ["> a1", "b1", "", "> a2"])
        s.key(.pageDown)
        #expect(pane(s) == ["> a2", "b2", "", "> a3"])
        #expect(s.state.scrollTop == 3)
        s.key(.pageDown)
        #expect(s.state.scrollTop == nil)
        #expect(pane(s) == ["b2", "", "> a3", "b3"])
        s.key(.home)
        #expect(pane(s) == ["> a1", "b1", "", "> a2"])
        s.key(.end)
        #expect(pane(s) == ["b2", "", "> a3", "b3"])
    }

    @Test func scrolledUpViewStaysPutWhileTextStreams() {
        var s = threeTurns()
        s.type("a4"); s.key(.enter)
        s.event(.turnStarted(index: 3, mode: .off))
        s.key(.home)
        s.event(.answer(index: 3, text: "b4"))
        s.event(.turnFinished(index: 3, reason: .endOfTurn, stats: TurnStats()))
        #expect(pane(s) == ["> a1", "b1", "", "> a2"])
        s.key(.end)
        #expect(pane(s) == ["b3", "", "> a4", "b4"])
    }

    @Test func sendingFollowsAgain() {
        var s = threeTurns()
        s.key(.home)
        s.type("a4"); s.key(.enter)
        #expect(s.state.scrollTop == nil)
    }

    @Test func wheelScrollsThreeLines() {
        var s = threeTurns()
        s.key(.wheelUp)
        #expect(pane(s) == ["b1", "", "> a2", "b2"])
        s.key(.wheelDown)
        #expect(s.state.scrollTop == nil)
    }

    @Test func shortConversationDoesNotScroll() {
        var s = Script(width: 20, height: 6)
        s.directTurn(0, user: "a1", answer: "b1")
        s.key(.pageUp)
        s.key(.home)
        #expect(pane(s) == ["> a1", "b1", "", ""])
    }
}
