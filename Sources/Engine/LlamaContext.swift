import GGUF
import Foundation
import Kernels

/// Which positions of an evaluated batch get logits.
public enum LogitsRequest: Sendable, Equatable {
    /// Only the last token's (vocab floats).
    case last
    /// Every token's ((n, vocab), row-major).
    case all
    /// Tokens `index..<n` of the batch ((n - index, vocab)).
    case from(Int)
}

/// The mutable half of inference: a KV cache over one model, the tokens it holds, and
/// the forward pass that extends it (llama2.c's `RunState`).
///
/// Not thread-safe: exactly one owner drives a context at a time (in Ponder, the
/// Session's backend worker thread or the `perplexity`/`bench` command). It is
/// `@unchecked Sendable` only so that an owner may hand it to the thread it runs on.
/// Generation (sampling a token, evaluating it, deciding when to stop) is the Session's
/// turn loop over these primitives: `evaluate`, `step`, `lastLogits`, `truncate`.
public final class LlamaContext: @unchecked Sendable {
    public let model: LlamaModel
    /// Positions the KV cache holds.
    public let capacity: Int
    /// The tokens whose keys and values are cached, in order (count == cached positions).
    public private(set) var tokens: [Int32] = []
    /// Positions whose keys and values are unchanged since the last `markUnchanged()`:
    /// evaluation only appends rows, `truncate` lowers it, replacing the state zeroes it.
    /// A saved KV cache appends only the rows after it (`SavedKVCache`).
    public private(set) var unchangedCount = 0
    /// Logits after the last evaluated token (vocab floats), or nil when none is valid.
    public private(set) var lastLogits: [Float]?
    let cache: KVCache
    /// The forward pass's scratch buffers (grow-only; see `Workspace`).
    let ws: Workspace
    /// How projections are computed (default `PONDER_MATMUL`, else `.mixed`).
    public var matmulPath: MatMulPath = .fromEnvironment
    /// The Kernels SIMD tier this context's kernels use (default: the dispatcher's pick,
    /// `PONDER_KERNELS`). Set it to compare tiers; it is clamped to what the CPU has.
    public var kernelTier: Int32 = Int32(pk_active_tier()) {
        didSet { kernelTier = max(0, min(kernelTier, Int32(pk_max_tier()))) }
    }
    /// RoPE inverse frequencies per rotated pair: base^(-2i/ropeDim) / factor[i]. (ropeDim/2)
    let ropeInvFreq: [Double]
    /// Largest number of tokens pushed through the layers at once.
    public static let microBatch = 512

    /// Default context length: the model's, capped at 8192.
    public static func defaultCapacity(for model: LlamaModel) -> Int {
        min(model.config.contextLength, 8192)
    }

    /// Bytes a KV cache of `capacity` positions of `type` takes for `model`.
    public static func cacheBytes(for model: LlamaModel, capacity: Int, type: KVCacheType = .fromEnvironment) -> Int {
        KVCache.bytes(config: model.config, capacity: capacity, type: type)
    }

    /// A context with room for `capacity` positions (default: `defaultCapacity`), its KV
    /// cache of `cacheType` elements (default `PONDER_KV`, else F16).
    public init(model: LlamaModel, capacity: Int? = nil, cacheType: KVCacheType = .fromEnvironment) throws(EngineError) {
        let cap = capacity ?? Self.defaultCapacity(for: model)
        guard cap > 0, cap <= 1 << 20 else {
            throw .invalidArgument("context length \(cap) must be between 1 and \(1 << 20)")
        }
        _ = MatMul.singleThreadedBLAS
        self.model = model
        self.capacity = cap
        cache = KVCache(config: model.config, capacity: cap, type: cacheType)
        ws = Workspace(config: model.config)
        // The decode attention's scores for a full context, one row per pool thread, so
        // that decoding never grows the buffer (it would reallocate once per step).
        _ = ws.decodeScores(positions: cap)
        let c = model.config
        ropeInvFreq = (0..<c.ropeDim / 2).map { i in
            let f = Double(model.ropeFactors?[i] ?? 1)
            return Foundation.pow(Double(c.ropeFreqBase), -2 * Double(i) / Double(c.ropeDim)) / f
        }
    }

    /// Bytes the KV cache reserves.
    public var cacheBytes: Int { cache.bytes }
    /// The KV cache's element type.
    public var cacheType: KVCacheType { cache.type }
    /// Cached positions.
    public var count: Int { tokens.count }

    /// Forgets every position from `n` on (n <= count), so a shared prefix is reused.
    public func truncate(to n: Int) {
        let n = max(0, min(n, tokens.count))
        guard n < tokens.count else { return }
        tokens.removeSubrange(n...)
        cache.count = n
        unchangedCount = min(unchangedCount, n)
        lastLogits = nil
    }

    /// Starts `unchangedCount` at the cached positions (their rows were just saved).
    public func markUnchanged() { unchangedCount = tokens.count }

