import ArgumentParser

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Play a saved session back.")

    func run() async throws {
        throw CLIError("`ponder replay` is not implemented yet")
    }
}
