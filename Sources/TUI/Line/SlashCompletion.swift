import Foundation

/// Tab completion for the line mode, from the command registry (`SlashCommand.registry`):
/// command names at the start of the line; the fixed words of an argument (`on|off`,
/// `show|hide`, `code`, and `/set`'s modes and sampler names); and file paths for a
/// `PATH` argument — directories, plus files with the suffix the registry writes after
/// PATH (`PATH.md`), else session files (`.json`, `.jsonl`).
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
        guard head[0].hasPrefix("/"), let spec = SlashCommand.spec(named: String(head[0].dropFirst()).lowercased())
        else { return Result(candidates: [], paths: false) }
        let typed = Array(head.dropFirst())
        if typed.isEmpty, let suffixes = pathSuffixes(spec) {
            return Result(candidates: paths(word, suffixes: suffixes, home: home), paths: true)
        }
        return Result(candidates: argumentWords(spec, after: typed).filter { $0.hasPrefix(word.lowercased()) },
                      paths: false)
    }

    /// "/think", "/budget", ...: the registry's names in its order (aliases are not offered).
    static var commandNames: [String] { SlashCommand.registry.map(\.slashName) }

    /// The argument shapes of the forms of `spec` ("on|off", "PATH.md", "" for none).
    private static func argumentShapes(_ spec: SlashCommand.Spec) -> [String] {
        spec.forms.compactMap { form in
            form.arguments.split(separator: " ").first
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) }
        }
    }

    /// Fixed lower-case words the argument after `typed` may be ("on", "off"): the entry's
    /// own list, else those of the forms' first argument (placeholders such as N or TEXT give none).
    static func argumentWords(_ spec: SlashCommand.Spec, after typed: [String]) -> [String] {
        if let words = spec.words { return words(typed) }
        guard typed.isEmpty else { return [] }
        var seen = Set<String>()
        return argumentShapes(spec).flatMap { shape in
            shape.split(separator: "|").map(String.init).filter { w in
                !w.isEmpty && w.allSatisfy { $0.isLowercase || $0 == "-" || $0 == "_" }
            }
        }.filter { seen.insert($0).inserted }
    }

    /// The file suffixes a PATH argument of `spec` takes, or nil when it takes no path.
    static func pathSuffixes(_ spec: SlashCommand.Spec) -> [String]? {
        guard let shape = argumentShapes(spec).first(where: { $0.hasPrefix("PATH") }) else { return nil }
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
