import Foundation
import Testing
import Engine
import GGUF
import TestSupport

/// SmolLM2 with every ffn_down in an IQ type (scripts/make_test_models.py: llama.cpp's own
/// quantizer on the Q8_0 model's rows, 1536 = 6 x 256 columns; the rest stays Q8_0), on
/// the first chunks of the GPL-3 text at ctx 512, against two oracles on the same file
/// and tokens (Ponder's tokenization, as PerplexityTests):
/// - the numpy reference (gguf-py's dequantization, float64-accumulated math), with
///   exact float activations for Ponder's defaults (IQ prefill on dequantized float tiles,
///   decode-sized calls on the int8 dots), and with every projection input rounded to
///   8 bits for Ponder's int8 path (the IQ reference dots in every call);
/// - llama.cpp itself (Tests/Oracles/llama_cpp_perplexity.py), whose CPU kernels round
///   every projection input to 8 bits as Ponder's int8 path does.
/// Ponder's defaults are the more exact arithmetic: they sit within 0.2% of the exact
/// reference, and differ from llama.cpp by what its 8-bit activations cost this small
/// model (about 1% here, up or down), hence 2% there.
@Suite("IQ models: perplexity against the numpy reference and llama.cpp")
struct IQPerplexityTests {
    static let chunks = 2
    static let gpl3 = "/usr/share/common-licenses/GPL-3"

    static func rel(_ a: Double, _ b: Double) -> Double { abs(a - b) / b }

    @Test(.timeLimit(.minutes(20)), arguments: [GGMLType.iq3_s, .iq3_xxs])
    func smolLM2(type: GGMLType) throws {
        let url = try TestEnv.model("SmolLM2-135M-Instruct.ffn_down-\(type.name).gguf")
        let file = try GGUFFile(path: url.path)
        #expect(file.tensors.filter { $0.name.hasSuffix("ffn_down.weight") }.allSatisfy { $0.type == type })

        let tok = try runProcess(try TestEnv.ponderBinary(), ["tokenize", "--model", url.path, "--file", Self.gpl3])
        #expect(tok.status == 0, "\(tok.stderrText)")
        let tokens = tok.stdoutText.split(whereSeparator: { "[], \n".contains($0) }).compactMap { Int32($0) }
        try #require(tokens.count >= Self.chunks * 512)

        let model = try LlamaModel(file: file)
        let ctx = try LlamaContext(model: model, capacity: 512)
        let ours = try ctx.perplexity(tokens: tokens, maxChunks: Self.chunks).perplexity
        let int8 = try LlamaContext(model: model, capacity: 512, cacheType: .f32)
        int8.matmulPath = .int8
        let ours8 = try int8.perplexity(tokens: tokens, maxChunks: Self.chunks).perplexity

        let exact = try Oracle.perplexity(url, tokens: tokens, ctx: 512, chunks: Self.chunks).ppl
        let rounded = try Oracle.perplexity(url, tokens: tokens, ctx: 512, chunks: Self.chunks,
                                            rounding: .init(activations: "int8", kv: "f32")).ppl
        let job = try JSONSerialization.data(withJSONObject: ["model": url.path, "tokens": tokens.map(Int.init),
                                                              "ctx": 512, "chunks": Self.chunks])
        let script = TestEnv.repoRoot.appendingPathComponent("Tests/Oracles/llama_cpp_perplexity.py")
        let reply = try runProcess(try TestEnv.python(), [script.path], stdin: job, timeout: 1200)
        #expect(reply.status == 0, "\(reply.stderrText)")
        let lcpp = try #require((try JSONSerialization.jsonObject(with: reply.stdout) as? [String: Any])?["ppl"] as? Double)

        print("""
            SmolLM2 ffn_down \(type.name), GPL-3, \(Self.chunks) chunks of 512: ponder \(ours) (numpy exact \(exact)), \
            ponder int8 \(ours8) (numpy int8 \(rounded)), llama.cpp \(lcpp)
            """)
        #expect(Self.rel(ours, exact) < 0.002)
        #expect(Self.rel(ours8, rounded) < 0.005)
        #expect(Self.rel(ours8, lcpp) < 0.005)
        #expect(Self.rel(ours, lcpp) < 0.02)
    }
}
