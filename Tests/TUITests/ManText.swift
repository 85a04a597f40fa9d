import Foundation

/// The text a man-page line shows: a font macro's arguments joined (with spaces for
/// `.B`/`.I`, without for the alternating `.BI`, `.BR`, ...), font escapes dropped, `\-` as "-".
enum ManText {
    static func plain(_ line: String) -> String {
        var out = line
        if line.hasPrefix(".") {
            let macro = String(line.prefix { $0 != " " })
            let args = arguments(String(line.dropFirst(macro.count)))
            switch macro {
            case ".B", ".I": out = args.joined(separator: " ")
            case ".BI", ".BR", ".IB", ".IR", ".RB", ".RI": out = args.joined()
            default: return ""
            }
        }
        for f in ["\\fR", "\\fP", "\\fB", "\\fI"] { out = out.replacingOccurrences(of: f, with: "") }
        return out.replacingOccurrences(of: "\\-", with: "-")
    }

    /// Macro arguments: words, or "quoted strings" kept whole.
    private static func arguments(_ s: String) -> [String] {
        var args: [String] = [], cur = "", quoted = false, inArg = false
        for c in s {
            if c == "\"" { quoted.toggle(); inArg = true; continue }
            if c == " " && !quoted {
                if inArg { args.append(cur); cur = ""; inArg = false }
                continue
            }
            cur.append(c); inArg = true
        }
        if inArg { args.append(cur) }
        return args
    }
}
