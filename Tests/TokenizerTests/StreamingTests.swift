import Testing
import Tokenizer

/// (b) The streaming detokenizer, fed one token at a time, yields exactly the full
/// decode, and each chunk is whole characters only.
@Suite struct StreamingTests {
    static func check(_ tok: Tokenizer, _ ids: [TokenID]) -> Bool {
        var d = StreamingDetokenizer(tokenizer: tok)
        var text = ""
        let full = tok.decode(ids)
        for id in ids {
            let chunk = d.push(id)
            // A chunk is a String, so valid UTF-8; it must not contain a replacement
            // character that the full decode does not have (a character cut in two).
            if chunk.unicodeScalars.contains("\u{FFFD}") && !full.unicodeScalars.contains("\u{FFFD}") { return false }
            text += chunk
        }
        text += d.finish()
        return text == full
    }

    @Test func streamingEqualsFullDecodeOnCorpus() throws {
        let (tok, _) = try Fixtures.smolLM2()
        var bad = 0
        for s in Corpus.strings(count: 2200) where !Self.check(tok, tok.encode(s)) { bad += 1 }
        #expect(bad == 0)
    }

    @Test func streamingEqualsFullDecodeOnRandomIds() throws {
        // Random ids include lone byte tokens, so this exercises invalid UTF-8 too.
        let (tok, _) = try Fixtures.smolLM2()
        var r = Corpus.RNG(state: 99)
        var bad = 0
        for _ in 0..<3000 {
            let ids = (0..<(1 + r.int(12))).map { _ in TokenID(r.int(tok.vocabularySize)) }
            if !Self.check(tok, ids) { bad += 1 }
        }
        #expect(bad == 0)
    }

    @Test func emojiSplitAcrossByteTokensIsHeldBack() throws {
        let (tok, _) = try Fixtures.smolLM2()
        let ids = tok.encode("👨‍👩‍👧")
        #expect(ids.count > 3)     // several byte-level tokens per character
        var d = StreamingDetokenizer(tokenizer: tok)
        var chunks: [String] = []
        for id in ids { chunks.append(d.push(id)) }
        chunks.append(d.finish())
        #expect(chunks.contains(""))   // something was held back
        #expect(chunks.joined() == "👨‍👩‍👧")
    }
}
