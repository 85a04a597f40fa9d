import Foundation
import Testing
import GGUF
import TestSupport

/// The reader against the `gguf` Python package's GGUFReader (an independent parser)
/// on real files: every key's value and every tensor's name, type, shape and offset.
@Suite struct ReaderAgreesWithGGUFPy {
    static let oracle = #"""
import sys, json, gguf, numpy as np
r = gguf.GGUFReader(sys.argv[1])
def val(f):
    t = f.types[0]
    if t == gguf.GGUFValueType.ARRAY:
        st = f.types[1] if len(f.types) > 1 else None
        if st == gguf.GGUFValueType.STRING:
            return [bytes(f.parts[i]).decode("utf-8", "replace") for i in f.data]
        if st == gguf.GGUFValueType.ARRAY:
            return None
        return [f.parts[i].tolist()[0] for i in f.data]
    if t == gguf.GGUFValueType.STRING:
        return bytes(f.parts[-1]).decode("utf-8", "replace")
    return f.parts[-1].tolist()[0]
kv = {}
for f in r.fields.values():
    if f.name.startswith("GGUF."): continue
    kv[f.name] = val(f)
ts = [{"name": t.name, "type": int(t.tensor_type), "shape": [int(x) for x in t.shape],
       "offset": int(t.data_offset), "bytes": int(t.n_bytes)} for t in r.tensors]
json.dump({"kv": kv, "keys": [k for k in kv], "tensors": ts}, sys.stdout)
"""#

    static func files() throws -> [URL] {
        var urls = [try TestEnv.smolQ4_1, try TestEnv.smolQ8_0, try TestEnv.gemmaQ4KM]
        let vocab = TestEnv.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/vocab")
        if let names = try? FileManager.default.contentsOfDirectory(atPath: vocab.path) {
            urls += names.filter { $0.hasSuffix(".gguf") }.sorted().map { vocab.appendingPathComponent($0) }
        }
        return urls
    }

    @Test(arguments: try files())
    func agrees(file: URL) throws {
        let json = try runPython(Self.oracle, [file.path])
        let o = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        let g = try GGUFFile(path: file.path)
        let keys = o["keys"] as! [String]
        #expect(g.metadata.keys == keys)
        let kv = o["kv"] as! [String: Any]
        for key in keys {
            let want = kv[key]
            let have = g.metadata[key]
            #expect(have != nil, "missing \(key)")
            guard let have else { continue }
            #expect(Self.matches(have, want), "\(key): \(have) vs \(String(describing: want))")
        }
        let ts = o["tensors"] as! [[String: Any]]
        #expect(g.tensors.count == ts.count)
        for (t, w) in zip(g.tensors, ts) {
            #expect(t.name == w["name"] as! String)
            #expect(Int(t.type.rawValue) == w["type"] as! Int)
            #expect(t.shape == w["shape"] as! [Int])
            #expect(t.offset == w["offset"] as! Int)
            #expect(t.byteCount == w["bytes"] as! Int)
        }
    }

    static func matches(_ v: GGUFValue, _ w: Any?) -> Bool {
        switch v {
        case .string(let s): return s == (w as? String)
        case .bool(let b): return b == (w as? Bool)
        case .float32(let f): return (w as? NSNumber).map { Float($0.doubleValue) == f } ?? false
        case .float64(let f): return (w as? NSNumber).map { $0.doubleValue == f } ?? false
        case .array(let a):
            if a.elementType == .array { return w == nil || w is NSNull }
            guard let wa = w as? [Any], wa.count == a.count else { return false }
            return zip(a, wa).allSatisfy { matches($0, $1) }
        default:
            guard let i = v.intValue, let n = w as? NSNumber else { return false }
            return n.int64Value == Int64(i)
        }
    }
}
