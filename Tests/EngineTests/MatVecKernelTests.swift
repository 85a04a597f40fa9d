import Foundation
import Testing
import Engine
import GGUF
import Kernels
import TestSupport

/// Engine's pe_matvec: every SIMD tier against the scalar reference tier, and the scalar
/// tier against float dot products of the GGUF module's dequantized rows.
@Suite("pe_matvec kernels")
struct MatVecKernelTests {
    /// One tensor of every type the kernel handles (the synthetic model has them all).
    @Test("AVX2 tier and scalar reference agree; scalar agrees with dequantize + dot")
    func tiersAgree() throws {
        let file = try GGUFFile(path: try TestEnv.syntheticMixed.path)
        let smol = try GGUFFile(path: try TestEnv.smolQ4_1.path)
        // Each tensor is read from the file it came from (offsets are per file).
        var infos: [(file: GGUFFile, info: GGUFTensorInfo)] = file.tensors.filter { $0.shape.count == 2 }.map { (file, $0) }
        infos += smol.tensors.filter { $0.name == "blk.0.ffn_down.weight" || $0.name == "token_embd.weight" }.map { (smol, $0) }
        var seen = Set<GGMLType>()
        var rng = Xoshiro256(seed: 99)
        for (f, info) in infos where pe_matvec_supports(Int32(info.type.rawValue)) != 0 {
            seen.insert(info.type)
            #expect(info.offset + info.byteCount <= f.fileSize, "\(info.name) lies inside its own file")  // offset is absolute
            let rows = min(info.rowCount, 64), cols = info.shape[0]
            let x: [Float] = (0..<cols).map { _ in Float(rng.nextUnit() * 2 - 1) }
            let raw = f.data(for: info)
            var weights = [Float](repeating: 0, count: rows * cols)
            try weights.withUnsafeMutableBufferPointer { p in
                try GGUF.dequantize(UnsafeRawBufferPointer(rebasing: raw[..<(rows * info.rowBytes)]),
                                    type: info.type, count: rows * cols, into: p.baseAddress!)
            }
            var scalar = [Float](repeating: 0, count: rows)
            #expect(pe_matvec_tier(0, Int32(info.type.rawValue), raw.baseAddress, info.rowBytes, Int32(rows), Int32(cols), x, &scalar) == 0)
            for r in 0..<rows {
                var want = 0.0, mag = 0.0
                for c in 0..<cols { want += Double(weights[r * cols + c]) * Double(x[c]); mag += abs(Double(weights[r * cols + c] * x[c])) }
                #expect(abs(Double(scalar[r]) - want) <= 1e-5 * mag + 1e-6, "\(info.name) (\(info.type.name)) row \(r)")
            }
            for tier in 1...Int(pk_max_tier()) {
                var fast = [Float](repeating: 0, count: rows)
                #expect(pe_matvec_tier(Int32(tier), Int32(info.type.rawValue), raw.baseAddress, info.rowBytes, Int32(rows), Int32(cols), x, &fast) == 0)
                for r in 0..<rows {
                    #expect(abs(fast[r] - scalar[r]) <= 1e-5 * max(1, abs(scalar[r])), "\(info.name) (\(info.type.name)) tier \(tier) row \(r)")
                }
            }
        }
        #expect(seen == [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0])
        // `raw` points into the files' mappings: keep both files (and so the mappings)
        // alive to here. Without this, ARC may unmap SmolLM2 after its last use, before
        // its rows are read, and a concurrent test's mapping can land at that address.
        withExtendedLifetime(file) {}
        withExtendedLifetime(smol) {}
    }
}
