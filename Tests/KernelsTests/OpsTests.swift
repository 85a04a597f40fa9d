import Foundation
import Kernels
import Testing
import TestSupport

/// RMSNorm, softmax and SwiGLU against numpy in float64, on every tier.
@Suite struct OpsTests {
    @Test(arguments: KT.tiers)
    func rowOpsMatchNumpy(tier: Int32) throws {
        var g = SplitMix(seed: 0x0B)
        let n = 3001  // not a multiple of 8 or 16: the masked tails run
        var x = (0..<n).map { _ in Float(Double(g.next() % 2_000_001) / 1e5 - 10) }
        x[5] = 95; x[6] = -95; x[7] = 120; x[8] = -120  // past exp's clamps
        x[9] = 119.5  // a second term near the max: the sum is above 1, so scaling makes values smaller
        let w = (0..<n).map { _ in Float(Double(g.next() % 2_000_001) / 1e6) }
        let up = (0..<n).map { _ in Float(Double(g.next() % 2_000_001) / 1e6 - 1) }
        var norm = [Float](repeating: 0, count: n), soft = x, glu = x
        pk_rmsnorm(x, w, &norm, n, 1e-5)
        pk_softmax_tier(tier, &soft, n)
        pk_swiglu_tier(tier, &glu, up, n)

        let dir = try scratchDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, a) in [("x", x), ("w", w), ("up", up)] {
            try a.withUnsafeBytes { try Data($0).write(to: dir.appendingPathComponent(name)) }
        }
        let out = try runPython("""
        import sys, numpy as np
        d = sys.argv[1]
        x, w, up = (np.fromfile(f"{d}/{k}", dtype='<f4').astype(np.float64) for k in ("x", "w", "up"))
        norm = x / np.sqrt(np.mean(x * x) + 1e-5) * w
        e = np.exp(x - x.max()); soft = e / e.sum()
        with np.errstate(over='ignore'):
            glu = x / (1 + np.exp(-x)) * up
        sys.stdout.buffer.write(np.concatenate([norm, soft, glu]).astype('<f8').tobytes())
        """, [dir.path])
        let ref = out.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        try #require(ref.count == 3 * n)
        // Relative 1e-5 (the SIMD exp is within a few ulp); below 1e-30 absolute, where
        // the clamped exp gives tiny nonzero values for results that underflow.
        func check(_ ours: [Float], _ base: Int, _ what: String) {
            let bad = (0..<n).filter { abs(Double(ours[$0]) - ref[base + $0]) > 1e-5 * abs(ref[base + $0]) + 1e-30 }
            #expect(bad.isEmpty, "tier \(tier) \(what): \(bad.count) off, first \(bad.first.map { "\($0): \(ours[$0]) vs \(ref[base + $0])" } ?? "")")
        }
        check(norm, 0, "rmsnorm")
        check(soft, n, "softmax")
        check(glu, 2 * n, "swiglu")
        #expect(abs(soft.reduce(0, +) - 1) < 1e-5)
        // Past the clamps (120 against the rest) the far values are 0, never subnormal.
        let subnormal = soft.filter { $0 != 0 && $0 < .leastNormalMagnitude }.count
        #expect(subnormal == 0, "tier \(tier) softmax: \(subnormal) subnormal probabilities")
    }
}
