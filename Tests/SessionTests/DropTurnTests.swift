import Foundation
import Testing
import Session

/// Regenerate (Ctrl-R) and edit (Ctrl-E) withdraw the last turn of the same conversation:
/// one journal for the whole conversation (a "drop" line, no copy in a new file), the
/// backend's cache still holding the prompt up to that turn, and the journal reading back
/// as the conversation the user sees. Over the SCRIPTED TEST-DOUBLE backend.
@Suite struct DropTurnTests {
    @Test func regenerateAndEditKeepOneJournalAndTheCache() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        /// Counts the replies the backend gives (called on the conversation's worker thread).
        final class Counter: @unchecked Sendable {
            private let lock = NSLock()
            private var n = 0
            func next() -> Int { lock.withLock { n += 1; return n } }
        }
        let replies = Counter()
        let backend = ScriptedBackend { prompt in
            let n = replies.next()
            return pieces("reply \(n) to \(ScriptedBackend.lastUserMessage(in: prompt))", cuts: [3])
        }
        let journal = try Journal.createDefault(created: 1, model: nil, format: "chatml",
                                                settings: SessionSettings(), directory: dir)
        let conv = Conversation(backend: backend, format: ChatMLFormat(), settings: SessionSettings(),
                                journal: journal)
        let events = collectEvents(conv)
        await conv.send("first", mode: .off)
        await conv.send("second", mode: .off)
        await conv.waitUntilIdle()
        // Ctrl-R: the last reply is withdrawn and asked again, with the same index.
        let dropped = await conv.dropLastTurn()
        #expect(dropped?.user == "second" && dropped?.index == 1)
        let again = await conv.send("second", mode: .off)
        #expect(again == 1)
        await conv.waitUntilIdle()
        // Ctrl-E: the last exchange is withdrawn; an edited message takes its place.
        #expect(await conv.dropLastTurn()?.answer == "reply 3 to second")
        await conv.send("second, edited", mode: .off)
        await conv.waitUntilIdle()
        let turns = await conv.turns
        await conv.close()
        let all = await events.value

        #expect(turns.map(\.user) == ["first", "second, edited"])
        #expect(turns.map(\.answer) == ["reply 1 to first", "reply 4 to second, edited"])
        // The regenerated and the edited turn found the first exchange in the cache.
        let finished = all.compactMap { e -> TurnStats? in
            if case .turnFinished(_, _, let st) = e { return st } else { return nil }
        }
        #expect(finished.count == 4)
        if finished.count == 4 {
            #expect(finished[2].cachedTokens > 0 && finished[3].cachedTokens > 0)
            #expect(finished[2].cachedTokens >= finished[0].promptTokens, "\(finished.map(\.cachedTokens))")
        }
        // One journal, which reads back as the conversation on screen.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files.filter { $0.hasSuffix(".jsonl") }.count == 1, "\(files)")
        let loaded = try SessionLoader.load(journal.url)
        #expect(loaded.document.turns == turns)
        #expect(loaded.warnings.isEmpty)
    }

    /// A drop line that names turns the journal does not hold is refused with its line.
    @Test func badDropLinesAreRefused() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let j = try Journal.createDefault(created: 1, model: nil, format: "chatml", settings: SessionSettings(),
                                          directory: dir)
        try j.dropTurns(from: 0)
        try j.close()
        #expect(throws: (any Error).self) { try SessionLoader.load(j.url) }
        do { _ = try SessionLoader.load(j.url) } catch {
            #expect("\(error)".hasSuffix("line 2: drop of turns that do not exist"), "\(error)")
        }
    }
}
