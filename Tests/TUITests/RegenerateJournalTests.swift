import Testing
import Foundation
import Session
import TestSupport

/// Ctrl-R and `/new` in `ponder chat` on the real SmolLM2 model under tmux: regenerating
/// continues the conversation's one journal and finds the prompt in the KV cache;
/// `/new` pressed quickly starts a journal per conversation, none lost.
@Suite(.serialized) struct RegenerateJournalTests {
    @Test func regenerateKeepsTheJournalAndTheCache() throws {
        let model = try TestEnv.smolQ4_1
        let t = try TerminalTests.Tmux()
        let dir = t.dir.path
        let sessions = "\(dir)/data/ponder/sessions"
        try t.startPonder(width: 120, height: 30, """
            chat --model "\(model.path)" --think off --max-tokens 8
        """)
        try t.wait(for: " DIRECT │", timeout: 30)
        try t.type("Name a color."); try t.keys("Enter")
        #expect(JournalWatch.waitForEnds(1, in: sessions))
        try t.keys("C-r")
        #expect(JournalWatch.waitForEnds(2, in: sessions))
        // One journal: the regenerated reply continues it.
        let files = JournalWatch.files(in: sessions)
        #expect(files.count == 1, "\(files)")
        if let f = files.first {
            let doc = try SessionLoader.load(URL(fileURLWithPath: sessions + "/" + f)).document
            #expect(doc.turns.map(\.user) == ["Name a color."])
            // The whole prompt but the last token was in the cache.
            if let st = doc.turns.first?.stats {
                #expect(st.cachedTokens > 0 && st.cachedTokens >= st.promptTokens - 1, "\(st)")
            }
        }
        try t.type("/stats"); try t.keys("Enter")
        try t.wait("the stats overlay", timeout: 20) { s in
            s.contains { $0.contains("prompt tokens") && !$0.contains("(0 cached)") && $0.contains("cached") }
        }
        try t.keys("Escape")
        // (Keys typed right after Escape would read as Alt-keys.)
        try t.wait("the overlay to close", timeout: 20) { s in !s.contains { $0.contains("prompt tokens") } }

        // /new twenty times at once: twenty journals created within a second or two, no
        // error; the empty conversations leave none behind, the first one's stays, and
        // the last one's is kept once it gets a turn.
        for _ in 0..<20 { try t.type("/new"); try t.keys("Enter") }
        try t.wait(for: "new conversation", timeout: 20)
        try t.type("Name a fruit."); try t.keys("Enter")
        #expect(JournalWatch.waitForEnds(3, in: sessions))
        let kept = JournalWatch.files(in: sessions)
        #expect(kept.count == 2, "\(kept)")
        let users = try kept.map { try SessionLoader.load(URL(fileURLWithPath: sessions + "/" + $0)).document.turns.map(\.user) }
        #expect(Set(users) == [["Name a color."], ["Name a fruit."]], "\(users)")
        #expect(!(try t.screen()).contains { $0.contains("journal:") })

        try t.keys("C-c"); try t.keys("C-c")
        let status = t.waitForFile("exit", timeout: 30)
        #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
