import Foundation
import Kernels
import Testing
import TestSupport

/// Dot products: every SIMD tier against the scalar reference, and the reference
/// against numpy's float64 dot of gguf-dequantized weights and activations.
@Suite struct DotTests {
    static let n = 4096

    @Test(arguments: KT.tiers, KT.weights)
    func tierMatchesReferenceOnRandomRows(tier: Int32, type t: Int32) {
        var g = SplitMix(seed: 0xB0 + UInt64(t))
        for n in [256, 512, Self.n] {
            for _ in 0..<8 {
                let w = randomRow(t, n, &g)
                let x = randomActivations(n, &g)
                let xq = quantize(x, for: t, tier: 0)
                let ref = dot(0, t, n, w, xq), got = dot(tier, t, n, w, xq)
                let mag = magnitude(dequantize(t, w, n), dequantize(pk_vec_dot_type(t), xq, n))
                #expect(abs(Double(got) - Double(ref)) <= tierTol * mag,
                        "tier \(tier) \(KT.name(t)) n=\(n): \(got) vs reference \(ref) (scale \(mag))")
            }
        }
    }

    /// With unit scales and integer activations every float step is exact, so every tier
    /// must give exactly the integer dot product numpy computes.
    @Test(arguments: KT.tiers)
    func integerPathsAreExact(tier: Int32) throws {
        var g = SplitMix(seed: 0xE1)
        let dir = try scratchDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var jobs: [[String: Any]] = [], results: [(Int32, Float, Float)] = []
        for t in KT.weights where pk_block_size(t) > 1 {
            // Sums stay below 2^24: 512 values of a 32-block type, one K super-block.
            let n = pk_block_size(t) == 32 ? 512 : 256
            var w = randomRow(t, n, &g)
            let bs = pk_type_size(t)
            for b in 0..<(n / pk_block_size(t)) {
                for off in halfFields(t) { putU16(&w, b * bs + off, 0x3C00) }  // 1.0
                if t == KT.q4_K || t == KT.q5_K { for k in 4..<16 { w[b * bs + k] &= 0x0F } }  // scales <= 15
                if t == KT.q6_K { for k in 192..<208 { w[b * bs + k] = UInt8(bitPattern: Int8(Int(w[b * bs + k] & 0x0F) - 8)) } }
            }
            // Integers in [-127, 127] with 127 first in every block: activation scale 1 (Q8_0) or -1 (Q8_K).
            var x = (0..<n).map { _ in Float(Int(g.next() % 255) - 127) }
            for b in stride(from: 0, to: n, by: 32) { x[b] = 127 }
            let xq = quantize(x, for: t, tier: tier)
            #expect(xq == quantize(x, for: t, tier: 0))
            let wp = dir.appendingPathComponent("w\(t).bin"), xp = dir.appendingPathComponent("x\(t).bin")
            try Data(w).write(to: wp); try Data(xq).write(to: xp)
            jobs.append(["op": "dot", "type": Int(t), "n": n, "w": wp.path, "x": xp.path])
            results.append((t, dot(tier, t, n, w, xq), dot(0, t, n, w, xq)))
        }
        let oracle = try runOracle(jobs)
        for ((t, got, ref), o) in zip(results, oracle) {
            let exact = try #require(o["dot"])
            #expect(Double(got) == exact && Double(ref) == exact,
                    "tier \(tier) \(KT.name(t)): \(got), reference \(ref), numpy \(exact)")
        }
    }

    @Test func referenceMatchesNumpyOnRandomRows() throws {
        let (ours, oracle) = try referenceDotsAndNumpy(KT.weights, lengths: [256, Self.n, Self.n, Self.n], seed: 0xC0)
        try expectClose(ours, oracle)
    }

    @Test(arguments: KT.tiers)
    func tierMatchesReferenceOnRealRows(tier: Int32) throws {
        let all = try RealRowsCache.rows().filter { $0.type != KT.f32 }
        #expect(Set(all.map(\.type)) == [KT.q4_1, KT.q8_0, KT.q4_K, KT.q6_K, KT.q5_0])
        var g = SplitMix(seed: 0x5E)
        for r in all {
            for (i, w) in r.rows.enumerated() {
                let x = randomActivations(r.cols, &g)
                let xq = quantize(x, for: r.type, tier: tier)
                #expect(xq == quantize(x, for: r.type, tier: 0))
                let ref = dot(0, r.type, r.cols, w, xq), got = dot(tier, r.type, r.cols, w, xq)
                let mag = magnitude(dequantize(r.type, w, r.cols), dequantize(pk_vec_dot_type(r.type), xq, r.cols))
                #expect(abs(Double(got) - Double(ref)) <= tierTol * mag,
                        "tier \(tier) \(r.name) row \(i): \(got) vs reference \(ref)")
            }
        }
    }

    /// The K-quant dots of the two SIMD tiers take one float sequence on exact integers
    /// (dot_avx2_kquants.c), so they give the same bits: that is what lets the AVX-512
    /// tier run the AVX2 GEMM and x8 kernels. Random rows of every size, and the extreme
    /// ones (all quants and scales at their maximum, activations at +-127).
    @Test(arguments: [KT.q4_K, KT.q5_K, KT.q6_K])
    func kQuantDotsAreBitwiseAcrossSIMDTiers(type t: Int32) throws {
        try #require(pk_max_tier() >= 1, "no SIMD tier on this CPU")
        var g = SplitMix(seed: 0xA5 + UInt64(t))
        for n in [256, 512, 3072, Self.n] {
            for k in 0..<6 {
                var w = randomRow(t, n, &g)
                var x = randomActivations(n, &g)
                if k == 0 {  // every quant and scale byte at its maximum, |y| at 127
                    let bs = pk_type_size(t)
                    for b in 0..<(n / 256) { for o in (t == KT.q6_K ? 0..<208 : 4..<bs) { w[b * bs + o] = t == KT.q6_K && o >= 192 ? 0x7F : 0xFF } }
                    x = x.map { $0 < 0 ? -1 : 1 }
                }
                let xq = quantize(x, for: t, tier: 0)
                let avx2 = dot(1, t, n, w, xq)
                for tier in KT.tiers where tier >= 1 && tier <= pk_max_tier() {
                    let got = dot(tier, t, n, w, xq)
                    #expect(got.bitPattern == avx2.bitPattern, "tier \(tier) \(KT.name(t)) n=\(n) case \(k): \(got) vs AVX2 \(avx2)")
                }
                #expect(avx2.isFinite)
            }
        }
    }

    /// The AVX2 tier's per-lane Q4_1 and Q8_0 dots come in two instruction widths
    /// (dot_avx2.c; the CPU picks one, or the x8 order for Q4_1): they must give the same bits, on random rows of even and odd block
    /// counts and on the extreme row (every quant at its maximum magnitude, |y| = 127), and
    /// match the scalar reference.
    @Test(arguments: [KT.q4_1, KT.q8_0])
    func avx2WidthsAreBitwiseEqual(type t: Int32) throws {
        try #require(pk_max_tier() >= 1, "no AVX2 on this CPU")
        var g = SplitMix(seed: 0x41 + UInt64(t))
        let bs = pk_type_size(t)
        for n in [32, 96, 576, 1536, Self.n + 32] {
            for k in 0..<6 {
                var w = randomRow(t, n, &g)
                var x = randomActivations(n, &g)
                if k == 0 {  // Q4_1: every nibble 15; Q8_0: every weight -128
                    for b in 0..<(n / 32) { for o in (t == KT.q4_1 ? 4..<20 : 2..<34) { w[b * bs + o] = t == KT.q4_1 ? 0xFF : 0x80 } }
                    x = x.map { $0 < 0 ? -1 : 1 }
                }
                let xq = quantize(x, for: t, tier: 0)
                let narrow = pk_vec_dot_avx2_width(128, t, n, w, xq)
                let wide = pk_vec_dot_avx2_width(256, t, n, w, xq)
                #expect(narrow.bitPattern == wide.bitPattern, "\(KT.name(t)) n=\(n) case \(k): 128-bit \(narrow) vs 256-bit \(wide)")
                let ref = dot(0, t, n, w, xq)
                let mag = magnitude(dequantize(t, w, n), dequantize(pk_vec_dot_type(t), xq, n))
                #expect(abs(Double(wide) - Double(ref)) <= tierTol * mag, "\(KT.name(t)) n=\(n) case \(k): \(wide) vs reference \(ref)")
                // Where the tier has x8 kernels for the type (256-bit operations not split),
                // its dot takes their order (gemv_x8_q32_template.h) instead: within the
                // tolerance of the reference, like every tier.
                let tierDot = dot(1, t, n, w, xq)
                if pk_x8_supports(1, t) == 0 {
                    #expect(tierDot.bitPattern == wide.bitPattern, "the tier runs one of them")
                } else {
                    #expect(abs(Double(tierDot) - Double(ref)) <= tierTol * mag, "x8 order: \(tierDot) vs reference \(ref)")
                }
            }
        }
        let zeros = [UInt8](repeating: 0, count: 64)
        #expect(pk_vec_dot_avx2_width(192, t, 32, zeros, zeros).isNaN)
        #expect(pk_vec_dot_avx2_width(128, KT.q4_0, 32, zeros, zeros).isNaN)
    }

    @Test func referenceMatchesNumpyOnRealRows() throws {
        let all = try RealRowsCache.rows()
        let dir = try scratchDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 0x5F)
        var jobs: [[String: Any]] = [], ours: [(Int32, Float)] = []
        for r in all {
            for w in r.rows {
                let xq = quantize(randomActivations(r.cols, &g), for: r.type, tier: 0)
                let wp = dir.appendingPathComponent("rw\(jobs.count).bin"), xp = dir.appendingPathComponent("rx\(jobs.count).bin")
                try Data(w).write(to: wp); try Data(xq).write(to: xp)
                jobs.append(["op": "dot", "type": Int(r.type), "n": r.cols, "w": wp.path, "x": xp.path])
                ours.append((r.type, dot(0, r.type, r.cols, w, xq)))
            }
        }
        try expectClose(ours, try runOracle(jobs))
    }

    @Test func badShapesAndTypesAreRefused() {
        let w = [UInt8](repeating: 0, count: 1024), x = [UInt8](repeating: 0, count: 1024)
        #expect(dot(0, KT.q4_0, 33, w, x).isNaN)
        #expect(dot(0, KT.q4_K, 128, w, x).isNaN)
        #expect(dot(0, 99, 32, w, x).isNaN)
        #expect(dot(0, KT.q8_K, 256, w, x).isNaN)  // an activation format, not a weight type
        var out = [Float](repeating: 0, count: 64)
        #expect(pk_dequantize_row(KT.q4_0, w, &out, 31) == PK_EBADSHAPE)
        #expect(pk_dequantize_row(4, w, &out, 32) == PK_EBADTYPE)
        #expect(pk_quantize_row_tier(0, KT.q4_K, out, &out, 64) == PK_EBADSHAPE)
        #expect(pk_matvec(nil, KT.q6_K, w, 1, 100, x, &out) == PK_EBADSHAPE)
        #expect(pk_matvec(nil, 5, w, 1, 32, x, &out) == PK_EBADTYPE)
        #expect(pk_matmul(nil, KT.q8_0, w, 4, 32, x, 2, &out, 3) == PK_EBADARG)
    }

    /// Reference dot vs numpy float64 dot of the dequantized operands.
    private func expectClose(_ ours: [(Int32, Float)], _ oracle: [[String: Double]]) throws {
        for ((t, v), o) in zip(ours, oracle) {
            let exact = try #require(o["dot"]), mag = try #require(o["mag"])
            #expect(abs(Double(v) - exact) <= numpyTol * mag, "\(KT.name(t)): reference \(v), numpy \(exact) (scale \(mag))")
        }
    }
}
