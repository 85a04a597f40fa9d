import Testing
import Session
@testable import TUI

/// The split layout (`/layout`, `ReasoningLayout`): the pure render of a `UIState` driven
/// through `update` (`Script` plays the session's events by hand), at 180 × 40 (split by
/// default) and 100 × 40 (inline by default). The oracle is the text itself: reasoning
/// and answers are numbered words, so what a pane shows must be a run of consecutive
/// words ending with the last one: a word lost to clipping or overflow breaks the run.
@Suite struct SplitLayoutTests {
    /// `n` numbered words ("b1", "b2", ...); every fifth carries a 2-column character, so
    /// wrapping must count columns, not characters.
    static func words(_ tag: String, _ n: Int) -> [String] {
        (1...n).map { "\(tag)\($0)" + ($0 % 5 == 0 ? "漢" : "") }
    }

    static let firstReasoning = words("a", 12)
    static let firstAnswer = words("c", 1000)
    static let secondReasoning = words("b", 600)

    /// One whole thinking turn.
    static func turn(_ s: inout Script, _ i: Int, user: String, reasoning: [String], answer: [String]) {
        let t0 = Double(10 * i)
        s.type(user); s.key(.enter)
        s.event(.turnStarted(index: i, mode: .on), at: t0)
        s.event(.reasoning(index: i, text: reasoning.joined(separator: " ")), at: t0 + 1)
        s.event(.answer(index: i, text: answer.joined(separator: " ")), at: t0 + 3)
        s.event(.turnFinished(index: i, reason: .endOfTurn, stats: TurnStats()), at: t0 + 4)
    }

    /// Two finished turns: a short reasoning with a long answer, then a reasoning longer
    /// than the pane with a short answer.
    static func twoTurns(width: Int, height: Int) -> Script {
        var s = Script(width: width, height: height)
        turn(&s, 0, user: "first question", reasoning: firstReasoning, answer: firstAnswer)
        turn(&s, 1, user: "second question", reasoning: secondReasoning, answer: ["Second", "answer."])
        return s
    }

    /// Row `r` of `screen` between columns `cols` as text (trailing spaces trimmed).
    static func text(_ screen: Screen, _ r: Int, _ cols: Range<Int>) -> String {
        var out = ""
        for c in screen.rows[r][cols] where !c.continuation { out.append(c.ch) }
        while out.last == " " { out.removeLast() }
        return out
    }

    /// The reasoning pane's body (rows under its title) as one string: gutters and spaces
    /// dropped, since a line may break at a space or before a wide character.
    static func paneText(_ s: Script) -> String {
        let g = Geometry(s.state), screen = s.screen
        return (1..<g.paneRows).map { r in
            text(screen, r, g.convWidth + 1 ..< g.width).split(separator: " ")
                .filter { $0 != s.state.glyphs.gutter }.joined()
        }.joined()
    }

    /// `shown` is a non-empty run of the characters of `all` (spaces dropped) that ends
    /// with its last one: nothing lost on the way.
    static func isTail(_ shown: String, of all: [String]) -> Bool {
        !shown.isEmpty && all.joined().hasSuffix(shown)
    }

