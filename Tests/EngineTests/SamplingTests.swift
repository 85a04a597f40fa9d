import Foundation
import Testing
import Engine
import TestSupport

/// Sampler stages against numpy computations of the same filters, and seeded replies.
@Suite("Samplers")
struct SamplingTests {
    /// Kept ids after each filter, computed by numpy from the same logits.
    static let oracle = """
import json, sys
import numpy as np
req = json.load(sys.stdin)
l = np.asarray(req["logits"], np.float64)
def probs(x):
    e = np.exp(x - x.max()); return e / e.sum()
order = np.argsort(-l, kind="stable")
out = {}
out["topk"] = sorted(order[:req["k"]].tolist())
lt = l / req["temp"]
p = probs(lt)[order]
n = int(np.searchsorted(np.cumsum(p), req["p"]) + 1)
out["topp"] = sorted(order[:n].tolist())
pm = probs(l)
out["minp"] = sorted(np.nonzero(pm >= req["minp"] * pm.max())[0].tolist())
hist = req["history"]
pen = l.copy()
for t in set(hist):
    c = hist.count(t)
    v = pen[t]
    v = v / req["rep"] if v > 0 else v * req["rep"]
    pen[t] = v - req["pres"] - req["freq"] * c
out["penalized"] = pen.tolist()
print(json.dumps(out))
"""

    @Test("top-k, temperature + top-p, min-p and penalties keep what numpy keeps")
    func stagesAgreeWithNumpy() throws {
        var rng = Xoshiro256(seed: 7)
        let logits: [Float] = (0..<200).map { _ in Float(rng.nextUnit() * 12 - 6) }
        let history: [Int32] = [3, 5, 5, 9, 150, 3, 3]
        let req: [String: Any] = ["logits": logits.map(Double.init), "k": 17, "temp": 0.7, "p": 0.9,
                                  "minp": 0.05, "history": history.map(Int.init), "rep": 1.3, "pres": 0.5, "freq": 0.25]
        let reply = try JSONSerialization.jsonObject(
            with: runPython(Self.oracle, stdin: try JSONSerialization.data(withJSONObject: req))) as! [String: Any]

        func kept(_ stages: [any SamplerStage]) -> [Int] {
            var c = Candidates(logits: logits)
            for s in stages { s.apply(&c, history: history[...]) }
            return c.ids.map(Int.init).sorted()
        }
        #expect(kept([TopKStage(17)]) == reply["topk"] as! [Int])
        #expect(kept([TemperatureStage(0.7), TopPStage(0.9)]) == reply["topp"] as! [Int])
        #expect(kept([MinPStage(0.05)]) == reply["minp"] as! [Int])

        var c = Candidates(logits: logits)
        PenaltyStage(repeat_: 1.3, presence: 0.5, frequency: 0.25, window: 64).apply(&c, history: history[...])
        let want = reply["penalized"] as! [Double]
        #expect(zip(c.logits, want).allSatisfy { abs(Double($0) - $1) < 1e-4 })
        // A window of 3 sees only the last three tokens (150, 3, 3); presence counts once.
        var w = Candidates(logits: logits)
        PenaltyStage(repeat_: 1, presence: 1, window: 3).apply(&w, history: history[...])
        #expect(w.logits[150] == logits[150] - 1 && w.logits[3] == logits[3] - 1 && w.logits[5] == logits[5])
    }

    @Test("Random draws follow the softmax distribution")
    func drawFrequencies() {
        // p = softmax([0, ln 2, ln 3, -inf...]) = 1/6, 2/6, 3/6.
        let logits: [Float] = [0, Foundation.log(2), Foundation.log(3), -1e30, -1e30]
        var chain = SamplingParameters(temperature: 1, seed: 42).makeChain()
        var counts = [0, 0, 0, 0, 0]
        for _ in 0..<30_000 { counts[Int(chain.sample(logits))] += 1 }
        let f = counts.map { Double($0) / 30_000 }
        #expect(abs(f[0] - 1.0 / 6) < 0.015 && abs(f[1] - 2.0 / 6) < 0.015 && abs(f[2] - 3.0 / 6) < 0.015)
        #expect(counts[3] == 0 && counts[4] == 0)
    }

    @Test("A caller-supplied uniform draw picks by the inverse CDF; filters see untempered logits")
    func uniformDraw() {
        // softmax = 1/6, 2/6, 3/6; sorted: id 2 [0, .5), id 1 [.5, .833), id 0 [.833, 1).
        let logits: [Float] = [0, Foundation.log(2), Foundation.log(3)]
        let chain = SamplingParameters(temperature: 1).makeChain()
        #expect(chain.sample(logits, history: [], uniform: 0.1) == 2)
        #expect(chain.sample(logits, history: [], uniform: 0.6) == 1)
        #expect(chain.sample(logits, history: [], uniform: 0.9) == 0)
        // top-p 0.5 keeps only id 2 at temperature 1; a high temperature applied first
        // would flatten the distribution and keep two; llama.cpp's order keeps one.
        let hot = SamplingParameters(temperature: 5, topP: 0.5).makeChain()
        #expect(hot.sample(logits, history: [], uniform: 0.99) == 2)
    }

    @Test("Presets: thinking is temperature 0.6 / top-p 0.95, direct is greedy")
    func presets() {
        #expect(SamplingParameters.thinking.temperature == 0.6 && SamplingParameters.thinking.topP == 0.95)
        #expect(SamplingParameters.direct.makeChain().greedy)
        var g = SamplingParameters.direct.makeChain()
        #expect(g.sample([0.1, 3, 3, -2]) == 1)   // ties go to the lower id
    }

    func reply(_ ctx: LlamaContext, _ prompt: [Int32], seed: UInt64) async throws -> [Int32] {
        ctx.reset()
        var p = SamplingParameters.thinking
        p.seed = seed
        return try decode(ctx, prompt: prompt, n: 40, sampling: p)
    }

    @Test("Same seed: the same reply; different seeds: different replies", .timeLimit(.minutes(20)))
    func seeds() async throws {
        let url = try TestEnv.smolQ4_1
        let prompt = try Oracle.tokenize(url, ["Once upon a time, in a small village,"])[0]
        let ctx = try LlamaContext(model: try LlamaModel(path: url.path), capacity: 256)
        let a = try await reply(ctx, prompt, seed: 1)
        let b = try await reply(ctx, prompt, seed: 1)
        let c = try await reply(ctx, prompt, seed: 2)
        #expect(a == b)
        #expect(a != c)
        #expect(a.count == 40)
    }
}
