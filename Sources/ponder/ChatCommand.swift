import ArgumentParser
import TUI

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Start the full-screen chat (default).")

    /// Development aid: the full-screen UI over `EchoDriver` (no model).
    @Flag(help: .hidden) var demo = false

    func run() async throws {
        if demo {
            do {
                try await runTUI(driver: EchoDriver(), config: TUIConfig())
            } catch let e as TUIError {
                throw CLIError(e.description)
            }
            return
        }
        throw CLIError("`ponder chat` is not implemented yet")
    }
}
