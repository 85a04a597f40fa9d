/// The drawing characters of the UI: Unicode, or plain ASCII when the locale is not UTF-8.
public struct Glyphs: Sendable, Equatable {
    var bullet: String
    var collapsed: String      // reasoning folded
    var expanded: String       // reasoning open
    var gutter: String         // left of reasoning lines
    var separator: String      // between stats segments
    var barFull: Character
    var barEmpty: Character
    var ellipsis: String
    var newline: String        // a newline inside the input line
    var dash: String
    var box: (h: Character, v: Character, tl: Character, tr: Character, bl: Character, br: Character)

    public static func == (a: Glyphs, b: Glyphs) -> Bool { a.bullet == b.bullet && a.gutter == b.gutter }

    /// Box drawing and symbols (UTF-8 terminals).
    public static let unicode = Glyphs(
        bullet: "•", collapsed: "▸", expanded: "▾", gutter: "┊", separator: "│",
        barFull: "█", barEmpty: "░", ellipsis: "…", newline: "↵", dash: "—",
        box: ("─", "│", "┌", "┐", "└", "┘"))

    /// 7-bit fallback for non-UTF-8 locales.
    public static let ascii = Glyphs(
        bullet: "*", collapsed: ">", expanded: "v", gutter: "|", separator: "|",
        barFull: "#", barEmpty: ".", ellipsis: "...", newline: "\\", dash: "-",
        box: ("-", "|", "+", "+", "+", "+"))
}
