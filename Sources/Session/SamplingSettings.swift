import Foundation

/// The exact sampler configuration of one turn, recorded with the turn so that a replay
/// can regenerate it. Provisional home: the Engine defines its own sampler chain and the
/// lead will map one onto the other.
///
/// Order of application (llama.cpp order): repetition penalty over the last
/// `repetitionWindow` tokens → top-k → top-p → min-p → temperature → draw.
/// `temperature == 0` means greedy (argmax); the other fields are then ignored.
public struct SamplingSettings: Codable, Sendable, Equatable, Hashable {
    /// Softmax temperature; 0 = greedy.
    public var temperature: Double
    /// Keep the k most likely tokens; 0 = off.
    public var topK: Int
    /// Nucleus: keep the smallest set whose probability reaches p; 1 = off.
    public var topP: Double
    /// Drop tokens below `minP × p(max)`; 0 = off.
    public var minP: Double
    /// Divide positive logits (multiply negative ones) of recent tokens by this; 1 = off.
    public var repetitionPenalty: Double
    /// How many recent tokens the repetition penalty looks at.
    public var repetitionWindow: Int
    /// Generation stops after this many new tokens (stop reason `length`).
    public var maxTokens: Int

    public init(temperature: Double, topK: Int = 0, topP: Double = 1, minP: Double = 0,
                repetitionPenalty: Double = 1, repetitionWindow: Int = 64, maxTokens: Int = 4096) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.repetitionWindow = repetitionWindow
        self.maxTokens = maxTokens
    }

    /// Reasoning turns: NVIDIA's recommendation for Nemotron with thinking on.
    public static let thinking = SamplingSettings(temperature: 0.6, topP: 0.95)
    /// Direct turns: greedy, as recommended with thinking off.
    public static let direct = SamplingSettings(temperature: 0)

    /// The preset for a reasoning mode.
    public static func preset(for mode: ReasoningMode) -> SamplingSettings {
        mode == .on ? .thinking : .direct
    }

    public var isGreedy: Bool { temperature <= 0 }

    /// Nil when every field is in range, else a one-line reason.
    public var validationError: String? {
        if !temperature.isFinite || temperature < 0 || temperature > 100 { return "temperature must be in 0...100" }
        if topK < 0 { return "top-k must be ≥ 0" }
        if !topP.isFinite || topP <= 0 || topP > 1 { return "top-p must be in (0, 1]" }
        if !minP.isFinite || minP < 0 || minP > 1 { return "min-p must be in [0, 1]" }
        if !repetitionPenalty.isFinite || repetitionPenalty <= 0 || repetitionPenalty > 100 {
            return "repetition penalty must be in (0, 100]"
        }
        if repetitionWindow < 0 || repetitionWindow > 1 << 20 { return "repetition window out of range" }
        if maxTokens < 1 || maxTokens > 1 << 24 { return "max tokens must be in 1...16777216" }
        return nil
    }
}

/// SplitMix64: the per-turn random source. One `nextUniform()` per sampled token, so a
/// turn's draws depend only on its recorded seed.
public struct SplitMix64: Sendable {
    public private(set) var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1) with 53 bits.
    public mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
