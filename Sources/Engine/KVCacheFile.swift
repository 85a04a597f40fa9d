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
/// context holds), behind a key that names everything that shapes them, and checksums.
///
/// Layout (little endian):
///
///     0   "PONDERKV"  u32 version  u32 keyBytes
///     16  u32 elementBytes  u32 layers  u32 keyWidth  u32 valueWidth
///     32  u64 count     committed positions
///     40  u64 length    committed bytes (anything after them is an append that never committed)
///     48  u64 segments
///     56  u64 dataSum   `Checksum64` chained over the segments, piece by piece (`pieces`)
///     64  u64 headSum   `Checksum64` of bytes 0..<64, then of the key
///     72  key (UTF-8 "name=value\n" lines)
///         segments, each: u64 start  u64 n  tokens (n i32)
///                         per layer: keys (n, keyWidth), then values (n, valueWidth)
///
/// Segment i holds positions [start, start + n), following segment i - 1. A save after a
/// turn that only added positions appends one segment, then rewrites the 72-byte header
/// in place (`appendSegment`, `header`); a changed prefix rewrites the file. Each layer's
/// rows of a segment are one contiguous run of the cache (its layout is (layer, capacity,
/// width)), so loading is one read straight into the cache per layer and segment.
///
/// Size per token: layers x (keyWidth + valueWidth) x element bytes + 4 (SmolLM2-135M with
/// F16: 30 x 384 x 2 + 4 = 23,044 B; a Nemotron-Nano-4B shape: 32 x 2,048 x 2 + 4 = 131,076 B).
/// The file is read as hostile: every size is checked against the context and the file's
/// length before anything is read into the cache, and the cache is emptied on any failure.
public enum KVCacheFile {
    static let magic = Array("PONDERKV".utf8)
    static let version: UInt32 = 2
    /// Bytes of the fixed header before the key.
    public static let headerBytes = 72
    /// Longest key accepted (bytes).
    static let maxKeyBytes = 1 << 16
    /// The checksums take rows in pieces of at most this many bytes, so that the reader
    /// hashes each piece while it is still in the CPU's cache after reading it.
    static let piece = 1 << 20

    /// What a file holds when its last save committed (the header's mutable half).
    public struct Committed: Equatable, Sendable {
        /// Positions.
        public var count = 0
        /// Bytes of the file that belong to it.
        public var length = 0
        public var segments = 0
        public var dataSum = Checksum64.seed

        public init(count: Int = 0, length: Int = 0, segments: Int = 0, dataSum: UInt64 = Checksum64.seed) {
            self.count = count; self.length = length; self.segments = segments; self.dataSum = dataSum
        }
    }

    /// The key text of `fields`: "name=value\n" lines, in order.
    public static func keyText(_ fields: [(String, String)]) -> [UInt8] {
        Array(fields.map { "\($0.0)=\($0.1)\n" }.joined().utf8)
    }

    /// Bytes of a file holding `count` positions of `ctx` in one segment under a key of
    /// `keyBytes` bytes.
    public static func size(of ctx: LlamaContext, count: Int, keyBytes: Int) -> Int {
        headerBytes + keyBytes + segmentBytes(ctx.cache, count)
    }

    static func segmentBytes(_ c: KVCache, _ n: Int) -> Int {
        16 + 4 * n + c.layerCount * (c.keyBytes(n) + c.valueBytes(n))
    }

