/// Light Markdown for answers, laid out to a width. Handled: fenced code blocks (``` or
/// ~~~, shown with their fences, in the `code` role, cut hard at the width), headings
/// (`#`…`######`: text bold and underlined, hashes dropped), bullet lists (`-`, `*`, `+`
/// become a bullet with a hanging indent), numbered lists (kept, hanging indent), and
/// inline `**bold**` and `` `code` ``. Each source line is its own paragraph (models
/// mean their single newlines). An unclosed fence runs to the end (streaming).
enum Markdown {
    static func layout(_ text: String, width: Int, base: Style, glyphs: Glyphs) -> [StyledLine] {
        var out: [StyledLine] = []
        var fence: Substring? = nil     // the opening fence marker while inside a block
        let code = Style(.code)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop(while: { $0 == " " })
            let indent = line.count - trimmed.count
            if indent <= 3, let marker = fenceMarker(trimmed) {
                if let open = fence {
                    if marker.first == open.first && marker.count >= open.count
                        && trimmed.dropFirst(marker.count).allSatisfy({ $0 == " " }) {
                        fence = nil
                    }
                } else {
                    fence = marker
                }
                out += Wrap.hard(Wrap.styled(String(line), Style(.code, .dim)), width: width)
                continue
            }
            if fence != nil {
                out += Wrap.hard(Wrap.styled(String(line), code), width: width)
                continue
            }
            if trimmed.isEmpty { out.append([]); continue }
            if let (level, rest) = heading(trimmed), indent <= 3 {
                _ = level
                var style = base; style.attr.formUnion([.bold, .underline])
                out += Wrap.paragraph(inline(String(rest), base: style), width: width)
                continue
            }
            if let (marker, rest) = listItem(trimmed, glyphs: glyphs) {
                let lead = String(repeating: " ", count: indent)
                let first = Wrap.styled(lead + marker, base)
                let hang = Wrap.styled(String(repeating: " ", count: indent + CharWidth.of(marker)), base)
                out += Wrap.paragraph(inline(String(rest), base: base), width: width,
                                      first: first, rest: hang)
                continue
            }
            out += Wrap.paragraph(inline(String(line), base: base), width: width)
        }
        return out
    }

    /// "```" or "~~~" (3 or more) at the start of `s`, else nil.
    static func fenceMarker(_ s: Substring) -> Substring? {
        guard let c = s.first, c == "`" || c == "~" else { return nil }
        let run = s.prefix(while: { $0 == c })
        return run.count >= 3 ? run : nil
    }

    private static func heading(_ s: Substring) -> (Int, Substring)? {
        let hashes = s.prefix(while: { $0 == "#" })
        guard (1...6).contains(hashes.count) else { return nil }
        let rest = s.dropFirst(hashes.count)
        guard rest.first == " " else { return nil }
        return (hashes.count, rest.drop(while: { $0 == " " }))
    }

    /// Bullet or number marker with its trailing space, as displayed, and the item text.
    private static func listItem(_ s: Substring, glyphs: Glyphs) -> (String, Substring)? {
        if let c = s.first, c == "-" || c == "*" || c == "+", s.dropFirst().first == " " {
            return (glyphs.bullet + " ", s.dropFirst(2))
        }
        let digits = s.prefix(while: { $0.isASCII && $0.isNumber })
        guard (1...9).contains(digits.count) else { return nil }
        let after = s.dropFirst(digits.count)
        guard let p = after.first, p == "." || p == ")", after.dropFirst().first == " " else {
            return nil
        }
        return (String(digits) + String(p) + " ", after.dropFirst(2))
    }

    /// Inline spans: `**bold**` adds bold, `` `code` `` uses the code role; markers
    /// without a closing partner stay as typed.
    static func inline(_ s: String, base: Style) -> StyledLine {
        let chars = Array(s)
        var out: StyledLine = []
        out.reserveCapacity(chars.count)
        var i = 0
        func find(_ pat: [Character], from: Int) -> Int? {
            var j = from
            while j + pat.count <= chars.count {
                var match = true
                for (k, p) in pat.enumerated() where chars[j + k] != p { match = false; break }
                if match { return j }
                j += 1
            }
            return nil
        }
        while i < chars.count {
            let c = chars[i]
            if c == "`", let end = find(["`"], from: i + 1), end > i + 1 {
                for k in (i + 1)..<end { out.append(StyledChar(chars[k], Style(.code, base.attr))) }
                i = end + 1
                continue
            }
            if c == "*", i + 1 < chars.count, chars[i + 1] == "*",
               let end = find(["*", "*"], from: i + 2), end > i + 2 {
                var bold = base; bold.attr.insert(.bold)
                for k in (i + 2)..<end { out.append(StyledChar(chars[k], bold)) }
                i = end + 2
                continue
            }
            out.append(StyledChar(c, base))
            i += 1
        }
        return out
    }

    /// The last fenced code block's content in `text` (without fences), or nil.
    static func lastCodeBlock(_ text: String) -> String? {
        var fence: Substring? = nil
        var current: [Substring] = []
        var last: [Substring]? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop(while: { $0 == " " })
            if let marker = fenceMarker(trimmed) {
                if let open = fence, marker.first == open.first, marker.count >= open.count {
                    last = current; fence = nil; current = []
                    continue
                } else if fence == nil {
                    fence = marker; current = []
                    continue
                }
            }
            if fence != nil { current.append(line) }
        }
        if fence != nil, !current.isEmpty { last = current }   // unclosed at the end
        return last.map { $0.joined(separator: "\n") }
    }
}
