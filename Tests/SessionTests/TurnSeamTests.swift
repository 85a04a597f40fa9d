import Foundation
import Testing
import Engine
import GGUF
import Session
import Tokenizer
import TestSupport

/// The real engine behind the turn seam with its token ids withheld, as a remote
/// server's turns come back. Only forwards and empties `tokens`/`tokenTimes` of the
/// record: the text, stats and events are the engine's own.
final class WithoutTokenIDs: TurnBackend {
    let inner: EmbeddedTurnBackend
    init(_ inner: EmbeddedTurnBackend) { self.inner = inner }
    func generate(_ job: TurnJob, events: EventSink, cancel: CancelFlag) async -> TurnOutcome {
        var outcome = await inner.generate(job, events: events, cancel: cancel)
        outcome.record.tokens = []
        outcome.record.tokenTimes = []
        return outcome
    }
    func shutdown() { inner.shutdown() }
}

/// The session over the turn seam when the backend has no token ids (what a remote
/// server gives), on the real SmolLM2 model: the conversation streams and records its
/// turns, later prompts are rebuilt from the text, and `replay --regenerate` compares
/// replies by their text.
@Suite struct TurnSeamTests {
    static func backend() throws -> (WithoutTokenIDs, ChatFormat) {
        let file = try GGUFFile(path: try TestEnv.smolQ4_1.path)
        let tokenizer = try Tokenizer(gguf: file)
        let engine = EngineBackend(context: try LlamaContext(model: try LlamaModel(file: file), capacity: 1024),
                                   tokenizer: tokenizer)
        return (WithoutTokenIDs(EmbeddedTurnBackend(engine)), tokenizer.detectedChatFormat)
    }

    @Test func aConversationWithoutTokenIDs() async throws {
        let (backend, format) = try Self.backend()
        var settings = SessionSettings()
        settings.profile = .noReasoning
        settings.samplingOff.maxTokens = 24
        let conv = Conversation(backend: backend, format: format, settings: settings)
        let events = collectEvents(conv)
        await conv.send("What is the capital of France?", mode: .off)
        await conv.send("And of Italy?", mode: .off)
        await conv.close()
        let turns = await conv.turns
        checkStream(await events.value, turns)
        #expect(turns.count == 2)
        for t in turns {
            #expect(t.tokens.isEmpty && t.tokenTimes.isEmpty)
            #expect(!t.answer.isEmpty && t.stopReason != .error, "\(t.note ?? "")")
        }
        let doc = await conv.document()

        // Regenerated through the same kind of backend: identical by text (greedy).
        let (again, _) = try Self.backend()
        let results = try await Regenerator.run(doc, backend: again, format: format)
        again.shutdown()
        #expect(results.count == 2 && results.allSatisfy(\.identical))

        // A recorded reply that does not match is found, at its first differing character.
        var changed = doc
        changed.turns[0].answer += "!"
        let (third, _) = try Self.backend()
        let r = try await Regenerator.run(changed, backend: third, format: format)
        third.shutdown()
        #expect(r.first?.firstDifference == doc.turns[0].answer.count)
    }
}
