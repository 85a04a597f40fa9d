import ArgumentParser

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Stream one reply to stdout (no TUI).")

    func run() async throws {
        throw CLIError("`ponder run` is not implemented yet")
    }
}
