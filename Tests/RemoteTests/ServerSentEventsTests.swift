import Testing
@testable import Remote

/// The event-stream parser against the examples and rules of the HTML standard's
/// "server-sent events" section (the oracle), fed whole and cut at every byte.
struct ServerSentEventsTests {
    /// Parses `text` fed in pieces of `piece` bytes.
    static func parse(_ text: String, piece: Int = .max) throws -> [ServerSentEvent] {
        var p = ServerSentEventParser()
        let bytes = Array(text.utf8)
        var out: [ServerSentEvent] = []
        var i = 0
        while i < bytes.count {
            let j = min(bytes.count, i + max(1, min(piece, bytes.count)))
            out += try p.feed(bytes[i..<j])
            i = j
        }
        return out
    }

    @Test func theStandardsExamples() throws {
        // "data: YHOO\ndata: +2\ndata: 10\n\n" is one message "YHOO\n+2\n10".
        #expect(try Self.parse("data: YHOO\ndata: +2\ndata: 10\n\n") == [ServerSentEvent(type: "message", data: "YHOO\n+2\n10")])
        // Comments, a field with no colon, and "data:test" without the space.
        let s = ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"
        #expect(try Self.parse(s).map(\.data) == ["first event", "second event", " third event"])
        // An empty data field dispatches an empty event; a last event without its blank line does not.
        #expect(try Self.parse("data\n\ndata\ndata\n\ndata:").map(\.data) == ["", "\n"])
        // Event types.
        #expect(try Self.parse("event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\n").map(\.type) == ["add", "remove"])
    }

    @Test func lineEndingsAndCutsAnywhere() throws {
        let text = "data: {\"a\":\"é 日本\"}\r\n\r\ndata: two\r\rdata: three\n\n: ping\n\n"
        let whole = try Self.parse(text)
        #expect(whole.map(\.data) == ["{\"a\":\"é 日本\"}", "two", "three"])
        for piece in 1...8 { #expect(try Self.parse(text, piece: piece) == whole, "pieces of \(piece)") }
    }

    @Test func aHostileServerCannotGrowTheBuffer() throws {
        var p = ServerSentEventParser(maxLineBytes: 1000)
        #expect(throws: ServerSentEventParser.LineTooLong.self) { _ = try p.feed([UInt8](repeating: 0x61, count: 5000)) }
        var q = ServerSentEventParser(maxLineBytes: 1000)
        let many = String(repeating: "data: " + String(repeating: "x", count: 100) + "\n", count: 20)
        #expect(throws: ServerSentEventParser.LineTooLong.self) { _ = try q.feed(Array(many.utf8)) }
    }
}
