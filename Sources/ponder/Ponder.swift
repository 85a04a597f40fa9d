import ArgumentParser

/// `ponder`: the root command. With no subcommand it starts the chat (`ponder chat`).
@main
struct Ponder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ponder",
        abstract: "Talk to a local reasoning model in your terminal.",
        discussion: """
            Ponder runs GGUF models (llama architecture) in-process on the CPU.
            With no subcommand, `ponder` starts the chat on the default model.
            See ponder(1) for keys, slash commands, files and environment variables.
            """,
        version: "0.1.0",
        subcommands: [
            ChatCommand.self, RunCommand.self, ReplayCommand.self, ExportCommand.self,
            BenchCommand.self, PerplexityCommand.self, InspectCommand.self, TokenizeCommand.self,
            JournalStressCommand.self,
        ],
        defaultSubcommand: ChatCommand.self
    )
}
