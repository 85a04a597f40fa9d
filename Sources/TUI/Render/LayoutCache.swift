import Foundation

/// Memo of laid-out turn parts, keyed by turn identity, content version, part and width.
/// It changes only how fast `render` is, never what it returns: a key names exactly the
/// inputs of the layout it holds. Bounded: cleared when it grows past `limit` entries.
/// A reference type shared by copies of `UIState`; the lock makes that safe.
final class LayoutCache: @unchecked Sendable {
    struct Key: Hashable { var turn: Int; var version: Int; var part: Int; var width: Int }

    private let lock = NSLock()
    private var entries: [Key: [StyledLine]] = [:]
    private var heights: [HeightKey: Int] = [:]
    private let limit = 4096

    struct HeightKey: Hashable { var turn: Int; var version: Int; var width: Int; var collapsed: Bool }

    func lines(_ k: Key) -> [StyledLine]? { lock.withLock { entries[k] } }
    func store(_ k: Key, _ v: [StyledLine]) {
        lock.withLock {
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[k] = v
        }
    }
    func height(_ k: HeightKey) -> Int? { lock.withLock { heights[k] } }
    func storeHeight(_ k: HeightKey, _ h: Int) {
        lock.withLock {
            if heights.count >= 200_000 { heights.removeAll(keepingCapacity: true) }
            heights[k] = h
        }
    }
}
