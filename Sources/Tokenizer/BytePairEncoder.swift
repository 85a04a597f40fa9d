/// Byte-level BPE (GPT-2 style): each pre-tokenized piece starts as one symbol per byte,
/// then the adjacent pair with the lowest merge rank (leftmost on ties) is merged until no
/// pair has a rank. This is the order Hugging Face `tokenizers` and llama.cpp use.
struct BytePairEncoder: Sendable {
    /// Token id of the single-byte token for byte b, or -1. (256)
    let byteToId: [Int32]
    let pairs: PairTable
    /// Llama-3's `ignore_merges`: a piece that is itself a token is taken whole.
    let ignoreMerges: Bool
    /// Normal tokens by their raw bytes (for `ignoreMerges`).
    let wholeTokens: [ByteKey: Int32]

    /// Appends the ids of one piece. `scratch` is reused between calls.
    func encodePiece(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [Int32],
                     scratch s: inout MergeScratch) {
        if bytes.isEmpty { return }
        if ignoreMerges, bytes.count > 1, let id = wholeTokens[ByteKey(Array(bytes))] { out.append(id); return }
        // One symbol per byte; bytes without a token are dropped, as HF does when the
        // model has no unknown token (byte-level vocabularies have none).
        s.reset(bytes.count)
        var n = 0
        for b in bytes {
            let id = byteToId[Int(b)]
            if id >= 0 { s.ids[n] = id; n += 1 }
        }
        if n == 0 { return }
        if n == 1 { out.append(s.ids[0]); return }
        for i in 0..<n {
            s.prev[i] = Int32(i - 1)
            s.next[i] = i + 1 < n ? Int32(i + 1) : -1
        }
        for i in 0..<(n - 1) { pushPair(i, i + 1, &s) }
        while let top = s.popMin() {
            let pos = Int(UInt32(truncatingIfNeeded: top))
            let rank = Int32(truncatingIfNeeded: top >> 32)
            let left = s.ids[pos]
            let nxt = Int(s.next[pos])
            if left < 0 || nxt < 0 { continue }
            guard let m = pairs.lookup(left, s.ids[nxt]), m.rank == rank else { continue }
            s.ids[pos] = m.merged
            s.ids[nxt] = -2                      // dead
            let after = Int(s.next[nxt])
            s.next[pos] = Int32(after)
            if after >= 0 { s.prev[after] = Int32(pos) }
            let before = Int(s.prev[pos])
            if before >= 0 { pushPair(before, pos, &s) }
            if after >= 0 { pushPair(pos, after, &s) }
        }
        var i = 0
        while i >= 0 { out.append(s.ids[i]); i = Int(s.next[i]) }
    }

    @inline(__always) private func pushPair(_ a: Int, _ b: Int, _ s: inout MergeScratch) {
        let l = s.ids[a], r = s.ids[b]
        guard l >= 0, r >= 0, let m = pairs.lookup(l, r) else { return }
        s.push(UInt64(UInt32(bitPattern: m.rank)) << 32 | UInt64(a))
    }
}

/// Scratch arrays of one merge: a doubly linked list of symbols and a binary min-heap of
/// candidate merges keyed `rank << 32 | left position` (lowest rank, then leftmost).
struct MergeScratch {
    var ids: [Int32] = []     // (n) token id per symbol; -2 once merged away
    var prev: [Int32] = []    // (n)
    var next: [Int32] = []    // (n) -1 at the end
    var heap: [UInt64] = []

    mutating func reset(_ n: Int) {
        if ids.count < n {
            ids = [Int32](repeating: 0, count: n)
            prev = ids; next = ids
        }
        heap.removeAll(keepingCapacity: true)
    }

    mutating func push(_ v: UInt64) {
        heap.append(v)
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if heap[p] <= v { break }
            heap[i] = heap[p]; i = p
        }
        heap[i] = v
    }

    mutating func popMin() -> UInt64? {
        guard let last = heap.popLast() else { return nil }
        if heap.isEmpty { return last }
        let top = heap[0]
        let n = heap.count
        var i = 0
        while true {
            var c = 2 * i + 1
            if c >= n { break }
            if c + 1 < n, heap[c + 1] < heap[c] { c += 1 }
            if heap[c] >= last { break }
            heap[i] = heap[c]; i = c
        }
        heap[i] = last
        return top
    }
}
