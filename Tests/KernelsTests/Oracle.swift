import Foundation
import Kernels
import TestSupport

/// The independent oracle: gguf-py's numpy dequantization, numpy dots in float64 and a
/// numpy restatement of the Q8_0/Q8_K activation quantizers. It reads a JSON list of
/// jobs on stdin and prints a JSON list of results:
///   {"op":"deq","type":t,"n":n,"in":path,"out":path}  -> writes float32 values to out
///   {"op":"dot","type":t,"n":n,"w":path,"x":path}     -> {"dot": float64, "mag": sum|w x|}
///     (x holds the activations in the format of the weight type: Q8_0, Q8_K or F32)
///   {"op":"quant","type":8|15,"in":path,"out":path}   -> writes the quantized bytes
///     (for 8: the Q8_0 blocks, then the side arrays of Kernels' activation format)
let oracleScript = #"""
import sys, json
import numpy as np
import gguf
from gguf.quants import dequantize
T = gguf.GGMLQuantizationType

def deq(t, raw):
    if t == 9:  # Q8_1 (not in gguf-py): half d, half s, int8 qs[32]; x = d * q
        b = raw.reshape(-1, 36)
        d = b[:, :2].copy().view(np.float16).astype(np.float32)
        q = b[:, 4:].copy().view(np.int8).astype(np.float32)
        return (d * q).reshape(-1)
    if t == 15:  # Q8_K (not in gguf-py): float d, int8 qs[256], int16 bsums[16]
        b = raw.reshape(-1, 292)
        d = b[:, :4].copy().view(np.float32)
        q = b[:, 4:260].copy().view(np.int8).astype(np.float32)
        return (d * q).reshape(-1)
    return np.asarray(dequantize(raw, T(t)), dtype=np.float32).reshape(-1)

def act_type(t):
    if t in (0, 1, 30): return 0
    if t in (12, 13, 14, 16, 17, 18, 19, 21, 22, 29): return 15  # K-quants, IQ grid types
    return 8

def quant(t, x):
    if t == 8:
        b = x.reshape(-1, 32)
        d = np.abs(b).max(axis=1) / np.float32(127)
        with np.errstate(divide="ignore"):
            inv = np.where(d == 0, np.float32(0), np.float32(1) / d).astype(np.float32)
        q = np.rint(b * inv[:, None]).astype(np.int8)
        out = bytearray()
        for i in range(b.shape[0]):
            out += d[i:i+1].astype(np.float16).tobytes() + q[i].tobytes()
        # Side arrays (Kernels' activation format): pad to 4, float dy[nb], float s[nb],
        # int32 ncorr[nb] = -128 * (sum of the block's values).
        out += bytes(-len(out) % 4)
        dy = d.astype(np.float16).astype(np.float32)
        out += dy.astype('<f4').tobytes()
        out += (dy * q.astype(np.int32).sum(axis=1).astype(np.float32)).astype('<f4').tobytes()
        out += (-128 * q.astype(np.int32).sum(axis=1)).astype('<i4').tobytes()
        return bytes(out)
    b = x.reshape(-1, 256)
    out = bytearray()
    for row in b:
        j = int(np.argmax(np.abs(row)))
        if row[j] == 0:
            out += bytes(292)
            continue
        iscale = np.float32(-127.0) / row[j]
        q = np.minimum(np.float32(127), np.rint(iscale * row)).astype(np.int8)
        bs = q.reshape(16, 16).astype(np.int32).sum(axis=1).astype('<i2')
        out += (np.float32(1.0) / iscale).astype('<f4').tobytes() + q.tobytes() + bs.tobytes()
    return bytes(out)

