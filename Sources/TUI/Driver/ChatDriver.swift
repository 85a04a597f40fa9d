import Session

/// What the chat screen needs from a conversation: the narrow seam between the TUI and
/// the real `Session` (or a test double). All methods are called from tasks the TUI owns;
/// an implementation must never block the caller for long (start work, return).
///
/// Contract:
/// - `events` is one stream for the whole run; the TUI consumes it exactly once.
/// - `send` starts one turn; its events (`turnStarted` … `turnFinished`) arrive on `events`.
/// - `cancel` stops the running turn, which then ends with `turnFinished(reason: .cancelled)`.
/// - `perform` carries every other action (slash commands and keys such as Ctrl-S).
/// - `status` is read at start, after each command and after each turn for the stats bar.
public protocol ChatDriver: Sendable {
    /// The session's event stream (turns, reasoning and answer text, stats, notices).
    var events: AsyncStream<SessionEvent> { get }
    /// Starts a turn with the user's `text` in the given reasoning `mode`.
    func send(_ text: String, mode: ReasoningMode) async
    /// Stops the turn in progress, if any.
    func cancel() async
    /// Performs one command; returns what the UI should show.
    func perform(_ command: DriverCommand) async -> DriverResult
    /// The current model, sampler and memory facts shown in the stats bar.
    func status() async -> DriverStatus
}

/// Actions the UI asks of the session, besides sending and cancelling.
public enum DriverCommand: Sendable, Equatable {
    /// Save the conversation; nil = the session's default path. Ctrl-S or `/save`.
    case save(path: String?)
    /// Replace the conversation with a saved one; answer with `.transcript`.
    case load(path: String)
    /// Start an empty conversation (`/new`).
    case newConversation
    /// Set the system prompt (`/system TEXT`).
    case setSystemPrompt(String)
    /// Change one value of `mode`'s sampler (`/set`); the seed is both modes'.
    case setSampler(SamplerSetting, mode: ReasoningMode)
    /// Restore the preset sampler of `mode`, nil = of both modes (`/set reset`).
    case resetSampler(mode: ReasoningMode?)
    /// Reasoning budget in tokens for the next turn, or (`always`) for every later turn;
    /// nil = no budget (`/budget N [always]|off`).
    case setReasoningBudget(Int?, always: Bool)
    /// The least reasoning in tokens ("think more": a close before it is replaced by the
    /// profile's continuation cue), for the next turn or (`always`) every later turn;
    /// nil = none (`/budget min N [always]|off`).
    case setThinkMinimum(Int?, always: Bool)
    /// End the running turn's reasoning now and let the model answer (`/answer`, Ctrl-]).
    case answerNow
    /// Whether earlier turns' reasoning is sent back to the model (`/history-reasoning`).
    case setHistoryReasoning(Bool)
    /// Write the conversation as Markdown (`/export PATH.md`).
    case export(path: String)
    /// Drop the last reply and generate it again in `mode` (Ctrl-R). The new turn's events
    /// reuse the dropped turn's index.
    case regenerate(mode: ReasoningMode)
    /// Forget the last exchange (user message and reply) so it can be edited and resent
    /// (Ctrl-E).
    case dropLastTurn
    /// The conversation as it stands, asked once at start so a resumed session is on
    /// screen; answer with `.transcript`, or `.done(nil)` when there are no turns.
    case showTranscript
}

/// One past exchange, for showing a loaded conversation.
public struct TranscriptTurn: Sendable, Equatable {
    public var user: String
    public var reasoning: String
    public var answer: String
    public var mode: ReasoningMode
    public var stats: TurnStats?
    /// Who ended the reasoning when the model did not (answer now, the budget).
    public var reasoningEnd: ReasoningEnd?
    public init(user: String, reasoning: String = "", answer: String = "",
                mode: ReasoningMode = .on, stats: TurnStats? = nil, reasoningEnd: ReasoningEnd? = nil) {
        self.user = user; self.reasoning = reasoning; self.answer = answer
        self.mode = mode; self.stats = stats; self.reasoningEnd = reasoningEnd
    }
}

/// What a `DriverCommand` came to.
public enum DriverResult: Sendable, Equatable {
    /// Done; an optional one-line message for the notice line ("saved to …").
    case done(String?)
    /// Failed with a one-line message the user can act on.
    case failed(String)
    /// A conversation to show instead of the current one (after `.load`).
    case transcript([TranscriptTurn], message: String?)
}

/// Facts for the stats bar that do not come with each turn's `TurnStats`.
public struct DriverStatus: Sendable, Equatable {
    public var modelName: String = ""
    public var quantization: String = ""       // e.g. "Q4_K_M"
    public var threads: Int = 0
    public var contextSize: Int = 0            // n_ctx in tokens
    public var kvCacheBytes: Int = 0           // bytes allocated for the KV cache
    /// The OpenAI-compatible server the model runs on (its URL); nil for a local model.
    public var server: String? = nil
    /// The sampler of each reasoning mode (nil until the driver says).
    public var samplingOn: SamplingSettings? = nil
    public var samplingOff: SamplingSettings? = nil
    public var seed: UInt64? = nil
    public var reasoningBudget: Int? = nil
    /// The least reasoning of every turn (`--think-min`, `/budget min N always`).
    public var reasoningMinimum: Int? = nil
    /// Thinking against answering over the conversation's finished turns (from their
    /// records), for `/stats`; nil before the first turn.
    public var conversation: ThinkingShare? = nil
    public var historyReasoning: Bool = false
    /// The model's reasoning profile ("nemotron", "none", …; "" when unknown).
    public var reasoningProfile: String = ""
    /// False for a model without a reasoning mode: toggling reasoning is refused.
    public var hasReasoningMode: Bool = true
    public init() {}

    /// The sampler turns in `mode` use.
    public func sampling(for mode: ReasoningMode) -> SamplingSettings? {
        mode == .on ? samplingOn : samplingOff
    }
}
