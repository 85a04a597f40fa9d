import Foundation
import TestSupport
import GGUF
import Kernels
import Engine

/// The independent numpy reference (Tests/Oracles/llama_reference.py): a llama forward
/// pass written from the model's math, dequantizing with the `gguf` package.
enum Oracle {
    static var script: URL { TestEnv.repoRoot.appendingPathComponent("Tests/Oracles/llama_reference.py") }

    /// Sends `request` (JSON object) about `model`; returns the decoded JSON reply.
    static func call(_ model: URL, _ request: [String: Any]) throws -> [String: Any] {
        let py = try TestEnv.python()
        let body = try JSONSerialization.data(withJSONObject: request)
        let r = try runProcess(py, [script.path, model.path], stdin: body, timeout: 1200)
        guard r.status == 0, !r.timedOut else {
            throw OracleError("reference failed (\(r.status)): \(r.stderrText)")
        }
        guard let obj = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any] else {
            throw OracleError("reference reply is not a JSON object: \(r.stdoutText)")
        }
        return obj
    }

    /// Token ids of `texts`, from a BPE tokenizer the `tokenizers` package builds out of the
    /// model's own vocabulary and merges (no dependency on Ponder's tokenizer).
    static func tokenize(_ model: URL, _ texts: [String]) throws -> [[Int32]] {
        let reply = try call(model, ["mode": "tokenize", "texts": texts])
        return try ints2(reply["tokens"])
    }

    /// How the reference rounds what Ponder's kernels round: `activations` "float",
    /// "int8" or "mixed" (projection inputs as the int8 kernels see them: in every call,
    /// or as `MatMulPath.mixed` takes them) and `kv` "f32" or "f16" (the cache's type).
    /// `mixedInt8Types`: the ggml types "mixed" also rounds in every call (the 32-block
    /// types `MatMulPath.mixedPrefillIsInt8` names on the active tier: Q4_0 and Q4_1 where
    /// it has their x8 kernels, Q8_0 on AVX-512 VNNI).
    struct Rounding {
        var activations = "float"
        var kv = "f32"
        var mixedInt8Types: [Int] = []
        /// Exact float math: `LlamaContext` with `.float` projections and an F32 cache.
        static let exact = Rounding()
        /// Ponder's defaults (`MatMulPath.mixed`, F16 cache) on the active Kernels tier.
        static var defaults: Rounding {
            let int8 = [GGMLType.q4_0, .q4_1, .q5_0, .q5_1, .q8_0].filter { MatMulPath.mixedPrefillIsInt8($0) }
            return Rounding(activations: "mixed", kv: "f16", mixedInt8Types: int8.map { Int($0.rawValue) })
        }
        /// The int8 kernels everywhere (`MatMulPath.int8`) and an F16 cache.
        static let int8 = Rounding(activations: "int8", kv: "f16")
        var json: [String: Any] { ["activations": activations, "kv": kv, "mixed_int8_types": mixedInt8Types] }
    }

    /// Every position's logits for each prompt: [prompt][(n, vocab) row-major].
    static func logits(_ model: URL, prompts: [[Int32]], vocab: Int, rounding: Rounding = .exact) throws -> [[Float]] {
        let out = FileManager.default.temporaryDirectory
            .appendingPathComponent("ponder-ref-\(UUID().uuidString).f32")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try call(model, ["mode": "logits", "prompts": prompts.map { $0.map(Int.init) }, "out": out.path]
                     .merging(rounding.json) { a, _ in a })
        let data = try Data(contentsOf: out)
        let all: [Float] = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        var result: [[Float]] = []
        var at = 0
        for p in prompts {
            let n = p.count * vocab
            guard at + n <= all.count else { throw OracleError("short reference logits") }
            result.append(Array(all[at..<(at + n)]))
            at += n
        }
        return result
    }

    /// The reference's greedy continuation of each prompt, `n` tokens.
    static func greedy(_ model: URL, prompts: [[Int32]], n: Int, rounding: Rounding = .defaults) throws -> [[Int32]] {
        let reply = try call(model, ["mode": "greedy", "prompts": prompts.map { $0.map(Int.init) }, "n": n]
                                 .merging(rounding.json) { a, _ in a })
        return try ints2(reply["tokens"])
    }

    /// llama.cpp-style perplexity over `tokens` with chunks of `ctx`, first `chunks` chunks,
    /// with the reference's arithmetic rounded as `rounding` says.
    static func perplexity(_ model: URL, tokens: [Int32], ctx: Int, chunks: Int,
                           rounding: Rounding = .exact) throws -> (ppl: Double, chunkNLL: [Double]) {
        let reply = try call(model, ["mode": "perplexity", "tokens": tokens.map(Int.init), "ctx": ctx, "chunks": chunks]
                             .merging(rounding.json) { a, _ in a })
        guard let ppl = reply["ppl"] as? Double, let nll = reply["chunk_nll"] as? [Double] else {
            throw OracleError("bad perplexity reply \(reply)")
        }
        return (ppl, nll)
    }

    private static func ints2(_ v: Any?) throws -> [[Int32]] {
        guard let a = v as? [[Int]] else { throw OracleError("expected [[Int]], got \(String(describing: v))") }
        return a.map { $0.map { Int32($0) } }
    }
}

/// Index of the largest value in row `r` of a (rows, width) matrix (lowest index on ties).
func argmax(_ m: [Float], row r: Int, width: Int) -> Int {
    var best = 0
    for i in 1..<width where m[r * width + i] > m[r * width + best] { best = i }
    return best
}

/// Test models in the cache written by scripts/make_test_models.py.
extension TestEnv {
    static var syntheticMixed: URL { get throws { try model("synthetic-llama-mixed.gguf") } }
    static var syntheticKQuant: URL { get throws { try model("synthetic-llama-kquant.gguf") } }
}

/// A failure of the reference or of a fixture script (the test fails with its message).
struct OracleError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
