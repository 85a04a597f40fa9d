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
            `ponder help keys` lists the chat's keys and slash commands; see ponder(1) for
            those, files and environment variables.
            """,
        version: "0.1.0",
        subcommands: [
            ChatCommand.self, RunCommand.self, ReplayCommand.self, ExportCommand.self, SessionsCommand.self,
            BenchCommand.self, PerplexityCommand.self, InspectCommand.self, TokenizeCommand.self,
            ModelsCommand.self, JournalStressCommand.self,
        ],
        defaultSubcommand: ChatCommand.self
    )

    /// `ponder help keys` first (see `KeysHelp`), then the usual parse and run.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if KeysHelp.isRequested(arguments) { KeysHelp.run(); return }
        await main(arguments)
    }
}
