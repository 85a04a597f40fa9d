import Testing
@testable import TUI

/// `KeyReader`'s decoding over a scripted `KeySource` — a test double for ncurses that
/// hands out a fixed list of raw reads (nil once empty, as a timed-out read). The real
/// reads are covered end to end by the tmux tests (TerminalTests, RealModelChatTests).
@Suite struct KeyReaderTests {
    struct Scripted: KeySource {
        var reads: [RawInput]
        var wheel = 0
        mutating func read(timeoutMs: Int32) -> RawInput? { reads.isEmpty ? nil : reads.removeFirst() }
        mutating func mouseWheel() -> Int { wheel }
    }

    /// Every input the reader produces from `reads`, until the source runs dry.
    func decode(_ reads: [RawInput], wheel: Int = 0) -> [TerminalInput] {
        var r = KeyReader(source: Scripted(reads: reads, wheel: wheel))
        var out: [TerminalInput] = []
        for _ in 0..<(reads.count + 2) {
            guard let i = r.next(timeoutMs: 0) else {
                // A read that decodes to nothing (an unknown code) must not stop the
                // others: try again while the source still has reads.
                if r.source.reads.isEmpty { break } else { continue }
            }
            out.append(i)
        }
        return out
    }

    @Test func escapeFollowedByAResizeKeepsBoth() {
        #expect(decode([.char(27), .code(KeyCode.resize)]) == [.key(.escape), .resize])
    }

    @Test func escapeFollowedByOtherEventsKeepsBoth() {
        #expect(decode([.char(27), .code(KeyCode.f(1))]) == [.key(.escape), .key(.function(1))])
        #expect(decode([.char(27), .code(KeyCode.mouse)], wheel: 1) == [.key(.escape), .key(.wheelUp)])
        #expect(decode([.char(27), .char(27)]) == [.key(.escape), .key(.escape)])
        #expect(decode([.char(27), .char(3)]) == [.key(.escape), .key(.ctrl("c"))])
        #expect(decode([.char(27), .code(KeyCode.pasteStart), .char(0x61), .code(KeyCode.pasteEnd)])
                == [.key(.escape), .key(.paste("a"))])
    }

    @Test func altCombinations() {
        #expect(decode([.char(27), .char(0x62)]) == [.key(.alt("b"))])
        #expect(decode([.char(27), .char(13)]) == [.key(.altEnter)])
        // Esc + a cursor key is Alt-arrow on some terminals: one key, the arrow.
        #expect(decode([.char(27), .code(KeyCode.up)]) == [.key(.up)])
        #expect(decode([.char(27)]) == [.key(.escape)])
    }

    @Test func aResizeDuringAPasteComesAfterIt() {
        #expect(decode([.code(KeyCode.pasteStart), .char(0x78), .code(KeyCode.resize), .char(13), .char(0x79),
                        .code(KeyCode.pasteEnd)])
                == [.key(.paste("x\ry")), .resize])   // the input line makes CR a newline
    }

    @Test func controlKeysAndText() {
        #expect(decode([.char(0x14), .char(0x65E5), .char(127), .char(9)])
                == [.key(.ctrl("t")), .key(.char("日")), .key(.backspace), .key(.tab)])
    }
}
