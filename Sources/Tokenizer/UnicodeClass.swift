/// Character classes the pre-tokenizer regexes use (`\p{L}`, `\p{N}`, `\s`, `\p{P}`),
/// taken from Swift's Unicode.Scalar.Properties (general category, White_Space).
struct UnicodeClass {
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let whitespace: UInt8 = 4
    static let punctuation: UInt8 = 8

    /// Flags of every scalar below 0x10000, computed once. (65,536)
    static let bmp: [UInt8] = (0..<0x10000).map { compute(UInt32($0)) }

    /// The class bits of scalar value `c` (0 for unassigned or other categories).
    @inline(__always)
    static func flags(_ c: UInt32) -> UInt8 {
        c < 0x10000 ? bmp.withUnsafeBufferPointer { $0[Int(c)] } : compute(c)
    }

    static func compute(_ c: UInt32) -> UInt8 {
        guard let s = Unicode.Scalar(c) else { return 0 }
        var f: UInt8 = s.properties.isWhitespace ? whitespace : 0
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            f |= letter
        case .decimalNumber, .letterNumber, .otherNumber:
            f |= number
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            f |= punctuation
        default:
            break
        }
        return f
    }
}

/// Decodes UTF-8 into scalar values; `starts[i]` is the byte offset of scalar i and
/// `starts[count]` the total length. Input comes from a Swift String, so it is valid UTF-8.
struct ScalarText {
    var scalars: [UInt32] = []   // (n)
    var starts: [Int32] = []     // (n + 1) byte offsets

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        scalars.reserveCapacity(bytes.count)
        starts.reserveCapacity(bytes.count + 1)
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = UInt32(bytes[i])
            starts.append(Int32(i))
            if b0 < 0x80 { scalars.append(b0); i += 1; continue }
            if b0 < 0xE0, i + 1 < n {
                scalars.append((b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)); i += 2
            } else if b0 < 0xF0, i + 2 < n {
                scalars.append((b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6
                               | UInt32(bytes[i + 2] & 0x3F)); i += 3
            } else if i + 3 < n {
                scalars.append((b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12
                               | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F)); i += 4
            } else {
                scalars.append(0xFFFD); i = n
            }
        }
        starts.append(Int32(n))
    }
}
