import Foundation
import Kernels
import Testing

/// pk_matvec / pk_matmul over the pool: thread counts, batching, float input.
@Suite struct MatrixTests {
    /// A weight matrix of `rows` random rows of type t, `cols` wide.
    private func matrix(_ t: Int32, rows: Int, cols: Int, seed: UInt64) -> [UInt8] {
        var g = SplitMix(seed: seed)
        return (0..<rows).flatMap { _ in randomRow(t, cols, &g) }
    }

    @Test(arguments: KT.tiers, [KT.q4_1, KT.q4_K, KT.q6_K, KT.f16])
    func matvecIsTheSameWithOneTwoAndThreeThreads(tier: Int32, type t: Int32) throws {
        let rows = 203, cols = 512  // rows not divisible by 2 or 3
        let W = matrix(t, rows: rows, cols: cols, seed: UInt64(t))
        var g = SplitMix(seed: 99)
        let xq = quantize(randomActivations(cols, &g), for: t, tier: tier)
        let rb = pk_row_size(t, cols)
        // Each out[r] must be the single-row dot of row r.
        let expected = (0..<rows).map { r in dot(tier, t, cols, Array(W[r * rb..<(r + 1) * rb]), xq) }
        for threads in [1, 2, 3] {
            let pool = try #require(pk_pool_create(Int32(threads)))
            defer { pk_pool_destroy(pool) }
            var out = [Float](repeating: .nan, count: rows)
            #expect(pk_matvec_tier(tier, pool, t, W, rows, cols, xq, &out) == 0)
            #expect(out.map(\.bitPattern) == expected.map(\.bitPattern), "\(threads) threads, tier \(tier), \(KT.name(t))")
        }
    }

    /// nx = 5 covers the four-row kernels (one group of four and one single row), 3 and 7
    /// a last group of three padded to four; nx = 21 the K-quant GEMM (one pair of 8-column
    /// groups, then a last group of 5 columns). The 32-block types also run 800 columns:
    /// 25 blocks, the four-row kernels' odd tail block.
    @Test(arguments: KT.tiers, KT.weights)
    func matmulEqualsOneMatvecPerActivationRow(tier: Int32, type t: Int32) throws {
        let widths = pk_block_size(t) == 32 ? [768, 800] : [768]
        for (cols, nx) in widths.flatMap({ c in [3, 5, 7, 21].map { (c, $0) } }) {
            let rows = 37, ldo = 40
            let W = matrix(t, rows: rows, cols: cols, seed: 5 + UInt64(t))
            var g = SplitMix(seed: 11)
            let xs = (0..<nx).map { _ in quantize(randomActivations(cols, &g), for: t, tier: tier) }
            let pool = try #require(pk_pool_create(3))
            defer { pk_pool_destroy(pool) }
            var out = [Float](repeating: -1, count: nx * ldo)
            #expect(pk_matmul_tier(tier, pool, t, W, rows, cols, Array(xs.joined()), nx, &out, ldo) == 0)
            for j in 0..<nx {
                var col = [Float](repeating: .nan, count: rows)
                #expect(pk_matvec_tier(tier, nil, t, W, rows, cols, xs[j], &col) == 0)
                #expect(Array(out[j * ldo..<j * ldo + rows]).map(\.bitPattern) == col.map(\.bitPattern),
                        "cols \(cols), nx \(nx), column \(j), tier \(tier), \(KT.name(t))")
                #expect(out[j * ldo + rows..<(j + 1) * ldo].allSatisfy { $0 == -1 }, "padding of column \(j) untouched")
            }
        }
    }


    /// Q5_0 and Q5_1 rows at their integer extremes (every quant bit set, unit scales)
    /// against activations of +-127, through the one-row dots, the four-row kernels and
    /// the many-column path: numpy's float64 dot within float rounding. (The x8 types:
    /// X8Tests.extremeBlocksKeepTheirSumsExact.)
    @Test(arguments: KT.tiers, [KT.q5_0, KT.q5_1])
    func extremeRowsMatchNumpy(tier: Int32, type t: Int32) throws {
        let rows = 6, cols = 512
        var g = SplitMix(seed: 7 + UInt64(t))
        let W = (0..<rows).flatMap { r in r % 2 == 0 ? extremeBlockRow(t, cols) : randomRow(t, cols, &g) }
        let xs = extremeActivations(cols).map { quantize($0, for: t, tier: tier) }
        let oracle = try oracleDots(t, W, rows: rows, cols: cols, xs)
        for nx in [1, 3, 5, 21] {
            var out = [Float](repeating: .nan, count: nx * rows)
            #expect(pk_matmul_tier(tier, nil, t, W, rows, cols, Array((0..<nx).map { xs[$0 % 2] }.joined()), nx, &out, rows) == 0)
            for c in 0..<nx {
                for r in 0..<rows {
                    let (exact, mag) = oracle[r * 2 + c % 2]
                    #expect(abs(Double(out[c * rows + r]) - exact) <= 1e-5 * mag,
                            "\(KT.name(t)) tier \(tier) nx \(nx) row \(r) column \(c): \(out[c * rows + r]), numpy \(exact)")
                }
            }
        }
    }
}

/// The float-in entry points: quantize (over the pool) then multiply.
@Suite struct FloatInputTests {
    @Test(arguments: KT.tiers, KT.weights)
    func matmulF32EqualsQuantizeThenMatmul(tier: Int32, type t: Int32) throws {
        let rows = 29, cols = 512, nx = 6
        var g = SplitMix(seed: 77 + UInt64(t))
        let W = (0..<rows).flatMap { _ in randomRow(t, cols, &g) }
        let xs = (0..<nx).map { _ in randomActivations(cols, &g) }
        let pool = try #require(pk_pool_create(2))
        defer { pk_pool_destroy(pool) }
        var scratch = [UInt8](repeating: 0, count: nx * pk_activation_size(t, cols))
        var out = [Float](repeating: .nan, count: nx * rows), expected = out
        #expect(pk_matmul_f32_tier(tier, pool, t, W, rows, cols, Array(xs.joined()), nx, &scratch, &out, rows) == 0)
        let xq = xs.flatMap { quantize($0, for: t, tier: tier) }
        #expect(pk_matmul_tier(tier, nil, t, W, rows, cols, xq, nx, &expected, rows) == 0)
        #expect(out.map(\.bitPattern) == expected.map(\.bitPattern))
        var one = [Float](repeating: .nan, count: rows)
        if tier == pk_active_tier() {
            #expect(pk_matvec_f32(pool, t, W, rows, cols, xs[2], &scratch, &one) == 0)
            #expect(one.map(\.bitPattern) == Array(expected[2 * rows..<3 * rows]).map(\.bitPattern))
        }
    }
}
