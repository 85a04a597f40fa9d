import Foundation
import Session
import TUI

/// `ponder help keys` (any case): the chat's keys, with the bindings of keys.toml in
/// effect, and its slash commands (from `SlashCommand.registry`) — the same text as the
/// help overlay. swift-argument-parser owns `help` and would take KEYS for a subcommand
/// name, so `Ponder.main` looks for exactly these two words before it parses anything.
enum KeysHelp {
    /// Whether `arguments` (without the program name) ask for the keys.
    static func isRequested(_ arguments: [String]) -> Bool {
        arguments.count == 2 && arguments[0] == "help" && arguments[1].lowercased() == "keys"
    }

    /// Prints the reference; warnings about keys.toml go to standard error.
    static func run() {
        let (bindings, warnings) = KeyBindings.load(KeyBindings.defaultURL())
        for w in warnings { TerminalOutput.warn("warning: \(w)") }
        FileHandle.standardOutput.write(Data(HelpText.text(bindings).utf8))
    }
}
