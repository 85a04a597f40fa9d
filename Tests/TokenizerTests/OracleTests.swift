import Foundation
import Testing
import TestSupport
import Tokenizer

/// (a) Ids equal the Hugging Face `tokenizers` library's on ≥ 2,000 varied strings,
/// and decoding the ids gives the input back.
@Suite struct OracleTests {
    static let corpus = Corpus.strings(count: 2200)

    /// Compares every string, reporting at most a handful of differences in detail.
    static func compare(_ tok: Tokenizer, _ oracle: Oracle.Result, _ texts: [String]) {
        // Bytes with no token (SmolLM2 has none for e.g. 0x1D) are dropped by HF and by us,
        // so the round trip must give the input without exactly those bytes.
        let representable = (0..<256).map { b in
            tok.specialTokenID(String(decoding: ByteLevel.encode([UInt8(b)]), as: UTF8.self)) != nil }
        var wrongIds = 0, wrongDecode = 0, shown = 0
        for (i, s) in texts.enumerated() {
            let ids = tok.encode(s)
            if ids != oracle.ids[i] {
                wrongIds += 1
                if shown < 8 {
                    shown += 1
                    let mine = ids.map { tok.spelling(of: $0) ?? "?" }
                    let theirs = oracle.ids[i].map { tok.spelling(of: $0) ?? "?" }
                    Issue.record("ids differ for \(s.debugDescription):\n ours \(mine)\n HF   \(theirs)")
                }
            }
            let expected = String(decoding: s.utf8.filter { representable[Int($0)] },
                                  as: UTF8.self)
            if tok.decode(ids) != expected {
                wrongDecode += 1
                if shown < 8 { shown += 1; Issue.record("decode differs for \(s.debugDescription)") }
            }
            if oracle.decoded?[i] != expected, shown < 8 {
                shown += 1; Issue.record("HF decode differs for \(s.debugDescription)")
            }
        }
        #expect(wrongIds == 0, "\(wrongIds) of \(texts.count) strings tokenized differently from HF")
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
}