    /// Forgets every position from `n` on (0 < n <= count) and makes `logits` (vocab
    /// floats: those after position n - 1, e.g. a row of a `decodeArithmetic` evaluation)
    /// the last logits: the rollback after speculative verification. Positions [0, n) are
    /// untouched, and nothing reads the rows past them, so the context is as if the later
    /// positions had never been evaluated.
    public func truncate(to n: Int, lastLogits logits: ArraySlice<Float>) {
        precondition(n > 0 && n <= tokens.count && logits.count == model.config.vocabSize)
        truncate(to: n)
        lastLogits = Array(logits)
    }

    /// Sets the bookkeeping after a snapshot's rows were copied into the cache.
    func replaceState(tokens t: [Int32], lastLogits l: [Float]?) {
        tokens = t
        cache.count = t.count
        unchangedCount = 0
        lastLogits = l
    }

    /// Empties the context.
    public func reset() { truncate(to: 0) }

    /// Keeps the longest cached prefix of `target` and returns the tokens still to be
    /// evaluated. At least one token is always left so the caller gets fresh logits.
    public func reuse(prefixOf target: [Int32]) -> [Int32] {
        let kept = Self.reusablePrefix(cached: tokens, target: target)
        truncate(to: kept)
        return Array(target[kept...])
    }

    /// The cache-reuse rule, for this context and any backend holding a token cache: of
    /// `cached`, a context continuing with `target` keeps their longest common prefix,
    /// leaving at least one token of `target` to evaluate (for fresh logits).
    public static func reusablePrefix(cached: [Int32], target: [Int32]) -> Int {
        var common = 0
        while common < cached.count, common < target.count, cached[common] == target[common] { common += 1 }
        return min(common, max(0, target.count - 1))
    }

    /// Appends `newTokens` to the context, running them through the model in batches,
    /// and returns the requested logits. Throws `contextFull` (changing nothing) when they
    /// do not fit, `invalidToken` for ids outside the vocabulary, `emptyInput` for none.
    /// `decodeArithmetic`: every position is computed bitwise as `step` computes it (the
    /// decode kernels, each weight row still read once per micro-batch): speculative
    /// decoding's verification, whose greedy tokens must be plain decoding's.
    @discardableResult
    public func evaluate(_ newTokens: [Int32], logits request: LogitsRequest = .last,
                         decodeArithmetic: Bool = false) throws(EngineError) -> [Float] {
        let vocab = model.config.vocabSize
        guard !newTokens.isEmpty else { throw .emptyInput }
        for t in newTokens where t < 0 || Int(t) >= vocab { throw .invalidToken(id: t, vocabularySize: vocab) }
        guard tokens.count + newTokens.count <= capacity else {
            throw .contextFull(needed: tokens.count + newTokens.count, capacity: capacity)
        }
        let n = newTokens.count
        let firstWanted: Int
        switch request {
        case .last: firstWanted = n - 1
        case .all: firstWanted = 0
        case .from(let i):
            guard i >= 0, i < n else { throw .invalidArgument("logits requested from \(i) of a \(n)-token batch") }
            firstWanted = i
        }
        var out = [Float]()
        out.reserveCapacity((n - firstWanted) * vocab)
        newTokens.withUnsafeBufferPointer { all in
            var start = 0
            while start < n {
                let end = min(n, start + Self.microBatch)
                let wantFrom = max(firstWanted, start) - start
                let batch = UnsafeBufferPointer(rebasing: all[start..<end])
                let logits = forward(batch, position: tokens.count, logitsFrom: wantFrom < batch.count ? wantFrom : nil,
                                     decodeArithmetic: decodeArithmetic)
                tokens.append(contentsOf: batch)
                cache.count = tokens.count
                if let logits { out.append(contentsOf: UnsafeBufferPointer(start: logits, count: (batch.count - wantFrom) * vocab)) }
                start = end
            }
        }
        lastLogits = Array(out[(out.count - vocab)...])
        return out
    }

    /// Appends one token and refreshes `lastLogits` in place (the decode loop's step:
    /// no allocation once the workspace and `lastLogits` exist). Same checks as `evaluate`.
    public func step(_ token: Int32) throws(EngineError) {
        let vocab = model.config.vocabSize
        guard token >= 0, Int(token) < vocab else { throw .invalidToken(id: token, vocabularySize: vocab) }
        guard tokens.count < capacity else { throw .contextFull(needed: tokens.count + 1, capacity: capacity) }
        var t = token
        let logits = withUnsafePointer(to: &t) { forward(UnsafeBufferPointer(start: $0, count: 1), position: tokens.count, logitsFrom: 0) }!
        tokens.append(token)
        cache.count = tokens.count
        let src = UnsafeBufferPointer(start: logits, count: vocab)
        if lastLogits?.count == vocab {
            lastLogits!.withUnsafeMutableBufferPointer { dst in _ = dst.initialize(from: src) }
        } else {
            lastLogits = Array(src)
        }
    }
}
