/// K-quant dequantization (256-element super-blocks): Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K.
///
/// Element order and float32 operation order follow `gguf.quants` (the `gguf` Python
/// package's numpy code) exactly, so results are bit for bit equal to its `dequantize`:
/// each sub-block scale is `d * Float(sc)` (one rounding), each element `scale * q - min`
/// (two roundings, never fused). Q8_K is not in that package; it follows ggml's
/// `dequantize_row_q8_K` (`d * q`).

/// Q2_K (84 bytes): u8 scales[16] (low nibble scale, high nibble min), u8 qs[64]
/// (2-bit values), f16 d, f16 dmin. Element i = h*128 + s*32 + l (h < 2, s < 4, l < 32)
/// is `(qs[h*32 + l] >> 2s) & 3`, in sub-block i / 16:
/// x = (d * sc) * q - (dmin * m).
let dequantQ2_K: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 84, o = dst + b * 256
        let d = f16(p, 80), dmin = f16(p, 82)
        for k in 0..<16 {
            let sc = u8(p, k)
            let dl = d * Float(sc & 0xF), ml = dmin * Float(sc >> 4)
            for i in (k * 16)..<(k * 16 + 16) {
                let h = i >> 7, s = (i >> 5) & 3, l = i & 31
                let q = (u8(p, 16 + h * 32 + l) >> UInt8(2 * s)) & 3
                o[i] = dl * Float(q) - ml
            }
        }
    }
}

/// Q3_K (110 bytes): u8 hmask[32], u8 qs[64], u8 scales[12] (sixteen 6-bit signed
/// scales, offset 32), f16 d. Element i = h*128 + s*32 + l: low bits
/// `(qs[h*32 + l] >> 2s) & 3`, minus 4 when bit (i / 32) of hmask[l] is clear;
/// x = (d * scale) * q with scale of sub-block i / 16.
let dequantQ3_K: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 110, o = dst + b * 256
        let d = f16(p, 108)
        for k in 0..<16 {
            let lo = (u8(p, 96 + (k & 7)) >> UInt8(4 * (k >> 3))) & 0xF
            let hi = (u8(p, 104 + (k & 3)) >> UInt8(2 * (k >> 2))) & 3
            let dl = d * Float(Int(lo | (hi << 4)) - 32)
            for i in (k * 16)..<(k * 16 + 16) {
                let h = i >> 7, s = (i >> 5) & 3, l = i & 31
                let ql = Int((u8(p, 32 + h * 32 + l) >> UInt8(2 * s)) & 3)
                let hbit = Int((u8(p, l) >> UInt8(i >> 5)) & 1)
                o[i] = dl * Float(ql - ((hbit ^ 1) << 2))
            }
        }
    }
}

/// The eight 6-bit scales and mins of Q4_K/Q5_K packed in 12 bytes at `p`:
/// bytes 0-3 scales 0-3 (low 6 bits), 4-7 mins 0-3, 8-11 low/high nibbles of
/// scales/mins 4-7 with their top two bits in the top bits of bytes 0-7.
@inline(__always) func kScaleMin(_ p: UnsafeRawPointer, _ j: Int) -> (sc: UInt8, m: UInt8) {
    if j < 4 {
        return (u8(p, j) & 63, u8(p, j + 4) & 63)
    }
    let md = u8(p, j + 4)
    return ((md & 0xF) | ((u8(p, j - 4) >> 2) & 0x30), (md >> 4) | ((u8(p, j) >> 2) & 0x30))
}

/// Q4_K (144 bytes): f16 d, f16 dmin, 12 bytes of scales/mins, u8 qs[128]. Sub-block
/// k (32 elements) = 2c + s reads `(qs[c*32 + l] >> 4s) & 0xF`;
/// x = (d * sc) * q - (dmin * m).
let dequantQ4_K: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 144, o = dst + b * 256
        let d = f16(p, 0), dmin = f16(p, 2)
        for k in 0..<8 {
            let (sc, m) = kScaleMin(p + 4, k)
            let dl = d * Float(sc), ml = dmin * Float(m)
            let c = k >> 1, shift = UInt8(4 * (k & 1))
            for l in 0..<32 {
                let q = (u8(p, 16 + c * 32 + l) >> shift) & 0xF
                o[k * 32 + l] = dl * Float(q) - ml
            }
        }
    }
}

/// Q5_K (176 bytes): f16 d, f16 dmin, 12 bytes of scales/mins, u8 qh[32], u8 qs[128].
/// Like Q4_K with a fifth bit `(qh[l] >> k) & 1` for element l of sub-block k.
let dequantQ5_K: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 176, o = dst + b * 256
        let d = f16(p, 0), dmin = f16(p, 2)
        for k in 0..<8 {
            let (sc, m) = kScaleMin(p + 4, k)
            let dl = d * Float(sc), ml = dmin * Float(m)
            let c = k >> 1, shift = UInt8(4 * (k & 1))
            for l in 0..<32 {
                let lo = (u8(p, 48 + c * 32 + l) >> shift) & 0xF
                let hi = (u8(p, 16 + l) >> UInt8(k)) & 1
                o[k * 32 + l] = dl * Float(lo | (hi << 4)) - ml
            }
        }
    }
}

/// Q6_K (210 bytes): u8 ql[128], u8 qh[64], i8 scales[16], f16 d. Element
/// i = h*128 + r (h < 2): low nibble `(ql[h*64 + r % 64] >> 4(r / 64)) & 0xF`, high bits
/// `(qh[h*32 + r % 32] >> 2(r / 32)) & 3`; x = (d * scale[i / 16]) * (q - 32).
let dequantQ6_K: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 210, o = dst + b * 256
        let d = f16(p, 208)
        for k in 0..<16 {
            let dl = d * Float(i8(p, 192 + k))
            for i in (k * 16)..<(k * 16 + 16) {
                let h = i >> 7, r = i & 127
                let lo = (u8(p, h * 64 + (r & 63)) >> UInt8(4 * (r >> 6))) & 0xF
                let hi = (u8(p, 128 + h * 32 + (r & 31)) >> UInt8(2 * (r >> 5))) & 3
                o[i] = dl * Float(Int(lo | (hi << 4)) - 32)
            }
        }
    }
}

/// Q8_K (292 bytes): f32 d, i8 qs[256], i16 bsums[16] (sums for dot products, unused
/// here); x = d * q.
let dequantQ8_K: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 292, o = dst + b * 256
        let d = Float(bitPattern: u32(p, 0))
        for i in 0..<256 { o[i] = d * Float(i8(p, 4 + i)) }
    }
}
