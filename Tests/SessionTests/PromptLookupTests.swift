import Testing
@testable import Session

/// Prompt-lookup drafts and the policy around them, on hand-worked sequences.
@Suite("Prompt lookup")
struct PromptLookupTests {
    @Test("The tokens after the earlier occurrence that matches the most tokens before the last one, the latest of equals")
    func drafts() {
        // 1 2 3 4 5 1 2 | 3: "1 2 3" occurred at 0, followed by 4 5 1 2 3.
        #expect(PromptLookup.draft(history: [1, 2, 3, 4, 5, 1, 2], last: 3, count: 4) == [4, 5, 1, 2])
        // Count past the end: the draft stops at the sequence's end.
        #expect(PromptLookup.draft(history: [1, 2, 3, 4, 1, 2], last: 3, count: 9) == [4, 1, 2, 3])
        // "0 8" occurred once, followed by 9.
        #expect(PromptLookup.draft(history: [8, 9, 4, 0, 8, 9, 5, 0], last: 8, count: 1) == [9])
        // Two occurrences of "8 9": the latest (followed by 5) wins.
        #expect(PromptLookup.draft(history: [8, 9, 4, 1, 8, 9, 5, 2, 8], last: 9, count: 2) == [5, 2])
        // "2 3 4" occurs twice; the earlier occurrence matches four tokens ("1 2 3 4")
        // and wins over the latest, which matches three.
        #expect(PromptLookup.draft(history: [1, 2, 3, 4, 9, 7, 2, 3, 4, 8, 1, 2, 3], last: 4, count: 2) == [9, 7])
        // Matches are counted up to longestMatch: two occurrences matching at least that
        // many tokens count as equals, and the latest wins.
        let run = (0..<20).map { Int32($0) }
        #expect(PromptLookup.draft(history: run + [50] + run + [60] + run.dropLast(), last: 19, count: 1) == [60])
        // No three-token match: the two-token one ("6 7" followed by 2).
        #expect(PromptLookup.draft(history: [6, 7, 2, 3, 5, 6], last: 7, count: 2) == [2, 3])
        // A single repeated token is not enough; nor is an empty history.
        #expect(PromptLookup.draft(history: [4, 1, 2, 3], last: 4, count: 3) == [])
        #expect(PromptLookup.draft(history: [], last: 4, count: 3) == [])
        #expect(PromptLookup.draft(history: [1, 2, 1], last: 2, count: 0) == [])
    }

    @Test("Drafts of 3, or 7 after one kept whole (passes of 4 or 8 tokens); drafting pauses when few are kept, then tries again")
    func policy() {
        var s = Speculation(source: PromptLookup())
        let history: [Int32] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2]
        #expect(s.drafts(history: history, last: 3, limit: 100) == [4, 5, 6])
        s.record(drafted: 3, accepted: 3)
        #expect(s.drafts(history: history, last: 3, limit: 100) == [4, 5, 6, 7, 8, 9, 10])
        #expect(s.drafts(history: history, last: 3, limit: 2).count == 2)
        s.record(drafted: 7, accepted: 6)
        #expect(s.length == 3, "one rejected: back to 3")
        s.record(drafted: 2, accepted: 2)
        #expect(s.length == 7, "a short draft kept whole counts as kept whole")
        s.record(drafted: 7, accepted: 1)
        #expect(s.length == 3)
        // Rejections drive the average below the threshold: a pause of 16 steps.
        var rejected = 0
        while s.drafts(history: history, last: 3, limit: 100).count > 0 {
            s.record(drafted: 2, accepted: 0)
            rejected += 1
            #expect(rejected < 10)
        }
        var paused = 1
        while s.drafts(history: history, last: 3, limit: 100).isEmpty { paused += 1; #expect(paused < 100) }
        #expect(paused == 16, "16 steps without drafts, then drafts again")
        var off = Speculation(source: nil)
        #expect(off.drafts(history: history, last: 3, limit: 100).isEmpty)
    }
}
