import Foundation
import Testing
import Engine
import GGUF
import TestSupport

/// SmolLM2 files with IQ tensors (scripts/make_test_models.py), on the first chunks of the
/// GPL-3 text at ctx 512, against two oracles on the same file and tokens (Ponder's
/// tokenization, as PerplexityTests):
/// - the numpy reference (gguf-py's dequantization, float64-accumulated math): with exact
///   float activations for Ponder's defaults (IQ prefill on dequantized float tiles,
///   decode-sized calls on the int8 dots), and with projection inputs rounded to 8 bits
///   where Ponder's int8 path rounds them (the IQ dots in every call; F32 cache on both);
/// - llama.cpp itself (Tests/Oracles/llama_cpp_perplexity.py), whose CPU kernels round
///   every quantized projection's input to 8 bits.
/// Ponder's defaults are the more exact arithmetic: within 0.2% of the exact reference.
/// llama.cpp's 8-bit activations move this small model's perplexity by about 1%, up or
/// down (measured: -0.8% on the IQ3_S ffn_down file, +0.9% on the IQ3_S mix), hence 2%
/// between Ponder's defaults and llama.cpp. Where Ponder's int8 path rounds what llama.cpp
/// rounds (ffn_down files: IQ and Q8_0 weights only) they agree within 1% (measured 0.2%
/// and 0.4%), as Ponder's int8 path agrees with the int8-rounded reference: float-order
/// differences upstream flip the odd 8-bit rounding, which this model amplifies (measured
/// up to 0.5%; an F16 instead of F32 cache alone moves it 0.9%).
@Suite("IQ models: perplexity against the numpy reference and llama.cpp")
struct IQPerplexityTests {
    static let chunks = 2
    static let gpl3 = "/usr/share/common-licenses/GPL-3"

    static func rel(_ a: Double, _ b: Double) -> Double { abs(a - b) / b }

    /// Ponder's perplexity with its defaults and on the int8 path, the numpy reference's
    /// for both, and llama.cpp's, on `file` (in the models cache).
    struct Figures { var ours, exact, ours8, rounded, lcpp: Double }

    static func figures(_ file: String) throws -> Figures {
        let url = try TestEnv.model(file)
        let tok = try runProcess(try TestEnv.ponderBinary(), ["tokenize", "--model", url.path, "--file", Self.gpl3])
        #expect(tok.status == 0, "\(tok.stderrText)")
        let tokens = tok.stdoutText.split(whereSeparator: { "[], \n".contains($0) }).compactMap { Int32($0) }
        try #require(tokens.count >= Self.chunks * 512)

        let model = try LlamaModel(path: url.path)
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
            \(file), GPL-3, \(Self.chunks) chunks of 512: ponder \(ours) (numpy exact \(exact)), \
            ponder int8 \(ours8) (numpy int8 \(rounded)), llama.cpp \(lcpp)
            """)
        return Figures(ours: ours, exact: exact, ours8: ours8, rounded: rounded, lcpp: lcpp)
    }

    /// Every ffn_down in the IQ type (llama.cpp's quantizer on the Q8_0 model's rows,
    /// 1536 = 6 x 256 columns), the rest Q8_0.
    @Test(.timeLimit(.minutes(20)), arguments: [GGMLType.iq3_s, .iq3_xxs])
    func ffnDown(type: GGMLType) throws {
        let name = "SmolLM2-135M-Instruct.ffn_down-\(type.name).gguf"
        let file = try GGUFFile(path: try TestEnv.model(name).path)
        #expect(file.tensors.filter { $0.name.hasSuffix("ffn_down.weight") }.allSatisfy { $0.type == type })
        let f = try Self.figures(name)
        #expect(Self.rel(f.ours, f.exact) < 0.002)
        #expect(Self.rel(f.ours8, f.rounded) < 0.01)
        #expect(Self.rel(f.ours8, f.lcpp) < 0.01)
        #expect(Self.rel(f.ours, f.lcpp) < 0.02)
    }

    /// llama.cpp's own IQ3_S mix, as its quantize tool writes it: IQ3_S, IQ4_NL fallbacks
    /// for the 576-column rows, Q8_0, F32. (Ponder has no int8 IQ4_NL kernel, llama.cpp
    /// rounds its inputs: no int8 comparison with llama.cpp here.)
    @Test(.timeLimit(.minutes(20)))
    func llamaCppMix() throws {
        let name = "SmolLM2-135M-Instruct.IQ3_S.gguf"
        let file = try GGUFFile(path: try TestEnv.model(name).path)
        let types = Set(file.tensors.map(\.type))
        #expect(types.isSuperset(of: [.iq3_s, .iq4_nl, .q8_0, .f32]), "\(types.map(\.name))")
        let f = try Self.figures(name)
        #expect(Self.rel(f.ours, f.exact) < 0.002)
        #expect(Self.rel(f.ours8, f.rounded) < 0.01)
        #expect(Self.rel(f.ours, f.lcpp) < 0.02)
    }
}
