import Testing
@testable import TUI

/// Long notices wrap over up to three rows above the stats bar, and /notices shows the
/// recent ones in full. Notices are sent as messages by hand (a test double for the
/// runtime and the session).
@Suite struct NoticeTests {
    /// Words "w0 w1 …" up to about `columns` columns, ending in "END".
    static func words(_ columns: Int) -> String {
        var t = "", n = 0
        while t.count < columns { t += "w\(n) "; n += 1 }
        return t + "END"
    }

    @Test func aLongNoticeWrapsAboveTheBar() {
        var s = Script(width: 40, height: 16)
        let text = Self.words(70)                    // two rows at 40 columns
        s.send(.notice(text, isError: true))
        let l = s.lines
        // Rows 12 and 13 hold the notice, 14 and 15 the bar and the input... the bar has
        // two rows from 12 rows of height: rows 13-14, input 15, notice 11-12.
        #expect(l[15] == ">")
        #expect(l[13].hasPrefix(" THINKING"))
        let shown = (l[11] + " " + l[12]).split(separator: " ").joined(separator: " ")
        #expect(shown == text)
        #expect(s.screen.rows[11][0].style == Style(.error, .bold))
    }

    @Test func aNoticeLongerThanThreeRowsEndsWithAnEllipsisAndNoticesShowsItAll() {
        var s = Script(width: 40, height: 16)
        let text = Self.words(200)                   // six rows at 40 columns
        s.send(.notice(text, isError: false))
        let l = s.lines
        #expect(l[10].hasPrefix("w0 w1 "))
        #expect(l[12].hasSuffix("…") && !l[12].contains("END"))
        #expect(!l[9].hasPrefix("w"))                // no fourth row
        // /notices: the whole text, wrapped inside the overlay.
        s.type("/notices"); s.key(.enter)
        #expect(s.state.overlay?.title == "Notices")
        let body = (s.state.overlay?.lines ?? []).map { $0.dropFirst(2) }.joined(separator: " ")
        #expect(body.split(separator: " ").joined(separator: " ") == text)
        #expect(s.lines.contains { $0.contains("END") })
    }

    @Test func theLogKeepsRecentNoticesAndOneEntryPerProgressRun() {
        var s = Script(width: 80, height: 24)
        s.send(.notice("saved to a.json", isError: false))
        for p in [10, 50, 90] { s.event(.notice("loading weights \(p)%")) }
        s.event(.notice("weights loaded"))
        s.send(.notice("bad theme", isError: true))
        #expect(s.state.noticeLog.map(\.text) == ["saved to a.json", "weights loaded", "bad theme"])
        for i in 0..<60 { s.send(.notice("n\(i)", isError: false)) }
        #expect(s.state.noticeLog.count == Notice.logSize && s.state.noticeLog.last?.text == "n59")
        s.type("/notices"); s.key(.enter)
        #expect(s.state.overlay?.lines.last == "- n59")
    }

    /// A session notice (weights loading in the background) arriving after the reply to
    /// something the user did leaves that reply on the line and goes to the log, a run of
    /// them as one entry.
    @Test func aBackgroundNoticeLeavesACommandsReplyOnTheLine() {
        var s = Script(width: 80, height: 24)
        s.event(.notice("loading weights 10%"))
        #expect(s.lines.contains { $0.contains("loading weights 10%") }, "nothing else shown: the progress shows")
        s.send(.notice("/tmp/x: not a regular file", isError: true))   // the runtime's reply to /load
        s.event(.notice("loading weights 90%"))
        s.event(.notice("weights loaded"))
        #expect(s.lines.contains { $0.contains("/tmp/x: not a regular file") })
        #expect(!s.lines.contains { $0.contains("weights") })
        #expect(s.state.noticeLog.map(\.text) == ["loading weights 10%", "/tmp/x: not a regular file", "weights loaded"])
        // A session's own error, then its notice: the notice takes the line.
        s.event(.error("model file vanished"))
        s.event(.notice("dropped 2 old turns"))
        #expect(s.lines.contains { $0.contains("dropped 2 old turns") })
    }
}
