import Session

/// A user-facing error: one line, says what is wrong and, where possible, what to do.
/// ArgumentParser prints it as `Error: <message>` and exits with status 1. The message
/// may quote a file or a model (a session's magic, a path), so it is kept free of
/// control characters and escape sequences wherever it is printed.
public struct CLIError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = TerminalText.sanitize(message) }
    public var description: String { message }
}
