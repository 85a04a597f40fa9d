/// Where the full-screen chat shows reasoning (`/layout`):
/// - `inline`: inside each turn, folded or open (Tab folds);
/// - `split`: the conversation on the left with each turn's reasoning as its one-line
///   summary, and the focused turn's reasoning in a pane on the right;
/// - `auto` (the default): `split` from `autoSplitWidth` columns, `inline` below.
///
/// `split` needs `splitMinWidth` columns (half a screen each side is too narrow below
/// that to read); a narrower terminal shows `inline` whatever the setting.
public enum ReasoningLayout: String, Sendable, CaseIterable {
    case inline, split, auto

    /// Columns from which `auto` splits.
    static let autoSplitWidth = 160
    /// Columns below which even `split` shows the reasoning inline.
    static let splitMinWidth = 60

    /// Whether a terminal `width` columns wide shows the split view.
    func isSplit(width: Int) -> Bool {
        switch self {
        case .inline: return false
        case .split: return width >= Self.splitMinWidth
        case .auto: return width >= Self.autoSplitWidth
        }
    }

    /// What `/layout` says: the setting and, when it differs, the view in effect now.
    func describe(width: Int) -> String {
        let now = isSplit(width: width) ? "split" : "inline"
        switch self {
        case .inline: return "layout inline: reasoning folded into each turn"
        case .split:
            return isSplit(width: width) ? "layout split: reasoning of the focused turn on the right"
                : "layout split (inline below \(Self.splitMinWidth) columns; now \(width))"
        case .auto:
            return "layout auto: split from \(Self.autoSplitWidth) columns, inline below (now \(now))"
        }
    }
}
