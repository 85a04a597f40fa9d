import Foundation
import Testing
import Engine
import GGUF
import Session
import Tokenizer
import TestSupport

/// The session over the real SmolLM2 model (no test double): three turns with thinking
/// on, off, on. Checks the rendered prompts, the sampler each turn used, and that going
/// back to thinking costs no more evaluated tokens than its prompt adds to the prompt of
/// the last thinking turn (the other mode's cache is kept as a KV snapshot).
@Suite struct RealModelToggleTests {
    @Test func toggleOnOffOnReusesTheCache() async throws {
        let file = try GGUFFile(path: try TestEnv.smolQ4_1.path)
        let model = try LlamaModel(file: file)
        let tokenizer = try Tokenizer(gguf: file)
        let format = tokenizer.detectedChatFormat
        #expect(format.kind == .chatml)
        let backend = EngineBackend(context: try LlamaContext(model: model, capacity: 2048), tokenizer: tokenizer)
        // A second tokenizer-only view to count the prompts' tokens independently of the session.
        let counter = EngineBackend(context: try LlamaContext(model: model, capacity: 16), tokenizer: tokenizer)
        var settings = SessionSettings()
        // SmolLM2 has no reasoning mode of its own (profile none: on and off would render
        // alike); the Nemotron switch gives the two modes different prompts to cache.
        settings.profile = .nemotron
        settings.seed = 11
        settings.samplingOn.maxTokens = 24
        settings.samplingOff.maxTokens = 24
        let conv = Conversation(backend: backend, format: format, settings: settings)
        let users = ["Name a fruit.", "Name a planet.", "Name a river."]
        let modes: [ReasoningMode] = [.on, .off, .on]
        for (u, m) in zip(users, modes) { await conv.send(u, mode: m) }
        await conv.waitUntilIdle()
        let turns = await conv.turns
        #expect(turns.count == 3)
        guard turns.count == 3 else { return }

        // Sampler per turn: the thinking preset (0.6 / 0.95) when on, greedy when off.
        #expect(turns[0].sampling.temperature == 0.6 && turns[0].sampling.topP == 0.95)
        #expect(turns[1].sampling.temperature == 0)
        #expect(turns[2].sampling.temperature == 0.6 && turns[2].sampling.topP == 0.95)

        // The rendered prompts: the system message carries the switch of that turn; the
        // off-turn is pre-filled with an empty think block; earlier replies are in the history.
        func prompt(_ i: Int) -> ChatPrompt {
            TurnPrompt.render(format: format, settings: settings, mode: modes[i],
                              history: turns[..<i].map(\.promptTurn), user: users[i], decode: counter.tokenPiece)
        }
        let p0 = prompt(0).text, p1 = prompt(1).text, p2 = prompt(2).text
        #expect(p0.hasPrefix("<|im_start|>system\ndetailed thinking on<|im_end|>\n<|im_start|>user\nName a fruit.<|im_end|>\n<|im_start|>assistant\n"))
        #expect(p1.hasPrefix("<|im_start|>system\ndetailed thinking off<|im_end|>\n"))
        #expect(p1.hasSuffix("<|im_start|>user\nName a planet.<|im_end|>\n<|im_start|>assistant\n<think>\n</think>"))
        #expect(p1.contains(turns[0].answer.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(p2.hasPrefix("<|im_start|>system\ndetailed thinking on<|im_end|>\n"))

        // Cost of the toggle back: at most the tokens of turn 3's prompt that turn 1's
        // prompt (plus its reply, which the thinking-mode cache holds) does not share.
        let t0 = try counter.encode(prompt(0)) + turns[0].tokens
        let t2 = try counter.encode(prompt(2))
        var common = 0
        while common < min(t0.count, t2.count), t0[common] == t2[common] { common += 1 }
        #expect(turns[2].stats.promptTokens <= t2.count - common,
                "evaluated \(turns[2].stats.promptTokens), new since the last thinking turn: \(t2.count - common)")
        #expect(turns[2].stats.promptTokens < t2.count, "nothing was reused")
        // Turn 2 (the first off-turn) could reuse nothing past the system message's switch.
        #expect(turns[1].stats.promptTokens > turns[2].stats.promptTokens)
        await conv.close()
    }
}
