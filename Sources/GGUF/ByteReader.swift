/// A bounded little-endian reader over a byte buffer. Every read checks the bytes
/// remaining first; nothing is ever read past `end`. Errors name the field being read.
struct ByteReader {
    let base: UnsafeRawPointer
    let end: Int          // bytes available from `base`
    private(set) var offset: Int = 0
    let fileName: String
    /// The field being read, for error messages.
    var field: String = "header"

    init(base: UnsafeRawPointer, count: Int, fileName: String) {
        self.base = base
        self.end = count
        self.fileName = fileName
    }

    var remaining: Int { end - offset }

    func error(_ message: String, at off: Int? = nil) -> GGUFError {
        GGUFError(file: fileName, field: field, offset: off ?? offset, message: message)
    }

    mutating func need(_ n: Int, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard n >= 0, n <= remaining else {
            throw error("\(what()) needs \(n) bytes but only \(remaining) remain (file cut short?)")
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(GGUFError) -> T {
        try need(MemoryLayout<T>.size, what())
        let v = base.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    mutating func u32(_ what: @autoclosure () -> String) throws(GGUFError) -> UInt32 { try read(UInt32.self, what()) }
    mutating func u64(_ what: @autoclosure () -> String) throws(GGUFError) -> UInt64 { try read(UInt64.self, what()) }

    /// A count (u64) that must be at most `limit`; `limit` bounds what a caller may allocate.
    mutating func count(_ what: String, limit: Int) throws(GGUFError) -> Int {
        let at = offset
        let raw = try u64(what)
        guard raw <= UInt64(max(limit, 0)) else {
            throw error("\(what) \(raw) is larger than the file could hold (at most \(limit))", at: at)
        }
        return Int(raw)
    }

    /// A GGUF string: u64 length + bytes. Must fit in the file and be valid UTF-8
    /// (or, with `lossy`, be decoded with U+FFFD replacement and reported by `invalid`).
    mutating func string(_ what: String, lossy: Bool = false,
                         invalid: (Int) -> Void = { _ in }) throws(GGUFError) -> String {
        let at = offset
        let raw = try u64("\(what) length")
        guard raw <= UInt64(remaining) else {
            throw error("\(what) length \(raw) runs past the end of the file (\(remaining) bytes remain)", at: at)
        }
        let n = Int(raw)
        let bytes = UnsafeRawBufferPointer(start: base + offset, count: n).bindMemory(to: UInt8.self)
        offset += n
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        if lossy {
            invalid(at)
            return String(decoding: bytes, as: UTF8.self)
        }
        throw error("\(what) is not valid UTF-8", at: at)
    }

    /// Checks a GGUF string like `string(_:lossy:invalid:)` does, without decoding it.
    mutating func skipString(_ what: String, lossy: Bool, invalid: (Int) -> Void) throws(GGUFError) {
        let at = offset
        let raw = try u64("\(what) length")
        guard raw <= UInt64(remaining) else {
            throw error("\(what) length \(raw) runs past the end of the file (\(remaining) bytes remain)", at: at)
        }
        let n = Int(raw)
        let bytes = UnsafeRawBufferPointer(start: base + offset, count: n).bindMemory(to: UInt8.self)
        offset += n
        if isValidUTF8(bytes) { return }
        if lossy { invalid(at); return }
        throw error("\(what) is not valid UTF-8", at: at)
    }

    mutating func skip(to newOffset: Int) throws(GGUFError) {
        guard newOffset >= offset, newOffset <= end else {
            throw error("cannot seek to byte \(newOffset): file is \(end) bytes")
        }
        offset = newOffset
    }
}
