import Foundation
import Testing
import Engine
import GGUF
import TestSupport
import Kernels

/// Ponder's logits against the numpy reference at every position of several prompts:
/// the top-1 token must be identical everywhere and the largest difference small.
@Suite("Logits agree with the numpy reference", .serialized)
struct LogitsMatchReferenceTests {
    static let texts = [
        "The capital of France is",
        "def fibonacci(n):\n    if n < 2:\n        return n\n",
        "<|im_start|>user\nWhat is 17 times 3?<|im_end|>\n<|im_start|>assistant\n",
        "In 1905, Albert Einstein published four papers that",
    ]

    /// Compares every position; returns the max abs difference and the logit range.
    /// `path`/`cache`/`tier` choose Ponder's kernels, `rounding` what the reference rounds
    /// to match them.
    func compare(model url: URL, prompts: [[Int32]], label: String, path: MatMulPath = .float,
                 cache: KVCacheType = .f32, tiers: [Int32?] = [nil],
                 rounding: Oracle.Rounding = .exact, minTop1Agreement: Double = 1) throws -> Float {
        let model = try LlamaModel(path: url.path)
        let vocab = model.config.vocabSize
        let reference = try Oracle.logits(url, prompts: prompts, vocab: vocab, rounding: rounding)
        var worst: Float = 0
        var span: Float = 0
        var agree = 0, positions = 0
        for tier in tiers { for (p, prompt) in prompts.enumerated() {
            let label = tier.map { "\(label) tier \($0)" } ?? label
            let ctx = try LlamaContext(model: model, capacity: 256, cacheType: cache)
            ctx.matmulPath = path
            if let tier { ctx.kernelTier = tier }
            let ours = try ctx.evaluate(prompt, logits: .all)
            #expect(ours.count == reference[p].count)
            for pos in 0..<prompt.count {
                let a = argmax(ours, row: pos, width: vocab), b = argmax(reference[p], row: pos, width: vocab)
                positions += 1
                if a == b { agree += 1 }
                if minTop1Agreement >= 1 {
                    #expect(a == b, "\(label) prompt \(p) position \(pos): top-1 \(a) vs reference \(b)")
                }
            }
            for i in 0..<ours.count {
                worst = max(worst, abs(ours[i] - reference[p][i]))
                span = max(span, abs(reference[p][i]))
            }
        } }
        print("\(label): max |logit - reference| = \(worst) (largest |logit| \(span)), top-1 agrees at \(agree) of \(positions) positions")
        #expect(Double(agree) >= minTop1Agreement * Double(positions), "\(label): top-1 agrees at \(agree) of \(positions)")
        return worst
    }

    @Test("SmolLM2 Q8_0", .timeLimit(.minutes(10)))
    func smolQ8_0() throws {
        let url = try TestEnv.smolQ8_0
        let worst = try compare(model: url, prompts: try Oracle.tokenize(url, Self.texts), label: "SmolLM2 Q8_0")
        #expect(worst < 0.02)
    }

    @Test("SmolLM2 Q4_1", .timeLimit(.minutes(10)))
    func smolQ4_1() throws {
        let url = try TestEnv.smolQ4_1
        let worst = try compare(model: url, prompts: try Oracle.tokenize(url, Self.texts), label: "SmolLM2 Q4_1")
        #expect(worst < 0.02)
    }

    /// The mixed16 path: Q8_0 prefill on the 16-bit GEMM (activations rounded to int16 per
    /// block), on every tier (the scalar one has no such GEMM and takes BLAS), against the
    /// exact float reference with the float path's bound: int16 rounding is that close.
    @Test("SmolLM2 Q8_0, 16-bit prefill GEMM, every tier", .timeLimit(.minutes(10)))
    func smolQ8_0Gemm16() throws {
        let url = try TestEnv.smolQ8_0
        let worst = try compare(model: url, prompts: try Oracle.tokenize(url, Self.texts), label: "SmolLM2 Q8_0 mixed16",
                                path: .mixed16, tiers: Self.allTiers)
        #expect(worst < 0.02)
    }

