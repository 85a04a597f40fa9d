import Foundation
import Testing
import GGUF
import TestSupport

/// Dequantization against `gguf.quants.dequantize` (the `gguf` Python package, numpy),
/// compared bit for bit: random blocks of every supported format, tensors the package
/// quantizes itself, and real tensors of the test models. Python writes the raw bytes and
/// the expected float32 values into a temporary directory; one Python run per test.
@Suite struct DequantizeAgreesWithGGUFPy {
    /// Every format the reader can dequantize (the issue's list).
    static let formats: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0,
                                      .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K, .iq4_nl, .iq4_xs,
                                      .iq2_xxs, .iq2_xs, .iq2_s, .iq3_xxs, .iq3_s, .iq1_s, .iq1_m]

    /// Writes `<dir>/<NAME>.raw` (random blocks, scales made finite) and `<dir>/<NAME>.f32`
    /// (the oracle's output) per type name in argv[2:]. Q8_K is not in the package; its
    /// oracle is ggml's reference `dequantize_row_q8_K` written in numpy: d * q. Every
    /// byte pattern of the IQ index, sign and scale fields is valid, so random blocks
    /// reach every grid point (4096 blocks: 32768 points per IQ2_XXS file for 256); IQ1_M
    /// spreads its f16 d over the top nibbles of its four scale words (bit 14 of d, the
    /// one cleared for an inf/NaN exponent, is bit 14 of the last word).
    static let randomOracle = #"""
import sys, numpy as np, gguf
from gguf.quants import dequantize
from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType as T
out, names, nblocks = sys.argv[1], sys.argv[2:], 4096
# byte offsets of the float16 scales in each block; F32/F16/BF16: every element
f16_at = {"Q4_0": [0], "Q4_1": [0, 2], "Q5_0": [0], "Q5_1": [0, 2], "Q8_0": [0],
          "Q2_K": [80, 82], "Q3_K": [108], "Q4_K": [0, 2], "Q5_K": [0, 2], "Q6_K": [208],
          "IQ4_NL": [0], "IQ4_XS": [0], "IQ2_XXS": [0], "IQ2_XS": [0], "IQ2_S": [0],
          "IQ3_XXS": [0], "IQ3_S": [0], "IQ1_S": [0]}
def finite16(v): return np.where((v & 0x7C00) == 0x7C00, v & ~np.uint16(0x4000), v).astype(np.uint16)
for i, name in enumerate(names):
    t = T[name]
    bs, ts = GGML_QUANT_SIZES[t]
    rng = np.random.default_rng(1234 + i)
    raw = rng.integers(0, 256, size=(nblocks, ts), dtype=np.uint8)
    if name == "F32":
        v = raw.view(np.uint32)
        v[:] = np.where((v & 0x7F800000) == 0x7F800000, v & ~np.uint32(0x40000000), v)
    elif name == "F16":
        v = raw.view(np.uint16); v[:] = finite16(v)
    elif name == "BF16":
        v = raw.view(np.uint16); v[:] = np.where((v & 0x7F80) == 0x7F80, v & ~np.uint16(0x4000), v)
    elif name == "Q8_K":
        v = raw[:, 0:4].copy().view(np.uint32)
        v = np.where((v & 0x7F800000) == 0x7F800000, v & ~np.uint32(0x40000000), v)
        raw[:, 0:4] = v.astype(np.uint32).view(np.uint8).reshape(nblocks, 4)
    elif name == "IQ1_M":
        sc = raw[:, 48:56].copy().view(np.uint16)
        d = (sc[:, 0] >> 12) | ((sc[:, 1] >> 8) & 0xF0) | ((sc[:, 2] >> 4) & 0xF00) | (sc[:, 3] & 0xF000)
        sc[:, 3] = np.where((d & 0x7C00) == 0x7C00, sc[:, 3] & ~np.uint16(0x4000), sc[:, 3])
        raw[:, 48:56] = sc.view(np.uint8).reshape(nblocks, 8)
    else:
        for off in f16_at[name]:
            v = raw[:, off:off + 2].copy().view(np.uint16)
            raw[:, off:off + 2] = finite16(v).view(np.uint8).reshape(nblocks, 2)
    if name == "Q8_K":
        y = raw[:, 0:4].copy().view(np.float32) * raw[:, 4:260].view(np.int8).astype(np.float32)
    else:
        y = dequantize(raw, t)
    raw.tofile(f"{out}/{name}.raw")
    np.ascontiguousarray(y, dtype=np.float32).tofile(f"{out}/{name}.f32")
