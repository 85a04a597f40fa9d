/// Per-call memo of piece bytes -> token ids, so repeated words are merged once.
/// Bounded: cleared when it holds `limit` entries.
struct WordCache {
    private var map: [ByteKey: Range<Int>] = [:]
    private var store: [TokenID] = []
    private let limit = 1 << 16

    mutating func lookup(_ piece: UnsafeBufferPointer<UInt8>, into out: inout [TokenID]) -> Bool {
        guard let r = map[ByteKey(Array(piece))] else { return false }
        out.append(contentsOf: store[r])
        return true
    }

    mutating func insert(_ piece: UnsafeBufferPointer<UInt8>, _ ids: ArraySlice<TokenID>) {
        if map.count >= limit { map.removeAll(keepingCapacity: true); store.removeAll(keepingCapacity: true) }
        let start = store.count
        store.append(contentsOf: ids)
        map[ByteKey(Array(piece))] = start..<store.count
    }
}
