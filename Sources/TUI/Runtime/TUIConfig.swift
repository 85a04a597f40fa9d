import Foundation
import Session

/// Settings of the full-screen chat that do not come from the session.
public struct TUIConfig: Sendable {
    /// Theme name (built-in or in the user's theme directory).
    public var theme: String = "default"
    /// Reasoning mode for the first turn.
    public var initialMode: ReasoningMode = .on
    /// Report the mouse wheel (takes over the terminal's own selection; Shift-drag still selects).
    public var mouse: Bool = true
    /// Input history file; nil = do not persist. Default: `InputHistory.defaultURL()`.
    public var historyFile: URL? = InputHistory.defaultURL()
    /// Reasoning inline, beside the conversation, or beside it from 160 columns (the
    /// first `/layout`; the chat's own command changes it for the session).
    public var layout: ReasoningLayout = .auto
    /// Directory of user themes; nil = `ThemeLoader.userDirectory()`.
    public var themeDirectory: URL? = nil
    /// Key bindings file; nil = the default keys. Default: `KeyBindings.defaultURL()`.
    public var keysFile: URL? = KeyBindings.defaultURL()

    public init() {}
}

/// Why the full-screen chat could not run.
public struct TUIError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
