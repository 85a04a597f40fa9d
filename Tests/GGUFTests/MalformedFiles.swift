import Foundation
import Testing
import GGUF
import TestSupport

/// A hand-written corpus of malformed files, one per check of the reader: each must be
/// refused with one `GGUFError` whose one-line message names the field (asserted here).
/// The valid base file is first read by `gguf.GGUFReader`, so the builder is known to
/// write real GGUF.
@Suite struct MalformedFiles {
    typealias B = GGUFBuilder

    /// A malformed file and the error it must produce.
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        /// The error's `field` must equal this.
        let field: String
        /// The error's message must contain this.
        let message: String
        var description: String { name }
    }

    static func edit(_ f: (inout B) -> Void) -> [UInt8] {
        var b = B.valid()
        f(&b)
        return b.bytes()
    }

    /// Index of the key in `B.valid()`'s list.
    static func kv(_ b: B, _ key: String) -> Int { b.kvs.firstIndex { $0.key == Array(key.utf8) }! }

    static let huge: UInt64 = 1 << 63

    static let cases: [Case] = {
        var c: [Case] = []
        func add(_ name: String, _ field: String, _ message: String, _ f: (inout B) -> Void) {
            c.append(Case(name: name, bytes: edit(f), field: field, message: message))
        }
        let valid = B.valid().bytes()

        // Header.
        add("bad magic", "magic", "bad magic") { $0.magic = Array("GGUG".utf8) }
        for v: UInt32 in [0, 1, 4] {
            add("version \(v)", "version", "unsupported GGUF version \(v)") { $0.version = v }
        }
        add("tensor count 2^63", "tensor count", "larger than the file") { $0.tensorCount = huge }
        add("key/value count 2^63", "key/value count", "larger than the file") { $0.kvCount = huge }
        c.append(Case(name: "empty file", bytes: [], field: "magic", message: "needs 4 bytes"))
        c.append(Case(name: "cut short by one byte", bytes: Array(valid.dropLast()),
                      field: "tensor 'b'", message: "runs past the end"))

        // Keys and values.
        // The header is 24 bytes; the first key's u64 length follows.
        c.append(Case(name: "key length 2^63",
                      bytes: Array(valid.prefix(24)) + B.le(huge) + Array(valid.dropFirst(32)),
                      field: "key #0", message: "key name length \(huge) runs past the end"))
        add("string value length 2^63", "key 'general.architecture'", "string value length \(huge) runs past the end") {
            $0.kvs[0].payload = B.le(huge) + Array("llama".utf8)
        }
        add("string longer than the file", "key 'general.architecture'", "runs past the end of the file") {
            $0.kvs[0].payload = B.le(UInt64(10_000)) + Array("llama".utf8)
        }
        add("array length 2^63", "key 'tokenizer.ggml.tokens'", "array length \(huge) is larger than the file") {
            $0.kvs[kv($0, "tokenizer.ggml.tokens")].payload = B.arr(B.string, count: huge, B.str("<s>"))
        }
        add("array of arrays nested too deep", "key 'x.deep'", "nested deeper than") {
            let inner = B.arr(B.u8, count: 1, [7])
            let l2 = B.arr(B.array, count: 1, inner), l3 = B.arr(B.array, count: 1, l2)
            $0.kvs.append(B.KV("x.deep", B.array, B.arr(B.array, count: 1, l3)))
        }
        add("unknown value type", "key 'x.odd'", "unknown value type 13") {
            $0.kvs.append(B.KV("x.odd", 13, B.le(UInt32(1))))
        }
        add("unknown array element type", "key 'x.odd'", "unknown array element type 99") {
            $0.kvs.append(B.KV("x.odd", B.array, B.arr(99, count: 1, [0])))
        }
        add("bool value 2", "key 'x.flag'", "neither 0 nor 1") {
            $0.kvs.append(B.KV("x.flag", B.bool, [2]))
        }
        add("duplicate key", "key 'llama.context_length'", "duplicate key") {
            $0.kvs.append(B.KV("llama.context_length", B.u32, B.le(UInt32(4096))))
        }
        add("empty key", "key #7", "empty key name") { $0.kvs.append(B.KV("", B.u8, [1])) }
        add("invalid UTF-8 in a key", "key #7", "key name is not valid UTF-8") {
            $0.kvs.append(B.KV(rawKey: [0x61, 0xC3, 0x28], B.u8, [1]))
        }
        add("control characters in a key stay on one line", "key 'a\\u{a}b'", "duplicate key") {
            $0.kvs.append(B.KV("a\nb", B.u8, [1]))
            $0.kvs.append(B.KV("a\nb", B.u8, [1]))
        }
        add("token scores stored as strings", "key 'tokenizer.ggml.scores'", "must be array of float32, found array of string") {
            $0.kvs[kv($0, "tokenizer.ggml.scores")].payload = B.arr(B.string, count: 3, B.str("0") + B.str("1") + B.str("2"))
        }
        add("token scores as a float", "key 'tokenizer.ggml.scores'", "must be array of float32, found float32") {
            $0.kvs[kv($0, "tokenizer.ggml.scores")] = B.KV("tokenizer.ggml.scores", B.f32, B.f32(1))
        }
        add("fewer scores than tokens", "key 'tokenizer.ggml.scores'", "has 2 entries but tokenizer.ggml.tokens has 3") {
            $0.kvs[kv($0, "tokenizer.ggml.scores")].payload = B.arr(B.f32, count: 2, B.f32(0) + B.f32(1))
        }
        add("BOS id outside the vocabulary", "key 'tokenizer.ggml.bos_token_id'", "outside the 3 tokens") {
            $0.kvs[kv($0, "tokenizer.ggml.bos_token_id")].payload = B.le(UInt32(3))
        }
        add("context length as a string", "key 'llama.context_length'", "must be an integer, found string") {
            $0.kvs[kv($0, "llama.context_length")] = B.KV("llama.context_length", B.string, B.str("2048"))
        }
        add("architecture as a number", "key 'general.architecture'", "must be string, found uint32") {
            $0.kvs[0] = B.KV("general.architecture", B.u32, B.le(UInt32(1)))
        }

        // Alignment.
        for a: UInt32 in [0, 13, 1 << 31] {
            add("alignment \(a)", "key 'general.alignment'", "alignment \(a) must be a power of two") {
                $0.kvs[kv($0, "general.alignment")].payload = B.le(a)
            }
        }
        add("alignment as uint64", "key 'general.alignment'", "must be uint32, found uint64") {
            $0.kvs[kv($0, "general.alignment")] = B.KV("general.alignment", B.u64, B.le(UInt64(32)))
        }

        // Tensor infos.
        for n: UInt32 in [0, 5, UInt32.max] {
            add("n_dims \(n)", "tensor 'a'", "n_dims is \(n), must be 1 to 4") { $0.tensors[0].nDims = n }
        }
        add("zero dimension", "tensor 'b'", "dimension 1 is 0, must be positive") { $0.tensors[1].dims = [2, 0] }
        add("negative dimension", "tensor 'b'", "dimension 0 is -2, must be positive") {
            $0.tensors[1].dims = [UInt64(bitPattern: -2), 2]
        }
        add("element count overflow (Q4_K)", "tensor 'b'", "element count overflows at dimension 1") {
            $0.tensors[1].dims = [1 << 40, 1 << 40]; $0.tensors[1].type = 12
        }
        add("element count wraps Int64 (Q8_0)", "tensor 'b'", "element count overflows at dimension 2") {
            $0.tensors[1].dims = [1 << 21, 1 << 21, 1 << 21]; $0.tensors[1].type = 8
        }
        add("byte size beyond the file (Q8_K, 2^50 elements)", "tensor 'b'", "runs past the end of the file") {
            $0.tensors[1].dims = [1 << 42, 1 << 8]; $0.tensors[1].type = 15
        }
        add("row not a whole number of blocks", "tensor 'b'", "not a multiple of Q4_0's block size 32") {
            $0.tensors[1].dims = [33, 1]; $0.tensors[1].type = 2
        }
        add("unknown tensor type", "tensor 'b'", "unknown tensor type 1000") { $0.tensors[1].type = 1000 }
        add("duplicate tensor name", "tensor 'a'", "duplicate tensor name") { $0.tensors[1].name = "a" }
        add("empty tensor name", "tensor #1", "empty tensor name") { $0.tensors[1].name = "" }
        // The tensor table starts right after the metadata: a lying name length there.
        var noTensors = B.valid()
        noTensors.tensors = []
        noTensors.data = []
        noTensors.tensorCount = 1
        c.append(Case(name: "tensor name length 2^63",
                      bytes: noTensors.bytes() + B.le(huge) + Array(repeating: 0x61, count: 64),
                      field: "tensor #0", message: "tensor name length \(huge) runs past the end"))
        add("tensor offset past the end", "tensor 'b'", "past the end of the file") { $0.tensors[1].offset = 1 << 40 }
        add("tensor data runs past the end", "tensor 'b'", "runs past the end of the file") { $0.tensors[1].offset = 64 }
        add("tensor offset not aligned", "tensor 'b'", "not a multiple of the alignment 32") { $0.tensors[1].offset = 20 }
        add("tensors overlap", "tensor 'b'", "overlaps tensor 'a'") {
            $0.tensors[1].offset = 0; $0.tensors[0].offset = 0
        }
        return c
    }()

    @Test func validBaseFileIsRealGGUF() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-valid-\(UUID()).gguf")
        try Data(B.valid().bytes()).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let out = try runPython("""
            import sys, gguf
            r = gguf.GGUFReader(sys.argv[1])
            print(len(r.fields), [t.name for t in r.tensors], r.tensors[1].data.tolist())
            """, [url.path])
        #expect(String(decoding: out, as: UTF8.self) == "10 ['a', 'b'] [[8.0, 9.0], [10.0, 11.0]]\n")
        let g = try GGUFFile(path: url.path)
        #expect(g.tensors.map(\.name) == ["a", "b"])
        #expect(try g.dequantize(g.tensors[1]) == [8, 9, 10, 11])
    }

    @Test(arguments: cases)
    func refused(_ c: Case) {
        switch parseGGUF(c.bytes) {
        case .success(let g):
            Issue.record("\(c.name): accepted (\(g.tensors.count) tensors)")
        case .failure(let error):
            #expect(error.field == c.field, "\(c.name): \(error)")
            #expect(error.message.contains(c.message), "\(c.name): \(error)")
            #expect(error.file == "bad.gguf")
            #expect(!error.description.contains("\n"), "\(c.name): not one line")
            #expect(error.offset >= 0 && error.offset <= c.bytes.count)
        }
    }

    /// Every prefix of the valid file (cut at each byte) is refused, never trapped on.
    @Test func everyTruncationIsRefused() {
        let valid = B.valid().bytes()
        for n in 0..<valid.count {
            let cut = Array(valid.prefix(n))
            if case .success = parseGGUF(cut) { Issue.record("cut at \(n) accepted") }
        }
    }
}

