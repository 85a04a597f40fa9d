import Foundation
import Kernels
import TestSupport

/// ggml type ids as the C API takes them.
enum KT {
    static let f32 = Int32(PK_F32.rawValue), f16 = Int32(PK_F16.rawValue), bf16 = Int32(PK_BF16.rawValue)
    static let q4_0 = Int32(PK_Q4_0.rawValue), q4_1 = Int32(PK_Q4_1.rawValue)
    static let q5_0 = Int32(PK_Q5_0.rawValue), q5_1 = Int32(PK_Q5_1.rawValue)
    static let q8_0 = Int32(PK_Q8_0.rawValue), q8_1 = Int32(PK_Q8_1.rawValue), q8_K = Int32(PK_Q8_K.rawValue)
    static let q4_K = Int32(PK_Q4_K.rawValue), q5_K = Int32(PK_Q5_K.rawValue), q6_K = Int32(PK_Q6_K.rawValue)

    static let iq2_xxs = Int32(PK_IQ2_XXS.rawValue), iq2_xs = Int32(PK_IQ2_XS.rawValue), iq2_s = Int32(PK_IQ2_S.rawValue)
    static let iq3_xxs = Int32(PK_IQ3_XXS.rawValue), iq3_s = Int32(PK_IQ3_S.rawValue)
    static let iq1_s = Int32(PK_IQ1_S.rawValue), iq1_m = Int32(PK_IQ1_M.rawValue)

    /// Every weight type with a dot product, but the IQ grid types (their own tests: IQDotTests).
    static let weights: [Int32] = [q4_0, q4_1, q5_0, q5_1, q8_0, q4_K, q5_K, q6_K, f32, f16, bf16]
    /// The IQ1/IQ2/IQ3 grid types (Q8_K activations).
    static let iq: [Int32] = [iq2_xxs, iq2_xs, iq2_s, iq3_xxs, iq3_s, iq1_s, iq1_m]
    /// Tiers 0 (scalar), 1 (AVX2), 2 (AVX-512); the C side clamps to what the CPU has.
    static let tiers: [Int32] = [0, 1, 2]

    /// Whether this CPU runs `tier` itself (the C side would run a lower one under its
    /// number); prints that the test skips it when not.
    static func cpuRuns(_ tier: Int32, _ what: String) -> Bool {
        if tier <= pk_max_tier() { return true }
        print("skipped: \(what) on tier \(tier): this CPU's highest tier is \(pk_max_tier())")
        return false
    }

    static func name(_ t: Int32) -> String {
        [f32: "F32", f16: "F16", bf16: "BF16", q4_0: "Q4_0", q4_1: "Q4_1", q5_0: "Q5_0",
         q5_1: "Q5_1", q8_0: "Q8_0", q8_1: "Q8_1", q8_K: "Q8_K", q4_K: "Q4_K", q5_K: "Q5_K", q6_K: "Q6_K",
         iq2_xxs: "IQ2_XXS", iq2_xs: "IQ2_XS", iq2_s: "IQ2_S", iq3_xxs: "IQ3_XXS", iq3_s: "IQ3_S",
         iq1_s: "IQ1_S", iq1_m: "IQ1_M"][t] ?? "type \(t)"
    }
}

/// Relative tolerance between tiers, against sum |w_i * x_i| of the row: tiers differ
/// only in the order the per-block float terms are added (observed <= 1.5e-8), while a
/// single wrong integer product moves the result by about sum|w*x| / n, i.e. >= 2.4e-4
/// relative for the rows here (n <= 4096): 240x this tolerance.
let tierTol = 1e-6

/// Relative tolerance of the reference dot against numpy's float64 dot of the
/// dequantized operands (same scale): the reference also rounds each block's scale
/// products (d * y.d, dmin * y.d) once, which the dequantized values round differently.
let numpyTol = 1e-5

/// SplitMix64: reproducible test data from a seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random bits of a finite half in about [2^-10, 8) in magnitude, sometimes zero or
/// subnormal (to exercise the conversion), never inf or NaN.
func randomHalfBits(_ g: inout SplitMix, positive: Bool = false) -> UInt16 {
    let r = g.next()
    let sign: UInt16 = positive ? 0 : UInt16((r >> 20) & 1) << 15
    switch r % 64 {
    case 0: return sign
    case 1: return sign | UInt16(truncatingIfNeeded: r >> 8) & 0x3ff  // subnormal
    default:
        let exp = UInt16(5 + (r >> 32) % 13)  // 2^-10 ... 2^2
        return sign | exp << 10 | UInt16(truncatingIfNeeded: r >> 40) & 0x3ff
    }
}

