import Foundation
import Testing
import Engine
import GGUF
import Session
import Tokenizer
import TestSupport

/// "Answer now" and the per-turn budget on the real SmolLM2 under the DeepSeek-R1
/// profile, whose pre-fill opens `<think>`: everything the model writes is reasoning
/// until something closes the block, so the reasoning ends exactly where the user (or the
/// budget) ends it.
@Suite(.serialized) struct AnswerNowTests {
    static func conversation(maxTokens: Int, pauseAt: PausingBackend.Point? = nil) throws -> (Conversation, Tokenizer, PausingBackend?) {
        let file = try GGUFFile(path: try TestEnv.smolQ4_1.path)
        let model = try LlamaModel(file: file)
        let tokenizer = try Tokenizer(gguf: file)
        let engine = EngineBackend(context: try LlamaContext(model: model, capacity: 2048), tokenizer: tokenizer)
        let paused = pauseAt.map { PausingBackend(engine, pauseAt: $0) }
        var settings = SessionSettings()
        settings.profile = .deepseekR1
        settings.seed = 5
        settings.samplingOn.maxTokens = maxTokens
        let backend: InferenceBackend = paused ?? engine
        return (Conversation(backend: backend, format: tokenizer.detectedChatFormat, settings: settings), tokenizer, paused)
    }

    @Test func answerNowEndsTheReasoningWhereItWasAskedAndTheAnswerFollows() async throws {
        // The real engine generates; a test double holds it still before its 8th sampled
        // token while the user asks for the answer, so the call lands at a known token
        // however slowly the test's task runs. The step that was waiting reads the flag
        // before sampling, so token 8 is still reasoning and the close follows token 9.
        let limit = 200, pauseAt = 8
        let (conv, tokenizer, gate) = try Self.conversation(maxTokens: limit, pauseAt: .sample(pauseAt))
        let paused = try #require(gate)
        await conv.send("Explain why the sky is blue.", mode: .on)
        #expect(await paused.waitUntilPaused(), "the turn reached its \(pauseAt)th token")
        #expect(await conv.answerNow())
        paused.release()
        var reasoningBefore = ""
        for await e in conv.events {
            if case .reasoning(_, let text) = e, reasoningBefore.isEmpty { reasoningBefore = text }
            if case .turnFinished = e { break }
        }
        await conv.settled()
        let t = try #require(await conv.turns.first)
        #expect(t.reasoningEnd == .user)
        #expect(t.stats.budgetApplied == nil)
        // The reasoning is the text of the tokens before the close, which comes right
        // after the token sampled once the call was made; the model went on after it.
        #expect(!reasoningBefore.isEmpty && t.reasoning.hasPrefix(reasoningBefore.trimmingCharacters(in: .whitespaces)))
        let close = try tokenizer.encode(ChatPrompt(segments: [.text("\n</think>\n\n")], rendersBOS: true))
        let at = try #require((0...(t.tokens.count - close.count)).first { Array(t.tokens[$0..<($0 + close.count)]) == close })
        #expect(at == pauseAt + 1, "the close follows the token sampled after the call")
        #expect(at == t.stats.reasoningTokens, "the close follows the reasoning's \(t.stats.reasoningTokens) tokens")
        #expect(at + close.count < t.tokens.count, "nothing after the closing text")
        #expect(!t.answer.isEmpty)
        // Decode seconds per channel against the record's token times: each token's step
        // counts where its text went, so the answer's seconds run from the last reasoning
        // token to the last token, and the reasoning's end at its last token.
        let n = t.stats.reasoningTokens
        let r = try #require(t.stats.reasoningSeconds), a = try #require(t.stats.answerSeconds)
        #expect(abs(a - (t.tokenTimes[t.tokenTimes.count - 1] - t.tokenTimes[n - 1])) < 1e-9)
        #expect(r >= t.tokenTimes[n - 1] - t.tokenTimes[0] && r <= t.tokenTimes[n - 1])
        #expect(r + a <= t.stats.wallTime)
        // Recorded in the file and shown by the replay.
        let doc = await conv.document()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("s.json")
        try doc.save(to: url, overwrite: false)
        let loaded = try SessionLoader.load(url).document
        #expect(loaded.turns.first?.reasoningEnd == .user)
        var played = ""
        try await PlainReplay(speed: 1000).play(loaded) { played += $0 }
        #expect(played.contains("[reasoning ended by the user: answer now]"))
        await conv.close()
    }

    /// Asked before the first token (the prompt's evaluation held still by the test
    /// double): the reasoning is that one token, then the close.
    @Test func answerNowBeforeTheFirstToken() async throws {
        let (conv, _, gate) = try Self.conversation(maxTokens: 40, pauseAt: .prefill)
        let paused = try #require(gate)
        await conv.send("Explain why the sky is blue.", mode: .on)
        #expect(await paused.waitUntilPaused())
        #expect(await conv.answerNow())
        paused.release()
        await conv.waitUntilIdle()
        await conv.settled()
        let t = try #require(await conv.turns.first)
        #expect(t.reasoningEnd == .user)
        #expect(t.stats.reasoningTokens == 1)
        await conv.close()
    }

    @Test func aBudgetForOneTurn() async throws {
        let (conv, _, _) = try Self.conversation(maxTokens: 30)
        await conv.setBudget(8, always: false)
        await conv.send("Explain why the sky is blue.", mode: .on)
        await conv.send("Explain why the sky is blue.", mode: .on)
        await conv.waitUntilIdle()
        await conv.settled()
        let turns = await conv.turns
        try #require(turns.count == 2)
        #expect(turns[0].thinkBudget == 8)
        #expect(turns[0].reasoningEnd == .budget)
        #expect(turns[0].stats.reasoningTokens <= 8 + 1)
        #expect(turns[1].thinkBudget == nil)
        #expect(turns[1].reasoningEnd == nil)
        #expect(turns[1].stats.budgetApplied == nil)
        #expect(turns[1].stats.reasoningTokens > 8, "turn 2: \(turns[1].reasoning.debugDescription)")
        await conv.close()
    }
}
