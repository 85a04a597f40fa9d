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
    /// A run of the paragraph, as positions in it (no copies: a pasted megabyte is one
    /// paragraph per line, and a copy per word made its layout slow). Every character of
    /// a word or a run of spaces is 1 column wide (2-column ones are tokens of their own).
    private enum Token {
        case spaces(Range<Int>)
        case word(Range<Int>)
        case wide(Int)
    }

    private static func tokens(_ line: StyledLine) -> [Token] {
        var out: [Token] = []
        var start = 0
        var runIsSpace = false
        func flush(_ end: Int) {
            guard start < end else { return }
            out.append(runIsSpace ? .spaces(start..<end) : .word(start..<end))
        }
        for i in line.indices {
            let ch = line[i].ch
            if CharWidth.of(ch) == 2 { flush(i); out.append(.wide(i)); start = i + 1; continue }
            let isSpace = ch == " "
            if start < i && isSpace != runIsSpace { flush(i); start = i }
            runIsSpace = isSpace
        }
        flush(line.count)
        return out
    }

    /// Wraps one paragraph. Always returns at least one line.
    static func paragraph(_ text: StyledLine, width: Int,
                          first: StyledLine = [], rest: StyledLine = []) -> [StyledLine] {
        let width = max(1, width)
        var first = first, rest = rest
        var firstWidth = CharWidth.of(String(first.map(\.ch)))
        var restWidth = CharWidth.of(String(rest.map(\.ch)))
        if firstWidth + 2 > width { first = []; firstWidth = 0 }
        if restWidth + 2 > width { rest = []; restWidth = 0 }

        var lines: [StyledLine] = []
        var cur = first
        var curW = firstWidth
        var atStart = true       // nothing but the prefix on `cur`
        var softWrapped = false  // `cur` began at a soft break

        func newline() {
            while let last = cur.last, last.ch == " ", cur.count > (lines.isEmpty ? first.count : rest.count) {
                cur.removeLast()
            }
            lines.append(cur)
            cur = rest; curW = restWidth; atStart = true; softWrapped = true
        }
        func append(_ r: Range<Int>) { cur += text[r]; curW += r.count; atStart = false }

        for tok in tokens(text) {
            switch tok {
            case .spaces(let r):
                if atStart && softWrapped { continue }
                // As many as fit; a break drops the rest of the run.
                let n = min(r.count, width - curW)
                if n > 0 { append(r.lowerBound..<(r.lowerBound + n)) }
                if n < r.count { newline() }
            case .word(let r):
                let w = r.count
                if curW + w <= width {
                    append(r)
                } else if !atStart && restWidth + w <= width {
                    newline()
                    append(r)
                } else {
                    // Longer than a line: cut where each line is full.
                    if !atStart { newline() }
                    var i = r.lowerBound
                    while i < r.upperBound {
                        if curW + 1 > width && !atStart { newline() }
                        let n = max(1, min(r.upperBound - i, width - curW))
                        append(i..<(i + n))
                        i += n
                    }
                }
            case .wide(let i):
                if curW + 2 > width && !atStart { newline() }
                cur.append(text[i]); curW += 2; atStart = false
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
