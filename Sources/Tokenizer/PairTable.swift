/// Open-addressing hash map from a token pair (left, right) to (merge rank, merged id),
/// the hot lookup of the BPE merge loop. Keys are `left << 32 | right`; capacity is a
/// power of two at least twice the entry count; linear probing.
struct PairTable: Sendable {
    private var keys: [UInt64]    // (capacity) UInt64.max marks an empty slot
    private var values: [UInt64]  // (capacity) rank << 32 | merged id
    private let mask: Int

    init(capacity wanted: Int) {
        var cap = 16
        while cap < wanted * 2 { cap <<= 1 }
        keys = [UInt64](repeating: .max, count: cap)
        values = [UInt64](repeating: 0, count: cap)
        mask = cap - 1
    }

    @inline(__always) private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// Inserts unless the pair is already there (the first, lowest rank, wins).
    mutating func insert(left: Int32, right: Int32, rank: Int32, merged: Int32) {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var i = slot(key)
        while keys[i] != .max {
            if keys[i] == key { return }
            i = (i + 1) & mask
        }
        keys[i] = key
        values[i] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
    }

    /// (rank, merged id) of the pair, or nil.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> (rank: Int32, merged: Int32)? {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        return keys.withUnsafeBufferPointer { k in
            var i = slot(key)
            while true {
                let found = k[i]
                if found == key {
                    let v = values[i]
                    return (Int32(truncatingIfNeeded: v >> 32), Int32(truncatingIfNeeded: v))
                }
                if found == .max { return nil }
                i = (i + 1) & mask
            }
        }
    }
}

/// A byte string usable as a dictionary key, hashed as raw bytes (Swift's String would
/// compare canonically equivalent but different byte sequences as equal).
struct ByteKey: Hashable, Sendable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ s: String) { bytes = Array(s.utf8) }
    func hash(into h: inout Hasher) { bytes.withUnsafeBytes { h.combine(bytes: $0) } }
}
