import Foundation

/// Everything about one turn, as recorded in the journal and the session file.
public struct TurnRecord: Codable, Sendable, Equatable {
    /// Position in the conversation, from 0.
    public var index: Int
    public var user: String
    public var mode: ReasoningMode
    /// The exact sampler used (a preset or the user's override).
    public var sampling: SamplingSettings
    public var seed: UInt64
    /// The think budget in force, if any.
    public var thinkBudget: Int?
    /// The least reasoning the turn was to have, in tokens (`/budget min N`, "think
    /// more"): a close before it was replaced by the profile's continuation cue. Nil: no
    /// minimum (or recorded before there was one).
    public var thinkMin: Int?
    public var reasoning: String
    public var answer: String
    public var stopReason: StopReason
    public var stats: TurnStats
    /// Wall-clock start, seconds since 1970.
    public var startedAt: Double
    /// Generated token ids, in order (including tokens injected by the think budget or
    /// "think more"; a close "think more" suppressed is not among them).
    public var tokens: [Int32]
    /// Seconds from the turn's start at which each of `tokens` was produced (same count).
    public var tokenTimes: [Double]
    /// Who closed the reasoning when the model did not: the think budget, or the user
    /// ("answer now"). Nil: the model closed it itself (or the turn had none).
    public var reasoningEnd: ReasoningEnd?
    /// The text as it was streamed: what each channel received and when.
    public var stream: [StreamPiece]
    /// Why the turn ended in an error, or how it was recovered.
    public var note: String?
    /// The reasoning profile the turn was rendered with (nil: recorded before profiles
    /// were; the document's `settings.profile` applies).
    public var profile: ReasoningProfile?
    /// The assistant pre-fill the model saw before `tokens` (e.g. `<think>\n</think>` on a
    /// Nemotron off-turn; "" when none). Nil: recorded before pre-fills were.
    public var prefill: String?
    /// The user's system prompt the turn was rendered with ("" when none). Nil: recorded
    /// before system prompts were per turn; the loader fills in the document's setting.
    public var systemPrompt: String?
    /// Whether earlier turns' reasoning went back to the model for this turn. Nil:
    /// recorded before; the loader fills in the document's setting.
    public var historyReasoning: Bool?
    /// The model the turn ran on (nil: unknown, or recorded before; the loader fills in
    /// the document's model). A resumed session keeps the model of each earlier turn.
    public var model: ModelIdentity?

    /// A turn that stopped because the user cancelled it (or a crash cut it short).
    public var interrupted: Bool { stopReason == .cancelled || stopReason == .error }

    public init(index: Int, user: String, mode: ReasoningMode, sampling: SamplingSettings, seed: UInt64,
                thinkBudget: Int? = nil, thinkMin: Int? = nil, reasoning: String = "", answer: String = "",
                stopReason: StopReason = .endOfTurn, stats: TurnStats = TurnStats(), startedAt: Double = 0,
                tokens: [Int32] = [], tokenTimes: [Double] = [], stream: [StreamPiece] = [], note: String? = nil,
                profile: ReasoningProfile? = nil, prefill: String? = nil, systemPrompt: String? = nil,
                historyReasoning: Bool? = nil, model: ModelIdentity? = nil) {
        self.index = index; self.user = user; self.mode = mode; self.sampling = sampling
        self.seed = seed; self.thinkBudget = thinkBudget; self.thinkMin = thinkMin
        self.reasoning = reasoning
        self.answer = answer; self.stopReason = stopReason; self.stats = stats
        self.startedAt = startedAt; self.tokens = tokens; self.tokenTimes = tokenTimes
        self.stream = stream; self.note = note
        self.profile = profile; self.prefill = prefill
        self.systemPrompt = systemPrompt; self.historyReasoning = historyReasoning; self.model = model
    }

    /// Fills the prompt settings a turn did not record (a file written before they were
    /// per turn, or a record made without them) from the settings that applied to every
    /// turn then: the document's, or the session's. Recorded values are kept.
    public mutating func fillUnrecorded(from settings: SessionSettings, model: ModelIdentity?) {
        if systemPrompt == nil { systemPrompt = settings.systemPrompt ?? "" }
        if historyReasoning == nil { historyReasoning = settings.historyReasoning }
        if self.model == nil { self.model = model }
    }

    /// What an earlier turn contributes to a later prompt.
    public var promptTurn: PromptTurn {
        PromptTurn(user: user, mode: mode, profile: profile, prefill: prefill, reasoning: reasoning,
                   answer: answer, tokens: tokens, interrupted: stopReason != .endOfTurn)
    }
}

/// A piece of streamed text: at `t` seconds from the turn's start, `text` went to
/// channel `c` ("r" reasoning, "a" answer).
public struct StreamPiece: Codable, Sendable, Equatable {
    public enum Channel: String, Codable, Sendable { case reasoning = "r", answer = "a" }
    public var t: Double
    public var c: Channel
    public var text: String
    public init(t: Double, c: Channel, text: String) { self.t = t; self.c = c; self.text = text }
}

/// Who ended a turn's reasoning, when it was not the model.
public enum ReasoningEnd: String, Codable, Sendable {
    /// The think budget ran out.
    case budget
    /// The user asked for the answer now (`/answer`, Ctrl-]).
    case user

    /// What replay (plain and full screen) and export say where the reasoning ended.
    public var mark: String {
        self == .user ? "reasoning ended by the user: answer now" : "reasoning cut by the think budget"
    }
}
