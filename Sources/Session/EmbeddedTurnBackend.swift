import Foundation

/// The embedded engine as a `TurnBackend`: `TurnGenerator` over an `InferenceBackend`,
/// each turn run on the backend's own `BackendWorker` thread. The token-level state (the
/// KV cache, its per-mode snapshots, prompt reuse) lives here and nowhere above.
public final class EmbeddedTurnBackend: TurnBackend {
    private let worker: BackendWorker

    /// Takes ownership of `backend`; nothing else may use it afterwards.
    public init(_ backend: sending InferenceBackend) {
        worker = BackendWorker(backend: backend)
    }

    public func generate(_ job: TurnJob, events: EventSink, cancel: CancelFlag) async -> TurnOutcome {
        do {
            return try await worker.run { ctx in
                let outcome = TurnGenerator.run(job, events: events, cancel: cancel, in: ctx)
                if let problem = ctx.backend.turnEnded() { events.notice(problem) }
                return outcome
            }
        } catch {
            // The worker is shut down: the turn ends at once.
            var r = job.meta
            r.stopReason = .error
            r.note = "\(error)"
            events.error("\(error)")
            return TurnOutcome(record: r, firstSent: job.firstSent)
        }
    }

    public func shutdown() { worker.shutdown() }

    deinit { worker.shutdown() }
}
