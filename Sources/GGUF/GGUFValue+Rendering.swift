/// Text and JSON renderings of metadata values, for `ponder inspect` and error messages.
extension GGUFValue {
    /// The type as shown to people: "uint32", "string", "array[string]", "array[array[int32]]"
    /// (nested element types are taken from the first element).
    public var typeDescription: String {
        guard case .array(let a) = self else { return type.name }
        if a.elementType == .array, let first = a.first { return "array[\(first.typeDescription)]" }
        return "array[\(a.elementType.name)]"
    }

    /// One-line text; arrays longer than `maxArray` show their first `maxArray` entries
    /// and the count, strings are quoted with control characters escaped and cut at
    /// `maxString` characters.
    public func text(maxArray: Int = 8, maxString: Int = 120) -> String {
        switch self {
        case .string(let s): return Self.quoted(s, limit: maxString, json: false)
        case .float32(let f): return "\(f)"
        case .float64(let f): return "\(f)"
        case .bool(let b): return b ? "true" : "false"
        case .array(let a):
            let shown = a.prefix(maxArray).map { $0.text(maxArray: maxArray, maxString: maxString) }
            let more = a.count > maxArray ? ", … (\(a.count) entries)" : ""
            return "[" + shown.joined(separator: ", ") + more + "]"
        default: return intValue.map { "\($0)" } ?? "\(self)"
        }
    }

    /// JSON, complete (no abbreviation). Non-finite floats become the strings "nan",
    /// "inf" and "-inf", which JSON cannot hold as numbers.
    public var json: String {
        var out = ""
        appendJSON(to: &out)
        return out
    }

    public func appendJSON(to out: inout String) {
        switch self {
        case .string(let s): out += Self.quoted(s, limit: Int.max, json: true)
        case .float32(let f): out += f.isFinite ? "\(f)" : "\"\(f)\""
        case .float64(let f): out += f.isFinite ? "\(f)" : "\"\(f)\""
        case .bool(let b): out += b ? "true" : "false"
        case .uint64(let v): out += "\(v)"
        case .int64(let v): out += "\(v)"
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.appendJSON(to: &out)
            }
            out += "]"
        default: out += "\(intValue ?? 0)"
        }
    }

    /// `s` in double quotes with `"`, `\` and control characters escaped (JSON escapes
    /// when `json`), at most `limit` characters before an ellipsis.
    public static func quoted(_ s: String, limit: Int, json: Bool) -> String {
        var out = "\""
        var n = 0
        for u in s.unicodeScalars {
            if n == limit { out += "…"; break }
            n += 1
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || (!json && u.properties.generalCategory == .control)
                    || u == "\u{2028}" || u == "\u{2029}" {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
