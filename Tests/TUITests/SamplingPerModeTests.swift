import Testing
import Foundation
import Session
import TestSupport

/// Each reasoning mode has its own sampler, end to end: `ponder chat` on the real SmolLM2
/// model in a real terminal (tmux). `/set` while THINKING changes only the thinking
/// sampler, Ctrl-T shows the other one in the bar, a DIRECT turn stays greedy, the
/// per-mode flags reach the recorded turns, and `/set reset` brings the presets back.
@Suite(.serialized) struct SamplingPerModeTests {
    @Test func setChangesOnlyTheActiveModesSampler() throws {
        let model = try TestEnv.smolQ4_1
        let t = try TerminalTests.Tmux()
        let dir = t.dir.path
        let saved = "\(dir)/chat.json"
        try t.startPonder(width: 160, height: 30, """
            chat --model "\(model.path)" --reasoning-profile nemotron --seed 3 \
              --max-tokens 12 --direct-max-tokens 10 --think-top-k 40
        """)
        try t.wait(for: " THINKING │", timeout: 30)
        try t.wait(for: "temp 0.6 top_p 0.95 top_k 40 seed 3", timeout: 20)

        func turn(_ text: String) throws {
            #expect(try t.sendTurn(text), "turn \(t.turnsSent) did not finish")
        }
        try turn("Name a color.")
        try t.type("/set temp 0.9"); try t.keys("Enter")
        try t.wait(for: "THINKING sampler: temp 0.9 top_p 0.95 top_k 40", timeout: 20)
        try t.keys("C-t")
        try t.wait(for: " DIRECT │", timeout: 20)
        try t.wait(for: "greedy seed 3", timeout: 20)
        try turn("Name a fruit.")
        try t.type("/set direct min_p 0.5"); try t.keys("Enter")
        try t.wait(for: "DIRECT sampler: greedy", timeout: 20)
        try t.keys("C-t")
        try t.wait(for: "temp 0.9 top_p 0.95 top_k 40 seed 3", timeout: 20)
        try turn("Name an animal.")
        try t.type("/set reset"); try t.keys("Enter")
        try t.wait(for: "THINKING sampler: temp 0.6 top_p 0.95; DIRECT sampler: greedy", timeout: 20)
        try t.type("/save \(saved)"); try t.keys("Enter")
        try t.wait(for: "saved to", timeout: 20)

        let doc = try SessionLoader.load(URL(fileURLWithPath: saved)).document
        #expect(doc.turns.map(\.mode) == [.on, .off, .on])
        let s = doc.turns.map(\.sampling)
        guard s.count == 3 else { return }
        // Turn 0: the thinking preset with the flags; turn 1: direct and greedy, untouched
        // by /set temp; turn 2: the thinking sampler /set changed.
        #expect(s[0] == SamplingSettings(temperature: 0.6, topK: 40, topP: 0.95, maxTokens: 12))
        #expect(s[1] == SamplingSettings(temperature: 0, maxTokens: 10))
        #expect(s[2] == SamplingSettings(temperature: 0.9, topK: 40, topP: 0.95, maxTokens: 12))
        #expect(doc.turns.allSatisfy { $0.tokens.count <= $0.sampling.maxTokens })
        // After /set reset the presets are back for both modes (the flags are gone too).
        #expect(doc.settings.samplingOn == .thinking && doc.settings.samplingOff == .direct)

        try t.keys("C-c"); try t.keys("C-c")
        let status = t.waitForFile("exit", timeout: 30)
        #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