"""#

    /// Quantizes seeded normal data with `gguf.quants.quantize`, then dequantizes it.
    static let quantizeOracle = #"""
import sys, numpy as np, gguf
from gguf.quants import quantize, dequantize
from gguf.constants import GGMLQuantizationType as T
out, names = sys.argv[1], sys.argv[2:]
for i, name in enumerate(names):
    rng = np.random.default_rng(99 + i)
    x = (rng.standard_normal((64, 1024)) * rng.uniform(0.001, 10, (64, 1))).astype(np.float32)
    q = quantize(x, T[name])
    y = dequantize(q, T[name])
    np.ascontiguousarray(q).view(np.uint8).tofile(f"{out}/{name}.raw")
    np.ascontiguousarray(y, dtype=np.float32).tofile(f"{out}/{name}.f32")
"""#

    /// Real rows (SmolLM2 Q8_0's blk.0.ffn_down, 1536 = 6 x 256 columns, 64 rows) quantized
    /// by llama.cpp's own quantizer (make_test_models.ggml_quantize: ggml_quantize_chunk
    /// from the llama_cpp wheel, an importance matrix of ones),
    /// then dequantized by the package: blocks as real files hold them, for the types whose
    /// quantizer gguf-py lacks. argv: model, scripts dir, out dir, type names.
    static let llamaCppOracle = #"""
import sys, numpy as np, gguf
sys.path.insert(0, sys.argv[2])
from make_test_models import ggml_quantize
from gguf.quants import dequantize
from gguf.constants import GGMLQuantizationType as T
r = gguf.GGUFReader(sys.argv[1])
t = next(t for t in r.tensors if t.name == "blk.0.ffn_down.weight")
x = dequantize(t.data, t.tensor_type).astype(np.float32).reshape(-1, 1536)[:64]
for name in sys.argv[4:]:
    q = ggml_quantize(x, T[name], np.ones(1536, dtype=np.float32))
    q.tofile(f"{sys.argv[3]}/{name}.raw")
    np.ascontiguousarray(dequantize(q, T[name]), dtype=np.float32).tofile(f"{sys.argv[3]}/{name}.f32")
"""#

    /// For each tensor type in the file, up to two of its tensors (the smallest, and the
    /// largest of at most 2^22 elements to keep the run short), dequantized by the package
    /// from GGUFReader's view of the data.
    static let tensorOracle = #"""
import sys, json, numpy as np, gguf
from gguf.quants import dequantize
path, out = sys.argv[1], sys.argv[2]
r = gguf.GGUFReader(path)
by = {}
for t in r.tensors: by.setdefault(t.tensor_type, []).append(t)
picked = []
for ty, ts in by.items():
    ts = sorted(ts, key=lambda t: int(t.n_elements))
    ts = [t for t in ts if int(t.n_elements) <= 1 << 22] or ts[:1]
    for t in {id(x): x for x in [ts[0], ts[-1]]}.values():
        y = dequantize(t.data, ty)
        f = f"{out}/{len(picked)}.f32"
        np.ascontiguousarray(y, dtype=np.float32).tofile(f)
        picked.append({"name": t.name, "type": ty.name, "file": f})
