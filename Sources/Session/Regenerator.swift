import Foundation
import Tokenizer

/// `ponder replay FILE --regenerate`: re-runs every recorded user turn through a
/// backend with the turn's recorded mode, sampler, seed, think budget and minimum, system prompt and
/// history-reasoning setting (a turn that lacks one takes the document's), on the
/// recorded history (so each turn is compared on its own), and says whether the reply
/// is identical. Greedy turns on the same model must be. A turn that was cut short
/// (cancelled, error) is regenerated up to its recorded length and compared there.
/// Replies are compared by token ids where both have them, else (a backend without
/// token ids) by their text.
public enum Regenerator {
    /// The comparison for one turn.
    public struct Result: Sendable {
        public var index: Int
        public var recorded: TurnRecord
        public var regenerated: TurnRecord
        /// Index of the first generated token that differs (without token ids on either
        /// side: of the first character of reasoning + answer); nil if identical.
        public var firstDifference: Int?
        public var identical: Bool { firstDifference == nil }
    }

    /// Over the embedded engine: `backend` is owned by a worker thread for the duration.
    public static func run(_ doc: SessionDocument, backend: sending InferenceBackend, format: ChatFormat,
                           profile: ReasoningProfile? = nil,
                           onTurn: @Sendable (Result) -> Void = { _ in }) async throws -> [Result] {
        let turns = EmbeddedTurnBackend(backend)
        defer { turns.shutdown() }
        return try await run(doc, backend: turns as any TurnBackend, format: format, profile: profile, onTurn: onTurn)
    }

    /// - Parameters:
    ///   - backend: generates the turns (not shut down here).
    ///   - profile: renders every turn with this profile (`--reasoning-profile`) instead
    ///     of the one recorded on the turn (or, for older files, in the settings).
    ///   - onTurn: called after each turn (for progress output).
    public static func run(_ doc: SessionDocument, backend: any TurnBackend, format: ChatFormat,
                           profile: ReasoningProfile? = nil,
                           onTurn: @Sendable (Result) -> Void = { _ in }) async throws -> [Result] {
        let (_, continuation) = AsyncStream.makeStream(of: SessionEvent.self, bufferingPolicy: .bufferingNewest(1))
        let sink = EventSink(continuation: continuation, journal: nil)
        var results: [Result] = []
        var firstSent = 0
        for (i, rec) in doc.turns.enumerated() {
            var meta = TurnRecord(index: i, user: rec.user, mode: rec.mode, sampling: rec.sampling, seed: rec.seed,
                                  thinkBudget: rec.thinkBudget, thinkMin: rec.thinkMin, startedAt: Date().timeIntervalSince1970,
                                  profile: profile ?? rec.profile ?? doc.settings.profile ?? .noReasoning,
                                  systemPrompt: rec.systemPrompt, historyReasoning: rec.historyReasoning)
            let cutShort = rec.stopReason == .cancelled || rec.stopReason == .error
            // Bounded by the recorded length (unknown for a remote turn without token ids).
            if cutShort, !rec.tokens.isEmpty || (rec.reasoning.isEmpty && rec.answer.isEmpty) {
                meta.sampling.maxTokens = max(1, rec.tokens.count)
            }
            let job = TurnJob(meta: meta, history: doc.turns[..<i].map(\.promptTurn), firstSent: firstSent,
                              format: format, settings: doc.settings)
            let outcome = await backend.turn(job, events: sink, cancel: CancelFlag())
            firstSent = outcome.firstSent
            let r = Result(index: i, recorded: rec, regenerated: outcome.record,
                           firstDifference: firstDifference(rec, outcome.record, cutShort: cutShort))
            onTurn(r)
            results.append(r)
        }
        continuation.finish()
        return results
    }

    /// Where `new` departs from `old`: by token ids when both have them, else by text. A
    /// cut-short `old` only asks that `new` begin the same way.
    static func firstDifference(_ old: TurnRecord, _ new: TurnRecord, cutShort: Bool) -> Int? {
        func differ<C: Collection>(_ a: C, _ b: C) -> Int? where C.Element: Equatable {
            if let i = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset { return i }
            if a.count != b.count, !(cutShort && b.count >= a.count) { return min(a.count, b.count) }
            return nil
        }
        let byTokens = !old.tokens.isEmpty && !new.tokens.isEmpty
        let diff = byTokens ? differ(old.tokens, new.tokens)
            : differ(Array(old.reasoning + old.answer), Array(new.reasoning + new.answer))
        if let diff { return diff }
        if !cutShort, old.stopReason != new.stopReason { return byTokens ? new.tokens.count : (new.reasoning + new.answer).count }
        return nil
    }
}
