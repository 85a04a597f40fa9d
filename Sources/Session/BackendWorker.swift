import Foundation

/// The one serial owner of an inference backend: a dedicated thread that runs submitted
/// jobs one at a time, in submission order.
///
/// Why a thread and not an actor: a generation is a long synchronous loop over the
/// backend. Run on an actor it would either block one of the cooperative pool's threads
/// (2 on this machine) for seconds, or, split across `await`s, lose the exclusivity an
/// actor only gives between suspension points. A job here runs to completion with no
/// suspension; callers `await` its result.
public final class BackendWorker: @unchecked Sendable {
    // Invariant: `context` is touched only on `thread`; `jobs` and `stopped` under `cond`.
    private let cond = NSCondition()
    private var jobs: [(BackendContext) -> Void] = []
    private var stopped = false
    private nonisolated(unsafe) let context: BackendContext

    /// Takes ownership of `backend`; nothing else may use it afterwards.
    public init(backend: sending InferenceBackend) {
        context = BackendContext(backend: backend)
        let t = Thread { [self] in loop() }
        t.name = "ponder.backend"
        t.stackSize = 16 << 20
        t.start()
    }

    /// Runs `body` on the worker thread after the jobs submitted before it.
    public func run<T: Sendable>(_ body: @escaping @Sendable (BackendContext) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            let accepted = submit { ctx in c.resume(with: Result { try body(ctx) }) }
            if !accepted { c.resume(throwing: BackendShutDown()) }
        }
    }

    /// Stops the thread after the queued jobs; later `run` calls fail.
    public func shutdown() {
        cond.lock(); stopped = true; cond.broadcast(); cond.unlock()
    }

    private func submit(_ job: @escaping (BackendContext) -> Void) -> Bool {
        cond.lock()
        defer { cond.unlock() }
        if stopped { return false }
        jobs.append(job)
        cond.signal()
        return true
    }

    private func loop() {
        while true {
            cond.lock()
            while jobs.isEmpty && !stopped { cond.wait() }
            if jobs.isEmpty && stopped { cond.unlock(); return }
            let job = jobs.removeFirst()
            cond.unlock()
            job(context)
        }
    }
}

/// The backend and its per-mode cache snapshots; lives on the worker thread only.
public final class BackendContext {
    public let backend: InferenceBackend
    /// The mode whose prompt state is in the live cache (nil: none yet).
    var liveMode: ReasoningMode?
    /// The other modes' caches, as snapshots (at most one with two modes).
    var stash: [ReasoningMode: BackendSnapshot] = [:]

    init(backend: InferenceBackend) { self.backend = backend }

    /// Bytes held by snapshots.
    var stashBytes: Int { stash.values.reduce(0) { $0 + $1.byteCount } }

    /// Makes the live cache the one of `mode`: stashes the live cache under the mode it
    /// belongs to (if it fits `budget` bytes) and restores `mode`'s stash if there is one.
    /// Without snapshots the live cache is kept and the prompt's common prefix decides
    /// what is reused.
    func switchMode(to mode: ReasoningMode, budget: Int) {
        guard liveMode != mode else { return }
        if let live = liveMode {
            stash[live] = nil
            if budget > 0, !backend.cachedTokens.isEmpty, let snap = backend.snapshot(),
               snap.byteCount + stashBytes <= budget {
                stash[live] = snap
            }
        }
        if let s = stash.removeValue(forKey: mode) {
            do { try backend.restore(s) } catch { backend.truncateCache(to: 0) }
        }
        liveMode = mode
    }

    /// Forgets all cached state (e.g. after loading another conversation).
    func reset() {
        stash = [:]
        liveMode = nil
        backend.truncateCache(to: 0)
    }
}

/// What the user asks of a running turn, shared between the conversation and the turn:
/// stop it (`cancel`), or end its reasoning now and go on to the answer (`answerNow`).
public final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var answer = false
    public init() {}
    public func cancel() { lock.withLock { value = true } }
    public var isCancelled: Bool { lock.withLock { value } }
    /// Asks the turn to close its reasoning at once and write the answer.
    public func answerNow() { lock.withLock { answer = true } }
    public var answerRequested: Bool { lock.withLock { answer } }
}

/// `BackendWorker.run` after `shutdown()`.
public struct BackendShutDown: Error, CustomStringConvertible {
    public var description: String { "the model is shut down" }
}
