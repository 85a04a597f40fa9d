import Foundation
import Testing
import Session
import Tokenizer

/// `--regenerate` and `--resume` over the SCRIPTED TEST-DOUBLE backend (deterministic,
/// like greedy decoding on a fixed model). The real-model version waits for the Engine.
@Suite struct RegenerateResumeTests {
    static func script(_ variant: Int) -> ScriptedBackend.Script {
        ScriptedBackend.bytes { user in
            let changed = variant == 1 && user == "q1" ? "X" : ""
            return "<think>\nabout \(user)\n</think>\n\nreply\(changed) to \(user)"
        }
    }

    static func session() async -> SessionDocument {
        var settings = SessionSettings()
        settings.seed = 5
        let conv = Conversation(backend: ScriptedBackend(script: script(0)), format: ChatFormat(kind: .llama3), settings: settings)
        for (i, m) in [ReasoningMode.on, .off, .on].enumerated() { await conv.send("q\(i)", mode: m) }
        await conv.close()
        return await conv.document()
    }

    @Test func regeneratingOnTheSameModelIsIdentical() async throws {
        var doc = await Self.session()
        // A turn the user interrupted is compared up to where it stopped.
        doc.turns[2].tokens = Array(doc.turns[2].tokens.prefix(5))
        doc.turns[2].tokenTimes = Array(doc.turns[2].tokenTimes.prefix(5))
        doc.turns[2].stopReason = .cancelled
        let results = try await Regenerator.run(doc, backend: ScriptedBackend(script: Self.script(0)), format: ChatFormat(kind: .llama3))
        #expect(results.count == 3)
        #expect(results.allSatisfy { $0.identical })
        #expect(results[2].regenerated.tokens.count == 5)
        #expect(results.map(\.regenerated.seed) == [5, 6, 7])
        #expect(results.map(\.regenerated.mode) == [.on, .off, .on])
    }

    @Test func aDifferentModelIsReportedAtTheFirstDifferingToken() async throws {
        let doc = await Self.session()
        let results = try await Regenerator.run(doc, backend: ScriptedBackend(script: Self.script(1)), format: ChatFormat(kind: .llama3))
        #expect(results[0].identical && results[2].identical)   // each turn runs on the recorded history
        let at = Array("<think>\nabout q1\n</think>\n\nreply".utf8).count
        #expect(results[1].firstDifference == at)
    }

    @Test func resumeContinuesTheConversationAndWarnsOnAnotherModel() async throws {
        var doc = await Self.session()
        doc.model = ModelIdentity(fileName: "a.gguf", size: 1, headerHash: "fnv1a64:0000000000000001")
        let dir = try temporaryDirectory()
        let url = dir.appendingPathComponent("s.json")
        try doc.save(to: url, overwrite: false)
        let loaded = try SessionLoader.load(url)
        let backend = ScriptedBackend(script: Self.script(0))
        let counters = backend.counters
        let journal = try Journal(url: dir.appendingPathComponent("j.jsonl"), created: doc.created, model: nil,
                                  format: "llama3", settings: doc.settings)
        let (conv, warnings) = Conversation.resume(loaded, backend: backend, format: ChatFormat(kind: .llama3),
                                                   model: ModelIdentity(fileName: "b.gguf", size: 2, headerHash: "fnv1a64:0000000000000002"),
                                                   journal: journal)
        #expect(warnings.count == 1 && warnings[0].contains("a.gguf") && warnings[0].contains("b.gguf"))
        await conv.send("q3", mode: .off)
        await conv.close()
        let turns = await conv.turns
        #expect(turns.count == 4 && turns[3].index == 3 && turns[3].answer == "reply to q3")
        let prompt = try #require(counters.prompts.last)
        for t in doc.turns { #expect(prompt.contains("q\(t.index)<|eot_id|>") && prompt.contains(t.answer + "<|eot_id|>")) }
        #expect(!prompt.contains("about q0"))       // earlier reasoning is not sent back
        #expect(try SessionLoader.load(dir.appendingPathComponent("j.jsonl")).document.turns == turns)
    }
}
