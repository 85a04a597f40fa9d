import ArgumentParser
import Chat
import Engine
import Foundation
import GGUF
import Remote
import Session
import Tokenizer

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Stream one reply to stdout (no TUI).",
        discussion: """
            Reads the prompt from --prompt or standard input and wraps it in the model's
            chat format, with the reasoning switch of the model's reasoning profile set by
            --think, unless --raw is given: the same prompt the chat sends for a first turn.
            --show-prompt prints that prompt (special tokens spelled out) and exits without
            loading the weights. With --tokens 1,2,3 the prompt is token ids and the reply is
            printed as token ids. Sampling defaults follow --think: on = temperature 0.6,
            top-p 0.95; off = greedy.

            On a terminal the reply has control characters and escape sequences removed; \
            to a file or a pipe it is written byte for byte.
            """)

    @Option(name: .long, help: "Model file (GGUF, llama architecture); or --server.")
    var model: String?

    @OptionGroup(title: "A model on a server")
    var serverOptions: ServerOptions

    @Option(name: .long, help: "Prompt text (default: read standard input).")
    var prompt: String?

    @Option(name: .long, help: "Prompt as comma-separated token ids (skips tokenizer and template).")
    var tokens: String?

    @Option(name: .long, help: "Reasoning: on or off.")
    var think: String = "off"

    @Flag(name: .long, help: "Send the prompt as is, without the chat template.")
    var raw = false

    @Option(name: .long, help: "Reasoning profile: nemotron, qwen3, deepseek-r1 or none (default: detected from the model).")
    var reasoningProfile: String?

    @Flag(name: .long, help: "Print the rendered prompt (special tokens spelled out) and exit; with --stats, its token ids on standard error.")
    var showPrompt = false

    @Option(name: .long, help: "Stop after this many tokens.")
    var maxTokens: Int = 512

    @Option(name: .long, help: "Context length in tokens (default: the model's, at most 8192).")
    var ctx: Int?

    @Option(name: .long, help: "Random seed (same seed and settings: same reply).")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Temperature (0 = greedy).")
    var temp: Float?

    @Option(name: .long, help: "Keep the k most likely tokens (0 = off).")
    var topK: Int?

    @Option(name: .long, help: "Nucleus sampling threshold (1 = off).")
    var topP: Double?

    @Option(name: .long, help: "Minimum probability relative to the top token (0 = off).")
    var minP: Float?

    @Option(name: .long, help: "Repetition penalty (1 = off).")
    var repeatPenalty: Float?

    @Flag(name: .long, help: "Print timings and memory to standard error.")
    var stats = false

    @Option(name: .long, help: "Speculative decoding's drafts: \(DraftMode.choices) (default ngram: prompt lookup; the reply is the same either way).")
    var draft: String = DraftMode.ngram.name

    @Flag(name: .long, help: "Never end a reply at the model's end-of-turn token: run to --max-tokens (for benchmarks and tests of long replies).")
    var ignoreEos = false

    func validate() throws {
        guard think == "on" || think == "off" else { throw ValidationError("--think must be on or off") }
        if let ctx, ctx <= 0 { throw ValidationError("--ctx must be positive") }
        try SamplingFlags.check("--max-tokens", maxTokens, SamplingRule.maxTokens)
        try SamplingFlags.check("--temp", temp.map(Double.init), SamplingRule.temperature)
        try SamplingFlags.check("--top-k", topK, SamplingRule.topK)
        try SamplingFlags.check("--top-p", topP, SamplingRule.topP)
        try SamplingFlags.check("--min-p", minP.map(Double.init), SamplingRule.minP)
        try SamplingFlags.check("--repeat-penalty", repeatPenalty.map(Double.init), SamplingRule.repetitionPenalty)
        try checkDraftName(draft)
    }

    func run() async throws {
        var params: SamplingParameters = think == "on" ? .thinking : .direct
        if let temp { params.temperature = temp }
        if let topK { params.topK = topK }
        if let topP { params.topP = topP }
        if let minP { params.minP = minP }
        if let repeatPenalty { params.repeatPenalty = repeatPenalty }

        _ = try reasoningProfileOverride(reasoningProfile)
        if let url = try serverOptions.serverURL {
            guard model == nil, tokens == nil, !raw, !showPrompt, !ignoreEos else {
                throw CLIError("--server sends a chat message: it does not go with --model, --tokens, --raw, --show-prompt or --ignore-eos")
            }
            try await runOnServer(url, sampling: SamplingSettings(params, maxTokens: maxTokens))
            return
        }
        guard let model else { throw CLIError("name a model: --model FILE.gguf (or --server URL)") }
        if showPrompt {
            try printPrompt(model)
            return
        }
        let (file, loaded) = try loadModel(model)
        // With --tokens the tokenizer is not needed: ids in, ids out.
        let tokenizer: Tokenizer? = tokens == nil ? try loadTokenizer(file) : nil
        let context: LlamaContext
        do { context = try LlamaContext(model: loaded, capacity: ctx) } catch { throw CLIError("\(error)") }
        if stats {
            FileHandle.standardError.write(Data("ponder: context \(context.capacity) tokens, KV cache \(formatBytes(context.cacheBytes))\n".utf8))
        }
        let job = try turnJob(file: file, tokenizer: tokenizer, sampling: SamplingSettings(params, maxTokens: maxTokens),
                              capacity: context.capacity)
        let engine = EngineBackend(context: context, tokenizer: tokenizer)
        do { try engine.draft(with: try draftMode(draft, target: loaded)) } catch let e as EngineError { throw CLIError("--draft \(draft): \(e)") }
        engine.ignoreEndOfTurn = ignoreEos
        let backend = EmbeddedTurnBackend(engine)
        defer { backend.shutdown() }
        try await print(backend.stream(job))
    }

    /// `--server`: the prompt as one chat message to the server's model.
    private func runOnServer(_ url: String, sampling: SamplingSettings) async throws {
        let served = try await ServedModel.open(url: url, name: try serverOptions.servedModelName, keyFile: try serverOptions.keyFile,
                                                reasoningProfile: reasoningProfile)
        for w in served.warnings { TerminalOutput.warn("warning: \(w)") }
        let text = try prompt ?? TextInput.readStandardInput()
        let job = TurnJob(meta: TurnRecord(index: 0, user: text, mode: think == "on" ? .on : .off, sampling: sampling,
                                           seed: seed, profile: served.profile),
                          format: ChatFormat(kind: .plain), settings: SessionSettings(), splitsReasoning: false)
        let backend = RemoteTurnBackend(client: served.client, model: served.name)
        defer { backend.shutdown() }
        try await print(backend.stream(job))
    }

    /// Prints a turn as it streams (reasoning and answer in the order written), then the
    /// ids with --tokens, then --stats.
    private func print(_ turn: (events: AsyncStream<SessionEvent>, record: Task<TurnRecord, Never>)) async throws {
        var out = TerminalOutput.standardOutput
        for await event in turn.events {
            switch event {
            case .answer(_, let text), .reasoning(_, let text): out.write(text)
            case .notice(let n): TerminalOutput.warn("ponder: note: \(n)")
            default: break
            }
        }
        let record = await turn.record.value
        if tokens != nil { out.write(record.tokens.map(String.init).joined(separator: " ")) }
        if record.stopReason == .error { throw CLIError(record.note ?? "generation failed") }
        out.write("\n")
        if stats { FileHandle.standardError.write(Data(Self.statsLine(record).utf8)) }
    }

    /// The one turn `run` generates: the prompt rendered as the chat's first turn, or
    /// (`--raw`, `--tokens`) given as token ids; the reply printed as the model wrote it.
    private func turnJob(file: GGUFFile, tokenizer: Tokenizer?, sampling: SamplingSettings,
                         capacity: Int) throws -> TurnJob {
        var job = TurnJob(meta: TurnRecord(index: 0, user: "", mode: think == "on" ? .on : .off,
                                           sampling: sampling, seed: seed),
                          format: ChatFormat(kind: .plain), settings: SessionSettings(), splitsReasoning: false)
        // A fresh context for one turn: the prompt in one evaluation, no cache to keep.
        job.settings.prefillChunk = capacity
        job.settings.snapshotBudgetBytes = 0
        if let tokens {
            job.input = .tokens(try parseTokenList(tokens))
        } else if let tokenizer {
            let text = try prompt ?? TextInput.readStandardInput()
            if raw {
                job.input = .tokens(try promptTokens(ChatPrompt(segments: [.text(text)], rendersBOS: false), tokenizer))
            } else {
                (job.format, job.meta.profile) = try promptSetup(file: file, tokenizer: tokenizer, chatFormat: nil,
                                                                 reasoningProfile: reasoningProfile)
                job.meta.user = text
            }
        }
        return job
    }

    /// `--stats`: prompt and generation timings of the finished turn.
    private static func statsLine(_ record: TurnRecord) -> String {
        let s = record.stats
        // A server's turn has no token ids: its streamed chunks are counted instead.
        let generated = record.tokens.isEmpty ? s.reasoningTokens + s.answerTokens : record.tokens.count
        let promptSeconds = s.prefillTokensPerSecond.map { Double(s.promptTokens) / $0 } ?? 0
        let decodeSeconds = s.decodeTokensPerSecond.map { $0 > 0 ? Double(generated) / $0 : 0 } ?? 0
        let line = String(format: "ponder: prompt %d tokens in %.2f s (%.1f tok/s), generated %d tokens in %.2f s (%.2f tok/s)",
                          s.promptTokens, promptSeconds, s.prefillTokensPerSecond ?? 0,
                          generated, decodeSeconds, s.decodeTokensPerSecond ?? 0)
        return line + (s.speculationSummary.map { ", \($0)" } ?? "") + "\n"
    }

    /// `--show-prompt`'s prompt as rendered: the raw text (`--raw`), or one user message in
    /// the model's chat format with its reasoning profile's switch for --think
    /// (`TurnPrompt`, as the chat renders a first turn with no system prompt, and as the
    /// turn loop renders it when `run` generates).
    private func rendered(_ file: GGUFFile, _ tokenizer: Tokenizer) throws -> ChatPrompt {
        let text = try prompt ?? TextInput.readStandardInput()
        if raw { return ChatPrompt(segments: [.text(text)], rendersBOS: false) }
        let (format, profile) = try promptSetup(file: file, tokenizer: tokenizer, chatFormat: nil,
                                                reasoningProfile: reasoningProfile)
        return TurnPrompt.render(format: format, profile: profile, mode: think == "on" ? .on : .off,
                                 systemPrompt: nil, user: text)
    }

    /// The prompt's token ids (BOS added when the vocabulary asks for it and the format
    /// does not write it).
    private func promptTokens(_ p: ChatPrompt, _ tokenizer: Tokenizer) throws -> [Int32] {
        do { return try tokenizer.encode(p) } catch { throw CLIError("\(error)") }
    }

    /// `--show-prompt`: the rendered prompt on standard output (and with --stats its token
    /// ids on standard error). Reads only the file's metadata and vocabulary, not the
    /// weights, so a vocab-only GGUF works.
    private func printPrompt(_ model: String) throws {
        guard tokens == nil else { throw CLIError("--show-prompt shows a text prompt; it cannot be used with --tokens") }
        guard FileManager.default.fileExists(atPath: model) else { throw CLIError("\(model): no such file") }
        let file: GGUFFile
        do { file = try GGUFFile(path: model) } catch { throw CLIError("\(error)") }
        let tokenizer = try loadTokenizer(file)
        let p = try rendered(file, tokenizer)
        let ids = try promptTokens(p, tokenizer)
        var text = p.text
        if tokenizer.vocabulary.addBOS && !p.rendersBOS, let bos = tokenizer.vocabulary.bos,
           let spelling = tokenizer.spelling(of: bos) {
            text = spelling + text
        }
        FileHandle.standardOutput.write(Data(text.utf8))
        if stats {
            let list = ids.map(String.init).joined(separator: " ")
            FileHandle.standardError.write(Data("ponder: prompt \(ids.count) tokens: \(list)\n".utf8))
        }
    }
}

