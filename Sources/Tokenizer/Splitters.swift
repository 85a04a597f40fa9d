/// Hand-written scanners equivalent to the pre-tokenizer regexes of Hugging Face
/// `tokenizers` (Oniguruma semantics, leftmost alternative wins). Each scanner reads the
/// scalars `c[lo..<hi]` and appends the end index of every piece to `ends`.
/// Invariant: appended ends are strictly increasing and the last one is `hi`.

typealias Scalars = UnsafeBufferPointer<UInt32>

private let cr: UInt32 = 0x0D, lf: UInt32 = 0x0A, space: UInt32 = 0x20, apostrophe: UInt32 = 0x27

@inline(__always) private func flagsAt(_ c: Scalars, _ i: Int, _ hi: Int) -> UInt8 {
    i < hi ? UnicodeClass.flags(c[i]) : 0
}

/// Case-folded ASCII letter for the `(?i:'s|'t|...)` contractions (ſ U+017F folds to s).
@inline(__always) private func fold(_ s: UInt32) -> UInt32 {
    if s >= 0x41 && s <= 0x5A { return s + 32 }
    if s == 0x17F { return 0x73 }
    return s
}

/// Length (2 or 3) of a contraction `'s 't 're 've 'm 'll 'd` at `pos`, else 0.
@inline(__always)
private func contraction(_ c: Scalars, _ pos: Int, _ hi: Int, caseInsensitive: Bool) -> Int {
    guard c[pos] == apostrophe, pos + 1 < hi else { return 0 }
    let a = caseInsensitive ? fold(c[pos + 1]) : c[pos + 1]
    if a == 0x73 || a == 0x74 || a == 0x6D || a == 0x64 { return 2 }   // s t m d
    guard pos + 2 < hi else { return 0 }
    let b = caseInsensitive ? fold(c[pos + 2]) : c[pos + 2]
    if (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C) { return 3 }
    return 0
}

/// Whitespace tail shared by all patterns: `\s+(?!\S)|\s+` at `pos` (c[pos] is whitespace).
@inline(__always)
private func whitespaceRun(_ c: Scalars, _ pos: Int, _ hi: Int) -> Int {
    var n = 0
    while pos + n < hi, UnicodeClass.flags(c[pos + n]) & UnicodeClass.whitespace != 0 { n += 1 }
    if n == 0 { return pos + 1 }                 // not reached for whitespace input
    return (n > 1 && pos + n < hi) ? pos + n - 1 : pos + n
}

/// Llama-3 (`llama-bpe`) and Qwen2 pattern:
/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,D}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
/// with D = `maxDigits` (3 for Llama-3, 1 for Qwen2).
func splitLlama3(_ c: Scalars, _ lo: Int, _ hi: Int, maxDigits: Int, into ends: inout [Int]) {
    let L = UnicodeClass.letter, N = UnicodeClass.number, W = UnicodeClass.whitespace
    var pos = lo
    while pos < hi {
        let cp = c[pos]
        let f = UnicodeClass.flags(cp)
        let k = contraction(c, pos, hi, caseInsensitive: true)
        if k > 0 { pos += k; ends.append(pos); continue }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if cp != cr && cp != lf && f & N == 0 && (f & L != 0 || flagsAt(c, pos + 1, hi) & L != 0) {
            pos += 1
            while pos < hi, UnicodeClass.flags(c[pos]) & L != 0 { pos += 1 }
            ends.append(pos); continue
        }
        // \p{N}{1,D}
        if f & N != 0 {
            var n = 0
            while pos < hi, n < maxDigits, UnicodeClass.flags(c[pos]) & N != 0 { pos += 1; n += 1 }
            ends.append(pos); continue
        }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        let p0 = (cp == space) ? pos + 1 : pos
        if p0 < hi, UnicodeClass.flags(c[p0]) & (W | L | N) == 0 {
            var p = p0 + 1
            while p < hi, UnicodeClass.flags(c[p]) & (W | L | N) == 0 { p += 1 }
            while p < hi, c[p] == cr || c[p] == lf { p += 1 }
            pos = p; ends.append(pos); continue
        }
        // \s*[\r\n]+ : up to the last \r or \n of the whitespace run
        var n = 0, lastNL = -1
        while pos + n < hi, UnicodeClass.flags(c[pos + n]) & W != 0 {
            if c[pos + n] == cr || c[pos + n] == lf { lastNL = pos + n + 1 }
            n += 1
        }
        if lastNL > 0 { pos = lastNL; ends.append(pos); continue }
        pos = whitespaceRun(c, pos, hi); ends.append(pos)
    }
}

/// GPT-2 byte-level pattern (also `smollm` after the digit split):
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
func splitGPT2(_ c: Scalars, _ lo: Int, _ hi: Int, into ends: inout [Int]) {
    let L = UnicodeClass.letter, N = UnicodeClass.number, W = UnicodeClass.whitespace
    var pos = lo
    while pos < hi {
        let cp = c[pos]
        let k = contraction(c, pos, hi, caseInsensitive: false)
        if k > 0 { pos += k; ends.append(pos); continue }
        let p0 = (cp == space) ? pos + 1 : pos
        let f = flagsAt(c, p0, hi)
        if p0 < hi {
            var cls: UInt8 = 0
            if f & L != 0 { cls = L } else if f & N != 0 { cls = N }
            if cls != 0 {
                var p = p0 + 1
                while p < hi, UnicodeClass.flags(c[p]) & cls != 0 { p += 1 }
                pos = p; ends.append(pos); continue
            }
            if f & (W | L | N) == 0 {
                var p = p0 + 1
                while p < hi, UnicodeClass.flags(c[p]) & (W | L | N) == 0 { p += 1 }
                pos = p; ends.append(pos); continue
            }
        }
        pos = whitespaceRun(c, pos, hi); ends.append(pos)
    }
}

/// Splits so that every scalar with `\p{N}` is a piece of its own (HF `Digits` with
/// `individual_digits`), running `rest` on the gaps between them.
func splitIsolatingDigits(_ c: Scalars, _ lo: Int, _ hi: Int, into ends: inout [Int],
                          rest: (Scalars, Int, Int, inout [Int]) -> Void) {
    var start = lo
    for i in lo..<hi where UnicodeClass.flags(c[i]) & UnicodeClass.number != 0 {
        if i > start { rest(c, start, i, &ends) }
        ends.append(i + 1)
        start = i + 1
    }
    if hi > start { rest(c, start, hi, &ends) }
}

/// Splits matches of a run pattern (maximal runs of scalars satisfying `match`, chunked
/// into pieces of at most `maxRun` scalars) from the gaps, both kept, gaps go to `rest`.
func splitRuns(_ c: Scalars, _ lo: Int, _ hi: Int, maxRun: Int = .max, minRun: Int = 1,
               into ends: inout [Int], match: (UInt32) -> Bool,
               rest: (Scalars, Int, Int, inout [Int]) -> Void) {
    var start = lo, i = lo
    while i < hi {
        guard match(c[i]) else { i += 1; continue }
        var j = i
        while j < hi, j - i < maxRun, match(c[j]) { j += 1 }
        if j - i < minRun { i = j; continue }
        if i > start { rest(c, start, i, &ends) }
        ends.append(j)
        start = j; i = j
    }
    if hi > start { rest(c, start, hi, &ends) }
}
