import Session
import TUI

/// How one reply looks in the line mode, fed the turn's events in order:
///
///     thinking:                 (dimmed, on the ui stream; "thinking: (hidden)" with /reasoning hide)
///     The user asks for ...     (dimmed reasoning)
///     [reasoning cut by ...]    (dimmed; when the think budget or the user ended it)
///     answer:                   (only after reasoning, so the two are told apart)
///     Paris is the capital ...  (standard output)
///     [stopped]                 (Ctrl-C) or a note when the reply hit the token limit
struct LineReply {
    private let out: LineOutput
    private let showReasoning: Bool
    private var sawReasoning = false
    private var sawAnswer = false
    private var sawEnd = false

    init(out: LineOutput, showReasoning: Bool) {
        self.out = out
        self.showReasoning = showReasoning
    }

    /// Prints what `event` adds; true when the turn is over.
    mutating func handle(_ event: SessionEvent) -> Bool {
        switch event {
        case .reasoning(_, let text):
            if !sawReasoning {
                sawReasoning = true
                out.line(showReasoning ? "thinking:" : "thinking: (hidden; /reasoning show shows it)", dimmed: true)
            }
            if showReasoning { out.reasoning(text) }
        case .answer(_, let text):
            if !sawAnswer {
                sawAnswer = true
                if sawReasoning { out.line("answer:") }
            }
            out.answer(text)
        case .notice(let n): out.note(n)
        case .error(let m): out.error(m)
        case .turnFinished(_, let reason, _):
            out.newLine(1)
            out.newLine(out.uiFD)
            switch reason {
            case .cancelled: out.line("[stopped]")
            case .length: out.note("reply cut at the token limit")
            case .endOfTurn, .error: break
            }
            return true
        case .stats(_, let s):
            if s.budgetApplied == true { reasoningEnded(.budget) }
        case .turnStarted, .prefillProgress: break
        }
        return false
    }

    /// Marks where the reasoning was cut, once, before the answer.
    private mutating func reasoningEnded(_ end: ReasoningEnd) {
        guard sawReasoning, !sawAnswer, !sawEnd else { return }
        sawEnd = true
        out.line("[\(end.mark)]", dimmed: true)
    }

    /// A finished turn of a loaded or resumed conversation: the user's line, then the
    /// reply as it would have streamed.
    static func show(_ turn: TranscriptTurn, out: LineOutput, showReasoning: Bool) {
        out.line("> " + turn.user)
        var r = LineReply(out: out, showReasoning: showReasoning)
        if !turn.reasoning.isEmpty { _ = r.handle(.reasoning(index: 0, text: turn.reasoning)) }
        if let end = turn.reasoningEnd { r.reasoningEnded(end) }
        if !turn.answer.isEmpty { _ = r.handle(.answer(index: 0, text: turn.answer)) }
        _ = r.handle(.turnFinished(index: 0, reason: .endOfTurn, stats: turn.stats ?? TurnStats()))
    }
}