/// Offsets of the fp16 scale fields in one block of `t` (the rest is random bits).
func halfFields(_ t: Int32) -> [Int] {
    switch t {
    case KT.q4_0, KT.q5_0, KT.q8_0: return [0]
    case KT.q4_1, KT.q5_1, KT.q8_1, KT.q4_K, KT.q5_K: return [0, 2]
    case KT.q6_K: return [208]
    case KT.iq2_xxs, KT.iq2_xs, KT.iq2_s, KT.iq3_xxs, KT.iq3_s, KT.iq1_s: return [0]
    default: return []  // IQ1_M spreads its d over its scale words: randomRow sets it
    }
}

/// A random row of `n` values of weight type `t`: random quant bits, finite scales.
func randomRow(_ t: Int32, _ n: Int, _ g: inout SplitMix) -> [UInt8] {
    let bytes = pk_row_size(t, n)
    var row = (0..<bytes).map { _ in UInt8(truncatingIfNeeded: g.next()) }
    switch t {
    case KT.f32:
        for i in 0..<n { putFloat(&row, i * 4, Float(Double(g.next() % 2_000_001) / 1e6 - 1)) }
    case KT.f16:
        for i in 0..<n { putU16(&row, i * 2, randomHalfBits(&g)) }
    case KT.bf16:
        for i in 0..<n {  // the top half of a float of moderate magnitude (like halves above)
            let f = Float(bitPattern: UInt32(randomHalfBits(&g)) << 16 & 0x8000_0000
                          | UInt32(112 + (g.next() % 16)) << 23 | UInt32(truncatingIfNeeded: g.next()) & 0x7f_ffff)
            putU16(&row, i * 2, UInt16(f.bitPattern >> 16))
        }
    default:
        let bs = pk_type_size(t), nb = n / pk_block_size(t)
        for b in 0..<nb {
            for (k, off) in halfFields(t).enumerated() {
                // K-quant mins (the second half field) are positive in real files.
                putU16(&row, b * bs + off, randomHalfBits(&g, positive: k == 1 && (t == KT.q4_K || t == KT.q5_K)))
            }
            if t == KT.iq1_m {  // nibble k of d in the top nibble of scale word k (bytes 48-55)
                let d = randomHalfBits(&g)
                for k in 0..<4 { row[b * bs + 49 + 2 * k] = row[b * bs + 49 + 2 * k] & 0x0F | UInt8((d >> (4 * k)) & 0xF) << 4 }
            }
        }
    }
    return row
}

/// A row of `n` values of block type `t` at its integer extremes: every quant bit set
/// (Q8_0's quants -128), K-quant scales and mins at their largest (Q6_K's scales -128),
/// every fp16 scale field 1.0. (The IQ grid types: IQDotTests.extremeRow.)
func extremeBlockRow(_ t: Int32, _ n: Int) -> [UInt8] {
    let bs = pk_type_size(t)
    var row = [UInt8](repeating: 0xFF, count: pk_row_size(t, n))
    for b in 0..<(n / pk_block_size(t)) {
        for off in halfFields(t) { putU16(&row, b * bs + off, 0x3C00) }
        if t == KT.q6_K { for k in 192..<208 { row[b * bs + k] = 0x80 } }
        if t == KT.q8_0 { for k in 2..<34 { row[b * bs + k] = 0x80 } }
    }
    return row
}

/// The extreme tests' activations: all +127, and +-127 in runs of 16.
func extremeActivations(_ n: Int) -> [[Float]] {
    [[Float](repeating: 127, count: n), (0..<n).map { i -> Float in (i / 16) % 2 == 0 ? 127 : -127 }]
}

