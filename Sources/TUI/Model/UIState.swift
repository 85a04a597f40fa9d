import Session

/// One exchange on screen: the user's message and the model's reply as it streams.
struct Turn: Sendable, Equatable {
    /// Stable identity for the layout cache (never reused within a run).
    var id: Int
    /// The session's turn index once `turnStarted` named it; nil while waiting.
    var sessionIndex: Int?
    /// Fixed for the turn's life (its layout is cached by `id` alone, whatever `version`).
    let user: String
    var mode: ReasoningMode
    var reasoning: String = ""
    var answer: String = ""
    /// Reasoning folded to one summary line.
    var collapsed: Bool = false
    /// The user toggled this turn by hand: automatic collapsing leaves it alone.
    var toggledByUser: Bool = false
    var stats: TurnStats? = nil
    /// Who ended the reasoning when the model did not: the user (answer now) or, from
    /// the stats, the budget. Shown below the reasoning header.
    var reasoningEnd: ReasoningEnd? = nil
    var finished: StopReason? = nil
    var error: String? = nil
    /// Monotonic seconds: when the turn started, the first reasoning and answer text came.
    var startedAt: Double? = nil
    var reasoningStartedAt: Double? = nil
    var answerStartedAt: Double? = nil
    var finishedAt: Double? = nil
    /// Bumped on every change that alters the reply's layout (cache key).
    var version: Int = 0
}

/// A line under the conversation for one message ("saved to …", an error).
struct Notice: Sendable, Equatable {
    var text: String
    var isError: Bool
    /// From the session's notice events: a run of them (loading progress) is one entry
    /// of the log, the latest.
    var fromSession = false

    /// How many rows the notice line may take; a longer notice ends with an ellipsis and
    /// is read in full with /notices.
    static let maxRows = 3
    /// How many notices /notices keeps.
    static let logSize = 50

    /// The notice's text wrapped at `width` columns (control characters made visible,
    /// newlines kept as line breaks).
    func wrapped(width: Int) -> [String] {
        CharWidth.layoutText(text).split(separator: "\n", omittingEmptySubsequences: false).flatMap { line in
            Wrap.paragraph(Wrap.styled(String(line), Style(.text)), width: width).map { String($0.map(\.ch)) }
        }
    }
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
    /// The notice line; every new one also goes to `noticeLog`.
    var notice: Notice? = nil {
        didSet {
            guard let n = notice, n != oldValue else { return }
            lastLoggedOnly = false
            if n.fromSession, let last = noticeLog.last, last.fromSession, last == oldValue {
                noticeLog[noticeLog.count - 1] = n
            } else {
                noticeLog.append(n)
                if noticeLog.count > Notice.logSize { noticeLog.removeFirst(noticeLog.count - Notice.logSize) }
            }
        }
    }
    /// Recent notices, oldest first (at most `Notice.logSize`), for /notices.
    private(set) var noticeLog: [Notice] = []
    /// The notice line shows the reply to something the user did (a command's result, a
    /// refusal), not a session event (`update` keeps it).
    var noticeAnswersUser = false
    /// The log's last entry is a session notice that `showSessionNotice` kept off the line.
    private var lastLoggedOnly = false

    /// A session notice that arrives while the line shows the reply to something the
    /// user did: the reply stays, the notice goes to the log only (a run of them, like
    /// loading progress, as one entry, the latest). Otherwise it takes the line.
    mutating func showSessionNotice(_ n: Notice) {
        guard notice != nil, noticeAnswersUser else {
            notice = n
            lastLoggedOnly = false
            return
        }
        if lastLoggedOnly, !noticeLog.isEmpty {
            noticeLog[noticeLog.count - 1] = n
        } else {
            noticeLog.append(n)
            if noticeLog.count > Notice.logSize { noticeLog.removeFirst(noticeLog.count - Notice.logSize) }
        }
        lastLoggedOnly = true
    }
    /// A turn is streaming (between `send` and `turnFinished`).
    var generating = false
    /// A first Ctrl-C while idle armed quitting; the next Ctrl-C quits.
    var quitArmed = false
    var quitting = false
    /// The turn as it was before Ctrl-R or Ctrl-E changed it, put back if the session
    /// refuses the command.
    var undoTurn: Turn? = nil
    /// Latest stats of the running or last turn.
    var liveStats: TurnStats? = nil
    /// Prefill progress of the running turn (nil when no turn runs).
    var prefill: PrefillProgress? = nil
    var status = DriverStatus()
    /// Process resident memory in bytes, sampled by the runtime.
    var rssBytes: Int? = nil
    /// Monotonic seconds of the latest tick or event.
    var now: Double = 0
    var glyphs: Glyphs = .unicode
    /// Where reasoning goes: in each turn, in a pane beside the conversation, or in that
    /// pane from 160 columns (`/layout`; `ReasoningLayout`).
    var layout: ReasoningLayout = .auto
    /// Which keys run which actions (defaults changed by keys.toml).
    var keys = KeyBindings.defaults
    /// Memoized turn layouts (does not change what `render` returns, only its cost).
    let layoutCache = LayoutCache()

    init() {}
}

/// Prompt evaluation of the running turn, as the session reports it chunk by chunk.
/// Invariant: 0 <= done <= total; startedAt <= at (monotonic seconds).
struct PrefillProgress: Sendable, Equatable {
    var done = 0
    var total = 0
    /// When the turn started (prefill begins right after), and when `done` was reported.
    var startedAt: Double
    var at: Double

    /// Tokens per second so far; nil before the first chunk is done.
    var rate: Double? {
        guard done > 0, at > startedAt else { return nil }
        return Double(done) / (at - startedAt)
    }
}
