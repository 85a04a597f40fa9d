import Foundation
import Session

/// The input line's history on disk, one entry per line, newest last.
/// Format: a first line `# ponder history v1`, then entries with `\` written `\\` and a
/// newline written `\n`. Read as hostile: a file without the header is ignored. Only the
/// newest entries are kept: at most `limit`, and at most `byteLimit` bytes of them (the
/// newest always); a file holding more is rewritten with just those when it is loaded.
public enum InputHistory {
    static let header = "# ponder history v1"
    static let limit = 1000
    static let byteLimit = 1 << 20

    /// `$XDG_STATE_HOME/ponder/history`, else `~/.local/state/ponder/history`.
    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let x = environment["XDG_STATE_HOME"], !x.isEmpty {
            return URL(fileURLWithPath: x).appendingPathComponent("ponder/history")
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".local/state/ponder/history")
    }

    static func load(_ url: URL) -> [String] {
        guard let data = try? RegularFile.read(url.path, limit: .max) else { return [] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard lines.first == header[...] else { return [] }
        let kept = newest(lines.dropFirst())
        if kept.count < lines.count - 1 { rewrite(url, kept) }
        return kept.map { decode(String($0)) }
    }

    /// The newest encoded lines within `limit` entries and `byteLimit` bytes (the newest
    /// one always, however long), oldest first.
    static func newest(_ lines: ArraySlice<Substring>) -> ArraySlice<Substring> {
        var bytes = 0
        var first = lines.endIndex
        while first > lines.startIndex && lines.endIndex - first < limit {
            let n = lines[first - 1].utf8.count + 1
            if bytes + n > byteLimit && first < lines.endIndex { break }
            bytes += n
            first -= 1
        }
        return lines[first...]
    }

    /// Replaces the file with the header and `lines` (written aside, then renamed over it).
    static func rewrite(_ url: URL, _ lines: ArraySlice<Substring>) {
        var text = header + "\n"
        for l in lines { text += l; text += "\n" }
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".history-\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: tmp.path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else { return }
        if rename(tmp.path, url.path) != 0 { try? FileManager.default.removeItem(at: tmp) }
    }

    static func append(_ entry: String, to url: URL) {
        let fm = FileManager.default
        try? fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !fm.fileExists(atPath: url.path) {
            _ = fm.createFile(atPath: url.path, contents: Data((header + "\n").utf8),
                          attributes: [.posixPermissions: 0o600])
        }
        guard let h = try? RegularFile.openForAppending(url.path) else { return }
        defer { try? h.close() }
        _ = try? h.seekToEnd()
        try? h.write(contentsOf: Data((encode(entry) + "\n").utf8))
    }

    /// One line per entry: a backslash doubled, a newline as backslash-n. On the UTF-8
    /// bytes (both are ASCII, never inside a multi-byte character): linear and quick for a
    /// megabyte paste sent as one message.
    static func encode(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 16)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ s: String) -> String {
        var out = "", escaped = false
        for c in s {
            if escaped { out.append(c == "n" ? "\n" : c); escaped = false }
            else if c == "\\" { escaped = true }
            else { out.append(c) }
        }
        return out
    }
}
