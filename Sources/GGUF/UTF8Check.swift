/// Whether `bytes` are well-formed UTF-8 (Unicode 3.9, table 3-7: no overlong forms, no
/// surrogates, nothing above U+10FFFF), without allocating: the reader checks every
/// string of a metadata array at parse time and only decodes it when asked. Accepts
/// exactly what `String(validating:as: UTF8.self)` accepts (a test compares them).
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = bytes.count
    var i = 0
    while i < n {
        // ASCII fast path: 8 bytes at a time.
        if i + 8 <= n,
           UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            i += 8
            continue
        }
        let b0 = bytes[i]
        if b0 < 0x80 { i += 1; continue }
        // Lead byte: sequence length and the allowed range of the second byte.
        let len: Int, lo: UInt8, hi: UInt8
        switch b0 {
        case 0xC2...0xDF: (len, lo, hi) = (2, 0x80, 0xBF)
        case 0xE0: (len, lo, hi) = (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (len, lo, hi) = (3, 0x80, 0xBF)
        case 0xED: (len, lo, hi) = (3, 0x80, 0x9F)
        case 0xF0: (len, lo, hi) = (4, 0x90, 0xBF)
        case 0xF1...0xF3: (len, lo, hi) = (4, 0x80, 0xBF)
        case 0xF4: (len, lo, hi) = (4, 0x80, 0x8F)
        default: return false
        }
        guard i + len <= n, (lo...hi).contains(bytes[i + 1]) else { return false }
        for k in 2..<max(len, 2) where bytes[i + k] & 0xC0 != 0x80 { return false }
        i += len
    }
    return true
}
