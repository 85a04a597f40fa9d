/// Per-conversation settings, recorded in the session file.
public struct SessionSettings: Codable, Sendable, Equatable {
    /// The user's own system prompt; follows the reasoning directive in the system message.
    public var systemPrompt: String?
    /// How the model switches reasoning (directive lines, off-turn pre-fill).
    public var profile: ReasoningSwitch = .nemotron
    /// Pre-fill `profile.offPrefill` (e.g. `<think>\n</think>`) on off-turns (default on).
    public var prefillOffTurns: Bool = true
    /// Send the reasoning of earlier turns back to the model (`/history-reasoning`;
    /// default off, as the Nemotron template strips it).
    public var historyReasoning: Bool = false
    /// `--think-budget N`: after N reasoning tokens, close the think block and answer.
    public var thinkBudget: Int?
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

/// The prompt-relevant part of a past turn.
public struct PromptTurn: Sendable, Equatable {
    public var user: String
    public var reasoning: String
    public var answer: String
    public init(user: String, reasoning: String = "", answer: String) {
        self.user = user; self.reasoning = reasoning; self.answer = answer
    }
}

/// Renders the prompt of a new turn: the system message for that turn's mode (directive,
/// then the user's system prompt, joined by a blank line), the history, the new user
/// message, and the off-turn pre-fill.
public enum PromptBuilder {
    public static func messages(settings: SessionSettings, mode: ReasoningMode,
                                history: some Collection<PromptTurn>, user: String) -> [PromptMessage] {
        var out: [PromptMessage] = []
        let system = [settings.profile.directive(mode), settings.systemPrompt]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n\n")
        if !system.isEmpty { out.append(PromptMessage(.system, system)) }
        for t in history {
            out.append(PromptMessage(.user, t.user))
            var a = t.answer
            if settings.historyReasoning, !t.reasoning.isEmpty {
                a = "<think>\n\(t.reasoning)\n</think>\n\n" + t.answer
            }
            out.append(PromptMessage(.assistant, a))
        }
        out.append(PromptMessage(.user, user))
        return out
    }

    public static func assistantPrefix(settings: SessionSettings, mode: ReasoningMode) -> String {
        guard mode == .off, settings.prefillOffTurns else { return "" }
        return settings.profile.offPrefill ?? ""
    }

    public static func render(format: any PromptFormat, settings: SessionSettings, mode: ReasoningMode,
                              history: some Collection<PromptTurn>, user: String) -> RenderedPrompt {
        format.render(messages(settings: settings, mode: mode, history: history, user: user),
                      assistantPrefix: assistantPrefix(settings: settings, mode: mode))
    }
}
