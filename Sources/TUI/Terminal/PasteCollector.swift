/// Gathers a bracketed paste's bytes, as read in chunks of any size straight from the
/// terminal, up to the end marker ESC [ 2 0 1 ~ (which may be split across chunks).
/// Linear in the paste: each byte is looked at once, plus at most five again when a
/// marker's start ends a chunk.
struct PasteCollector {
    static let endMarker: [UInt8] = [0x1B, 0x5B, 0x32, 0x30, 0x31, 0x7E]
    /// The paste's bytes so far (without the marker).
    private(set) var bytes: [UInt8] = []
    /// Bytes after the end marker in the chunk that held it: input typed after the paste.
    private(set) var after: [UInt8] = []
    private(set) var finished = false
    let limit: Int

    /// `limit`: the most bytes kept; a longer paste is finished there (the rest of it
    /// arrives as ordinary keys).
    init(limit: Int) { self.limit = limit }

    /// Takes one chunk; returns true once the paste is complete.
    mutating func take<C: Collection>(_ chunk: C) -> Bool where C.Element == UInt8 {
        guard !finished else { after += chunk; return true }
        // A marker split across chunks: its first bytes are at the end of `bytes`.
        let carried = min(bytes.count, Self.endMarker.count - 1)
        let start = bytes.count - carried
        bytes += chunk
        var i = start
        while i + Self.endMarker.count <= bytes.count {
            if bytes[i] == 0x1B && bytes[i..<(i + Self.endMarker.count)].elementsEqual(Self.endMarker) {
                after = Array(bytes[(i + Self.endMarker.count)...])
                bytes.removeSubrange(i...)
                finished = true
                break
            }
            i += 1
        }
        if !finished && bytes.count >= limit {
            after = Array(bytes[limit...])
            bytes.removeSubrange(limit...)
            finished = true
        }
        return finished
    }

    /// Reads chunks with `read` (it fills the buffer's front and returns the count; 0 or
    /// less = nothing more came) until the paste is complete.
    static func collect(limit: Int, read: (inout [UInt8]) -> Int) -> PasteCollector {
        var c = PasteCollector(limit: limit)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(&chunk)
            if n <= 0 || c.take(chunk[0..<n]) { break }
        }
        return c
    }
}
