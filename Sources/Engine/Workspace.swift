import Kernels

/// The forward pass's scratch memory, owned by one `LlamaContext`.
///
/// Every buffer is sized for `rows` tokens and only ever grows: the first prefill sizes
/// it, and a decode step (one row) then runs without allocating (the issue's "no
/// allocation in the decode loop"). Raw pointers, because the hot loop hands them to C.
///
/// Shapes (row-major, one row per token of the current call):
///   x, xb, proj (rows, hidden) · q (rows, queryWidth) · att (rows, heads * headDimV)
///   k (rows, keyWidth), v (rows, valueWidth): the call's new keys and values before the
///   cache stores them · cacheKeys, cacheValues (grown on demand: an F16 cache's rows as
///   floats for the batched attention)
///   gate, up (rows, ffn) · ropeTable (rows, ropeDim/2, [cos, sin])
///   activations: rows of the int8 kernels' input format, widest projection input
///   scores (grown on demand: calls of n rows over `total` cached positions)
///   logits (grown on demand: rows with logits x vocab)
final class Workspace {
    private let c: LlamaConfig
    private(set) var rows = 0
    private(set) var x: UnsafeMutablePointer<Float>
    private(set) var xb: UnsafeMutablePointer<Float>
    private(set) var proj: UnsafeMutablePointer<Float>
    private(set) var q: UnsafeMutablePointer<Float>
    private(set) var k: UnsafeMutablePointer<Float>
    private(set) var v: UnsafeMutablePointer<Float>
    private(set) var att: UnsafeMutablePointer<Float>
    private(set) var gate: UnsafeMutablePointer<Float>
    private(set) var up: UnsafeMutablePointer<Float>
    private(set) var ropeTable: UnsafeMutablePointer<Float>
    private(set) var activations: UnsafeMutableRawPointer
    /// Bytes of one activation row (the widest input, the largest format).
    private let activationRowBytes: Int
    /// Grown on demand (sizes depend on the cached positions or the logits wanted).
    private let scoresBuffer = GrowableFloats(), logitsBuffer = GrowableFloats()
    private let cacheKeysBuffer = GrowableFloats(), cacheValuesBuffer = GrowableFloats()
    private let tilesBuffer = GrowableFloats()

    /// The input whose int8 form `activations` holds: (buffer, activation type, rows), or
    /// nil. Reset with `inputChanged()` whenever a projection input is rewritten.
    private var quantizedInput: (UnsafePointer<Float>, Int32, Int)?

    init(config: LlamaConfig) {
        c = config
        // The widest projection input, in the largest per-value format (Q8_0 with its
        // side arrays is at most ~1.2 bytes per value, F32 4): 4 bytes per value + slack.
        let widest = max(config.hidden, config.ffnWidth, config.headCount * config.headDimV)
        activationRowBytes = widest * 4 + 1024
        x = .allocate(capacity: 1); xb = .allocate(capacity: 1); proj = .allocate(capacity: 1)
        q = .allocate(capacity: 1); att = .allocate(capacity: 1)
        k = .allocate(capacity: 1); v = .allocate(capacity: 1)
        gate = .allocate(capacity: 1); up = .allocate(capacity: 1)
        ropeTable = .allocate(capacity: 1)
        activations = .allocate(byteCount: 64, alignment: 64)
    }

    deinit {
        for p in [x, xb, proj, q, k, v, att, gate, up, ropeTable] { p.deallocate() }
        activations.deallocate()
    }

    /// Makes room for calls of `n` rows (no-op when there already is).
    func reserve(rows n: Int) {
        guard n > rows else { return }
        for p in [x, xb, proj, q, k, v, att, gate, up, ropeTable] { p.deallocate() }
        activations.deallocate()
        k = .allocate(capacity: n * c.keyWidth)
        v = .allocate(capacity: n * c.valueWidth)
        x = .allocate(capacity: n * c.hidden)
        xb = .allocate(capacity: n * c.hidden)
        proj = .allocate(capacity: n * c.hidden)
        q = .allocate(capacity: n * c.queryWidth)
        att = .allocate(capacity: n * c.headCount * c.headDimV)
        gate = .allocate(capacity: n * c.ffnWidth)
        up = .allocate(capacity: n * c.ffnWidth)
        ropeTable = .allocate(capacity: n * max(c.ropeDim, 2))
        activations = .allocate(byteCount: n * activationRowBytes, alignment: 64)
        rows = n
        quantizedInput = nil
    }

    /// Scratch of at least `count` floats: attention scores, an F16 cache's keys and
    /// values as floats, logits.
    func scores(count: Int) -> UnsafeMutablePointer<Float> { scoresBuffer.pointer(count: count) }
    /// The decode attention's scores over `positions` cached rows: one row per kernel pool
    /// thread (`pk_attend_heads_tier`).
    func decodeScores(positions: Int) -> UnsafeMutablePointer<Float> {
        scores(count: Int(pk_pool_size(MatMul.pool.pointer)) * positions)
    }
    func cacheKeys(count: Int) -> UnsafeMutablePointer<Float> { cacheKeysBuffer.pointer(count: count) }
    func cacheValues(count: Int) -> UnsafeMutablePointer<Float> { cacheValuesBuffer.pointer(count: count) }
    func logits(count: Int) -> UnsafeMutablePointer<Float> { logitsBuffer.pointer(count: count) }
    /// The float path's dequantized weight tiles, one per worker (`MatMul.apply`).
    func tiles(count: Int) -> UnsafeMutablePointer<Float> { tilesBuffer.pointer(count: count) }

    /// Forgets the cached int8 form of a projection input (its buffer was rewritten).
    func inputChanged() { quantizedInput = nil }

    /// `n` rows of `input` (`cols` floats each) in the activation format of weight type
    /// `type` (pk_quantize_row's format), quantized once and reused by every projection
    /// of the same input and format until `inputChanged()`. Nil if Kernels lacks the type.
    func quantized(_ input: UnsafePointer<Float>, rows n: Int, cols: Int, weightType type: Int32,
                   tier: Int32) -> UnsafeRawPointer? {
        let a = pk_vec_dot_type(type)
        guard a >= 0 else { return nil }
        let rowBytes = pk_activation_size(type, cols)
        guard rowBytes > 0, rowBytes <= activationRowBytes, n <= rows else { return nil }
        if let (p, t, r) = quantizedInput, p == input, t == a, r == n { return UnsafeRawPointer(activations) }
        for j in 0..<n {
            guard pk_quantize_row_tier(tier, type, input + j * cols, activations + j * rowBytes, cols) == 0 else {
                quantizedInput = nil
                return nil
            }
        }
        quantizedInput = (input, a, n)
        return UnsafeRawPointer(activations)
    }
}

/// A float buffer that only grows: `pointer(count:)` reallocates (contents lost) only
/// when asked for more than it holds.
final class GrowableFloats {
    private var base: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private var capacity = 1

    deinit { base.deallocate() }

    func pointer(count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            base.deallocate()
            base = .allocate(capacity: count)
            capacity = count
        }
        return base
    }
}
