import Foundation
import Engine

/// The exact sampler configuration of one turn, as persisted: recorded with each turn
/// (and per mode in `SessionSettings`) so that a replay can regenerate it.
///
/// Two types, one sampler: this is the *persisted* shape (JSON in journals and session
/// files: Double fields, `maxTokens`, validation of hostile values); the Engine's
/// `SamplingParameters` is the *runtime* shape the sampler chain is built from. The only
/// conversion between them is in `SamplingSettings+Engine.swift`, and the presets are the
/// Engine's, converted there. The session draws its own uniforms (`SplitMix64` from the
/// turn's seed), so the Engine's `seed` is not part of this record.
///
/// JSON (version 1 of the session file):
///
///     {"temperature":0.6,"topK":0,"topP":0.95,"minP":0,"repetitionPenalty":1,
///      "repetitionWindow":64,"presencePenalty":0,"frequencyPenalty":0,"maxTokens":4096}
///
/// `presencePenalty` and `frequencyPenalty` came later: files written before them lack
/// the keys, which then read as 0 (off); every other key is required.
///
/// Order of application (llama.cpp order): penalties over the last `repetitionWindow`
/// tokens → top-k → top-p → min-p → temperature → draw.
/// `temperature == 0` means greedy (argmax); the filters are then ignored.
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
    /// How many recent tokens the penalties look at.
    public var repetitionWindow: Int
    /// Subtracted once from the logit of every token seen in the window; 0 = off.
    public var presencePenalty: Double
    /// Subtracted per occurrence in the window; 0 = off.
    public var frequencyPenalty: Double
    /// Generation stops after this many new tokens (stop reason `length`).
    public var maxTokens: Int

    public init(temperature: Double, topK: Int = 0, topP: Double = 1, minP: Double = 0,
                repetitionPenalty: Double = 1, repetitionWindow: Int = 64,
                presencePenalty: Double = 0, frequencyPenalty: Double = 0, maxTokens: Int = 4096) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.repetitionWindow = repetitionWindow
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.maxTokens = maxTokens
    }

    private enum CodingKeys: String, CodingKey {
        case temperature, topK, topP, minP, repetitionPenalty, repetitionWindow
        case presencePenalty, frequencyPenalty, maxTokens
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        temperature = try c.decode(Double.self, forKey: .temperature)
        topK = try c.decode(Int.self, forKey: .topK)
        topP = try c.decode(Double.self, forKey: .topP)
        minP = try c.decode(Double.self, forKey: .minP)
        repetitionPenalty = try c.decode(Double.self, forKey: .repetitionPenalty)
        repetitionWindow = try c.decode(Int.self, forKey: .repetitionWindow)
        // Absent in files written before the penalties were recorded: off.
        presencePenalty = try c.decodeIfPresent(Double.self, forKey: .presencePenalty) ?? 0
        frequencyPenalty = try c.decodeIfPresent(Double.self, forKey: .frequencyPenalty) ?? 0
        maxTokens = try c.decode(Int.self, forKey: .maxTokens)
    }

    /// Reasoning turns: the Engine's `thinking` preset (temperature 0.6, top-p 0.95, as
    /// NVIDIA recommends for Nemotron with thinking on).
    public static let thinking = SamplingSettings(SamplingParameters.thinking)
    /// Direct turns: the Engine's `direct` preset (greedy, as recommended with thinking off).
    public static let direct = SamplingSettings(SamplingParameters.direct)

    /// The preset for a reasoning mode.
    public static func preset(for mode: ReasoningMode) -> SamplingSettings {
        mode == .on ? .thinking : .direct
    }

    public var isGreedy: Bool { temperature <= 0 }

    /// One short line for the stats bar and notices: "greedy" or "temp 0.6 top_p 0.95",
    /// filters that are off left out ("top_k 40" only when on), e.g. "temp 0.8 rep 1.1".
    /// Up to 3 decimals, trailing zeros dropped ("0.7", "0.95", "1"): how sampler values
    /// are shown in the summary, the stats bar and /model.
    public static func shortNumber(_ x: Double) -> String {
        var s = String(format: "%.3f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    public var summary: String {
        let n = Self.shortNumber
        var parts: [String] = []
        if isGreedy { parts.append("greedy") } else {
            parts.append("temp \(n(temperature))")
            if topP < 1 { parts.append("top_p \(n(topP))") }
            if topK > 0 { parts.append("top_k \(topK)") }
            if minP > 0 { parts.append("min_p \(n(minP))") }
        }
        if repetitionPenalty != 1 { parts.append("rep \(n(repetitionPenalty))") }
        return parts.joined(separator: " ")
    }

    /// Nil when every field is in range, else a one-line reason (the first field's).
    public var validationError: String? {
        typealias R = SamplingRule
        if let e = R.temperature(temperature) ?? R.topK(topK) ?? R.topP(topP) ?? R.minP(minP)
            ?? R.repetitionPenalty(repetitionPenalty) { return e }
        if repetitionWindow < 0 || repetitionWindow > 1 << 20 { return "repetition window out of range" }
        if !presencePenalty.isFinite || abs(presencePenalty) > 100 { return "presence penalty must be in -100...100" }
        if !frequencyPenalty.isFinite || abs(frequencyPenalty) > 100 { return "frequency penalty must be in -100...100" }
        return R.maxTokens(maxTokens)
    }
}

/// The one range rule of each user-settable sampler field: nil when `value` is allowed,
/// else a one-line reason. The `/set` parser, the `chat` flags and the session loader
/// (`SamplingSettings.validationError`) all ask these, so a value one accepts is never
/// refused by another.
public enum SamplingRule {
    public static func temperature(_ v: Double) -> String? {
        v.isFinite && v >= 0 && v <= 100 ? nil : "temperature must be in 0...100"
    }
    public static func topP(_ v: Double) -> String? {
        v.isFinite && v > 0 && v <= 1 ? nil : "top-p must be in (0, 1]"
    }
    public static func topK(_ v: Int) -> String? {
        v >= 0 ? nil : "top-k must be ≥ 0"
    }
    public static func minP(_ v: Double) -> String? {
        v.isFinite && v >= 0 && v <= 1 ? nil : "min-p must be in [0, 1]"
    }
    public static func repetitionPenalty(_ v: Double) -> String? {
        v.isFinite && v > 0 && v <= 100 ? nil : "repetition penalty must be in (0, 100]"
    }
    public static func maxTokens(_ v: Int) -> String? {
        v >= 1 && v <= 1 << 24 ? nil : "max tokens must be in 1...16777216"
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
