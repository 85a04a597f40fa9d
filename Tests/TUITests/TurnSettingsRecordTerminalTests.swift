import Testing
import Foundation
import TestSupport

/// Every setting that shapes a turn is recorded on that turn, end to end: `ponder chat`
/// on the real SmolLM2 model (given the nemotron profile for its think/direct switch) in
/// a real terminal (tmux). A THINKING turn, `/set temp 0.9`, Ctrl-T, a DIRECT turn,
/// `/system`, another turn, `/save`: the saved file (read as raw JSON, not through our
/// loader) has the direct turn greedy and the system prompt only from the turn after
/// `/system`; the export says where it was set; `ponder replay --regenerate` on the real
/// model reproduces every turn.
@Suite(.serialized) struct TurnSettingsRecordTerminalTests {
    @Test func eachTurnKeepsItsOwnSettings() throws {
        let bin = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1
        let t = try TerminalTests.Tmux()
        let dir = t.dir.path
        let saved = "\(dir)/chat.json"
        let system = "You are terse."
        try t.startPonder(width: 160, height: 30, """
            chat --model "\(model.path)" --reasoning-profile nemotron --seed 11 \
              --think-max-tokens 16 --direct-max-tokens 10
        """)
        try t.wait(for: " THINKING │", timeout: 30)

        func turn(_ text: String) throws {
            #expect(try t.sendTurn(text), "turn \(t.turnsSent) did not finish")
        }
        try turn("Name a color.")
        try t.type("/set temp 0.9"); try t.keys("Enter")
        try t.wait(for: "THINKING sampler: temp 0.9", timeout: 20)
        try t.keys("C-t")
        try t.wait(for: " DIRECT │", timeout: 20)
        // Direct turns that ask for writing: greedy, a question the model can answer in a
        // word ("What is the capital of France?") ended at once after this history on two
        // of a Zen 4's three tiers (the first token its end of turn), and a turn with no
        // tokens leaves nothing for the regeneration below to compare.
        try turn("Write a poem about the sea.")
        try t.type("/system \(system)"); try t.keys("Enter")
        try t.wait(for: "system prompt set", timeout: 20)
        try turn("Write a poem about the moon.")
        try t.type("/save \(saved)"); try t.keys("Enter")
        try t.wait(for: "saved to", timeout: 20)
        try t.keys("C-c"); try t.keys("C-c")
        let status = t.waitForFile("exit", timeout: 30)
        #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        // The file as written: each turn's own mode, sampler and system prompt.
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any]
        let recorded = try #require(raw?["turns"] as? [[String: Any]])
        try #require(recorded.count == 3)
        #expect(recorded.map { $0["mode"] as? String } == ["on", "off", "off"])
        // Every turn has tokens to compare when regenerating.
        #expect(recorded.allSatisfy { !(($0["tokens"] as? [Any]) ?? []).isEmpty }, "a turn generated nothing")
        let temperatures = recorded.map { ($0["sampling"] as? [String: Any])?["temperature"] as? Double }
        #expect(temperatures == [0.6, 0, 0], "the direct turns are greedy; /set temp came after the thinking turn")
        // No system prompt on the turns before /system ("" = none), the prompt from there on.
        #expect(recorded.map { $0["systemPrompt"] as? String } == ["", "", system])
        #expect(recorded.allSatisfy { ($0["model"] as? [String: Any])?["fileName"] as? String == model.lastPathComponent })
        #expect(((raw?["settings"] as? [String: Any])?["systemPrompt"] as? String) == system)

        // The export names the system prompt on the turn where it was set, and only there.
        let md = try runProcess(bin, ["export", saved, "--markdown"], timeout: 60)
        #expect(md.status == 0, "\(md.stderrText)")
        let sections = md.stdoutText.components(separatedBy: "\n## Turn ")
        #expect(sections.count == 4)
        #expect(sections.map { $0.contains("System prompt set: \(system)") } == [false, false, false, true],
                "\(md.stdoutText)")
        #expect(sections.dropFirst().map { $0.contains("Sampler (thinking off): greedy") } == [false, true, false])

        // Regeneration on the real model, each turn from its own record: all identical.
        let r = try runProcess(bin, ["replay", saved, "--regenerate", "--model", model.path], timeout: 600)
        #expect(r.status == 0, "stdout:\n\(r.stdoutText)\nstderr:\n\(r.stderrText)")
        let lines = r.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("turn ") }.count == 3 && lines.filter { $0.hasPrefix("turn ") }
            .allSatisfy { $0.hasSuffix(": identical") }, "\(r.stdoutText)")
        #expect(lines.last == "3 of 3 turns identical", "\(r.stdoutText)")
    }
}
