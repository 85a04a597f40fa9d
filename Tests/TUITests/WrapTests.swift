import Testing
@testable import TUI

/// Column widths from the Unicode East Asian Width and emoji properties (UAX #11, UTS #51),
/// written down by hand, and the wrap rules of `Wrap` applied by hand.
@Suite struct WidthTests {
    @Test func asciiAndLatinAreOneColumn() {
        #expect(CharWidth.of("a" as Character) == 1)
        #expect(CharWidth.of("é" as Character) == 1)                 // precomposed U+00E9
        #expect(CharWidth.of("e\u{301}" as Character) == 1)          // e + combining acute
        #expect(CharWidth.of("a\u{308}\u{323}" as Character) == 1)   // two combining marks
        #expect(CharWidth.of("☺" as Character) == 1)                 // text presentation
    }

    @Test func cjkAndFullwidthAreTwoColumns() {
        #expect(CharWidth.of("日" as Character) == 2)
        #expect(CharWidth.of("한" as Character) == 2)
        #expect(CharWidth.of("カ" as Character) == 2)
        #expect(CharWidth.of("Ａ" as Character) == 2)                // U+FF21 fullwidth A
        #expect(CharWidth.of("日本語" as String) == 6)
    }

    @Test func emojiClustersAreTwoColumns() {
        let family: Character = "👨\u{200D}👩\u{200D}👧\u{200D}👦"
        #expect("👨\u{200D}👩\u{200D}👧\u{200D}👦".count == 1)
        #expect(CharWidth.of(family) == 2)
        #expect(CharWidth.of("😀" as Character) == 2)
        #expect(CharWidth.of("🇯🇵" as Character) == 2)                // flag: 2 regional indicators
        #expect(CharWidth.of("👍🏽" as Character) == 2)                // skin tone modifier
        #expect(CharWidth.of("❤\u{FE0F}" as Character) == 2)         // VS16 asks for emoji
        #expect(CharWidth.of("a😀b" as String) == 4)
    }

    @Test func sanitizeDropsControlsKeepsNewlines() {
        #expect(CharWidth.layoutText("a\u{1B}[31mb\tc\r\nd\u{7F}\u{200B}\u{202E}") == "ab    c\nd<U+202E>")
        #expect(CharWidth.layoutText("plain\ntext") == "plain\ntext")
        // Each path of layoutText: non-ASCII without tabs or format characters comes back
        // as is; a lone soft hyphen or zero-width space goes; a ZWJ inside an emoji
        // cluster stays (it is part of a character with a cell of its own).
        #expect(CharWidth.layoutText("déjà 日本\n") == "déjà 日本\n")
        #expect(CharWidth.layoutText("dé\u{AD}jà\u{200B} 日本\t.") == "déjà 日本    .")
        let family = "👨\u{200D}👩\u{200D}👧"
        #expect(CharWidth.layoutText("é " + family) == "é " + family)
    }
}

@Suite struct WrapTests {
    func wrap(_ s: String, _ w: Int, first: String = "", rest: String = "") -> [String] {
        Wrap.paragraph(Wrap.styled(s, .text), width: w,
                       first: Wrap.styled(first, .text), rest: Wrap.styled(rest, .text))
            .map { String($0.map(\.ch)) }
    }

    @Test func breaksAtSpacesAndDropsThem() {
        #expect(wrap("the quick brown fox", 10) == ["the quick", "brown fox"])
        #expect(wrap("aa bb", 2) == ["aa", "bb"])
        #expect(wrap("  indented text", 10) == ["  indented", "text"])
    }

    @Test func cutsWordsLongerThanALine() {
        #expect(wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"])
        #expect(wrap("ab abcdefgh", 4) == ["ab", "abcd", "efgh"])
    }

    @Test func cjkBreaksBetweenIdeographsAndNeverSplitsOne() {
        #expect(wrap("日本語の", 6) == ["日本語", "の"])
        #expect(wrap("日本語の", 7) == ["日本語", "の"])       // 7th column stays empty
        #expect(wrap("ab日本", 5) == ["ab日", "本"])
    }

    @Test func emojiAndCombiningStayWhole() {
        let fam = "👨\u{200D}👩\u{200D}👧\u{200D}👦"
        #expect(wrap("ab\(fam)cd", 3) == ["ab", fam, "cd"])
        #expect(wrap("ab\(fam)c", 4) == ["ab" + fam, "c"])
        #expect(wrap("e\u{301}e\u{301}e\u{301}", 2) == ["e\u{301}e\u{301}", "e\u{301}"])
    }

    @Test func hangingIndent() {
        #expect(wrap("one two three", 8, first: "> ", rest: "  ") == ["> one", "  two", "  three"])
        // Prefixes that leave fewer than 2 columns are dropped.
        #expect(wrap("ab", 3, first: "> ", rest: "  ") == ["ab"])
    }

    @Test func emptyParagraphIsOneLine() {
        #expect(wrap("", 10, first: "> ") == ["> "])
    }
}
