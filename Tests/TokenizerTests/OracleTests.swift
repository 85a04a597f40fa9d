import Foundation
import Testing
import TestSupport
import Tokenizer
import GGUF

/// (a) Ids equal the Hugging Face `tokenizers` library's on ≥ 2,000 varied strings,
/// and decoding the ids gives the input back.
@Suite struct OracleTests {
    static let corpus = Corpus.strings(count: 2200)

    /// Compares every string, reporting at most a handful of differences in detail.
    static func compare(_ tok: Tokenizer, _ oracle: Oracle.Result, _ texts: [String]) {
        // Bytes with no token (SmolLM2 has none for e.g. 0x1D) are dropped by HF and by us,
        // so the round trip must give the input without exactly those bytes.
        let representable = (0..<256).map { b in
            let hex = String(b, radix: 16, uppercase: true)
            let spelling = tok.vocabulary.model == .bytePair
                ? String(decoding: ByteLevel.encode([UInt8(b)]), as: UTF8.self)
                : "<0x" + (b < 16 ? "0" : "") + hex + ">"
            return tok.specialTokenID(spelling) != nil
        }
        var wrongIds = 0, wrongDecode = 0, shown = 0
        for (i, s) in texts.enumerated() {
            let ids = tok.encode(s)
            if ids != oracle.ids[i] {
                wrongIds += 1
                if shown < 12 {
                    shown += 1
                    let mine = ids.map { tok.spelling(of: $0) ?? "?" }
                    let theirs = oracle.ids[i].map { tok.spelling(of: $0) ?? "?" }
                    Issue.record("ids differ for \(s.debugDescription):\n ours \(mine)\n oracle \(theirs)")
                }
            }
            let expected = String(decoding: s.utf8.filter { representable[Int($0)] },
                                  as: UTF8.self)
            if tok.decode(ids) != expected {
                wrongDecode += 1
                if shown < 12 { shown += 1; Issue.record("decode differs for \(s.debugDescription): \(tok.decode(ids).debugDescription)") }
            }
            if oracle.decoded?[i] != expected, shown < 12 {
                shown += 1; Issue.record("oracle's decode differs for \(s.debugDescription)")
            }
        }
        #expect(wrongIds == 0, "\(wrongIds) of \(texts.count) strings tokenized differently from the oracle")
        #expect(wrongDecode == 0, "\(wrongDecode) of \(texts.count) strings did not decode back to the input")
    }

    @Test func smolLM2MatchesHuggingFace() throws {
        let path = try TestEnv.smolQ4_1.path
        let oracle = try Oracle.run("encode", mode: "smollm", path: path, input: Self.corpus)
        let (tok, _) = try Fixtures.smolLM2()
        #expect(tok.preTokenizer == .smollm)
        Self.compare(tok, oracle, Self.corpus)
    }

    @Test func llama3MatchesHuggingFace() throws {
        let (gguf, cleanup) = try Fixtures.llama3Path()
        defer { cleanup() }
        let oracle = try Oracle.run("encode", mode: "llama3", path: gguf, template: Oracle.llama3Template,
                                    input: Self.corpus)
        let tok = try Fixtures.llama3Tokenizer(gguf)
        #expect(tok.preTokenizer == .llama3)
        #expect(tok.bos == 128000 && tok.vocabulary.addBOS)
        #expect(tok.endOfGeneration.contains(128009))        // <|eot_id|>
        #expect(tok.detectedChatFormat.kind == .llama3)
        Self.compare(tok, oracle, Self.corpus)
    }

    /// SentencePiece (Gemma 3's vocabulary: scores, byte fallback, user-defined whitespace
    /// tokens, no space prefix) against llama.cpp's own tokenizer.
    @Test func gemma3SentencePieceMatchesLlamaCpp() throws {
        let path = try TestEnv.gemmaQ4KM.path
        let oracle = try Oracle.runLlamaCpp(path: path, texts: Self.corpus)
        let tok = try Tokenizer(gguf: GGUFFile(path: path))
        #expect(tok.vocabulary.model == .sentencePiece && !tok.vocabulary.addSpacePrefix)
        Self.compare(tok, oracle, Self.corpus)
    }

    /// The other splits (`qwen2`, `gpt-2`, llama.cpp's `default`) on the Llama-3 vocabulary,
    /// against the same patterns as HF pre-tokenizers.
    @Test(arguments: ["qwen2", "gpt-2", "default"])
    func otherSplitsMatchHuggingFace(pre: String) throws {
        let (gguf, cleanup) = try Fixtures.llama3Path()
        defer { cleanup() }
        let oracle = try Oracle.run("encode", mode: "llama3-pre:" + pre, path: gguf, input: Self.corpus)
        var v = try Vocabulary(gguf: GGUFFile(path: gguf))
        v.preName = pre
        let tok = try Tokenizer(vocabulary: v)
        #expect(tok.preTokenizer?.rawValue == pre)
        Self.compare(tok, oracle, Self.corpus)
    }

    /// Strings of random scalars from planes 0 to 2 (letters, marks, numbers, symbols,
    /// unassigned code points of every script): checks our Unicode classes against the
    /// oracle's regex engine on both vocabularies.
    @Test func randomScalarsMatchHuggingFace() throws {
        var r = Corpus.RNG(state: 5)
        var texts: [String] = []
        for _ in 0..<1500 {
            var s = String.UnicodeScalarView()
            for _ in 0..<(1 + r.int(30)) {
                let v = UInt32(r.int(3) == 0 ? r.int(0x3000) : r.int(0x30000))
                if let u = Unicode.Scalar(v) { s.append(u) }
                if r.int(4) == 0 { s.append(" ") }
            }
            texts.append(String(s))
        }
        let (path, cleanup) = try Fixtures.llama3Path()
        defer { cleanup() }
        let llama = try Oracle.run("encode", mode: "llama3", path: path, input: texts)
        Self.compare(try Fixtures.llama3Tokenizer(path), llama, texts)
        let (smol, smolPath) = try Fixtures.smolLM2()
        Self.compare(smol, try Oracle.run("encode", mode: "smollm", path: smolPath, input: texts), texts)
    }
}
