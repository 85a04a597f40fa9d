import Foundation
import Testing
import Session

/// `TerminalText`: each class of control and escape sequence is removed (whole), bidi
/// controls are shown, ordinary text passes unchanged, a stream split anywhere gives the
/// same text as the whole, and a 1 MB input is handled (linear: a quadratic filter would
/// not finish within the time limit).
@Suite struct TerminalTextTests {
    static let esc = "\u{1B}"

    /// Nothing a terminal acts on is left: no C0 but newline and tab, no DEL, no C1, no
    /// raw bidi control (checked on the scalars, independently of the state machine).
    static func isInert(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { u in
            let v = u.value
            if v == 0x0A || v == 0x09 { return true }
            if v < 0x20 || (0x7F...0x9F).contains(v) { return false }
            return !(0x202A...0x202E).contains(v) && !(0x2066...0x2069).contains(v)
        }
    }

    @Test(arguments: [
        // CSI, 7-bit and C1 forms, with parameters and intermediates.
        ("a\u{1B}[31mred\u{1B}[0m", "ared"),
        ("\u{1B}[?1049h\u{1B}[2J\u{1B}[H", ""),
        ("x\u{9B}2Jy", "xy"),
        ("\u{1B}[1;31;4m\u{1B}[ q.", "."),
        // OSC ended by BEL, by ST (ESC \), by C1 ST; OSC 0 (title) and OSC 52 (clipboard).
        ("t\u{1B}]0;pwned title\u{07}ok", "tok"),
        ("\u{1B}]52;c;ZWNobyBwd25lZA==\u{1B}\\after", "after"),
        ("\u{9D}0;title\u{9C}shown", "shown"),
        ("\u{1B}]8;;http://x\u{1B}\\link\u{1B}]8;;\u{1B}\\", "link"),
        // DCS, SOS, PM, APC strings; CAN and SUB abort a string.
        ("\u{1B}P1$r0m\u{1B}\\d", "d"),
        ("\u{1B}Xsos\u{1B}\\\u{1B}^pm\u{1B}\\\u{1B}_apc\u{1B}\\e", "e"),
        ("\u{90}dcs\u{9C}\u{98}s\u{9C}\u{9E}p\u{9C}\u{9F}a\u{9C}f", "f"),
        ("\u{1B}]0;x\u{18}g\u{1B}]0;y\u{1A}h", "gh"),
        // Two-byte and intermediate forms.
        ("\u{1B}cA\u{1B}7B\u{1B}8C\u{1B}(BD\u{1B}#8E\u{1B}=F\u{1B} GG", "ABCDEFG"),
        // C0 controls (but newline and tab), DEL, C1.
        ("a\u{0}b\u{07}c\u{08}d\u{0B}e\u{0C}f\u{7F}g\u{85}h\u{8D}i", "abcdefghi"),
        ("tab\there\nnext", "tab\there\nnext"),
        // CR: CR LF becomes LF, a lone CR goes.
        ("one\r\ntwo\rthree", "one\ntwothree"),
        // Bidi embeddings, overrides and isolates are shown, not obeyed.
        ("\u{202E}cba\u{202C} \u{2066}x\u{2069}", "<U+202E>cba<U+202C> <U+2066>x<U+2069>"),
        // A string sequence cannot hide more than the rest of its line.
        ("a\u{1B}]0;never ended\nvisible", "a\nvisible"),
        // A sequence broken off by text ends there; the text stays.
        ("\u{1B}[12é", "é"),
        ("\u{1B}\nz", "\nz"),
        ("\u{1B}\u{1B}[1mq", "q"),
        ("\u{1B}]0;t\u{1B}[31mr", "r"),            // ESC inside a string starts a new sequence
    ] as [(String, String)])
    func removes(_ input: String, _ expected: String) {
        #expect(TerminalText.sanitize(input) == expected)
        #expect(Self.isInert(TerminalText.sanitize(input)))
    }

