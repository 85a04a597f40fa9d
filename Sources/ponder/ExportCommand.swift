import ArgumentParser

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a saved session as a Markdown transcript.")

    func run() async throws {
        throw CLIError("`ponder export` is not implemented yet")
    }
}
