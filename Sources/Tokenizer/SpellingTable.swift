/// Token ids by exact spelling bytes, looked up straight from a byte range (no
/// allocation): open addressing over FNV-1a hashes, spellings stored flat.
/// The first id of a duplicated spelling wins.
struct SpellingTable: Sendable {
    private let bytes: [UInt8]        // all spellings, concatenated
    private let starts: [Int32]       // (n + 1) spelling i is bytes[starts[i]..<starts[i+1]]
    private let slots: [Int32]        // (capacity) token id or -1
    private let hashes: [UInt64]      // (capacity) hash of the slot's spelling
    private let mask: Int

    /// Spellings for which `include(i)` is false are left out (their ids are never found).
    init(_ spellings: [[UInt8]], include: (Int) -> Bool = { _ in true }) {
        var flat: [UInt8] = [], st: [Int32] = [0]
        for s in spellings { flat.append(contentsOf: s); st.append(Int32(flat.count)) }
        var cap = 16
        while cap < spellings.count * 2 { cap <<= 1 }
        var sl = [Int32](repeating: -1, count: cap), hs = [UInt64](repeating: 0, count: cap)
        let m = cap - 1
        flat.withUnsafeBufferPointer { fb in
            for (i, s) in spellings.enumerated() where include(i) {
                let h = s.withUnsafeBufferPointer { Self.hash($0) }
                var j = Int(truncatingIfNeeded: h) & m
                var duplicate = false
                while sl[j] >= 0 {
                    let o = Int(sl[j])
                    if hs[j] == h, Int(st[o + 1] - st[o]) == s.count,
                       s.withUnsafeBufferPointer({ Self.equal(fb, Int(st[o]), $0) }) { duplicate = true; break }
                    j = (j + 1) & m
                }
                if !duplicate { sl[j] = Int32(i); hs[j] = h }
            }
        }
        bytes = flat; starts = st; slots = sl; hashes = hs; mask = m
    }

    @inline(__always) static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in p { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        h ^= h >> 33; h &*= 0xFF51_AFD7_ED55_8CCD; h ^= h >> 33   // spread into the low bits
        return h
    }

    @inline(__always) private static func equal(_ flat: UnsafeBufferPointer<UInt8>, _ at: Int,
                                                _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        for k in 0..<p.count where flat[at + k] != p[k] { return false }
        return true
    }

    /// The id spelled exactly `bytes`, or nil.
    func lookup<C: Collection<UInt8>>(_ bytes: C) -> Int32? {
        if let r = bytes.withContiguousStorageIfAvailable({ lookup($0) }) { return r }
        return Array(bytes).withUnsafeBufferPointer { lookup($0) }
    }

    /// The id spelled exactly `p`, or nil.
    func lookup(_ p: UnsafeBufferPointer<UInt8>) -> Int32? {
        let h = Self.hash(p)
        var j = Int(truncatingIfNeeded: h) & mask
        return bytes.withUnsafeBufferPointer { fb in
            while true {
                let id = slots[j]
                if id < 0 { return nil }
                let o = Int(id)
                if hashes[j] == h, Int(starts[o + 1] - starts[o]) == p.count, Self.equal(fb, Int(starts[o]), p) {
                    return id
                }
                j = (j + 1) & mask
            }
        }
    }
}
