import Foundation

/// Seconds on a monotonic clock.
public func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// The single exit for a conversation's events: the `AsyncStream` and the journal,
/// under one lock so that both see the same order, and so that a stats tick can never
/// land after its turn's `turnFinished`. Called from the backend's thread (text, turn
/// boundaries) and from the ticker task (stats).
///
/// A `TurnBackend` reports a turn's body through the public methods (prefill, text,
/// stats, notices, errors); the session brackets the turn and journals it.
public final class EventSink: @unchecked Sendable {
    private let lock = NSLock()
    private let continuation: AsyncStream<SessionEvent>.Continuation
    private var journal: Journal?
    /// The turn being generated: its index, latest stats and monotonic start time.
    private var live: (index: Int, stats: TurnStats, start: Double)?
    /// How many `turnFinished` events went out (the conversation records each turn a
    /// moment later, back on its actor).
    private var ends = 0

    init(continuation: AsyncStream<SessionEvent>.Continuation, journal: Journal?) {
        self.continuation = continuation
        self.journal = journal
    }

    var journalURL: URL? { lock.withLock { journal?.url } }

    /// How many turns have been reported finished.
    var endsReported: Int { lock.withLock { ends } }

    func beginTurn(_ meta: TurnRecord, start: Double) {
        lock.withLock {
            journaling { try $0.beginTurn(meta) }
            live = (meta.index, TurnStats(), start)
            continuation.yield(.turnStarted(index: meta.index, mode: meta.mode))
        }
    }

    /// Prompt evaluation progress: `done` of `total` tokens.
    public func prefill(index: Int, done: Int, total: Int) {
        lock.withLock { _ = continuation.yield(.prefillProgress(index: index, done: done, total: total)) }
    }

    /// New reasoning and answer text (either may be empty) and the stats so far.
    public func text(index: Int, reasoning: String, answer: String, stats: TurnStats) {
        lock.withLock {
            if !reasoning.isEmpty || !answer.isEmpty {
                journaling { try $0.text(index: index, reasoning: reasoning, answer: answer, now: monotonicSeconds()) }
            }
            if !reasoning.isEmpty { continuation.yield(.reasoning(index: index, text: reasoning)) }
            // The budget's close goes out at once, before any answer text, so that a
            // stream printed as it comes can mark where the reasoning was cut.
            if live?.index == index, stats.budgetApplied == true, live?.stats.budgetApplied != true {
                continuation.yield(.stats(index: index, stats))
            }
            if !answer.isEmpty { continuation.yield(.answer(index: index, text: answer)) }
            if live?.index == index { live?.stats = stats }
        }
    }

    /// The stats so far, sent with the next tick.
    public func updateStats(index: Int, _ stats: TurnStats) {
        lock.withLock { if live?.index == index { live?.stats = stats } }
    }

    /// Something the user should know (journaled).
    public func notice(_ s: String) {
        lock.withLock {
            journaling { try $0.notice(s) }
            continuation.yield(.notice(s))
        }
    }

    /// An error message (not journaled; the record's `note` keeps the turn's).
    public func error(_ s: String) {
        lock.withLock { _ = continuation.yield(.error(s)) }
    }

    func endTurn(_ record: TurnRecord) {
        lock.withLock {
            journaling { try $0.endTurn(record) }
            live = nil
            ends += 1
            continuation.yield(.turnFinished(index: record.index, reason: record.stopReason, stats: record.stats))
        }
    }

    /// A stats event for the live turn, with the wall time brought up to now.
    func tick() {
        lock.withLock {
            guard var l = live else { return }
            l.stats.wallTime = monotonicSeconds() - l.start
            continuation.yield(.stats(index: l.index, l.stats))
        }
    }

    /// Journals `turns` as finished (a resumed session's new journal starts with them).
    func recordFinished(_ turns: [TurnRecord]) {
        lock.withLock { for t in turns { journaling { try $0.endTurn(t) } } }
    }

    /// Journals that the turns from `index` on were withdrawn.
    func dropTurns(from index: Int) {
        lock.withLock { journaling { try $0.dropTurns(from: index) } }
    }

    func finish() {
        lock.withLock {
            journaling { try $0.close() }
            journal = nil
            continuation.finish()
        }
    }

    /// Runs a journal write; on the first failure reports it once and stops journaling.
    private func journaling(_ body: (Journal) throws -> Void) {
        guard let j = journal else { return }
        do { try body(j) } catch {
            journal = nil
            try? j.close()   // the failure that matters is the one reported here
            continuation.yield(.error("journal: \(error); this session is no longer journaled"))
        }
    }
}
