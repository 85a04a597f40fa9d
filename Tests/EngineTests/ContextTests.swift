import Foundation
import Testing
import Engine
import TestSupport
import Kernels

/// KV-cache behaviour: batch vs token-by-token, truncation, overflow. (Cancelling a
/// reply is the Session turn loop's: TurnLoopTests.)
@Suite("Context and KV cache")
struct ContextTests {
    static func smol() throws -> LlamaModel { try LlamaModel(path: try TestEnv.smolQ4_1.path) }
    /// A fixed, prompt-like token sequence (ids below SmolLM2's 49152).
    static let tokens: [Int32] = (0..<48).map { Int32(($0 * 7919 + 13) % 49152) }

    func maxDiff(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// On the float path, on SmolLM2 Q4_1 and on llama.cpp's IQ3_S mix of it (IQ3_S,
    /// IQ4_NL, Q8_0: prefill on dequantized tiles, decode on the fused or tile kernels),
    /// within float-order noise, which the same decode on the next tier down measures.
    /// (The int8 kernels are not float-close between the two: the
    /// attention sums in another order, a last-bit difference can flip an int8 rounding of
    /// an outlier block, and SmolLM2 amplifies that to ~1 on its logits; see
    /// LogitsMatchReferenceTests.smolInt8 for how the int8 path is held to a reference.)
    @Test("Prefill of many tokens gives the same logits as one token at a time",
          arguments: [MatMulPath.float], ["SmolLM2-135M-Instruct.Q4_1.gguf", "SmolLM2-135M-Instruct.IQ3_S.gguf"])
    func prefillVersusDecode(path: MatMulPath, file: String) throws {
        let model = try LlamaModel(path: try TestEnv.model(file).path)
        let vocab = model.config.vocabSize
        let batch = try LlamaContext(model: model, capacity: 64)
        batch.matmulPath = path
        let all = try batch.evaluate(Self.tokens, logits: .all)
        let single = try LlamaContext(model: model, capacity: 64)
        single.matmulPath = path
        // The same decode on the next tier down: the two differ only in float order, which
        // sets the scale of the noise (nil on a CPU with the scalar tier alone).
        let lower: LlamaContext? = single.kernelTier > 0 ? try LlamaContext(model: model, capacity: 64) : nil
        lower?.matmulPath = path
        lower?.kernelTier = single.kernelTier - 1
        var worst: Float = 0, tiers: Float = 0
        for (i, t) in Self.tokens.enumerated() {
            let l = try single.evaluate([t])
            worst = max(worst, maxDiff(all[(i * vocab)..<((i + 1) * vocab)], l[...]))
            if let o = try lower?.evaluate([t]) { tiers = max(tiers, maxDiff(o[...], l[...])) }
            #expect(argmax(all, row: i, width: vocab) == argmax(l, row: 0, width: vocab), "position \(i)")
        }
        print("\(file) prefill vs token-by-token: max |diff| = \(worst); decode on tier \(single.kernelTier) vs \(single.kernelTier - 1): \(tiers)")
        // Logits up to ~41; the two attentions and projections sum in different orders
        // (BLAS on dequantized tiles vs the decode kernels) and the SIMD softmax's exp
        // differs in its last bit. How far that moves the logits depends on the CPU's tier
        // and BLAS build: on the IQ3_S mix 0.019 (Intel Xeon, AVX-512) and 0.027 (AMD EPYC
        // Zen 3, AVX2, where decode's AVX2 and scalar tiers differ by 0.015; on Q4_1 0.009
        // and 0.012). So the bound is 0.02 or three times the two decode tiers' difference:
        // a wrong position, row or tile moves logits by tenths to units.
        #expect(worst < max(0.02, 3 * tiers), "decode tiers differ by \(tiers)")
    }

    @Test("Batches longer than the micro-batch and split evaluations agree")
    func splitEvaluation() throws {
        let model = try Self.smol()
        let vocab = model.config.vocabSize
        let long: [Int32] = (0..<(LlamaContext.microBatch + 88)).map { Int32(($0 * 104_729 + 5) % 49152) }
        let one = try LlamaContext(model: model, capacity: 1024)
        let two = try LlamaContext(model: model, capacity: 1024)
        one.matmulPath = .float; two.matmulPath = .float   // the same kernels for all batch sizes
        let a = try one.evaluate(long, logits: .from(long.count - 3))
        try two.evaluate(Array(long[..<300]))
        let b = try two.evaluate(Array(long[300...]), logits: .from(long.count - 300 - 3))
        #expect(a.count == 3 * vocab && b.count == 3 * vocab)
        #expect(maxDiff(a[...], b[...]) < 0.01)
        #expect(one.count == long.count && two.count == long.count)
    }

    @Test("truncate(to:) then new tokens equals evaluating the new sequence afresh")
    func truncateReusesPrefix() throws {
        let model = try Self.smol()
        let ctx = try LlamaContext(model: model, capacity: 128)
        ctx.matmulPath = .float   // the 4-token tail and the fresh 24 take the same kernels
        try ctx.evaluate(Self.tokens)
        ctx.truncate(to: 20)
        #expect(ctx.count == 20 && ctx.lastLogits == nil)
        let tail: [Int32] = [100, 200, 300, 400]
        let reused = try ctx.evaluate(tail)
        let freshCtx = try LlamaContext(model: model, capacity: 128)
        freshCtx.matmulPath = .float
        let fresh = try freshCtx.evaluate(Array(Self.tokens[..<20]) + tail)
        #expect(maxDiff(reused[...], fresh[...]) < 0.01)
        // reuse(prefixOf:) keeps the common prefix and returns the rest.
        let rest = ctx.reuse(prefixOf: Array(Self.tokens[..<20]) + [100, 200, 999])
        #expect(rest == [999] && ctx.count == 22)
    }

    @Test("snapshot() and restore() bring a cache back exactly")
    func snapshotRestore() throws {
        let model = try Self.smol()
        let ctx = try LlamaContext(model: model, capacity: 128)
        let before = try ctx.evaluate(Array(Self.tokens[..<24]))
        let snap = ctx.snapshot()
        #expect(snap.tokens == Array(Self.tokens[..<24]))
        #expect(snap.byteCount == 24 * 30 * (192 + 192) * ctx.cacheType.byteWidth)
        ctx.truncate(to: 3)
        try ctx.evaluate([7, 8, 9, 10])
        try ctx.restore(snap)
        #expect(ctx.tokens == snap.tokens)
        #expect(ctx.lastLogits.map { $0.elementsEqual(before) } == true)
        let next = try ctx.evaluate(Array(Self.tokens[24...]))
        let other = try LlamaContext(model: model, capacity: 128)
        try other.evaluate(Array(Self.tokens[..<24]))
        let fresh = try other.evaluate(Array(Self.tokens[24...]))
        // Same rows, same batches, same order of operations: bit-identical.
        #expect(next.elementsEqual(fresh), "max |diff| \(maxDiff(next[...], fresh[...]))")
        let small = try LlamaContext(model: model, capacity: 16)
        #expect(throws: EngineError.contextFull(needed: 24, capacity: 16)) { try small.restore(snap) }
    }

    @Test("A prompt longer than the context is a clear error and changes nothing")
    func promptTooLong() throws {
        let model = try Self.smol()
        let ctx = try LlamaContext(model: model, capacity: 16)
        #expect(throws: EngineError.contextFull(needed: 48, capacity: 16)) {
            try ctx.evaluate(Self.tokens)
        }
        #expect(ctx.count == 0)
        #expect("\(EngineError.contextFull(needed: 48, capacity: 16))".contains("--ctx"))
        try ctx.evaluate(Array(Self.tokens[..<16]))
        #expect(throws: EngineError.contextFull(needed: 17, capacity: 16)) { try ctx.evaluate([1]) }
        #expect(throws: EngineError.invalidToken(id: 49152, vocabularySize: 49152)) {
            try LlamaContext(model: model, capacity: 16).evaluate([49152])
        }
    }

    @Test("ponder run: prompt longer than --ctx exits 1 with one line")
    func runPromptTooLong() throws {
        let url = try TestEnv.smolQ4_1
        let r = try runProcess(try TestEnv.ponderBinary(),
                               ["run", "--model", url.path, "--ctx", "8", "--tokens", "1,2,3,4,5,6,7,8,9,10"])
        #expect(r.status == 1 && !r.signaled)
        let lines = r.stderrText.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("10 tokens") && lines[0].contains("8"))
    }

    /// Decode steps fill the context to its last position; one more is refused and
    /// changes nothing. (Stopping a reply there is the Session's turn loop's job:
    /// TurnLoopTests.contextFull.)
    @Test("Steps fill the context exactly; the next is .contextFull")
    func stepsFillContext() throws {
        let model = try Self.smol()
        let ctx = try LlamaContext(model: model, capacity: 12)
        let generated = try decode(ctx, prompt: Array(Self.tokens[..<8]), n: 5)
        #expect(ctx.count == 12)
        #expect(ctx.tokens == Array(Self.tokens[..<8]) + generated.prefix(4))
        let logits = ctx.lastLogits
        #expect(throws: EngineError.contextFull(needed: 13, capacity: 12)) { try ctx.step(generated[4]) }
        #expect(ctx.count == 12 && ctx.lastLogits == logits)
    }

    @Test("KV cache memory is reported and follows the context length")
    func cacheMemory() throws {
        let model = try Self.smol()
        let c = model.config
        #expect(LlamaContext.defaultCapacity(for: model) == min(c.contextLength, 8192))
        // SmolLM2: 30 layers, 3 KV heads of 64 for keys and values, F16 or Float32.
        for (type, width) in [(KVCacheType.f16, 2), (.f32, 4)] {
            let ctx = try LlamaContext(model: model, capacity: 1000, cacheType: type)
            #expect(ctx.cacheBytes == 30 * 1000 * (192 + 192) * width)
            #expect(LlamaContext.cacheBytes(for: model, capacity: 1000, type: type) == ctx.cacheBytes)
        }
        #expect(throws: EngineError.self) { try LlamaContext(model: model, capacity: 0) }
    }
}

