import Kernels

/// How fast decode could go if memory were free: the projection kernels' speed on
/// weights that sit in cache (`pk_measure_kernel_rate`), summed over the matrices one
/// token reads. Beside the bandwidth roofline (what memory allows), this says what the
/// cores allow; decode is bounded by the lower of the two, and `ponder bench` prints both.
public struct DecodeCeiling: Sendable {
    /// One kind of matrix (type, width, layout) measured.
    public struct Rate: Sendable {
        public let label: String          // e.g. "Q4_K x8 3072"
        public let gbPerSecond: Double    // all threads together
        public let bytesPerToken: Int     // of all matrices of this kind
    }
    public let rates: [Rate]
    /// Generated tokens per second if every projection ran at its cache-resident rate
    /// (attention and the small per-token steps not counted).
    public var tokensPerSecond: Double {
        let seconds = rates.reduce(0.0) { $0 + Double($1.bytesPerToken) / ($1.gbPerSecond * 1e9) }
        return seconds > 0 ? 1 / seconds : 0
    }
}

extension LlamaContext {
    /// Measures the decode ceiling of this context's model with its kernel path and tier
    /// on the engine's thread pool, about `seconds` per kind of matrix. Nil when a
    /// projection takes the float path in decode (the ceiling covers the int8 kernels
    /// only) or a measurement fails.
    public func decodeCeiling(seconds: Double = 0.3) -> DecodeCeiling? {
        let path = matmulPath, tier = kernelTier
        var matrices = model.layers.flatMap { [$0.wq, $0.wk, $0.wv, $0.wo, $0.wGate, $0.wUp, $0.wDown] }
        matrices.append(model.output)
        // Kinds in first-seen order, with the bytes one token reads of each.
        var kinds: [(key: String, sample: WeightMatrix, bytes: Int)] = []
        for w in matrices {
            guard path.usesInt8(rows: 1, type: w.type) else { return nil }
            let key = "\(w.type.name)\(w.x8?.pointer != nil ? " x8" : "") \(w.cols)"
            if let i = kinds.firstIndex(where: { $0.key == key }) {
                kinds[i].bytes += w.rows * w.rowBytes
            } else {
                kinds.append((key, w, w.rows * w.rowBytes))
            }
        }
        var rates: [DecodeCeiling.Rate] = []
        for kind in kinds {
            guard let gbs = Self.cacheResidentRate(kind.sample, tier: tier, seconds: seconds) else { return nil }
            rates.append(.init(label: kind.key, gbPerSecond: gbs, bytesPerToken: kind.bytes))
        }
        return DecodeCeiling(rates: rates)
    }

    /// The one-column product's GB/s (all pool threads) over about 96 KiB of `w`'s first
    /// rows (a multiple of 8: the x8 layout keeps them contiguous), random activations.
    private static func cacheResidentRate(_ w: WeightMatrix, tier: Int32, seconds: Double) -> Double? {
        let t = Int32(w.type.rawValue), packed = w.x8?.pointer
        // An x8 matrix's rows are a multiple of 8 (X8Weights), so the minimum is one too.
        let rows = min(max(8, (96 << 10) / max(w.rowBytes, 1) / 8 * 8), w.rows)
        let xsize = pk_activation_size(t, w.cols)
        guard rows > 0, xsize > 0 else { return nil }
        var rng = Xoshiro256(seed: 7)
        let x = (0..<w.cols).map { _ in Float(Int(rng.next() % 2001) - 1000) / 500 }
        var xq = [UInt8](repeating: 0, count: xsize)
        guard pk_quantize_row_tier(tier, t, x, &xq, w.cols) == 0 else { return nil }
        let gbs = pk_measure_kernel_rate(tier, MatMul.pool.pointer, t, packed != nil ? 1 : 0,
                                         packed ?? w.base, rows, w.cols, xq, seconds)
        return gbs > 0 ? gbs : nil
    }
}