    @Test func splitAt180ShowsTheFocusedTurnsReasoningTailBesideTheAnswers() {
        let s = Self.twoTurns(width: 180, height: 40)
        let g = Geometry(s.state), screen = s.screen
        // 55/45: the conversation 99 columns, a border, the reasoning pane 80 columns.
        #expect(g.convWidth == 99 && g.sideWidth == 80)
        #expect(screen.rows.allSatisfy { $0.count == 180 })
        #expect(s.lines.allSatisfy { CharWidth.of($0) <= 180 })
        for r in 0..<g.paneRows { #expect(screen.rows[r][99].ch == "│", "row \(r)") }
        #expect(Self.text(screen, 0, 100..<180) == " reasoning — turn 2")

        // The pane: the tail of the second turn's reasoning, every row used, no word lost.
        let shown = Self.paneText(s)
        #expect(Self.isTail(shown, of: Self.secondReasoning), "\(shown.prefix(20)) … \(shown.suffix(20))")
        #expect(shown.count < Self.secondReasoning.joined().count)
        for r in 1..<g.paneRows {
            #expect(Self.text(screen, r, 100..<180).hasPrefix("┊ "), "row \(r)")
        }

        // The conversation: the answers, each turn's reasoning as its one-line summary.
        let conv = (0..<g.paneRows).map { Self.text(screen, $0, 0..<99) }
        #expect(!conv.contains { $0.contains("b1 ") || $0.contains("a12") })
        #expect(conv.contains("> second question"))
        #expect(conv.contains { $0.hasPrefix("▸ thought for ") && !$0.contains("Tab") })
        #expect(conv.contains("Second answer."))
        // The first answer's end scrolled into view, wrapped at 99 columns, nothing cut.
        let answerText = conv.prefix { !$0.isEmpty }.map { $0.split(separator: " ").joined() }.joined()
        #expect(Self.isTail(answerText, of: Self.firstAnswer))
    }

    /// The whole split screen, cell for cell, at 100 columns with `/layout split`.
    @Test func splitScreenExactly() {
        var s = Script(width: 100, height: 8)
        s.state.layout = .split
        s.type("q"); s.key(.enter)
        s.event(.turnStarted(index: 0, mode: .on), at: 0)
        s.event(.reasoning(index: 0, text: "Step one.\nStep two."), at: 1)
        s.event(.answer(index: 0, text: "A."), at: 3)
        // 55 columns of conversation, the border at column 55, 44 columns of reasoning.
        let pad = { (n: Int) in String(repeating: " ", count: n) }
        #expect(Array(s.lines.prefix(6)) == [
            "> q" + pad(52) + "│ reasoning — turn 1",
            "▸ thought for 2.0 s" + pad(36) + "│┊ Step one.",
            "A." + pad(53) + "│┊ Step two.",
            pad(55) + "│",
            pad(55) + "│",
            pad(55) + "│",
        ])
    }

    @Test func inlineBelow160AndAfterLayoutInlineAt180() {
        // 100 columns, auto: today's inline view, the same screen as /layout inline.
        var narrow = Self.twoTurns(width: 100, height: 40)
        #expect(Geometry(narrow.state).sideWidth == 0)
        let auto = narrow.screen
        narrow.state.layout = .inline
        #expect(narrow.screen == auto)
        #expect(auto.lines.contains { $0.hasPrefix("▸ thought for ") && $0.hasSuffix("Tab to expand") })
        #expect(!auto.rows.contains { $0[55].ch == "│" })

        // 180 columns, /layout inline: no pane, the answers wrapped at the full width, and
        // Tab unfolds the last turn's reasoning in the conversation.
        var s = Self.twoTurns(width: 180, height: 40)
        s.type("/layout inline"); s.key(.enter)
        #expect(s.state.layout == .inline)
        #expect(s.state.notice?.text.hasPrefix("layout inline") == true)
        let g = Geometry(s.state)
        #expect(g.sideWidth == 0 && g.convWidth == 180)
        #expect(!s.screen.rows.prefix(g.paneRows).contains { $0[99].ch == "│" })
        #expect(s.lines.contains { $0.hasPrefix("▸ thought for ") && $0.hasSuffix("Tab to expand") })
        s.key(.tab)
        let conv = Array(s.lines.prefix(g.paneRows))
        #expect(conv.contains { $0.hasPrefix("┊ ") && $0.hasSuffix("b600漢") })
        #expect(conv.contains { CharWidth.of($0) > 100 }, "reasoning wrapped at the full width")
        #expect(s.lines.allSatisfy { CharWidth.of($0) <= 180 })
    }

    @Test func resizeMovesBetweenSplitAndInline() {
        var s = Self.twoTurns(width: 180, height: 40)
        #expect(Geometry(s.state).sideWidth == 80)
        s.send(.resize(width: 159, height: 40))
        #expect(Geometry(s.state).sideWidth == 0)
        #expect(s.lines.contains { $0.hasSuffix("Tab to expand") })
        s.send(.resize(width: 160, height: 30))
        let g = Geometry(s.state)
        #expect(g.convWidth == 88 && g.sideWidth == 71)
        #expect(Self.isTail(Self.paneText(s), of: Self.secondReasoning))
        #expect(s.lines.allSatisfy { CharWidth.of($0) <= 160 })
    }

    /// While a turn streams the pane shows it and follows its end, even with the view
    /// scrolled up; afterwards it shows the turn the view is scrolled to.
    @Test func thePaneFollowsTheStreamingTurnThenTheViewedOne() {
        var s = Script(width: 180, height: 40)
        Self.turn(&s, 0, user: "first question", reasoning: Self.firstReasoning, answer: Self.firstAnswer)
        s.type("second question"); s.key(.enter)
        s.event(.turnStarted(index: 1, mode: .on), at: 20)
        // The streaming turn is the pane's before its first reasoning token.
        #expect(Self.text(s.screen, 0, 100..<180) == " reasoning — turn 2")
        #expect(Self.paneText(s).isEmpty)
        var streamed: [String] = []
        for (k, w) in Self.secondReasoning.enumerated() {
            s.event(.reasoning(index: 1, text: (k == 0 ? "" : " ") + w), at: 21)
            streamed.append(w)
            if k == 40 { for _ in 0..<100 { s.key(.wheelUp) } }   // to the top of the conversation
            if k % 50 == 0 || k == Self.secondReasoning.count - 1 {
                #expect(Self.isTail(Self.paneText(s), of: streamed), "after \(k + 1) words")
                #expect(Self.text(s.screen, 0, 100..<180) == " reasoning — turn 2")
            }
        }
        #expect(s.state.scrollTop == 0)
        // Memory: one layout per turn part and width (user, reasoning, answer × 99 and 80).
        #expect(s.state.layoutCache.current.entries <= 2 * 3 * 2)
        s.event(.answer(index: 1, text: "Done."), at: 22)
        s.event(.turnFinished(index: 1, reason: .endOfTurn, stats: TurnStats()), at: 23)
        // Scrolled to the first turn: its reasoning.
        #expect(Self.text(s.screen, 0, 100..<180) == " reasoning — turn 1")
        #expect(Self.paneText(s) == Self.firstReasoning.joined())
        // Back at the end: the last turn's.
        for _ in 0..<200 { s.key(.wheelDown) }
        #expect(s.state.scrollTop == nil)
        #expect(Self.text(s.screen, 0, 100..<180) == " reasoning — turn 2")
        #expect(Self.isTail(Self.paneText(s), of: Self.secondReasoning))
    }

    /// `/layout` sets the layout and says which view is in effect; a bad value changes nothing.
    @Test func layoutCommand() {
        var s = Self.twoTurns(width: 100, height: 40)
        #expect(s.state.layout == .auto)
        s.type("/layout split"); s.key(.enter)
        #expect(s.state.layout == .split)
        #expect(s.state.notice == Notice(text: "layout split: reasoning of the focused turn on the right", isError: false))
        // 100 columns split 55/45: conversation 55, border, pane 44.
        #expect(Geometry(s.state).sideWidth == 44)
        #expect(s.screen.rows[0][55].ch == "│")
        #expect(Self.isTail(Self.paneText(s), of: Self.secondReasoning))

        s.type("/layout auto"); s.key(.enter)
        #expect(s.state.layout == .auto)
        #expect(s.state.notice?.text == "layout auto: split from 160 columns, inline below (now inline)")
        #expect(Geometry(s.state).sideWidth == 0)

        s.type("/layout sideways"); s.key(.enter)
        #expect(s.state.layout == .auto)
        #expect(s.state.notice == Notice(text: "/layout takes split, inline or auto", isError: true))
        s.key(.ctrl("u"))   // the refused line stays in the input to be fixed

        // Too narrow to split: inline, and the notice says so.
        s.send(.resize(width: 50, height: 20))
        s.type("/layout split"); s.key(.enter)
        #expect(s.state.layout == .split && Geometry(s.state).sideWidth == 0)
        #expect(s.state.notice?.text == "layout split (inline below 60 columns; now 50)")
    }
}