res = []
for job in json.load(sys.stdin):
    op, t = job["op"], job["type"]
    if op == "deq":
        raw = np.fromfile(job["in"], dtype=np.uint8)
        deq(t, raw).astype('<f4').tofile(job["out"])
        res.append({})
    elif op == "dot":
        w = deq(t, np.fromfile(job["w"], dtype=np.uint8)).astype(np.float64)
        xraw = np.fromfile(job["x"], dtype=np.uint8)
        if act_type(t) == 8:  # the Q8_0 blocks, without the side arrays after them
            xraw = xraw[: job["n"] // 32 * 34]
        x = deq(act_type(t), xraw).astype(np.float64)
        assert w.size == job["n"] and x.size == job["n"]
        res.append({"dot": float(np.dot(w, x)), "mag": float(np.abs(w * x).sum())})
    elif op == "quant":
        x = np.fromfile(job["in"], dtype='<f4')
        with open(job["out"], "wb") as f:
            f.write(quant(t, x))
        res.append({})
json.dump(res, sys.stdout)
"""#

/// An oracle that answered something unreadable.
struct OracleError: Error, CustomStringConvertible { let description: String }

/// Runs the oracle over `jobs`; returns one dictionary per job.
func runOracle(_ jobs: [[String: Any]]) throws -> [[String: Double]] {
    let input = try JSONSerialization.data(withJSONObject: jobs)
    let out = try runPython(oracleScript, stdin: input)
    guard let list = try JSONSerialization.jsonObject(with: out) as? [[String: Double]], list.count == jobs.count else {
        throw OracleError(description: "oracle returned \(String(decoding: out, as: UTF8.self).prefix(200))")
    }
    return list
}

/// Real weight rows cut from the test models by gguf-py's reader (tensor.data bytes).
struct RealRows {
    let name: String
    let type: Int32
    let cols: Int
    let rows: [[UInt8]]
}

/// The real rows every test uses, cut once per test process: rows spread over
/// SmolLM2 Q4_1 (Q4_1, Q8_0, F32 tensors) and Gemma-3 270M Q4_K_M (Q4_K, Q6_K, Q5_0).
enum RealRowsCache {
    static let shared: Result<[RealRows], Error> = Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pk-rows-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try realRows(file: TestEnv.smolQ4_1,
                            tensors: ["blk.0.ffn_down.weight", "blk.5.attn_q.weight", "token_embd.weight",
                                      "blk.0.attn_norm.weight"],
                            count: 8, dir: dir)
            + realRows(file: TestEnv.gemmaQ4KM,
                       tensors: ["blk.0.attn_output.weight", "blk.0.ffn_down.weight", "blk.0.attn_k.weight"],
                       count: 8, dir: dir)
    }
    static func rows() throws -> [RealRows] { try shared.get() }
}

/// Extracts `count` rows of each named tensor into `dir`; returns them.
func realRows(file: URL, tensors: [String], count: Int, dir: URL) throws -> [RealRows] {
    // gguf-py's GGUFReader spends ~25 s on Gemma's 262k-token vocabulary, so this walks
    // the header with struct (skipping the metadata values) and takes the rows' bytes
    // straight from the file; gguf-py supplies the per-type block sizes.
    let script = #"""
import sys, json, struct, numpy as np, gguf
mm = np.memmap(sys.argv[1], dtype=np.uint8, mode="r")
buf = memoryview(mm)
magic, version, n_tensors, n_kv = struct.unpack_from("<4sIQQ", buf, 0)
assert magic == b"GGUF" and version >= 2, "not a GGUF v2+ file"
SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
def string(off):
    n = struct.unpack_from("<Q", buf, off)[0]
    return bytes(buf[off + 8: off + 8 + n]).decode(), off + 8 + n
def skip(t, off):
    if t == 8:
        return off + 8 + struct.unpack_from("<Q", buf, off)[0]
    if t == 9:
        et, n = struct.unpack_from("<IQ", buf, off)
        off += 12
        if et in SIZES:
            return off + n * SIZES[et]
        for _ in range(n):
            off = skip(et, off)
        return off
    return off + SIZES[t]
off, alignment = 24, 32
for _ in range(n_kv):
    key, off = string(off)
    t = struct.unpack_from("<I", buf, off)[0]
    if key == "general.alignment":
        alignment = struct.unpack_from("<I", buf, off + 4)[0]
    off = skip(t, off + 4)
infos = {}
for _ in range(n_tensors):
    name, off = string(off)
    nd = struct.unpack_from("<I", buf, off)[0]
    dims = struct.unpack_from(f"<{nd}Q", buf, off + 4)
    typ, toff = struct.unpack_from("<IQ", buf, off + 4 + 8 * nd)
    off += 4 + 8 * nd + 12
    infos[name] = (dims, typ, toff)
data_start = (off + alignment - 1) // alignment * alignment
out = []
for name in sys.argv[3].split(","):
    dims, typ, toff = infos[name]
    bs, ts = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType(typ)]
    row_bytes = dims[0] // bs * ts
    nrows = int(np.prod(dims[1:])) if len(dims) > 1 else 1
    rows = np.asarray(mm[data_start + toff: data_start + toff + row_bytes * nrows]).reshape(nrows, row_bytes)
    n = min(int(sys.argv[4]), nrows)
    idx = np.linspace(0, nrows - 1, n).astype(int)  # rows spread over the tensor
    path = f"{sys.argv[2]}/{name}.bin"
    np.ascontiguousarray(rows[idx]).tofile(path)
    out.append({"name": name, "type": typ, "cols": dims[0], "n": n, "path": path})
json.dump(out, sys.stdout)
"""#
    let out = try runPython(script, [file.path, dir.path, tensors.joined(separator: ","), String(count)])
    guard let list = try JSONSerialization.jsonObject(with: out) as? [[String: Any]] else {
        throw OracleError(description: "row extraction failed")
    }
    return try list.map { e in
        let type = Int32(e["type"] as! Int), cols = e["cols"] as! Int, n = e["n"] as! Int
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: e["path"] as! String)))
        let rb = pk_row_size(type, cols)
        precondition(bytes.count == rb * n, "row bytes \(bytes.count) != \(rb) x \(n)")
        return RealRows(name: e["name"] as! String, type: type, cols: cols,
                        rows: (0..<n).map { Array(bytes[$0 * rb..<($0 + 1) * rb]) })
    }
}
