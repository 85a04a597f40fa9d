import GGUF

/// Why a saved KV cache was refused: one line saying what did not match.
public struct KVFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    init(_ d: String) { description = d }
    /// The file ended before its declared length.
    public static let truncated = KVFileError("truncated (the file ended early)")
}

/// The saved form of a context's KV cache (`ponder chat --save-kv`): the cached positions'
/// token ids, keys and values in the cache's own element type (bit for bit what the
/// context holds), behind a key that names everything that shapes them, and a checksum.
///
/// Layout (little endian):
///
///     "PONDERKV"  u32 version  u32 keyBytes  key (UTF-8 "name=value\n" lines)
///     u32 elementBytes  u32 layers  u32 keyWidth  u32 valueWidth  u32 count
///     tokens (count i32)
///     per layer: keys (count, keyWidth), then values (count, valueWidth) of the element type
///     u64 checksum (`Checksum64` over every segment above, in that order)
///
/// Size per token: layers x (keyWidth + valueWidth) x element bytes + 4 (SmolLM2-135M with
/// F16: 30 x 384 x 2 + 4 = 23,044 B; a Nemotron-Nano-4B shape: 32 x 2,048 x 2 + 4 = 131,076 B).
/// The file is read as hostile: every size is checked against the context and the file's
/// length before anything is read into the cache, and the cache is emptied on any failure.
public enum KVCacheFile {
    static let magic = Array("PONDERKV".utf8)
    static let version: UInt32 = 1
    /// Longest key accepted (bytes).
    static let maxKeyBytes = 1 << 16

    /// The key text of `fields`: "name=value\n" lines, in order.
    public static func keyText(_ fields: [(String, String)]) -> [UInt8] {
        Array(fields.map { "\($0.0)=\($0.1)\n" }.joined().utf8)
    }

    /// Bytes of a file holding `count` positions of `ctx` under a key of `keyBytes` bytes.
    public static func size(of ctx: LlamaContext, count: Int, keyBytes: Int) -> Int {
        let c = ctx.cache
        return 16 + keyBytes + 20 + 4 * count + c.layerCount * (c.keyBytes(count) + c.valueBytes(count)) + 8
    }

    /// Passes the file for `ctx`'s cached positions to `write`, piece by piece (no copy of
    /// the rows is made). `key`: `keyText` of the caller's fields followed by `ctx.cacheKey`.
    public static func write(_ ctx: LlamaContext, key: [UInt8],
                             to write: (UnsafeRawBufferPointer) throws -> Void) throws {
        let c = ctx.cache, n = ctx.tokens.count
        var sum = Checksum64()
        func put(_ b: UnsafeRawBufferPointer) throws { sum.update(b); try write(b) }
        func put(_ words: [UInt32]) throws { try words.withUnsafeBytes { try put($0) } }
        var head = magic.map { $0 }
        withUnsafeBytes(of: version.littleEndian) { head += $0 }
        withUnsafeBytes(of: UInt32(key.count).littleEndian) { head += $0 }
        try head.withUnsafeBytes { try put($0) }
        try key.withUnsafeBytes { try put($0) }
        try put([c.type.byteWidth, c.layerCount, c.keyWidth, c.valueWidth, n].map { UInt32($0).littleEndian })
        try ctx.tokens.map { UInt32(bitPattern: $0).littleEndian }.withUnsafeBytes { try put($0) }
        for l in 0..<c.layerCount {
            try put(UnsafeRawBufferPointer(start: c.keyRow(layer: l, position: 0), count: c.keyBytes(n)))
            try put(UnsafeRawBufferPointer(start: c.valueRow(layer: l, position: 0), count: c.valueBytes(n)))
        }
        let tail = sum.value.littleEndian
        try withUnsafeBytes(of: tail) { try write($0) }
    }

