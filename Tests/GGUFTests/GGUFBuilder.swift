/// A small GGUF byte writer for hand-made (valid and malformed) test files. Every field
/// can be overridden, so one test can break exactly one thing. Little-endian throughout.
struct GGUFBuilder {
    /// One key/value pair: raw key bytes, raw value type tag, encoded payload.
    struct KV {
        var key: [UInt8]
        var type: UInt32
        var payload: [UInt8]
        init(_ key: String, _ type: UInt32, _ payload: [UInt8]) {
            self.key = Array(key.utf8); self.type = type; self.payload = payload
        }
        init(rawKey: [UInt8], _ type: UInt32, _ payload: [UInt8]) {
            self.key = rawKey; self.type = type; self.payload = payload
        }
    }

    /// One tensor info. `nDims` defaults to `dims.count`.
    struct Tensor {
        var name: String
        var dims: [UInt64]
        var type: UInt32
        var offset: UInt64
        var nDims: UInt32? = nil
    }

    var magic: [UInt8] = Array("GGUF".utf8)
    var version: UInt32 = 3
    var tensorCount: UInt64? = nil      // nil: tensors.count
    var kvCount: UInt64? = nil          // nil: kvs.count
    var kvs: [KV] = []
    var tensors: [Tensor] = []
    /// Padding before the data section (the file's alignment).
    var alignment = 32
    var data: [UInt8] = []

    // Value type tags (GGUF spec).
    static let u8: UInt32 = 0, i8: UInt32 = 1, u16: UInt32 = 2, i16: UInt32 = 3, u32: UInt32 = 4
    static let i32: UInt32 = 5, f32: UInt32 = 6, bool: UInt32 = 7, string: UInt32 = 8
    static let array: UInt32 = 9, u64: UInt32 = 10, i64: UInt32 = 11, f64: UInt32 = 12

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        withUnsafeBytes(of: v.littleEndian) { Array($0) }
    }
    static func str(_ s: String) -> [UInt8] { le(UInt64(s.utf8.count)) + Array(s.utf8) }
    static func f32(_ x: Float) -> [UInt8] { le(x.bitPattern) }
    /// An array payload: element type, count (may lie), encoded elements.
    static func arr(_ type: UInt32, count: UInt64, _ elements: [UInt8]) -> [UInt8] {
        le(type) + le(count) + elements
    }

    /// A small valid model file: llama metadata, three tokens with scores, and two F32
    /// tensors `a` [4] at 0 and `b` [2, 2] at 32 (16 bytes each; 16 bytes of padding
    /// between), ending exactly at the end of the file.
    static func valid() -> GGUFBuilder {
        var b = GGUFBuilder()
        b.kvs = [
            KV("general.architecture", string, str("llama")),
            KV("general.alignment", u32, le(UInt32(32))),
            KV("llama.context_length", u32, le(UInt32(2048))),
            KV("tokenizer.ggml.model", string, str("llama")),
            KV("tokenizer.ggml.tokens", array, arr(string, count: 3, str("<s>") + str("a") + str("b"))),
            KV("tokenizer.ggml.scores", array, arr(f32, count: 3, f32(0) + f32(-1) + f32(-2))),
            KV("tokenizer.ggml.bos_token_id", u32, le(UInt32(0))),
        ]
        b.tensors = [Tensor(name: "a", dims: [4], type: 0, offset: 0),
                     Tensor(name: "b", dims: [2, 2], type: 0, offset: 32)]
        b.data = (0..<12).flatMap { f32(Float($0)) }
        return b
    }

    func bytes() -> [UInt8] {
        var o = magic + Self.le(version)
        o += Self.le(tensorCount ?? UInt64(tensors.count)) + Self.le(kvCount ?? UInt64(kvs.count))
        for kv in kvs {
            o += Self.le(UInt64(kv.key.count)) + kv.key + Self.le(kv.type) + kv.payload
        }
        for t in tensors {
            o += Self.str(t.name) + Self.le(t.nDims ?? UInt32(t.dims.count))
            for d in t.dims { o += Self.le(d) }
            o += Self.le(t.type) + Self.le(t.offset)
        }
        if !tensors.isEmpty {
            while o.count % alignment != 0 { o.append(0) }
        }
        return o + data
    }
}

import GGUF

/// Parses `bytes` in memory (the reader's one code path), as a Result with the typed error.
func parseGGUF(_ bytes: [UInt8], name: String = "bad.gguf") -> Result<GGUFFile, GGUFError> {
    bytes.withUnsafeBytes { p in
        Result { () throws(GGUFError) in try GGUFFile(bytes: p, name: name) }
    }
}
