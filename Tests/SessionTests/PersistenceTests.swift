import Foundation
import Testing
import Session

/// Session documents and journals: round trips, atomic no-clobber saves, torn lines,
/// hostile files. Conversations here run over the SCRIPTED TEST-DOUBLE backend.
@Suite struct PersistenceTests {
    static let odd = "quotes \" back\\slash \u{1} tab\t newline\n ünï 🙂 </details> <b>"

    /// A finished conversation over the test double, journaled into `dir`.
    static func conversation(in dir: URL, turns: Int = 3) async throws -> (Conversation, URL) {
        let backend = ScriptedBackend { prompt in
            let u = ScriptedBackend.lastUserMessage(in: prompt)
            return pieces("<think>\nthink \(u) \(odd)\n</think>\n\nanswer \(u) \(odd)", cuts: [5, 9, 30, 31, 32])
        }
        var settings = SessionSettings()
        settings.systemPrompt = "sys \(odd)"
        settings.thinkBudget = 1000
        let url = dir.appendingPathComponent("j.jsonl")
        let journal = try Journal(url: url, created: 1_700_000_000.25, model: ModelIdentity(fileName: "m.gguf", size: 123, headerHash: "fnv1a64:0011223344556677"),
                                  format: "chatml", settings: settings)
        let conv = Conversation(backend: backend, format: ChatMLFormat(), settings: settings,
                                model: ModelIdentity(fileName: "m.gguf", size: 123, headerHash: "fnv1a64:0011223344556677"),
                                journal: journal, created: 1_700_000_000.25)
        for i in 0..<turns { await conv.send("q\(i) \(odd)", mode: i % 2 == 0 ? .on : .off) }
        await conv.waitUntilIdle()
        return (conv, url)
    }

    @Test func saveLoadRoundTripIsLossless() async throws {
        let dir = try temporaryDirectory()
        let (conv, journalURL) = try await Self.conversation(in: dir)
        var doc = await conv.document()
        await conv.close()
        doc.turns[1].seed = UInt64.max
        doc.turns[2].stats.timeToFirstToken = 0.1 + 0.2
        doc.notices = ["n \(Self.odd)"]
        let url = dir.appendingPathComponent("s.json")
        try doc.save(to: url, overwrite: false)
        let loaded = try SessionLoader.load(url)
        #expect(loaded.document == doc)
        #expect(loaded.warnings.isEmpty && !loaded.fromJournal)
        // The journal holds the same turns.
        let fromJournal = try SessionLoader.load(journalURL)
        #expect(fromJournal.fromJournal && fromJournal.warnings.isEmpty)
        #expect(fromJournal.document.turns == (await conv.turns))
        #expect(fromJournal.document.settings == doc.settings && fromJournal.document.model == doc.model)
        // No temp files left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(Set(names) == ["s.json", "j.jsonl"])
    }

