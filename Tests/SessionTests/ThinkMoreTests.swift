import Foundation
import Testing
import Engine
import GGUF
import Session
import Tokenizer
import TestSupport

/// "Think more" (`/budget min N`): a close of the reasoning before N reasoning tokens is
/// replaced by the profile's continuation cue.
@Suite(.serialized) struct ThinkMoreTests {
    /// A conversation over the real SmolLM2 under the DeepSeek-R1 profile (its pre-fill
    /// opens `<think>`: everything the model writes is reasoning, so the model's end of
    /// turn is where it tries to close the reasoning).
    static func smol(maxTokens: Int) throws -> (Conversation, Tokenizer) {
        let file = try GGUFFile(path: try TestEnv.smolQ4_1.path)
        let tokenizer = try Tokenizer(gguf: file)
        let backend = EngineBackend(context: try LlamaContext(model: try LlamaModel(file: file), capacity: 2048),
                                    tokenizer: tokenizer)
        var settings = SessionSettings()
        settings.profile = .deepseekR1
        settings.samplingOn.maxTokens = maxTokens
        return (Conversation(backend: backend, format: tokenizer.detectedChatFormat, settings: settings), tokenizer)
    }

    static func oneTurn(_ user: String, min: Int?, maxTokens: Int) async throws -> (TurnRecord, SessionDocument, Tokenizer) {
        let (conv, tokenizer) = try smol(maxTokens: maxTokens)
        await conv.setMinimum(min, always: false)
        await conv.send(user, mode: .on, seed: 11)
        await conv.waitUntilIdle()
        await conv.settled()
        let t = try #require(await conv.turns.first)
        let doc = await conv.document()
        await conv.close()
        return (t, doc, tokenizer)
    }

    /// The oracle is the same turn without a minimum (same seed, same prompt): the model
    /// ends it early. With the minimum, the reasoning is that turn's up to where the model
    /// ended, then the cue, then more; at least N tokens; `replay --regenerate` (the
    /// Regenerator) gives the same tokens.
    @Test func aMinimumMakesTheModelThinkOnWithTheCue() async throws {
        let prompt = "What is 2 + 2?"
        let (plain, _, _) = try await Self.oneTurn(prompt, min: nil, maxTokens: 200)
        let n = 48
        try #require(plain.stopReason == .endOfTurn && plain.stats.reasoningTokens < n,
                     "the model must end before \(n) tokens on its own: \(plain.stats.reasoningTokens) tokens")
        #expect(plain.answer.isEmpty, "under the R1 profile the whole reply is reasoning")

        let (t, doc, tokenizer) = try await Self.oneTurn(prompt, min: n, maxTokens: 200)
        #expect(t.thinkMin == n)
        #expect(t.stats.reasoningTokens >= n, "\(t.stats.reasoningTokens) reasoning tokens")
        let cue = try #require(ReasoningProfile.deepseekR1.continuationCue)
        let word = cue.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(t.reasoning.hasPrefix(plain.reasoning + cue), "\(t.reasoning.debugDescription)")
        // Where the model ended its turn the cue's tokens stand instead of the end.
        let cueTokens = try tokenizer.encode(ChatPrompt(segments: [.text(cue)], rendersBOS: true))
        #expect(Array(t.tokens.prefix(plain.tokens.count)) == plain.tokens)
        #expect(Array(t.tokens.dropFirst(plain.tokens.count).prefix(cueTokens.count)) == cueTokens)
        // Every cue stands where the reasoning had fewer than n tokens: the tokens before it.
        #expect(t.reasoning.components(separatedBy: word).count >= 2)
        #expect(t.stats.reasoningTokens == t.tokens.count, "all of it is reasoning")
        #expect(t.reasoningEnd == nil)

        // Recorded: the file keeps the minimum and the export says it.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("s.json")
        try doc.save(to: url, overwrite: false)
        let loaded = try SessionLoader.load(url).document
        #expect(loaded.turns.first?.thinkMin == n)
        #expect(MarkdownExport.render(loaded).contains("Think minimum: \(n) tokens"))

