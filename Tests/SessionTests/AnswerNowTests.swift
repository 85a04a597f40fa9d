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
    static func conversation(maxTokens: Int) throws -> (Conversation, Tokenizer) {
        let file = try GGUFFile(path: try TestEnv.smolQ4_1.path)
        let model = try LlamaModel(file: file)
        let tokenizer = try Tokenizer(gguf: file)
        let backend = EngineBackend(context: try LlamaContext(model: model, capacity: 2048), tokenizer: tokenizer)
        var settings = SessionSettings()
        settings.profile = .deepseekR1
        settings.seed = 5
        settings.samplingOn.maxTokens = maxTokens
        return (Conversation(backend: backend, format: tokenizer.detectedChatFormat, settings: settings), tokenizer)
    }

    @Test func answerNowEndsTheReasoningWhereItWasAskedAndTheAnswerFollows() async throws {
        // The consumer may lag the generator on a loaded machine (drafts arrive several
        // at a time; the test's task may wait for a thread while the engine's runs on), so
        // a call can land after the turn has reached its limit: then the turn is asked
        // again, up to three times. A call that lands must end the reasoning there.
        let limit = 400
        var t: TurnRecord
        var reasoningBefore = ""
        var tokenizer: Tokenizer
        var attempts = 0
        var current: Conversation? = nil
        repeat {
            attempts += 1
            await current?.close()
            let (c, tok) = try Self.conversation(maxTokens: limit)
            current = c
            tokenizer = tok
            await c.send("Explain why the sky is blue.", mode: .on)
            // After six reasoning pieces, ask for the answer; count what had arrived by then.
            reasoningBefore = ""
            var asked = false
            for await e in c.events {
                if case .reasoning(_, let text) = e, !asked {
                    reasoningBefore += text
                    if reasoningBefore.split(separator: " ").count >= 6 { asked = await c.answerNow() }
                }
                if case .turnFinished = e { break }
            }
            #expect(asked)
            await c.settled()
            t = try #require(await c.turns.first)
        } while t.reasoningEnd == nil && t.stopReason == .length && attempts < 3
        let conv = try #require(current)
        #expect(t.reasoningEnd == .user)
        #expect(t.stats.budgetApplied == nil)
        // The reasoning holds what had arrived when the call was made (the consumer may
        // lag the generator, so more may follow it); the closing text comes right after
        // the reasoning's tokens, and the model went on after it.
        #expect(t.reasoning.hasPrefix(reasoningBefore.trimmingCharacters(in: .whitespaces)))
        let close = try tokenizer.encode(ChatPrompt(segments: [.text("\n</think>\n\n")], rendersBOS: true))
        let at = try #require((0...(t.tokens.count - close.count)).first { Array(t.tokens[$0..<($0 + close.count)]) == close })
        #expect(at == t.stats.reasoningTokens, "the close follows the reasoning's \(t.stats.reasoningTokens) tokens")
        #expect(at < limit - close.count, "the reasoning was not cut")
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

    /// Asked before the first token: the reasoning is that one token, then the close.
    @Test func answerNowBeforeTheFirstToken() async throws {
        let (conv, _) = try Self.conversation(maxTokens: 40)
        await conv.send("Explain why the sky is blue.", mode: .on)
        #expect(await conv.answerNow())
        await conv.waitUntilIdle()
        await conv.settled()
        let t = try #require(await conv.turns.first)
        #expect(t.reasoningEnd == .user)
        #expect(t.stats.reasoningTokens <= 1)
        await conv.close()
    }

    @Test func aBudgetForOneTurn() async throws {
        let (conv, _) = try Self.conversation(maxTokens: 30)
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
