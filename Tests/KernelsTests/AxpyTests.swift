import Foundation
import Kernels
import Testing

/// y += a * x over F32/F16/BF16 rows: every tier against the reference (one FMA per
/// value vs multiply-then-add: at most one extra rounding, 2^-24 relative to |y| + |a x|),
/// the reference against the same sum in Double.
@Suite struct AxpyTests {
    @Test(arguments: KT.tiers, [KT.f32, KT.f16, KT.bf16])
    func tierMatchesReference(tier: Int32, type t: Int32) {
        var g = SplitMix(seed: 0xA0 + UInt64(t))
        for n in [1, 15, 16, 17, 1000, 4099] {  // every tail length class
            let x = randomRow(t, n, &g)
            let y0 = randomActivations(n, &g)
            let a = Float(Double(g.next() % 2_000_001) / 1e6 - 1)
            var ref = y0, got = y0
            #expect(pk_axpy_tier(0, t, n, a, x, &ref) == 0)
            #expect(pk_axpy_tier(tier, t, n, a, x, &got) == 0)
            let xf = dequantize(t, x, n)
            var bad = 0
            for i in 0..<n {
                let scale = abs(Double(y0[i])) + abs(Double(a) * Double(xf[i]))
                let exact = Double(y0[i]) + Double(a) * Double(xf[i])
                if abs(Double(got[i]) - Double(ref[i])) > 0x1p-23 * scale + 1e-38 { bad += 1 }
                if abs(Double(ref[i]) - exact) > 0x1p-23 * scale + 1e-38 { bad += 1 }
            }
            #expect(bad == 0, "tier \(tier) \(KT.name(t)) n=\(n): \(bad) values off")
        }
        var y: [Float] = [0]
        #expect(pk_axpy_tier(tier, KT.q8_0, 32, 1, [UInt8](repeating: 0, count: 34), &y) == PK_EBADTYPE)
    }
}
