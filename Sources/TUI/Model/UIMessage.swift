import Session

/// A key as the runtime decodes it from ncurses (see `KeyReader`).
enum Key: Sendable, Hashable {
    case char(Character)          // printable text, one grapheme cluster
    case ctrl(Character)          // Ctrl-letter, lower case ("a"..."z")
    case alt(Character)           // Alt/Meta + printable
    case enter, altEnter, backspace, delete, tab, backTab, escape
    case left, right, up, down, home, end, pageUp, pageDown
    case function(Int)            // F1...F12
    case wheelUp, wheelDown
    case paste(String)            // a whole bracketed paste
}

/// Everything that can change the UI state.
enum UIMessage: Sendable, Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
    /// A session event, stamped with monotonic seconds on arrival.
    case session(SessionEvent, time: Double)
    /// Periodic clock (monotonic seconds) and sampled process memory.
    case tick(time: Double, rssBytes: Int?)
    /// The answer to a `DriverCommand` the UI issued.
    case commandResult(DriverCommand, DriverResult)
    /// Fresh stats-bar facts from the driver.
    case status(DriverStatus)
    /// Text composed in $EDITOR (Ctrl-G) replaces the input line.
    case composed(String)
    /// A message from the runtime itself (theme loaded, clipboard written, an error).
    case notice(String, isError: Bool)
}

/// Work `update` asks the runtime to do; the only way the pure core touches the world.
enum Effect: Sendable, Equatable {
    case send(String, ReasoningMode)
    case cancel
    case driver(DriverCommand)
    /// Put text on the clipboard via OSC 52.
    case copy(String)
    case loadTheme(String)
    /// Repaint every line (Ctrl-L).
    case redraw
    /// Stop the process (Ctrl-Z) and repaint on resume.
    case suspend
    /// Edit `text` in $EDITOR and send back `.composed` (Ctrl-G).
    case compose(String)
    /// Append a submitted line to the persisted input history.
    case appendHistory(String)
    case quit
}
