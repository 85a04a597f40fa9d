/// A user-facing error: one line, says what is wrong and, where possible, what to do.
/// ArgumentParser prints it as `Error: <message>` and exits with status 1.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
