/// The lines of the help overlay (F1 or `?`): every key, then every slash command.
enum HelpText {
    static let keys: [(String, String)] = [
        ("Enter", "send"),
        ("Alt-Enter, \\ Enter", "new line"),
        ("Ctrl-T, F2", "thinking on/off"),
        ("Esc, Ctrl-C", "stop generating"),
        ("Ctrl-C twice, Ctrl-D", "quit"),
        ("Tab", "fold/unfold reasoning"),
        ("Shift-Tab", "fold/unfold all"),
        ("PgUp PgDn wheel", "scroll"),
        ("Home, End", "top, follow end"),
        ("Ctrl-S", "save"),
        ("Ctrl-R", "regenerate reply"),
        ("Ctrl-E", "edit last message"),
        ("Ctrl-L", "redraw"),
        ("Ctrl-Z", "suspend"),
        ("Up, Down", "input history"),
        ("Ctrl-A/E/K/U/W/Y", "line editing"),
        ("F1, ?", "this help"),
    ]

    static var lines: [String] {
        func table(_ rows: [(String, String)]) -> [String] {
            let w = rows.map { CharWidth.of($0.0) }.max() ?? 0
            return rows.map { $0.0 + String(repeating: " ", count: w - CharWidth.of($0.0) + 2) + $0.1 }
        }
        return ["Keys"] + table(keys) + ["", "Commands"] + table(SlashCommand.usage)
    }
}
