import Session

/// One exchange on screen: the user's message and the model's reply as it streams.
struct Turn: Sendable, Equatable {
    /// Stable identity for the layout cache (never reused within a run).
    var id: Int
    /// The session's turn index once `turnStarted` named it; nil while waiting.
    var sessionIndex: Int?
    var user: String
    var mode: ReasoningMode
    var reasoning: String = ""
    var answer: String = ""
    /// Reasoning folded to one summary line.
    var collapsed: Bool = false
    /// The user toggled this turn by hand: automatic collapsing leaves it alone.
    var toggledByUser: Bool = false
    var stats: TurnStats? = nil
    var finished: StopReason? = nil
    var error: String? = nil
    /// Monotonic seconds: when the turn started, the first reasoning and answer text came.
    var startedAt: Double? = nil
    var reasoningStartedAt: Double? = nil
    var answerStartedAt: Double? = nil
    var finishedAt: Double? = nil
    /// Bumped on every change that alters the turn's layout (cache key).
    var version: Int = 0
}

/// A line under the conversation for one message ("saved to …", an error).
struct Notice: Sendable, Equatable {
    var text: String
    var isError: Bool
}

/// A box drawn over the screen (help, /stats, /model): a title and lines of text.
struct Overlay: Sendable, Equatable {
    var title: String
    var lines: [String]
    var scroll: Int = 0
}

/// The whole UI state; `render` draws it, `update` changes it.
struct UIState: Sendable {
    var turns: [Turn] = []
    var nextTurnID = 0
    /// Terminal size from the last resize message.
    var width = 80
    var height = 24
    /// First visible conversation line while scrolled up; nil = follow the end.
    var scrollTop: Int? = nil
    var input = LineEditor()
    /// Reasoning mode for the next turn (THINKING / DIRECT).
    var mode: ReasoningMode = .on
    var overlay: Overlay? = nil
    var notice: Notice? = nil
    /// A turn is streaming (between `send` and `turnFinished`).
    var generating = false
    /// A first Ctrl-C while idle armed quitting; the next Ctrl-C quits.
    var quitArmed = false
    var quitting = false
    /// Latest stats of the running or last turn.
    var liveStats: TurnStats? = nil
    /// Prefill progress of the running turn: tokens done, total.
    var prefill: (done: Int, total: Int)? = nil
    var status = DriverStatus()
    /// Process resident memory in bytes, sampled by the runtime.
    var rssBytes: Int? = nil
    /// Monotonic seconds of the latest tick or event.
    var now: Double = 0
    var glyphs: Glyphs = .unicode
    /// Memoized turn layouts (does not change what `render` returns, only its cost).
    let layoutCache = LayoutCache()

    init() {}
}
