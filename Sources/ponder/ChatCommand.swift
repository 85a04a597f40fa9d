import ArgumentParser
import Foundation
import Session
import Engine
import TUI

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Start the full-screen chat (default).",
        discussion: """
            With a terminal on both standard input and output, the full-screen chat starts.
            Otherwise Ponder chats line by line: each line read is one message, the answer
            goes to standard output and the reasoning to standard error, with no escape codes.
            Every turn is journaled to $XDG_DATA_HOME/ponder/sessions/ as it happens.
            """)

    @Option(name: .long, help: "Model file (GGUF, llama architecture). Default: SmolLM2-135M-Instruct from the cache.")
    var model: String?

    @Option(name: .long, help: "Reasoning for the first turn: on or off.")
    var think: String = "on"

    @Option(name: .long, help: "Context length in tokens (default: the model's, at most 8192).")
    var ctx: Int?

    @Option(name: .long, help: "Chat format: llama3 or chatml (default: detected from the model).")
    var chatFormat: String?

    @Option(name: .long, help: "System prompt, sent after the reasoning switch.")
    var system: String?

    @Option(name: .long, help: "Reasoning budget in tokens (then the model must answer).")
    var thinkBudget: Int?

    @Option(name: .long, help: "Stop each reply after this many tokens (default: 4096; /set max_tokens changes it).")
    var maxTokens: Int?

    @Option(name: .long, help: "Base random seed (turn i uses seed + i).")
    var seed: UInt64?

    @Option(name: .long, help: "Continue a saved session (a .json document or a .jsonl journal).")
    var resume: String?

    @Option(name: .long, help: "Save the session document to this path when the chat ends.")
    var save: String?

    @Option(name: .long, help: "Color theme: default, light, solarized-dark, mono, or one of yours.")
    var theme: String = "default"

    @Flag(name: .long, help: "Do not journal the session to disk.")
    var noJournal = false

    /// Development aid: the full-screen UI over `EchoDriver` (no model).
    @Flag(help: .hidden) var demo = false

    /// Development aid: seconds between the demo's streamed pieces (UI tests slow it down,
    /// so that a key meant for a running turn finds it running on a loaded machine).
    @Option(name: .long, help: .hidden) var demoDelay: Double = 0.05

    func validate() throws {
        guard think == "on" || think == "off" else { throw ValidationError("--think must be on or off") }
        if let c = ctx, c < 16 { throw ValidationError("--ctx must be at least 16") }
        if let b = thinkBudget, b < 1 { throw ValidationError("--think-budget must be at least 1") }
        if let m = maxTokens, !(1...(1 << 24)).contains(m) { throw ValidationError("--max-tokens must be 1 to 16777216") }
        guard demoDelay >= 0, demoDelay <= 10 else { throw ValidationError("--demo-delay must be 0 to 10 seconds") }
    }

    func run() async throws {
        if demo {
            do { try await runTUI(driver: EchoDriver(delay: demoDelay), config: TUIConfig()) } catch let e as TUIError {
                throw CLIError(e.description)
            }
            return
        }
        let path = try model ?? Self.defaultModel()
        let fullScreen = isatty(0) == 1 && isatty(1) == 1
        // Full screen: the K-quant decode copies are made by the weight loader, with
        // progress, while the chat is already up (SessionDriver, WeightLoading).
        let repack: X8Weights.Mode = fullScreen && X8Weights.enabled ? .later : .fromEnvironment
        let loaded = try LoadedModel.open(path: path, contextSize: ctx, chatFormat: chatFormat, repack: repack)
        var settings = SessionSettings()
        settings.systemPrompt = system
        settings.thinkBudget = thinkBudget
        settings.seed = seed
        if let maxTokens { settings.samplingOn.maxTokens = maxTokens; settings.samplingOff.maxTokens = maxTokens }
        var resumed: LoadedSession?
        if let resume {
            do { resumed = try SessionLoader.load(URL(fileURLWithPath: resume)) } catch {
                throw CLIError("\(error)")
            }
        }
        let threads = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
        let driver = try SessionDriver(loaded: loaded, settings: settings, threads: threads,
                                       journal: !noJournal, resume: resumed, loadWeights: fullScreen)
        let mode: ReasoningMode = think == "on" ? .on : .off
        if fullScreen {
            var config = TUIConfig()
            config.theme = theme
            config.initialMode = mode
            do { try await runTUI(driver: driver, config: config) } catch let e as TUIError {
                await driver.shutdown()
                throw CLIError(e.description)
            }
        } else {
            for w in loaded.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            await PlainChat.run(driver: driver, mode: mode)
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
