import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One line of a journal. `k` says which kind; the other fields depend on it:
/// - "header": magic, version, created, model?, format, settings (always the first line)
/// - "turn":   turn (a TurnRecord with empty text: user, mode, sampling, seed, budget,
///             profile, system prompt, history reasoning, model)
/// - "text":   index, r?, a? (reasoning/answer text streamed since the last text line)
/// - "notice": text
/// - "end":    turn (the complete TurnRecord)
/// - "drop":   index (turns from this index on are withdrawn: the last reply is being
///             regenerated, or the last message edited; version 2)
struct JournalLine: Codable {
    enum Kind: String, Codable { case header, turn, text, notice, end, drop }
    var k: Kind
    var magic: String?
    var version: Int?
    var created: Double?
    var model: ModelIdentity?
    var format: String?
    var settings: SessionSettings?
    var turn: TurnRecord?
    var index: Int?
    var r: String?
    var a: String?
    var text: String?

    init(_ k: Kind) { self.k = k }
}

/// The append-only journal of a live session: JSON Lines, one record per event batch.
/// Each line goes out in one write(2), so a killed process leaves at most one torn last
/// line; turn starts and ends are fsynced, text is batched (a line at most every 0.25 s)
/// and written without fsync. Thread-safe (one lock).
public final class Journal: @unchecked Sendable {
    public static let magicValue = "ponder-journal"
    /// Version 2 added the "drop" line; version 1 journals read the same otherwise.
    public static let currentVersion = 2
    public static let readableVersions = 1...2
    /// Text batches are written at most this often (seconds).
    static let batchInterval = 0.25

    public let url: URL
    private let lock = NSLock()
    private var fd: Int32              // -1 once closed
    private var pending: (index: Int, r: String, a: String)?
    private var lastWrite = 0.0
    /// A turn line was written: until then the journal holds nothing worth resuming, and
    /// `close` removes it rather than leave a header-only file behind.
    private var holdsTurns = false
    private let encoder = JSONEncoder()

    /// Creates a new journal (never replaces a file). The file appears atomically with
    /// its complete header line (temp file, fsync, link), so a journal on disk is never
    /// empty or headerless, whenever the process dies.
    public init(url: URL, created: Double, model: ModelIdentity?, format: String,
                settings: SessionSettings) throws {
        self.url = url
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var h = JournalLine(.header)
        h.magic = Self.magicValue; h.version = Self.currentVersion; h.created = created
        h.model = model; h.format = format; h.settings = settings
        try FileIO.makeDirectories(url.deletingLastPathComponent().path)
        try AtomicFile.write(Array(try encoder.encode(h)) + [0x0A], to: url, overwrite: false)
        fd = try FileIO.open(url.path, exclusive: false, append: true)
    }

    /// A new journal named by the time in the sessions folder (a suffix when the name
    /// is taken: several journals a second never collide).
    public static func createDefault(created: Double, model: ModelIdentity?, format: String,
                                     settings: SessionSettings, directory: URL? = nil) throws -> Journal {
        let dir = directory ?? SessionPaths.sessionsDirectory()
        return try SessionPaths.createUnique(in: dir, ext: "jsonl") { url in
            try Journal(url: url, created: created, model: model, format: format, settings: settings)
        }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// A turn begins (its record without text). Fsynced.
    public func beginTurn(_ meta: TurnRecord) throws {
        try lock.withLock {
            try flushText()
            var l = JournalLine(.turn); l.turn = meta
            try writeLine(l)
            holdsTurns = true
            try FileIO.fsync(fd, path: url.path)
        }
    }

    /// Streamed text; batched.
    public func text(index: Int, reasoning: String, answer: String, now: Double) throws {
        try lock.withLock {
            if let p = pending, p.index != index { try flushText() }
            var p = pending ?? (index, "", "")
            p.r += reasoning; p.a += answer
            pending = p
            if now - lastWrite >= Self.batchInterval { try flushText(); lastWrite = now }
        }
    }

    public func notice(_ s: String) throws {
        try lock.withLock {
            try flushText()
            var l = JournalLine(.notice); l.text = s
            try writeLine(l)
        }
    }

    /// The turn is complete. Fsynced: after this returns the turn survives any crash.
    public func endTurn(_ record: TurnRecord) throws {
        try lock.withLock {
            pending = nil      // the end record holds all the text
            var l = JournalLine(.end); l.turn = record
            try writeLine(l)
            holdsTurns = true
            try FileIO.fsync(fd, path: url.path)
        }
    }

    /// Turns from `index` on are withdrawn (one conversation, one journal: a regenerated
    /// reply or an edited message continues the same file). Fsynced.
    public func dropTurns(from index: Int) throws {
        try lock.withLock {
            pending = nil
            var l = JournalLine(.drop); l.index = index
            try writeLine(l)
            holdsTurns = true
            try FileIO.fsync(fd, path: url.path)
        }
    }

    /// Writes the text still batched and closes the file (closed even when the write
    /// fails; the failure is thrown so that it can be shown). A journal that never got a
    /// turn is removed (best effort: a failure leaves a header-only file, which
    /// `ponder sessions --prune` clears).
    public func close() throws {
        try lock.withLock {
            defer {
                if fd >= 0 {
                    Glibc.close(fd); fd = -1
                    if !holdsTurns, unlink(url.path) == 0 { try? FileIO.fsyncDirectory(of: url.path) }
                }
            }
            if fd >= 0 { try flushText() }
        }
    }

    // Call with the lock held.
    private func flushText() throws {
        guard let p = pending else { return }
        pending = nil
        guard !p.r.isEmpty || !p.a.isEmpty else { return }
        var l = JournalLine(.text)
        l.index = p.index
        if !p.r.isEmpty { l.r = p.r }
        if !p.a.isEmpty { l.a = p.a }
        try writeLine(l)
    }

    private func writeLine(_ l: JournalLine) throws {
        guard fd >= 0 else { throw SessionIOError("\(url.path): journal is closed") }
        var bytes = Array(try encoder.encode(l))
        bytes.append(0x0A)
        try FileIO.writeAll(fd, bytes, path: url.path)
    }
}
