import Foundation
import Kernels
import Testing

/// Row-interleaved ("x8") matrices: the packing is lossless (a byte permutation for Q4_K,
/// Q5_K, Q4_0 and Q4_1; Q6_K's quants re-encoded and Q8_0's biased as x8.c documents), and
/// every product on a packed matrix is bitwise the product on the plain one (the x8
/// kernels where a tier has them, the unpacking fallback where it has not).
@Suite struct X8Tests {
    static let types: [Int32] = [KT.q4_K, KT.q5_K, KT.q6_K, KT.q4_0, KT.q4_1, KT.q8_0]

    private func matrix(_ t: Int32, rows: Int, cols: Int, seed: UInt64) -> [UInt8] {
        var g = SplitMix(seed: seed)
        return (0..<rows).flatMap { _ in randomRow(t, cols, &g) }
    }

    private func pack(_ t: Int32, _ W: [UInt8], rows: Int, cols: Int) throws -> [UInt8] {
        var P = [UInt8](repeating: 0, count: W.count)
        try #require(pk_x8_pack(t, W, rows, cols, &P) == 0)
        return P
    }

    @Test(arguments: types)
    func packingIsLosslessAndUnpackInvertsIt(type t: Int32) throws {
        let rows = 48, cols = 768, rb = pk_row_size(t, cols)
        let W = matrix(t, rows: rows, cols: cols, seed: 3 + UInt64(t))
        let P = try pack(t, W, rows: rows, cols: cols)
        #expect(P != W, "the layout differs")
        if t == KT.q6_K {
            #expect(q6ValuesOfPacked(P, rows: rows, cols: cols) == q6ValuesOfPlain(W, rows: rows, cols: cols),
                    "every 6-bit value where x8.c's layout comment puts it")
        } else if pk_block_size(t) == 32 {
            #expect(q32BlocksOfPacked(t, P, rows: rows, cols: cols) == W, "every byte where x8.c's layout comment puts it")
        } else {
            #expect(P.sorted() == W.sorted(), "the same bytes, reordered")
        }
        var U = [UInt8](repeating: 0, count: W.count)
        #expect(pk_x8_unpack(t, P, cols, 0, rows, &U) == 0)
        #expect(U == W)
        // A row range in the middle: rows 16 ..< 40.
        var part = [UInt8](repeating: 0, count: 24 * rb)
        #expect(pk_x8_unpack(t, P, cols, 16, 24, &part) == 0)
        #expect(part == Array(W[16 * rb..<40 * rb]))
        // Packing a row range lands where packing the whole matrix puts it.
        var P2 = [UInt8](repeating: 0, count: 16 * rb)
        #expect(pk_x8_pack(t, Array(W[8 * rb..<24 * rb]), 16, cols, &P2) == 0)
        #expect(P2 == Array(P[8 * rb..<24 * rb]))
        #expect(pk_x8_group_block_bytes(t) == 8 * pk_row_size(t, pk_block_size(t)))
    }

    /// The plain rows of a 32-block type, read back from the x8 layout of x8.c's comment:
    /// group G's block b at (G nb + b) * 8 * bs; row r's d at 2r (and Q4_1's m at 16 + 2r);
    /// its quant bytes 4k .. 4k + 3 at the chunks' start + 32k + 4r (Q8_0's XOR 0x80).
    private func q32BlocksOfPacked(_ t: Int32, _ P: [UInt8], rows: Int, cols: Int) -> [UInt8] {
        let nb = cols / 32, bs = pk_row_size(t, 32), scales = t == KT.q4_1 ? 2 : 1
        let flip: UInt8 = t == KT.q8_0 ? 0x80 : 0
        var W: [UInt8] = []
        for row in 0..<rows {
            for b in 0..<nb {
                let base = (row / 8 * nb + b) * 8 * bs, r = row % 8
                for h in 0..<scales { W += [P[base + 16 * h + 2 * r], P[base + 16 * h + 2 * r + 1]] }
                let q = base + 16 * scales
                for k in 0..<(bs - 2 * scales) / 4 {
                    for e in 0..<4 { W.append(P[q + 32 * k + 4 * r + e] ^ flip) }
                }
            }
        }
        return W
    }

    /// Q6_K's (d, scales, 6-bit values) per row and super-block, read from plain blocks by
    /// the ggml layout: value 128h + 32m + l (l < 32) has ql[64h + l] (m = 0, 2: low, high
    /// nibble) or ql[64h + 32 + l] (m = 1, 3), and bits 2m, 2m + 1 of qh[32h + l].
    private func q6ValuesOfPlain(_ W: [UInt8], rows: Int, cols: Int) -> [[UInt8]] {
        let nb = cols / 256
        return (0..<rows * nb).map { rb in
            let b = Array(W[rb * 210..<rb * 210 + 210])  // ql[128], qh[64], scales[16], d[2]
            var v = Array(b[208..<210]) + Array(b[192..<208])
            for h in 0..<2 {
                for m in 0..<4 {
                    for l in 0..<32 {
                        let ql = b[64 * h + 32 * (m & 1) + l], qh = b[128 + 32 * h + l]
                        v.append((m < 2 ? ql & 15 : ql >> 4) | ((qh >> (2 * m)) & 3) << 4)
                    }
                }
            }
            return v
        }
    }
    /// The same, read from the x8 layout of x8.c's comment: group G's block i at
    /// (G nb + i) * 1680; d of row r at 2r, scales pair t at 16 + 16t + 2r; chunks s0, s1, s2
    /// of (h, k) at 144 + 96 (8h + k) + 32m, byte 4r + e: value 128h + 32m + 4k + e in bits
    /// 0-5 (m < 3), and value m = 3's bits 2m, 2m + 1 in bits 6-7 of s_m.
    private func q6ValuesOfPacked(_ P: [UInt8], rows: Int, cols: Int) -> [[UInt8]] {
        let nb = cols / 256
        return (0..<rows * nb).map { rb in
            let row = rb / nb, i = rb % nb, r = row % 8
            let base = (row / 8 * nb + i) * 1680
            var v = [P[base + 2 * r], P[base + 2 * r + 1]]
            for t in 0..<8 { v += [P[base + 16 + 16 * t + 2 * r], P[base + 16 + 16 * t + 2 * r + 1]] }
            var q = [UInt8](repeating: 0, count: 256)
            for h in 0..<2 {
                for k in 0..<8 {
                    for e in 0..<4 {
                        let s = (0..<3).map { P[base + 144 + 96 * (8 * h + k) + 32 * $0 + 4 * r + e] }
                        for m in 0..<3 { q[128 * h + 32 * m + 4 * k + e] = s[m] & 63 }
                        q[128 * h + 96 + 4 * k + e] = s[0] >> 6 | (s[1] >> 6) << 2 | (s[2] >> 6) << 4
                    }
                }
            }
            return v + q
        }
    }

    /// nx 1 ... 8 run the x8 kernel, four columns a call (AVX2, AVX-512), or the fallback
    /// (scalar); 21 always the fallback, which reaches the GEMM on the SIMD tiers. Each must
    /// equal pk_matmul on the plain matrix and, column by column, pk_matvec.
    @Test(arguments: KT.tiers, types)
    func productsOnPackedMatricesAreBitwiseThePlainOnes(tier: Int32, type t: Int32) throws {
        let rows = 40, cols = 768, ldo = 43
        let W = matrix(t, rows: rows, cols: cols, seed: 17 + UInt64(t))
        let P = try pack(t, W, rows: rows, cols: cols)
        let pool = try #require(pk_pool_create(3))
        defer { pk_pool_destroy(pool) }
        var g = SplitMix(seed: 23)
        for nx in [1, 2, 3, 4, 5, 7, 8, 21] {
            let xs = (0..<nx).map { _ in quantize(randomActivations(cols, &g), for: t, tier: tier) }
            let x = Array(xs.joined())
            var plain = [Float](repeating: -1, count: nx * ldo), packed = plain
            #expect(pk_matmul_tier(tier, pool, t, W, rows, cols, x, nx, &plain, ldo) == 0)
            #expect(pk_matmul_x8_tier(tier, pool, t, P, rows, cols, x, nx, &packed, ldo) == 0)
            #expect(packed.map(\.bitPattern) == plain.map(\.bitPattern), "nx \(nx), tier \(tier), \(KT.name(t))")
            var one = [Float](repeating: .nan, count: rows)
            #expect(pk_matvec_tier(tier, nil, t, W, rows, cols, xs[nx - 1], &one) == 0)
            #expect(Array(packed[(nx - 1) * ldo..<(nx - 1) * ldo + rows]).map(\.bitPattern) == one.map(\.bitPattern))
        }
    }

    /// Blocks at the integer extremes (every quant at its maximum, Q8_0's at -128, Q4_K/Q5_K
    /// scales and mins 63, Q6_K scales -128) against activations of +-127: the kernels'
    /// integer sums (int16 pairs on AVX2, a whole Q6_K sub-block before its scale on
    /// AVX-512) must not wrap. One, four and 21 columns (the decode kernels and the prefill
    /// GEMMs), every tier, x8 and plain: numpy's float64 dot within float rounding, and
    /// the same bits.
    @Test(arguments: KT.tiers, types)
    func extremeBlocksKeepTheirSumsExact(tier: Int32, type t: Int32) throws {
        let rows = 8, cols = 512
        var g = SplitMix(seed: 41 + UInt64(t))
        // Even rows extreme, odd rows random neighbours.
        let W = (0..<rows).flatMap { r in r % 2 == 0 ? extremeBlockRow(t, cols) : randomRow(t, cols, &g) }
        let P = try pack(t, W, rows: rows, cols: cols)
        let xs = extremeActivations(cols).map { quantize($0, for: t, tier: tier) }
        let oracle = try oracleDots(t, W, rows: rows, cols: cols, xs)
        for nx in [1, 4, 21] {  // 21: the GEMMs (prefill) on the SIMD tiers
            let x = Array((0..<nx).map { xs[$0 % 2] }.joined())
            var packed = [Float](repeating: .nan, count: nx * rows), plain = packed
            #expect(pk_matmul_x8_tier(tier, nil, t, P, rows, cols, x, nx, &packed, rows) == 0)
            #expect(pk_matmul_tier(tier, nil, t, W, rows, cols, x, nx, &plain, rows) == 0)
            #expect(packed.map(\.bitPattern) == plain.map(\.bitPattern), "nx \(nx), tier \(tier), \(KT.name(t))")
            for c in 0..<nx {
                for r in 0..<rows {
                    let (exact, mag) = oracle[r * 2 + c % 2]
                    for (name, out) in [("x8", packed), ("plain", plain)] {
                        let got = Double(out[c * rows + r])
                        #expect(abs(got - exact) <= 1e-5 * mag, "\(name) \(KT.name(t)) tier \(tier) row \(r) column \(c): \(got), numpy \(exact)")
                    }
                }
            }
        }
    }

    /// Real Gemma-3 Q4_K and Q6_K rows (8 of each tensor: one x8 group), cut by gguf-py.
    @Test func realRowsGiveTheSameBitsPacked() throws {
        let real = try RealRowsCache.rows().filter { X8Tests.types.contains($0.type) }
        try #require(real.count >= 2, "a Q4_K and a Q6_K tensor")
        for r in real {
            let W = Array(r.rows.joined())
            let P = try pack(r.type, W, rows: 8, cols: r.cols)
            var g = SplitMix(seed: 5)
            let x = quantize(randomActivations(r.cols, &g), for: r.type, tier: pk_active_tier())
            var a = [Float](repeating: .nan, count: 8), b = a
            #expect(pk_matvec(nil, r.type, W, 8, r.cols, x, &a) == 0)
            #expect(pk_matmul_x8_tier(pk_active_tier(), nil, r.type, P, 8, r.cols, x, 1, &b, 8) == 0)
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "\(r.name)")
            #expect(a.allSatisfy { $0.isFinite }, "\(r.name)")
        }
    }

    @Test func refusesWhatItCannotPack() {
        let q4k = KT.q4_K
        var out = [Float](repeating: 0, count: 16)
        let W = [UInt8](repeating: 0, count: 12 * pk_row_size(q4k, 256))
        var P = W
        #expect(pk_x8_pack(q4k, W, 12, 256, &P) == PK_EBADSHAPE, "rows not a multiple of 8")
        #expect(pk_x8_pack(KT.q5_0, W, 8, 256, &P) == PK_EBADTYPE, "no x8 layout for Q5_0")
        #expect(pk_x8_pack(KT.q4_1, W, 8, 100, &P) == PK_EBADSHAPE, "cols not whole blocks")
        #expect(pk_x8_unpack(q4k, W, 256, 4, 8, &P) == PK_EBADSHAPE, "row0 not a multiple of 8")
        #expect(pk_matmul_x8_tier(1, nil, q4k, W, 12, 256, W, 1, &out, 12) == PK_EBADSHAPE)
        #expect(pk_matmul_x8_tier(1, nil, q4k, W, 8, 100, W, 1, &out, 8) == PK_EBADSHAPE)
        #expect(pk_x8_supports(0, q4k) == 0, "the scalar tier has no x8 kernel")
        #expect(pk_x8_supports(1, q4k) == (pk_max_tier() >= 1 ? 1 : 0))
        #expect(pk_x8_supports(1, KT.q6_K) == (pk_max_tier() >= 1 ? 1 : 0))
        #expect(pk_x8_supports(1, KT.q5_K) == (pk_max_tier() >= 1 ? 1 : 0))
        #expect(pk_x8_supports(2, KT.q5_K) == (pk_max_tier() >= 1 ? 1 : 0))
        // AVX2 has the 32-block types' x8 kernels together, where 256-bit operations are
        // not split in two (Q8_0's chunks taken back to signed values first).
        #expect(pk_x8_supports(1, KT.q8_0) == pk_x8_supports(1, KT.q4_1))
        #expect(pk_x8_supports(1, KT.q8_0) == pk_x8_supports(1, KT.q4_0))
        #expect(pk_x8_supports(2, KT.q8_0) == (pk_max_tier() >= 2 ? 1 : 0))
        #expect(pk_x8_supports(2, KT.q4_1) == (pk_max_tier() >= 2 ? 1 : 0))
        #expect(pk_x8_supports(2, KT.q5_1) == 0)
    }
}
