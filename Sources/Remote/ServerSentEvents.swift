/// One event of a `text/event-stream` (the HTML living standard's server-sent events).
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field; "message" when the server gave none.
    public var type: String
    /// The `data:` lines joined with "\n".
    public var data: String
}

/// An incremental parser for server-sent events: bytes in as they arrive, in chunks cut
/// anywhere (inside a line, inside a UTF-8 sequence, between CR and LF), events out.
///
/// Lines end with CRLF, LF or CR; a line starting with ":" is a comment; `field: value`
/// loses one space after the colon; an empty line dispatches the event gathered so far
/// (none when it has no data). `id` and `retry` are ignored: a chat stream is not resumed.
///
/// The server is untrusted: a line or an event longer than `maxLineBytes` is an error,
/// never an unbounded buffer.
public struct ServerSentEventParser: Sendable {
    public struct LineTooLong: Error, CustomStringConvertible {
        public let limit: Int
        public var description: String { "the server sent a line longer than \(limit) bytes" }
    }

    public let maxLineBytes: Int
    private var line: [UInt8] = []
    private var afterCR = false
    private var type = ""
    private var data: [UInt8] = []
    private var hasData = false

    public init(maxLineBytes: Int = 8 << 20) { self.maxLineBytes = maxLineBytes }

    /// Feeds bytes; returns the events they complete, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [ServerSentEvent] {
        var out: [ServerSentEvent] = []
        for b in bytes {
            if afterCR {
                afterCR = false
                if b == 0x0A { continue }            // the LF of a CRLF
            }
            if b == 0x0A || b == 0x0D {
                afterCR = b == 0x0D
                if let e = try endLine() { out.append(e) }
                continue
            }
            guard line.count < maxLineBytes else { throw LineTooLong(limit: maxLineBytes) }
            line.append(b)
        }
        return out
    }

    /// The end of the stream: a last event without its blank line is dropped, as the
    /// standard says (a cut connection must not look like a finished event).
    public mutating func finish() {
        line = []; data = []; type = ""; hasData = false; afterCR = false
    }

    private mutating func endLine() throws -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer { type = ""; data = []; hasData = false }
            guard hasData else { return nil }
            return ServerSentEvent(type: type.isEmpty ? "message" : type, data: String(decoding: data, as: UTF8.self))
        }
        if line[0] == 0x3A { return nil }            // ":" comment
        let colon = line.firstIndex(of: 0x3A) ?? line.endIndex
        let field = line[..<colon]
        var value = colon < line.endIndex ? line[(colon + 1)...] : []
        if value.first == 0x20 { value = value.dropFirst() }
        switch String(decoding: field, as: UTF8.self) {
        case "data":
            guard data.count + value.count < maxLineBytes else { throw LineTooLong(limit: maxLineBytes) }
            if hasData { data.append(0x0A) }
            data += value; hasData = true
        case "event":
            type = String(decoding: value, as: UTF8.self)
        default: break
        }
        return nil
    }
}
