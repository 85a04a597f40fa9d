import Foundation
import Tokenizer

/// `ponder replay FILE --regenerate`: re-runs every recorded user turn through a
/// backend with the turn's recorded mode, sampler, seed, think budget, system prompt and
/// history-reasoning setting (a turn that lacks one takes the document's), on the
/// recorded history (so each turn is compared on its own), and says whether the reply
/// is identical. Greedy turns on the same model must be. A turn that was cut short
/// (cancelled, error) is regenerated up to its recorded length and compared there.
public enum Regenerator {
    /// The comparison for one turn.
    public struct Result: Sendable {
        public var index: Int
        public var recorded: TurnRecord
        public var regenerated: TurnRecord
        /// Index of the first generated token that differs; nil if identical.
        public var firstDifference: Int?
        public var identical: Bool { firstDifference == nil }
    }

    /// - Parameters:
    ///   - backend: the model; owned by a worker thread for the duration.
    ///   - profile: renders every turn with this profile (`--reasoning-profile`) instead
    ///     of the one recorded on the turn (or, for older files, in the settings).
    ///   - onTurn: called after each turn (for progress output).
    public static func run(_ doc: SessionDocument, backend: sending InferenceBackend, format: ChatFormat,
                           profile: ReasoningProfile? = nil,
                           onTurn: @Sendable (Result) -> Void = { _ in }) async throws -> [Result] {
        let worker = BackendWorker(backend: backend)
        defer { worker.shutdown() }
        let (_, continuation) = AsyncStream.makeStream(of: SessionEvent.self, bufferingPolicy: .bufferingNewest(1))
        let sink = EventSink(continuation: continuation, journal: nil)
        var results: [Result] = []
        var firstSent = 0
        for (i, rec) in doc.turns.enumerated() {
            var meta = TurnRecord(index: i, user: rec.user, mode: rec.mode, sampling: rec.sampling, seed: rec.seed,
                                  thinkBudget: rec.thinkBudget, startedAt: Date().timeIntervalSince1970,
                                  profile: profile ?? rec.profile ?? doc.settings.profile ?? .noReasoning,
                                  systemPrompt: rec.systemPrompt, historyReasoning: rec.historyReasoning)
            let cutShort = rec.stopReason == .cancelled || rec.stopReason == .error
            if cutShort { meta.sampling.maxTokens = max(1, rec.tokens.count) }
            let job = TurnJob(meta: meta, history: doc.turns[..<i].map(\.promptTurn), firstSent: firstSent,
                              format: format, settings: doc.settings, requestTime: monotonicSeconds(),
                              cancel: CancelFlag(), sink: sink)
            let outcome = try await worker.run { ctx in TurnGenerator.run(job, in: ctx) }
            firstSent = outcome.firstSent
            let new = outcome.record
            var diff = zip(rec.tokens, new.tokens).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            if diff == nil, rec.tokens.count != new.tokens.count, !(cutShort && new.tokens.count >= rec.tokens.count) {
                diff = min(rec.tokens.count, new.tokens.count)
            }
            if diff == nil, !cutShort, rec.stopReason != new.stopReason { diff = new.tokens.count }
            let r = Result(index: i, recorded: rec, regenerated: new, firstDifference: diff)
            onTurn(r)
            results.append(r)
        }
        continuation.finish()
        return results
    }
}
