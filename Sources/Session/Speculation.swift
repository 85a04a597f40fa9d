/// One turn's speculative-decoding policy: drafts from `source`, their length adapted to
/// how many of the last ones were kept, and pauses where too few are kept to pay for
/// verifying them.
///
/// A verification of k drafts reads the weights once for k + 1 tokens, so it costs a
/// little more than one decode step; a rejected draft costs that surplus for nothing.
/// The kernels take the tokens of a pass in fours (`pk_matmul`'s four-column dots, the x8
/// kernels), and a fifth token costs a whole extra column: so a draft is 3 or 7 tokens
/// long (a pass of 4 or 8), 7 only after a draft kept whole.
/// The acceptance rate is followed as a moving average over verifications; below
/// `pauseBelow` drafting stops for a while (doubling each time it stops again) and then
/// tries again, since a reply can move into text that repeats the conversation.
struct Speculation {
    /// Nil: no drafts.
    let source: (any DraftSource)?
    /// Drafts asked for per verification: `short` or `long`.
    private(set) var length = short
    static let short = 3, long = 7
    /// Moving average of drafts kept per draft verified.
    private var rate = 0.5
    private var pausedSteps = 0
    private var nextPause = 16
    static let pauseBelow = 0.25, longestPause = 1024

    init(source: (any DraftSource)?) { self.source = source }

    /// Drafts (at most `limit`) to follow `history + [last]`; empty for a plain step.
    mutating func drafts(history: [Int32], last: Int32, limit: Int) -> [Int32] {
        guard let source, limit > 0 else { return [] }
        if pausedSteps > 0 {
            pausedSteps -= 1
            return []
        }
        return source.draft(history: history, last: last, count: min(length, limit))
    }

    /// `accepted` of `drafted` drafts were kept.
    mutating func record(drafted: Int, accepted: Int) {
        guard drafted > 0 else { return }
        length = accepted == drafted ? Self.long : Self.short
        rate = 0.75 * rate + 0.25 * Double(accepted) / Double(drafted)
        if rate < Self.pauseBelow {
            pausedSteps = nextPause
            nextPause = min(Self.longestPause, 2 * nextPause)
            rate = 0.5
        } else if accepted > 0 {
            nextPause = 16
        }
    }
}
