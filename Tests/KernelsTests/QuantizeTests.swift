import Foundation
import Kernels
import Testing
import TestSupport

/// Activation quantizers: every tier writes the bytes of a numpy restatement of the
/// format (scale from max |x|, values rounded half to even, ggml's Q8_K bsums).
@Suite struct QuantizeTests {
    @Test(arguments: KT.tiers, [KT.q8_0, KT.q8_K])
    func quantizerMatchesNumpy(tier: Int32, format: Int32) throws {
        var g = SplitMix(seed: 0x0A + UInt64(format))
        let n = 4096
        var x = randomActivations(n, &g)
        // The first value of largest magnitude decides Q8_K's sign: put +m and -m in
        // one block in both orders.
        x[300] = -9; x[301] = 9; x[600] = 9; x[601] = -9
        // Exact halfway points (x / d = k + 0.5) in a block whose max makes d = 1.
        for i in 0..<32 { x[64 + i] = Float(i) + 0.5 }
        x[64 + 31] = 127
        let weightType = format == KT.q8_0 ? KT.q4_0 : KT.q4_K
        let ours = quantize(x, for: weightType, tier: tier)

        let dir = try scratchDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("x.bin"), output = dir.appendingPathComponent("q.bin")
        try x.withUnsafeBytes { try Data($0).write(to: input) }
        _ = try runOracle([["op": "quant", "type": Int(format), "in": input.path, "out": output.path]])
        let expected = [UInt8](try Data(contentsOf: output))
        try #require(expected.count == ours.count)
        let diff = (0..<ours.count).filter { ours[$0] != expected[$0] }
        #expect(diff.isEmpty, "tier \(tier) \(KT.name(format)): \(diff.count) bytes differ, first at \(diff.first ?? -1)")
    }

    @Test(arguments: KT.tiers)
    func tiersWriteTheSameBytesAsTheReference(tier: Int32) {
        var g = SplitMix(seed: 7)
        for n in [256, 512, 4096] {
            for _ in 0..<20 {
                var x = randomActivations(n, &g)
                let scale = Float(1 << (g.next() % 20)) / 1024
                x = x.map { $0 * scale }
                #expect(quantize(x, for: KT.q4_0, tier: tier) == quantize(x, for: KT.q4_0, tier: 0))
                #expect(quantize(x, for: KT.q6_K, tier: tier) == quantize(x, for: KT.q6_K, tier: 0))
            }
        }
    }
}
