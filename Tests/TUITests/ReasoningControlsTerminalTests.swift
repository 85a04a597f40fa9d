import Testing
import Foundation
import Session
import TestSupport

/// Answer now (Ctrl-]) in a real terminal (tmux): harmless when idle, it ends the real
/// SmolLM2's reasoning while it streams (under the DeepSeek-R1 profile, whose pre-fill
/// opens `<think>`, the model would reason to its token limit), the journal records it
/// and the full-screen replay shows it; while an answer is written it only says so.
@Suite(.serialized) struct ReasoningControlsTerminalTests {
    @Test func answerNowWhileStreamingAndHarmlessWhenIdle() throws {
        let model = try TestEnv.smolQ4_1
        let t = try TerminalTests.Tmux()
        try t.startPonder(width: 100, height: 30, """
            chat --model "\(model.path)" --reasoning-profile deepseek-r1 --seed 5 --think-max-tokens 100
        """)
        try t.wait(for: " THINKING │", timeout: 60)
        // The loading notices are over (a later one would replace the key's notice).
        try t.wait(for: "weights loaded", timeout: 120)

        // Idle: one line says why, nothing is sent.
        try t.keys("C-]")
        try t.wait(for: "no reply is being written", timeout: 30)

        // While the reasoning streams: the key ends it, the answer follows in the same turn.
        try t.type("Explain why the sky is blue."); try t.keys("Enter")
        // Reasoning text on screen (its gutter), not only the header of a turn in prefill.
        _ = try t.wait("the reasoning streaming", timeout: 180) { s in
            s.contains { $0.contains("thinking…") } && s.contains { $0.hasPrefix("┊ ") && $0.count > 4 }
        }
        try t.keys("C-]")
        try t.wait(for: "[reasoning ended by the user: answer now]", timeout: 60)
        #expect(JournalWatch.waitForEnds(1, in: t.sessions, timeout: 300))
        let journal = try #require(try FileManager.default.contentsOfDirectory(atPath: t.sessions)
            .first { $0.hasSuffix(".jsonl") })
        let doc = try SessionLoader.load(URL(fileURLWithPath: t.sessions + "/" + journal)).document
        let turn = try #require(doc.turns.first)
        #expect(turn.reasoningEnd == .user)
        #expect(!turn.answer.isEmpty, "the answer follows in the same turn")
        #expect(turn.stats.reasoningTokens > 0, "the key came while the reasoning streamed")

        // Idle again: harmless.
        try t.keys("C-]")
        try t.wait(for: "no reply is being written", timeout: 30)
        try t.keys("C-c"); try t.keys("C-c")
        #expect(t.waitForFile("exit", timeout: 30)?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        // The full-screen replay of the journal shows where the user ended the reasoning.
        let r = try TerminalTests.Tmux()
        let bin = try TestEnv.ponderBinary()
        try r.start(width: 100, height: 30, script: """
            "\(bin.path)" replay "\(t.sessions)/\(journal)" --speed 1000
            sleep 60
            """)
        try r.wait(for: "end of replay (1 turns)", timeout: 60)
        try r.wait(for: "[reasoning ended by the user: answer now]", timeout: 10)
        try r.keys("q")
    }

    /// While the answer is written the key only says so (the demo's `EchoDriver`, a test
    /// double for the session, paces its pieces so the key lands in the answer).
    @Test func answerNowWhileAnsweringOnlySaysSo() throws {
        let bin = try TestEnv.ponderBinary()
        let t = try TerminalTests.Tmux()
        try t.start(width: 80, height: 24, script: TerminalTests().script(bin, t.dir.path, demoDelay: 0.4))
        try t.wait(for: " THINKING │ echo (demo) none")
        try t.type("hello there"); try t.keys("Enter")
        try t.wait(for: "Echo", timeout: 60)
        try t.keys("C-]")
        try t.wait(for: "the reasoning is over: the answer is being written", timeout: 20)
        try t.waitForReply("hello there")
        #expect(!(try t.screen()).contains { $0.contains("[reasoning ended by the user") })
        try t.keys("C-c"); try t.keys("C-c")
    }
}
