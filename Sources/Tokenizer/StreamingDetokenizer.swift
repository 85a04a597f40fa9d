/// Turns generated tokens into text one token at a time. Bytes of a character split
/// across tokens are held back until the character is complete, so every returned chunk
/// is valid UTF-8, and the concatenation of all chunks plus `finish()` equals
/// `tokenizer.decode(allTokens)` exactly (invalid bytes become U+FFFD in both).
public struct StreamingDetokenizer: Sendable {
    public let tokenizer: Tokenizer
    /// Show control tokens (`<|eot_id|>`…) as their spelling instead of nothing.
    public var includeSpecial: Bool
    private var pending: [UInt8] = []   // bytes not yet returned (≤ 3 held back after push)
    private var atStart = true

    public init(tokenizer: Tokenizer, includeSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.includeSpecial = includeSpecial
    }

    /// The text that token `id` completes (possibly empty).
    public mutating func push(_ id: TokenID) -> String {
        let b = tokenizer.bytes(of: id, includeSpecial: includeSpecial)
        if b.isEmpty { return "" }
        pending.append(contentsOf: b)
        if atStart {
            atStart = false
            if tokenizer.stripsLeadingSpace, pending.first == 0x20 { pending.removeFirst() }
        }
        let cut = Self.completePrefixLength(pending)
        if cut == 0 { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Whatever is still held back (an unfinished character becomes U+FFFD); resets.
    public mutating func finish() -> String {
        let text = String(decoding: pending, as: UTF8.self)
        pending.removeAll()
        atStart = true
        return text
    }

    /// Length of `b` without a trailing sequence that is a valid but unfinished UTF-8
    /// character (which the next token may complete).
    static func completePrefixLength(_ b: [UInt8]) -> Int {
        let n = b.count
        var i = n - 1
        // Find the last non-continuation byte among the final 4.
        while i >= 0, i >= n - 4, b[i] & 0xC0 == 0x80 { i -= 1 }
        guard i >= 0, i >= n - 4 else { return n }
        let lead = b[i]
        let need: Int
        switch lead {
        case 0xC2...0xDF: need = 2
        case 0xE0...0xEF: need = 3
        case 0xF0...0xF4: need = 4
        default: return n               // ASCII or a byte that can never start a character
        }
        let have = n - i
        if have >= need { return n }
        if have >= 2 {                  // the second byte's range depends on the lead
            let s = b[i + 1]
            let ok: Bool
            switch lead {
            case 0xE0: ok = s >= 0xA0
            case 0xED: ok = s <= 0x9F
            case 0xF0: ok = s >= 0x90
            case 0xF4: ok = s <= 0x8F
            default: ok = true
            }
            if !ok { return n }
        }
        return i
    }
}