    /// The 72 header bytes of a file of `ctx`'s shapes under `key` in state `s`.
    public static func header(_ s: Committed, of ctx: LlamaContext, key: [UInt8]) -> [UInt8] {
        let c = ctx.cache
        var h = magic
        func put32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { h += $0 } }
        func put64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { h += $0 } }
        put32(Int(version)); put32(key.count)
        put32(c.type.byteWidth); put32(c.layerCount); put32(c.keyWidth); put32(c.valueWidth)
        put64(UInt64(s.count)); put64(UInt64(s.length)); put64(UInt64(s.segments)); put64(s.dataSum)
        put64(headSum(h, key: key))
        return h
    }

    static func headSum(_ first64: [UInt8], key: [UInt8]) -> UInt64 {
        var sum = Checksum64()
        sum.update(Array(first64.prefix(64)))
        sum.update(key)
        return sum.value
    }

    /// Passes a whole file for `ctx`'s cached positions to `write`, piece by piece (no copy
    /// of the rows is made); returns its state. `key`: `keyText` of the caller's fields
    /// followed by `ctx.cacheKey`. The rows are hashed twice (the header, written first,
    /// holds their checksum): at memory speed, against a file write at disk speed.
    @discardableResult
    public static func write(_ ctx: LlamaContext, key: [UInt8],
                             to write: (UnsafeRawBufferPointer) throws -> Void) throws -> Committed {
        let empty = Committed(length: headerBytes + key.count)
        var end = empty
        if ctx.count > 0 { end = try appendSegment(ctx, from: empty) { _ in } }
        try (header(end, of: ctx, key: key) + key).withUnsafeBytes { try write($0) }
        if ctx.count > 0 { _ = try appendSegment(ctx, from: empty, write: write) }
        return end
    }

    /// The segment of positions [from, count) of `ctx`, passed to `body` in the pieces the
    /// checksum takes: start and n, the tokens, then each layer's keys and values.
    static func pieces(_ ctx: LlamaContext, from p0: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let c = ctx.cache, n = ctx.count - p0
        try [UInt64(p0).littleEndian, UInt64(n).littleEndian].withUnsafeBytes { try body($0) }
        try ctx.tokens[p0...].map { UInt32(bitPattern: $0).littleEndian }.withUnsafeBytes { try body($0) }
        for l in 0..<c.layerCount {
            for (row, bytes) in [(c.keyRow(layer: l, position: p0), c.keyBytes(n)),
                                 (c.valueRow(layer: l, position: p0), c.valueBytes(n))] {
                var off = 0
                while off < bytes {
                    try body(UnsafeRawBufferPointer(start: row + off, count: min(piece, bytes - off)))
                    off += piece
                }
            }
        }
    }

    /// Passes the segment of positions [s.count, ctx.count) to `write` (to be written at
    /// byte `s.length` of the file) and returns the state once it is followed by the
    /// header of that state (`header`). Positions [0, s.count) must be the file's.
    public static func appendSegment(_ ctx: LlamaContext, from s: Committed,
                                     write: (UnsafeRawBufferPointer) throws -> Void) throws -> Committed {
        let p0 = s.count
        precondition(p0 < ctx.count)
        var sum = Checksum64(seed: s.dataSum)
        try pieces(ctx, from: p0) { sum.update($0); try write($0) }
        return Committed(count: ctx.count, length: s.length + segmentBytes(ctx.cache, ctx.count - p0),
                         segments: s.segments + 1, dataSum: sum.value)
    }

    /// Reads a file of `fileSize` bytes through `read` (which fills its buffer exactly, or
    /// throws) into `ctx`, replacing its cache; returns the positions restored. Throws
    /// `KVFileError` on any mismatch (the key, the shapes, the length, a token, a
    /// checksum); the context is then empty. `read`'s own errors pass through. Bytes past
    /// the committed length (an append cut short by a crash) are not read.
    @discardableResult
    public static func read(into ctx: LlamaContext, key: [UInt8], fileSize: Int,
                            from read: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Int {
        ctx.reset()
        let c = ctx.cache
        func get(_ n: Int) throws -> [UInt8] {
            var b = [UInt8](repeating: 0, count: n)
            try b.withUnsafeMutableBytes { try read($0) }
            return b
        }
        func u32(_ b: [UInt8], _ at: Int) -> Int {
            Int(UInt32(littleEndian: b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) }))
        }
        func u64(_ b: [UInt8], _ at: Int) -> UInt64 {
            UInt64(littleEndian: b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) })
        }
        guard fileSize >= headerBytes else { throw KVFileError("truncated (\(fileSize) bytes)") }
        let head = try get(headerBytes)
        guard Array(head[0..<8]) == magic else { throw KVFileError("not a ponder KV cache file") }
        guard u32(head, 8) == version else { throw KVFileError("unsupported version \(u32(head, 8))") }
        let keyBytes = u32(head, 12)
        guard keyBytes <= maxKeyBytes, headerBytes + keyBytes <= fileSize else {
            throw KVFileError("truncated or corrupt (a key of \(keyBytes) bytes in a file of \(fileSize))")
        }
        let saved = try get(keyBytes)
        guard headSum(head, key: saved) == u64(head, 64) else { throw KVFileError("checksum mismatch (the header is corrupt)") }
        if saved != key { throw KVFileError(keyMismatch(saved: saved, now: key)) }
        let (width, layers, kw, vw) = (u32(head, 16), u32(head, 20), u32(head, 24), u32(head, 28))
        guard width == c.type.byteWidth, layers == c.layerCount, kw == c.keyWidth, vw == c.valueWidth else {
            throw KVFileError("cache shape differs (\(layers) layers, rows \(kw)+\(vw) of \(width)-byte elements)")
        }
        let (count, length, segments) = (u64(head, 32), u64(head, 40), u64(head, 48))
        guard count <= UInt64(ctx.capacity) else {
            throw KVFileError("holds \(count) positions; the context holds \(ctx.capacity) (raise --ctx)")
        }
        guard length <= UInt64(fileSize) else {
            throw KVFileError("truncated (\(fileSize) bytes; its last save wrote \(length))")
        }
        let n = Int(count)
        guard segments <= count, Int(length) >= headerBytes + keyBytes + Int(segments) * 16 + n * 4 else {
            throw KVFileError("truncated or corrupt (\(segments) segments of \(n) positions in \(length) bytes)")
        }
        var sum = Checksum64(seed: Checksum64.seed)
        var at = headerBytes + keyBytes, tokens: [Int32] = []
        tokens.reserveCapacity(n)
        let vocab = ctx.model.config.vocabSize
        for _ in 0..<segments {
            let se = try get(16)
            sum.update(se)
            let (start, m) = (u64(se, 0), u64(se, 8))
            guard start == UInt64(tokens.count), m >= 1, m <= count - start else {
                throw KVFileError("corrupt (a segment of \(m) positions at \(start), after \(tokens.count) of \(n))")
            }
            let p0 = tokens.count, k = Int(m), bytes = segmentBytes(c, k)
            guard at + bytes <= Int(length) else { throw KVFileError("truncated or corrupt (segment at \(p0) ends past \(length))") }
            var ids = [Int32](repeating: 0, count: k)
            try ids.withUnsafeMutableBytes { try read($0) }
            ids.withUnsafeBytes { sum.update($0) }
            ids = ids.map { Int32(littleEndian: $0) }
            if let bad = ids.firstIndex(where: { $0 < 0 || Int($0) >= vocab }) {
                throw KVFileError("token \(p0 + bad) (\(ids[bad])) is outside the vocabulary")
            }
            tokens += ids
            for l in 0..<c.layerCount {
                for (row, size) in [(c.keyRow(layer: l, position: p0), c.keyBytes(k)),
                                    (c.valueRow(layer: l, position: p0), c.valueBytes(k))] {
                    var off = 0
                    while off < size {
                        let b = UnsafeMutableRawBufferPointer(start: row + off, count: min(piece, size - off))
                        try read(b)
                        sum.update(UnsafeRawBufferPointer(b))
                        off += piece
                    }
                }
            }
            at += bytes
        }
        guard tokens.count == n, at == Int(length) else {
            throw KVFileError("corrupt (\(tokens.count) of \(n) positions in \(at) of \(length) bytes)")
        }
        guard sum.value == u64(head, 56) else { throw KVFileError("checksum mismatch (the file is corrupt)") }
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
