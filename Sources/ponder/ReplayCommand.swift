import ArgumentParser
import Chat
import Foundation
import Session
import TUI

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Play a saved session back.",
        discussion: """
            FILE is a session document (/save, --save) or a journal from the sessions \
            folder. Reasoning and answer are played at the recorded speed, or SPEED times it, \
            full screen when standard input and output are a terminal (q quits, space \
            pauses, Tab folds reasoning), else as plain text. Plain text written to a \
            terminal has control characters and escape sequences removed; to a file or a \
            pipe it is written byte for byte.
            """)

    @Argument(help: "A session file (.json) or journal (.jsonl).")
    var file: String

    @Option(help: "Play back this many times as fast as recorded (e.g. 2, 0.5).")
    var speed: Double = 1

    @Flag(help: "Plain text on standard output instead of the full-screen view.")
    var plain = false

    @Flag(help: "Re-run the user turns through the model and report, per turn, whether the reply is identical.")
    var regenerate = false

    @Option(help: "Model for --regenerate (default: the default model).")
    var model: String?

    @Option(help: "Context length for --regenerate (default: the model's, at most 8192).")
    var ctx: Int?

    @OptionGroup(title: "Regenerating a session that ran on a server")
    var serverOptions: ServerOptions

    @Option(help: "Reasoning profile for --regenerate: nemotron, qwen3, deepseek-r1 or none (default: the one recorded on each turn).")
    var reasoningProfile: String?

    func validate() throws {
        guard speed.isFinite, speed > 0 else { throw ValidationError("--speed must be a positive number") }
    }

    func run() async throws {
        if regenerate {
            try await runRegenerate()
            return
        }
        let loaded = try loadSession(file)
        if !plain && isatty(0) == 1 && isatty(1) == 1 {
            do {
                try await runReplay(loaded.document, speed: speed, config: TUIConfig())
                return
            } catch let e as TUIError {
                // No usable terminal after all (e.g. an unknown $TERM): plain text instead.
                TerminalOutput.warn("warning: \(e.description); replaying as plain text")
            }
        }
        var out = TerminalOutput.standardOutput
        try await PlainReplay(speed: speed).play(loaded.document) { out.write($0) }
    }
}

extension ReplayCommand {
    /// Re-runs every recorded turn with its recorded mode, sampler and seed on the model;
    /// prints one line per turn and exits non-zero when any reply differs.
    func runRegenerate() async throws {
        let override = try reasoningProfileOverride(reasoningProfile)
        let session = try loadSession(file)
        let doc = session.document
        let target: ChatTarget
        if let url = try serverOptions.serverURL {
            if model != nil { throw CLIError("--model and --server name two models; give one") }
            // The served model recorded in the session, unless another is named.
            let recorded = doc.model?.server != nil ? doc.model?.fileName : nil
            target = .remote(try await ServedModel.open(url: url, name: try serverOptions.servedModelName ?? recorded, keyFile: try serverOptions.keyFile,
                                                        reasoningProfile: reasoningProfile))
        } else {
            if let server = doc.model?.server, model == nil {
                throw CLIError("this session ran on \(server) (model \(doc.model?.fileName ?? "?")); "
                               + "regenerating it needs a server: --server URL (or --model FILE for a local model)")
            }
            // A server's session carries no chat format of its own: the file's is detected.
            let chatFormat = doc.model?.server == nil ? doc.chatFormat : nil
            target = .local(try LoadedModel.open(path: model ?? ChatCommand.defaultModel(), contextSize: ctx,
                                                 chatFormat: chatFormat))
        }
        if let was = doc.model, let now = target.identity, let m = was.mismatch(with: now) {
            TerminalOutput.warn("warning: model mismatch: \(m)")
        }
        for w in target.warnings { TerminalOutput.warn("warning: \(w)") }
        let results = try await Regenerator.run(doc, backend: try target.makeBackend(), format: target.format,
                                                profile: override) { r in
            let what: String
            if r.identical { what = "identical" }
            else if r.recorded.tokens.isEmpty { what = "differs" }
            else { what = "differs from token \(r.firstDifference ?? 0)" }
            let size = r.recorded.tokens.isEmpty ? "" : ", \(r.recorded.tokens.count) tokens"
            print("turn \(r.index + 1) (\(r.recorded.mode == .on ? "thinking" : "direct")\(size)): \(what)")
        }
        let differing = results.filter { !$0.identical }.count
        print("\(results.count - differing) of \(results.count) turns identical")
        if differing > 0 { throw ExitCode(3) }
    }
}

/// Loads a session or journal, printing warnings to stderr; errors become one line.
func loadSession(_ path: String) throws -> LoadedSession {
    do {
        let loaded = try SessionLoader.load(URL(fileURLWithPath: path))
        for w in loaded.warnings { TerminalOutput.warn("warning: \(w)") }
        return loaded
    } catch let e as SessionLoadError {
        throw CLIError(e.description)
    }
}
