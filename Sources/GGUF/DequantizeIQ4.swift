/// IQ4 dequantization: 4-bit indices into a fixed non-linear table of int8 values.
/// Float32 operation order as in `gguf.quants` (the `gguf` Python package):
/// x = d * Float(kvalues[q]) for IQ4_NL, x = (d * Float(scale)) * Float(kvalues[q]) for IQ4_XS.

/// The 16 IQ4 grid values (ggml's `kvalues_iq4nl`).
let iq4Values: [Int8] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]

@inline(__always) func iq4Value(_ q: UInt8) -> Float {
    iq4Values.withUnsafeBufferPointer { Float($0[Int(q & 0xF)]) }
}

/// IQ4_NL (18 bytes, 32 elements): f16 d, u8 qs[16]; byte j holds element j (low
/// nibble) and element j + 16 (high nibble).
let dequantIQ4_NL: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 18, o = dst + b * 32
        let d = f16(p, 0)
        for j in 0..<16 {
            let q = u8(p, 2 + j)
            o[j] = d * iq4Value(q)
            o[j + 16] = d * iq4Value(q >> 4)
        }
    }
}

/// IQ4_XS (136 bytes, 256 elements): f16 d, u16 scales_h (2 high bits per sub-block),
/// u8 scales_l[4] (4 low bits per sub-block), u8 qs[128]. Sub-block k (32 elements) has
/// scale `(low | high << 4) - 32`; its element l is nibble `l / 16` of qs[k*16 + l % 16].
let dequantIQ4_XS: BlockDequantizer = { src, n, dst in
    for b in 0..<n {
        let p = src + b * 136, o = dst + b * 256
        let d = f16(p, 0)
        let sh = UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        for k in 0..<8 {
            let lo = (u8(p, 4 + (k >> 1)) >> UInt8(4 * (k & 1))) & 0xF
            let hi = UInt8(truncatingIfNeeded: sh >> UInt16(2 * k)) & 3
            let dl = d * Float(Int(lo | (hi << 4)) - 32)
            for l in 0..<32 {
                let q = u8(p, 8 + k * 16 + (l & 15)) >> UInt8(4 * (l >> 4))
                o[k * 32 + l] = dl * iq4Value(q)
            }
        }
    }
}
