import Session

/// One thing the full-screen replay shows: the user's message of a turn, or a session
/// event as the live session published it.
enum ReplayCue: Sendable, Equatable {
    /// A turn begins: the user's message appears (as if typed and sent) in `mode`.
    case user(index: Int, text: String, mode: ReasoningMode)
    /// A recorded event, fed to `update` like a live one.
    case event(SessionEvent)
    /// The reasoning of turn `index` was ended by the user (answer now) or the budget.
    case reasoningEnded(index: Int, ReasoningEnd)
}

/// A cue and when it plays: `at` seconds on the replay clock, which runs at recorded
/// speed (1 recorded second = 1 clock second); the player divides by the speed.
struct TimedCue: Sendable, Equatable {
    var at: Double
    var cue: ReplayCue
}

/// The whole replay of a session document as a schedule (pure).
///
/// Per turn, starting at clock T (the previous turn's end; 0 for the first):
///   T                 `.user`, then `.event(.turnStarted)`
///   T + piece.t       each recorded stream piece as `.reasoning` / `.answer`; before the
///                     first answer piece (or the end), `.reasoningEnded` when the user or
///                     the budget ended the reasoning
///   T + end           `.error(note)` for a turn that ended in error, then `.turnFinished`
///                     with the recorded stop reason and stats
/// where `end` is the last piece's or token's time (a turn recovered without timings
/// plays at once). Invariant: `at` never decreases along the schedule.
enum ReplaySchedule {
    static func make(_ doc: SessionDocument) -> [TimedCue] {
        var out: [TimedCue] = []
        var clock = 0.0
        for t in doc.turns {
            out.append(TimedCue(at: clock, cue: .user(index: t.index, text: t.user, mode: t.mode)))
            out.append(TimedCue(at: clock, cue: .event(.turnStarted(index: t.index, mode: t.mode))))
            // Hostile timings (negative, NaN, out of order) are clamped to stay monotonic.
            var local = 0.0
            var endMark = t.reasoningEnd.map { ReplayCue.reasoningEnded(index: t.index, $0) }
            for p in t.stream {
                if p.t.isFinite { local = max(local, min(p.t, 86_400)) }
                if p.c == .answer, let m = endMark { out.append(TimedCue(at: clock + local, cue: m)); endMark = nil }
                let ev: SessionEvent = p.c == .reasoning ? .reasoning(index: t.index, text: p.text)
                                                         : .answer(index: t.index, text: p.text)
                out.append(TimedCue(at: clock + local, cue: .event(ev)))
            }
            if let last = t.tokenTimes.last, last.isFinite { local = max(local, min(last, 86_400)) }
            clock += local
            if let m = endMark { out.append(TimedCue(at: clock, cue: m)) }
            if t.stopReason == .error {
                out.append(TimedCue(at: clock, cue: .event(.error(t.note ?? "the turn ended in an error"))))
            }
            out.append(TimedCue(at: clock, cue: .event(.turnFinished(index: t.index, reason: t.stopReason,
                                                                      stats: t.stats))))
        }
        return out
    }
}
