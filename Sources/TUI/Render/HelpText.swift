/// The key and command reference: the one source for the help overlay (F1 or `?`),
/// `ponder help keys`, and the test that checks the man page against it. The commands
/// are the registry's (`SlashCommand.registry`).
public enum HelpText {
    /// One row: key names (each a whole key, as `KeySpec` shows it) and what they do.
    struct Row: Equatable {
        var keys: [String]
        var text: String
    }

    /// Keys that are not actions: sending, new lines, the wheel, the line editor.
    static let fixedBefore: [Row] = [
        Row(keys: ["Enter"], text: "send (after a trailing \\: new line)"),
        Row(keys: ["Alt-Enter"], text: "new line"),
    ]
    static let fixedAfter: [Row] = [
        Row(keys: ["mouse wheel"], text: "scroll"),
        Row(keys: ["Up", "Ctrl-P"], text: "previous input (history)"),
        Row(keys: ["Down", "Ctrl-N"], text: "next input (history)"),
        Row(keys: ["Left", "Ctrl-B"], text: "back a character"),
        Row(keys: ["Right", "Ctrl-F"], text: "forward a character"),
        Row(keys: ["Alt-B", "Alt-F"], text: "back, forward a word"),
        Row(keys: ["Ctrl-A", "Ctrl-E"], text: "start, end of the line"),
        Row(keys: ["Backspace", "Ctrl-H"], text: "delete back"),
        Row(keys: ["Delete", "Ctrl-D"], text: "delete forward"),
        Row(keys: ["Ctrl-K", "Ctrl-U"], text: "kill to the end, to the start"),
        Row(keys: ["Ctrl-W", "Alt-D"], text: "kill a word back, forward"),
        Row(keys: ["Ctrl-Y"], text: "yank the killed text"),
    ]

    /// Every key row with the bindings in effect.
    static func keyRows(_ b: KeyBindings) -> [Row] {
        fixedBefore
            + KeyAction.allCases.map { Row(keys: b.keys(of: $0).map(KeySpec.name), text: $0.summary) }
            + fixedAfter
    }

    /// The overlay's lines: keys, then slash commands, as two-column tables.
    static func lines(_ b: KeyBindings = .defaults) -> [String] {
        let keys = keyRows(b).map { ($0.keys.isEmpty ? "(none)" : $0.keys.joined(separator: ", "), $0.text) }
        return ["Keys"] + table(keys) + ["", "Commands"] + commandLines()
    }

    /// The slash commands as a two-column table (the line mode's /help): every form of
    /// every registry entry, in the registry's order.
    static func commandLines() -> [String] { table(SlashCommand.registry.flatMap(\.helpRows)) }

    /// Rows as two columns, the second aligned one column-width apart from the widest first.
    static func table(_ rows: [(String, String)]) -> [String] {
        let w = rows.map { CharWidth.of($0.0) }.max() ?? 0
        return rows.map { $0.0 + String(repeating: " ", count: w - CharWidth.of($0.0) + 2) + $0.1 }
    }

    /// The reference as plain text, for `ponder help keys`.
    public static func text(_ b: KeyBindings = .defaults) -> String {
        lines(b).joined(separator: "\n") + "\n"
    }

    /// Every key name the default reference shows, one per key.
    static var defaultKeyNames: [String] { keyRows(.defaults).flatMap(\.keys) }
}
