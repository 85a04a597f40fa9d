/// A deterministic corpus of varied strings for tokenizer comparisons: prose, code,
/// whitespace runs, numbers, contractions, punctuation, accents (composed and combining),
/// CJK, emoji with ZWJ and skin tones, RTL scripts, control characters and mixtures.
enum Corpus {
    /// SplitMix64: a tiny seeded generator, so the corpus is the same on every run.
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }
    }

    static let words = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "Hello", "WORLD",
        "tokenizer", "internationalization", "reasoning", "model", "a", "I", "x", "naïve", "café",
        "résumé", "Zürich", "Ångström", "straße", "São", "Paulo", "über", "jalapeño", "Œuvre",
        "Москва", "привет", "Ελλάδα", "שלום", "مرحبا", "سلام", "नमस्ते", "ภาษาไทย", "안녕하세요",
        "日本語", "中文字符", "東京", "こんにちは", "カタカナ", "한국어", "ǅemal", "ﬁnance", "Ⅻ",
        "x²", "½", "٣٤٥", "१२३", "ſtrange", "İstanbul", "ß", "ÆØÅ", "e\u{301}", "n\u{303}o",
        "a\u{308}\u{304}", "👍", "👨‍👩‍👧‍👦", "🏳️‍🌈", "👋🏽", "🇫🇷", "🤖", "❤️", "☕", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "𠜎𠜱", "\u{200B}zw", "\u{FEFF}bom", "<|eot_id|>", "<|im_start|>", "<think>", "</think>",
        "<s>", "</s>", "[INST]", "http://example.com/a?b=c&d=e", "user@example.org", "C++", "C#",
        "don't", "I'm", "they're", "we've", "you'll", "he'd", "it's", "DON'T", "I'M", "THEY'RE",
        "We'Ve", "o'clock", "rock'n'roll", "'s", "'t", "'ll", "''", "`code`", "$HOME", "%d", "#tag"]
    static let punct = [".", ",", "!", "?", "...", "!!!", "?!", ";", ":", "-", "--", "—", "–", "(", ")",
        "[", "]", "{", "}", "<", ">", "/", "\\", "|", "@", "#", "$", "%", "^", "&", "*", "+", "=",
        "~", "`", "\"", "'", "«", "»", "“", "”", "‘", "’", "„", "¿", "¡", "…", "·", "•", "€", "£",
        "¥", "©", "®", "™", "°", "§", "¶", "→", "⇒", "∀", "∑", "√", "∞", "≠", "≤", "。", "、", "！",
        "？", "「", "」", "،", "؟", "।"]
    static let spaces = [" ", "  ", "   ", "    ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", " \n",
        "\n ", " \t ", "\u{A0}", "\u{3000}", "\u{2003}", "\u{2028}", "\u{85}", "\u{B}", "\u{C}",
        "      ", "\n\n\n", " \n\n  ", "\t\n"]
    static let controls = ["\u{0}", "\u{1}", "\u{7}", "\u{8}", "\u{1B}", "\u{1B}[31m", "\u{7F}",
        "\u{1C}", "\u{1D}", "\u{1E}", "\u{1F}", "\u{80}", "\u{9F}", "\u{200E}", "\u{200F}", "\u{202E}",
        "\u{FFFD}", "\u{E000}", "\u{10FFFF}", "\u{FFFF}"]
    static let code = [
        "func main() {\n    print(\"hi\")\n}\n",
        "for (int i = 0; i < n; ++i) { a[i] = b[i] * 2; }",
        "def f(x):\n\treturn x ** 2  # square\n",
        "if x != nil && y >= 10 || z <= -3 { return }",
        "    let y = [1, 2, 3].map { $0 * 2 }\n",
        "SELECT * FROM users WHERE id = 42;",
        "#include <stdio.h>\nint main(void){return 0;}",
        "<div class=\"a\">&amp;</div>",
        "{\"key\": [1, 2.5, -3e10, null, true]}",
        "x=1;y=2;z=x+y",
        "```swift\nlet a = 1\n```",
        "a_b_c __init__ self.__dict__",
        "0x1F 0b1010 1_000_000 3.14159 -0.0 1e-9",
    ]

    /// A number of `len` digits (ASCII, or occasionally Arabic-Indic / fullwidth).
    static func number(_ r: inout RNG, _ len: Int) -> String {
        var s = ""
        let alphabet: [UInt32] = r.int(8) == 0 ? (r.int(2) == 0 ? Array(0x660...0x669) : Array(0xFF10...0xFF19))
                                               : Array(0x30...0x39)
        for _ in 0..<len { s.unicodeScalars.append(Unicode.Scalar(r.pick(alphabet))!) }
        return s
    }

    static func fragment(_ r: inout RNG) -> String {
        switch r.int(10) {
        case 0, 1, 2: return r.pick(words)
        case 3: return r.pick(punct)
        case 4: return r.pick(spaces)
        case 5: return number(&r, 1 + r.int(r.int(4) == 0 ? 25 : 7))
        case 6: return r.pick(controls)
        case 7: return r.pick(code)
        case 8: return String(repeating: r.pick(punct + spaces), count: 1 + r.int(6))
        default:
            // random scalars from assorted blocks
            let blocks: [ClosedRange<UInt32>] = [0x20...0x7E, 0xA0...0x24F, 0x370...0x3FF, 0x400...0x4FF,
                0x590...0x6FF, 0x900...0x97F, 0x3040...0x30FF, 0x4E00...0x4FFF, 0xAC00...0xAD00,
                0x1F300...0x1F64F, 0x2000...0x206F, 0x300...0x36F, 0xFF00...0xFF60]
            var s = ""
            for _ in 0..<(1 + r.int(6)) {
                let b = r.pick(blocks)
                if let u = Unicode.Scalar(b.lowerBound + UInt32(r.int(Int(b.upperBound - b.lowerBound) + 1))) {
                    s.unicodeScalars.append(u)
                }
            }
            return s
        }
    }

    /// `count` strings; the first ones are fixed edge cases, the rest random mixtures.
    static func strings(count: Int, seed: UInt64 = 2026) -> [String] {
        var out: [String] = ["", " ", "  ", "\n", " \n", "a", " a", "  a", "a ", "a  ", "1", "12", "123",
            "1234", "12345", "123456", "1234567", " 1", "a1b22c333", "'s", " 's", "x's", "X'S",
            "don't stop", "\t\tindent", "line\r\nbreak", "   \n\n   x", "ﬁ", "e\u{301}", "👨‍👩‍👧‍👦",
            "<|eot_id|>", "<|start_header_id|>user<|end_header_id|>", "<|im_start|>assistant\n"]
        var r = RNG(state: seed)
        for len in 1...40 { out.append(String(repeating: "9", count: len)); out.append(" " + number(&r, len)) }
        for w in words { out.append(w); out.append(" " + w); out.append(w + "!") }
        while out.count < count {
            var s = ""
            let n = 1 + r.int(r.int(5) == 0 ? 40 : 10)
            for i in 0..<n {
                if i > 0 && r.int(3) != 0 { s += " " }
                s += fragment(&r)
            }
            out.append(s)
        }
        return out
    }
}
