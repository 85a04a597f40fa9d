/// How the time and the generated tokens of one turn, or of a whole conversation, split
/// between thinking (reasoning) and answering: the folded reasoning line's shares and the
/// `/stats` summary. The time is the turn's wall time (prompt evaluation included, so
/// thinking and answering need not add up to all of it); the tokens are the generated
/// ones (reasoning + answer).
public struct ThinkingShare: Sendable, Equatable {
    public var turns = 0
    public var thinkingSeconds = 0.0
    public var answeringSeconds = 0.0
    public var totalSeconds = 0.0
    public var thinkingTokens = 0
    public var answeringTokens = 0

    public init() {}

    /// One turn's split. Seconds per channel as the decoder measured them; a turn
    /// recorded without them (a server's, or an older file) takes its thinking time as
    /// first answer token less first token, and its answering time as what is left of
    /// the wall time after both first-token times (0 when unknown).
    public init(_ s: TurnStats) {
        turns = 1
        totalSeconds = max(0, s.wallTime)
        thinkingTokens = s.reasoningTokens
        answeringTokens = s.answerTokens
        let firstToken = s.timeToFirstToken, firstAnswer = s.timeToFirstAnswerToken
        if let r = s.reasoningSeconds {
            thinkingSeconds = r
        } else if let f = firstToken, let a = firstAnswer {
            thinkingSeconds = max(0, a - f)
        } else if s.answerTokens == 0, s.reasoningTokens > 0, let f = firstToken {
            thinkingSeconds = max(0, s.wallTime - f)
        }
        if let a = s.answerSeconds {
            answeringSeconds = a
        } else if let a = firstAnswer {
            answeringSeconds = max(0, s.wallTime - a)
        }
    }

    /// The conversation's split: the sum over its turns.
    public init(_ all: [TurnStats]) {
        for s in all {
            let one = ThinkingShare(s)
            turns += 1
            thinkingSeconds += one.thinkingSeconds; answeringSeconds += one.answeringSeconds
            totalSeconds += one.totalSeconds
            thinkingTokens += one.thinkingTokens; answeringTokens += one.answeringTokens
        }
    }

    /// Thinking's share of the time, 0…1; nil without a time.
    public var thinkingTimeShare: Double? { totalSeconds > 0 ? min(1, thinkingSeconds / totalSeconds) : nil }
    public var answeringTimeShare: Double? { totalSeconds > 0 ? min(1, answeringSeconds / totalSeconds) : nil }
    /// Thinking's share of the generated tokens, 0…1; nil without tokens.
    public var thinkingTokenShare: Double? {
        let n = thinkingTokens + answeringTokens
        return n > 0 ? Double(thinkingTokens) / Double(n) : nil
    }
    public var answeringTokenShare: Double? { thinkingTokenShare.map { 1 - $0 } }

    /// A share as a whole percentage ("40%").
    public static func percent(_ x: Double) -> String { "\(Int((x * 100).rounded()))%" }
}