/// numpy's float64 dot (and sum |w x|) of each of the `rows` rows of `W` (type `t`, `cols`
/// wide) with each quantized activation row of `xs`: element r * xs.count + c.
func oracleDots(_ t: Int32, _ W: [UInt8], rows: Int, cols: Int, _ xs: [[UInt8]]) throws -> [(dot: Double, mag: Double)] {
    let dir = try scratchDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let rb = pk_row_size(t, cols)
    var xPaths: [String] = []
    for (c, x) in xs.enumerated() {
        let xp = dir.appendingPathComponent("x\(c).bin")
        try Data(x).write(to: xp)
        xPaths.append(xp.path)
    }
    var jobs: [[String: Any]] = []
    for r in 0..<rows {
        let wp = dir.appendingPathComponent("w\(r).bin")
        try Data(W[r * rb..<(r + 1) * rb]).write(to: wp)
        for xp in xPaths { jobs.append(["op": "dot", "type": Int(t), "n": cols, "w": wp.path, "x": xp]) }
    }
    return try runOracle(jobs).map { o in
        guard let d = o["dot"], let m = o["mag"] else { throw OracleError(description: "no dot in \(o)") }
        return (d, m)
    }
}

/// Random activations: mixed magnitudes, some exact ties and a zero block.
func randomActivations(_ n: Int, _ g: inout SplitMix) -> [Float] {
    var x = (0..<n).map { i -> Float in
        let u = Double(g.next() % 2_000_001) / 1e6 - 1
        return Float(u * Double(1 + i % 7))
    }
    if n >= 64 { for i in 32..<64 { x[i] = 0 } }  // an all-zero block
    return x
}

func putU16(_ a: inout [UInt8], _ off: Int, _ v: UInt16) {
    a[off] = UInt8(v & 0xff); a[off + 1] = UInt8(v >> 8)
}

func putFloat(_ a: inout [UInt8], _ off: Int, _ f: Float) {
    let b = f.bitPattern
    for k in 0..<4 { a[off + k] = UInt8((b >> (8 * UInt32(k))) & 0xff) }
}

/// Activations for weight type t, quantized with the kernels of `tier`.
func quantize(_ x: [Float], for t: Int32, tier: Int32) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: pk_activation_size(t, x.count))
    let rc = x.withUnsafeBufferPointer { xp in
        out.withUnsafeMutableBytes { pk_quantize_row_tier(tier, t, xp.baseAddress, $0.baseAddress, x.count) }
    }
    precondition(rc == 0, "quantize failed \(rc)")
    return out
}

func dot(_ tier: Int32, _ t: Int32, _ n: Int, _ w: [UInt8], _ x: [UInt8]) -> Float {
    w.withUnsafeBytes { wp in x.withUnsafeBytes { xp in pk_vec_dot_tier(tier, t, n, wp.baseAddress, xp.baseAddress) } }
}

func dequantize(_ t: Int32, _ src: [UInt8], _ n: Int) -> [Float] {
    var out = [Float](repeating: .nan, count: n)
    let rc = src.withUnsafeBytes { s in out.withUnsafeMutableBufferPointer { pk_dequantize_row(t, s.baseAddress, $0.baseAddress, n) } }
    precondition(rc == 0, "dequantize failed \(rc)")
    return out
}

/// sum |w_i * x_i| over the dequantized row and activations: the scale of the dot.
func magnitude(_ w: [Float], _ x: [Float]) -> Double {
    zip(w, x).reduce(0) { $0 + abs(Double($1.0) * Double($1.1)) }
}

/// A scratch directory for oracle files, removed by the caller.
func scratchDir() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("pk-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
}

func floats(_ d: Data) -> [Float] {
    d.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
}

/// The reference dot (tier 0) of one random row and random activations of each length,
/// for each type in turn (same draws, same order, as `seed` gives), and numpy's exact dot
/// and magnitude of the same bytes (`runOracle`), in the same order.
func referenceDotsAndNumpy(_ types: [Int32], lengths: [Int], seed: UInt64) throws
    -> (ours: [(Int32, Float)], oracle: [[String: Double]]) {
    var g = SplitMix(seed: seed)
    let dir = try scratchDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    var jobs: [[String: Any]] = [], ours: [(Int32, Float)] = []
    for t in types {
        for (k, n) in lengths.enumerated() {
            let w = randomRow(t, n, &g)
            let xq = quantize(randomActivations(n, &g), for: t, tier: 0)
            let wp = dir.appendingPathComponent("w\(t)_\(k).bin"), xp = dir.appendingPathComponent("x\(t)_\(k).bin")
            try Data(w).write(to: wp); try Data(xq).write(to: xp)
            jobs.append(["op": "dot", "type": Int(t), "n": n, "w": wp.path, "x": xp.path])
            ours.append((t, dot(0, t, n, w, xq)))
        }
    }
    return (ours, try runOracle(jobs))
}
