/// Prompt-lookup drafts: the conversation so far often holds what comes next (code being
/// edited, a quoted passage, a question the reasoning restates). Earlier occurrences of
/// the last token are matched backwards against the tokens before it; the occurrence with
/// the longest match (at least `shortestMatch` tokens, counted up to `longestMatch`), the
/// latest of equals, gives the draft: the tokens that followed it. A longer match is more
/// likely the passage being copied than a short common one (two tokens of indentation and
/// a keyword occur all over a piece of code).
struct PromptLookup: DraftSource {
    /// Shortest match that drafts, and the longest one counted.
    static let shortestMatch = 2, longestMatch = 16

    /// Up to `count` draft tokens to follow `history + [last]`; empty when no suffix of
    /// at least `shortestMatch` tokens occurs earlier with a token after it.
    /// O(history) comparisons per call, plus the matches' lengths.
    static func draft(history: [Int32], last: Int32, count: Int) -> [Int32] {
        let total = history.count + 1   // the sequence searched: history, then last
        guard count > 0, total > shortestMatch else { return [] }
        func at(_ i: Int) -> Int32 { i == history.count ? last : history[i] }
        // Occurrences end at e <= total - 2, so that a token follows them; the latest first.
        var best = 0, bestEnd = -1
        var e = total - 2
        while e >= shortestMatch - 1 {
            if history[e] == last {
                var n = 1
                while n < longestMatch, e - n >= 0, history[e - n] == at(total - 1 - n) { n += 1 }
                if n > best { (best, bestEnd) = (n, e) }
                if best == longestMatch { break }
            }
            e -= 1
        }
        guard best >= shortestMatch else { return [] }
        let from = bestEnd + 1, to = min(total, from + count)
        return (from..<to).map(at)
    }

    var name: String { DraftMode.ngram.name }

    func draft(history: [Int32], last: Int32, count: Int) -> [Int32] {
        Self.draft(history: history, last: last, count: count)
    }
}
