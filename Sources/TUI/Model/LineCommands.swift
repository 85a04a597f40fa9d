import Session

/// Slash commands for the chats without a screen (`echo … | ponder`, and the readline
/// line mode): the full-screen chat's own registry (`SlashCommand.registry`, which also
/// says which commands need the screen) and handler (`run`), over a state that has no
/// screen. What the handler would draw (a notice, an overlay) comes back as lines to
/// print; what it asks of the session comes back as `DriverCommand`s.
public enum LineCommands {
    /// What one command line came to.
    public struct Outcome: Sendable, Equatable {
        /// Reasoning mode for the next turns (changed by `/think`).
        public var mode: ReasoningMode
        /// Requests for the session, in order.
        public var driver: [DriverCommand] = []
        /// Text to show (an overlay's title and lines, a notice).
        public var lines: [String] = []
        /// A one-line error (bad command, or one the line mode cannot do).
        public var error: String?
        public var quit = false
        /// Whether reasoning is to be printed from now on (`/reasoning show|hide`), if set.
        public var showReasoning: Bool?
    }

    /// True when `line` is a command: its first non-space character is "/".
    public static func isCommand(_ line: String) -> Bool {
        line.drop(while: { $0 == " " }).hasPrefix("/")
    }

    /// Parses and runs `line`. `status` and `lastStats` feed `/model` and `/stats`;
    /// `/help` shows the commands and then `helpKeys`, the keys of the caller's mode (the
    /// full screen's keys do not apply there).
    public static func run(_ line: String, mode: ReasoningMode, status: DriverStatus,
                           lastStats: TurnStats?, helpKeys: [String] = []) -> Outcome {
        var out = Outcome(mode: mode)
        let command: SlashCommand
        switch SlashCommand.parseWithSpec(line) {
        case .failure(let e): out.error = e.message; return out
        case .success(let p) where p.spec.fullScreenOnly:
            out.error = "\(line.trimmingCharacters(in: .whitespaces)) works in the full-screen chat only"
            return out
        case .success(let p): command = p.command
        }
        switch command {
        case .help:
            out.lines = ["Commands"] + HelpText.commandLines().map { "  " + $0 } + helpKeys
            return out
        case .reasoning(let show): out.showReasoning = show
        default: break
        }
        var s = UIState()
        s.mode = mode
        s.status = status
        s.liveStats = lastStats
        var fx: [Effect] = []
        TUI.run(command, &s, &fx)
        out.mode = s.mode
        if let o = s.overlay { out.lines = [o.title] + o.lines.map { "  " + $0 } }
        if let n = s.notice {
            if n.isError { out.error = n.text } else { out.lines.append(n.text) }
        }
        for e in fx {
            switch e {
            case .driver(let d): out.driver.append(d)
            case .quit: out.quit = true
            case .copy, .loadTheme: out.error = "\(line.trimmingCharacters(in: .whitespaces)) works in the full-screen chat only"
            default: break
            }
        }
        return out
    }
}
