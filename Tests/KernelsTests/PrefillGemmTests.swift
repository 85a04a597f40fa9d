import Foundation
import Kernels
import Testing

/// pk_prefill_gemm_tier: the Q8_0 prefill GEMM (AVX-512 VNNI). It has its own float
/// order, so it is checked against exact integers and the scalar reference (not bitwise
/// against the dots); where a tier has no kernel it must be pk_matmul_tier exactly.
@Suite struct PrefillGemmTests {
    private func matrix(_ t: Int32, rows: Int, cols: Int, _ g: inout SplitMix) -> [UInt8] {
        (0..<rows).flatMap { _ in randomRow(t, cols, &g) }
    }

    /// Rows not a multiple of 2, columns giving full, paired and partial 8-column groups,
    /// SmolLM2's width (18 blocks); each column within the tier tolerance of the scalar
    /// reference dot, the padding between columns untouched, and the same bits on 1, 2
    /// and 3 threads.
    @Test(arguments: KT.tiers)
    func randomMatricesMatchTheReference(tier: Int32) throws {
        let t = KT.q8_0
        var g = SplitMix(seed: 0x9E)
        for (rows, cols, nx) in [(37, 576, 8), (64, 576, 21), (33, 1024, 16), (8, 96, 9)] {
            let W = matrix(t, rows: rows, cols: cols, &g), ldo = rows + 3
            let xs = (0..<nx).map { _ in quantize(randomActivations(cols, &g), for: t, tier: tier) }
            let x = Array(xs.joined())
            var byThreads: [[Float]] = []
            for threads in [1, 2, 3] {
                let pool = try #require(pk_pool_create(Int32(threads)))
                defer { pk_pool_destroy(pool) }
                var out = [Float](repeating: -1, count: nx * ldo)
                #expect(pk_prefill_gemm_tier(tier, pool, t, W, rows, cols, x, nx, &out, ldo) == 0)
                byThreads.append(out)
            }
            #expect(byThreads[1].map(\.bitPattern) == byThreads[0].map(\.bitPattern), "2 threads")
            #expect(byThreads[2].map(\.bitPattern) == byThreads[0].map(\.bitPattern), "3 threads")
            let out = byThreads[0], rb = pk_row_size(t, cols)
            // On the x8 copy (whole groups of 8 rows): the same bits as on the plain rows.
            if rows % 8 == 0 {
                var P = W, packed = [Float](repeating: -1, count: nx * ldo)
                #expect(pk_x8_pack(t, W, rows, cols, &P) == 0)
                #expect(pk_prefill_gemm_x8_tier(tier, nil, t, P, rows, cols, x, nx, &packed, ldo) == 0)
                #expect(packed.map(\.bitPattern) == byThreads[0].map(\.bitPattern), "x8, \(rows)x\(cols) nx \(nx)")
            }
            if pk_prefill_gemm_supports(tier, t) == 0 {
                var plain = [Float](repeating: -1, count: nx * ldo)
                #expect(pk_matmul_tier(tier, nil, t, W, rows, cols, x, nx, &plain, ldo) == 0)
                #expect(out.map(\.bitPattern) == plain.map(\.bitPattern), "no kernel on tier \(tier): pk_matmul_tier")
                continue
            }
            for j in 0..<nx {
                let xd = dequantize(KT.q8_0, xs[j], cols)
                for r in 0..<rows {
                    let w = Array(W[r * rb..<(r + 1) * rb])
                    let ref = dot(0, t, cols, w, xs[j]), got = out[j * ldo + r]
                    let mag = magnitude(dequantize(t, w, cols), xd)
                    #expect(abs(Double(got) - Double(ref)) <= tierTol * mag,
                            "\(rows)x\(cols), nx \(nx): column \(j) row \(r): \(got) vs reference \(ref)")
                }
                #expect(out[j * ldo + rows..<(j + 1) * ldo].allSatisfy { $0 == -1 }, "padding of column \(j)")
            }
        }
    }

    /// Unit scales and integer activations (127 first in every block, so the activation
    /// scale is 1): every float step is exact, so each result must be the integer dot
    /// product of the raw bytes, computed here in Int. Weights include -128 and 127, the
    /// ends of the bias trick.
    @Test(arguments: KT.tiers)
    func integerCaseIsExact(tier: Int32) throws {
        let t = KT.q8_0, rows = 19, cols = 256, nx = 11, bs = pk_type_size(t)
        var g = SplitMix(seed: 0x51)
        var W = matrix(t, rows: rows, cols: cols, &g)
        for r in 0..<rows {
            for b in 0..<(cols / 32) {
                let o = r * (cols / 32) * bs + b * bs
                putU16(&W, o, 0x3C00)  // d = 1.0
                if r == 0 { for l in 0..<32 { W[o + 2 + l] = 0x80 } }  // -128
                if r == 1 { for l in 0..<32 { W[o + 2 + l] = 0x7F } }  // 127
            }
        }
        var xs: [[UInt8]] = [], xv: [[Int]] = []
        for _ in 0..<nx {
            var x = (0..<cols).map { _ in Float(Int(g.next() % 255) - 127) }
            for b in stride(from: 0, to: cols, by: 32) { x[b] = 127 }
            xv.append(x.map { Int($0) })
            xs.append(quantize(x, for: t, tier: tier))
        }
        var out = [Float](repeating: .nan, count: nx * rows)
        #expect(pk_prefill_gemm_tier(tier, nil, t, W, rows, cols, Array(xs.joined()), nx, &out, rows) == 0)
        for j in 0..<nx {
            for r in 0..<rows {
                var exact = 0
                for b in 0..<(cols / 32) {
                    for l in 0..<32 { exact += Int(Int8(bitPattern: W[r * (cols / 32) * bs + b * bs + 2 + l])) * xv[j][32 * b + l] }
                }
                #expect(out[j * rows + r] == Float(exact), "column \(j) row \(r): \(out[j * rows + r]) vs \(exact)")
            }
        }
    }

    @Test func otherTypesAndBadShapesAreHandled() {
        let w = [UInt8](repeating: 0, count: 4096), x = [UInt8](repeating: 0, count: 4096)
        var out = [Float](repeating: 0, count: 256)
        #expect(pk_prefill_gemm_supports(2, KT.q4_1) == 0)
        #expect(pk_prefill_gemm_supports(0, KT.q8_0) == 0, "the scalar tier has no prefill GEMM")
        #expect(pk_prefill_gemm_supports(1, KT.q8_0) == 0, "nor the AVX2 one")
        #expect(pk_prefill_gemm_supports(2, KT.q8_0) == (pk_max_tier() >= 2 ? 1 : 0))
        #expect(pk_prefill_gemm_tier(2, nil, 99, w, 4, 32, x, 8, &out, 4) == PK_EBADTYPE)
        #expect(pk_prefill_gemm_tier(2, nil, KT.q8_0, w, 4, 33, x, 8, &out, 4) == PK_EBADSHAPE)
        #expect(pk_prefill_gemm_tier(2, nil, KT.q8_0, w, 4, 32, x, 8, &out, 3) == PK_EBADARG)
    }
}
