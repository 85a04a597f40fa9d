import IQGrids

/// IQ1/IQ2/IQ3 dequantization: indices into fixed grids of 8 (or 4) values, with signs
/// and scales per 32 (IQ1_M: 16) values. The grids and the sign table are ggml's, from
/// the IQGrids C target (the one copy, shared with the kernels). Float32 operation order
/// as in `gguf.quants` (the `gguf` Python package), so results agree bit for bit:
/// IQ2/IQ3: x = ±((d * scale) * grid), IQ1: x = (d * scale) * (grid + delta).
/// All fields are little-endian; offsets below are byte offsets within one block.

/// The sign byte of a 7-bit index (bit j set: value j of the 8 is negative).
@inline(__always) func iqSigns(_ index: UInt32) -> UInt8 { iqg_ksigns()[Int(index & 127)] }

/// `v`, negated when bit `j` of `signs` is set.
@inline(__always) func iqSigned(_ v: Float, _ signs: UInt8, _ j: Int) -> Float {
    (signs >> UInt8(j)) & 1 == 0 ? v : -v
}

/// IQ2_XXS (66 bytes, 256 values, 2.06 bpw): f16 d, then per 32 values two u32: the
/// first holds 4 grid indices (one byte each, 8 values per grid point), the second 4
/// 7-bit sign indices (bits 0-27) and a 4-bit scale s (bits 28-31): x = ±(d (0.5 + s) / 4) g.
let dequantIQ2_XXS: BlockDequantizer = { src, n, dst in
    let grid = iqg_iq2xxs()!
    for b in 0..<n {
        let p = src + b * 66, o = dst + b * 256
        let d = f16(p, 0)
        for ib in 0..<8 {
            let idx = u32(p, 2 + 8 * ib), aux = u32(p, 6 + 8 * ib)
            let db = d * (0.5 + Float(aux >> 28)) * 0.25
            for l in 0..<4 {
                let g = grid + 8 * Int((idx >> UInt32(8 * l)) & 0xFF)
                let signs = iqSigns(aux >> UInt32(7 * l))
                for j in 0..<8 { o[32 * ib + 8 * l + j] = iqSigned(db * Float(g[j]), signs, j) }
            }
        }
    }
}

/// IQ2_XS (74 bytes, 256 values, 2.31 bpw): f16 d, u16 qs[32] (bits 0-8 a grid index,
/// bits 9-15 a sign index, 8 values each), u8 scales[8] (per 32 values: low nibble for
/// the first 16, high nibble for the second): x = ±(d (0.5 + s) / 4) g.
let dequantIQ2_XS: BlockDequantizer = { src, n, dst in
    let grid = iqg_iq2xs()!
    for b in 0..<n {
        let p = src + b * 74, o = dst + b * 256
        let d = f16(p, 0)
        for k in 0..<32 {
            let q = u16(p, 2 + 2 * k)
            let s = (u8(p, 66 + k / 4) >> UInt8(4 * ((k / 2) & 1))) & 0xF
            let db = d * (0.5 + Float(s)) * 0.25
            let g = grid + 8 * Int(q & 511)
            let signs = iqSigns(UInt32(q >> 9))
            for j in 0..<8 { o[8 * k + j] = iqSigned(db * Float(g[j]), signs, j) }
        }
    }
}

/// IQ2_S (82 bytes, 256 values, 2.56 bpw): f16 d, u8 qs[32] (grid index bits 0-7), u8
/// signs[32] (one bit per value), u8 qh[8] (index bits 8-9, 2 bits per grid point),
/// u8 scales[8] (as IQ2_XS): x = ±(d (0.5 + s) / 4) g.
let dequantIQ2_S: BlockDequantizer = { src, n, dst in
    let grid = iqg_iq2s()!
    for b in 0..<n {
        let p = src + b * 82, o = dst + b * 256
        let d = f16(p, 0)
        for k in 0..<32 {
            let hi = (Int(u8(p, 66 + k / 4)) >> (2 * (k % 4))) & 3
            let s = (u8(p, 74 + k / 4) >> UInt8(4 * ((k / 2) & 1))) & 0xF
            let db = d * (0.5 + Float(s)) * 0.25
            let g = grid + 8 * (Int(u8(p, 2 + k)) | hi << 8)
            let signs = u8(p, 34 + k)
            for j in 0..<8 { o[8 * k + j] = iqSigned(db * Float(g[j]), signs, j) }
        }
    }
}