    /// A save asked for as soon as `turnFinished` arrives (Ctrl-S, or the line mode's
    /// next `/save`) holds that turn: the record lands on the actor a moment after the
    /// event, and the save waits for it.
    @Test func saveRightAfterTurnFinishedHoldsTheTurn() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for round in 0..<10 {
            let conv = Conversation(backend: ScriptedBackend { _ in pieces("the answer", cuts: [3]) },
                                    format: ChatMLFormat(), settings: SessionSettings())
            var events = conv.events.makeAsyncIterator()
            await conv.send("q", mode: .off)
            while let e = await events.next() { if case .turnFinished = e { break } }
            let url = dir.appendingPathComponent("r\(round).json")
            try await conv.save(to: url)
            #expect(try SessionLoader.load(url).document.turns.map(\.answer) == ["the answer"])
            await conv.close()
        }
    }

    @Test func saveNeverReplacesAnotherFileButUpdatesItsOwn() async throws {
        let dir = try temporaryDirectory()
        let (conv, _) = try await Self.conversation(in: dir, turns: 1)
        let other = dir.appendingPathComponent("other.json")
        try Data("precious".utf8).write(to: other)
        await #expect(throws: FileExistsError(path: other.path)) { try await conv.save(to: other) }
        #expect(try String(contentsOf: other, encoding: .utf8) == "precious")
        let mine = dir.appendingPathComponent("mine.json")
        try await conv.save(to: mine)
        await conv.send("one more", mode: .off)
        await conv.waitUntilIdle()
        let again = try await conv.save()            // its own file: replaced atomically
        #expect(again == mine)
        #expect(try SessionLoader.load(mine).document.turns.count == 2)
        await conv.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!names.contains { $0.contains(".tmp-") })
    }

    /// Cut the journal at every byte after its header: each prefix loads; complete turns
    /// are exact, at most the last one is partial, and a torn line gives a warning.
    @Test func journalTruncatedAnywhereStillLoads() async throws {
        let dir = try temporaryDirectory()
        let (conv, url) = try await Self.conversation(in: dir)
        let turns = await conv.turns
        await conv.close()
        let bytes = Array(try Data(contentsOf: url))
        let headerEnd = bytes.firstIndex(of: 0x0A)! + 1
        var lastCount = 0
        for cut in headerEnd...bytes.count {
            let prefix = Array(bytes[..<cut])
            let loaded: LoadedSession
            do { loaded = try SessionLoader.load(bytes: prefix, path: "j") } catch {
                Issue.record("cut at \(cut): \(error)"); continue
            }
            let got = loaded.document.turns
            #expect(got.count >= lastCount, "cut at \(cut)")
            lastCount = got.count
            for (i, t) in got.enumerated() {
                if t.stopReason == .error {
                    #expect(i == got.count - 1, "only the last turn may be partial (cut at \(cut))")
                    #expect(turns[i].reasoning.hasPrefix(t.reasoning) && turns[i].answer.hasPrefix(t.answer))
                } else {
                    #expect(t == turns[i], "cut at \(cut)")
                }
            }
            let torn = prefix.last != 0x0A
            #expect(loaded.warnings.contains { $0.contains("torn") } == torn, "cut at \(cut)")
        }
        #expect(lastCount == 3)
    }

    @Test func markdownExportPutsReasoningInDetailsBlocks() async throws {
        let dir = try temporaryDirectory()
        let (conv, _) = try await Self.conversation(in: dir, turns: 2)
        var doc = await conv.document()
        await conv.close()
        doc.turns[1].stopReason = .cancelled
        let md = MarkdownExport.render(doc)
        #expect(md.components(separatedBy: "<details>\n<summary>Reasoning").count == 3)
        // The reasoning, HTML-escaped, is the whole content of its block.
        #expect(md.contains("<summary>Reasoning (\(doc.turns[0].stats.reasoningTokens) tokens)</summary>\n\n"
                            + "think q0 quotes \" back\\slash \u{1} tab\t newline\n ünï 🙂 &lt;/details&gt; &lt;b&gt; "
                            + "quotes \" back\\slash \u{1} tab\t newline\n ünï 🙂 &lt;/details&gt; &lt;b&gt;\n\n</details>"))
        #expect(md.contains("> q0 quotes \" back\\slash"))
        #expect(md.contains("**Assistant:**\n\nanswer q0 quotes"))
        #expect(md.contains("*Interrupted: cancelled by the user.*"))
        #expect(md.contains("## Turn 2 · thinking off"))
    }

    @Test func plainReplayFollowsRecordedTimesScaledBySpeed() {
        let t = TurnRecord(index: 0, user: "q", mode: .on, sampling: .thinking, seed: 1, reasoning: "r1r2", answer: "a1",
                           stream: [StreamPiece(t: 0.5, c: .reasoning, text: "r1"), StreamPiece(t: 1.0, c: .reasoning, text: "r2"),
                                    StreamPiece(t: 2.0, c: .answer, text: "a1")])
        let doc = SessionDocument(created: 0, model: nil, chatFormat: "chatml", settings: SessionSettings(), turns: [t])
        let steps = PlainReplay(speed: 2).steps(doc)
        #expect(steps.map(\.text).joined() == "> q\n\n<think>\nr1r2\n</think>\n\na1\n")
        #expect(steps.map(\.delay) == [0, 0.25, 0.25, 0.5, 0])
    }
}
