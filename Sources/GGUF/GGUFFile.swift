/// A GGUF (v2 or v3) model or vocabulary file, memory-mapped and validated.
///
/// Layout: magic "GGUF", u32 version, u64 tensor count, u64 key/value count, the key/value
/// pairs, the tensor infos, padding to `general.alignment` (default 32), the data section.
/// Every file is treated as hostile: all counts, lengths and offsets are checked against
/// the file size with overflow-safe arithmetic before anything is allocated or read, and a
/// failure is one `GGUFError` naming the file, the field and the byte offset.
public final class GGUFFile: Sendable {
    public let path: String
    public let mapping: MappedFile
    public let version: UInt32
    public let metadata: GGUFMetadata
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Absolute offset of the data section.
    public let dataOffset: Int
    /// Byte length of header + metadata + tensor table (what precedes the data section).
    public var headerSize: Int { dataOffset }
    public var fileSize: Int { mapping.size }
    /// Non-fatal findings (e.g. token strings that are not valid UTF-8).
    public let warnings: [String]
    private let index: [String: Int]

    /// Deepest array nesting accepted (arrays of arrays of …).
    public static let maxArrayDepth = 3
    /// Largest `general.alignment` accepted.
    public static let maxAlignment = 1 << 16

    public convenience init(path: String) throws(GGUFError) {
        try self.init(mapping: MappedFile(path: path))
    }

