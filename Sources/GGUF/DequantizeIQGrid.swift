import IQGrids

/// IQ1/IQ2/IQ3 dequantization: indices into fixed grids of 8 (or 4) values, with signs
/// and scales per 32 (IQ1_M: 16) values. The grids and the sign table are ggml's, from
/// the IQGrids C target (the one copy, shared with the kernels). Float32 operation order
/// as in `gguf.quants` (the `gguf` Python package), so results agree bit for bit:
/// IQ2/IQ3: x = ±((d * scale) * grid), IQ1: x = (d * scale) * (grid + delta).
/// Each type is its block size, its grid and how grid point k's fields are read; one
/// loop (`iqSignedGridDequantizer`, `iq1Dequantizer`) writes the values of every type.
/// All fields are little-endian; offsets below are byte offsets within one block.

/// The sign byte of a 7-bit index (bit j set: value j of the 8 is negative).
@inline(__always) func iqSigns(_ index: UInt32) -> UInt8 { iqg_ksigns()[Int(index & 127)] }

/// `v`, negated when bit `j` of `signs` is set.
@inline(__always) func iqSigned(_ v: Float, _ signs: UInt8, _ j: Int) -> Float {
    (signs >> UInt8(j)) & 1 == 0 ? v : -v
}

/// Grid point k of an IQ2/IQ3 block at p: its grid index, its signs (bit j set: value j
/// of the point is negative) and its scale field s.
typealias IQSignedPoint = @Sendable (_ p: UnsafeRawPointer, _ k: Int) -> (index: Int, signs: UInt8, s: UInt8)

/// An IQ2/IQ3 type of `bytes` per 256 values, `width` (8 or 4) values per grid point,
/// f16 d first: x = ±(scale(d, s) * g).
func iqSignedGridDequantizer(bytes: Int, width: Int, grid: @escaping @Sendable () -> UnsafePointer<UInt8>?,
                             scale: @escaping @Sendable (Float, UInt8) -> Float,
                             point: @escaping IQSignedPoint) -> BlockDequantizer {
    { src, n, dst in
        let table = grid()!
        for b in 0..<n {
            let p = src + b * bytes, o = dst + b * 256
            let d = f16(p, 0)
            for k in 0..<(256 / width) {
                let (index, signs, s) = point(p, k)
                let db = scale(d, s), g = table + width * index
                for j in 0..<width { o[width * k + j] = iqSigned(db * Float(g[j]), signs, j) }
            }
        }
    }
}

/// The IQ2 types' scale: d (0.5 + s) / 4.
let iq2Scale: @Sendable (Float, UInt8) -> Float = { d, s in d * (0.5 + Float(s)) * 0.25 }

/// IQ2_XS/IQ2_S's scale nibble of grid point k: per 32 values at `at`, low nibble for
/// the first 16, high nibble for the second.
@inline(__always) func iqNibble16(_ p: UnsafeRawPointer, _ at: Int, _ k: Int) -> UInt8 {
    (u8(p, at + k / 4) >> UInt8(4 * ((k / 2) & 1))) & 0xF
}

/// IQ2_XXS (66 bytes, 256 values, 2.06 bpw): f16 d, then per 32 values two u32: the
/// first holds 4 grid indices (one byte each, 8 values per grid point), the second 4
/// 7-bit sign indices (bits 0-27) and a 4-bit scale s (bits 28-31): x = ±(d (0.5 + s) / 4) g.
let dequantIQ2_XXS = iqSignedGridDequantizer(bytes: 66, width: 8, grid: iqg_iq2xxs, scale: iq2Scale) { p, k in
    let ib = k / 4, aux = u32(p, 6 + 8 * ib)
    return (Int(u8(p, 2 + 8 * ib + k % 4)), iqSigns(aux >> UInt32(7 * (k % 4))), UInt8(aux >> 28))
}

/// IQ2_XS (74 bytes, 256 values, 2.31 bpw): f16 d, u16 qs[32] (bits 0-8 a grid index,
/// bits 9-15 a sign index, 8 values each), u8 scales[8] (per 32 values: low nibble for
/// the first 16, high nibble for the second): x = ±(d (0.5 + s) / 4) g.
let dequantIQ2_XS = iqSignedGridDequantizer(bytes: 74, width: 8, grid: iqg_iq2xs, scale: iq2Scale) { p, k in
    let q = u16(p, 2 + 2 * k)
    return (Int(q & 511), iqSigns(UInt32(q >> 9)), iqNibble16(p, 66, k))
}

/// IQ2_S (82 bytes, 256 values, 2.56 bpw): f16 d, u8 qs[32] (grid index bits 0-7), u8
/// signs[32] (one bit per value), u8 qh[8] (index bits 8-9, 2 bits per grid point),
/// u8 scales[8] (as IQ2_XS): x = ±(d (0.5 + s) / 4) g.
let dequantIQ2_S = iqSignedGridDequantizer(bytes: 82, width: 8, grid: iqg_iq2s, scale: iq2Scale) { p, k in
    let hi = (Int(u8(p, 66 + k / 4)) >> (2 * (k % 4))) & 3
    return (Int(u8(p, 2 + k)) | hi << 8, u8(p, 34 + k), iqNibble16(p, 74, k))
}

