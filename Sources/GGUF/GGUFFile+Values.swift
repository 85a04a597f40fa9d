/// Reading one metadata value (scalars, strings, arrays that may nest) with the bounded
/// reader. Array lengths are bounded by the bytes left divided by the element type's
/// smallest encoding, so `reserveCapacity` never asks for more elements than the file
/// could hold; nesting is bounded by `GGUFFile.maxArrayDepth`.
extension GGUFFile {
    static func readValue(_ r: inout ByteReader, _ type: GGUFValueType, depth: Int, lossy: Bool,
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
}
