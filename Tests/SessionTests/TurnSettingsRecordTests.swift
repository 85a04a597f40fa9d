import Foundation
import Testing
import Session
import Tokenizer

/// Every setting that shapes a turn is recorded on that turn: the system prompt and the
/// history-reasoning switch as they were when the turn was sent (a later `/system`
/// changes later turns only), the model it ran on. Regeneration re-renders each turn from
/// its own record; files written before these were recorded load with the document's
/// settings filled in; the Markdown export says where a setting changed. Conversations
/// here run over the SCRIPTED TEST-DOUBLE backend, whose reply says whether the system
/// prompt was in the prompt it saw.
@Suite struct TurnSettingsRecordTests {
    static let terse = "Be terse."
    static let model = ModelIdentity(fileName: "m.gguf", size: 123, headerHash: "fnv1a64:0011223344556677")

    /// A reply that depends on the system prompt the backend was given.
    static func backend(tokenDelay: Double = 0) -> ScriptedBackend {
        ScriptedBackend(tokenDelay: tokenDelay) { prompt in
            let u = ScriptedBackend.lastUserMessage(in: prompt)
            return pieces((prompt.contains(terse) ? "ok " : "a long answer to ") + u, cuts: [2, 5, 9])
        }
    }

    /// Five turns: /system after the first is sent (while it runs, with the second
    /// queued), /history-reasoning on before the fourth, a new thinking sampler before
    /// the fifth, /system cleared before the last.
    static func conversation(journal: Journal? = nil) async -> (Conversation, ScriptedBackend.Counters) {
        let b = backend(tokenDelay: 0.01)
        let counters = b.counters
        let conv = Conversation(backend: b, format: ChatFormat(kind: .chatml), settings: SessionSettings(),
                                model: model, journal: journal, created: 1_700_000_000)
        await conv.send("q0", mode: .on)
        await conv.send("q1", mode: .off)
        await conv.update { $0.systemPrompt = terse }
        await conv.send("q2", mode: .off)
        await conv.update { $0.historyReasoning = true }
        await conv.send("q3", mode: .off)
        await conv.update { $0.samplingOn.temperature = 0.9 }
        await conv.send("q4", mode: .on)
        await conv.update { $0.systemPrompt = nil }
        await conv.send("q5", mode: .on)
        await conv.waitUntilIdle()
        return (conv, counters)
    }

