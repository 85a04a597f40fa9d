import Foundation
import Kernels
import Testing

/// pk_gemm16_tier: Q8_0 weights against float activations rounded to int16 per 32-value
/// block. Its definition (gemm_q8_0_i16.c) is small enough to recompute here in Swift
/// with exact integers and the same float steps, so every result is checked bitwise;
/// and against the plain float dot of the dequantized weights, which is what it stands
/// in for.
@Suite struct Gemm16Tests {
    private func matrix(rows: Int, cols: Int, _ g: inout SplitMix) -> [UInt8] {
        (0..<rows).flatMap { _ in randomRow(KT.q8_0, cols, &g) }
    }

    /// The definition: per column and block d = max|x| / 32767, q = rne(x * (1 / d)); per
    /// row the exact integer B = sum w q, then acc = fma(d_w * d, B, acc) block by block.
    private func expected(_ W: [UInt8], row r: Int, cols: Int, x: ArraySlice<Float>) -> Float {
        let bs = Int(pk_type_size(KT.q8_0)), nb = cols / 32, base = r * nb * bs
        var acc: Float = 0
        for b in 0..<nb {
            let xb = Array(x[(x.startIndex + 32 * b)..<(x.startIndex + 32 * b + 32)])
            let amax = xb.map { abs($0) }.max()!
            let d = amax / 32767
            let id: Float = d != 0 ? 1 / d : 0
            var B = 0
            for l in 0..<32 {
                let q = Int((xb[l] * id).rounded(.toNearestOrEven))
                B += Int(Int8(bitPattern: W[base + b * bs + 2 + l])) * q
            }
            let dw = Float(Float16(bitPattern: UInt16(W[base + b * bs]) | UInt16(W[base + b * bs + 1]) << 8))
            acc = acc.addingProduct(dw * d, Float(B))
        }
        return acc
    }

    /// Activations with the hard cases: a block whose max is an outlier 10^4 times its
    /// neighbours (SmolLM2's channel 507), an all-zero block, a block of one sign.
    private func activations(_ cols: Int, _ g: inout SplitMix) -> [Float] {
        var x = randomActivations(cols, &g)
        if cols >= 96 {
            x[5] = 2.0e4
            for l in 32..<64 { x[l] = 0 }
            for l in 64..<96 { x[l] = abs(x[l]) + 0.5 }
        }
        return x
    }

    /// Rows not a multiple of 2, full, paired and partial 8-column groups, SmolLM2's
    /// widths (576 and 1536): bitwise the definition, the padding between columns
    /// untouched, the same bits on 1, 2 and 3 threads; within float rounding of the plain
    /// float product. Where a tier has no kernel: PK_EUNSUPPORTED and out untouched.
    @Test(arguments: KT.tiers)
    func matchesItsDefinitionBitwise(tier: Int32) throws {
        let t = KT.q8_0
        var g = SplitMix(seed: 0x16)
        for (rows, cols, nx) in [(37, 576, 8), (64, 576, 21), (9, 1536, 16), (8, 96, 9)] {
            let W = matrix(rows: rows, cols: cols, &g), ldo = rows + 3
            let x = (0..<nx).flatMap { _ in activations(cols, &g) }
            var byThreads: [[Float]] = []
            for threads in [1, 2, 3] {
                let pool = try #require(pk_pool_create(Int32(threads)))
                defer { pk_pool_destroy(pool) }
                var out = [Float](repeating: -1, count: nx * ldo)
                let rc = pk_gemm16_tier(tier, pool, t, W, rows, cols, x, nx, &out, ldo)
                if pk_gemm16_supports(tier, t) == 0 {
                    #expect(rc == PK_EUNSUPPORTED && out.allSatisfy { $0 == -1 }, "tier \(tier) has no kernel")
                    return
                }
                #expect(rc == 0)
                byThreads.append(out)
            }
            #expect(byThreads[1].map(\.bitPattern) == byThreads[0].map(\.bitPattern), "2 threads")
            #expect(byThreads[2].map(\.bitPattern) == byThreads[0].map(\.bitPattern), "3 threads")
            let out = byThreads[0], rb = Int(pk_row_size(t, cols))
            for j in 0..<nx {
                let xj = x[(j * cols)..<((j + 1) * cols)]
                for r in 0..<rows {
                    let want = expected(W, row: r, cols: cols, x: xj), got = out[j * ldo + r]
                    #expect(got.bitPattern == want.bitPattern, "\(rows)x\(cols) nx \(nx): column \(j) row \(r): \(got) vs \(want)")
                    // Against the float product: int16 rounding moves each value by at
                    // most half a step, max|x| / 65534 of its block.
                    let w = dequantize(t, Array(W[r * rb..<(r + 1) * rb]), cols)
                    var exact = 0.0, bound = 0.0
                    for i in 0..<cols { exact += Double(w[i]) * Double(xj[xj.startIndex + i]) }
                    for b in 0..<(cols / 32) {
                        let amax = xj[(xj.startIndex + 32 * b)..<(xj.startIndex + 32 * b + 32)].map { Double(abs($0)) }.max()!
                        for l in 0..<32 { bound += abs(Double(w[32 * b + l])) * amax / 65534 }
                    }
                    let mag = magnitude(w, Array(xj))
                    #expect(abs(Double(got) - exact) <= 1.01 * bound + 1e-5 * mag,
                            "column \(j) row \(r): \(got) vs float \(exact)")
                }
                #expect(out[j * ldo + rows..<(j + 1) * ldo].allSatisfy { $0 == -1 }, "padding of column \(j)")
            }
        }
    }

    @Test func unsupportedCallsAndBadArgumentsAreRefused() {
        let w = [UInt8](repeating: 0, count: 4096), x = [Float](repeating: 0, count: 1024)
        var out = [Float](repeating: 7, count: 256)
        #expect(pk_gemm16_supports(0, KT.q8_0) == 0, "the scalar tier has none")
        #expect(pk_gemm16_supports(1, KT.q4_1) == 0, "Q8_0 only")
        #expect(pk_gemm16_supports(1, KT.q8_0) == (pk_max_tier() >= 1 ? 1 : 0))
        #expect(pk_gemm16_supports(2, KT.q8_0) == (pk_max_tier() >= 1 ? 1 : 0), "the AVX-512 tier runs the AVX2 kernel")
        #expect(pk_gemm16_tier(1, nil, KT.q8_0, w, 4, 32, x, 7, &out, 4) == PK_EUNSUPPORTED,
                "fewer than 8 columns: the caller's other path")
        #expect(out.allSatisfy { $0 == 7 })
        #expect(pk_gemm16_tier(1, nil, 99, w, 4, 32, x, 8, &out, 4) == PK_EBADTYPE)
        #expect(pk_gemm16_tier(1, nil, KT.q8_0, w, 4, 33, x, 8, &out, 4) == PK_EBADSHAPE)
        #expect(pk_gemm16_tier(1, nil, KT.q8_0, w, 4, 32, x, 8, &out, 3) == PK_EBADARG)
        #expect(pk_gemm16_tier(1, nil, KT.q8_0, w, 0, 32, x, 8, &out, 4) == 0, "no rows: nothing to do")
    }
}
