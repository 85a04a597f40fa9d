/// Dequantization of GGUF tensor data to Float32.
///
/// Each type's routine reads whole blocks (`type.blockSize` elements in `type.typeSize`
/// bytes) and writes exactly the values `gguf.quants.dequantize` (the `gguf` Python
/// package) produces, bit for bit: the same float16→float32 conversions and the same
/// order of float32 operations (no fused multiply-add).

/// Dequantizes `count` elements of `type` from `raw` into `out`.
/// - Throws: when the type is unsupported, `count` is not a whole number of blocks, or
///   `raw` is shorter than `count` elements need.
public func dequantize(_ raw: UnsafeRawBufferPointer, type: GGMLType, count: Int,
                       into out: UnsafeMutablePointer<Float>) throws(GGUFError) {
    guard let f = dequantizer(for: type) else {
        throw GGUFError(file: "", field: "type \(type.name)", offset: 0,
                        message: "tensor type \(type.name) is not supported")
    }
    guard let bytes = type.byteCount(elements: count) else {
        throw GGUFError(file: "", field: "type \(type.name)", offset: 0,
                        message: "\(count) elements is not a whole number of \(type.blockSize)-element blocks")
    }
    guard bytes <= raw.count, let base = raw.baseAddress else {
        if count == 0 { return }
        throw GGUFError(file: "", field: "type \(type.name)", offset: 0,
                        message: "\(count) elements need \(bytes) bytes, have \(raw.count)")
    }
    f(base, count / type.blockSize, out)
}

/// A routine that dequantizes `blocks` whole blocks from `src` into `dst`.
public typealias BlockDequantizer = @Sendable (_ src: UnsafeRawPointer, _ blocks: Int,
                                               _ dst: UnsafeMutablePointer<Float>) -> Void

/// Registry of dequantizers, one per supported type (K- and IQ-types in their own files).
func dequantizer(for type: GGMLType) -> BlockDequantizer? {
    switch type {
    case .f32: return dequantF32
    case .f16: return dequantF16
    case .bf16: return dequantBF16
    case .q4_0: return dequantQ4_0
    case .q4_1: return dequantQ4_1
    case .q5_0: return dequantQ5_0
    case .q5_1: return dequantQ5_1
    case .q8_0: return dequantQ8_0
    default: return extendedDequantizer(for: type)
    }
}

// MARK: - Little helpers

@inline(__always) func f16(_ p: UnsafeRawPointer, _ off: Int) -> Float {
    Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt16.self))))
}

@inline(__always) func u8(_ p: UnsafeRawPointer, _ off: Int) -> UInt8 {
    p.load(fromByteOffset: off, as: UInt8.self)
}

@inline(__always) func i8(_ p: UnsafeRawPointer, _ off: Int) -> Int8 {
    p.load(fromByteOffset: off, as: Int8.self)
}

@inline(__always) func u16(_ p: UnsafeRawPointer, _ off: Int) -> UInt16 {
    UInt16(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt16.self))
}

@inline(__always) func u32(_ p: UnsafeRawPointer, _ off: Int) -> UInt32 {
    UInt32(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt32.self))
}

// MARK: - Plain types

let dequantF32: BlockDequantizer = { src, n, dst in
    for i in 0..<n { dst[i] = Float(bitPattern: u32(src, 4 * i)) }
}

let dequantF16: BlockDequantizer = { src, n, dst in
    for i in 0..<n { dst[i] = f16(src, 2 * i) }
}

let dequantBF16: BlockDequantizer = { src, n, dst in
    for i in 0..<n {
        let h = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
        dst[i] = Float(bitPattern: UInt32(h) << 16)
    }
}

// MARK: - 32-element block types
// Nibble order: byte j holds element j (low nibble) and element j+16 (high nibble).

/// Q4_0: f16 d; x = d * (q - 8).
let dequantQ4_0: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 18, o = dst + b * 32
        let d = f16(p, 0)
        for j in 0..<16 {
            let q = u8(p, 2 + j)
            o[j] = d * Float(Int(q & 0xF) - 8)
            o[j + 16] = d * Float(Int(q >> 4) - 8)
        }
    }
}

/// Q4_1: f16 d, f16 m; x = d * q + m.
let dequantQ4_1: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 20, o = dst + b * 32
        let d = f16(p, 0), m = f16(p, 2)
        for j in 0..<16 {
            let q = u8(p, 4 + j)
            o[j] = d * Float(q & 0xF) + m
            o[j + 16] = d * Float(q >> 4) + m
        }
    }
}

/// Q5_0: f16 d, u32 qh (bit j = 5th bit of element j); x = d * (q - 16).
let dequantQ5_0: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 22, o = dst + b * 32
        let d = f16(p, 0), qh = u32(p, 2)
        for j in 0..<16 {
            let q = u8(p, 6 + j)
            let h0 = UInt8((qh >> UInt32(j)) & 1) << 4
            let h1 = UInt8((qh >> UInt32(j + 16)) & 1) << 4
            o[j] = d * Float(Int((q & 0xF) | h0) - 16)
            o[j + 16] = d * Float(Int((q >> 4) | h1) - 16)
        }
    }
}

/// Q5_1: f16 d, f16 m, u32 qh; x = d * q + m.
let dequantQ5_1: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 24, o = dst + b * 32
        let d = f16(p, 0), m = f16(p, 2), qh = u32(p, 4)
        for j in 0..<16 {
            let q = u8(p, 8 + j)
            let h0 = UInt8((qh >> UInt32(j)) & 1) << 4
            let h1 = UInt8((qh >> UInt32(j + 16)) & 1) << 4
            o[j] = d * Float((q & 0xF) | h0) + m
            o[j + 16] = d * Float((q >> 4) | h1) + m
        }
    }
}

/// Q8_0: f16 d, 32 x int8; x = d * q.
let dequantQ8_0: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 34, o = dst + b * 32
        let d = f16(p, 0)
        for j in 0..<32 { o[j] = d * Float(i8(p, 2 + j)) }
    }
}
