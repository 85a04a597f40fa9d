import ArgumentParser

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a GGUF file's metadata and tensors.")

    func run() async throws {
        throw CLIError("`ponder inspect` is not implemented yet")
    }
}
