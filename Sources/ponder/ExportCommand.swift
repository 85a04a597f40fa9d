import ArgumentParser
import Chat
import Foundation
import Session

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a saved session as a Markdown transcript.",
        discussion: """
            To a terminal, the transcript has control characters and escape sequences \
            removed; to a file (--output) or a pipe it holds the session's text byte for byte.
            """)

    @Argument(help: "A session file (.json) or journal (.jsonl).")
    var file: String

    @Flag(help: "Markdown, with the reasoning in collapsible <details> blocks (the only format).")
    var markdown = false

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    @Flag(help: "Replace OUTPUT if it exists.")
    var force = false

    func validate() throws {
        guard markdown else { throw ValidationError("say which format: --markdown") }
    }

    func run() async throws {
        let loaded = try loadSession(file)
        let text = MarkdownExport.render(loaded.document)
        guard let output else {
            var out = TerminalOutput.standardOutput
            out.write(text)
            return
        }
        do {
            try AtomicFile.write(Array(text.utf8), to: URL(fileURLWithPath: output), overwrite: force)
        } catch let e as SessionIOError {
            throw CLIError(e.description + (force ? "" : " (use --force to replace it)"))
        }
    }
}
