import Foundation
import Tokenizer

/// One conversation: its turns, settings and event stream. Turns run one at a time in
/// the order they were sent; each is generated on the `BackendWorker`, so the actor stays
/// free to accept `send` and `cancel` while a turn streams.
///
/// Lifecycle: create, consume `events`, `send`…, then `close()` (waits for queued turns,
/// finishes the stream, stops the worker thread).
public actor Conversation {
    /// Everything the session reports, in order; ends after `close()`.
    public nonisolated let events: AsyncStream<SessionEvent>
    private let sink: EventSink
    private let worker: BackendWorker
    private let format: ChatFormat
    public private(set) var settings: SessionSettings
    public let model: ModelIdentity?
    public let created: Double
    /// Finished turns, in order (including loaded ones).
    public private(set) var turns: [TurnRecord] = []
    private var notices: [String] = []
    /// Turns before this index no longer go to the model (context overflow).
    private var firstSent = 0
    private var nextIndex = 0
    /// Cancel flags of turns sent and not yet finished.
    private var open: [Int: CancelFlag] = [:]
    /// The last queued turn; each turn waits for the one before.
    private var tail: Task<Void, Never>?
    /// Turns recorded in `turns` after their `turnFinished` went out (see `settled`).
    private var endsRecorded = 0
    /// Where `save()` writes without a path, once the session has been saved there.
    private var savedURL: URL?

    /// - Parameters:
    ///   - backend: the model; the conversation's worker thread owns it from now on.
    ///   - journal: where to journal events (nil: not journaled).
    ///   - resumed: turns of a loaded session to continue from.
    public init(backend: sending InferenceBackend, format: ChatFormat, settings: SessionSettings,
                model: ModelIdentity? = nil, journal: Journal? = nil, resumed: [TurnRecord] = [],
                created: Double = Date().timeIntervalSince1970) {
        let (stream, continuation) = AsyncStream.makeStream(of: SessionEvent.self, bufferingPolicy: .unbounded)
        events = stream
        sink = EventSink(continuation: continuation, journal: journal)
        // A resumed session's new journal starts with the turns it continues from.
        sink.recordFinished(resumed)
        worker = BackendWorker(backend: backend)
        self.format = format
        self.settings = settings
        self.model = model
        self.created = created
        turns = resumed
        nextIndex = resumed.count
    }

    /// Queues a turn and returns its index. Sampling is the mode's setting unless
    /// `sampling` overrides it; the seed is the session seed + index, or random. Every
    /// setting that shapes the turn is recorded on it now (a later `/system` or `/set`
    /// applies to later turns only), and the turn is rendered from that record.
    @discardableResult
    public func send(_ text: String, mode: ReasoningMode, sampling: SamplingSettings? = nil,
                     seed: UInt64? = nil) -> Int {
        let index = nextIndex
        nextIndex += 1
        let flag = CancelFlag()
        open[index] = flag
        let meta = TurnRecord(
            index: index, user: text, mode: mode,
            sampling: sampling ?? settings.sampling(for: mode),
            seed: seed ?? settings.seed.map { $0 &+ UInt64(index) } ?? UInt64.random(in: 0...(1 << 53)),
            thinkBudget: mode == .on ? settings.thinkBudget : nil, profile: settings.profile,
            systemPrompt: settings.systemPrompt ?? "", historyReasoning: settings.historyReasoning, model: model)
        let requestTime = monotonicSeconds()
        let previous = tail
        tail = Task {
            await previous?.value
            await self.runTurn(meta, flag: flag, requestTime: requestTime)
        }
        return index
    }

    /// Cancels every turn sent so far: the one generating stops within one token and
    /// keeps its text (stop reason `cancelled`); queued ones finish at once, empty.
    public func cancel() {
        for f in open.values { f.cancel() }
    }

    /// Waits until every turn sent so far has finished.
    public func waitUntilIdle() async {
        await tail?.value
    }

    /// Waits until every turn reported finished (`turnFinished` sent) is in `turns`: the
    /// record lands a moment after the event, so a save or export asked for right after
    /// a reply waits for it. A turn still generating is not waited for.
    public func settled() async {
        while endsRecorded < sink.endsReported { try? await Task.sleep(for: .milliseconds(1)) }
    }

    /// Withdraws the last finished turn (Ctrl-R regenerates it, Ctrl-E edits it): the
    /// same conversation goes on, in the same journal (a "drop" line) and over the same
    /// backend, whose cache still holds the prompt up to that turn. Waits for turns
    /// still queued first. Nil when there is no turn.
    public func dropLastTurn() async -> TurnRecord? {
        while !open.isEmpty { await tail?.value }
        guard let last = turns.popLast() else { return nil }
        nextIndex = turns.count
        firstSent = min(firstSent, turns.count)
        sink.dropTurns(from: last.index)
        return last
    }

    /// Replaces the settings for turns not yet started.
    public func update(_ change: (inout SessionSettings) -> Void) {
        change(&settings)
    }

    public var journalURL: URL? { sink.journalURL }

    /// The conversation as a session document.
    public func document() -> SessionDocument {
        SessionDocument(created: created, model: model, chatFormat: format.kind.rawValue, settings: settings,
                        turns: turns, notices: notices)
    }

    /// `/save [PATH]`: writes the session document atomically. Without a path: the file
    /// of the previous save, else a new timestamped file in the sessions folder. An
    /// existing file that this conversation did not write is never replaced.
    @discardableResult
    public func save(to url: URL? = nil) async throws -> URL {
        await settled()
        let doc = document()
        let target: URL
        if let known = url ?? savedURL {
            try doc.save(to: known, overwrite: known == savedURL)
            target = known
        } else {
            target = try SessionPaths.createUnique(in: SessionPaths.sessionsDirectory(), ext: "json") { u in
                try doc.save(to: u, overwrite: false)
                return u
            }
        }
        savedURL = target
        return target
    }

    /// Waits for queued turns, ends the event stream and stops the worker thread.
    public func close() async {
        await tail?.value
        sink.finish()
        worker.shutdown()
    }

    deinit { worker.shutdown() }

    private func runTurn(_ meta: TurnRecord, flag: CancelFlag, requestTime: Double) async {
        var meta = meta
        meta.startedAt = Date().timeIntervalSince1970
        let job = TurnJob(meta: meta, history: turns.map(\.promptTurn), firstSent: firstSent, format: format,
                          settings: settings, requestTime: requestTime, cancel: flag, sink: sink)
        // Stats at least 4 times a second while the turn runs (every 0.2 s). A Dispatch
        // timer, not a Task: it keeps ticking when the cooperative pool is busy.
        let sink = self.sink
        let ticker = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ponder.stats"))
        ticker.schedule(deadline: .now() + 0.2, repeating: 0.2, leeway: .milliseconds(20))
        ticker.setEventHandler { sink.tick() }
        ticker.resume()
        defer { ticker.cancel() }
        let outcome: TurnOutcome
        do {
            outcome = try await worker.run { ctx in TurnGenerator.run(job, in: ctx) }
        } catch {
            var r = meta
            r.stopReason = .error
            r.note = "\(error)"
            sink.error("\(error)")
            sink.endTurn(r)
            outcome = TurnOutcome(record: r, firstSent: firstSent)
        }
        turns.append(outcome.record)
        endsRecorded += 1
        firstSent = outcome.firstSent
        open[meta.index] = nil
    }
}
