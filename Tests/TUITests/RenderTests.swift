import Testing
import Session
@testable import TUI

/// Exact screens of the pure renderer at small sizes. Every expected screen is written by
/// hand from the layout rules (Geometry, TurnLayout, Wrap, StatsBar), not copied from output.
@Suite struct RenderTests {
    @Test func emptyScreen20x6() {
        let s = Script(width: 20, height: 6)
        // Below 12 rows: 4 conversation rows, 1 stats row, the input row.
        #expect(s.lines == blank(4) + [" THINKING", ">"])
        #expect(s.screen.cursor?.row == 5 && s.screen.cursor?.col == 2)
        #expect(s.screen.rows[4].allSatisfy { $0.style.role == .stats })
    }

    @Test func streamingReasoningShowsLive() {
        var s = Script(width: 20, height: 6)
        s.type("hello world, this is a test"); s.key(.enter)
        #expect(s.effects == [.appendHistory("hello world, this is a test"),
                              .send("hello world, this is a test", .on)])
        s.event(.turnStarted(index: 0, mode: .on), at: 0)
        s.event(.reasoning(index: 0, text: "Let me think about it."), at: 1)
        s.send(.tick(time: 4, rssBytes: nil))
        // user (2 lines) + header + reasoning (2 lines) = 5 lines; following shows the last 4.
        #expect(s.lines == [
            "  is a test",
            "▾ thinking… 3.0 s",
            "┊ Let me think about",
            "┊ it.",
            " THINKING",
            ">",
        ])
    }

    @Test func reasoningCollapsesWhenTheAnswerStartsAndTabExpands() {
        var s = Script(width: 50, height: 8)
        s.type("why?"); s.key(.enter)
        s.event(.turnStarted(index: 0, mode: .on), at: 0)
        s.event(.reasoning(index: 0, text: "\nStep one.\nStep two.\n"), at: 0.5)
        var st = TurnStats()
        st.reasoningTokens = 412
        st.timeToFirstToken = 0.5
        st.timeToFirstAnswerToken = 12.8
        s.event(.stats(index: 0, st), at: 12.8)
        s.event(.answer(index: 0, text: "Because."), at: 12.8)
        // 8 rows: 6 conversation rows, stats, input.
        #expect(s.lines == [
            "> why?",
            "▸ thought for 12.3 s, 412 tokens — Tab to expand",
            "Because.",
        ] + blank(3) + [" THINKING", ">"])

        s.key(.tab)
        #expect(s.lines == [
            "> why?",
            "▾ thought for 12.3 s, 412 tokens — Tab to collapse",
            "┊ Step one.",
            "┊ Step two.",
            "Because.",
            "",
            " THINKING",
            ">",
        ])
        #expect(s.screen.rows[2][2].style.role == .reasoning)
        #expect(s.screen.rows[4][0].style.role == .assistant)

        s.key(.tab)
        #expect(s.lines[1] == "▸ thought for 12.3 s, 412 tokens — Tab to expand")
    }

    @Test func wideCharactersWrapAtTheEdge() {
        var s = Script(width: 20, height: 6)
        s.type("日本語のテキストを折り返す"); s.key(.enter)
        s.type("hi 👨‍👩‍👧‍👦 ok")
        // "> " + 9 ideographs = 20 columns; the rest hangs under 2 spaces.
        #expect(s.lines == [
            "> 日本語のテキストを",
            "  折り返す",
            "▾ thinking… 0.0 s",
            "",
            " THINKING",
            "> hi 👨‍👩‍👧‍👦 ok",
        ])
        // The family emoji is one cell plus a continuation cell.
        let row = s.screen.rows[5]
        #expect(row[5].ch == "👨‍👩‍👧‍👦" && row[6].continuation && row[7].ch == " ")
        #expect(s.screen.cursor?.col == 10)     // 2 + 3 + 2 + 3
    }

    @Test func emojiNeverStraddlesTheRightEdge() {
        var s = Script(width: 20, height: 6)
        s.key(.ctrl("t"))                                   // direct: no reasoning header
        s.type("abcdefghijklmnopq😀"); s.key(.enter)
        #expect(s.lines == ["> abcdefghijklmnopq", "  😀"] + blank(2) + [" DIRECT", ">"])
    }

    @Test func markdownAnswer() {
        var s = Script(width: 20, height: 12)
        s.directTurn(0, user: "md", answer: "# Title\n- item one two three four\n```\ncode line\n```\n**bold** and `x`")
        // 12 rows: 9 conversation rows, 2 stats rows, input.
        #expect(s.lines == [
            "> md",
            "Title",
            "• item one two three",
            "  four",
            "```",
            "code line",
            "```",
            "bold and x",
            "",
            " DIRECT",
            " tokens r 0 a 0 p 0",      // from the finished turn's (empty) stats
            ">",
        ])
        let scr = s.screen
        #expect(scr.rows[1][0].style.attr.contains([.bold, .underline]))
        #expect(scr.rows[5][0].style.role == .code)
        #expect(scr.rows[7][0].style.attr.contains(.bold) && scr.rows[7][0].style.role == .assistant)
        #expect(!scr.rows[7][4].style.attr.contains(.bold))
        #expect(scr.rows[7][9].style.role == .code)        // the x of `x`
    }

    @Test func tooSmall() {
        #expect(Script(width: 19, height: 6).lines == ["terminal too small", "(need 20x5)"] + blank(4))
        #expect(Script(width: 20, height: 4).lines == ["terminal too small", "(need 20x5)", "", ""])
        #expect(Script(width: 0, height: 0).lines == [])
    }

    @Test func everySizeRendersWithoutTrapping() {
        var s = Script(width: 80, height: 24)
        s.directTurn(0, user: "日本語 😀 text", answer: "```\nlong code line here\n```\n- a b c")
        s.key(.function(1))
        for w in 0...24 {
            for h in 0...8 {
                s.send(.resize(width: w, height: h))
                let scr = s.screen
                #expect(scr.rows.count == h && scr.rows.allSatisfy { $0.count == w })
            }
        }
    }

    @Test func helpOverlay20x6() {
        var s = Script(width: 20, height: 6)
        s.key(.char("?"))
        #expect(s.lines == [
            "┌─ Help ───────────┐",
            "│ Keys             │",
            "│ Enter            │",
            "│ Alt-Enter        │",
            "│ Ctrl-T, F2       │",
            "└──────────────────┘",
        ])
        #expect(s.screen.cursor == nil)
        s.key(.down)
        #expect(s.lines[1] == "│ Enter            │")
        s.key(.escape)
        #expect(s.state.overlay == nil)
    }

    /// The bar and /model show the sampler of the next turn's mode: Ctrl-T switches them.
    @Test func samplerShownIsTheActiveModes() {
        var s = Script(width: 160, height: 30)
        var st = DriverStatus()
        st.samplingOn = SamplingSettings(temperature: 0.7, topK: 40, topP: 0.9)
        st.samplingOff = .direct; st.seed = 42
        s.send(.status(st))
        #expect(s.lines.contains { $0.contains("temp 0.7 top_p 0.9 top_k 40 seed 42") })
        s.type("/model"); s.key(.enter)
        #expect(s.state.overlay?.lines.contains("sampler           THINKING") == true)
        #expect(s.state.overlay?.lines.contains("temperature       0.7") == true)
        s.key(.escape)
        s.key(.ctrl("t"))
        #expect(s.lines.contains { $0.contains("greedy seed 42") })
        #expect(!s.lines.contains { $0.contains("temp 0.7") })
        s.type("/model"); s.key(.enter)
        #expect(s.state.overlay?.lines.contains("sampler           DIRECT (greedy)") == true)
        #expect(s.state.overlay?.lines.contains("temperature       0") == true)
    }

    /// The bar shows prompt evaluation as it goes: a bar, done/total, the rate measured
    /// in this prompt and the time left at that rate; afterwards the usual speeds.
    @Test func prefillProgressInTheBar() {
        var s = Script(width: 80, height: 6)
        s.type("x"); s.key(.enter)
        s.event(.turnStarted(index: 0, mode: .on), at: 10)
        // Before the first chunk: no rate of this prompt, the last turn's is the estimate.
        var ts = TurnStats(); ts.prefillTokensPerSecond = 100
        s.event(.stats(index: 0, ts), at: 10)
        s.event(.prefillProgress(index: 0, done: 0, total: 1000), at: 10)
        #expect(s.lines[4] == " THINKING │ prefill [░░░░░░░░] 0/1000 100 tok/s 10 s left")
        // 256 tokens in 2 s: 128 tok/s, 744 left = 5.8 s, shown rounded up.
        s.event(.prefillProgress(index: 0, done: 256, total: 1000), at: 12)
        let rate = 256.0 / 2, left = Int((Double(1000 - 256) / rate).rounded(.up))
        let cells = Int((256.0 / 1000 * 8).rounded(.up))
        let bar = String(repeating: "█", count: cells) + String(repeating: "░", count: 8 - cells)
        #expect(s.lines[4] == " THINKING │ prefill [\(bar)] 256/1000 \(Int(rate)) tok/s \(left) s left")
        // A long prompt: minutes.
        s.event(.prefillProgress(index: 0, done: 300, total: 100_000), at: 13)
        #expect(s.lines[4].hasSuffix("300/100000 100 tok/s 16 min 37 s left"))
        // Done: the progress gives way to the speeds.
        s.event(.prefillProgress(index: 0, done: 100_000, total: 100_000), at: 14)
        ts.decodeTokensPerSecond = 20
        s.event(.stats(index: 0, ts), at: 14)
        #expect(s.lines[4] == " THINKING │ 20.0 tok/s pp 100 tok/s")
    }

    /// The weight-loading notice: MiB done of total, the rate so far, the time left at it.
    @Test func weightLoadingText() {
        let mib = 1 << 20
        #expect(LoadingText.progress(done: 0, total: 138 * mib, seconds: 0) == "loading weights 0/138 MiB")
        // 48 MiB in 0.5 s: 96 MiB/s; 90 MiB left = 0.94 s, shown rounded up.
        let left = Int((Double(90) / 96).rounded(.up))
        #expect(LoadingText.progress(done: 48 * mib, total: 138 * mib, seconds: 0.5)
                == "loading weights 48/138 MiB 96 MiB/s \(left) s left")
        // A slow disk: minutes.
        #expect(LoadingText.progress(done: 10 * mib, total: 4000 * mib, seconds: 10)
                == "loading weights 10/4000 MiB 1 MiB/s 66 min 30 s left")
        #expect(LoadingText.done(bytes: 92 * mib + 1000, seconds: 0.041) == "weights loaded: 92 MiB in 0.04 s")
    }

    /// ASCII drawing uses ASCII bar cells.
    @Test func prefillBarInASCII() {
        var s = Script(width: 80, height: 6)
        s.state.glyphs = .ascii
        s.type("x"); s.key(.enter)
        s.event(.turnStarted(index: 0, mode: .off), at: 0)
        s.event(.prefillProgress(index: 0, done: 500, total: 1000), at: 1)
        #expect(s.lines[4].contains("prefill [\(String(repeating: Glyphs.ascii.barFull, count: 4))"
                                    + "\(String(repeating: Glyphs.ascii.barEmpty, count: 4))] 500/1000 500 tok/s 1 s left"))
    }

    @Test func longInputScrollsSideways() {
        var s = Script(width: 20, height: 6)
        s.type("abcdefghijklmnopqrstuvwxyz")
        // 18 columns after "> "; the cursor sits in the last one.
        #expect(s.lines[5] == "> jklmnopqrstuvwxyz")
        #expect(s.screen.cursor?.col == 19)
        s.key(.ctrl("a"))
        #expect(s.lines[5] == "> abcdefghijklmnopqr")
        #expect(s.screen.cursor?.col == 2)
    }

    @Test func budgetAndSnapshotAreShown() {
        var s = Script(width: 60, height: 12)
        s.type("q"); s.key(.enter)
        s.event(.turnStarted(index: 0, mode: .on))
        s.event(.reasoning(index: 0, text: "r"))
        var st = TurnStats()
        st.reasoningTokens = 64; st.budgetApplied = true; st.snapshotBytes = 3 * 1024 * 1024
        st.timeToFirstToken = 1; st.timeToFirstAnswerToken = 3
        s.event(.stats(index: 0, st))
        s.event(.answer(index: 0, text: "a"))
        // The budget's cut is said below the header, in the words of the plain replay.
        #expect(s.lines[1] == "▸ thought for 2.0 s, 64 tokens — Tab to expand")
        #expect(s.lines[2] == "[reasoning cut by the think budget]")
        #expect(s.lines[3] == "a")
        #expect(s.lines[10] == " tokens r 64 a 0 p 0 │ snap 3.0M")
    }
}
