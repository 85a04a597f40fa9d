/// The semantic role of a cell; a theme maps each role to colors and attributes.
public enum Role: String, Sendable, CaseIterable {
    case text, user, assistant, reasoning, code, stats, border, error, selection
}

/// Attributes on top of the role's colors (kept even on monochrome terminals).
public struct Attr: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attr(rawValue: 1)
    public static let underline = Attr(rawValue: 2)
    public static let reverse = Attr(rawValue: 4)
    public static let dim = Attr(rawValue: 8)
    public static let italic = Attr(rawValue: 16)
}

/// How one cell (or a run of text) is drawn.
public struct Style: Sendable, Hashable {
    public var role: Role
    public var attr: Attr
    public init(_ role: Role, _ attr: Attr = []) { self.role = role; self.attr = attr }
    static let text = Style(.text)
}

/// One terminal cell. A 2-column character occupies its cell and the next, which is a
/// `continuation` (drawn by nobody; it only keeps the grid rectangular).
public struct Cell: Sendable, Hashable {
    public var ch: Character
    public var style: Style
    public var continuation: Bool
    public init(_ ch: Character, _ style: Style, continuation: Bool = false) {
        self.ch = ch; self.style = style; self.continuation = continuation
    }
    static let blank = Cell(" ", .text)
}

/// A styled grapheme cluster in laid-out text.
struct StyledChar: Sendable, Hashable {
    var ch: Character
    var style: Style
    init(_ ch: Character, _ style: Style) { self.ch = ch; self.style = style }
}

/// A styled line before it is placed on the screen (width ≤ the pane width).
typealias StyledLine = [StyledChar]

/// A whole frame: `height` rows of `width` cells, plus where the cursor goes.
/// Invariant: every row has exactly `width` cells.
public struct Screen: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var rows: [[Cell]]
    /// Cursor position (row, column), or nil to hide it.
    public var cursor: (row: Int, col: Int)?

    public init(width: Int, height: Int) {
        self.width = max(0, width); self.height = max(0, height)
        rows = Array(repeating: Array(repeating: Cell.blank, count: self.width), count: self.height)
    }

    public static func == (a: Screen, b: Screen) -> Bool {
        a.width == b.width && a.height == b.height && a.rows == b.rows
            && a.cursor?.row == b.cursor?.row && a.cursor?.col == b.cursor?.col
    }

    /// Writes `line` at `row` from column `col`, clipping at the right edge. A wide
    /// character that would straddle the edge is replaced by a space. Returns the next column.
    @discardableResult
    mutating func put(_ line: StyledLine, row: Int, col: Int = 0) -> Int {
        guard row >= 0, row < height else { return col }
        var x = col
        for sc in line {
            let w = CharWidth.of(sc.ch)
            if x + w > width {
                if x < width { rows[row][x] = Cell(" ", sc.style) }
                return width
            }
            if x >= 0 {
                rows[row][x] = Cell(sc.ch, sc.style)
                if w == 2 { rows[row][x + 1] = Cell(" ", sc.style, continuation: true) }
            }
            x += w
        }
        return x
    }

    /// Writes plain `text` in one style (see `put(_:row:col:)`).
    @discardableResult
    mutating func put(_ text: String, _ style: Style, row: Int, col: Int = 0) -> Int {
        put(text.map { StyledChar($0, style) }, row: row, col: col)
    }

    /// Sets the style of a whole row's blank cells' background role (e.g. the stats bar).
    mutating func fill(row: Int, style: Style) {
        guard row >= 0, row < height else { return }
        for x in 0..<width { rows[row][x] = Cell(" ", style) }
    }

    /// Row `r` as text, continuation cells skipped and trailing spaces trimmed
    /// (for tests and for debugging).
    public func text(_ r: Int) -> String {
        var s = ""
        for c in rows[r] where !c.continuation { s.append(c.ch) }
        while s.last == " " { s.removeLast() }
        return s
    }

    /// All rows as text (see `text(_:)`).
    public var lines: [String] { (0..<height).map(text) }
}
