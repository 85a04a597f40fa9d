import Foundation
import Kernels
import Testing
import TestSupport

/// The IQ1/IQ2/IQ3 dots against Q8_K activations: the scalar reference against numpy's
/// float64 dot of gguf-py's dequantized weights and the dequantized activations, and
/// every tier against the reference, one row at a time and through the pooled matrix
/// product. The SIMD tiers' IQ dots (dot_avx2_iq.c, dot_avx512_iq.c) form the reference's
/// exact integers and take its float steps in its order, so they must be bitwise equal
/// to it; the tolerance check (tierTol) comes first so a failure also says how far off.
/// A tier the CPU lacks is skipped, and the test says so. Random rows:
/// every byte pattern of these types' index, sign and scale fields is valid, so random
/// bytes reach every grid point and sign pattern.
@Suite struct IQDotTests {
    @Test func referenceMatchesNumpyOnRandomRows() throws {
        let (ours, oracle) = try referenceDotsAndNumpy(KT.iq, lengths: [256, 256, 4096, 4096, 4096, 4096], seed: 0x1C0)
        for ((t, v), o) in zip(ours, oracle) {
            let exact = try #require(o["dot"]), mag = try #require(o["mag"])
            #expect(abs(Double(v) - exact) <= numpyTol * mag, "\(KT.name(t)): reference \(v), numpy \(exact) (scale \(mag))")
        }
    }

    @Test(arguments: KT.tiers, KT.iq)
    func tierMatchesReferenceOnRandomRows(tier: Int32, type t: Int32) {
        guard KT.cpuRuns(tier, "\(KT.name(t)) random rows") else { return }
        var g = SplitMix(seed: 0x1D0 + UInt64(t))
        for n in [256, 512, 4096] {
            for _ in 0..<8 {
                let w = randomRow(t, n, &g)
                let x = randomActivations(n, &g)
                let xq = quantize(x, for: t, tier: tier)
                #expect(xq == quantize(x, for: t, tier: 0))
                let ref = dot(0, t, n, w, xq), got = dot(tier, t, n, w, xq)
                let mag = magnitude(dequantize(t, w, n), dequantize(KT.q8_K, xq, n))
                #expect(abs(Double(got) - Double(ref)) <= tierTol * mag,
                        "tier \(tier) \(KT.name(t)) n=\(n): \(got) vs reference \(ref) (scale \(mag))")
                #expect(got.bitPattern == ref.bitPattern, "tier \(tier) \(KT.name(t)) n=\(n): not bitwise")
            }
        }
    }

    /// The extremes: every index, sign and scale bit set, d at the largest finite half,
    /// activations at +-127 (the int16 pair sums and int32 block sums at their largest).
    @Test(arguments: KT.tiers, KT.iq)
    func tierMatchesReferenceOnExtremeRows(tier: Int32, type t: Int32) {
        guard KT.cpuRuns(tier, "\(KT.name(t)) extreme rows") else { return }
        var g = SplitMix(seed: 0x1F0 + UInt64(t))
        let n = 512
        for fill in [UInt8(0xFF), 0x00, 0xAA] {
            let w = extremeRow(t, n, fill: fill)
            let x = (0..<n).map { _ in Float(g.next() % 2 == 0 ? 127 : -127) }
            let xq = quantize(x, for: t, tier: 0)
            let ref = dot(0, t, n, w, xq), got = dot(tier, t, n, w, xq)
            #expect(ref.isFinite && got.bitPattern == ref.bitPattern, "tier \(tier) \(KT.name(t)) fill \(fill): \(got) vs reference \(ref)")
        }
    }

    /// A row of n values with every block `fill` and d at the largest finite half (IQ1_M:
    /// its nibbles atop the scale words).
    func extremeRow(_ t: Int32, _ n: Int, fill: UInt8) -> [UInt8] {
        let bs = pk_type_size(t)
        var w = [UInt8](repeating: fill, count: pk_row_size(t, n))
        for b in 0..<(n / 256) {
            if t == KT.iq1_m {
                for k in 0..<4 { w[b * bs + 49 + 2 * k] = w[b * bs + 49 + 2 * k] & 0x0F | UInt8((0x7BFF >> (4 * k)) & 0xF) << 4 }
            } else {
                putU16(&w, b * bs, 0x7BFF)
            }
        }
        return w
    }

    /// pk_matmul_tier (the engine's decode and prefill call) on a pool: each output is
    /// bitwise the tier's one-row dot, for one and for several activation rows (5: one
    /// many-column call; 37: the prefill GEMM's full 16-column blocks and a partial group
    /// of 5, or one offset-activation call of 32 columns and a partial one; 85: a full
    /// PK_DOTU_MAX call, one of 16 and a partial group). 53 rows, three of them extreme:
    /// 26 and 27 per thread, so a GEMM row tile of 24 and a tail, an offset-activation
    /// tile of 16 and a tail, and an odd row alone.
    @Test(arguments: KT.iq)
    func matmulIsTheRowDots(type t: Int32) throws {
        let pool = try #require(pk_pool_create(2))
        defer { pk_pool_destroy(pool) }
        var g = SplitMix(seed: 0x1E0 + UInt64(t))
        let rows = 53, cols = 512
        let w = [0xFF, 0x00, 0xAA].map { extremeRow(t, cols, fill: $0) } + (3..<rows).map { _ in randomRow(t, cols, &g) }
        for tier in KT.tiers where KT.cpuRuns(tier, "\(KT.name(t)) matmul") {
            for nx in [1, 5, 37, 85] {
                let xs = (0..<nx).map { _ in quantize(randomActivations(cols, &g), for: t, tier: tier) }
                var out = [Float](repeating: .nan, count: rows * nx)
                let flatW = Array(w.joined()), flatX = Array(xs.joined())
                #expect(pk_matmul_tier(tier, pool, t, flatW, rows, cols, flatX, nx, &out, rows) == 0)
                for j in 0..<nx {
                    for r in 0..<rows {
                        let want = dot(tier, t, cols, w[r], xs[j])
                        #expect(out[j * rows + r].bitPattern == want.bitPattern, "tier \(tier) \(KT.name(t)) nx \(nx) row \(r) col \(j)")
                    }
                }
            }
        }
    }
}
