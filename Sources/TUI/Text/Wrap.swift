/// Greedy word wrap of styled text to a column width, by grapheme cluster and display
/// width (see `CharWidth`).
///
/// Rules (the layout tests are written from these):
/// - A paragraph (no newlines inside) becomes one or more lines of width ≤ `width`.
/// - Lines break at spaces; the spaces at a soft break are dropped, and a line that starts
///   after a soft break starts with its first non-space character. Leading spaces of the
///   paragraph itself (indentation) are kept.
/// - Every wide (2-column) character is a break opportunity on its own (CJK lines
///   break between ideographs); a wide character never straddles the edge.
/// - A word longer than a whole line starts a new line and is cut at grapheme boundaries.
/// - `first` prefixes the first line, `rest` every following line (hanging indent). Both
///   are dropped when they leave fewer than 2 columns.
enum Wrap {
    private enum Token {
        case spaces(StyledLine)
        case word(StyledLine, width: Int)
        case wide(StyledChar)
    }

    private static func tokens(_ line: StyledLine) -> [Token] {
        var out: [Token] = []
        var run: StyledLine = []
        var runWidth = 0
        var runIsSpace = false
        func flush() {
            guard !run.isEmpty else { return }
            out.append(runIsSpace ? .spaces(run) : .word(run, width: runWidth))
            run = []; runWidth = 0
        }
        for sc in line {
            let w = CharWidth.of(sc.ch)
            if w == 2 { flush(); out.append(.wide(sc)); continue }
            let isSpace = sc.ch == " "
            if !run.isEmpty && isSpace != runIsSpace { flush() }
            runIsSpace = isSpace
            run.append(sc); runWidth += w
        }
        flush()
        return out
    }

    /// Wraps one paragraph. Always returns at least one line.
    static func paragraph(_ text: StyledLine, width: Int,
                          first: StyledLine = [], rest: StyledLine = []) -> [StyledLine] {
        let width = max(1, width)
        var first = first, rest = rest
        if CharWidth.of(String(first.map(\.ch))) + 2 > width { first = [] }
        if CharWidth.of(String(rest.map(\.ch))) + 2 > width { rest = [] }
        let restWidth = CharWidth.of(String(rest.map(\.ch)))

        var lines: [StyledLine] = []
        var cur = first
        var curW = CharWidth.of(String(first.map(\.ch)))
        var atStart = true       // nothing but the prefix on `cur`
        var softWrapped = false  // `cur` began at a soft break

        func newline() {
            while let last = cur.last, last.ch == " ", cur.count > (lines.isEmpty ? first.count : rest.count) {
                cur.removeLast()
            }
            lines.append(cur)
            cur = rest; curW = restWidth; atStart = true; softWrapped = true
        }
        func append(_ sc: StyledChar, _ w: Int) { cur.append(sc); curW += w; atStart = false }

        for tok in tokens(text) {
            switch tok {
            case .spaces(let s):
                if atStart && softWrapped { continue }
                for sc in s {
                    if curW + 1 > width { newline(); break }
                    append(sc, 1)
                }
            case .word(let s, let w):
                if curW + w <= width {
                    for sc in s { append(sc, CharWidth.of(sc.ch)) }
                } else if !atStart && restWidth + w <= width {
                    newline()
                    for sc in s { append(sc, CharWidth.of(sc.ch)) }
                } else {
                    if !atStart { newline() }
                    for sc in s {
                        let cw = CharWidth.of(sc.ch)
                        if curW + cw > width && !atStart { newline() }
                        append(sc, cw)
                    }
                }
            case .wide(let sc):
                if curW + 2 > width && !atStart { newline() }
                append(sc, 2)
            }
        }
        lines.append(cur)
        return lines
    }

    /// Cuts a line at exactly `width` columns, without looking for spaces (code blocks).
    static func hard(_ text: StyledLine, width: Int, first: StyledLine = [],
                     rest: StyledLine = []) -> [StyledLine] {
        let width = max(1, width)
        var lines: [StyledLine] = []
        var cur = first
        var curW = CharWidth.of(String(first.map(\.ch)))
        var atStart = true
        for sc in text {
            let cw = CharWidth.of(sc.ch)
            if curW + cw > width && !atStart {
                lines.append(cur); cur = rest; curW = CharWidth.of(String(rest.map(\.ch)))
            }
            cur.append(sc); curW += cw; atStart = false
        }
        lines.append(cur)
        return lines
    }

    /// Styles every character of `s` alike.
    static func styled(_ s: String, _ style: Style) -> StyledLine {
        s.map { StyledChar($0, style) }
    }
}
