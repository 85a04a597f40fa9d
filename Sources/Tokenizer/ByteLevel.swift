/// GPT-2's reversible byte <-> Unicode mapping used by byte-level BPE vocabularies.
///
/// Every byte 0...255 maps to one printable Unicode scalar: the printable Latin-1 bytes
/// (`!`...`~`, `¡`...`¬`, `®`...`ÿ`) map to themselves, the other 68 bytes map in order to
/// U+0100 onwards (so the space 0x20 becomes `Ġ` U+0120 and `\n` becomes `Ċ` U+010A).
/// Vocabulary strings of `gpt2`-model GGUF files are written in this alphabet.
public enum ByteLevel {
    /// `byteToScalar[b]`: the scalar value standing for byte `b`. (256)
    public static let byteToScalar: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var isDirect = [Bool](repeating: false, count: 256)
        for b in 0x21...0x7E { isDirect[b] = true }
        for b in 0xA1...0xAC { isDirect[b] = true }
        for b in 0xAE...0xFF { isDirect[b] = true }
        var n: UInt32 = 0
        for b in 0..<256 {
            if isDirect[b] { table[b] = UInt32(b) } else { table[b] = 256 + n; n += 1 }
        }
        return table
    }()

    /// `scalarToByte[s]` for s < 0x200: the byte that scalar `s` stands for, or -1.
    public static let scalarToByte: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x200)
        for (b, s) in byteToScalar.enumerated() { table[Int(s)] = Int16(b) }
        return table
    }()

    /// The vocabulary spelling of raw bytes (each byte becomes one scalar), as UTF-8.
    public static func encode<S: Sequence>(_ bytes: S) -> [UInt8] where S.Element == UInt8 {
        var out: [UInt8] = []
        for b in bytes { appendUTF8(byteToScalar[Int(b)], to: &out) }
        return out
    }

    /// Raw bytes of a vocabulary string; nil when a scalar is outside the byte alphabet
    /// (e.g. a special token written in plain text).
    public static func decode(_ token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.utf8.count)
        for s in token.unicodeScalars {
            guard s.value < 0x200, scalarToByte[Int(s.value)] >= 0 else { return nil }
            out.append(UInt8(scalarToByte[Int(s.value)]))
        }
        return out
    }
}

/// Appends the UTF-8 encoding of scalar value `s` to `out`.
@inline(__always)
func appendUTF8(_ s: UInt32, to out: inout [UInt8]) {
    switch s {
    case 0..<0x80:
        out.append(UInt8(s))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | (s >> 6))); out.append(UInt8(0x80 | (s & 0x3F)))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | (s >> 12))); out.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (s & 0x3F)))
    default:
        out.append(UInt8(0xF0 | (s >> 18))); out.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((s >> 6) & 0x3F))); out.append(UInt8(0x80 | (s & 0x3F)))
    }
}
