/// The pure view: draws `state` into a fresh `Screen` of the state's size. No terminal
/// calls; the painter puts the result on the terminal.
func render(_ state: UIState) -> Screen {
    let g = Geometry(state)
    var screen = Screen(width: g.width, height: g.height)
    if g.tooSmall {
        let msg = "terminal too small (need \(Geometry.minWidth)x\(Geometry.minHeight))"
        let lines = Wrap.paragraph(Wrap.styled(msg, Style(.error)), width: max(1, g.width))
        for (i, l) in lines.prefix(g.height).enumerated() { screen.put(l, row: i) }
        return screen
    }

    // Conversation.
    let visible = ConversationPane.visible(state, width: g.convWidth, paneHeight: g.paneRows)
    for (i, l) in visible.enumerated() { screen.put(l, row: i) }
    if g.sideWidth > 0 { ReasoningPane.draw(state, g, &screen) }

    // Notice.
    if let n = state.notice, !g.noticeRows.isEmpty {
        var lines = n.wrapped(width: g.width)
        let k = g.noticeRows.count
        if lines.count > k {
            // The last row that fits ends with an ellipsis (all of it is in /notices).
            let joined = lines[k - 1] + " " + lines[k]
            lines = Array(lines.prefix(k - 1)) + [TurnLayout.truncate(joined, width: g.width, glyphs: state.glyphs)]
        }
        for (row, line) in zip(g.noticeRows, lines) {
            screen.put(line, n.isError ? Style(.error, .bold) : Style(.text), row: row)
        }
    }

    // Stats bar.
    let rows = StatsBar.rows(state, count: g.statsRows.count)
    for (k, row) in g.statsRows.enumerated() {
        screen.fill(row: row, style: Style(.stats))
        let line = StatsBar.line(k < rows.count ? rows[k] : [], width: g.width, glyphs: state.glyphs)
        var x = 0
        for (i, seg) in line.split(separator: " \(state.glyphs.separator) ", omittingEmptySubsequences: false)
            .map(String.init).enumerated() {
            if i > 0 { x = screen.put(" \(state.glyphs.separator) ", Style(.stats), row: row, col: x) }
            let bold = k == 0 && i == 0
            x = screen.put(seg, Style(.stats, bold ? .bold : []), row: row, col: x)
        }
    }

    // Input line.
    drawInput(state, &screen, row: g.inputRow)

    if let o = state.overlay { drawOverlay(o, state.glyphs, &screen) }
    return screen
}

/// "> " and the input text, scrolled sideways so the cursor stays on screen; newlines in
/// the text show as a glyph. Costs the visible columns, not the input's length (a pasted
/// megabyte is redrawn every frame): the first shown character is found by walking left
/// from the cursor until `avail - 1` columns are used.
private func drawInput(_ state: UIState, _ screen: inout Screen, row: Int) {
    let prompt = "> "
    let x0 = screen.put(prompt, Style(.user, .bold), row: row)
    let avail = screen.width - x0
    guard avail > 0 else { return }
    let nl = Character(state.glyphs.newline.count == 1 ? state.glyphs.newline : "\\")
    let chars = state.input.chars, cursor = state.input.cursor
    func shown(_ c: Character) -> Character { c == "\n" ? nl : c }
    // The cursor sits at most `avail - 1` columns right of the first shown character.
    var first = cursor, before = 0
    while first > 0 {
        let w = CharWidth.of(shown(chars[first - 1]))
        if before + w > avail - 1 { break }
        before += w; first -= 1
    }
    var line: StyledLine = []
    var used = 0, i = first
    while i < chars.count && used < avail {
        let c = shown(chars[i])
        line.append(StyledChar(c, Style(.text)))
        used += CharWidth.of(c); i += 1
    }
    screen.put(line, row: row, col: x0)
    screen.cursor = state.overlay == nil ? (row, x0 + before) : nil
}

/// A bordered box in the middle of the screen with the overlay's title and lines.
private func drawOverlay(_ o: Overlay, _ g: Glyphs, _ screen: inout Screen) {
    let contentW = o.lines.map { CharWidth.of($0) }.max() ?? 0
    let bw = min(screen.width, max(contentW, CharWidth.of(o.title) + 2) + 4)
    let bh = min(screen.height, o.lines.count + 2)
    guard bw >= 4, bh >= 2 else { return }
    let x0 = (screen.width - bw) / 2, y0 = (screen.height - bh) / 2
    let border = Style(.border)
    let inner = bw - 2
    // Top edge with the title.
    var top = String(g.box.tl)
    let title = " \(o.title) "
    if CharWidth.of(title) + 1 <= inner {
        top += String(g.box.h) + title
        top += String(repeating: g.box.h, count: inner - 1 - CharWidth.of(title))
    } else {
        top += String(repeating: g.box.h, count: inner)
    }
    screen.put(top + String(g.box.tr), border, row: y0, col: x0)
    let shown = max(0, bh - 2)
    let start = min(max(0, o.scroll), max(0, o.lines.count - shown))
    for i in 0..<shown {
        let y = y0 + 1 + i
        screen.put(String(g.box.v), border, row: y, col: x0)
        // Blank the inside, then the text cut at the inner width minus one space each side.
        screen.put(String(repeating: " ", count: inner), Style(.text), row: y, col: x0 + 1)
        let k = start + i
        if k < o.lines.count {
            let text = Wrap.hard(Wrap.styled(o.lines[k], Style(.text)), width: max(1, inner - 2))[0]
            screen.put(text, row: y, col: x0 + 2)
        }
        screen.put(String(g.box.v), border, row: y, col: x0 + bw - 1)
    }
    screen.put(String(g.box.bl) + String(repeating: g.box.h, count: inner) + String(g.box.br),
               border, row: y0 + bh - 1, col: x0)
}
