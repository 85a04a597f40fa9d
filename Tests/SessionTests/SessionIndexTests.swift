import Foundation
import Testing
import Session

/// `ponder sessions`' view of the sessions folder, on real journals and documents written
/// by conversations over the SCRIPTED TEST-DOUBLE backend (PersistenceTests.conversation).
@Suite struct SessionIndexTests {
    static func setModified(_ url: URL, _ t: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: t)], ofItemAtPath: url.path)
    }

    @Test func listsJournalsAndSavedSessionsNewestFirstAndReportsBadFiles() async throws {
        let dir = try temporaryDirectory()
        let (conv, journal) = try await PersistenceTests.conversation(in: dir, turns: 3)
        let saved = dir.appendingPathComponent("saved.json")
        var doc = await conv.document()
        await conv.close()
        doc.turns = Array(doc.turns.prefix(2))
        try doc.save(to: saved, overwrite: false)
        try Data("{\"not\":\"a session\"}".utf8).write(to: dir.appendingPathComponent("junk.json"))
        let fifo = dir.appendingPathComponent("fifo.jsonl")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        try Data("ignored".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        try Self.setModified(journal, 2_000_000_000)
        try Self.setModified(saved, 1_900_000_000)

        let (sessions, problems) = SessionIndex.list(directory: dir)
        #expect(sessions.map(\.url.lastPathComponent) == ["j.jsonl", "saved.json"])
        #expect(sessions.map(\.turns) == [3, 2])
        #expect(sessions.map(\.isJournal) == [true, false])
        // The title is the first line of the first user message, exactly as stored.
        let firstUser = try #require(doc.turns.first?.user)
        #expect(sessions[0].title == String(firstUser.split(separator: "\n").first!))
        #expect(sessions[0].model == "m.gguf")
        #expect(sessions[0].modified == 2_000_000_000)
        #expect(problems.count == 2)
        #expect(problems.contains { $0.contains("junk.json") })
        #expect(problems.contains { $0.contains("fifo.jsonl") && $0.contains("not a regular file") })
        #expect(SessionIndex.newest(directory: dir)?.url.lastPathComponent == "j.jsonl")
    }

    @Test func pruneRemovesOnlyOldJournals() async throws {
        let dir = try temporaryDirectory()
        let (conv, journal) = try await PersistenceTests.conversation(in: dir, turns: 1)
        let oldSaved = dir.appendingPathComponent("old.json")
        try await conv.save(to: oldSaved)
        await conv.close()
        let fresh = dir.appendingPathComponent("fresh.jsonl")
        try FileManager.default.copyItem(at: journal, to: fresh)
        let now = 2_000_000_000.0
        try Self.setModified(journal, now - 10 * 86_400)
        try Self.setModified(oldSaved, now - 10 * 86_400)
        try Self.setModified(fresh, now - 2 * 86_400)
        let removed = try SessionIndex.prune(olderThan: 7, now: now, directory: dir)
        #expect(removed.map(\.lastPathComponent) == ["j.jsonl"])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        #expect(left == ["old.json", "fresh.jsonl"])
    }

    @Test func aJournalWithoutTurnsIsNotLeftBehind() async throws {
        let dir = try temporaryDirectory()
        let empty = dir.appendingPathComponent("empty.jsonl")
        let j = try Journal(url: empty, created: 1, model: nil, format: "chatml", settings: SessionSettings())
        #expect(FileManager.default.fileExists(atPath: empty.path))
        try j.close()
        #expect(!FileManager.default.fileExists(atPath: empty.path))
        // One with a turn stays.
        let (conv, kept) = try await PersistenceTests.conversation(in: dir, turns: 1)
        await conv.close()
        #expect(FileManager.default.fileExists(atPath: kept.path))
    }
}