/// Opens a model file; any failure is one CLIError line. The K-quant decode copies are
/// made in the background, as the chat makes them (`WeightLoading.inBackground`): the
/// first tokens come on the file's layout, with the same bits, instead of after seconds
/// of copying.
func loadModel(_ path: String) throws -> (GGUFFile, LlamaModel) {
    do {
        let file = try GGUFFile(path: path)
        let model = try LlamaModel(file: file, repack: WeightLoading.repackMode)
        WeightLoading.inBackground(model)
        return (file, model)
    } catch {
        throw CLIError("\(error)")
    }
}

/// The tokenizer of a model file; failures are one CLIError line.
func loadTokenizer(_ file: GGUFFile) throws -> Tokenizer {
    do { return try Tokenizer(gguf: file) } catch { throw CLIError("\(file.path): \(error)") }
}

/// `--draft NAME` checked before anything loads: `none`, `ngram` or a file's path that
/// exists; else a one-line error listing the choices.
func checkDraftName(_ name: String) throws {
    guard DraftMode(named: name) != nil || FileManager.default.fileExists(atPath: name) else {
        throw ValidationError("--draft must be \(DraftMode.choices): \(name) is neither a mode nor a file")
    }
}

/// `--draft NAME` for `target`: `none`, `ngram`, or a draft model's file, loaded (the
/// GGUF loader's errors) and refused unless its vocabulary is the target's; any failure
/// is one CLIError line.
func draftMode(_ name: String, target: LlamaModel) throws -> DraftMode {
    if let mode = DraftMode(named: name) { return mode }
    try checkDraftName(name)
    do {
        return try DraftMode.model(file: try GGUFFile(path: name), name: URL(fileURLWithPath: name).lastPathComponent,
                                   target: target)
    } catch {
        throw CLIError("--draft \(name): \(error)")
    }
}

/// "1,2, 3" or "1 2 3" → token ids; a bad entry is a one-line error.
func parseTokenList(_ s: String) throws -> [Int32] {
    // `ponder tokenize` prints "[1, 2, 3]": one pair of brackets around the list is allowed.
    var list = Substring(s.trimmingCharacters(in: .whitespacesAndNewlines))
    if list.hasPrefix("["), list.hasSuffix("]") { list = list.dropFirst().dropLast() }
    let parts = list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
    var out: [Int32] = []
    for p in parts {
        guard let v = Int32(p), v >= 0 else { throw CLIError("'\(p)' is not a token id") }
        out.append(v)
    }
    guard !out.isEmpty else { throw CLIError("no token ids given") }
    return out
}

/// 377487360 → "360.0 MiB".
func formatBytes(_ n: Int) -> String {
    let mib = Double(n) / 1_048_576
    return mib >= 1024 ? String(format: "%.2f GiB", mib / 1024) : String(format: "%.1f MiB", mib)
}
