/// A GGUF (v2 or v3) model or vocabulary file, memory-mapped and validated.
///
/// Layout: magic "GGUF", u32 version, u64 tensor count, u64 key/value count, the key/value
/// pairs, the tensor infos, padding to `general.alignment` (default 32), the data section.
/// Every file is treated as hostile: all counts, lengths and offsets are checked against
/// the file size with overflow-safe arithmetic before anything is allocated or read (an
/// allocation never holds more elements than the bytes left in the file could encode),
/// and a failure is one `GGUFError` naming the file, the field and the byte offset.
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
    /// Largest element count of one tensor (2^51; ggml's int64 sizes never get near it).
    public static let maxElements = Int(Int32.max) << 20

    /// Maps and parses the file at `path`.
    public convenience init(path: String) throws(GGUFError) {
        try self.init(mapping: MappedFile(path: path))
    }

    /// Parses GGUF bytes held in memory (copied once); `name` stands in for the file name
    /// in errors. Same code path as a mapped file.
    public convenience init(bytes: UnsafeRawBufferPointer, name: String = "<memory>") throws(GGUFError) {
        try self.init(mapping: MappedFile(copying: bytes, name: name))
    }

    public init(mapping: MappedFile) throws(GGUFError) {
        self.mapping = mapping
        self.path = mapping.path
        let fileName = displayName(String(mapping.path.split(separator: "/").last ?? ""))
        var r = ByteReader(base: mapping.base, count: mapping.size, fileName: fileName)
        var warnings: [String] = []

        // Header.
        r.field = "magic"
        try r.need(4, "magic")
        let magic = (0..<4).map { mapping.base.load(fromByteOffset: $0, as: UInt8.self) }
        guard magic == Array("GGUF".utf8) else {
            throw r.error("bad magic \(magic.map { String(format2: $0) }.joined()) (not a GGUF file)")
        }
        try r.skip(to: 4)
        r.field = "version"
        let versionAt = r.offset
        version = try r.u32("version")
        guard version == 2 || version == 3 else {
            throw r.error("unsupported GGUF version \(version) (supported: 2, 3)", at: versionAt)
        }
        // Each tensor info takes at least 8 (name length) + 4 + 8 + 4 + 8 bytes; each
        // key/value at least 8 (key length) + 4 (type) + 1 byte.
        r.field = "tensor count"
        let tensorCount = try r.count("tensor count", limit: r.remaining / 32)
        r.field = "key/value count"
        let kvCount = try r.count("key/value count", limit: r.remaining / 13)

        // Metadata.
        var md = GGUFMetadata()
        var keyOffsets: [String: Int] = [:]
        for i in 0..<kvCount {
            r.field = "key #\(i)"
            let keyAt = r.offset
            let key = try r.string("key name")
            guard !key.isEmpty else { throw r.error("empty key name", at: keyAt) }
            r.field = "key '\(displayName(key))'"
            let typeAt = r.offset
            let rawType = try r.u32("value type")
            guard let vtype = GGUFValueType(rawValue: rawType) else {
                throw r.error("unknown value type \(rawType)", at: typeAt)
            }
            let lossy = key == "tokenizer.ggml.tokens"
            var invalidCount = 0
            let value = try Self.readValue(&r, vtype, mapping: mapping, depth: 0, lossy: lossy) { _ in invalidCount += 1 }
            if invalidCount > 0 {
                warnings.append("\(fileName): \(invalidCount) token strings in \(key) are not valid UTF-8 (shown with U+FFFD)")
            }
            guard md.insert(key, value) else { throw r.error("duplicate key", at: keyAt) }
            keyOffsets[key] = keyAt
            if let problem = GGUFSchema.check(key: key, value: value) {
                throw r.error(problem, at: keyAt)
            }
        }
        if let (key, problem) = GGUFSchema.checkTogether(md) {
            throw GGUFError(file: fileName, field: "key '\(displayName(key))'",
                            offset: keyOffsets[key] ?? 0, message: problem)
        }
        metadata = md

        // Alignment (its type was checked by the schema).
        if let v = md["general.alignment"]?.intValue {
            guard v > 0, v & (v - 1) == 0, v <= Self.maxAlignment else {
                throw GGUFError(file: fileName, field: "key 'general.alignment'",
                                offset: keyOffsets["general.alignment"] ?? 0,
                                message: "alignment \(v) must be a power of two from 1 to \(Self.maxAlignment)")
            }
            alignment = v
        } else {
            alignment = 32
        }

        // Tensor infos.
        struct Raw { let name: String; let type: GGMLType; let shape: [Int]; let elements: Int; let rel: Int; let at: Int }
        var raws: [Raw] = []
        raws.reserveCapacity(tensorCount)
        var seen: Set<String> = []
        for i in 0..<tensorCount {
            r.field = "tensor #\(i)"
            let at = r.offset
            let name = try r.string("tensor name")
            guard !name.isEmpty else { throw r.error("empty tensor name", at: at) }
            r.field = "tensor '\(displayName(name))'"
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
                guard !o, p <= Self.maxElements else {
                    throw r.error("element count overflows at dimension \(d) (more than 2^51 elements)", at: dAt)
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
            raws.append(Raw(name: name, type: type, shape: shape, elements: elements, rel: Int(rel), at: at))
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
            let field = "tensor '\(displayName(t.name))'"
            guard let bytes = t.type.byteCount(elements: t.elements) else {
                throw GGUFError(file: fileName, field: field, offset: t.at,
                                message: "byte size of \(t.elements) \(t.type.name) elements overflows")
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
                                        elementCount: t.elements, byteCount: bytes, offset: start))
        }
        // No two tensors may overlap (each range is inside the file, so no overflow).
        let byOffset = infos.sorted { $0.offset < $1.offset }
        for (a, b) in zip(byOffset, byOffset.dropFirst()) where a.offset + a.byteCount > b.offset {
            throw GGUFError(file: fileName, field: "tensor '\(displayName(b.name))'", offset: b.offset,
                            message: "data overlaps tensor '\(displayName(a.name))'")
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

    /// Throws, naming the first tensor and its type, when any tensor has a type that
    /// `dequantize` cannot handle (TQ1_0, TQ2_0, MXFP4, …). Loaders call this once at
    /// load time so an unsupported file fails before a chat starts.
    public func requireSupportedTypes() throws(GGUFError) {
        if let t = tensors.first(where: { !$0.type.isSupported }) {
            throw GGUFError(file: displayName(String(path.split(separator: "/").last ?? "")),
                            field: "tensor '\(displayName(t.name))'", offset: t.offset,
                            message: "tensor type \(t.type.name) is not supported")
        }
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
            throw GGUFError(file: error.file.isEmpty ? displayName(String(path.split(separator: "/").last ?? "")) : error.file,
                            field: "tensor '\(displayName(info.name))'", offset: info.offset, message: error.message)
        }
        return out
    }
}

/// A name from a file, safe to put in a one-line message: control characters escaped,
/// at most 80 characters.
func displayName(_ s: String) -> String {
    var out = ""
    for (i, u) in s.unicodeScalars.enumerated() {
        if i == 80 { out += "…"; break }
        if u.properties.generalCategory == .control || u == "\u{2028}" || u == "\u{2029}" {
            out += "\\u{\(String(u.value, radix: 16))}"
        } else {
            out.unicodeScalars.append(u)
        }
    }
    return out
}

private extension String {
    init(format2 byte: UInt8) {
        let hex = String(byte, radix: 16)
        self = (hex.count == 1 ? "0" : "") + hex
    }
}
