import Foundation
import Engine
import Tokenizer

/// The embedded engine's generation loop for one turn, the one loop `ponder chat`,
/// `ponder run` and `replay --regenerate` all generate through (`EmbeddedTurnBackend`).
/// Runs on the worker thread, start to end without suspension; checks the cancel flag
/// between prefill chunks and before every token.
enum TurnGenerator {
    /// Why a phase ended the turn, and the failure if one did.
    typealias Stop = (reason: StopReason, note: String?)

    static func run(_ job: TurnJob, events: EventSink, cancel: CancelFlag, in ctx: BackendContext) -> TurnOutcome {
        // The prompt comes from the turn's own record (the settings fill in what it lacks).
        var job = job
        job.meta.fillUnrecorded(from: job.settings, model: nil)
        let backend = ctx.backend
        var reply = TurnDecoder(job: job, events: events, contextSize: backend.contextSize, drafts: backend.draftSource)
        var firstSent = min(job.firstSent, job.history.count)
        func finish(_ stop: Stop) -> TurnOutcome {
            let record = reply.finish(stop, contextUsed: backend.cachedTokens.count, snapshotBytes: ctx.stashBytes)
            return TurnOutcome(record: record, firstSent: firstSent)
        }
        if cancel.isCancelled {
            reply.unsent(job.meta)
            return finish((.cancelled, nil))
        }

        // 1. The prompt: the job's own tokens, or the conversation rendered to fit.
        let prompt: [Int32]
        do {
            (prompt, firstSent) = try PromptFitting.fit(job, profile: reply.profile, firstSent: firstSent,
                                                        backend: backend, events: events)
        } catch {
            events.error("\(error)")
            return finish((.error, "\(error)"))
        }

        // 2. Prefill: this mode's cache, its common prefix kept, the rest in chunks.
        let cached = reuseCache(for: prompt, mode: job.meta.mode, budget: job.settings.snapshotBudgetBytes, in: ctx)
        reply.prefillBegins(promptTokens: prompt.count, cached: cached)
        if let stop = prefill(prompt, from: cached, chunk: job.settings.prefillChunk, index: job.meta.index,
                              backend: backend, cancel: cancel, events: events) {
            return finish(stop)
        }
        reply.prefilled(prompt)

        // 3. Decode, a token (and with drafts, maybe more) per step, until a stop.
        var stop: Stop = (.length, nil)
        while reply.sampled < job.meta.sampling.maxTokens {
            if cancel.isCancelled { stop = (.cancelled, nil); break }
            if let s = reply.step(backend, answerNow: cancel.answerRequested) { stop = s; break }
        }
        reply.flush(interrupted: stop.reason != .endOfTurn)
        return finish(stop)
    }

    /// Makes the live cache `mode`'s and keeps what `LlamaContext.reusablePrefix` keeps of
    /// it for `prompt`; returns the tokens kept.
    static func reuseCache(for prompt: [Int32], mode: ReasoningMode, budget: Int, in ctx: BackendContext) -> Int {
        ctx.switchMode(to: mode, budget: budget)
        let backend = ctx.backend
        let kept = LlamaContext.reusablePrefix(cached: backend.cachedTokens, target: prompt)
        backend.truncateCache(to: kept)
        return kept
    }

    /// Evaluates `prompt[start...]` in chunks of `chunk` tokens, reporting progress after
    /// each; nil when done, else why it stopped (cancelled between chunks, or failed: the
    /// cache is then cut back to the last whole chunk).
    static func prefill(_ prompt: [Int32], from start: Int, chunk: Int, index: Int, backend: InferenceBackend,
                        cancel: CancelFlag, events: EventSink) -> Stop? {
        let chunk = max(1, chunk)
        var pos = start
        while pos < prompt.count {
            if cancel.isCancelled { return (.cancelled, nil) }
            let end = min(prompt.count, pos + chunk)
            do { try backend.evaluate(Array(prompt[pos..<end])) } catch {
                backend.truncateCache(to: pos)
                events.error("prompt evaluation failed: \(error)")
                return (.error, "\(error)")
            }
            pos = end
            events.prefill(index: index, done: pos - start, total: prompt.count - start)
        }
        return nil
    }
}
