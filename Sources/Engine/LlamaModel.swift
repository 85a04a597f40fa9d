import GGUF

/// One transformer block's weights (views over the mapping) and norm gains (copied).
struct LlamaLayer: @unchecked Sendable {
    let attnNorm: [Float]      // (hidden)
    let wq: WeightMatrix       // (queryWidth x hidden)
    let wk: WeightMatrix       // (keyWidth x hidden)
    let wv: WeightMatrix       // (valueWidth x hidden)
    let wo: WeightMatrix       // (hidden x headCount*headDimV)
    let ffnNorm: [Float]       // (hidden)
    let wGate: WeightMatrix    // (ffn x hidden)
    let wUp: WeightMatrix      // (ffn x hidden)
    let wDown: WeightMatrix    // (hidden x ffn)
}

/// A llama-architecture model loaded from a GGUF file: configuration plus weights laid
/// over the memory mapping (llama2.c's `TransformerWeights`). Immutable and shareable;
/// all mutable state lives in a `LlamaContext`.
public final class LlamaModel: Sendable {
    public let file: GGUFFile
    public let config: LlamaConfig
    let tokenEmbedding: WeightMatrix   // (vocab x hidden)
    let layers: [LlamaLayer]
    let outputNorm: [Float]            // (hidden)
    /// `output.weight`, or the token embedding when the file ties them.
    let output: WeightMatrix           // (vocab x hidden)
    /// Llama-3.1 RoPE frequency divisors, one per rotated pair, or nil.
    let ropeFactors: [Float]?          // (ropeDim / 2)
    /// Owner of the row-interleaved copies of the K-quant matrices (decode kernels).
    let x8Weights = X8Weights()
    /// How many matrices have an x8 copy so far (0 when not repacked).
    public var repackedMatrices: Int { x8Weights.counts.packed }
    /// How many matrices can have one (with `repack: .off`, 0).
    public var repackableMatrices: Int { x8Weights.counts.slots }

    /// Makes the x8 copies still missing (see `X8Weights`): for a model opened with
    /// `repack: .later`, on a thread of the caller's while the model is in use.
    /// `progress(done, total)` in bytes; returning false stops. Returns the bytes packed.
    /// `idle`: on the calling thread alone, at the lowest CPU priority (`X8Weights.packAll`).
    @discardableResult
    public func repack(idle: Bool = false, progress: (_ done: Int, _ total: Int) -> Bool = { _, _ in true }) -> Int {
        x8Weights.packAll(idle: idle, progress: progress)
    }

    /// Whether the output projection is the token embedding (no `output.weight`).
    public var tiedOutput: Bool { output.base == tokenEmbedding.base }

    /// Opens and validates `path`. Errors name the file's problem (GGUFError) or the
    /// tensor / key at fault (EngineError). `repack`: when K-quant matrices get the
    /// decode kernels' row-interleaved copy, where the CPU has those kernels (`X8Weights`;
    /// by default at load, unless `PONDER_REPACK=0`). Results are the same bits either way.
    public convenience init(path: String, repack: X8Weights.Mode = .fromEnvironment) throws {
        try self.init(file: GGUFFile(path: path), repack: repack)
    }

    public init(file: GGUFFile, repack: X8Weights.Mode = .fromEnvironment) throws(EngineError) {
        self.file = file
        var cfg = try LlamaConfig(metadata: file.metadata)

        func tensor(_ name: String) throws(EngineError) -> GGUFTensorInfo {
            guard let t = file.tensor(named: name) else { throw .missingTensor(name) }
            guard t.type.isSupported else { throw .unsupportedType(tensor: name, type: t.type.name) }
            return t
        }
        func matrix(_ name: String, rows: Int, cols: Int) throws(EngineError) -> WeightMatrix {
            let t = try tensor(name)
            guard t.shape == [cols, rows] else { throw .badShape(tensor: name, expected: [cols, rows], found: t.shape) }
            return WeightMatrix(file: file, info: t)
        }
        // Projections and the output: packed for the decode kernels where they can be.
        let x8 = x8Weights
        func projection(_ name: String, rows: Int, cols: Int) throws(EngineError) -> WeightMatrix {
            let w = try matrix(name, rows: rows, cols: cols)
            return repack == .off ? w : x8.register(w)
        }
        func vector(_ name: String, count: Int) throws(EngineError) -> [Float] {
            let t = try tensor(name)
            guard t.shape == [count] else { throw .badShape(tensor: name, expected: [count], found: t.shape) }
            return (try? file.dequantize(t)) ?? []
        }

        // Vocabulary size: from the embedding when the metadata lacks it.
        let embInfo = try tensor("token_embd.weight")
        if cfg.vocabSize == 0, embInfo.shape.count == 2 { cfg.vocabSize = embInfo.shape[1] }
        guard cfg.vocabSize > 0 else { throw .badMetadata(key: "llama.vocab_size", message: "missing") }
        config = cfg
        tokenEmbedding = try matrix("token_embd.weight", rows: cfg.vocabSize, cols: cfg.hidden)

        var layers: [LlamaLayer] = []
        for i in 0..<cfg.layerCount {
            let p = "blk.\(i)."
            layers.append(LlamaLayer(
                attnNorm: try vector(p + "attn_norm.weight", count: cfg.hidden),
                wq: try projection(p + "attn_q.weight", rows: cfg.queryWidth, cols: cfg.hidden),
                wk: try projection(p + "attn_k.weight", rows: cfg.keyWidth, cols: cfg.hidden),
                wv: try projection(p + "attn_v.weight", rows: cfg.valueWidth, cols: cfg.hidden),
                wo: try projection(p + "attn_output.weight", rows: cfg.hidden, cols: cfg.headCount * cfg.headDimV),
                ffnNorm: try vector(p + "ffn_norm.weight", count: cfg.hidden),
                wGate: try projection(p + "ffn_gate.weight", rows: cfg.ffnWidth, cols: cfg.hidden),
                wUp: try projection(p + "ffn_up.weight", rows: cfg.ffnWidth, cols: cfg.hidden),
                wDown: try projection(p + "ffn_down.weight", rows: cfg.hidden, cols: cfg.ffnWidth)))
        }
        self.layers = layers
        outputNorm = try vector("output_norm.weight", count: cfg.hidden)
        if file.tensor(named: "output.weight") != nil {
            output = try projection("output.weight", rows: cfg.vocabSize, cols: cfg.hidden)
        } else {  // tied: the same bytes, with a slot of its own for the output products
            output = repack == .off ? tokenEmbedding : x8.register(tokenEmbedding)
        }
        if file.tensor(named: "rope_freqs.weight") != nil {
            ropeFactors = try vector("rope_freqs.weight", count: cfg.ropeDim / 2)
        } else {
            ropeFactors = nil
        }
        if repack == .now { x8.packAll() }
    }

    /// Bytes of weight data the model maps (what a forward pass reads).
    public var weightBytes: Int { file.tensors.reduce(0) { $0 + $1.byteCount } }
}
