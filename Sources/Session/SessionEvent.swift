import Foundation

// Whether the model reasons for a turn, and how a model family is told to: the
// Tokenizer's types, re-exported so the modules above the Session see them.
@_exported import enum Tokenizer.ReasoningMode
@_exported import enum Tokenizer.ReasoningProfile

/// Why a turn ended.
public enum StopReason: String, Codable, Sendable {
    case endOfTurn = "end_of_turn"
    case length
    case cancelled
    case error
}

/// Live and final statistics of one turn. Times in seconds; rates in tokens/second.
public struct TurnStats: Codable, Sendable, Equatable {
    public var promptTokens: Int = 0          // tokens evaluated for this turn's prompt
    public var cachedTokens: Int = 0          // prompt tokens reused from the KV cache
    public var reasoningTokens: Int = 0
    public var answerTokens: Int = 0
    public var timeToFirstToken: Double?      // from request to first generated token
    public var timeToFirstAnswerToken: Double?
    public var prefillTokensPerSecond: Double?
    public var decodeTokensPerSecond: Double?
    public var wallTime: Double = 0
    public var contextUsed: Int = 0           // tokens in the KV cache after this point
    public var contextSize: Int = 0           // n_ctx
    public var snapshotBytes: Int?            // memory held by the other mode's cache snapshot
    public var budgetApplied: Bool?           // the think budget closed the reasoning
    /// Decode time spent on reasoning and on answer tokens (each token's step counted
    /// where its text went; their sum is the decode time, `wallTime` less the prompt's).
    /// Nil: not measured (a server's turn, or recorded before).
    public var reasoningSeconds: Double?
    public var answerSeconds: Double?
    /// The running turn's think budget and minimum, for the stats bar while it thinks
    /// (live only, not written: the record has them as `thinkBudget` and `thinkMin`).
    public var thinkBudget: Int?
    public var thinkMin: Int?
    /// A server's own timings of the turn's (last) request, where it reports them.
    public var server: ServerTimings?
    public var draftedTokens: Int?            // speculative decoding: draft tokens verified
    public var acceptedDrafts: Int?           // ... and kept: tokens gained over one per pass
    public var draftSource: String?           // ... proposed by `ngram` or a draft model's file
    public init() {}

    enum CodingKeys: String, CodingKey {
        case promptTokens, cachedTokens, reasoningTokens, answerTokens, timeToFirstToken, timeToFirstAnswerToken
        case prefillTokensPerSecond, decodeTokensPerSecond, wallTime, contextUsed, contextSize, snapshotBytes
        case budgetApplied, reasoningSeconds, answerSeconds, server, draftedTokens, acceptedDrafts, draftSource
    }

    /// Speculative decoding in a few words ("drafts kept 37/50 (74%), 37 tokens gained,
    /// from ngram"), nil when nothing was drafted.
    public var speculationSummary: String? {
        guard let d = draftedTokens, d > 0 else { return nil }
        let a = acceptedDrafts ?? 0
        return "drafts kept \(a)/\(d) (\(Int((100 * Double(a) / Double(d)).rounded()))%), \(a) tokens gained"
            + (draftSource.map { ", from \($0)" } ?? "")
    }
}

/// What the session tells its consumers (the TUI, the plain CLI, the journal).
/// Events of one turn arrive in order: turnStarted, then any mix of reasoning/answer/
/// stats/notice, then exactly one turnFinished.
public enum SessionEvent: Sendable, Equatable {
    /// A turn began. `index` counts turns from 0 in this conversation.
    case turnStarted(index: Int, mode: ReasoningMode)
    /// Progress of prompt evaluation (prefill): tokens done of total.
    case prefillProgress(index: Int, done: Int, total: Int)
    /// A piece of reasoning text (inside <think>…</think>), valid UTF-8.
    case reasoning(index: Int, text: String)
    /// A piece of answer text, valid UTF-8.
    case answer(index: Int, text: String)
    /// Statistics so far (at least 4 per second while generating). The first stats whose
    /// `budgetApplied` is true come before any answer text the budget's close led to.
    case stats(index: Int, TurnStats)
    /// Something the user should know that is not an error (e.g. old turns dropped).
    case notice(String)
    /// The turn ended.
    case turnFinished(index: Int, reason: StopReason, stats: TurnStats)
    /// An error; the session goes on unless it says otherwise.
    case error(String)
}
