/// The right-hand pane of the split layout (`ReasoningLayout`): a border column, a title
/// row naming the turn, then the end of that turn's reasoning, wrapped to the pane's
/// width (`Geometry.sideWidth`) and laid out through the layout cache like any other
/// turn part, so it costs one cached layout per width.
enum ReasoningPane {
    /// The turn the pane shows: while a turn streams, that turn (its reasoning grows at
    /// the bottom of the pane); otherwise the turn the conversation is scrolled to, or
    /// the last one with reasoning while following (`focusedReasoningTurn`, Tab's turn).
    static func turn(_ s: UIState) -> Int? {
        if s.generating, let last = s.turns.indices.last { return last }
        return ConversationPane.focusedReasoningTurn(s)
    }

    /// Draws the pane in columns `g.convWidth ..< g.width` of the conversation's rows.
    static func draw(_ s: UIState, _ g: Geometry, _ screen: inout Screen) {
        let x0 = g.convWidth
        for r in 0..<g.paneRows { screen.put(String(s.glyphs.box.v), Style(.border), row: r, col: x0) }
        guard g.paneRows > 0 else { return }
        let i = turn(s)
        let title = " reasoning" + (i.map { " \(s.glyphs.dash) turn \($0 + 1)" } ?? "")
        screen.put(TurnLayout.truncate(title, width: g.sideWidth, glyphs: s.glyphs), Style(.border, .bold),
                   row: 0, col: x0 + 1)
        guard let i else { return }
        let t = s.turns[i]
        var lines = TurnLayout.reasoningBody(t, width: g.sideWidth, glyphs: s.glyphs, cache: s.layoutCache)
        if lines.isEmpty, t.finished != nil || t.mode == .off || !t.answer.isEmpty {
            lines = [Wrap.styled(TurnLayout.truncate("(no reasoning in this turn)", width: g.sideWidth,
                                                     glyphs: s.glyphs), Style(.reasoning, .dim))]
        }
        for (k, l) in lines.suffix(g.paneRows - 1).enumerated() {
            screen.put(l, row: 1 + k, col: x0 + 1)
        }
    }
}
