import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure prompt-processing and generation speed.",
        subcommands: [TokenizerBenchCommand.self])

    func run() async throws {
        throw CLIError("`ponder bench` is not implemented yet")
    }
}
