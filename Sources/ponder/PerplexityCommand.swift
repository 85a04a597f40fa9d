import ArgumentParser

struct PerplexityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Compute perplexity of a model over a text file.")

    func run() async throws {
        throw CLIError("`ponder perplexity` is not implemented yet")
    }
}
