import Foundation
import Testing
import Engine
import TestSupport

/// Perplexity of SmolLM2 Q8_0 on the GPL-3 text, llama.cpp's method, ctx 512, against the
/// numpy reference run over the same tokens (Ponder's tokenization, from `ponder
/// tokenize`: the tokenizer has its own tests against Hugging Face's). The reference's
/// forward pass over 512-token chunks is slow on this shared 2-core machine, so both sides
/// score the first `chunks` chunks (of 14).
@Suite("Perplexity agrees with the numpy reference")
struct PerplexityTests {
    static let chunks = 4
    static let gpl3 = "/usr/share/common-licenses/GPL-3"

    @Test("SmolLM2 Q8_0 on GPL-3, ctx 512, within 0.5% (API and `ponder perplexity`)", .timeLimit(.minutes(30)))
    func gpl3() throws {
        let url = try TestEnv.smolQ8_0
        let ponder = try TestEnv.ponderBinary()
        let tok = try runProcess(ponder, ["tokenize", "--model", url.path, "--file", Self.gpl3])
        #expect(tok.status == 0, "\(tok.stderrText)")
        let tokens = tok.stdoutText.split(whereSeparator: { "[], \n".contains($0) }).compactMap { Int32($0) }
        #expect(tokens.count > 14 * 512)
        let reference = try Oracle.perplexity(url, tokens: tokens, ctx: 512, chunks: Self.chunks)

        // The engine API.
        let model = try LlamaModel(path: url.path)
        let ctx = try LlamaContext(model: model, capacity: 512)
        let ours = try ctx.perplexity(tokens: tokens, maxChunks: Self.chunks)
        let rel = abs(ours.perplexity - reference.ppl) / reference.ppl
        print("GPL-3 (\(tokens.count) tokens, \(Self.chunks) chunks of 512): ponder ppl \(ours.perplexity), reference \(reference.ppl), relative difference \(rel)")
        #expect(ours.chunkNLL.count == Self.chunks)
        #expect(rel < 0.005)
        for (a, b) in zip(ours.chunkNLL, reference.chunkNLL) {
            #expect(abs(a - b) / b < 0.005)
        }

        // The command: per-chunk lines, then the final estimate.
        let r = try runProcess(ponder, ["perplexity", "--model", url.path, "--file", Self.gpl3,
                                        "--ctx", "512", "--chunks", String(Self.chunks)], timeout: 1200)
        #expect(r.status == 0, "\(r.stderrText)")
        let lines = r.stdoutText.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("[") }.count == Self.chunks)
        let final = lines.last.flatMap { $0.split(separator: "=").last }
            .flatMap { Double($0.split(separator: " ").first ?? "") }
        #expect(final != nil, "\(r.stdoutText)")
        if let final {
            print("ponder perplexity: \(final)")
            #expect(abs(final - reference.ppl) / reference.ppl < 0.005)
        }
    }

    @Test("`ponder perplexity --token-ids` reads the list `ponder tokenize` prints; a stray bracket is refused")
    func tokenIdsFromTokenize() throws {
        let url = try TestEnv.smolQ4_1
        let ponder = try TestEnv.ponderBinary()
        let dir = try TestEnv.freshDirectory("ponder-ppl-ids")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tok = try runProcess(ponder, ["tokenize", "--model", url.path, "--file", Self.gpl3])
        #expect(tok.status == 0, "\(tok.stderrText)")
        let ids = dir.appendingPathComponent("ids.txt")
        try tok.stdout.write(to: ids)
        let r = try runProcess(ponder, ["perplexity", "--model", url.path, "--token-ids", ids.path, "--ctx", "32", "--chunks", "2"], timeout: 300)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(r.stdoutText.split(separator: "\n").filter { $0.hasPrefix("[") }.count == 2, "\(r.stdoutText)")
        try Data("[1, 2, 3".utf8).write(to: ids)
        let bad = try runProcess(ponder, ["perplexity", "--model", url.path, "--token-ids", ids.path, "--ctx", "4"])
        #expect(bad.status != 0 && !bad.signaled && bad.stderrText.contains("not a token id"), "\(bad.stderrText)")
    }
}
