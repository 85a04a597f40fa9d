import Session

/// Terminal column widths of grapheme clusters (Swift `Character`s), from our own table
/// rather than the C library's `wcwidth`, so layout does not depend on the locale and the
/// tests give the same screens everywhere.
///
/// Rules, in order (one `Character` = one grapheme cluster = one cell or two):
/// - an emoji cluster (emoji presentation, or an emoji followed by VS16 U+FE0F, ZWJ
///   sequences, flags, skin tones) is 2 columns;
/// - a cluster whose first scalar is East Asian Wide or Fullwidth (CJK, Hangul, kana,
///   fullwidth forms) is 2 columns;
/// - anything else is 1 column; combining marks ride on their base and add nothing.
/// Control characters are removed by `layoutText` before any width is asked for.
enum CharWidth {
    /// Display width of one grapheme cluster: 1 or 2.
    static func of(_ ch: Character) -> Int {
        if ch.isASCII { return 1 }
        let scalars = ch.unicodeScalars
        guard let first = scalars.first else { return 1 }
        let p = first.properties
        if p.isEmojiPresentation { return 2 }
        if p.isEmoji && first.value > 0xFF && scalars.contains(where: { $0.value == 0xFE0F }) {
            return 2
        }
        return isWide(first.value) ? 2 : 1
    }

    /// Display width of a string (sum over its grapheme clusters).
    static func of(_ s: some StringProtocol) -> Int {
        var w = 0
        for ch in s { w += of(ch) }
        return w
    }

    /// East Asian Wide (W) and Fullwidth (F) ranges outside the emoji blocks.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E,
        0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
        0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4,
        0x17000...0x18AFF, 0x1B000...0x1B2FF, 0x1F200...0x1F2FF,
        0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    static func isWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        for r in wideRanges where r.contains(v) { return true }
        return false
    }

    /// Text from the model, the user or a file made ready to lay out: terminal-safe
    /// (`TerminalText`: no controls, escape sequences or raw bidi controls), then each tab
    /// becomes 4 spaces and a lone format character (U+200B and the like: no cell of its
    /// own, which `of` would count as one) is dropped. Newlines are kept.
    static func layoutText(_ s: String) -> String {
        let safe = TerminalText.sanitize(s)
        // Fast paths: printable ASCII and newlines only; else no tab and no format scalar
        // at all (a scan of scalars, much cheaper than one of grapheme clusters).
        if safe.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A }) { return safe }
        if !safe.unicodeScalars.contains(where: {
            $0 == "\t" || ($0.value >= 0xAD && $0.properties.generalCategory == .format)
        }) { return safe }
        var out = ""
        out.reserveCapacity(safe.utf8.count)
        for ch in safe {
            if ch == "\t" { out.append("    "); continue }
            if ch.unicodeScalars.count == 1, ch.unicodeScalars.first!.properties.generalCategory == .format {
                continue
            }
            out.append(ch)
        }
        return out
    }
}