json.dump(picked, sys.stdout)
"""#

    static func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-dq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// Dequantizes `raw` as `type` and compares every float's bit pattern with `expected`.
    static func check(_ type: GGMLType, raw: Data, expected: Data, what: String) throws {
        let count = expected.count / 4
        #expect(count > 0 && type.byteCount(elements: count) == raw.count, "\(what): sizes")
        var out = [Float](repeating: .nan, count: count)
        try raw.withUnsafeBytes { r in
            try out.withUnsafeMutableBufferPointer { o in
                try GGUF.dequantize(r, type: type, count: count, into: o.baseAddress!)
            }
        }
        let mismatches = expected.withUnsafeBytes { e in
            (0..<count).filter { e.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self) != out[$0].bitPattern }
        }
        #expect(mismatches.isEmpty, """
            \(what): \(mismatches.count) of \(count) differ, first at \(mismatches.first ?? -1): \
            \(mismatches.first.map { out[$0] } ?? 0)
            """)
    }

    @Test func randomBlocksOfEveryFormat() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try runPython(Self.randomOracle, [dir.path] + Self.formats.map(\.name))
        for t in Self.formats {
            #expect(t.isSupported)
            try Self.check(t, raw: Data(contentsOf: dir.appendingPathComponent("\(t.name).raw")),
                           expected: Data(contentsOf: dir.appendingPathComponent("\(t.name).f32")),
                           what: "random \(t.name)")
        }
    }

    @Test func tensorsThePackageQuantizes() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let types: [GGMLType] = [.f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0]
        _ = try runPython(Self.quantizeOracle, [dir.path] + types.map(\.name))
        for t in types {
            try Self.check(t, raw: Data(contentsOf: dir.appendingPathComponent("\(t.name).raw")),
                           expected: Data(contentsOf: dir.appendingPathComponent("\(t.name).f32")),
                           what: "quantized \(t.name)")
        }
    }

    @Test func blocksLlamaCppQuantizes() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let types: [GGMLType] = [.iq2_xxs, .iq2_xs, .iq2_s, .iq3_xxs, .iq3_s, .iq1_s, .iq1_m]
        _ = try runPython(Self.llamaCppOracle, [try TestEnv.smolQ8_0.path, TestEnv.repoRoot.appendingPathComponent("scripts").path,
                                                dir.path] + types.map(\.name))
        for t in types {
            try Self.check(t, raw: Data(contentsOf: dir.appendingPathComponent("\(t.name).raw")),
                           expected: Data(contentsOf: dir.appendingPathComponent("\(t.name).f32")),
                           what: "llama.cpp-quantized \(t.name)")
        }
    }

    @Test(arguments: [("smolQ4_1", [GGMLType.q4_1, .q8_0, .f32]), ("smolQ8_0", [.q8_0, .f32]),
                      ("gemmaQ4KM", [.q4_K, .q6_K, .q5_0, .q8_0, .f32]),
                      ("SmolLM2-135M-Instruct.ffn_down-IQ3_S.gguf", [.iq3_s, .q8_0, .f32]),
                      ("SmolLM2-135M-Instruct.ffn_down-IQ3_XXS.gguf", [.iq3_xxs, .q8_0, .f32])])
    func realTensors(model: String, mustCover: [GGMLType]) throws {
        let url = switch model {
        case "smolQ4_1": try TestEnv.smolQ4_1
        case "smolQ8_0": try TestEnv.smolQ8_0
        case "gemmaQ4KM": try TestEnv.gemmaQ4KM
        default: try TestEnv.model(model)
        }
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = try runPython(Self.tensorOracle, [url.path, dir.path])
        let picked = try JSONSerialization.jsonObject(with: json) as! [[String: String]]
        let file = try GGUFFile(path: url.path)
        var covered = Set<GGMLType>()
        for p in picked {
            let info = try #require(file.tensor(named: p["name"]!))
            #expect(info.type.name == p["type"]!)
            covered.insert(info.type)
            try Self.check(info.type, raw: Data(file.data(for: info)),
                           expected: Data(contentsOf: URL(fileURLWithPath: p["file"]!)),
                           what: "\(model) \(info.name)")
        }
        #expect(covered.isSuperset(of: mustCover), "\(model) covers \(covered.map(\.name))")
    }
}