    @Test func ordinaryTextIsUnchanged() {
        for s in ["plain ASCII, with [brackets] and ~tildes~", "héllo — “quotes” 世界 😀👩‍👩‍👧 ﷽",
                  "é\u{301} combining, \u{200D} ZWJ, \u{00A0} nbsp, \u{00AD} soft hyphen", "",
                  "line\n\nbreaks\n"] {
            #expect(TerminalText.sanitize(s) == s)
        }
    }

    /// A stream split at every scalar boundary gives the text of the whole: state (an
    /// open CSI, OSC or ESC) carries over from one piece to the next.
    @Test func splitStreamsGiveTheSameText() {
        let s = "a\u{1B}]0;title\u{07}b\u{1B}[3\u{1B}[38;5;1mc\u{1B}]52;c;QQ==\u{1B}\\d\u{9B}1Ke\u{1B}(Bf\r\ng\u{202E}"
        let whole = TerminalText.sanitize(s)
        #expect(whole == "ab" + "c" + "d" + "e" + "f\ng<U+202E>")
        let scalars = Array(s.unicodeScalars)
        for cut in 0...scalars.count {
            var t = TerminalText()
            let a = t.push(String(String.UnicodeScalarView(scalars[..<cut])))
            let b = t.push(String(String.UnicodeScalarView(scalars[cut...])))
            #expect(a + b == whole, "split at \(cut)")
        }
        var t = TerminalText()
        #expect(scalars.map { t.push(String(Character($0))) }.joined() == whole)
        // Without the state, the second half's title would be printed.
        var u = TerminalText()
        #expect(u.push("x\u{1B}]0;ti") == "x")
        #expect(u.push("tle\u{07}y") == "y")
        u.reset()
        #expect(u.push("]0;z") == "]0;z")
    }

    /// Random scalars drawn mostly from the dangerous ranges: whatever the mix, the output
    /// is inert.
    @Test func randomInputIsAlwaysInert() {
        var rng = SystemRandomNumberGenerator()   // a failure prints its input
        let alphabet: [UInt32] = Array(0...0x20) + [0x5B, 0x5D, 0x5C, 0x50, 0x58, 0x5E, 0x5F, 0x3B, 0x31, 0x6D, 0x41, 0x7F]
            + Array(0x80...0x9F) + [0x202A, 0x202E, 0x2066, 0x2069, 0xE9, 0x4E16, 0x1F600]
        for _ in 0..<2000 {
            let n = Int(rng.next() % 40)
            var s = String.UnicodeScalarView()
            for _ in 0..<n { s.append(Unicode.Scalar(alphabet[Int(rng.next() % UInt64(alphabet.count))])!) }
            let out = TerminalText.sanitize(String(s))
            #expect(Self.isInert(out), "\(String(s).unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    /// 1 MB inputs of each shape: behaviour checked. The limit is only a backstop for a
    /// filter that rescans or copies per sequence (hours at this size); it is wide enough
    /// for a debug ThreadSanitizer build on a loaded 2-core machine.
    @Test(.timeLimit(.minutes(10))) func megabyteInputs() {
        let n = 1 << 20
        let sgr = String(repeating: "ab\u{1B}[1m", count: n / 6)
        #expect(TerminalText.sanitize(sgr) == String(repeating: "ab", count: n / 6))
        let unterminated = "\u{1B}]0;" + String(repeating: "x", count: n) + "\nend"
        #expect(TerminalText.sanitize(unterminated) == "\nend")
        let bidi = String(repeating: "\u{202E}", count: n / 3)
        #expect(TerminalText.sanitize(bidi).utf8.count == (n / 3) * 8)
        let plain = String(repeating: "é", count: n / 2)
        #expect(TerminalText.sanitize(plain) == plain)
        var t = TerminalText()
        var streamed = 0
        for _ in 0..<(n / 8) { streamed += t.push("a\u{1B}[3").utf8.count + t.push("1m").utf8.count }
        #expect(streamed == n / 8)
    }
}
