import GGUF

/// Hyperparameters of a llama-architecture model, read from GGUF metadata.
///
/// Widths: the query projection is `headCount * headDimK` wide, which need not equal
/// `hidden` (Nemotron-Nano-4B: 32 x 128 = 4096 over a hidden size of 3072).
public struct LlamaConfig: Sendable, Equatable {
    public var vocabSize: Int
    /// Residual stream width (`embedding_length`).
    public var hidden: Int
    public var layerCount: Int
    /// Feed-forward inner width.
    public var ffnWidth: Int
    public var headCount: Int
    public var kvHeadCount: Int
    /// Width of one query/key head (`attention.key_length`, else hidden / heads).
    public var headDimK: Int
    /// Width of one value head (`attention.value_length`, else headDimK).
    public var headDimV: Int
    /// Leading dimensions of each head that RoPE rotates (`rope.dimension_count`).
    public var ropeDim: Int
    public var ropeFreqBase: Float
    public var normEps: Float
    /// Context length the model was trained for.
    public var contextLength: Int

    public var queryWidth: Int { headCount * headDimK }
    public var keyWidth: Int { kvHeadCount * headDimK }
    public var valueWidth: Int { kvHeadCount * headDimV }

    /// Reads the configuration; missing or nonsensical values are an `EngineError`.
    public init(metadata md: GGUFMetadata) throws(EngineError) {
        let arch = md.architecture ?? "(none)"
        guard arch == "llama" else { throw .unsupportedArchitecture(arch) }
        func req(_ k: String) throws(EngineError) -> Int {
            guard let v = md.int("llama.\(k)") else {
                throw .badMetadata(key: "llama.\(k)", message: "missing")
            }
            guard v > 0, v < 1 << 24 else {
                throw .badMetadata(key: "llama.\(k)", message: "value \(v) out of range")
            }
            return v
        }
        hidden = try req("embedding_length")
        layerCount = try req("block_count")
        ffnWidth = try req("feed_forward_length")
        headCount = try req("attention.head_count")
        kvHeadCount = md.int("llama.attention.head_count_kv") ?? headCount
        guard kvHeadCount > 0, headCount % kvHeadCount == 0 else {
            throw .badMetadata(key: "llama.attention.head_count_kv",
                               message: "\(kvHeadCount) does not divide the \(headCount) query heads")
        }
        if let k = md.int("llama.attention.key_length") {
            headDimK = k
        } else {
            guard hidden % headCount == 0 else {
                throw .badMetadata(key: "llama.attention.key_length",
                                   message: "missing, and hidden \(hidden) is not a multiple of \(headCount) heads")
            }
            headDimK = hidden / headCount
        }
        headDimV = md.int("llama.attention.value_length") ?? headDimK
        guard headDimK > 0, headDimK % 2 == 0, headDimV > 0 else {
            throw .badMetadata(key: "llama.attention.key_length", message: "head width \(headDimK) must be positive and even")
        }
        ropeDim = md.int("llama.rope.dimension_count") ?? headDimK
        guard ropeDim > 0, ropeDim <= headDimK, ropeDim % 2 == 0 else {
            throw .badMetadata(key: "llama.rope.dimension_count", message: "\(ropeDim) must be even and at most the head width \(headDimK)")
        }
        ropeFreqBase = md.float("llama.rope.freq_base") ?? 10000
        guard ropeFreqBase > 1, ropeFreqBase.isFinite else {
            throw .badMetadata(key: "llama.rope.freq_base", message: "\(ropeFreqBase) must be a finite number above 1")
        }
        normEps = md.float("llama.attention.layer_norm_rms_epsilon") ?? 1e-5
        guard normEps > 0, normEps < 1 else {
            throw .badMetadata(key: "llama.attention.layer_norm_rms_epsilon", message: "\(normEps) out of range")
        }
        contextLength = md.int("llama.context_length") ?? 2048
        // 0 when absent: the loader then takes it from token_embd's shape (and checks
        // the two agree when present).
        vocabSize = md.int("llama.vocab_size") ?? 0
    }
}
