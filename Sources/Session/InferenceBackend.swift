import Tokenizer

/// What the embedded turn loop (`TurnGenerator`, behind `EmbeddedTurnBackend`) needs
/// from an inference engine, token by token. The real engine is `EngineBackend`; the
/// Session tests use `ScriptedBackend`. Everything above the turn seam (`TurnBackend`)
/// knows nothing of this.
///
/// Threading: a backend is owned by exactly one `BackendWorker` thread and is only ever
/// called from it, so it need not be thread-safe or `Sendable`.
///
/// KV cache model: the backend holds one context whose cache holds `cachedTokens`
/// (positions 0..<count, in order). `evaluate` appends; `truncateCache` forgets a suffix.
/// After `evaluate`, the logits of the last evaluated token are what `sample` draws from.
///
/// Per-mode reuse (see `PromptCache`): toggling reasoning changes the system message at
/// position ~5, which invalidates nearly the whole cache. The session keeps the other
/// mode's cache as a `BackendSnapshot` (a copy of the used KV rows) and swaps it back in
/// with `restore`. Memory cost of one snapshot = cachedTokens × bytes per token
/// (2 × layers × kvHeads × headDim × element size; Nemotron-Nano-4B with f16 KV:
/// 2·32·8·128·2 B = 128 KiB/token, so 4,096 tokens ≈ 512 MiB; SmolLM2-135M: 2·30·3·64·2 B
/// = 22.5 KiB/token). This was chosen over two live contexts because a snapshot costs
/// only the rows in use, not a second full n_ctx allocation, and a swap is one memcpy
/// (≈ 20 ms for 512 MiB), far below re-evaluating thousands of tokens.
public protocol InferenceBackend: AnyObject {
    /// A rendered prompt to token ids: special segments become control tokens, text never
    /// does (the engine: `Tokenizer.encode(_: ChatPrompt)`, the one path `ponder run`
    /// uses too). Throws when the vocabulary lacks a marker the format needs.
    func encode(_ prompt: ChatPrompt) throws -> [Int32]
    /// n_ctx: the most tokens the cache can hold.
    var contextSize: Int { get }
    /// Tokens currently in the KV cache, in position order.
    var cachedTokens: [Int32] { get }
    /// Keeps the first `n` cached tokens (n ≤ cachedTokens.count).
    func truncateCache(to n: Int)
    /// Evaluates `tokens` at positions cachedTokens.count…, appending them to the cache.
    /// Throws if they do not fit or the engine fails; the cache is then unspecified
    /// beyond its previous length and the caller truncates it back.
    func evaluate(_ tokens: [Int32]) throws
    /// Draws the next token from the last logits. `recent`: the last tokens of the
    /// context for the repetition penalty; `uniform`: one draw in [0, 1) from the turn's
    /// seeded generator (ignored when greedy).
    func sample(_ settings: SamplingSettings, recent: ArraySlice<Int32>, uniform: Double) -> Int32
    /// The bytes a token stands for (may be a partial UTF-8 sequence).
    func tokenPiece(_ token: Int32) -> [UInt8]
    /// End of generation: end-of-turn or end-of-text.
    func isEndOfTurn(_ token: Int32) -> Bool
    /// A copy of the cache state, or nil if the backend cannot snapshot.
    func snapshot() -> BackendSnapshot?
    /// Replaces the cache by a snapshot taken from this backend.
    func restore(_ snapshot: BackendSnapshot) throws

    // Speculative decoding (`Speculation`): a batch is verified in one pass, then cut back
    // to the tokens the sampler kept.
    /// Where the turn's draft tokens come from (read once per turn); nil (the default)
    /// never calls the three below.
    var draftSource: (any DraftSource)? { get }
    /// Evaluates `tokens` as `evaluate` does, keeping the logits after each, every one
    /// bitwise what evaluating the tokens one at a time gives. Same failure contract.
    func verify(_ tokens: [Int32]) throws
    /// `sample` from the logits after token `index` of the last verified batch.
    func sampleVerified(at index: Int, _ settings: SamplingSettings, recent: ArraySlice<Int32>,
                        uniform: Double) -> Int32
    /// Keeps the first `count` (>= 1) tokens of the last verified batch in the cache; the
    /// logits after the last kept one are what `sample` draws from next.
    func acceptVerified(_ count: Int)
    /// A turn has ended (on the worker, before its record is returned): the engine saves
    /// its KV cache when asked to (`--save-kv`). Returns a notice line for a failure.
    func turnEnded() -> String?
}

/// Defaults: no speculative decoding, nothing to do when a turn ends.
extension InferenceBackend {
    public var draftSource: (any DraftSource)? { nil }
    public func verify(_ tokens: [Int32]) throws { throw SpeculationUnsupported() }
    public func sampleVerified(at index: Int, _ settings: SamplingSettings, recent: ArraySlice<Int32>,
                               uniform: Double) -> Int32 {
        preconditionFailure("sampleVerified without verify")
    }
    public func acceptVerified(_ count: Int) { preconditionFailure("acceptVerified without verify") }
    /// Nothing to do by default.
    public func turnEnded() -> String? { nil }
}

/// `verify` on a backend that does not draft.
public struct SpeculationUnsupported: Error, CustomStringConvertible {
    public var description: String { "this backend does not verify drafts" }
}

/// An opaque copy of a backend's KV cache (its used rows) and the tokens it holds.
public protocol BackendSnapshot: AnyObject {
    var tokens: [Int32] { get }
    /// Memory held by the snapshot, for the cache budget and the cost report.
    var byteCount: Int { get }
}
