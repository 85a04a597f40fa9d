import Foundation

/// Memo of laid-out turn parts and turn heights. It changes only how fast `render` is,
/// never what it returns: an entry is used only when its turn, part, width and content
/// version all match the request.
///
/// Bounded, so the UI's memory follows the text shown:
/// - one entry per (turn, part, width): storing a newer version of a turn part replaces
///   the older one (a streaming turn bumps its version on every token; keeping each
///   version made memory quadratic in the reply's length);
/// - at most `maxWidths` widths at once (the conversation and the side pane need two; a
///   resize drags through many): entries of the least recently seen width go first;
/// - at most `maxEntries` entries and about `maxBytes` of lines, else it starts over.
///
/// A reference type shared by copies of `UIState`; the lock makes that safe.
final class LayoutCache: @unchecked Sendable {
    /// What one layout entry is for; `version` is checked, not part of the key.
    struct Key: Hashable { var turn: Int; var part: Int; var width: Int }
    struct HeightKey: Hashable { var turn: Int; var width: Int; var collapsed: Bool; var inline: Bool }

    /// What the cache holds now (for /stats).
    struct Usage: Equatable {
        var entries = 0
        var lines = 0
        /// Estimated heap bytes of the cached lines (array headers and characters).
        var bytes = 0
    }

    private struct Entry { var version: Int; var lines: [StyledLine]; var bytes: Int }

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private var heights: [HeightKey: (version: Int, height: Int)] = [:]
    /// Widths with entries, least recently seen first.
    private var widths: [Int] = []
    private var usage = Usage()

    let maxWidths = 3
    let maxEntries = 8192
    let maxBytes = 64 << 20

    func lines(_ k: Key, version: Int) -> [StyledLine]? {
        lock.withLock {
            guard let e = entries[k], e.version == version else { return nil }
            return e.lines
        }
    }

    func store(_ k: Key, version: Int, _ v: [StyledLine]) {
        let bytes = Self.bytes(of: v)
        lock.withLock {
            seeWidth(k.width)
            if let old = entries.removeValue(forKey: k) { forget(old) }
            if usage.entries >= maxEntries || usage.bytes + bytes > maxBytes { removeLinesLocked() }
            entries[k] = Entry(version: version, lines: v, bytes: bytes)
            usage.entries += 1; usage.lines += v.count; usage.bytes += bytes
        }
    }

    func height(_ k: HeightKey, version: Int) -> Int? {
        lock.withLock {
            guard let h = heights[k], h.version == version else { return nil }
            return h.height
        }
    }

    func storeHeight(_ k: HeightKey, version: Int, _ h: Int) {
        lock.withLock {
            seeWidth(k.width)
            if heights.count >= maxEntries * 4 && heights[k] == nil { heights.removeAll() }
            heights[k] = (version, h)
        }
    }

    /// Drops everything (/new, /load: the turns shown so far are gone).
    func removeAll() {
        lock.withLock {
            removeLinesLocked()
            heights = [:]
            widths = []
        }
    }

    /// Entries, lines and estimated bytes held now.
    var current: Usage { lock.withLock { usage } }
    /// Number of heights held now.
    var heightCount: Int { lock.withLock { heights.count } }

    /// Estimated heap bytes of `lines`: each array's header and capacity.
    static func bytes(of lines: [StyledLine]) -> Int {
        let header = 32
        var n = header + lines.capacity * MemoryLayout<StyledLine>.stride
        for l in lines { n += header + l.capacity * MemoryLayout<StyledChar>.stride }
        return n
    }

    // MARK: - Under the lock

    private func forget(_ e: Entry) {
        usage.entries -= 1; usage.lines -= e.lines.count; usage.bytes -= e.bytes
    }

    private func removeLinesLocked() {
        entries = [:]
        usage = Usage()
    }

    /// Marks `w` most recently seen; past `maxWidths`, the oldest width's entries go.
    private func seeWidth(_ w: Int) {
        if widths.last == w { return }
        if let i = widths.firstIndex(of: w) { widths.remove(at: i) }
        widths.append(w)
        guard widths.count > maxWidths else { return }
        let gone = widths.removeFirst()
        let (drop, keep) = (entries.filter { $0.key.width == gone }, entries.filter { $0.key.width != gone })
        for e in drop.values { forget(e) }
        entries = keep
        heights = heights.filter { $0.key.width != gone }
    }
}
