import Testing
import TestSupport
import GGUF
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

    /// SmolLM2 (byte-level BPE) and Gemma 3 (SentencePiece with `<0xNN>` byte tokens).
    @Test(arguments: ["smollm", "gemma"])
    func streamingEqualsFullDecodeOnCorpus(vocab: String) throws {
        let tok = vocab == "smollm" ? try Fixtures.smolLM2().tokenizer
                                    : try Tokenizer(gguf: GGUFFile(path: TestEnv.gemmaQ4KM.path))
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

    /// A hand-made SentencePiece vocabulary with the space prefix: the space that encoding
    /// puts in front is dropped by decode and by the stream alike.
    @Test func sentencePieceSpacePrefixIsDroppedWhenStreaming() throws {
        var tokens = ["<unk>", "<s>", "</s>", "\u{2581}", "\u{2581}a", "a", "b", "\u{2581}b"]
        var types: [Vocabulary.TokenType] = [.unknown, .control, .control, .normal, .normal, .normal, .normal, .normal]
        for b in 0..<256 {
            tokens.append("<0x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) + ">")
            types.append(.byte)
        }
        let scores = tokens.indices.map { -Float($0) }
        let tok = try Tokenizer(vocabulary: Vocabulary(model: .sentencePiece, tokens: tokens, types: types,
                                                       scores: scores, bos: 1, eos: 2, unknown: 0))
        for text in ["a b", " a", "é a", "b\u{1F600}a"] {
            let ids = tok.encode(text, addBOS: true)
            #expect(ids.first == 1 && tok.decode(ids) == text)
            #expect(Self.check(tok, ids))
        }
    }
}
