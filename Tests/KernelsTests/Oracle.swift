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
let oracleScript = #"""
import sys, json
import numpy as np
import gguf
from gguf.quants import dequantize
T = gguf.GGMLQuantizationType

def deq(t, raw):
    if t == 15:  # Q8_K: float d, int8 qs[256], int16 bsums[16]
        b = raw.reshape(-1, 292)
        d = b[:, :4].copy().view(np.float32)
        q = b[:, 4:260].copy().view(np.int8).astype(np.float32)
        return (d * q).reshape(-1)
    return np.asarray(dequantize(raw, T(t)), dtype=np.float32).reshape(-1)

def act_type(t):
    if t in (0, 1, 30): return 0
    if t in (12, 13, 14): return 15
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
        x = deq(act_type(t), np.fromfile(job["x"], dtype=np.uint8)).astype(np.float64)
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

/// Extracts `count` rows of each named tensor into `dir`; returns them.
func realRows(file: URL, tensors: [String], count: Int, dir: URL) throws -> [RealRows] {
    let script = #"""
import sys, json, numpy as np, gguf
r = gguf.GGUFReader(sys.argv[1])
want = sys.argv[3].split(",")
out = []
for t in r.tensors:
    if t.name not in want: continue
    data = np.asarray(t.data)
    rows = data.reshape(data.shape[0], -1) if data.ndim > 1 else data.reshape(1, -1)
    n = min(int(sys.argv[4]), rows.shape[0])
    # rows spread over the tensor, not just the first ones
    idx = np.linspace(0, rows.shape[0] - 1, n).astype(int)
    path = f"{sys.argv[2]}/{t.name}.bin"
    np.ascontiguousarray(rows[idx]).view(np.uint8).tofile(path)
    out.append({"name": t.name, "type": int(t.tensor_type), "cols": int(t.shape[0]), "n": n, "path": path})
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
