import Tokenizer

/// Per-conversation settings, recorded in the session file.
public struct SessionSettings: Codable, Sendable, Equatable {
    /// The user's own system prompt; follows the reasoning directive in the system message.
    public var systemPrompt: String?
    /// How the model is told to reason or not: detected from the model file, or
    /// `--reasoning-profile`. Session files written before profiles were named carry an
    /// object here, read as nemotron (see `ReasoningProfile`'s decoding); nil (a file
    /// without the field) renders as `none`.
    public var profile: ReasoningProfile?
    /// Send the reasoning of earlier turns back to the model (`/history-reasoning`;
    /// default off, as the reasoning models' templates drop it).
    public var historyReasoning: Bool = false
    /// `--think-budget N`: after N reasoning tokens, close the think block and answer.
    public var thinkBudget: Int?
    /// `--think-min N` (`/budget min N always`): a close of the reasoning before N
    /// reasoning tokens is replaced by the profile's continuation cue ("think more").
    public var thinkMin: Int?
    /// Samplers per mode (presets unless the user overrides).
    public var samplingOn: SamplingSettings = .thinking
    public var samplingOff: SamplingSettings = .direct
    /// Seed of the first turn; turn i uses seed &+ i. Nil: a random seed per turn.
    public var seed: UInt64?
    /// Most bytes kept in per-mode cache snapshots (0 disables the per-mode cache).
    public var snapshotBudgetBytes: Int = 1 << 30
    /// Prompt tokens evaluated per call; cancellation is checked between chunks.
    public var prefillChunk: Int = 64

    public init() {}

    public func sampling(for mode: ReasoningMode) -> SamplingSettings {
        mode == .on ? samplingOn : samplingOff
    }
}