/// Counts that claim huge sizes in a large file fail at once, before any allocation:
/// every count is bounded by the bytes left before `reserveCapacity`. Each file goes
/// through `ponder inspect`; Python measures the child's peak RSS (getrusage).
@Suite struct HugeClaims {
    static let claims = ["tensor count", "key/value count", "array of strings", "array of uint64",
                         "array of arrays", "string length"]

    /// A 64 MiB file (sparse zeros after a valid header) with one count claiming 2^36.
    static func file(claim: String, in dir: URL) throws -> URL {
        typealias B = GGUFBuilder
        var b = B.valid()
        let big: UInt64 = 1 << 36   // 64 Gi elements: far more than 64 MiB can hold
        switch claim {
        case "tensor count": b.tensorCount = big
        case "key/value count": b.kvCount = big
        case "array of strings": b.kvs.append(B.KV("x.a", B.array, B.arr(B.string, count: big, [])))
        case "array of uint64": b.kvs.append(B.KV("x.a", B.array, B.arr(B.u64, count: big, [])))
        case "array of arrays": b.kvs.append(B.KV("x.a", B.array, B.arr(B.array, count: big, [])))
        default: b.kvs.append(B.KV("x.s", B.string, B.le(big)))
        }
        let url = dir.appendingPathComponent("\(claim.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "/", with: "_")).gguf")
        try Data(b.bytes()).write(to: url)
        let h = try FileHandle(forWritingTo: url)
        try h.truncate(atOffset: UInt64(64 << 20))
        try h.close()
        return url
    }

