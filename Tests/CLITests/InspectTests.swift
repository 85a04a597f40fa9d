import Foundation
import Testing
import TestSupport

/// `ponder inspect` against `gguf.GGUFReader` (an independent parser): every metadata key
/// (name, order, type, value) and every tensor (name, type, shape, bytes, offset, bits
/// per weight) of the SmolLM2 files, plus the summary's parameter count, context length,
/// template family and precision (the type with the most bytes among the 2-D tensors,
/// whether they have several types, the file's bits per weight).
@Suite struct InspectTests {
    static let oracle = #"""
import sys, json, numpy as np, gguf
from gguf import GGUFValueType as V
r = gguf.GGUFReader(sys.argv[1])
j = json.load(open(sys.argv[2]))
bad = []
def tyname(types):
    if types[0] == V.ARRAY: return "array[" + tyname(types[1:]) + "]"
    return types[0].name.lower()
def same(want, have, t):
    if t == V.FLOAT32: return isinstance(have, (int, float)) and np.float32(have) == np.float32(want)
    if t == V.FLOAT64: return isinstance(have, (int, float)) and float(have) == float(want)
    if t == V.BOOL: return have is bool(want)
    return have == want
def value(f):
    t = f.types[0]
    if t == V.STRING: return bytes(f.parts[-1]).decode("utf-8", "replace")
    if t == V.ARRAY:
        if f.types[1] == V.STRING: return [bytes(f.parts[i]).decode("utf-8", "replace") for i in f.data]
        return [f.parts[i].tolist()[0] for i in f.data]
    return f.parts[-1].tolist()[0]
fields = [f for f in r.fields.values() if not f.name.startswith("GGUF.")]
md = j["metadata"]
if [m["key"] for m in md] != [f.name for f in fields]: bad.append("key order or set differs")
for f, m in zip(fields, md):
    if m["type"] != tyname(f.types): bad.append(f"{f.name}: type {m['type']} vs {tyname(f.types)}")
    want, have = value(f), m["value"]
    elem = f.types[1] if f.types[0] == V.ARRAY else f.types[0]
    if f.types[0] == V.ARRAY:
        if len(want) != len(have) or not all(same(w, h, elem) for w, h in zip(want, have)):
            bad.append(f"{f.name}: array differs")
    elif not same(want, have, elem):
        bad.append(f"{f.name}: {have!r} vs {want!r}")
ts = j["tensors"]
if len(ts) != len(r.tensors): bad.append(f"{len(ts)} tensors vs {len(r.tensors)}")
for t, h in zip(r.tensors, ts):
    want = {"name": t.name, "type": t.tensor_type.name, "shape": [int(x) for x in t.shape],
            "elements": int(t.n_elements), "bytes": int(t.n_bytes), "offset": int(t.data_offset)}
    got = {k: h[k] for k in want}
    if got != want: bad.append(f"tensor {t.name}: {got} vs {want}")
    if abs(h["bits_per_weight"] - int(t.n_bytes) * 8 / int(t.n_elements)) > 1e-9: bad.append(f"tensor {t.name}: bpw")
s = j["summary"]
if s["parameters"] != sum(int(t.n_elements) for t in r.tensors): bad.append("parameter count")
if s["tensor_bytes"] != sum(int(t.n_bytes) for t in r.tensors): bad.append("tensor bytes")
if s["context_length"] != value(r.fields["llama.context_length"]): bad.append("context length")
if s["architecture"] != value(r.fields["general.architecture"]): bad.append("architecture")
if s["tokenizer_model"] != value(r.fields["tokenizer.ggml.model"]): bad.append("tokenizer model")
if s["vocabulary_size"] != len(r.fields["tokenizer.ggml.tokens"].data): bad.append("vocabulary size")
weights = {}
for t in r.tensors:
    if len(t.shape) >= 2: weights[t.tensor_type.name] = weights.get(t.tensor_type.name, 0) + int(t.n_bytes)
main = max(weights, key=weights.get)
bpw = sum(int(t.n_bytes) for t in r.tensors) * 8 / sum(int(t.n_elements) for t in r.tensors)
if s["main_type"] != main: bad.append(f"main type {s['main_type']} vs {main}")
if s["mix"] != (len(weights) > 1): bad.append("mix")
if abs(s["bits_per_weight"] - bpw) > 1e-9: bad.append("bits per weight")
prec = s["precision"].split(", ")
if prec[0] != main + (" mix" if len(weights) > 1 else "") or abs(float(prec[1].removesuffix(" bpw")) - bpw) > 0.05:
    bad.append(f"precision {s['precision']!r} vs {main}, {bpw}")
json.dump({"keys": len(md), "tensors": len(ts), "bad": bad, "weight_types": sorted(weights)}, sys.stdout)
"""#

    /// `ponder inspect --json` on `model`: its JSON, and the oracle's verdict on it.
    func inspectJSON(_ model: URL) throws -> (json: [String: Any], oracle: [String: Any]) {
        let r = try runProcess(try TestEnv.ponderBinary(), ["inspect", "--json", model.path])
        #expect(r.status == 0, "\(r.stderrText)")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-inspect-\(UUID()).json")
        try r.stdout.write(to: out)
        defer { try? FileManager.default.removeItem(at: out) }
        let res = try JSONSerialization.jsonObject(with: runPython(Self.oracle, [model.path, out.path])) as! [String: Any]
        return (try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any], res)
    }

    @Test func jsonAgreesWithGGUFReader() throws {
        let (j, res) = try inspectJSON(try TestEnv.smolQ4_1)
        #expect(res["keys"] as? Int == 33)
        #expect(res["tensors"] as? Int == 272)
        #expect((res["bad"] as! [String]).isEmpty, "\(res["bad"]!)")
        // SmolLM2's template uses <|im_start|> turns.
        #expect((j["summary"] as! [String: Any])["chat_template"] as? String == "chatml")
    }

    /// llama.cpp's IQ3_S mix of SmolLM2 (IQ3_S, IQ4_NL, Q8_0 weight matrices): the same
    /// checks, and the precision names the mix.
    @Test func iqMixAgreesWithGGUFReader() throws {
        let model = try TestEnv.model("SmolLM2-135M-Instruct.IQ3_S.gguf")
        let (j, res) = try inspectJSON(model)
        #expect((res["bad"] as! [String]).isEmpty, "\(res["bad"]!)")
        #expect((res["weight_types"] as! [String]).count > 1, "not a mix: \(res["weight_types"]!)")
        let text = try runProcess(try TestEnv.ponderBinary(), ["inspect", model.path]).stdoutText
        let precision = try #require((j["summary"] as! [String: Any])["precision"] as? String)
        #expect(precision.contains(" mix, ") && text.contains("precision       \(precision)\n"), "\(precision)")
    }

    /// Text output: the summary lines, long arrays shortened to 8 entries + count, and a
    /// row per tensor with its type, bits per weight, shape and bytes (checked against
    /// GGUFReader; the bits per weight to the three decimals shown).
    @Test func textShowsSummaryAbbreviatedArraysAndTensorTable() throws {
        let model = try TestEnv.smolQ4_1
        let r = try runProcess(try TestEnv.ponderBinary(), ["inspect", model.path])
        #expect(r.status == 0)
        let text = r.stdoutText
        for label in ["architecture    llama", "parameters", "bits/weight", "context length  8192",
                      "tokenizer       gpt2 (pre-tokenizer smollm), 49152 tokens", "chat template   chatml"] {
            #expect(text.contains(label), "missing \(label)")
        }
        let tokensLine = text.split(separator: "\n").first { $0.contains("tokenizer.ggml.tokens ") }
        #expect(tokensLine?.hasSuffix(", … (49152 entries)]") == true)
        #expect(tokensLine.map { $0.count < 300 } == true)
        let rows = try runPython("""
            import sys, gguf
            for t in gguf.GGUFReader(sys.argv[1]).tensors:
                print(t.name, t.tensor_type.name, int(t.n_bytes) * 8 / int(t.n_elements),
                      "[" + ", ".join(str(int(x)) for x in t.shape) + "]", int(t.n_bytes))
            """, [model.path])
        // Tensor rows by name: [name, type, bpw, shape..., bytes].
        var shown: [String: [Substring]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("  ") {
            let f = line.split(separator: " ")
            if f.count >= 5 { shown[String(f[0])] = f }
        }
        for row in String(decoding: rows, as: UTF8.self).split(separator: "\n") {
            let parts = row.split(separator: " ")
            let want = [parts[0], parts[1]] + parts[3...]
            let got = try #require(shown[String(parts[0])], "no row \(parts[0])")
            #expect(Array(got[0..<2] + got[3...]) == want, "row \(got) vs \(want)")
            #expect(abs(Double(got[2])! - Double(parts[2])!) <= 0.0005, "row \(got): bpw vs \(parts[2])")
        }
        for line in ["types (tensors, bytes, share of the tensor bytes)", "precision       Q4_1"] {
            #expect(text.contains(line), "missing \(line)")
        }
    }

    @Test(arguments: ["/nonexistent/model.gguf", "/etc/hostname", "/tmp"])
    func badFileIsOneLineErrorAndNonZeroExit(path: String) throws {
        let r = try runProcess(try TestEnv.ponderBinary(), ["inspect", path])
        #expect(r.status == 1)
        #expect(!r.signaled)
        #expect(r.stdout.isEmpty)
        let lines = r.stderrText.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("Error: "), "\(r.stderrText)")
    }
}

/// Files that are not regular files are refused at once, never waited on.
@Suite struct InspectSpecialFiles {
    @Test func fifoIsRefusedWithoutWaiting() throws {
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-fifo-\(UUID())")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(at: fifo) }
        let r = try runProcess(try TestEnv.ponderBinary(), ["inspect", fifo.path], timeout: 5)
        #expect(!r.timedOut)
        #expect(r.status == 1)
        #expect(r.stderrText.contains("not a regular file"), "\(r.stderrText)")
    }
}
