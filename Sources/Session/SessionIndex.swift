import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One journal or saved session in the sessions folder, as `ponder sessions` lists it.
public struct SessionSummary: Sendable, Equatable {
    public var url: URL
    /// When the conversation began (the file's `created`), seconds since 1970.
    public var created: Double
    /// Last change of the file (seconds since 1970): what `--prune` and `last` go by.
    public var modified: Double
    /// The first line of the first user message, or "" when there is no turn.
    public var title: String
    public var turns: Int
    /// The model's file name, if recorded.
    public var model: String?
    public var isJournal: Bool
}

/// The sessions folder seen as a list: every `*.json` / `*.jsonl` file in it, read as
/// hostile input through `SessionLoader` (a file that does not load is reported, never
/// listed as a session, never removed).
public enum SessionIndex {
    /// Summaries sorted newest first (by modification time), and one line per file that
    /// could not be read.
    public static func list(directory: URL = SessionPaths.sessionsDirectory()) -> (sessions: [SessionSummary], problems: [String]) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            return ([], [])     // no folder yet: no sessions
        }
        var out: [SessionSummary] = [], problems: [String] = []
        for name in names where name.hasSuffix(".json") || name.hasSuffix(".jsonl") {
            let url = directory.appendingPathComponent(name)
            guard let mtime = modificationTime(url) else {
                problems.append("\(url.path): not a regular file"); continue
            }
            do {
                let loaded = try SessionLoader.load(url)
                let doc = loaded.document
                let first = doc.turns.first?.user ?? ""
                let title = first.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: true)
                    .first.map(String.init) ?? ""
                out.append(SessionSummary(url: url, created: doc.created, modified: mtime,
                                          title: title, turns: doc.turns.count, model: doc.model?.fileName,
                                          isJournal: loaded.fromJournal))
            } catch {
                problems.append("\(error)")
            }
        }
        out.sort { ($0.modified, $0.url.path) > ($1.modified, $1.url.path) }
        return (out, problems)
    }

    /// The most recently changed session, if any.
    public static func newest(directory: URL = SessionPaths.sessionsDirectory()) -> SessionSummary? {
        list(directory: directory).sessions.first
    }

    /// Removes the journals (`*.jsonl`, never saved `*.json` sessions) not changed for
    /// more than `days` days, with their saved KV caches (`*.jsonl.kv`); returns the
    /// removed journals.
    public static func prune(olderThan days: Double, now: Double = Date().timeIntervalSince1970,
                             directory: URL = SessionPaths.sessionsDirectory()) throws -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var removed: [URL] = []
        for name in names.sorted() where name.hasSuffix(".jsonl") {
            let url = directory.appendingPathComponent(name)
            guard let m = modificationTime(url), now - m > days * 86_400 else { continue }
            guard unlink(url.path) == 0 else { throw FileIO.errno("cannot remove", url.path) }
            unlink(SavedKVCache.url(beside: url).path)     // its saved KV cache, if any
            removed.append(url)
        }
        return removed
    }

    /// mtime of a regular file (not following a link out of the folder), nil otherwise.
    static func modificationTime(_ url: URL) -> Double? {
        var st = stat()
        guard lstat(url.path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        return Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
    }
}
