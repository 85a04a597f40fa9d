import Testing
import Foundation
import TestSupport

/// The chat's commands carried out by `ponder chat`'s real `SessionDriver` on the real
/// SmolLM2 model, in a real terminal (tmux): `/set` reaches the stats bar and the next
/// turn's recorded sampler, `/budget` answers, a turn streams, `/export` writes the
/// transcript (and refuses to overwrite it), `/new` starts over. (This replaces the tests
/// of the TUI's former `ConversationDriver`, which `ponder` never used.)
@Suite(.serialized) struct SessionDriverCommandTests {
    @Test func commandsReachTheSession() throws {
        let model = try TestEnv.smolQ4_1
        let t = try TerminalTests.Tmux()
        let dir = t.dir.path
        try t.startPonder(width: 120, height: 30, """
            chat --model "\(model.path)" --think off --seed 7
        """)
        try t.wait(for: " DIRECT │", timeout: 30)

        // /set: the stats bar shows the new temperature (read back from the session).
        try t.type("/set temp 0.25"); try t.keys("Enter")
        try t.wait(for: "temp 0.25", timeout: 20)
        try t.type("/budget 64"); try t.keys("Enter")
        try t.wait(for: "reasoning budget 64 tokens", timeout: 20)

        // A turn streams and finishes.
        try t.type("What is the capital of France?"); try t.keys("Enter")
        try t.wait("the finished turn", timeout: 120) { s in
            s.contains { $0.contains("Paris") } && !s.contains { $0.contains("thinking…") || $0.contains("prefill") }
        }
        // Finished means recorded: the journal's end record (a sampled reply can go on
        // after "Paris" shows).
        #expect(JournalWatch.waitForEnds(1, in: "\(dir)/data/ponder/sessions"))

        // /export: the transcript holds the exchange and the sampler the turn really used.
        let md = "\(dir)/out.md"
        try t.type("/export \(md)"); try t.keys("Enter")
        try t.wait(for: "exported to", timeout: 20)
        let text = try String(contentsOfFile: md, encoding: .utf8)
        #expect(text.contains("What is the capital of France?"))
        #expect(text.contains("Paris"))
        #expect(text.contains("temperature 0.25"), "the turn did not record /set temp 0.25:\n\(text)")
        try t.type("/export \(md)"); try t.keys("Enter")
        try t.wait(for: "exists; choose another name", timeout: 20)

        // /new: the conversation starts over.
        try t.type("/new"); try t.keys("Enter")
        try t.wait(for: "new conversation", timeout: 20)
        #expect(!(try t.screen()).contains { $0.contains("What is the capital of France?") })

        try t.keys("C-c"); try t.keys("C-c")
        let status = t.waitForFile("exit", timeout: 30)
        #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