/// IQ3_XXS (98 bytes, 256 values, 3.06 bpw): f16 d, u8 qs[64] (grid indices, 4 values
/// each), then per 32 values a u32: 4 7-bit sign indices (bits 0-27, 8 values each) and
/// a 4-bit scale s (bits 28-31): x = ±(d (0.5 + s) / 2) g.
let dequantIQ3_XXS = iqSignedGridDequantizer(bytes: 98, width: 4, grid: iqg_iq3xxs,
                                             scale: { d, s in d * (0.5 + Float(s)) * 0.5 }) { p, k in
    let aux = u32(p, 66 + 4 * (k / 8))
    let signs = iqSigns(aux >> UInt32(7 * ((k % 8) / 2))) >> UInt8(4 * (k & 1))
    return (Int(u8(p, 2 + k)), signs, UInt8(aux >> 28))
}

/// IQ3_S (110 bytes, 256 values, 3.44 bpw): f16 d, u8 qs[64] (grid index bits 0-7, 4
/// values each), u8 qh[8] (index bit 8, one bit per grid point), u8 signs[32] (one bit
/// per value), u8 scales[4] (a nibble per 32 values): x = ±(d (1 + 2 s)) g.
let dequantIQ3_S = iqSignedGridDequantizer(bytes: 110, width: 4, grid: iqg_iq3s,
                                           scale: { d, s in d * Float(1 + 2 * Int(s)) }) { p, k in
    let ib = k / 8, hi = (Int(u8(p, 66 + ib)) >> (k % 8)) & 1
    let s = (u8(p, 106 + ib / 2) >> UInt8(4 * (ib & 1))) & 0xF
    return (Int(u8(p, 2 + k)) | hi << 8, u8(p, 74 + k / 2) >> UInt8(4 * (k & 1)), s)
}

/// Grid point k (8 values) of an IQ1 block at p: its grid index, whether its delta is
/// negative, and its 3-bit scale field s.
typealias IQ1Point = @Sendable (_ p: UnsafeRawPointer, _ k: Int) -> (index: Int, negative: Bool, s: Int)

/// An IQ1 type of `bytes` per 256 values, d read by `d`: x = (d (2 s + 1)) (g + delta),
/// delta = ±1/8.
func iq1Dequantizer(bytes: Int, d: @escaping @Sendable (UnsafeRawPointer) -> Float,
                    point: @escaping IQ1Point) -> BlockDequantizer {
    { src, n, dst in
        let grid = iqg_iq1s()!
        for b in 0..<n {
            let p = src + b * bytes, o = dst + b * 256
            let d = d(p)
            for k in 0..<32 {
                let (index, negative, s) = point(p, k)
                let dl = d * Float(2 * s + 1), delta: Float = negative ? -0.125 : 0.125
                let g = grid + 8 * index
                for j in 0..<8 { o[8 * k + j] = dl * (Float(g[j]) + delta) }
            }
        }
    }
}

/// IQ1_S (50 bytes, 256 values, 1.56 bpw): f16 d, u8 qs[32] (grid index bits 0-7, 8
/// values in -1, 0, 1 each), u16 qh[8] per 32 values: index bits 8-10 of its 4 grid
/// points (3 bits each, bits 0-11), a scale s (bits 12-14) and the sign of delta
/// (bit 15): x = (d (2 s + 1)) (g + delta), delta = ±1/8.
let dequantIQ1_S = iq1Dequantizer(bytes: 50, d: { f16($0, 0) }) { p, k in
    let qh = Int(u16(p, 34 + 2 * (k / 4)))
    return (Int(u8(p, 2 + k)) | ((qh >> (3 * (k % 4))) & 7) << 8, qh & 0x8000 != 0, (qh >> 12) & 7)
}

/// IQ1_M (56 bytes, 256 values, 1.75 bpw): u8 qs[32] (grid index bits 0-7), u8 qh[16]
/// (a nibble per grid point: index bits 8-10, and bit 3 the sign of its delta), u16
/// scales[4]: 3-bit scales per 16 values in bits 0-11 of each, and the f16 d spread
/// over their top nibbles (bits 0-3 of d in scales[0], ... bits 12-15 in scales[3]):
/// x = (d (2 s + 1)) (g + delta), delta = ±1/8.
let dequantIQ1_M = iq1Dequantizer(bytes: 56, d: { p in
    let bits = (0..<4).reduce(0) { $0 | (Int(u16(p, 48 + 2 * $1)) >> 12) << (4 * $1) }
    return Float(Float16(bitPattern: UInt16(bits)))
}) { p, k in
    let s = k / 2  // 16-value sub-block
    let h = Int(u8(p, 32 + k / 2)) >> (4 * (k & 1))
    return (Int(u8(p, k)) | (h & 7) << 8, h & 8 != 0, (Int(u16(p, 48 + 2 * (s / 4))) >> (3 * (s % 4))) & 7)
}
