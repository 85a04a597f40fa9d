import ArgumentParser
import Chat
import Foundation
import Session
import Engine
import TUI

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Start the chat (full screen, line mode, or a pipe).",
        discussion: """
            With a terminal on both standard input and output, the full-screen chat starts. \
            The line mode (GNU readline: keys from ~/.inputrc, Tab completion, the same input \
            history and slash commands as the full screen) starts with --line, when $TERM is \
            dumb, unset or empty, or when standard input is a terminal but standard output is \
            not; there the answer goes to standard output and the reasoning, labelled and \
            dimmed, to the terminal. Without a terminal on standard input Ponder chats line by \
            line from the pipe: each line read is one message, the answer goes to standard \
            output and the reasoning to standard error, with no escape codes; a line starting \
            with / is a slash command, as in the full-screen chat.

            Every turn is journaled to $XDG_DATA_HOME/ponder/sessions/ as it happens. With \
            --save-kv the KV cache is saved beside the journal too (NAME.jsonl.kv), and \
            --resume or /load of that journal reads it back when it matches the model and the \
            conversation (one notice line says it was used, or why it was refused).

            Model text written to a terminal has control characters and escape sequences \
            removed; to a file or a pipe it is written byte for byte.
            """)

    @Option(name: .long, help: "Model file (GGUF, llama architecture). Default: SmolLM2-135M-Instruct from the cache.")
    var model: String?

    @Option(name: .long, help: "Reasoning for the first turn: on or off (a model without a reasoning mode is always off).")
    var think: String = "on"

    @Option(name: .long, help: "Context length in tokens (default: the model's, at most 8192).")
    var ctx: Int?

    @Option(name: .long, help: "Chat format: llama3, chatml, deepseek or plain (default: detected from the model).")
    var chatFormat: String?

    @Option(name: .long, help: "Reasoning profile: nemotron, qwen3, deepseek-r1 or none (default: detected from the model).")
    var reasoningProfile: String?

    @Option(name: .long, help: "System prompt, sent after the reasoning switch.")
    var system: String?

    @Option(name: .long, help: "Reasoning budget in tokens (then the model must answer).")
    var thinkBudget: Int?

    @Option(name: .long, help: "Least reasoning in tokens: an earlier close is replaced by the profile's cue (\"Wait,\").")
    var thinkMin: Int?

    @Option(name: .long, help: "Base random seed (turn i uses seed + i).")
    var seed: UInt64?

    @Option(name: .long, help: ArgumentHelp(
        "Continue a saved session (a .json document or a .jsonl journal) with its settings, except those given as flags here; `last`: the newest in the sessions folder.",
        valueName: "FILE|last"))
    var resume: String?

    @Option(name: .long, help: "Save the session document to this path when the chat ends.")
    var save: String?

    @Option(name: .long, help: "Color theme: default, light, solarized-dark, mono, or one of yours.")
    var theme: String = "default"

    @Option(name: .long, help: "Speculative decoding's drafts: \(DraftMode.choices) (default ngram: prompt lookup; replies are the same either way).")
    var draft: String = DraftMode.ngram.name

    @Flag(name: .long, help: "Never end a reply at the model's end-of-turn token: run to --max-tokens (for benchmarks and tests of long replies).")
    var ignoreEos = false

    @Flag(name: .long, help: "Do not journal the session to disk.")
    var noJournal = false

    @Flag(name: .long, help: ArgumentHelp(
        "Save the KV cache beside the journal (NAME.jsonl.kv) when each turn ends, so --resume and /load continue without re-reading the conversation.",
        discussion: "Costs disk: about 22.5 KiB per token for SmolLM2-135M, 128 KiB for a 4B model."))
    var saveKv = false

    @Flag(name: .long, help: "Line mode (GNU readline) instead of the full screen: for screen readers, Emacs and dumb terminals.")
    var line = false

    @OptionGroup(title: "A model on a server")
    var serverOptions: ServerOptions

    @OptionGroup(title: "Sampling (presets: THINKING temperature 0.6, top-p 0.95; DIRECT greedy)")
    var sampling: ChatSamplingOptions

    /// Development aid: the full-screen UI over `EchoDriver` (no model).
    @Flag(help: .hidden) var demo = false

    /// Development aid: seconds between the demo's streamed pieces (UI tests slow it down,
    /// so that a key meant for a running turn finds it running on a loaded machine).
    @Option(name: .long, help: .hidden) var demoDelay: Double = 0.05

    func validate() throws {
        guard think == "on" || think == "off" else { throw ValidationError("--think must be on or off") }
        if let c = ctx, c < 16 { throw ValidationError("--ctx must be at least 16") }
        if let b = thinkBudget, b < 1 { throw ValidationError("--think-budget must be at least 1") }
        if let b = thinkMin, b < 1 { throw ValidationError("--think-min must be at least 1") }
        guard demoDelay >= 0, demoDelay <= 10 else { throw ValidationError("--demo-delay must be 0 to 10 seconds") }
        try checkDraftName(draft)
        if saveKv && noJournal { throw ValidationError("--save-kv saves the KV cache beside the journal; it cannot go with --no-journal") }
        if saveKv, (try? serverOptions.serverURL) != nil { throw ValidationError("--save-kv needs a local model; a server keeps its own cache") }
    }

    /// How the chat talks to the user.
    enum Mode: Equatable { case fullScreen, line, plain }

    /// The rule: no terminal on standard input → plain (pipes stay as they were, even
    /// with --line); else the line mode with --line, when standard output is not a
    /// terminal, or when $TERM is dumb, unset or empty; else the full screen.
    static func chatMode(line: Bool, stdinIsTerminal: Bool, stdoutIsTerminal: Bool, term: String?) -> Mode {
        guard stdinIsTerminal else { return .plain }
        if line || !stdoutIsTerminal { return .line }
        guard let term, !term.isEmpty, term != "dumb" else { return .line }
        return .fullScreen
    }

    func run() async throws {
        let chatMode = Self.chatMode(line: line, stdinIsTerminal: isatty(0) == 1, stdoutIsTerminal: isatty(1) == 1,
                                     term: ProcessInfo.processInfo.environment["TERM"])
        let mode: ReasoningMode = think == "on" ? .on : .off
        if demo {
            let echo = EchoDriver(delay: demoDelay)
            if chatMode == .line {
                await LineChat.run(driver: echo, mode: mode, history: LineHistory())
            } else {
                // Without a terminal on stdin this is the one-line "needs a terminal" error.
                do { try await runTUI(driver: echo, config: TUIConfig()) } catch let e as TUIError {
                    throw CLIError(e.description)
                }
            }
            return
        }
        // --save never replaces a file: refuse an existing one before any work, not after
        // the whole chat (the final save checks again, race-free).
        if let save, FileManager.default.fileExists(atPath: (save as NSString).expandingTildeInPath) {
            throw CLIError("\(save) already exists; not overwriting it (choose another --save path)")
        }
        _ = try reasoningProfileOverride(reasoningProfile)
        let fullScreen = chatMode == .fullScreen
        // The K-quant decode copies are made in the background at the lowest CPU priority
        // while the chat is already up (SessionDriver, WeightLoading): a resumed chat
        // answers at once on the file's layout, with the same tokens.
        let repack = WeightLoading.repackMode
        // The session first: a bad file is refused before the model is read.
        var resumed: LoadedSession?
        if let resume {
            let url: URL
            if resume == "last", !FileManager.default.fileExists(atPath: resume) {
                guard let newest = SessionIndex.newest() else {
                    throw CLIError("--resume last: no sessions in \(SessionPaths.sessionsDirectory().path)")
                }
                url = newest.url
            } else {
                url = URL(fileURLWithPath: resume)
            }
            do { resumed = try SessionLoader.load(url) } catch {
                throw CLIError("\(error)")
            }
        }
        let target: ChatTarget
        if let url = try serverOptions.serverURL {
            if model != nil { throw CLIError("--model and --server name two models; give one") }
            if ignoreEos { throw CLIError("--ignore-eos needs a model run here (--model); a server ends its replies itself") }
            target = .remote(try await ServedModel.open(url: url, name: try serverOptions.servedModelName, keyFile: try serverOptions.keyFile,
                                                        reasoningProfile: reasoningProfile))
        } else {
            let path = try model ?? Self.defaultModel()
            var local = try LoadedModel.open(path: path, contextSize: ctx, chatFormat: chatFormat,
                                             reasoningProfile: reasoningProfile, repack: repack,
                                             loadInBackground: !fullScreen)
            local.drafting = try draftMode(draft, target: local.model)
            local.ignoreEndOfTurn = ignoreEos
            target = .local(local)
        }
        // A resumed session keeps its own settings, except where a flag is given: what the
        // command line asks for wins, and one notice names the flags that changed it.
        var settings = resumed?.document.settings ?? SessionSettings()
        settings.profile = target.profile
        if let system { settings.systemPrompt = system }
        if let thinkBudget { settings.thinkBudget = thinkBudget }
        if thinkMin != nil, let why = SessionDriver.noThinkMore(target: target, profile: target.profile) {
            throw CLIError("--think-min: " + why)
        }
        if let thinkMin { settings.thinkMin = thinkMin }
        if let seed { settings.seed = seed }
        sampling.apply(to: &settings)
        var notices = fullScreen ? target.warnings : []
        let overrides = [("--system", system != nil), ("--think-budget", thinkBudget != nil), ("--think-min", thinkMin != nil),
                         ("--seed", seed != nil)].filter(\.1).map(\.0) + sampling.given
        if resumed != nil, !overrides.isEmpty {
            notices.append("the resumed session's settings are changed by \(overrides.joined(separator: ", "))")
        }
        // What the engine's kernels run with (PONDER_THREADS, else the physical cores).
        let driver = try SessionDriver(target: target, settings: settings, threads: engineThreadCount,
                                       journal: !noJournal, resume: resumed, loadWeights: fullScreen,
                                       notices: notices, saveKV: saveKv)
        // A model without a reasoning mode starts (and stays) DIRECT.
        let firstMode: ReasoningMode = target.profile.hasReasoningMode ? mode : .off
        switch chatMode {
        case .fullScreen:
            var config = TUIConfig()
            config.theme = theme
            config.initialMode = firstMode
            do { try await runTUI(driver: driver, config: config) } catch let e as TUIError {
                await driver.shutdown()
                throw CLIError(e.description)
            }
        case .line:
            for w in target.warnings { TerminalOutput.warn("warning: \(w)") }
            await LineChat.run(driver: driver, mode: firstMode, history: LineHistory())
        case .plain:
            for w in target.warnings { TerminalOutput.warn("warning: \(w)") }
            await PlainChat.run(driver: driver, mode: firstMode)
        }
        if let save {
            await driver.waitUntilIdle()
            if case .failed(let m) = await driver.perform(.save(path: save)) { throw CLIError(m) }
        }
        await driver.shutdown()
    }

    /// `defaultModelPath()` when no `--model` was given; when that file is missing, an
    /// error that says how to fetch it.
    static func defaultModel() throws -> String {
        let path = defaultModelPath()
        if FileManager.default.fileExists(atPath: path) { return path }
        if let m = ProcessInfo.processInfo.environment["PONDER_MODEL"], !m.isEmpty {
            throw CLIError("\(m): no such file (from PONDER_MODEL)")
        }
        throw CLIError("no model given and the default model is missing (\(path)); "
            + "fetch it with scripts/setup.sh from the Ponder source folder, or pass --model FILE.gguf")
    }

    /// `$PONDER_MODEL`, else the default model in the cache (`scripts/setup.sh` puts it there).
    static func defaultModelPath() -> String {
        let env = ProcessInfo.processInfo.environment
        if let m = env["PONDER_MODEL"], !m.isEmpty { return m }
        let cache = env["PONDER_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 + "/ponder" })
            ?? (NSHomeDirectory() + "/.cache/ponder")
        return cache + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    }
}