    @Test func eachTurnIsRenderedFromItsOwnRecord() async throws {
        let (conv, counters) = await Self.conversation()
        let doc = await conv.document()
        await conv.close()
        #expect(doc.turns.map(\.systemPrompt) == ["", "", Self.terse, Self.terse, Self.terse, ""])
        #expect(doc.turns.map(\.historyReasoning) == [false, false, false, true, true, true])
        #expect(doc.turns.allSatisfy { $0.model == Self.model })
        #expect(doc.turns.map(\.sampling.temperature) == [0.6, 0, 0, 0, 0.9, 0.9])
        // What the backend saw: the system prompt only in the turns sent after /system,
        // even the second turn, which was still queued when /system came.
        let prompts = counters.prompts
        #expect(prompts.map { $0.contains(Self.terse) } == [false, false, true, true, true, false])
        #expect(doc.turns.map(\.answer) == ["a long answer to q0", "a long answer to q1", "ok q2", "ok q3", "ok q4",
                                            "a long answer to q5"])

        // Regeneration re-renders every turn with its own system prompt: all identical,
        // though the document's settings (the session's end) have none.
        #expect(doc.settings.systemPrompt == nil)
        let results = try await Regenerator.run(doc, backend: Self.backend(), format: ChatFormat(kind: .chatml))
        #expect(results.count == 6 && results.allSatisfy(\.identical),
                "\(results.map { ($0.index, $0.regenerated.answer) })")
    }

    /// Files written before the prompt settings were per turn (a document and a journal
    /// the current code writes, with the new fields stripped) load, every turn taking the
    /// document's settings and model, which is what those turns were generated with.
    @Test func olderFilesLoadWithTheDocumentsSettings() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var initial = SessionSettings()
        initial.systemPrompt = "From the start."
        let journalURL = dir.appendingPathComponent("j.jsonl")
        let journal = try Journal(url: journalURL, created: 1_700_000_000, model: Self.model, format: "chatml",
                                  settings: initial)
        let (conv, _) = await Self.conversation(journal: journal)
        var doc = await conv.document()
        await conv.close()
        doc.settings.systemPrompt = "At the end."
        doc.settings.historyReasoning = true
        let current = dir.appendingPathComponent("current.json")
        try doc.save(to: current, overwrite: false)
        // The current format keeps each turn's own values.
        #expect(try SessionLoader.load(current).document == doc)

        // The same records without the new fields, written by the current encoder (which
        // omits a nil field): what a writer from before them wrote.
        var stripped = doc
        for i in stripped.turns.indices {
            stripped.turns[i].systemPrompt = nil
            stripped.turns[i].historyReasoning = nil
            stripped.turns[i].model = nil
        }
        let old = dir.appendingPathComponent("old.json")
        try stripped.save(to: old, overwrite: false)
        let newFields: Set<String> = ["systemPrompt", "historyReasoning", "model"]
        let raw = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: old)) as? [String: Any])
        let rawTurns = try #require(raw["turns"] as? [[String: Any]])
        #expect(rawTurns.count == 6 && rawTurns.allSatisfy { Set($0.keys).isDisjoint(with: newFields) })
        let loaded = try SessionLoader.load(old).document
        var expected = doc
        for i in expected.turns.indices {
            expected.turns[i].systemPrompt = "At the end."
            expected.turns[i].historyReasoning = true
            expected.turns[i].model = doc.model
        }
        #expect(loaded == expected)

        // A journal of the same turns without the new fields: its header's settings fill in.
        let oldJournal = dir.appendingPathComponent("old.jsonl")
        let j = try Journal(url: oldJournal, created: doc.created, model: Self.model, format: "chatml", settings: initial)
        for t in stripped.turns {
            var meta = t
            meta.reasoning = ""; meta.answer = ""
            try j.beginTurn(meta)
            try j.text(index: t.index, reasoning: t.reasoning, answer: t.answer, now: 0)
            try j.endTurn(t)
        }
        try j.close()
        let turnLines = try String(contentsOf: oldJournal, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("\"k\":\"turn\"") || $0.contains("\"k\":\"end\"") }
        #expect(turnLines.count == 12 && turnLines.allSatisfy { l in !newFields.contains { l.contains("\"\($0)\"") } })
        let fromJournal = try SessionLoader.load(oldJournal)
        #expect(fromJournal.warnings.isEmpty)
        #expect(fromJournal.document.turns.map(\.systemPrompt) == Array(repeating: "From the start.", count: 6))
        #expect(fromJournal.document.turns.allSatisfy { $0.historyReasoning == false && $0.model == Self.model })
        #expect(fromJournal.document.turns.map(\.answer) == doc.turns.map(\.answer))
        // And the unstripped journal keeps each turn's own.
        #expect(try SessionLoader.load(journalURL).document.turns == doc.turns)
    }

    /// The export names a setting on the turn where it changed, not on every turn.
    @Test func exportShowsSettingsWhereTheyChange() async throws {
        let (conv, _) = await Self.conversation()
        let doc = await conv.document()
        await conv.close()
        let md = MarkdownExport.render(doc)
        let sections = md.components(separatedBy: "\n## Turn ")
        guard sections.count == 7 else { Issue.record("expected 6 turns:\n\(md)"); return }
        let head = sections[0], turns = Array(sections[1...])
        #expect(!head.contains("System prompt"))
        // Above each turn's "**You:**": the lines that changed there.
        let changes = turns.map { t in
            t.components(separatedBy: "**You:**")[0].split(separator: "\n").dropFirst()
                .filter { $0.hasPrefix("- ") }.map { String($0.dropFirst(2)) }
        }
        #expect(changes == [
            ["Sampler (thinking on): temperature 0.6, top-p 0.95, at most 4096 tokens"],
            ["Sampler (thinking off): greedy, at most 4096 tokens"],
            ["System prompt set: Be terse."],
            ["Earlier reasoning sent back: yes"],
            ["Sampler (thinking on): temperature 0.9, top-p 0.95, at most 4096 tokens"],
            ["System prompt cleared"],
        ], "\(md)")
        // The plain replay shows the same lines, in brackets above the turn's message.
        let plain = PlainReplay(speed: 1).steps(doc).map(\.text).joined()
        #expect(plain.contains("\n\n[System prompt set: Be terse.]\n> q2\n"), "\(plain)")
        #expect(plain.components(separatedBy: "[System prompt").count == 3)
    }
}