    @Test func failFastWithSmallRSS() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-huge-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Self.claims.map { try Self.file(claim: $0, in: dir) }

        // In process: refused, naming the claim, quickly.
        for (claim, url) in zip(Self.claims, files) {
            let start = DispatchTime.now()
            do {
                _ = try GGUFFile(path: url.path)
                Issue.record("\(claim): accepted")
            } catch {
                #expect(error.message.contains("larger than the file") || error.message.contains("runs past the end"),
                        "\(claim): \(error)")
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            #expect(seconds < 0.5, "\(claim): took \(seconds) s")
        }

        // Through the binary: exit 1 and a peak RSS far below the file size.
        let out = try runPython("""
            import sys, json, subprocess, resource
            res = []
            for f in sys.argv[2:]:
                before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                p = subprocess.run([sys.argv[1], "inspect", f], capture_output=True, timeout=10)
                res.append({"rc": p.returncode, "err": p.stderr.decode("utf-8", "replace"),
                            "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss})
            json.dump(res, sys.stdout)
            """, [try TestEnv.ponderBinary().path] + files.map(\.path))
        let res = try JSONSerialization.jsonObject(with: out) as! [[String: Any]]
        for (claim, r) in zip(Self.claims, res) {
            let err = r["err"] as! String
            #expect(r["rc"] as! Int == 1, "\(claim): \(r)")
            #expect(err.hasPrefix("Error: ") && err.split(separator: "\n").count == 1, "\(claim): \(err)")
            // ru_maxrss of children is the largest so far; every one must stay small.
            let peakKiB = r["maxrss_kb"] as! Int
            #expect(peakKiB < 32 * 1024, "\(claim): peak RSS \(peakKiB) KiB")
        }
    }
}

