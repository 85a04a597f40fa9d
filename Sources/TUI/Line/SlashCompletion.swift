import Foundation

/// Tab completion for the line mode, from the one command table (`SlashCommand.usage`):
/// command names at the start of the line; the fixed words of an argument (`on|off`,
/// `show|hide`, `code`); and file paths for a `PATH` argument — directories, plus files
/// with the suffix the table writes after PATH (`PATH.md`), else session files
/// (`.json`, `.jsonl`).
public enum SlashCompletion {
    /// The candidates for one word: each a full replacement for it.
    public struct Result: Equatable, Sendable {
        public var candidates: [String]
        /// The candidates are file paths (readline then adds `/` after a directory).
        public var paths: Bool
        public init(candidates: [String], paths: Bool) { self.candidates = candidates; self.paths = paths }
    }

    /// Session files, the default for a PATH argument.
    static let sessionSuffixes = [".json", ".jsonl"]

    /// Completes the word `line[start..<end]`, offsets in UTF-8 bytes (readline's).
    public static func complete(line: String, start: Int, end: Int,
                                home: String = NSHomeDirectory()) -> Result {
        let bytes = Array(line.utf8)
        guard 0 <= start, start <= end, end <= bytes.count else { return Result(candidates: [], paths: false) }
        let before = String(decoding: bytes[..<start], as: UTF8.self)
        let word = String(decoding: bytes[start..<end], as: UTF8.self)
        let head = before.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if head.isEmpty {
            guard word.hasPrefix("/") else { return Result(candidates: [], paths: false) }
            return Result(candidates: commandNames.filter { $0.hasPrefix(word) }, paths: false)
        }
        guard head.count == 1 else { return Result(candidates: [], paths: false) }
        let command = head[0].lowercased()
        if let suffixes = pathSuffixes(command) {
            return Result(candidates: paths(word, suffixes: suffixes, home: home), paths: true)
        }
        return Result(candidates: argumentWords(command).filter { $0.hasPrefix(word.lowercased()) }, paths: false)
    }

    /// "/think", "/budget", ... in the table's order, each once ("/copy code" is "/copy").
    static var commandNames: [String] {
        var seen = Set<String>()
        return HelpText.commandNames.compactMap { c in
            let name = String(c.prefix { $0 != " " })
            return seen.insert(name).inserted ? name : nil
        }
    }

    /// The argument shapes the table gives `command` (one per row, "on|off", "PATH.md").
    private static func argumentShapes(_ command: String) -> [String] {
        SlashCommand.usage.compactMap { row in
            let words = row.0.split(separator: " ").map(String.init)
            guard words.first == command, words.count > 1 else { return nil }
            return words[1].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        }
    }

    /// Fixed lower-case words an argument may be ("on", "off"); placeholders (N, TEXT) give none.
    static func argumentWords(_ command: String) -> [String] {
        argumentShapes(command).flatMap { shape in
            shape.split(separator: "|").map(String.init).filter { w in
                !w.isEmpty && w.allSatisfy { $0.isLowercase || $0 == "-" || $0 == "_" }
            }
        }
    }

    /// The file suffixes a PATH argument of `command` takes, or nil when it takes no path.
    static func pathSuffixes(_ command: String) -> [String]? {
        guard let shape = argumentShapes(command).first(where: { $0.hasPrefix("PATH") }) else { return nil }
        let suffix = shape.dropFirst("PATH".count)
        return suffix.isEmpty ? sessionSuffixes : [String(suffix)]
    }

    /// Directories and files with one of `suffixes` whose path starts with `word`, written
    /// the way the user started it (`~/`, relative or absolute). Hidden entries only when
    /// the last component starts with a dot.
    static func paths(_ word: String, suffixes: [String], home: String) -> [String] {
        if word == "~" { return ["~/"] }
        let slash = word.lastIndex(of: "/")
        let dirPart = slash.map { String(word[...$0]) } ?? ""        // kept as typed
        let base = slash.map { String(word[word.index(after: $0)...]) } ?? word
        var listed = dirPart.isEmpty ? "." : dirPart
        if listed.hasPrefix("~/") { listed = home + listed.dropFirst() }
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: listed) else { return [] }
        return names.filter { name in
            guard name.hasPrefix(base), base.hasPrefix(".") || !name.hasPrefix(".") else { return false }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: (listed as NSString).appendingPathComponent(name), isDirectory: &isDir)
            else { return false }
            return isDir.boolValue || suffixes.contains { name.lowercased().hasSuffix($0) }
        }.sorted().map { dirPart + $0 }
    }
}