    public init(mapping: MappedFile) throws(GGUFError) {
        self.mapping = mapping
        self.path = mapping.path
        let fileName = String(mapping.path.split(separator: "/").last ?? "")
        var r = ByteReader(base: mapping.base, count: mapping.size, fileName: fileName)
        var warnings: [String] = []

        // Header.
        r.field = "header"
        try r.need(4, "magic")
        let magic = (0..<4).map { mapping.base.load(fromByteOffset: $0, as: UInt8.self) }
        guard magic == Array("GGUF".utf8) else {
            throw r.error("bad magic \(magic.map { String(format2: $0) }.joined()) (not a GGUF file)")
        }
        r.offset4()
        let versionAt = r.offset
        version = try r.u32("version")
        guard version == 2 || version == 3 else {
            throw r.error("unsupported GGUF version \(version) (supported: 2, 3)", at: versionAt)
        }
        // Each tensor info takes at least 8 (name length) + 4 + 8 + 4 + 8 bytes; each
        // key/value at least 8 (key length) + 4 (type) + 1 byte.
        let tensorCount = try r.count("tensor count", limit: r.remaining / 32)
        let kvCount = try r.count("key/value count", limit: r.remaining / 13)

        // Metadata.
        var md = GGUFMetadata()
        for i in 0..<kvCount {
            r.field = "key #\(i)"
            let keyAt = r.offset
            let key = try r.string("key name")
            guard !key.isEmpty else { throw r.error("empty key name", at: keyAt) }
            r.field = "key '\(key)'"
            let typeAt = r.offset
            let rawType = try r.u32("value type")
            guard let vtype = GGUFValueType(rawValue: rawType) else {
                throw r.error("unknown value type \(rawType)", at: typeAt)
            }
            let lossy = key == "tokenizer.ggml.tokens"
            var invalidCount = 0
            let value = try Self.readValue(&r, vtype, depth: 0, lossy: lossy) { _ in invalidCount += 1 }
            if invalidCount > 0 {
                warnings.append("\(fileName): \(invalidCount) token strings in \(key) are not valid UTF-8 (shown with U+FFFD)")
            }
            guard md.insert(key, value) else { throw r.error("duplicate key", at: keyAt) }
            try Self.checkSchema(key: key, value: value, reader: r, at: keyAt)
        }
        metadata = md

        // Alignment.
        if let a = md["general.alignment"] {
            guard case .uint32(let v) = a else {
                throw GGUFError(file: fileName, field: "key 'general.alignment'", offset: 0,
                                message: "must be uint32, found \(a.type.name)")
            }
            guard v > 0, v & (v - 1) == 0, Int(v) <= Self.maxAlignment else {
                throw GGUFError(file: fileName, field: "key 'general.alignment'", offset: 0,
                                message: "alignment \(v) must be a power of two from 1 to \(Self.maxAlignment)")
            }
            alignment = Int(v)
        } else {
            alignment = 32
        }

        // Tensor infos.
        struct Raw { let name: String; let type: GGMLType; let shape: [Int]; let rel: Int; let at: Int }
        var raws: [Raw] = []
        raws.reserveCapacity(tensorCount)
        var seen: Set<String> = []
        for i in 0..<tensorCount {
            r.field = "tensor #\(i)"
            let at = r.offset
            let name = try r.string("tensor name")
            r.field = "tensor '\(name)'"
            guard seen.insert(name).inserted else { throw r.error("duplicate tensor name", at: at) }
            let dimsAt = r.offset
            let nDims = try r.u32("n_dims")
            guard (1...4).contains(nDims) else {
                throw r.error("n_dims is \(nDims), must be 1 to 4", at: dimsAt)
            }
            var shape: [Int] = []
            var elements = 1
            for d in 0..<Int(nDims) {
                let dAt = r.offset
                let raw = Int64(bitPattern: try r.u64("dimension \(d)"))
                guard raw > 0 else { throw r.error("dimension \(d) is \(raw), must be positive", at: dAt) }
                let (p, o) = elements.multipliedReportingOverflow(by: Int(raw))
                guard !o, p <= Int(Int32.max) * 1 << 20 else {
                    throw r.error("element count overflows at dimension \(d)", at: dAt)
                }
                elements = p
                shape.append(Int(raw))
            }
            let typeAt = r.offset
            let rawType = try r.u32("tensor type")
            guard let type = GGMLType(rawValue: rawType) else {
                throw r.error("unknown tensor type \(rawType)", at: typeAt)
            }
            guard shape[0] % type.blockSize == 0 else {
                throw r.error("row length \(shape[0]) is not a multiple of \(type.name)'s block size \(type.blockSize)", at: dimsAt)
            }
            let offAt = r.offset
            let rel = try r.u64("data offset")
            guard rel <= UInt64(mapping.size) else {
                throw r.error("data offset \(rel) is past the end of the file (\(mapping.size) bytes)", at: offAt)
            }
            raws.append(Raw(name: name, type: type, shape: shape, rel: Int(rel), at: at))
        }

        // Data section.
        let tableEnd = r.offset
        let (padded, o) = tableEnd.addingReportingOverflow(alignment - 1)
        guard !o else { throw r.error("data section offset overflows") }
        dataOffset = padded / alignment * alignment
        guard dataOffset <= mapping.size || tensorCount == 0 else {
            throw GGUFError(file: fileName, field: "data section", offset: tableEnd,
                            message: "starts at \(dataOffset), past the end of the file (\(mapping.size) bytes)")
        }

        var infos: [GGUFTensorInfo] = []
        infos.reserveCapacity(raws.count)
        for t in raws {
            let field = "tensor '\(t.name)'"
            let elements = t.shape.reduce(1, *)
            guard let bytes = t.type.byteCount(elements: elements) else {
                throw GGUFError(file: fileName, field: field, offset: t.at,
                                message: "byte size of \(elements) \(t.type.name) elements overflows")
            }
            guard t.rel % alignment == 0 else {
                throw GGUFError(file: fileName, field: field, offset: t.at,
                                message: "data offset \(t.rel) is not a multiple of the alignment \(alignment)")
            }
            let (start, o1) = dataOffset.addingReportingOverflow(t.rel)
            let (end, o2) = start.addingReportingOverflow(bytes)
            guard !o1, !o2, end <= mapping.size else {
                throw GGUFError(file: fileName, field: field, offset: t.at,
                                message: "data [\(t.rel), +\(bytes)) runs past the end of the file (\(mapping.size) bytes)")
            }
            infos.append(GGUFTensorInfo(name: t.name, type: t.type, shape: t.shape,
                                        elementCount: elements, byteCount: bytes, offset: start))
        }
        // No two tensors may overlap.
        let byOffset = infos.sorted { $0.offset < $1.offset }
        for (a, b) in zip(byOffset, byOffset.dropFirst()) where a.offset + a.byteCount > b.offset {
            throw GGUFError(file: fileName, field: "tensor '\(b.name)'", offset: b.offset,
                            message: "data overlaps tensor '\(a.name)'")
        }
        tensors = infos
        var idx: [String: Int] = [:]
        for (i, t) in infos.enumerated() { idx[t.name] = i }
        index = idx
        self.warnings = warnings
    }

