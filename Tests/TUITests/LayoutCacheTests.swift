import Testing
import Session
@testable import TUI

/// The layout cache keeps the UI's memory proportional to the text shown: one layout per
/// turn part and width however many versions a streaming turn goes through, a few widths
/// at most, nothing after /new. The session is played by hand (`Script`, a test double
/// for its event stream); the oracle for sizes is a fresh, uncached layout of the turn.
@Suite struct LayoutCacheTests {
    /// Token-sized pieces of a long reply: numbers, words, newlines and a code fence.
    static func piece(_ i: Int) -> String {
        switch i % 7 {
        case 0: return "\n"
        case 1: return "\(i)"
        case 2: return " words"
        case 3: return " to"
        case 4: return " wrap,"
        case 5: return i % 350 == 5 ? "\n```\n" : " and"
        default: return " more"
        }
    }

    /// Bytes of the turns laid out without a cache and with their reasoning open (what
    /// one version of every part costs).
    static func uncachedBytes(_ s: UIState) -> Int {
        s.turns.map { t in
            var open = t
            open.collapsed = false
            return LayoutCache.bytes(of: TurnLayout.lines(open, width: s.width, glyphs: s.glyphs, now: s.now, cache: nil))
        }.reduce(0, +)
    }

    @Test func aStreamingReplyKeepsOneLayoutPerPart() {
        var s = Script(width: 100, height: 30)
        s.type("count"); s.key(.enter)
        s.event(.turnStarted(index: 0, mode: .on))
        // 3,000 deltas: 1,000 of reasoning then 2,000 of answer, a frame after every 10th.
        for i in 0..<3000 {
            s.event(i < 1000 ? .reasoning(index: 0, text: Self.piece(i)) : .answer(index: 0, text: Self.piece(i)))
            guard i % 10 == 9 else { continue }
            _ = s.screen
            let u = s.state.layoutCache.current
            // user, reasoning, answer: one entry each, whatever the version.
            #expect(u.entries <= 3, "after \(i + 1) deltas: \(u)")
            #expect(s.state.layoutCache.heightCount <= 2)   // open and folded
            if i % 500 == 499 {
                // About the cost of one layout of the whole turn (10 % for each part's
                // own outer array); keeping every version would be 50 times that and more.
                #expect(u.bytes * 10 <= Self.uncachedBytes(s.state) * 11, "after \(i + 1) deltas: \(u)")
            }
        }
        s.event(.turnFinished(index: 0, reason: .endOfTurn, stats: TurnStats()))
        // The rendered frame is the uncached layout's end.
        let lines = TurnLayout.lines(s.state.turns[0], width: 100, glyphs: s.state.glyphs, now: s.state.now, cache: nil)
        let conv = s.screen.lines.prefix(Geometry(s.state).paneRows)
        #expect(Array(conv) == lines.suffix(conv.count).map { String($0.map(\.ch)).trailingSpacesRemoved })
    }

    @Test func newConversationAndLoadEmptyTheCache() {
        var s = Script(width: 60, height: 12)
        for i in 0..<5 { s.directTurn(i, user: "q\(i)", answer: "answer \(i)") }
        _ = s.screen
        #expect(s.state.layoutCache.current.entries == 10)
        s.type("/new"); s.key(.enter)
        #expect(s.state.layoutCache.current == LayoutCache.Usage())
        #expect(s.state.layoutCache.heightCount == 0)

        for i in 0..<5 { s.directTurn(i, user: "q\(i)", answer: "answer \(i)") }
        _ = s.screen
        #expect(s.state.layoutCache.current.entries == 10)
        s.send(.commandResult(.load(path: "a.json"), .transcript([TranscriptTurn(user: "u", answer: "a")],
                                                                 message: nil)))
        #expect(s.state.layoutCache.current == LayoutCache.Usage())
        #expect(s.lines.prefix(2) == ["> u", "a"])
        #expect(s.state.layoutCache.current.entries == 2)
    }

    @Test func resizingKeepsAFewWidths() {
        var s = Script(width: 40, height: 12)
        for i in 0..<4 { s.directTurn(i, user: "q\(i)", answer: String(repeating: "word ", count: 40)) }
        for w in 40...120 {
            s.send(.resize(width: w, height: 12))
            _ = s.screen
        }
        // 4 turns × 2 parts at no more than `maxWidths` widths.
        let u = s.state.layoutCache.current
        #expect(u.entries <= 4 * 2 * s.state.layoutCache.maxWidths, "\(u)")
        #expect(s.state.layoutCache.heightCount <= 4 * s.state.layoutCache.maxWidths)
    }

    @Test func statsShowTheCacheAndTheText() {
        var s = Script(width: 80, height: 40)
        s.directTurn(0, user: "q", answer: (1...50).map { "line \($0)" }.joined(separator: "\n"))
        _ = s.screen
        s.type("/stats"); s.key(.enter)
        let shown = s.state.overlay?.lines ?? []
        let expected = TurnLayout.lines(s.state.turns[0], width: 80, glyphs: .unicode, now: 0, cache: nil).count
        #expect(expected == 51)
        #expect(shown.contains { $0.hasPrefix("ui: layout cache") && $0.hasSuffix(", \(expected) lines") }, "\(shown)")
        let text = 1 + (1...50).map { "line \($0)" }.joined(separator: "\n").utf8.count
        #expect(shown.contains("ui: text          \(StatsBar.bytes(text)) in 1 turn"), "\(shown)")
    }

    /// A refused Ctrl-R puts the old reply back under a version the streamed reply never
    /// had, so its cached height (of the emptied reply) is not reused: the last answer
    /// line is on the last conversation row.
    @Test func aRefusedRegenerateShowsTheWholeOldReply() {
        var s = Script(width: 30, height: 8)
        for i in 0..<2 { s.directTurn(i, user: "q\(i)", answer: "one\ntwo\nthree\nlast \(i)") }
        // A reasoning turn the user unfolded: open, like the emptied reply of Ctrl-R.
        s.key(.ctrl("t"))
        s.type("q2"); s.key(.enter)
        s.event(.turnStarted(index: 2, mode: .on))
        s.event(.reasoning(index: 2, text: "hm"))
        s.event(.answer(index: 2, text: "one\ntwo\nlast 2"))
        s.event(.turnFinished(index: 2, reason: .endOfTurn, stats: TurnStats()))
        s.key(.tab)
        #expect(!s.state.turns[2].collapsed)
        s.key(.ctrl("r"))
        _ = s.screen
        s.send(.commandResult(.regenerate(mode: .off), .failed("no")))
        let rows = s.screen.lines.prefix(Geometry(s.state).paneRows)
        #expect(rows.last == "last 2", "\(rows)")
    }
}

private extension String {
    var trailingSpacesRemoved: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
