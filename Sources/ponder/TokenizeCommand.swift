import ArgumentParser

struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text.")

    func run() async throws {
        throw CLIError("`ponder tokenize` is not implemented yet")
    }
}