    /// Reads a file of `fileSize` bytes through `read` (which fills its buffer exactly, or
    /// throws) into `ctx`, replacing its cache; returns the positions restored. Throws
    /// `KVFileError` on any mismatch (the key, the shapes, the length, a token, the
    /// checksum); the context is then empty. `read`'s own errors pass through.
    @discardableResult
    public static func read(into ctx: LlamaContext, key: [UInt8], fileSize: Int,
                            from read: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Int {
        ctx.reset()
        let c = ctx.cache
        var sum = Checksum64()
        func get(_ n: Int) throws -> [UInt8] {
            var b = [UInt8](repeating: 0, count: n)
            try b.withUnsafeMutableBytes { try read($0) }
            b.withUnsafeBytes { sum.update($0) }
            return b
        }
        func u32(_ b: [UInt8], _ i: Int) -> Int {
            Int(UInt32(littleEndian: b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self) }))
        }
        guard fileSize >= 16 + 20 + 8 else { throw KVFileError("truncated (\(fileSize) bytes)") }
        let head = try get(16)
        guard Array(head[0..<8]) == magic else { throw KVFileError("not a ponder KV cache file") }
        guard u32(head, 2) == version else { throw KVFileError("unsupported version \(u32(head, 2))") }
        let keyBytes = u32(head, 3)
        guard keyBytes <= maxKeyBytes, 16 + keyBytes + 20 + 8 <= fileSize else {
            throw KVFileError("truncated or corrupt (a key of \(keyBytes) bytes in a file of \(fileSize))")
        }
        let saved = try get(keyBytes)
        if saved != key { throw KVFileError(keyMismatch(saved: saved, now: key)) }
        let dims = try get(20)
        let (width, layers, kw, vw, n) = (u32(dims, 0), u32(dims, 1), u32(dims, 2), u32(dims, 3), u32(dims, 4))
        guard width == c.type.byteWidth, layers == c.layerCount, kw == c.keyWidth, vw == c.valueWidth else {
            throw KVFileError("cache shape differs (\(layers) layers, rows \(kw)+\(vw) of \(width)-byte elements)")
        }
        guard n <= ctx.capacity else {
            throw KVFileError("holds \(n) positions; the context holds \(ctx.capacity) (raise --ctx)")
        }
        let expected = size(of: ctx, count: n, keyBytes: keyBytes)
        guard expected == fileSize else {
            throw KVFileError("truncated or corrupt (\(fileSize) bytes; \(n) positions need \(expected))")
        }
        var tokens = [Int32](repeating: 0, count: n)
        try tokens.withUnsafeMutableBytes { try read($0) }
        tokens.withUnsafeBytes { sum.update($0) }
        tokens = tokens.map { Int32(littleEndian: $0) }
        let vocab = ctx.model.config.vocabSize
        if let bad = tokens.firstIndex(where: { $0 < 0 || Int($0) >= vocab }) {
            throw KVFileError("token \(bad) (\(tokens[bad])) is outside the vocabulary")
        }
        for l in 0..<c.layerCount {
            for (row, bytes) in [(c.keyRow(layer: l, position: 0), c.keyBytes(n)),
                                 (c.valueRow(layer: l, position: 0), c.valueBytes(n))] {
                let b = UnsafeMutableRawBufferPointer(start: row, count: bytes)
                try read(b)
                sum.update(UnsafeRawBufferPointer(b))
            }
        }
        var stored: UInt64 = 0
        try withUnsafeMutableBytes(of: &stored) { try read($0) }
        guard UInt64(littleEndian: stored) == sum.value else { throw KVFileError("checksum mismatch (the file is corrupt)") }
        ctx.replaceState(tokens: tokens, lastLogits: nil)
        return n
    }

    /// "made with NAME=A, now B" for the first key line that differs.
    static func keyMismatch(saved: [UInt8], now: [UInt8]) -> String {
        func fields(_ b: [UInt8]) -> [(String, String)] {
            String(decoding: b, as: UTF8.self).split(separator: "\n").map { line in
                let parts = line.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }
        }
        let a = fields(saved), b = fields(now)
        for (x, y) in zip(a, b) where x != y {
            let was = x.0 == y.0 ? x.1 : "\(x.0)=\(x.1)"
            return "made with \(y.0) \(was.prefix(80)), now \(y.1.prefix(80))"
        }
        return "its key differs (\(a.count) fields, now \(b.count))"
    }
}

extension LlamaContext {
    /// What shapes the cached rows besides the tokens: the weights (a sampled hash of the
    /// tensor data), the attention shapes, RoPE, the element type. The context length is
    /// not part of it: a row does not depend on it, and a saved cache fits any context
    /// at least as long as its positions.
    public var cacheKey: [(String, String)] {
        let c = model.config
        var rope = Checksum64()
        ropeInvFreq.withUnsafeBytes { rope.update($0) }
        return [
            ("weights", model.weightSample),
            ("attention", "layers \(c.layerCount), kv heads \(c.kvHeadCount), head dims \(c.headDimK)/\(c.headDimV)"),
            ("rope", "base \(c.ropeFreqBase), dims \(c.ropeDim), frequencies c64:\(String(rope.value, radix: 16))"),
            ("vocabulary", "\(c.vocabSize)"),
            ("element", cache.type.rawValue),
        ]
    }
}

extension LlamaModel {
    /// "c64:<hex>" of 17 4 KiB pages of the tensor data, spread evenly and the last one:
    /// tells files with the same header apart (another quantization of the same weights
    /// differs in its header already) at the cost of 17 page reads, not the whole file.
    public var weightSample: String {
        let map = file.mapping, start = min(file.headerSize, map.size), span = map.size - start
        var sum = Checksum64()
        let page = 4096
        for i in 0...16 {
            let off = i == 16 ? max(start, map.size - page) : start + span / 16 * i
            sum.update(UnsafeRawBufferPointer(start: map.base + off, count: min(page, map.size - off)))
        }
        return "c64:" + String(sum.value, radix: 16)
    }
}
