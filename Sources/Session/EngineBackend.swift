import Engine
import Tokenizer

/// The real engine behind the session's `InferenceBackend`: one `LlamaContext` (KV cache)
/// over a `LlamaModel`, and the model's `Tokenizer` (nil for a prompt of token ids,
/// `ponder run --tokens`: then nothing is encoded and tokens have no text).
///
/// Owned by one `BackendWorker` thread (see `InferenceBackend`); not thread-safe.
public final class EngineBackend: InferenceBackend {
    public let context: LlamaContext
    public let tokenizer: Tokenizer?
    private let endOfTurn: Set<Int32>
    /// Speculative decoding's drafts (`--draft`; default prompt lookup). Set by `draft(with:)`.
    public private(set) var drafting: DraftMode = .ngram
    /// With a draft model: its context, kept across turns (`DraftModel`).
    private var draftModel: DraftModel?
    /// The last verified batch: its logits ((tokens, vocab), row i after token i) and the
    /// cache length before it.
    private var verified: [Float] = [], verifiedBase = 0

    public init(context: LlamaContext, tokenizer: Tokenizer?) {
        self.context = context
        self.tokenizer = tokenizer
        endOfTurn = context.model.endOfTurnTokens.union(tokenizer?.endOfGeneration ?? [])
    }

    /// `--ignore-eos`: end-of-turn tokens are never sampled, so a reply runs to its token
    /// limit (benchmarks and tests that need a reply of a fixed length whatever the model
    /// would say). Drafts may still hold them; verification samples them away too.
    public var ignoreEndOfTurn = false

    /// A copy of `logits` with every end-of-turn token at -infinity (for `ignoreEndOfTurn`).
    private func masked<C: Collection<Float>>(_ logits: C) -> [Float] {
        var row = Array(logits)
        for t in endOfTurn where t >= 0 && Int(t) < row.count { row[Int(t)] = -.infinity }
        return row
    }

    /// Where the KV cache is saved when a turn ends (`--save-kv`); nil: not saved.
    public var savedCache: SavedKVCache?

    /// Drafts from `mode`; a draft model gets its own context of this backend's capacity
    /// (throws `EngineError` when it cannot be made).
    public func draft(with mode: DraftMode) throws {
        if case .model(let model, let name) = mode {
            draftModel = try DraftModel(model: model, name: name, capacity: context.capacity)
        } else {
            draftModel = nil
        }
        drafting = mode
    }

    public var draftSource: (any DraftSource)? {
        switch drafting {
        case .none: nil
        case .ngram: PromptLookup()
        case .model: draftModel
        }
    }

    public var contextSize: Int { context.capacity }
    public var cachedTokens: [Int32] { context.tokens }
    public func truncateCache(to n: Int) { context.truncate(to: n) }

    public func evaluate(_ tokens: [Int32]) throws {
        switch tokens.count {
        case 0: return
        case 1: try context.step(tokens[0])        // a decode step: logits refreshed in place
        default: try context.evaluate(tokens, logits: .last)
        }
    }

    public func verify(_ tokens: [Int32]) throws {
        verifiedBase = context.count
        verified = try context.evaluate(tokens, logits: .all, decodeArithmetic: true)
    }

    public func sampleVerified(at index: Int, _ settings: SamplingSettings, recent: ArraySlice<Int32>,
                               uniform: Double) -> Int32 {
        let vocab = context.model.config.vocabSize
        let logits = verified[(index * vocab)..<((index + 1) * vocab)]
        let row = ignoreEndOfTurn ? masked(logits) : Array(logits)
        return settings.engineParameters.makeChain().sample(row, history: recent, uniform: uniform)
    }

    public func acceptVerified(_ count: Int) {
        let vocab = context.model.config.vocabSize
        context.truncate(to: verifiedBase + count, lastLogits: verified[((count - 1) * vocab)..<(count * vocab)])
    }

    public func encode(_ prompt: ChatPrompt) throws -> [Int32] {
        guard let tokenizer else { throw EngineError.invalidArgument("no tokenizer: the prompt must be token ids") }
        return try tokenizer.encode(prompt)
    }

    public func sample(_ settings: SamplingSettings, recent: ArraySlice<Int32>, uniform: Double) -> Int32 {
        guard let logits = context.lastLogits else { return endOfTurn.first ?? 0 }
        return settings.engineParameters.makeChain().sample(ignoreEndOfTurn ? masked(logits) : logits,
                                                            history: recent, uniform: uniform)
    }

    public func tokenPiece(_ token: Int32) -> [UInt8] { tokenizer.map { Array($0.bytes(of: token)) } ?? [] }
    public func isEndOfTurn(_ token: Int32) -> Bool { endOfTurn.contains(token) }

    public func turnEnded() -> String? {
        guard savedCache != nil, !context.tokens.isEmpty else { return nil }
        do { try savedCache?.save(context) } catch { return "KV cache not saved: \(error)" }
        return nil
    }

    public func snapshot() -> BackendSnapshot? { EngineSnapshot(context.snapshot()) }

    public func restore(_ snapshot: BackendSnapshot) throws {
        guard let s = snapshot as? EngineSnapshot else {
            throw EngineError.invalidArgument("snapshot from another backend")
        }
        try context.restore(s.snapshot)
    }
}

/// A KV snapshot of the engine, as the session's `BackendSnapshot`.
final class EngineSnapshot: BackendSnapshot {
    let snapshot: ContextSnapshot
    init(_ s: ContextSnapshot) { snapshot = s }
    var tokens: [Int32] { snapshot.tokens }
    var byteCount: Int { snapshot.byteCount }
}
