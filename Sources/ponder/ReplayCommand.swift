import ArgumentParser
import Foundation
import Session

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Play a saved session back.",
        discussion: """
            FILE is a session document (/save, --save) or a journal from the sessions \
            folder. Reasoning and answer are played at the recorded speed, or SPEED times it.
            """)

    @Argument(help: "A session file (.json) or journal (.jsonl).")
    var file: String

    @Option(help: "Play back this many times as fast as recorded (e.g. 2, 0.5).")
    var speed: Double = 1

    @Flag(help: "Plain text on standard output instead of the full-screen view.")
    var plain = false

    @Flag(help: "Re-run the user turns through the current model and compare the replies.")
    var regenerate = false

    func validate() throws {
        guard speed.isFinite, speed > 0 else { throw ValidationError("--speed must be a positive number") }
    }

    func run() async throws {
        if regenerate {
            // Needs the Engine; wired by the lead once the engine is on main.
            throw CLIError("--regenerate needs the inference engine, which is not wired into ponder yet")
        }
        let loaded = try loadSession(file)
        // The full-screen replay belongs to the TUI; until it is wired, plain text.
        try await PlainReplay(speed: speed).play(loaded.document) { text in
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}

/// Loads a session or journal, printing warnings to stderr; errors become one line.
func loadSession(_ path: String) throws -> LoadedSession {
    do {
        let loaded = try SessionLoader.load(URL(fileURLWithPath: path))
        for w in loaded.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        return loaded
    } catch let e as SessionLoadError {
        throw CLIError(e.description)
    }
}
