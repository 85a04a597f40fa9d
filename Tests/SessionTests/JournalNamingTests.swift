import Foundation
import Testing
import Session

/// Journal and session names never collide: many conversations started within one
/// second (`/new` pressed quickly) each get a journal of their own, none replaced or
/// lost, and a journal that cannot be written is reported rather than dropped.
@Suite struct JournalNamingTests {
    /// 20 journals created at once in one process: 20 distinct files, each with its
    /// own header (the `created` value written into it). They stay open while checked
    /// (closing a journal that never got a turn removes it).
    @Test func twentyJournalsInOneSecond() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = Date()
        var journals: [Journal] = []
        for i in 0..<20 {
            journals.append(try Journal.createDefault(created: Double(i), model: nil, format: "chatml",
                                                      settings: SessionSettings(), directory: dir))
        }
        defer { for j in journals { try? j.close() } }
        let urls = journals.map(\.url)
        #expect(Set(urls).count == 20)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jsonl") }
        #expect(files.count == 20, "\(files)")
        for (i, u) in urls.enumerated() {
            #expect(try SessionLoader.load(u).document.created == Double(i))
        }
        // All within one second, so at least two shared the timestamp and one took a suffix
        // (measured, not assumed: a slow machine may spread them over two seconds).
        if Date().timeIntervalSince(start) < 1 {
            #expect(urls.contains { $0.lastPathComponent.hasSuffix("-2.jsonl") })
        }
    }

    /// The same second for every name (a fixed date): each creation takes the next suffix.
    @Test func sameSecondTakesTheNextSuffix() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let base = SessionPaths.timestampName(date: date)
        let names = try (0..<5).map { _ in
            try SessionPaths.createUnique(in: dir, ext: "json", date: date) { url in
                try SessionDocument(created: 0, model: nil, chatFormat: "chatml", settings: SessionSettings(),
                                    turns: []).save(to: url, overwrite: false)
                return url.lastPathComponent
            }
        }
        #expect(names == [base + ".json", base + "-2.json", base + "-3.json", base + "-4.json", base + "-5.json"])
    }

    /// A journal write that fails (the file's descriptor closed under it) is reported on
    /// the event stream, and the conversation goes on without it.
    @Test func journalFailureIsReported() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try Journal(url: dir.appendingPathComponent("j.jsonl"), created: 0, model: nil,
                                  format: "chatml", settings: SessionSettings())
        try journal.close()
        let conv = Conversation(backend: ScriptedBackend { _ in pieces("answer", cuts: []) }, format: ChatMLFormat(),
                                settings: SessionSettings(), journal: journal)
        let events = collectEvents(conv)
        await conv.send("q", mode: .off)
        await conv.waitUntilIdle()
        await conv.close()
        let errors = await events.value.compactMap { e -> String? in
            if case .error(let m) = e { return m } else { return nil }
        }
        #expect(errors.count == 1 && errors[0].hasPrefix("journal: "), "\(errors)")
        #expect(await conv.turns.count == 1)
    }
}