    /// Every SIMD tier this CPU has (0 scalar reference, 1 AVX2, 2 AVX-512).
    static var allTiers: [Int32?] { (0...Int32(pk_max_tier())).map { $0 } }

    /// The int8 kernels (every projection's input rounded to Q8_0 / Q8_K) with an F16
    /// cache, on every kernel tier, against a reference that rounds the same values.
    ///
    /// Not bit-close like the float path: a rounding decision taken on a value that differs
    /// in its last float bit (summation order) moves that value by a whole step of its
    /// block, which on SmolLM2's outlier channels is large, and such flips compound over 30
    /// layers. Measured here: SmolLM2 max |diff| 1.4 on logits up to 41, top-1 equal at
    /// 66 of 70 positions (all tiers alike); the kernels themselves agree with the numpy
    /// rounding to 1e-6 (KernelsTests). So: bounded difference, top-1 at >= 90%.
    @Test("SmolLM2 Q4_1, int8 kernels, every tier", .timeLimit(.minutes(10)))
    func smolInt8() throws {
        let url = try TestEnv.smolQ4_1
        let worst = try compare(model: url, prompts: try Oracle.tokenize(url, Self.texts), label: "SmolLM2 Q4_1 int8",
                                path: .int8, cache: .f16, tiers: Self.allTiers, rounding: .int8, minTop1Agreement: 0.9)
        #expect(worst < 3)
    }

    @Test("Synthetic models, int8 kernels, every tier", arguments: ["synthetic-llama-mixed.gguf", "synthetic-llama-kquant.gguf"])
    func syntheticInt8(name: String) throws {
        let url = try TestEnv.model(name)
        let prompts: [[Int32]] = [[1, 5, 17, 300, 2, 9, 100, 511, 0, 42], Array(0..<40).map { Int32($0 * 7 % 512) }]
        let worst = try compare(model: url, prompts: prompts, label: "\(name) int8", path: .int8, cache: .f16,
                                tiers: Self.allTiers, rounding: .int8, minTop1Agreement: 0.95)
        #expect(worst < 0.05)   // measured 0.018 on logits up to 3.3
    }

    /// Query width 512 over hidden 256, key_length, GQA 8/2, rope_freqs.weight, untied
    /// output, and every 32-block and plain weight type (Q8_0 Q5_0 Q5_1 Q4_0 Q4_1 F16 BF16 F32).
    @Test("Synthetic Nemotron-shaped model, all legacy types")
    func syntheticMixed() throws {
        let url = try TestEnv.syntheticMixed
        let prompts: [[Int32]] = [[1, 5, 17, 300, 2, 9, 100, 511, 0, 42], Array(0..<40).map { Int32($0 * 7 % 512) }]
        let worst = try compare(model: url, prompts: prompts, label: "synthetic mixed")
        #expect(worst < 1e-3)
    }

    /// Q4_K / Q6_K weights (random blocks). Until K-quant dequantization lands in the GGUF
    /// module the model must fail to load with an error naming the tensor and its type.
    @Test("Synthetic K-quant model")
    func syntheticKQuant() throws {
        let url = try TestEnv.syntheticKQuant
        guard GGMLType.q4_K.isSupported && GGMLType.q6_K.isSupported else {
            #expect(throws: EngineError.unsupportedType(tensor: "token_embd.weight", type: "Q4_K")) {
                _ = try LlamaModel(path: url.path)
            }
            print("synthetic K-quant: K-quant dequantization not in the GGUF module yet; load refused by name")
            return
        }
        let prompts: [[Int32]] = [[1, 5, 17, 300, 2, 9, 100, 511, 0, 42]]
        let worst = try compare(model: url, prompts: prompts, label: "synthetic K-quant")
        #expect(worst < 1e-3)
    }
}
