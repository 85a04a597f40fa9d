/// The conversation as one tall column of lines (turns separated by one blank line),
/// and the window of `paneHeight` lines that is visible.
///
/// Scrolling: `UIState.scrollTop == nil` follows the end (the last line is on the last
/// pane row, or the text starts at the top while it is shorter than the pane); otherwise
/// `scrollTop` is the first visible line, clamped so the pane is never past the end.
enum ConversationPane {
    /// Height of turn `t` in lines (memoized per content version and width).
    static func height(_ t: Turn, _ state: UIState, width: Int) -> Int {
        let inline = Geometry(state).sideWidth == 0
        let key = LayoutCache.HeightKey(turn: t.id, width: width, collapsed: t.collapsed, inline: inline)
        if let h = state.layoutCache.height(key, version: t.version) { return h }
        let h = TurnLayout.lines(t, width: width, glyphs: state.glyphs, now: state.now,
                                 cache: state.layoutCache, inline: inline).count
        state.layoutCache.storeHeight(key, version: t.version, h)
        return h
    }

    /// Total lines of the conversation at `width`.
    static func totalLines(_ state: UIState, width: Int) -> Int {
        var total = 0
        for t in state.turns { total += height(t, state, width: width) }
        return total + max(0, state.turns.count - 1)
    }

    /// The first visible line for a pane of `paneHeight` rows.
    static func top(_ state: UIState, width: Int, paneHeight: Int) -> Int {
        let maxTop = max(0, totalLines(state, width: width) - paneHeight)
        guard let s = state.scrollTop else { return maxTop }
        return min(max(0, s), maxTop)
    }

    /// The visible lines (at most `paneHeight`).
    static func visible(_ state: UIState, width: Int, paneHeight: Int) -> [StyledLine] {
        let top = top(state, width: width, paneHeight: paneHeight)
        var out: [StyledLine] = []
        let inline = Geometry(state).sideWidth == 0
        let foldKey = state.keys.keys(of: .toggleReasoning).first.map(KeySpec.name)
        var y = 0   // first line of the current turn
        for (i, t) in state.turns.enumerated() {
            if out.count >= paneHeight { break }
            let h = height(t, state, width: width)
            let sep = i + 1 < state.turns.count ? 1 : 0
            if y + h + sep <= top { y += h + sep; continue }
            let lines = TurnLayout.lines(t, width: width, glyphs: state.glyphs, now: state.now,
                                         cache: state.layoutCache, inline: inline, foldKey: foldKey)
            for (k, l) in lines.enumerated() where y + k >= top && out.count < paneHeight {
                out.append(l)
            }
            if sep == 1 && y + h >= top && out.count < paneHeight { out.append([]) }
            y += h + sep
        }
        return out
    }

    /// The turn whose reasoning Tab folds and the reasoning pane shows between turns: the
    /// last turn with reasoning while following, else the first with reasoning from the
    /// top of the view.
    static func focusedReasoningTurn(_ s: UIState) -> Int? {
        let g = Geometry(s)
        var from = 0
        if s.scrollTop != nil {
            let top = top(s, width: g.convWidth, paneHeight: g.paneRows)
            from = turnIndex(at: top, s, width: g.convWidth) ?? 0
        }
        let candidates = s.scrollTop == nil
            ? Array(s.turns.indices.reversed()) : Array(s.turns.indices.dropFirst(from))
        return candidates.first { !s.turns[$0].reasoning.isEmpty }
    }

    /// Index of the turn shown at line `line` of the column (a separator belongs to the
    /// turn above it), or the last turn.
    static func turnIndex(at line: Int, _ state: UIState, width: Int) -> Int? {
        guard !state.turns.isEmpty else { return nil }
        var y = 0
        for (i, t) in state.turns.enumerated() {
            y += height(t, state, width: width) + 1
            if line < y { return i }
        }
        return state.turns.count - 1
    }
}