        // replay --regenerate reproduces it.
        let file = try GGUFFile(path: try TestEnv.smolQ4_1.path)
        let backend = EngineBackend(context: try LlamaContext(model: try LlamaModel(file: file), capacity: 2048),
                                    tokenizer: tokenizer)
        let results = try await Regenerator.run(loaded, backend: backend, format: tokenizer.detectedChatFormat)
        #expect(results.count == 1 && results[0].identical, "first difference at \(String(describing: results.first?.firstDifference))")
        #expect(results.first?.regenerated.thinkMin == n)
    }

    /// A turn without reasoning (thinking off) has no minimum.
    @Test func thinkingOffHasNoMinimum() async throws {
        let conv = Conversation(backend: ScriptedBackend(script: ScriptedBackend.bytes { _ in "hi" }), format: ChatFormat(kind: .chatml),
                                settings: { var s = SessionSettings(); s.profile = .deepseekR1; s.thinkMin = 30; return s }())
        await conv.send("x", mode: .off)
        await conv.send("y", mode: .on)
        await conv.waitUntilIdle()
        await conv.settled()
        let turns = await conv.turns
        #expect(turns.map(\.thinkMin) == [nil, 30])
        await conv.close()
    }

    /// Export and plain replay say where the minimum changed, like the budget: a session
    /// started with none and given one for turn 2 only says it on turn 2 and its end on
    /// turn 3; a minimum from the start is said on the first turn by the export only.
    @Test func theMinimumIsASettingChange() {
        func doc(_ mins: [Int?]) -> SessionDocument {
            SessionDocument(created: 0, model: nil, chatFormat: "chatml", settings: SessionSettings(),
                            turns: mins.enumerated().map { i, m in
                                TurnRecord(index: i, user: "q", mode: .on, sampling: .thinking, seed: 0, thinkMin: m)
                            })
        }
        let mid = TurnSettingChanges.lines(doc([nil, 16, nil])).map { $0.filter { $0.hasPrefix("Think minimum") } }
        #expect(mid == [[], ["Think minimum: 16 tokens"], ["Think minimum: none"]])
        #expect(TurnSettingChanges.lines(doc([8, 8]))[0].contains("Think minimum: 8 tokens"))
        #expect(!TurnSettingChanges.lines(doc([8, 8]), initial: false)[0].contains { $0.hasPrefix("Think minimum") })
        let played = PlainReplay(speed: 1).steps(doc([nil, 16])).map(\.text).joined()
        #expect(played.contains("[Think minimum: 16 tokens]\n> q"))
    }

    /// TEST DOUBLE (ScriptedBackend): where a `</think>` falls inside one token, or is cut
    /// across two, is decided by the script; a real model does not write a close on
    /// demand. Under test is the decoder's roll back: the tokens of the close leave the
    /// record and the cache, the text before it stays, the cue follows, and the count of
    /// reasoning tokens is what the cache holds of the reasoning.
    @Test func aCloseTagSplitAcrossTokensIsRolledBack() async throws {
        let backend = ScriptedBackend { prompt in
            switch prompt.components(separatedBy: "Wait,").count - 1 {
            case 0: return [Array("Let".utf8), Array(" me".utf8), Array(" see.</think>".utf8), Array("An".utf8)]
            case 1: return [Array(" hmm".utf8), Array("</th".utf8), Array("ink>\n\nx".utf8)]
            default: return [Array(" ok".utf8), Array("</think>".utf8), Array("Done.".utf8)]
            }
        }
        var settings = SessionSettings()
        settings.profile = .deepseekR1
        let conv = Conversation(backend: backend, format: ChatFormat(kind: .chatml), settings: settings)
        let events = collectEvents(conv)
        await conv.setMinimum(20, always: false)
        await conv.send("q", mode: .on)
        await conv.waitUntilIdle()
        await conv.settled()
        let t = try #require(await conv.turns.first)
        await conv.close()
        checkStream(await events.value, [t])
        #expect(t.reasoning == "Let me see.\nWait, hmm\nWait, ok")
        #expect(t.answer == "Done.")
        // Reasoning tokens, counted by hand: "Let", " me" (2); " see.\nWait," re-encoded as
        // bytes (13); " hmm" (14); "</th" rolled back, "\nWait," (20); " ok" (21); the
        // token that closes, "</think>" (22). Then "Done.": 23 tokens in all.
        #expect(t.stats.reasoningTokens == 22)
        #expect(t.stats.answerTokens == 1)
        #expect(t.tokens.count == 23 && t.tokenTimes.count == 23)
    }
}
