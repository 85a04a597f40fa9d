/// Key names, as written in keys.toml and shown in the help.
///
/// Accepted (case-insensitive words; the letter of Ctrl/Alt may be either case):
///     C-t, Ctrl-T, ^T          Ctrl + a letter
///     M-x, Alt-x               Alt/Meta + a printable character
///     F1 … F12
///     Esc, Tab, S-Tab (Shift-Tab), Enter, M-Enter (Alt-Enter), Backspace, Delete,
///     Up, Down, Left, Right, Home, End, PgUp, PgDn
///     one printable character (such as ?), which acts on an empty input line only
/// Shown as: Ctrl-T, Alt-x, F1, Esc, Shift-Tab, PgUp, ?.
enum KeySpec {
    private static let named: [(String, Key)] = [
        ("Esc", .escape), ("Tab", .tab), ("Shift-Tab", .backTab), ("Enter", .enter),
        ("Alt-Enter", .altEnter), ("Backspace", .backspace), ("Delete", .delete),
        ("Up", .up), ("Down", .down), ("Left", .left), ("Right", .right),
        ("Home", .home), ("End", .end), ("PgUp", .pageUp), ("PgDn", .pageDown),
    ]
    private static let aliases: [String: Key] = [
        "escape": .escape, "s-tab": .backTab, "btab": .backTab, "return": .enter, "m-enter": .altEnter,
        "bs": .backspace, "del": .delete, "pageup": .pageUp, "pagedown": .pageDown,
        "ppage": .pageUp, "npage": .pageDown,
    ]

    /// The key `spec` names, or nil.
    static func parse(_ spec: String) -> Key? {
        let lower = spec.lowercased()
        if let k = named.first(where: { $0.0.lowercased() == lower })?.1 ?? aliases[lower] { return k }
        if spec.count == 1, let c = spec.first, !c.isWhitespace, c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) {
            return .char(c)
        }
        for prefix in ["c-", "ctrl-", "^"] where lower.hasPrefix(prefix) {
            let rest = lower.dropFirst(prefix.count)
            guard rest.count == 1, let c = rest.first, c.isASCII, c.isLetter || c == "]" else { return nil }
            return .ctrl(c)
        }
        for prefix in ["m-", "alt-", "meta-"] where lower.hasPrefix(prefix) {
            let rest = spec.dropFirst(prefix.count)
            guard rest.count == 1, let c = rest.first, !c.isWhitespace,
                  c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else { return nil }
            return .alt(c)
        }
        if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...12).contains(n),
           lower.dropFirst().allSatisfy(\.isNumber) {
            return .function(n)
        }
        return nil
    }

    /// The key's display name ("Ctrl-T").
    static func name(_ k: Key) -> String {
        if let n = named.first(where: { $0.1 == k }) { return n.0 }
        switch k {
        case .char(let c): return String(c)
        case .ctrl(let c): return "Ctrl-" + c.uppercased()
        case .alt(let c): return "Alt-" + String(c)
        case .function(let n): return "F\(n)"
        case .wheelUp: return "wheel up"
        case .wheelDown: return "wheel down"
        case .paste: return "paste"
        default: return "?"
        }
    }
}