/// IQ3_XXS (98 bytes, 256 values, 3.06 bpw): f16 d, u8 qs[64] (grid indices, 4 values
/// each), then per 32 values a u32: 4 7-bit sign indices (bits 0-27, 8 values each) and
/// a 4-bit scale s (bits 28-31): x = ±(d (0.5 + s) / 2) g.
let dequantIQ3_XXS: BlockDequantizer = { src, n, dst in
    let grid = iqg_iq3xxs()!
    for b in 0..<n {
        let p = src + b * 98, o = dst + b * 256
        let d = f16(p, 0)
        for ib in 0..<8 {
            let aux = u32(p, 66 + 4 * ib)
            let db = d * (0.5 + Float(aux >> 28)) * 0.5
            for l in 0..<4 {
                let g1 = grid + 4 * Int(u8(p, 2 + 8 * ib + 2 * l)), g2 = grid + 4 * Int(u8(p, 3 + 8 * ib + 2 * l))
                let signs = iqSigns(aux >> UInt32(7 * l))
                let out = o + 32 * ib + 8 * l
                for j in 0..<4 {
                    out[j] = iqSigned(db * Float(g1[j]), signs, j)
                    out[j + 4] = iqSigned(db * Float(g2[j]), signs, j + 4)
                }
            }
        }
    }
}

/// IQ3_S (110 bytes, 256 values, 3.44 bpw): f16 d, u8 qs[64] (grid index bits 0-7, 4
/// values each), u8 qh[8] (index bit 8, one bit per grid point), u8 signs[32] (one bit
/// per value), u8 scales[4] (a nibble per 32 values): x = ±(d (1 + 2 s)) g.
let dequantIQ3_S: BlockDequantizer = { src, n, dst in
    let grid = iqg_iq3s()!
    for b in 0..<n {
        let p = src + b * 110, o = dst + b * 256
        let d = f16(p, 0)
        for ib in 0..<8 {
            let s = (u8(p, 106 + ib / 2) >> UInt8(4 * (ib & 1))) & 0xF
            let db = d * Float(1 + 2 * Int(s))
            for k in 8 * ib..<8 * ib + 8 {
                let hi = (Int(u8(p, 66 + k / 8)) >> (k % 8)) & 1
                let g = grid + 4 * (Int(u8(p, 2 + k)) | hi << 8)
                let signs = u8(p, 74 + k / 2) >> UInt8(4 * (k & 1))
                for j in 0..<4 { o[4 * k + j] = iqSigned(db * Float(g[j]), signs, j) }
            }
        }
    }
}

/// IQ1_S (50 bytes, 256 values, 1.56 bpw): f16 d, u8 qs[32] (grid index bits 0-7, 8
/// values in -1, 0, 1 each), u16 qh[8] per 32 values: index bits 8-10 of its 4 grid
/// points (3 bits each, bits 0-11), a scale s (bits 12-14) and the sign of delta
/// (bit 15): x = (d (2 s + 1)) (g + delta), delta = ±1/8.
let dequantIQ1_S: BlockDequantizer = { src, n, dst in
    let grid = iqg_iq1s()!
    for b in 0..<n {
        let p = src + b * 50, o = dst + b * 256
        let d = f16(p, 0)
        for ib in 0..<8 {
            let qh = Int(u16(p, 34 + 2 * ib))
            let dl = d * Float(2 * ((qh >> 12) & 7) + 1)
            let delta: Float = qh & 0x8000 == 0 ? 0.125 : -0.125
            for l in 0..<4 {
                let g = grid + 8 * (Int(u8(p, 2 + 4 * ib + l)) | ((qh >> (3 * l)) & 7) << 8)
                for j in 0..<8 { o[32 * ib + 8 * l + j] = dl * (Float(g[j]) + delta) }
            }
        }
    }
}

/// IQ1_M (56 bytes, 256 values, 1.75 bpw): u8 qs[32] (grid index bits 0-7), u8 qh[16]
/// (a nibble per grid point: index bits 8-10, and bit 3 the sign of its delta), u16
/// scales[4]: 3-bit scales per 16 values in bits 0-11 of each, and the f16 d spread
/// over their top nibbles (bits 0-3 of d in scales[0], ... bits 12-15 in scales[3]):
/// x = (d (2 s + 1)) (g + delta), delta = ±1/8.
let dequantIQ1_M: BlockDequantizer = { src, n, dst in
    let grid = iqg_iq1s()!
    for b in 0..<n {
        let p = src + b * 56, o = dst + b * 256
        let sc = (0..<4).map { Int(u16(p, 48 + 2 * $0)) }
        let bits = sc[0] >> 12 | (sc[1] >> 8) & 0xF0 | (sc[2] >> 4) & 0xF00 | sc[3] & 0xF000
        let d = Float(Float16(bitPattern: UInt16(bits)))
        for k in 0..<32 {
            let s = k / 2  // 16-value sub-block
            let dl = d * Float(2 * ((sc[s / 4] >> (3 * (s % 4))) & 7) + 1)
            let h = Int(u8(p, 32 + k / 2)) >> (4 * (k & 1))
            let delta: Float = h & 8 == 0 ? 0.125 : -0.125
            let g = grid + 8 * (Int(u8(p, k)) | (h & 7) << 8)
            for j in 0..<8 { o[8 * k + j] = dl * (Float(g[j]) + delta) }
        }
    }
}
