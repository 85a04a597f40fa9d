import ArgumentParser

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Start the full-screen chat (default).")

    func run() async throws {
        throw CLIError("`ponder chat` is not implemented yet")
    }
}
