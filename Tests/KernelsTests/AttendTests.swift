import Foundation
import Kernels
import Testing

/// pk_attend (one query's attention over cached rows, F16 or F32): every tier against
/// the same softmax-weighted sum computed here in Double from the dequantized rows.
/// Only summation order and the polynomial exp of the SIMD softmax differ, so 1e-4
/// relative to the output's scale bounds it.
@Suite struct AttendTests {
    @Test(arguments: KT.tiers, [KT.f32, KT.f16])
    func matchesDouble(tier: Int32, type t: Int32) {
        var g = SplitMix(seed: 0xA77 + UInt64(t))
        for (npos, hdk, hdv) in [(1, 64, 64), (7, 128, 128), (300, 64, 64), (33, 16, 48)] {
            let width = t == KT.f16 ? 2 : 4
            // Interleaved layout as the KV cache has it: each row holds 2 heads; use head 1.
            let rowK = 2 * hdk, rowV = 2 * hdv
            let keys = randomRow(t, npos * rowK, &g), values = randomRow(t, npos * rowV, &g)
            let q = randomActivations(hdk, &g)
            let scale = 1 / Float(hdk).squareRoot()
            var scores = [Float](repeating: 0, count: npos), out = [Float](repeating: .nan, count: hdv)
            let rc = keys.withUnsafeBytes { kp in
                values.withUnsafeBytes { vp in
                    pk_attend_tier(tier, t, q, kp.baseAddress! + hdk * width, rowK * width,
                                   vp.baseAddress! + hdv * width, rowV * width, npos, hdk, hdv, scale, &scores, &out)
                }
            }
            #expect(rc == 0)
            let kf = dequantize(t, keys, npos * rowK), vf = dequantize(t, values, npos * rowV)
            var s = (0..<npos).map { j in (0..<hdk).reduce(0.0) { $0 + Double(q[$1]) * Double(kf[j * rowK + hdk + $1]) } * Double(scale) }
            let mx = s.max()!
            s = s.map { Foundation.exp($0 - mx) }
            let sum = s.reduce(0, +)
            var bad = 0
            for i in 0..<hdv {
                var want = 0.0, mag = 0.0
                for j in 0..<npos { let v = s[j] / sum * Double(vf[j * rowV + hdv + i]); want += v; mag += abs(v) }
                if !(abs(Double(out[i]) - want) <= 1e-4 * mag + 1e-6) { bad += 1 }
            }
            #expect(bad == 0, "tier \(tier) \(KT.name(t)) npos \(npos) hd \(hdk)/\(hdv): \(bad) values off")
        }
        var o: [Float] = [0], sc: [Float] = [0]
        #expect(pk_attend_tier(tier, KT.q8_0, [0], [0], 4, [0], 4, 1, 1, 1, 1, &sc, &o) == PK_EBADTYPE)
    }

