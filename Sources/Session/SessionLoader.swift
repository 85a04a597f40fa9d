import Foundation
import Tokenizer

/// Why a session file could not be loaded: one line, naming the file and what is wrong.
public struct SessionLoadError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ path: String, _ what: String) { description = "\(path): \(what)" }
}

/// A loaded session and what the user should be warned about.
public struct LoadedSession: Sendable {
    public var document: SessionDocument
    public var warnings: [String]
    /// True when it came from a journal (JSON Lines) rather than a session document.
    public var fromJournal: Bool
    /// The file it was loaded from (nil when loaded from bytes).
    public var url: URL? = nil
}

/// Loads session documents and journals, treating them as hostile input: size limit,
/// magic and version first, typed decoding with the failing field named, then semantic
/// checks (counts, ranges, finite numbers). Never traps.
public enum SessionLoader {
    /// Files larger than this are refused (bytes).
    public static let sizeLimit = 512 << 20

    public static func load(_ url: URL) throws -> LoadedSession {
        let path = url.path
        let bytes: [UInt8]
        do { bytes = try RegularFile.read(path, limit: sizeLimit) }
        catch let e as SessionIOError { throw SessionLoadError(path, e.description.replacingOccurrences(of: path + ": ", with: "")) }
        var loaded = try load(bytes: bytes, path: path)
        loaded.url = url
        return loaded
    }

    public static func load(bytes: [UInt8], path: String) throws -> LoadedSession {
        guard let first = bytes.firstIndex(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            throw SessionLoadError(path, "empty file")
        }
        guard bytes[first] == UInt8(ascii: "{") else { throw SessionLoadError(path, "not a ponder session (not JSON)") }
        if let depth = nestingBeyond(bytes, limit: maxDepth) {
            throw SessionLoadError(path, "JSON nested deeper than \(maxDepth) levels (at byte \(depth))")
        }
        // A journal's first line is a complete header object with "k":"header".
        let firstLine = bytes[first...].prefix { $0 != 0x0A }
        if let h = try? JSONDecoder().decode(JournalLine.self, from: Data(firstLine)), h.k == .header {
            return try JournalReader.read(bytes: bytes, path: path)
        }
        return LoadedSession(document: try decodeDocument(bytes, path: path), warnings: [], fromJournal: false)
    }

    /// Deepest nesting a session or journal line may have (ours is below 8).
    static let maxDepth = 64

