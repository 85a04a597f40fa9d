import Foundation

/// The tokens still in the running, with their (processed) logits.
/// Invariant: `ids.count == logits.count`; once `sorted`, logits descend.
public struct Candidates: Sendable {
    public var ids: [Int32]
    public var logits: [Float]
    public var sorted = false

    public init(logits: [Float]) {
        self.logits = logits
        ids = (0..<Int32(logits.count)).map { $0 }
    }

    /// Sorts by descending logit (ties: lower id first, so results are deterministic).
    public mutating func sortDescending() {
        guard !sorted else { return }
        let order = ids.indices.sorted { a, b in
            logits[a] != logits[b] ? logits[a] > logits[b] : ids[a] < ids[b]
        }
        ids = order.map { ids[$0] }
        logits = order.map { logits[$0] }
        sorted = true
    }

    /// Keeps the first `n` (after sorting).
    mutating func keepPrefix(_ n: Int) {
        let n = max(1, min(n, ids.count))
        ids.removeSubrange(n...)
        logits.removeSubrange(n...)
    }

    /// Probabilities of the candidates (softmax of the logits), in candidate order.
    public func probabilities() -> [Double] {
        guard let mx = logits.max() else { return [] }
        let e = logits.map { Foundation.exp(Double($0 - mx)) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
}

/// One step of a sampler chain: rewrites or filters the candidates.
/// `history` is the tokens generated or seen so far (most recent last).
public protocol SamplerStage: Sendable {
    func apply(_ c: inout Candidates, history: ArraySlice<Int32>)
}

/// Repetition (llama.cpp style: divide positive logits, multiply negative ones),
/// presence and frequency penalties over the last `window` tokens of the history.
public struct PenaltyStage: SamplerStage {
    public var repeat_: Float, presence: Float, frequency: Float, window: Int
    public init(repeat_: Float = 1, presence: Float = 0, frequency: Float = 0, window: Int = 64) {
        self.repeat_ = repeat_; self.presence = presence; self.frequency = frequency; self.window = window
    }
    public func apply(_ c: inout Candidates, history: ArraySlice<Int32>) {
        guard window > 0, !history.isEmpty else { return }
        var counts: [Int32: Int] = [:]
        for t in history.suffix(window) { counts[t, default: 0] += 1 }
        for i in c.ids.indices {
            guard let n = counts[c.ids[i]] else { continue }
            var l = c.logits[i]
            if repeat_ != 1 { l = l > 0 ? l / repeat_ : l * repeat_ }
            l -= presence + frequency * Float(n)
            c.logits[i] = l
        }
        c.sorted = false
    }
}

/// Divides logits by the temperature (> 0).
public struct TemperatureStage: SamplerStage {
    public var temperature: Float
    public init(_ t: Float) { temperature = t }
    public func apply(_ c: inout Candidates, history: ArraySlice<Int32>) {
        guard temperature > 0, temperature != 1 else { return }
        for i in c.logits.indices { c.logits[i] /= temperature }
    }
}

/// Keeps the `k` most likely candidates.
public struct TopKStage: SamplerStage {
    public var k: Int
    public init(_ k: Int) { self.k = k }
    public func apply(_ c: inout Candidates, history: ArraySlice<Int32>) {
        guard k > 0, k < c.ids.count else { return }
        c.sortDescending()
        c.keepPrefix(k)
    }
}

/// Keeps the smallest most-likely set whose probability reaches `p`.
public struct TopPStage: SamplerStage {
    public var p: Double
    public init(_ p: Double) { self.p = p }
    public func apply(_ c: inout Candidates, history: ArraySlice<Int32>) {
        guard p < 1 else { return }
        c.sortDescending()
        var acc = 0.0, keep = c.ids.count
        for (i, q) in c.probabilities().enumerated() {
            acc += q
            if acc >= p { keep = i + 1; break }
        }
        c.keepPrefix(keep)
    }
}

/// Keeps candidates whose probability is at least `p` times the top one's.
public struct MinPStage: SamplerStage {
    public var p: Float
    public init(_ p: Float) { self.p = p }
    public func apply(_ c: inout Candidates, history: ArraySlice<Int32>) {
        guard p > 0, let mx = c.logits.max() else { return }
        let cut = mx + Foundation.log(p)   // prob ratio >= p  <=>  logit >= max + ln p
        c.sortDescending()
        let keep = c.logits.firstIndex { $0 < cut } ?? c.logits.count
        c.keepPrefix(keep)
    }
}

/// A chain of stages and a final choice: greedy (argmax) or a seeded random draw.
/// A value: copy it to fork the random state; `sample` advances its generator.
public struct SamplerChain: Sendable {
    public var stages: [any SamplerStage]
    public var greedy: Bool
    public var rng: Xoshiro256

    public init(stages: [any SamplerStage], greedy: Bool, seed: UInt64) {
        self.stages = stages
        self.greedy = greedy
        rng = Xoshiro256(seed: seed)
    }

    /// Picks the next token from `logits` (vocab floats) given the `history`.
    public mutating func sample(_ logits: [Float], history: ArraySlice<Int32> = []) -> Int32 {
        // Greedy with no stages: the argmax, without copying the vocabulary (the decode
        // loop's common case allocates nothing). Same tie rule: the lowest id wins.
        if greedy && stages.isEmpty { return Self.argmax(logits) }
        var c = Candidates(logits: logits)
        for s in stages { s.apply(&c, history: history) }
        if greedy { return Self.argmax(c) }
        return Self.draw(c, uniform: rng.nextUnit())
    }

    /// Like `sample`, but the random draw `uniform` in [0, 1) comes from the caller (a
    /// session that records its own generator); the chain's generator is not used.
    public func sample(_ logits: [Float], history: ArraySlice<Int32>, uniform: Double) -> Int32 {
        if greedy && stages.isEmpty { return Self.argmax(logits) }
        var c = Candidates(logits: logits)
        for s in stages { s.apply(&c, history: history) }
        return greedy ? Self.argmax(c) : Self.draw(c, uniform: uniform)
    }

    static func argmax(_ logits: [Float]) -> Int32 {
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        return Int32(best)
    }

    static func argmax(_ c: Candidates) -> Int32 {
        var best = 0
        for i in c.logits.indices where c.logits[i] > c.logits[best] || (c.logits[i] == c.logits[best] && c.ids[i] < c.ids[best]) { best = i }
        return c.ids[best]
    }

    /// Inverse-CDF draw over the candidates sorted by descending probability.
    static func draw(_ c: Candidates, uniform u: Double) -> Int32 {
        var c = c
        c.sortDescending()
        let probs = c.probabilities()
        var acc = 0.0
        for (i, q) in probs.enumerated() {
            acc += q
            if u < acc { return c.ids[i] }
        }
        return c.ids[c.ids.count - 1]
    }
}

/// Per-request sampling settings; `makeChain()` turns them into a `SamplerChain`.
public struct SamplingParameters: Sendable, Equatable {
    /// 0 means greedy.
    public var temperature: Float = 0
    public var topK: Int = 0          // 0: off
    public var topP: Double = 1       // 1: off
    public var minP: Float = 0        // 0: off
    public var repeatPenalty: Float = 1
    public var presencePenalty: Float = 0
    public var frequencyPenalty: Float = 0
    public var penaltyWindow: Int = 64
    public var seed: UInt64 = 0

    public init(temperature: Float = 0, topK: Int = 0, topP: Double = 1, minP: Float = 0,
                repeatPenalty: Float = 1, presencePenalty: Float = 0, frequencyPenalty: Float = 0,
                penaltyWindow: Int = 64, seed: UInt64 = 0) {
        self.temperature = temperature; self.topK = topK; self.topP = topP; self.minP = minP
        self.repeatPenalty = repeatPenalty; self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty; self.penaltyWindow = penaltyWindow; self.seed = seed
    }

    /// Nemotron's card for reasoning on: temperature 0.6, top-p 0.95.
    public static let thinking = SamplingParameters(temperature: 0.6, topP: 0.95)
    /// Nemotron's card for reasoning off: greedy.
    public static let direct = SamplingParameters()

    public func makeChain() -> SamplerChain {
        var stages: [any SamplerStage] = []
        if repeatPenalty != 1 || presencePenalty != 0 || frequencyPenalty != 0 {
            stages.append(PenaltyStage(repeat_: repeatPenalty, presence: presencePenalty,
                                       frequency: frequencyPenalty, window: penaltyWindow))
        }
        guard temperature > 0 else { return SamplerChain(stages: stages, greedy: true, seed: seed) }
        // llama.cpp's order: the filters see the untempered distribution, temperature last.
        if topK > 0 { stages.append(TopKStage(topK)) }
        if topP < 1 { stages.append(TopPStage(topP)) }
        if minP > 0 { stages.append(MinPStage(minP)) }
        stages.append(TemperatureStage(temperature))
        return SamplerChain(stages: stages, greedy: false, seed: seed)
    }
}
