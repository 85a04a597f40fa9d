import Foundation
import Kernels
import Testing
import TestSupport

/// The scalar reference dequantization against gguf-py's numpy dequantization, bit for bit.
@Suite struct DequantizeTests {
    static let types: [Int32] = KT.weights + [KT.q8_K]

    @Test(arguments: types)
    func randomRowsMatchNumpyBitForBit(type t: Int32) throws {
        var g = SplitMix(seed: 0xD0_0000 + UInt64(t))
        let n = 1024
        let rows = (0..<4).map { _ in randomRow(t, n, &g) }
        var rowsQ8K: [[UInt8]] = []
        if t == KT.q8_K {  // Q8_K rows come from the quantizer (randomRow has no layout for it)
            rowsQ8K = (0..<4).map { _ in quantize(randomActivations(n, &g), for: KT.q4_K, tier: 0) }
        }
        try compareWithNumpy(t, n, t == KT.q8_K ? rowsQ8K : rows, label: "random")
    }

    @Test func realRowsMatchNumpyBitForBit() throws {
        let dir = try scratchDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var all = try realRows(file: TestEnv.smolQ4_1,
                               tensors: ["blk.0.ffn_down.weight", "token_embd.weight", "blk.0.attn_norm.weight"],
                               count: 6, dir: dir)
        all += try realRows(file: TestEnv.gemmaQ4KM,
                            tensors: ["blk.0.attn_output.weight", "blk.0.ffn_down.weight", "blk.0.attn_k.weight"],
                            count: 6, dir: dir)
        let kinds = Set(all.map(\.type))
        #expect(kinds == [KT.q4_1, KT.q8_0, KT.f32, KT.q4_K, KT.q6_K, KT.q5_0])
        for r in all { try compareWithNumpy(r.type, r.cols, r.rows, label: r.name) }
    }

    private func compareWithNumpy(_ t: Int32, _ n: Int, _ rows: [[UInt8]], label: String) throws {
        let dir = try scratchDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.bin"), output = dir.appendingPathComponent("out.bin")
        try Data(rows.joined()).write(to: input)
        _ = try runOracle([["op": "deq", "type": Int(t), "n": n * rows.count, "in": input.path, "out": output.path]])
        let expected = floats(try Data(contentsOf: output))
        let ours = rows.flatMap { dequantize(t, $0, n) }
        try #require(expected.count == ours.count, "\(KT.name(t)) \(label): count")
        let mismatches = zip(ours, expected).enumerated().filter { $0.element.0.bitPattern != $0.element.1.bitPattern }
        #expect(mismatches.isEmpty,
                "\(KT.name(t)) \(label): \(mismatches.count) values differ, first at \(mismatches.first.map { "\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "")")
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
