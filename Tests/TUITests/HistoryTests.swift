import Testing
import Foundation
@testable import TUI

/// The persisted input history file and the OSC 52 clipboard sequence.
@Suite struct HistoryTests {
    func tempFile() -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("ponder-history-\(getpid())-\(UInt32.random(in: 0...UInt32.max))/history")
    }

    @Test func entriesWithNewlinesAndBackslashesRoundTrip() throws {
        let url = tempFile()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        InputHistory.append("one", to: url)
        InputHistory.append("two\nlines \\n not a newline", to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text == "# ponder history v1\none\ntwo\\nlines \\\\n not a newline\n")
        #expect(InputHistory.load(url) == ["one", "two\nlines \\n not a newline"])
    }

    @Test func aFileWithoutTheHeaderIsIgnored() throws {
        let url = tempFile()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data([0xFF, 0xFE, 0x00, 0x41, 0x0A]).write(to: url)
        #expect(InputHistory.load(url) == [])
        #expect(InputHistory.load(URL(fileURLWithPath: "/nonexistent/history")) == [])
        #expect(InputHistory.load(URL(fileURLWithPath: "/dev/zero")) == [])    // not a regular file
    }

    @Test func onlyTheLastThousandEntriesAreKept() throws {
        let url = tempFile()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let body = (0..<1500).map { "e\($0)" }.joined(separator: "\n")
        try ("# ponder history v1\n" + body + "\n").write(to: url, atomically: true, encoding: .utf8)
        let h = InputHistory.load(url)
        #expect(h.count == 1000 && h.first == "e500" && h.last == "e1499")
        // The file itself now holds just those.
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1001 && lines[1] == "e500")
    }

    /// A file past 1 MiB is not ignored: its newest entries come back, and the file is
    /// trimmed to them (and stays readable).
    @Test func aLargeFileIsTrimmedToItsNewestEntries() throws {
        let url = tempFile()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let filler = String(repeating: "x", count: 2000)
        let body = (0..<900).map { "old \($0) \(filler)" } + (0..<5).map { "new \($0)" }
        try ("# ponder history v1\n" + body.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
        #expect(size > 1 << 20)

        let h = InputHistory.load(url)
        #expect(h.suffix(5) == ["new 0", "new 1", "new 2", "new 3", "new 4"])
        #expect(h.count < 905 && h.dropLast(5).allSatisfy { $0.hasPrefix("old ") })
        let trimmed = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
        #expect(trimmed <= 1 << 20 + "# ponder history v1\n".utf8.count)
        #expect(InputHistory.load(url) == h)   // the trimmed file holds exactly them
        InputHistory.append("after", to: url)
        #expect(InputHistory.load(url).last == "after")
    }

    @Test func aSingleHugeEntryIsKept() throws {
        let url = tempFile()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        InputHistory.append("small", to: url)
        let huge = String(repeating: "p", count: 2 << 20)
        InputHistory.append(huge, to: url)
        #expect(InputHistory.load(url) == [huge])
    }

    @Test func defaultLocationFollowsXDG() {
        #expect(InputHistory.defaultURL(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]).path == "/s/ponder/history")
        #expect(InputHistory.defaultURL(environment: ["HOME": "/h"]).path == "/h/.local/state/ponder/history")
    }

    @Test func osc52Sequence() {
        // base64("hi") = "aGk=" (RFC 4648); OSC 52 = ESC ] 52 ; c ; DATA BEL.
        #expect(osc52("hi") == "\u{1B}]52;c;aGk=\u{07}")
    }
}
