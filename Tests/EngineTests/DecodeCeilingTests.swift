import Foundation
import Testing
import Engine
import GGUF
import TestSupport

/// `LlamaContext.decodeCeiling` (`ponder bench`'s compute ceiling) on the real SmolLM2:
/// every projection a token reads is counted once, under its kind.
@Suite struct DecodeCeilingTests {
    /// Bytes of the matrices one decode step multiplies, from the file's tensor list:
    /// each layer's seven projections and the output (the embedding when tied).
    static func projectionBytes(_ file: GGUFFile) -> Int {
        let suffixes = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"].map { ".\($0).weight" }
        let output = file.tensor(named: "output.weight") ?? file.tensor(named: "token_embd.weight")
        return file.tensors.filter { t in t.name.hasPrefix("blk.") && suffixes.contains { t.name.hasSuffix($0) } }
            .reduce(output?.byteCount ?? 0) { $0 + $1.byteCount }
    }

    @Test(arguments: ["SmolLM2-135M-Instruct.Q4_1.gguf", "SmolLM2-135M-Instruct.Q8_0.gguf"])
    func everyProjectionIsCountedOnce(file name: String) throws {
        let model = try LlamaModel(path: try TestEnv.model(name).path)
        let ctx = try LlamaContext(model: model, capacity: 16)
        ctx.matmulPath = .mixed
        let ceiling = try #require(ctx.decodeCeiling(seconds: 0.02))
        #expect(ceiling.rates.map(\.bytesPerToken).reduce(0, +) == Self.projectionBytes(model.file))
        #expect(Set(ceiling.rates.map(\.label)).count == ceiling.rates.count, "one entry per kind")
        #expect(ceiling.rates.allSatisfy { $0.gbPerSecond > 0 && $0.gbPerSecond.isFinite })
        #expect(ceiling.tokensPerSecond > 0 && ceiling.tokensPerSecond.isFinite)
    }

    @Test func theFloatPathHasNoCeiling() throws {
        let model = try LlamaModel(path: try TestEnv.smolQ4_1.path)
        let ctx = try LlamaContext(model: model, capacity: 16)
        ctx.matmulPath = .float
        #expect(ctx.decodeCeiling(seconds: 0.02) == nil)
    }
}