/// Findings that are not fatal, and types the reader knows but cannot dequantize.
@Suite struct ReaderEdgeCases {
    typealias B = GGUFBuilder

    /// Token strings that are not valid UTF-8 are kept (with U+FFFD) and reported as a
    /// warning naming the key; any other string with bad UTF-8 is an error.
    @Test func invalidUTF8InATokenIsAWarning() throws {
        var b = B.valid()
        let tokens = B.le(UInt64(3)) + Array("<s>".utf8) + B.le(UInt64(1)) + [0xFF] + B.str("b")
        b.kvs[4].payload = B.le(B.string) + B.le(UInt64(3)) + tokens
        let g = try parseGGUF(b.bytes()).get()
        #expect(g.metadata.stringArray("tokenizer.ggml.tokens") == ["<s>", "\u{FFFD}", "b"])
        #expect(g.warnings.count == 1)
        #expect(g.warnings.first?.contains("1 token strings in tokenizer.ggml.tokens") == true)

        var c = B.valid()
        c.kvs[0].payload = B.le(UInt64(2)) + [0x6C, 0xFF]
        guard case .failure(let e) = parseGGUF(c.bytes()) else { Issue.record("accepted"); return }
        #expect(e.field == "key 'general.architecture'" && e.message == "string value is not valid UTF-8")
    }

    /// A tensor of a type the reader knows but cannot dequantize (TQ2_0) parses — so
    /// `ponder inspect` can show it — and `requireSupportedTypes` names it at load time.
    @Test func unsupportedTypeIsNamedAtLoadTime() throws {
        var b = B.valid()
        b.tensors[1].dims = [256, 1]
        b.tensors[1].type = 35   // TQ2_0: 66 bytes per 256 elements
        b.data = Array(b.data.prefix(32)) + Array(repeating: 0, count: 66)
        let g = try parseGGUF(b.bytes()).get()
        #expect(g.tensors[1].type == .tq2_0)
        #expect(throws: GGUFError.self) { try g.requireSupportedTypes() }
        do { try g.requireSupportedTypes() } catch {
            #expect(error.field == "tensor 'b'" && error.message == "tensor type TQ2_0 is not supported")
        }
        // Every tensor of the real K-quant model is supported.
        try GGUFFile(path: try TestEnv.gemmaQ4KM.path).requireSupportedTypes()
    }
}
