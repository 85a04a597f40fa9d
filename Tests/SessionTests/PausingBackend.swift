import Foundation
import Session
import Tokenizer

/// A test double around a real backend: every call goes through to it, but one call
/// waits until the test calls `release()`: the prompt's evaluation (`.prefill`) or the
/// n-th call of `sample` (`.sample(n)`, 1-based). The
/// test sees the turn stand still at a known token (`waitUntilPaused`), acts on it, and
/// lets it go on: what the turn does next no longer depends on how fast the test's task
/// runs beside the generator.
///
/// It does not draft (`draftSource` is nil): every token is one `sample` call.
final class PausingBackend: InferenceBackend, @unchecked Sendable {
    private let inner: InferenceBackend
    enum Point { case prefill, sample(Int) }
    private let pauseAt: Point
    private let lock = NSLock()
    private let gate = DispatchSemaphore(value: 0)
    private var calls = 0, evaluations = 0
    private var pausedNow = false

    init(_ inner: InferenceBackend, pauseAt: Point) {
        self.inner = inner
        self.pauseAt = pauseAt
    }

    /// True while the generator waits at `pauseAt`.
    var isPaused: Bool { lock.withLock { pausedNow } }

    /// Lets the paused generator go on (the sample it waits in then runs).
    func release() {
        lock.withLock { pausedNow = false }
        gate.signal()
    }

    /// Waits (polling, without blocking a thread of the cooperative pool) until the
    /// generator is paused; false if it was not within `seconds` (generous: on a loaded
    /// machine the conversation's actor may wait minutes for a thread to start the turn).
    func waitUntilPaused(seconds: Double = 1800) async -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while !isPaused {
            if Date() > end { return false }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        return true
    }

    /// Counts a call and, at the pause point, waits for `release()`.
    private func pass(_ isPoint: (inout Int, inout Int) -> Bool) {
        let wait = lock.withLock { () -> Bool in
            if isPoint(&calls, &evaluations) { pausedNow = true; return true }
            return false
        }
        if wait { gate.wait() }
    }

    func sample(_ settings: SamplingSettings, recent: ArraySlice<Int32>, uniform: Double) -> Int32 {
        pass { calls, _ in
            calls += 1
            if case .sample(let n) = pauseAt { return calls == n }
            return false
        }
        return inner.sample(settings, recent: recent, uniform: uniform)
    }

    func evaluate(_ tokens: [Int32]) throws {
        pass { _, evaluations in
            evaluations += 1
            if case .prefill = pauseAt { return evaluations == 1 }
            return false
        }
        try inner.evaluate(tokens)
    }

    func encode(_ prompt: ChatPrompt) throws -> [Int32] { try inner.encode(prompt) }
    var contextSize: Int { inner.contextSize }
    var cachedTokens: [Int32] { inner.cachedTokens }
    func truncateCache(to n: Int) { inner.truncateCache(to: n) }
    func tokenPiece(_ token: Int32) -> [UInt8] { inner.tokenPiece(token) }
    func isEndOfTurn(_ token: Int32) -> Bool { inner.isEndOfTurn(token) }
    func snapshot() -> BackendSnapshot? { inner.snapshot() }
    func restore(_ snapshot: BackendSnapshot) throws { try inner.restore(snapshot) }
    func turnEnded() -> String? { inner.turnEnded() }
}
