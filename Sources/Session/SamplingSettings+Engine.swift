import Engine

/// The one conversion between the session's persisted sampler record (`SamplingSettings`)
/// and the Engine's runtime `SamplingParameters`. Floats widen through their shortest
/// decimal spelling (Float 0.6 becomes Double 0.6, not 0.6000000238…), so a preset
/// recorded in a file reads back as the same preset, and Double → Float → Double is
/// lossless for every value the Engine can hold.
extension SamplingSettings {
    /// The record of the Engine's `parameters` (its `seed` is not recorded: the session
    /// draws its own uniforms), limited to `maxTokens` new tokens.
    public init(_ parameters: SamplingParameters, maxTokens: Int = 4096) {
        self.init(temperature: Self.widen(parameters.temperature), topK: parameters.topK,
                  topP: parameters.topP, minP: Self.widen(parameters.minP),
                  repetitionPenalty: Self.widen(parameters.repeatPenalty),
                  repetitionWindow: parameters.penaltyWindow,
                  presencePenalty: Self.widen(parameters.presencePenalty),
                  frequencyPenalty: Self.widen(parameters.frequencyPenalty), maxTokens: maxTokens)
    }

    /// The Engine's sampler parameters for these settings (seed 0: the chain's own
    /// generator is unused, draws come from the session).
    public var engineParameters: SamplingParameters {
        SamplingParameters(temperature: Float(temperature), topK: topK, topP: topP, minP: Float(minP),
                           repeatPenalty: Float(repetitionPenalty), presencePenalty: Float(presencePenalty),
                           frequencyPenalty: Float(frequencyPenalty), penaltyWindow: repetitionWindow)
    }

    static func widen(_ f: Float) -> Double { Double(f.description) ?? Double(f) }
}
