import ArgumentParser
import Engine
import Foundation
import GGUF
import Session
import Tokenizer

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Stream one reply to stdout (no TUI).",
        discussion: """
            Reads the prompt from --prompt or standard input and wraps it in the model's
            chat format (the reasoning switch set by --think) unless --raw is given. With
            --tokens 1,2,3 the prompt is token ids and the reply is printed as token ids.
            Sampling defaults follow --think: on = temperature 0.6, top-p 0.95; off = greedy.
            """)

    @Option(name: .long, help: "Model file (GGUF, llama architecture).")
    var model: String

    @Option(name: .long, help: "Prompt text (default: read standard input).")
    var prompt: String?

    @Option(name: .long, help: "Prompt as comma-separated token ids (skips tokenizer and template).")
    var tokens: String?

    @Option(name: .long, help: "Reasoning: on or off.")
    var think: String = "off"

    @Flag(name: .long, help: "Send the prompt as is, without the chat template.")
    var raw = false

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

    func validate() throws {
        guard think == "on" || think == "off" else { throw ValidationError("--think must be on or off") }
        if let ctx, ctx <= 0 { throw ValidationError("--ctx must be positive") }
        try SamplingFlags.check("--max-tokens", maxTokens, SamplingRule.maxTokens)
        try SamplingFlags.check("--temp", temp.map(Double.init), SamplingRule.temperature)
        try SamplingFlags.check("--top-k", topK, SamplingRule.topK)
        try SamplingFlags.check("--top-p", topP, SamplingRule.topP)
        try SamplingFlags.check("--min-p", minP.map(Double.init), SamplingRule.minP)
        try SamplingFlags.check("--repeat-penalty", repeatPenalty.map(Double.init), SamplingRule.repetitionPenalty)
    }

    func run() async throws {
        var params: SamplingParameters = think == "on" ? .thinking : .direct
        if let temp { params.temperature = temp }
        if let topK { params.topK = topK }
        if let topP { params.topP = topP }
        if let minP { params.minP = minP }
        if let repeatPenalty { params.repeatPenalty = repeatPenalty }
        params.seed = seed

        let (file, loaded) = try loadModel(model)
        // With --tokens the tokenizer is not needed: ids in, ids out.
        let tokenizer: Tokenizer? = tokens == nil ? try loadTokenizer(file) : nil
        let ids: [Int32]
        if let tokens {
            ids = try parseTokenList(tokens)
        } else if let tokenizer {
            let text = try prompt ?? TextInput.readStandardInput()
            ids = try promptTokens(text, tokenizer)
        } else { ids = [] }
        guard !ids.isEmpty else { throw CLIError("the prompt is empty") }

        let context: LlamaContext
        do { context = try LlamaContext(model: loaded, capacity: ctx) } catch { throw CLIError("\(error)") }
        if stats {
            FileHandle.standardError.write(Data("ponder: context \(context.capacity) tokens, KV cache \(formatBytes(context.cacheBytes))\n".utf8))
        }
        guard ids.count <= context.capacity else {
            throw CLIError("\(EngineError.contextFull(needed: ids.count, capacity: context.capacity))")
        }
        let request = GenerationRequest(prompt: ids, sampling: params, maxTokens: maxTokens,
                                        stopTokens: loaded.endOfTurnTokens.union(tokenizer?.endOfGeneration ?? []))
        var detok = tokenizer.map { StreamingDetokenizer(tokenizer: $0) }
        var last = GenerationTimings()
        var first = true
        let out = FileHandle.standardOutput
        do {
            for try await t in context.generate(request) {
                last = t.timings
                if t.stop == .endOfTurn { break }
                if detok != nil {
                    out.write(Data(detok!.push(t.id).utf8))
                } else {
                    out.write(Data(((first ? "" : " ") + String(t.id)).utf8))
                }
                first = false
            }
        } catch {
            throw CLIError("\(error)")
        }
        if detok != nil { out.write(Data(detok!.finish().utf8)) }
        out.write(Data("\n".utf8))
        if stats {
            let msg = String(format: "ponder: prompt %d tokens in %.2f s (%.1f tok/s), generated %d tokens in %.2f s (%.2f tok/s)\n",
                             last.promptTokens, last.promptSeconds, last.promptTokensPerSecond,
                             last.generatedTokens, last.generationSeconds, last.tokensPerSecond)
            FileHandle.standardError.write(Data(msg.utf8))
        }
    }

    /// The prompt's token ids: raw text (with BOS when the vocabulary asks for it), or one
    /// user message in the model's chat format with the reasoning switch from --think.
    private func promptTokens(_ text: String, _ tokenizer: Tokenizer) throws -> [Int32] {
        if raw { return tokenizer.encode(text, addBOS: tokenizer.vocabulary.addBOS) }
        let format = tokenizer.detectedChatFormat
        let segments = format.render(messages: [ChatMessage(.user, text)],
                                     reasoning: think == "on" ? .on : .off)
        do { return try tokenizer.encode(segments) } catch { throw CLIError("\(error)") }
    }
}

/// Opens a model file; any failure is one CLIError line.
func loadModel(_ path: String) throws -> (GGUFFile, LlamaModel) {
    do {
        let file = try GGUFFile(path: path)
        return (file, try LlamaModel(file: file))
    } catch {
        throw CLIError("\(error)")
    }
}

/// The tokenizer of a model file; failures are one CLIError line.
func loadTokenizer(_ file: GGUFFile) throws -> Tokenizer {
    do { return try Tokenizer(gguf: file) } catch { throw CLIError("\(file.path): \(error)") }
}

/// "1,2, 3" or "1 2 3" → token ids; a bad entry is a one-line error.
func parseTokenList(_ s: String) throws -> [Int32] {
    let parts = s.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\t" })
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
