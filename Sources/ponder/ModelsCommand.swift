import ArgumentParser
import Chat
import Foundation
import Remote
import Session

/// `ponder models --server URL`: what an OpenAI-compatible server serves.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models an OpenAI-compatible server serves.",
        discussion: """
            Asks the server (--server, else $PONDER_SERVER) for its models (GET /v1/models) \
            and prints one name per line: the names --served-model takes.
            """)

    @OptionGroup var serverOptions: ServerOptions

    func run() async throws {
        guard let client = try serverOptions.client() else {
            throw CLIError("name a server: --server URL (or PONDER_SERVER, or server in ~/.config/ponder/config.toml)")
        }
        let names: [String]
        do { names = try await client.models() } catch { throw CLIError("\(client.endpoint.display): \(error)") }
        var out = TerminalOutput.standardOutput
        for n in names { out.write(n + "\n") }
    }
}
