/// A reader for the small part of TOML that Ponder's files use (themes, key bindings,
/// `config.toml`), written to treat every file as hostile: a bad file gives one error
/// with its line number, never a crash.
///
/// Accepted:
///     # comment                 (also after a value)
///     key = "string"            (basic string: \" \\ \n \t escapes, one line)
///     key = 123 | -1            (integer)
///     key = true | false
///     [section]                 (bare name: letters, digits, _ and -)
/// Limits: 64 KiB of text, keys of 64 characters, strings of 256. Duplicate keys and
/// sections are errors. Keys before any section belong to the root table "".
public enum TOMLSubset {
    public enum Value: Equatable, Sendable {
        case string(String), int(Int), bool(Bool)
    }

    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public init(line: Int, message: String) { self.line = line; self.message = message }
        public var description: String { "line \(line): \(message)" }
    }

    /// Section name ("" for the root) to key to value.
    public typealias Document = [String: [String: Value]]
    /// Section name to key to the 1-based line it is on (for errors about a value).
    public typealias Lines = [String: [String: Int]]

    public static let maxBytes = 64 * 1024

    public static func parse(_ text: String) -> Result<Document, ParseError> {
        parseWithLines(text).map(\.document)
    }

    /// `parse`, and the line of every key.
    public static func parseWithLines(_ text: String) -> Result<(document: Document, lines: Lines), ParseError> {
        guard text.utf8.count <= maxBytes else {
            return .failure(ParseError(line: 0, message: "file larger than \(maxBytes / 1024) KiB"))
        }
        var doc: Document = ["": [:]]
        var lines: Lines = [:]
        var section = ""
        var lineNo = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNo += 1
            func fail(_ m: String) -> Result<(document: Document, lines: Lines), ParseError> { .failure(ParseError(line: lineNo, message: m)) }
            var line = Substring(raw)
            if line.last == "\r" { line = line.dropLast() }
            line = trim(line)
            if line.isEmpty || line.first == "#" { continue }
            if line.first == "[" {
                guard let close = line.firstIndex(of: "]") else { return fail("unclosed [section]") }
                let name = trim(line[line.index(after: line.startIndex)..<close])
                let after = trim(line[line.index(after: close)...])
                guard after.isEmpty || after.first == "#" else { return fail("text after [section]") }
                guard isBareKey(name) else { return fail("bad section name") }
                guard doc[String(name)] == nil else { return fail("section [\(name)] repeated") }
                section = String(name)
                doc[section] = [:]
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { return fail("expected key = value") }
            let key = trim(line[..<eq])
            guard isBareKey(key) else { return fail("bad key") }
            let rest = trim(line[line.index(after: eq)...])
            switch value(rest) {
            case .failure(let m): return fail(m.message)
            case .success(let v):
                guard doc[section]?[String(key)] == nil else { return fail("key \(key) repeated") }
                doc[section, default: [:]][String(key)] = v
                lines[section, default: [:]][String(key)] = lineNo
            }
        }
        return .success((doc, lines))
    }

    private struct Msg: Error { let message: String }

    /// One value and an optional trailing comment.
    private static func value(_ s: Substring) -> Result<Value, Msg> {
        guard let first = s.first else { return .failure(Msg(message: "missing value")) }
        var rest: Substring
        let v: Value
        if first == "\"" {
            var out = ""
            var i = s.index(after: s.startIndex)
            var closed = false
            while i < s.endIndex {
                let c = s[i]
                if c == "\"" { closed = true; i = s.index(after: i); break }
                if c == "\\" {
                    i = s.index(after: i)
                    guard i < s.endIndex else { break }
                    switch s[i] {
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    default: return .failure(Msg(message: "unknown escape \\\(s[i])"))
                    }
                } else {
                    out.append(c)
                }
                if out.count > 256 { return .failure(Msg(message: "string longer than 256")) }
                i = s.index(after: i)
            }
            guard closed else { return .failure(Msg(message: "unclosed string")) }
            v = .string(out)
            rest = s[i...]
        } else {
            let token = s.prefix(while: { $0 != " " && $0 != "#" && $0 != "\t" })
            rest = s.dropFirst(token.count)
            if token == "true" { v = .bool(true) }
            else if token == "false" { v = .bool(false) }
            else if let n = Int(token), token.count <= 12 { v = .int(n) }
            else { return .failure(Msg(message: "value must be a \"string\", a number, true or false")) }
        }
        rest = trim(rest)
        guard rest.isEmpty || rest.first == "#" else {
            return .failure(Msg(message: "text after the value"))
        }
        return .success(v)
    }

    private static func isBareKey(_ s: Substring) -> Bool {
        !s.isEmpty && s.count <= 64 && s.allSatisfy {
            $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-")
        }
    }

    private static func trim(_ s: Substring) -> Substring {
        var s = s
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return s
    }
}