/// K-quant matrices repacked for the decode kernels (`X8Weights`) give the same bits as
/// the file's layout: prefill (40 tokens), then single-token decode steps, on every tier;
/// and a model repacked later, between the prompt and the decode steps, too.
@Suite("Row-interleaved K-quant weights")
struct RepackTests {
    @Test(arguments: [X8Weights.Mode.now, .later])
    func repackedModelGivesTheSameLogits(mode: X8Weights.Mode) throws {
        let url = try TestEnv.syntheticKQuant
        let plain = try LlamaModel(path: url.path, repack: .off)
        #expect(plain.repackableMatrices == 0 && plain.repackedMatrices == 0)
        let prompt: [Int32] = (0..<40).map { Int32($0 * 7 % 512) }
        for tier in Int32(0)...Int32(pk_max_tier()) {
            let packed = try LlamaModel(path: url.path, repack: mode)
            // Every projection (7 per layer) and the untied output are Q4_K/Q6_K with rows a multiple of 8.
            let slots = pk_x8_supports(pk_active_tier(), Int32(PK_Q4_K.rawValue)) != 0 ? 7 * packed.config.layerCount + 1 : 0
            #expect(packed.repackableMatrices == slots)
            #expect(packed.repackedMatrices == (mode == .now ? slots : 0))
            let a = try LlamaContext(model: packed, capacity: 64), b = try LlamaContext(model: plain, capacity: 64)
            a.kernelTier = tier
            b.kernelTier = tier
            #expect(try a.evaluate(prompt).map(\.bitPattern) == (try b.evaluate(prompt)).map(\.bitPattern), "prefill, tier \(tier)")
            if mode == .later {
                var calls = 0
                let bytes = packed.repack { done, total in calls += 1; return done <= total }
                #expect(packed.repackedMatrices == slots && calls == slots && (slots == 0) == (bytes == 0))
                #expect(packed.repack() == 0, "nothing left to pack")
            }
            for t: Int32 in [3, 99, 250, 7, 511] {
                #expect(try a.evaluate([t]).map(\.bitPattern) == (try b.evaluate([t])).map(\.bitPattern), "decode, tier \(tier)")
            }
        }
    }
}
