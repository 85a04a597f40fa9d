import Foundation
import Testing
import Engine
import TestSupport

/// Greedy tokens, token for token against the numpy reference: SmolLM2 on the exact float
/// path (64 tokens x 3 prompts: the model's math, in process and through `ponder run`);
/// the synthetic models on every path, the reference rounding what each rounds
/// (`Oracle.Rounding`). SmolLM2's int8 greedy replies are not compared token for token:
/// a near-tie decided by one int8 rounding flip changes the rest (seen: token 5 of 24
/// after the decode attention's summation order changed), so the int8 path is held to
/// the reference by LogitsMatchReferenceTests.smolInt8 instead.
@Suite("Greedy generation agrees with the numpy reference", .serialized)
struct GreedyMatchesReferenceTests {
    static let texts = [
        "<|im_start|>user\nWrite a haiku about the sea.<|im_end|>\n<|im_start|>assistant\n",
        "The three primary colors are",
        "Question: Why is the sky blue?\nAnswer:",
    ]

    func greedy(_ ctx: LlamaContext, _ prompt: [Int32], _ n: Int) async throws -> [Int32] {
        ctx.reset()
        return try decode(ctx, prompt: prompt, n: n)
    }

    @Test("SmolLM2 Q4_1: 3 prompts x 64 tokens", .timeLimit(.minutes(15)))
    func smolQ4_1() async throws {
        let url = try TestEnv.smolQ4_1
        let prompts = try Oracle.tokenize(url, Self.texts)
        let reference = try Oracle.greedy(url, prompts: prompts, n: 64, rounding: .exact)
        let model = try LlamaModel(path: url.path)
        let ctx = try LlamaContext(model: model, capacity: 512, cacheType: .f32)
        ctx.matmulPath = .float
        for (i, p) in prompts.enumerated() {
            let ours = try await greedy(ctx, p, 64)
            #expect(ours == reference[i], "prompt \(i): first difference at \(zip(ours, reference[i]).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1)")
        }
    }

    /// The decode path (one token at a time) for every weight type: the synthetic models
    /// hold F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and (once the GGUF module reads
    /// them) Q4_K, Q6_K, with Nemotron-like widths and rope_freqs.weight.
    @Test("Synthetic models: 24 greedy tokens", arguments: ["synthetic-llama-mixed.gguf", "synthetic-llama-kquant.gguf"])
    func synthetic(name: String) async throws {
        let url = try TestEnv.model(name)
        let model: LlamaModel
        do { model = try LlamaModel(path: url.path) } catch EngineError.unsupportedType {
            print("\(name): a weight type is not readable yet; covered by the load-error expectation")
            return
        }
        let prompts: [[Int32]] = [[1, 5, 17, 300, 2, 9, 100], [42]]
        for (path, cache, rounding) in [(MatMulPath.mixed, KVCacheType.f16, Oracle.Rounding.defaults),
                                        (.float, .f32, .exact), (.int8, .f16, .int8)] {
            let reference = try Oracle.greedy(url, prompts: prompts, n: 24, rounding: rounding)
            let ctx = try LlamaContext(model: model, capacity: 64, cacheType: cache)
            ctx.matmulPath = path
            for (i, p) in prompts.enumerated() {
                #expect(try await greedy(ctx, p, 24) == reference[i], "\(name) \(path) prompt \(i)")
            }
        }
    }

    /// The binary on the exact float path (PONDER_MATMUL=float, PONDER_KV=f32).
    @Test("ponder run --tokens prints the reference's greedy tokens")
    func runCommand() throws {
        let url = try TestEnv.smolQ4_1
        let prompt = try Oracle.tokenize(url, ["Once upon a time"])[0]
        let reference = try Oracle.greedy(url, prompts: [prompt], n: 24, rounding: .exact)[0]
        let r = try runProcess(try TestEnv.ponderBinary(),
                               ["run", "--model", url.path, "--tokens", prompt.map(String.init).joined(separator: ","),
                                "--max-tokens", "24", "--think", "off"],
                               environment: ProcessInfo.processInfo.environment.merging(["PONDER_MATMUL": "float", "PONDER_KV": "f32"]) { _, b in b })
        #expect(r.status == 0, "\(r.stderrText)")
        // The reply stops early only at an end-of-turn token, which it does not print.
        let ours = r.stdoutText.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        #expect(!ours.isEmpty)
        #expect(ours == Array(reference.prefix(ours.count)))
        #expect(ours.count == 24 || model(url).endOfTurnTokens.contains(reference[ours.count]))
    }

    private func model(_ url: URL) -> LlamaModel { try! LlamaModel(path: url.path) }
}