    /// The offset where `[`/`{` nesting (outside strings) first exceeds `limit`, if it
    /// does: refuses pathological input before a recursive parser sees it.
    static func nestingBeyond(_ bytes: [UInt8], limit: Int) -> Int? {
        var depth = 0, inString = false, escaped = false
        for (i, b) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return i }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return nil
    }

    static func decodeDocument(_ bytes: [UInt8], path: String) throws -> SessionDocument {
        struct Head: Decodable { var magic: String?; var version: Int? }
        let data = Data(bytes)
        let head: Head
        do { head = try JSONDecoder().decode(Head.self, from: data) }
        catch { throw SessionLoadError(path, describe(error, data, as: Head.self)) }
        guard head.magic == SessionDocument.magicValue else {
            throw SessionLoadError(path, "not a ponder session (magic is \(head.magic.map { "\"\($0.prefix(40))\"" } ?? "missing"))")
        }
        guard let v = head.version else { throw SessionLoadError(path, "missing field version") }
        guard v == SessionDocument.currentVersion else {
            throw SessionLoadError(path, "unsupported session version \(v) (this ponder reads version \(SessionDocument.currentVersion))")
        }
        var doc: SessionDocument
        do { doc = try JSONDecoder().decode(SessionDocument.self, from: data) }
        catch { throw SessionLoadError(path, describe(error, data, as: SessionDocument.self)) }
        if let problem = validate(doc) { throw SessionLoadError(path, problem) }
        doc.fillUnrecordedTurnSettings()
        return doc
    }

    /// `describe`, naming the field when Foundation reports a number that does not fit
    /// its type as invalid JSON with no path (see `JSONErrorLocator`).
    static func describe<T: Decodable>(_ error: Error, _ data: Data, as: T.Type) -> String {
        if case DecodingError.dataCorrupted(let c) = error, c.codingPath.isEmpty {
            return JSONErrorLocator.locate(data) { _ = try JSONDecoder().decode(T.self, from: $0) }
        }
        return describe(error)
    }

    /// One line for a decoding error: the JSON path of the field and what was expected.
    static func describe(_ error: Error) -> String {
        func at(_ path: [CodingKey]) -> String {
            var s = ""
            for k in path {
                if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
            }
            return s.isEmpty ? "top level" : s
        }
        func clean(_ s: String) -> String {
            let line = s.split(whereSeparator: \.isNewline).first.map(String.init) ?? s
            return line.count > 160 ? String(line.prefix(160)) + "…" : line
        }
        guard let d = error as? DecodingError else { return clean("\(error)") }
        switch d {
        case .typeMismatch(let type, let c):
            return "\(at(c.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let c):
            return "\(at(c.codingPath)): expected \(typeName(type)), found null"
        case .keyNotFound(let k, let c):
            return "missing field \(at(c.codingPath + [k]))"
        case .dataCorrupted(let c):
            if c.codingPath.isEmpty {
                return "not valid JSON (truncated or corrupt): \(clean(c.underlyingError.map { "\($0)" } ?? c.debugDescription))"
            }
            return "\(at(c.codingPath)): \(clean(c.debugDescription))"
        @unknown default:
            return clean("\(d)")
        }
    }

    private static func typeName(_ t: Any.Type) -> String {
        switch t {
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt64.Type: return "an integer in range"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            let n = "\(t)"
            if n.hasPrefix("Array") { return "a list" }
            if n.hasPrefix("Dictionary") { return "an object" }
            return "a \(n)"
        }
    }

    /// Semantic checks a well-typed document must still pass. Nil if fine.
    public static func validate(_ doc: SessionDocument) -> String? {
        if !doc.created.isFinite { return "created: not a finite number" }
        if ChatFormat.Kind(rawValue: doc.chatFormat) == nil {
            return "chatFormat: unknown format \"\(doc.chatFormat.prefix(40))\" (known: \(ChatFormat.names))"
        }
        if let m = doc.model, m.size < 0 { return "model.size: negative" }
        for (name, s) in [("samplingOn", doc.settings.samplingOn), ("samplingOff", doc.settings.samplingOff)] {
            if let e = s.validationError { return "settings.\(name): \(e)" }
        }
        if let b = doc.settings.thinkBudget, b < 0 { return "settings.thinkBudget: negative" }
        if let b = doc.settings.thinkMin, b < 0 { return "settings.thinkMin: negative" }
        if doc.settings.prefillChunk < 1 || doc.settings.prefillChunk > 1 << 20 { return "settings.prefillChunk: out of range" }
        for (i, t) in doc.turns.enumerated() {
            let p = "turns[\(i)]"
            if t.index != i { return "\(p).index: is \(t.index), expected \(i)" }
            if let e = t.sampling.validationError { return "\(p).sampling: \(e)" }
            if let m = t.model, m.size < 0 { return "\(p).model.size: negative" }
            if [t.thinkBudget, t.thinkMin].contains(where: { ($0 ?? 0) < 0 }) { return "\(p): negative think budget or minimum" }
            if t.tokens.count != t.tokenTimes.count {
                return "\(p): \(t.tokens.count) tokens but \(t.tokenTimes.count) token times"
            }
            if let bad = t.tokenTimes.firstIndex(where: { !$0.isFinite || $0 < 0 || $0 > 1e9 }) {
                return "\(p).tokenTimes[\(bad)]: not a time in seconds"
            }
            if let bad = t.stream.firstIndex(where: { !$0.t.isFinite || $0.t < 0 || $0.t > 1e9 }) {
                return "\(p).stream[\(bad)].t: not a time in seconds"
            }
            if !t.startedAt.isFinite { return "\(p).startedAt: not a finite number" }
            let s = t.stats
            if [s.promptTokens, s.cachedTokens, s.reasoningTokens, s.answerTokens, s.contextUsed, s.contextSize,
                s.draftedTokens ?? 0, s.acceptedDrafts ?? 0]
                .contains(where: { $0 < 0 }) { return "\(p).stats: negative count" }
            let times = [s.timeToFirstToken, s.timeToFirstAnswerToken, s.prefillTokensPerSecond,
                         s.decodeTokensPerSecond, s.wallTime, s.reasoningSeconds, s.answerSeconds].compactMap { $0 }
            if times.contains(where: { !$0.isFinite || $0 < 0 }) { return "\(p).stats: time or rate not a finite non-negative number" }
        }
        return nil
    }
}
