/// SentencePiece BPE as llama.cpp runs it for `tokenizer.ggml.model` = `llama`: the text
/// (spaces already replaced by `▁`) starts as one symbol per UTF-8 character; the adjacent
/// pair whose concatenation is a token with the highest score (leftmost on ties) is merged
/// until none is. Symbols that are not tokens are split back along their merges, and what
/// is left falls back to the byte tokens `<0xNN>` (or the unknown token).
struct SentencePieceEncoder: Sendable {
    /// Every token by its vocabulary bytes.
    let tokenIds: [ByteKey: Int32]
    let scores: [Float]
    /// `<0xNN>` token for byte NN, or -1. (256)
    let byteTokens: [Int32]
    let unknown: Int32?

    private struct Symbol { var start: Int; var count: Int; var prev: Int; var next: Int }
    private struct Bigram: Comparable {
        var score: Float; var left: Int; var right: Int; var size: Int
        // "less" = lower priority: lower score, then larger left index.
        static func < (a: Bigram, b: Bigram) -> Bool {
            a.score < b.score || (a.score == b.score && a.left > b.left)
        }
    }

    /// Appends the ids of `text` (UTF-8 bytes, spaces already escaped to `▁`).
    func encode(_ text: [UInt8], into out: inout [Int32]) {
        if text.isEmpty { return }
        var symbols: [Symbol] = []
        var offs = 0
        while offs < text.count {
            let b = text[offs]
            let len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            let n = min(len, text.count - offs)
            symbols.append(Symbol(start: offs, count: n, prev: symbols.count - 1,
                                  next: offs + n == text.count ? -1 : symbols.count + 1))
            offs += n
        }
        var heap: [Bigram] = []        // max-heap on Bigram ordering
        var revMerge: [ByteKey: (Int, Int)] = [:]
        func tryAdd(_ l: Int, _ r: Int) {
            if l < 0 || r < 0 { return }
            let bytes = Array(text[symbols[l].start..<(symbols[l].start + symbols[l].count + symbols[r].count)])
            let key = ByteKey(bytes)
            guard let id = tokenIds[key], Int(id) < scores.count else { return }
            heapPush(&heap, Bigram(score: scores[Int(id)], left: l, right: r, size: bytes.count))
            revMerge[key] = (l, r)
        }
        for i in 1..<symbols.count { tryAdd(i - 1, i) }
        while let bg = heapPop(&heap) {
            let l = symbols[bg.left], r = symbols[bg.right]
            if l.count == 0 || r.count == 0 || l.count + r.count != bg.size { continue }
            symbols[bg.left].count += r.count
            symbols[bg.right].count = 0
            symbols[bg.left].next = r.next
            if r.next >= 0 { symbols[r.next].prev = bg.left }
            tryAdd(symbols[bg.left].prev, bg.left)
            tryAdd(bg.left, symbols[bg.left].next)
        }
        func resegment(_ s: Symbol) {
            let key = ByteKey(Array(text[s.start..<(s.start + s.count)]))
            if let id = tokenIds[key] { out.append(id); return }
            if let (l, r) = revMerge[key] {
                resegment(symbols[l]); resegment(symbols[r]); return
            }
            for j in s.start..<(s.start + s.count) {
                let t = byteTokens[Int(text[j])]
                if t >= 0 { out.append(t) } else if let unknown { out.append(unknown) }
            }
        }
        var i = 0
        while i != -1 { resegment(symbols[i]); i = symbols[i].next }
    }
}

private func heapPush<T: Comparable>(_ h: inout [T], _ v: T) {
    h.append(v)
    var i = h.count - 1
    while i > 0 {
        let p = (i - 1) / 2
        if !(h[p] < h[i]) { break }
        h.swapAt(p, i); i = p
    }
}

private func heapPop<T: Comparable>(_ h: inout [T]) -> T? {
    guard !h.isEmpty else { return nil }
    h.swapAt(0, h.count - 1)
    let top = h.removeLast()
    var i = 0
    while true {
        let l = 2 * i + 1, r = l + 1
        var m = i
        if l < h.count, h[m] < h[l] { m = l }
        if r < h.count, h[m] < h[r] { m = r }
        if m == i { break }
        h.swapAt(i, m); i = m
    }
    return top
}