    /// pk_attend_heads: all heads of one query over a pool. Each head must be bitwise
    /// pk_attend_tier's for that head (the split only decides which thread computes it),
    /// with a pool of 2 and 3 threads and with none, on grouped-query layouts.
    @Test(arguments: KT.tiers, [KT.f32, KT.f16])
    func headsOverThePoolAreBitwiseOneByOne(tier: Int32, type t: Int32) {
        var g = SplitMix(seed: 0xBEAD + UInt64(t))
        let pools: [OpaquePointer?] = [nil, pk_pool_create(2), pk_pool_create(3)]
        defer { for p in pools { pk_pool_destroy(p) } }
        for (heads, group, npos, hd) in [(8, 4, 37, 64), (5, 1, 1, 16), (32, 4, 130, 128)] {
            let width = t == KT.f16 ? 2 : 4
            let kvHeads = heads / group, row = kvHeads * hd
            let keys = randomRow(t, npos * row, &g), values = randomRow(t, npos * row, &g)
            let q = randomActivations(heads * hd, &g)
            let scale = 1 / Float(hd).squareRoot()
            var want = [Float](repeating: 0, count: heads * hd), scores = [Float](repeating: 0, count: npos)
            keys.withUnsafeBytes { kp in
                values.withUnsafeBytes { vp in
                    for h in 0..<heads {
                        let kvh = h / group
                        _ = pk_attend_tier(tier, t, Array(q[(h * hd)...]), kp.baseAddress! + kvh * hd * width, row * width,
                                           vp.baseAddress! + kvh * hd * width, row * width, npos, hd, hd, scale,
                                           &scores, &want[h * hd])
                    }
                }
            }
            for pool in pools {
                var out = [Float](repeating: .nan, count: heads * hd)
                var scratch = [Float](repeating: 0, count: Int(pk_pool_size(pool)) * npos)
                let rc = keys.withUnsafeBytes { kp in
                    values.withUnsafeBytes { vp in
                        pk_attend_heads_tier(tier, pool, t, q, heads, group, kp.baseAddress!, row * width,
                                             vp.baseAddress!, row * width, npos, hd, hd, scale, &scratch, &out)
                    }
                }
                #expect(rc == 0)
                let same = zip(out, want).allSatisfy { $0.bitPattern == $1.bitPattern }
                #expect(same, "tier \(tier) \(KT.name(t)) heads \(heads)/\(group) npos \(npos), pool of \(pk_pool_size(pool))")
            }
        }
        var o: [Float] = [0], sc: [Float] = [0]
        #expect(pk_attend_heads_tier(tier, nil, t, [0], 3, 2, [0], 4, [0], 4, 1, 1, 1, 1, &sc, &o) == PK_EBADSHAPE)
        #expect(pk_attend_heads_tier(tier, nil, KT.q8_0, [0], 1, 1, [0], 4, [0], 4, 1, 1, 1, 1, &sc, &o) == PK_EBADTYPE)
    }

    /// pk_attend_queries: consecutive causal queries (speculative verification) in one pool
    /// run. Query i over the first npos + i rows, each (query, head) bitwise pk_attend_tier's.
    @Test(arguments: KT.tiers, [KT.f32, KT.f16])
    func causalQueriesAreBitwiseOneByOne(tier: Int32, type t: Int32) {
        var g = SplitMix(seed: 0xCAFE + UInt64(t))
        let pools: [OpaquePointer?] = [nil, pk_pool_create(2), pk_pool_create(3)]
        defer { for p in pools { pk_pool_destroy(p) } }
        for (queries, heads, group, npos, hd) in [(5, 9, 3, 20, 64), (1, 8, 4, 37, 64), (9, 4, 1, 1, 16)] {
            let width = t == KT.f16 ? 2 : 4
            let row = heads / group * hd, rows = npos + queries - 1
            let keys = randomRow(t, rows * row, &g), values = randomRow(t, rows * row, &g)
            let q = randomActivations(queries * heads * hd, &g)
            let scale = 1 / Float(hd).squareRoot()
            var want = [Float](repeating: 0, count: queries * heads * hd), scores = [Float](repeating: 0, count: rows)
            keys.withUnsafeBytes { kp in
                values.withUnsafeBytes { vp in
                    for i in 0..<queries {
                        for h in 0..<heads {
                            let kvh = h / group, at = (i * heads + h) * hd
                            _ = pk_attend_tier(tier, t, Array(q[at...]), kp.baseAddress! + kvh * hd * width, row * width,
                                               vp.baseAddress! + kvh * hd * width, row * width, npos + i, hd, hd, scale,
                                               &scores, &want[at])
                        }
                    }
                }
            }
            for pool in pools {
                var out = [Float](repeating: .nan, count: queries * heads * hd)
                var scratch = [Float](repeating: 0, count: Int(pk_pool_size(pool)) * rows)
                let rc = keys.withUnsafeBytes { kp in
                    values.withUnsafeBytes { vp in
                        pk_attend_queries_tier(tier, pool, t, q, queries, heads, group, kp.baseAddress!, row * width,
                                               vp.baseAddress!, row * width, npos, hd, hd, scale, &scratch, &out)
                    }
                }
                #expect(rc == 0)
                let same = zip(out, want).allSatisfy { $0.bitPattern == $1.bitPattern }
                #expect(same, "tier \(tier) \(KT.name(t)) \(queries) queries, heads \(heads)/\(group) npos \(npos), pool of \(pk_pool_size(pool))")
            }
        }
    }
}
