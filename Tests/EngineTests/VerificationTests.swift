import Foundation
import Testing
@testable import Engine
import TestSupport
import Kernels

/// Speculative decoding's engine half: a batch evaluated with `decodeArithmetic` gives at
/// every position bitwise the logits of evaluating it one token at a time (the oracle is
/// the decode step itself, on the same tier), and cutting such a batch back leaves the
/// context as if only the kept tokens had ever been evaluated.
@Suite("Speculative verification")
struct VerificationTests {
    /// A prompt-like sequence and the tokens that follow it (ids below every test model's vocabulary).
    static let prompt: [Int32] = (0..<24).map { Int32(($0 * 7919 + 13) % 500) }
    static let batch: [Int32] = [17, 250, 3, 3, 499, 42, 1, 77, 128]

    static func models() throws -> [(String, URL)] {
        [("SmolLM2 Q8_0", try TestEnv.smolQ8_0), ("SmolLM2 Q4_1", try TestEnv.smolQ4_1),
         ("synthetic K-quant", try TestEnv.syntheticKQuant), ("synthetic mixed", try TestEnv.syntheticMixed)]
    }

    @Test("Every row of a decode-arithmetic batch is bitwise a decode step's, on every tier and path",
          .timeLimit(.minutes(20)))
    func batchRowsAreDecodeSteps() throws {
        // The control: a plain batch of 9 (prefill arithmetic) is not bitwise the steps.
        var plainBatchDiffered = false
        for (name, url) in try Self.models() {
            let model = try LlamaModel(path: url.path)
            let vocab = model.config.vocabSize
            for tier in Int32(0)...Int32(pk_max_tier()) {
                for path in [MatMulPath.mixed, .float] {
                    // 3 tokens: one short call; 9: past the four-column kernels and the
                    // K-quant GEMM's threshold (8 columns).
                    for n in [3, Self.batch.count] {
                        let tokens = Array(Self.batch.prefix(n))
                        let stepped = try LlamaContext(model: model, capacity: 64)
                        let batched = try LlamaContext(model: model, capacity: 64)
                        for c in [stepped, batched] { c.kernelTier = tier; c.matmulPath = path }
                        try stepped.evaluate(Self.prompt)
                        try batched.evaluate(Self.prompt)
                        var expected: [UInt32] = []
                        for t in tokens {
                            try stepped.step(t)
                            expected += stepped.lastLogits!.map(\.bitPattern)
                        }
                        let rows = try batched.evaluate(tokens, logits: .all, decodeArithmetic: true)
                        #expect(rows.count == n * vocab)
                        let got = rows.map(\.bitPattern)
                        let firstDiff = got.indices.first { got[$0] != expected[$0] }.map { $0 / vocab }
                        #expect(firstDiff == nil, "\(name), tier \(tier), \(path), \(n) tokens: row \(firstDiff ?? -1) differs")
                        #expect(batched.tokens == stepped.tokens)
                        if n == Self.batch.count && path == .mixed {
                            let plain = try LlamaContext(model: model, capacity: 64)
                            plain.kernelTier = tier
                            try plain.evaluate(Self.prompt)
                            plainBatchDiffered = try plainBatchDiffered || plain.evaluate(tokens, logits: .all).map(\.bitPattern) != expected
                        }
                    }
                }
            }
        }
        #expect(plainBatchDiffered)
    }

    @Test("Cutting a verified batch back leaves the cache and what follows as if it had never been drafted",
          .timeLimit(.minutes(20)))
    func rollbackIsBitIdentical() throws {
        for (name, url) in try Self.models().prefix(2) {
            let model = try LlamaModel(path: url.path)
            let vocab = model.config.vocabSize
            for tier in Int32(0)...Int32(pk_max_tier()) {
                // Drafted: the prompt, then a batch of 6 of which 2 are kept.
                let drafted = try LlamaContext(model: model, capacity: 64)
                drafted.kernelTier = tier
                try drafted.evaluate(Self.prompt)
                let base = drafted.count
                let rows = try drafted.evaluate(Array(Self.batch.prefix(6)), logits: .all, decodeArithmetic: true)
                drafted.truncate(to: base + 2, lastLogits: rows[vocab..<(2 * vocab)])
                // Never drafted: the prompt, then the 2 kept tokens one step at a time.
                let plain = try LlamaContext(model: model, capacity: 64)
                plain.kernelTier = tier
                try plain.evaluate(Self.prompt)
                for t in Self.batch.prefix(2) { try plain.step(t) }

                let a = drafted.snapshot(), b = plain.snapshot()
                #expect(a.tokens == b.tokens, "\(name), tier \(tier)")
                #expect(a.keys == b.keys && a.values == b.values, "\(name), tier \(tier): cached rows differ")
                #expect(drafted.lastLogits!.map(\.bitPattern) == plain.lastLogits!.map(\.bitPattern))
                // What follows: a step, and another verified batch over the rolled-back rows.
                for t: Int32 in [5, 400] {
                    try drafted.step(t); try plain.step(t)
                    #expect(drafted.lastLogits!.map(\.bitPattern) == plain.lastLogits!.map(\.bitPattern), "\(name), tier \(tier), after \(t)")
                }
                let more: [Int32] = [9, 8, 7, 6]
                let x = try drafted.evaluate(more, logits: .all, decodeArithmetic: true)
                let y = try plain.evaluate(more, logits: .all, decodeArithmetic: true)
                #expect(x.map(\.bitPattern) == y.map(\.bitPattern), "\(name), tier \(tier): a batch after the rollback")
            }
        }
    }
}
