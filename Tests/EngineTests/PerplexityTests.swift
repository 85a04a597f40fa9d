import Foundation
import Testing
import Engine
import TestSupport

/// Perplexity of SmolLM2 Q8_0 on the GPL-3 text, llama.cpp's method, ctx 512, against the
/// numpy reference run over the same tokens. The reference's forward pass over 512-token
/// chunks is slow on this 2-core machine, so both sides score the first `chunks` chunks.
@Suite("Perplexity agrees with the numpy reference")
struct PerplexityTests {
    static let chunks = 4

    @Test("SmolLM2 Q8_0 on GPL-3, ctx 512, within 0.5%", .timeLimit(.minutes(20)))
    func gpl3() throws {
        let url = try TestEnv.smolQ8_0
        let text = try String(contentsOfFile: "/usr/share/common-licenses/GPL-3", encoding: .utf8)
        let tokens = try Oracle.tokenize(url, [text])[0]
        let reference = try Oracle.perplexity(url, tokens: tokens, ctx: 512, chunks: Self.chunks)
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
    }
}
