/// One sampler value changed by the user (`/set NAME VALUE`, a `chat` flag), already
/// checked by `SamplingRule`.
public enum SamplerSetting: Sendable, Equatable {
    case temperature(Double)
    case topP(Double)
    case topK(Int)             // 0 = off
    case minP(Double)
    case repetitionPenalty(Double)
    case maxTokens(Int)
    /// The base seed, shared by both modes (turn i uses seed + i).
    case seed(UInt64)
}

extension SessionSettings {
    /// Applies `change` to the sampler of `mode` only (the seed to both modes): a change
    /// made while thinking leaves direct turns as they were.
    public mutating func apply(_ change: SamplerSetting, mode: ReasoningMode) {
        func edit(_ body: (inout SamplingSettings) -> Void) {
            if mode == .on { body(&samplingOn) } else { body(&samplingOff) }
        }
        switch change {
        case .temperature(let t): edit { $0.temperature = t }
        case .topP(let p): edit { $0.topP = p }
        case .topK(let k): edit { $0.topK = k }
        case .minP(let p): edit { $0.minP = p }
        case .repetitionPenalty(let r): edit { $0.repetitionPenalty = r }
        case .maxTokens(let n): edit { $0.maxTokens = n }
        case .seed(let s): seed = s
        }
    }

    /// Restores the preset sampler of `mode` (nil: of both modes); the seed stays.
    public mutating func resetSampling(_ mode: ReasoningMode?) {
        if mode != .off { samplingOn = .thinking }
        if mode != .on { samplingOff = .direct }
    }
}
