import Foundation
import Kernels
import Testing
import TestSupport

/// The scalar reference dequantization against gguf-py's numpy dequantization, bit for bit.
@Suite struct DequantizeTests {
    /// Every weight type (the IQ grid types too), plus the activation formats Q8_K and Q8_1
    /// (checked against a numpy statement of their layout: gguf-py has no dequantizer for them).
    static let types: [Int32] = KT.weights + KT.iq + [KT.q8_K, KT.q8_1]

    @Test func randomRowsMatchNumpyBitForBit() throws {
        let n = 1024
        var cases: [(Int32, [[UInt8]])] = []
        for t in Self.types {
            var g = SplitMix(seed: 0xD0_0000 + UInt64(t))
            // Q8_K rows come from the quantizer (randomRow has no layout for it).
            let rows = t == KT.q8_K
                ? (0..<4).map { _ in quantize(randomActivations(n, &g), for: KT.q4_K, tier: 0) }
                : (0..<4).map { _ in randomRow(t, n, &g) }
            cases.append((t, rows))
        }
        try compareWithNumpy(cases.map { ($0.0, n, $0.1, "random") })
    }

    @Test func realRowsMatchNumpyBitForBit() throws {
        let all = try RealRowsCache.rows()
        #expect(Set(all.map(\.type)) == [KT.q4_1, KT.q8_0, KT.f32, KT.q4_K, KT.q6_K, KT.q5_0])
        try compareWithNumpy(all.map { ($0.type, $0.cols, $0.rows, $0.name) })
    }

    /// One oracle run for all cases: (type, values per row, rows, label).
    private func compareWithNumpy(_ cases: [(Int32, Int, [[UInt8]], String)]) throws {
        let dir = try scratchDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var jobs: [[String: Any]] = []
        for (i, (t, n, rows, _)) in cases.enumerated() {
            let input = dir.appendingPathComponent("in\(i).bin")
            try Data(rows.joined()).write(to: input)
            jobs.append(["op": "deq", "type": Int(t), "n": n * rows.count, "in": input.path,
                         "out": dir.appendingPathComponent("out\(i).bin").path])
        }
        _ = try runOracle(jobs)
        for (i, (t, n, rows, label)) in cases.enumerated() {
            let expected = floats(try Data(contentsOf: dir.appendingPathComponent("out\(i).bin")))
            let ours = rows.flatMap { dequantize(t, $0, n) }
            try #require(expected.count == ours.count, "\(KT.name(t)) \(label): count")
            let bad = (0..<ours.count).filter { ours[$0].bitPattern != expected[$0].bitPattern }
            #expect(bad.isEmpty, "\(KT.name(t)) \(label): \(bad.count) values differ, first: \(bad.first.map { "\($0): \(ours[$0]) vs \(expected[$0])" } ?? "")")
        }
    }
}

/// fp16 <-> fp32 conversion against numpy's float16 casts.
@Suite struct ConversionTests {
    @Test func everyHalfToFloatMatchesNumpy() throws {
        let out = try runPython("""
        import sys, numpy as np
        sys.stdout.buffer.write(np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32).tobytes())
        """)
        let expected = floats(out)
        try #require(expected.count == 65536)
        var ours = [Float](repeating: 0, count: 65536)
        let halves = (0..<65536).map { UInt16($0) }
        pk_fp16_to_fp32_row(halves, &ours, 65536)
        for i in 0..<65536 where ours[i].bitPattern != expected[i].bitPattern {
            // NaN payloads may be quieted differently; both must still be NaN.
            #expect(ours[i].isNaN && expected[i].isNaN, "half \(String(i, radix: 16)): \(ours[i]) vs \(expected[i])")
        }
    }

    @Test func floatToHalfRoundsLikeNumpy() throws {
        var g = SplitMix(seed: 42)
        var values: [Float] = [0, -0, 65504, 65519.99, 65520, -65520, 1e-8, 5.96e-8, 2.98e-8, 2.9802322e-8,
                               6.1035156e-5, 6.1e-5, 1.0009766, 1.00048828125, 1.00146484375, .infinity, -.infinity,
                               .greatestFiniteMagnitude, .leastNonzeroMagnitude]
        for _ in 0..<20000 {  // random bits over the whole float range, most near the half range
            let r = g.next()
            let exp = UInt32(100 + r % 60) << 23
            values.append(Float(bitPattern: UInt32(truncatingIfNeeded: r >> 32) & 0x807f_ffff | exp))
        }
        let dir = try scratchDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("f.bin")
        try values.withUnsafeBytes { try Data($0).write(to: input) }
        let out = try runPython("""
        import sys, numpy as np
        x = np.fromfile(sys.argv[1], dtype='<f4')
        with np.errstate(over='ignore'):
            sys.stdout.buffer.write(x.astype(np.float16).view(np.uint16).tobytes())
        """, [input.path])
        let expected = out.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
        var ours = [UInt16](repeating: 0, count: values.count)
        pk_fp32_to_fp16_row(values, &ours, values.count)
        try #require(expected.count == values.count)
        let bad = (0..<values.count).filter { ours[$0] != expected[$0] }
        #expect(bad.isEmpty, "\(bad.count) differ, first: \(bad.first.map { "\(values[$0]) -> \(ours[$0]) vs \(expected[$0])" } ?? "")")
    }
}