    /// The tensor named `name`, if the file has it.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        index[name].map { tensors[$0] }
    }

    /// The tensor's bytes: a view into the mapping, valid while this file object lives.
    public func data(for info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: mapping.base + info.offset, count: info.byteCount)
    }

    /// The whole tensor as Float32 (a copy). Throws for types that cannot be dequantized.
    public func dequantize(_ info: GGUFTensorInfo) throws(GGUFError) -> [Float] {
        var out = [Float](repeating: 0, count: info.elementCount)
        do {
            try out.withUnsafeMutableBufferPointer { p throws(GGUFError) in
                try GGUF.dequantize(data(for: info), type: info.type, count: info.elementCount,
                                    into: p.baseAddress!)
            }
        } catch {
            throw GGUFError(file: error.file.isEmpty ? String(path.split(separator: "/").last ?? "") : error.file,
                            field: "tensor '\(info.name)'", offset: info.offset, message: error.message)
        }
        return out
    }

    // MARK: - Values

    private static func readValue(_ r: inout ByteReader, _ type: GGUFValueType, depth: Int, lossy: Bool,
                                  invalid: (Int) -> Void) throws(GGUFError) -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try r.read(UInt8.self, "uint8 value"))
        case .int8: return .int8(try r.read(Int8.self, "int8 value"))
        case .uint16: return .uint16(try r.read(UInt16.self, "uint16 value"))
        case .int16: return .int16(try r.read(Int16.self, "int16 value"))
        case .uint32: return .uint32(try r.read(UInt32.self, "uint32 value"))
        case .int32: return .int32(try r.read(Int32.self, "int32 value"))
        case .uint64: return .uint64(try r.read(UInt64.self, "uint64 value"))
        case .int64: return .int64(try r.read(Int64.self, "int64 value"))
        case .float32: return .float32(Float(bitPattern: try r.u32("float32 value")))
        case .float64: return .float64(Double(bitPattern: try r.u64("float64 value")))
        case .bool:
            let at = r.offset
            let b = try r.read(UInt8.self, "bool value")
            guard b <= 1 else { throw r.error("bool value \(b) is neither 0 nor 1", at: at) }
            return .bool(b == 1)
        case .string:
            return .string(try r.string("string value", lossy: lossy, invalid: invalid))
        case .array:
            let at = r.offset
            let raw = try r.u32("array element type")
            guard let et = GGUFValueType(rawValue: raw) else {
                throw r.error("unknown array element type \(raw)", at: at)
            }
            if et == .array && depth + 1 >= maxArrayDepth {
                throw r.error("arrays nested deeper than \(maxArrayDepth) levels", at: at)
            }
            let n = try r.count("array length", limit: r.remaining / et.minimumSize)
            var out: [GGUFValue] = []
            out.reserveCapacity(n)
            for _ in 0..<n {
                out.append(try readValue(&r, et, depth: depth + 1, lossy: lossy, invalid: invalid))
            }
            return .array(et, out)
        }
    }

    /// Types that well-known keys must have; a mismatch is an error naming the key.
    static let schema: [String: (GGUFValueType, GGUFValueType?)] = [
        "general.architecture": (.string, nil),
        "general.alignment": (.uint32, nil),
        "tokenizer.ggml.model": (.string, nil),
        "tokenizer.ggml.pre": (.string, nil),
        "tokenizer.ggml.tokens": (.array, .string),
        "tokenizer.ggml.scores": (.array, .float32),
        "tokenizer.ggml.token_type": (.array, .int32),
        "tokenizer.ggml.merges": (.array, .string),
        "tokenizer.chat_template": (.string, nil),
    ]

    private static func checkSchema(key: String, value: GGUFValue, reader r: ByteReader, at: Int) throws(GGUFError) {
        guard let (t, elem) = schema[key] else { return }
        var ok = value.type == t
        if ok, let elem, case .array(let et, _) = value { ok = et == elem }
        guard ok else {
            var found = value.type.name
            if case .array(let et, _) = value { found = "array of \(et.name)" }
            let want = elem.map { "array of \($0.name)" } ?? t.name
            throw r.error("must be \(want), found \(found)", at: at)
        }
    }
}

private extension ByteReader {
    /// Skips the 4 magic bytes (already checked).
    mutating func offset4() { try? skip(to: 4) }
}

private extension String {
    init(format2 byte: UInt8) {
        let hex = String(byte, radix: 16)
        self = (hex.count == 1 ? "0" : "") + hex
    }
}
