/// Prompt-lookup drafts: the conversation so far often holds what comes next (code being
/// edited, a quoted passage, a question the reasoning restates). The last `n` tokens are
/// searched for in the earlier tokens, longest n first, latest occurrence first, and the
/// tokens that followed that occurrence are the draft.
struct PromptLookup: DraftSource {
    /// Longest and shortest suffix searched for.
    static let longestMatch = 3, shortestMatch = 2

    /// Up to `count` draft tokens to follow `history + [last]`; empty when no suffix of
    /// at least `shortestMatch` tokens occurs earlier with a token after it.
    static func draft(history: [Int32], last: Int32, count: Int) -> [Int32] {
        let total = history.count + 1   // the sequence searched: history, then last
        guard count > 0, total > shortestMatch else { return [] }
        func at(_ i: Int) -> Int32 { i == history.count ? last : history[i] }
        for n in stride(from: min(longestMatch, total - 1), through: shortestMatch, by: -1) {
            let suffix = total - n
            // Occurrences starting at i < suffix, the latest first; i + n < total so that
            // a token follows it.
            var i = suffix - 1
            while i >= 0 {
                if history[i] == at(suffix) {
                    var j = 1
                    while j < n, at(i + j) == at(suffix + j) { j += 1 }
                    if j == n {
                        let from = i + n, to = min(total, from + count)
                        return (from..<to).map(at)
                    }
                }
                i -= 1
            }
        }
        return []
    }

    var name: String { DraftMode.ngram.name }

    func draft(history: [Int32], last: Int32, count: Int) -> [Int32] {
        Self.draft(history: history, last: last, count: count)
    }
}
