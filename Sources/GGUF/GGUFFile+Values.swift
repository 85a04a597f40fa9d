/// Reading one metadata value (scalars, strings, arrays that may nest) with the bounded
/// reader. Arrays are checked element by element (lengths inside the file, strings valid
/// UTF-8, bools 0 or 1, nesting at most `GGUFFile.maxArrayDepth` deep) but not decoded:
/// the result is a `GGUFArray` view into `mapping` whose only allocation is its offset
/// index, smaller than the bytes it indexes (see GGUFArray), so parsing a file allocates
/// less than the file's size however its arrays are built.
extension GGUFFile {
    static func readValue(_ r: inout ByteReader, _ type: GGUFValueType, mapping: MappedFile, depth: Int,
                          lossy: Bool, invalid: (Int) -> Void) throws(GGUFError) -> GGUFValue {
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
            return .array(try readArray(&r, mapping: mapping, depth: depth, lossy: lossy, invalid: invalid))
        }
    }

    /// An array value after its type tag: u32 element type, u64 count, the elements.
    static func readArray(_ r: inout ByteReader, mapping: MappedFile, depth: Int, lossy: Bool,
                          invalid: (Int) -> Void) throws(GGUFError) -> GGUFArray {
        let at = r.offset
        let raw = try r.u32("array element type")
        guard let et = GGUFValueType(rawValue: raw) else {
            throw r.error("unknown array element type \(raw)", at: at)
        }
        if et == .array && depth + 1 >= maxArrayDepth {
            throw r.error("arrays nested deeper than \(maxArrayDepth) levels", at: at)
        }
        // n * minimumSize <= remaining: the index below never outgrows the bytes it indexes.
        let n = try r.count("array length", limit: r.remaining / et.minimumSize)
        let start = r.offset
        var index: [Int] = []
        switch et {
        case .string:
            index.reserveCapacity(n / GGUFArray.stride + 1)
            for k in 0..<n {
                if k % GGUFArray.stride == 0 { index.append(r.offset) }
                try r.skipString("string value", lossy: lossy, invalid: invalid)
            }
        case .array:
            index.reserveCapacity(n / GGUFArray.stride + 1)
            for k in 0..<n {
                if k % GGUFArray.stride == 0 { index.append(r.offset) }
                // Checks the inner array (and builds then drops its index).
                _ = try readArray(&r, mapping: mapping, depth: depth + 1, lossy: lossy, invalid: invalid)
            }
        case .bool:
            for _ in 0..<n {
                let b = try r.read(UInt8.self, "bool value")
                guard b <= 1 else { throw r.error("bool value \(b) is neither 0 nor 1", at: r.offset - 1) }
            }
        default:
            // The count's limit was taken before its own 8 bytes were read, so the elements
            // may still run up to 8 bytes past the end: that is reported at the first
            // element cut short, as reading them one by one would.
            let size = et.fixedSize!
            let whole = r.remaining / size
            if n > whole {
                try r.skip(to: start + whole * size)
                try r.need(size, "\(et.name) value")
            }
            try r.skip(to: start + n * size)
        }
        return GGUFArray(elementType: et, count: n, storage: mapping, start: start, end: r.offset, index: index)
    }
}
