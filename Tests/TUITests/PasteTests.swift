import Testing
import Foundation
@testable import TUI

/// A bracketed paste through the reader, `update` and `render`: exact text, and a cost
/// that grows linearly with the paste (a quadratic step made 200 KB freeze the UI).
/// The reads come from a scripted `KeySource` (a test double for ncurses); the real
/// terminal path is `JobControlTests.aMegabytePasteIsTakenAtOnce`.
@Suite(.serialized) struct PasteTests {
    /// Hands out a fixed array of reads by index (removeFirst would make the double
    /// itself quadratic), and counts them.
    struct Reads: KeySource {
        let reads: [RawInput]
        var next = 0
        mutating func read(timeoutMs: Int32) -> RawInput? {
            guard next < reads.count else { return nil }
            defer { next += 1 }
            return reads[next]
        }
        mutating func mouseWheel() -> Int { 0 }
    }

    /// Hands the paste's body out as raw bytes in chunks of `chunk`, as the terminal
    /// source does (the body starts right after the start code).
    struct Bulk: KeySource {
        var reads: Reads
        let body: [UInt8]
        let chunk: Int
        var at = 0
        mutating func read(timeoutMs: Int32) -> RawInput? { reads.read(timeoutMs: timeoutMs) }
        mutating func mouseWheel() -> Int { 0 }
        mutating func pasteBytes(limit: Int) -> [UInt8]? {
            let c = PasteCollector.collect(limit: limit) { buf in
                let n = min(chunk, buf.count, body.count - at)
                buf.replaceSubrange(0..<n, with: body[at..<(at + n)])
                at += n
                return n
            }
            return c.bytes
        }
    }

    /// `n` scalars of mixed text: ASCII, two- and three-byte letters, a wide one, CR LF
    /// line ends, and a lone CR at the end (as a terminal sends a newline).
    static func pasted(scalars n: Int) -> [UInt32] {
        let unit = Array("paste déjà vu 日本 text\r".unicodeScalars.map(\.value)) + [0x0A]
        return (0..<n).map { unit[$0 % unit.count] }
    }

    /// CPU seconds of the calling thread: the paste runs on it alone, and time other
    /// processes take from the core (the rest of the suite, in parallel) does not count.
    static func threadSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Runs one paste of `scalars` through reader, update and one render (read per
    /// scalar, or in `chunk`-byte bulk reads); returns the thread's CPU seconds it took
    /// and the input line's text.
    static func run(scalars: Int, chunk: Int? = nil) -> (seconds: Double, text: String) {
        let body = pasted(scalars: scalars)
        var s = Script(width: 100, height: 30)
        let t0 = threadSeconds()
        func drain<S: KeySource>(_ source: S) {
            var reader = KeyReader(source: source)
            while let input = reader.next(timeoutMs: 0) {
                if case .key(let k) = input { s.key(k) }
            }
        }
        if let chunk {
            let bytes = Array(String(String.UnicodeScalarView(body.map { Unicode.Scalar($0)! })).utf8)
            drain(Bulk(reads: Reads(reads: [.code(KeyCode.pasteStart)]),
                       body: bytes + PasteCollector.endMarker, chunk: chunk))
        } else {
            drain(Reads(reads: [.code(KeyCode.pasteStart)] + body.map { .char($0) } + [.code(KeyCode.pasteEnd)]))
        }
        _ = s.screen
        return (threadSeconds() - t0, s.state.input.text)
    }

    /// CR LF and the terminal's lone CR become one newline; everything else is kept.
    static func expected(scalars n: Int) -> String {
        let s = String(String.UnicodeScalarView(pasted(scalars: n).map { Unicode.Scalar($0)! }))
        return s.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    @Test func aMegabytePasteArrivesExact() {
        let n = 1 << 20
        for chunk in [nil, 65536, 4093] as [Int?] {
            let (_, text) = Self.run(scalars: n, chunk: chunk)
            #expect(text == Self.expected(scalars: n), "chunk \(String(describing: chunk))")
        }
    }

    /// Four times the text costs about four times the time; a quadratic step would cost
    /// sixteen. CPU time, the best of three runs each, small and large alternating:
    /// against the noise of a shared machine and of the suite's other tests.
    @Test(arguments: [nil, 65536] as [Int?])
    func costGrowsLinearly(chunk: Int?) {
        var small = Double.infinity, large = Double.infinity
        for _ in 0..<3 {
            small = min(small, Self.run(scalars: 1 << 18, chunk: chunk).seconds)
            large = min(large, Self.run(scalars: 1 << 20, chunk: chunk).seconds)
        }
        #expect(large / small < 8, "256 Ki scalars: \(small) s, 1 Mi: \(large) s (CPU)")
    }

    /// The end marker split at every place between two chunks; what follows it is kept
    /// apart (typed after the paste); ESC inside the paste that is not the marker stays.
    @Test func endMarkerSplitAcrossChunks() {
        let body = Array("a\u{1B}[20x é".utf8)
        let stream = body + PasteCollector.endMarker + Array("ok".utf8)
        for cut in 1..<stream.count {
            var c = PasteCollector(limit: 1 << 20)
            _ = c.take(stream[0..<cut])
            let done = c.take(stream[cut...])
            #expect(done && c.bytes == body && c.after == Array("ok".utf8), "cut at \(cut)")
        }
        var c = PasteCollector(limit: 4)
        #expect(c.take(Array("abcdef".utf8)) && c.bytes == Array("abcd".utf8) && c.after == Array("ef".utf8))
    }
}
