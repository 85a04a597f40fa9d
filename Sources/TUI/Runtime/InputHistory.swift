import Foundation
import Session

/// The input line's history on disk, one entry per line, newest last.
/// Format: a first line `# ponder history v1`, then entries with `\` written `\\` and a
/// newline written `\n`. Read as hostile: a file without the header, or larger than
/// 1 MiB, is ignored; only the last `limit` entries are kept.
public enum InputHistory {
    static let header = "# ponder history v1"
    static let limit = 1000

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
        guard let data = try? RegularFile.read(url.path, limit: 1 << 20) else { return [] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.first == header else { return [] }
        return Array(lines.dropFirst().map(decode).suffix(limit))
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

    static func encode(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
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
