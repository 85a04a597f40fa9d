import Foundation
import Tokenizer

/// The seam between the session and whatever generates replies: one turn at a time,
/// messages in, a stream of reasoning and answer text with timings out, cancellable.
/// `Conversation`, `Regenerator` and `ponder run` talk only to this; the embedded engine
/// (`EmbeddedTurnBackend`: `TurnGenerator` over an `InferenceBackend`) implements it, and
/// so can a remote client.
///
/// What an implementation must guarantee for `generate`:
/// - **Events.** It reports through `events` only the body of the turn, in this order:
///   any `prefill` progress, then `text` pieces (reasoning and answer, valid UTF-8, each
///   piece once, in the order the model wrote them) mixed with `updateStats`, `notice`
///   and `error`. It never begins or ends the turn: the caller emits `turnStarted`
///   before the call and `turnFinished` (journaling the record) after it returns
///   (`turn(_:events:cancel:)`). It emits nothing after it has returned.
/// - **Record.** It returns the finished `TurnRecord`: `job.meta` with `reasoning` and
///   `answer` equal to the concatenation of the text it emitted, `stream` holding those
///   pieces with their times, `stopReason` (`endOfTurn`, `length` for the token limit or
///   a full context, `cancelled`, `error` with `note` saying why), `stats` (whatever it
///   can measure; zero or nil for the rest), `profile` and `prefill` as sent. `tokens`
///   and `tokenTimes` hold the generated token ids where the backend has them (same
///   count); a backend without token ids (a remote server) leaves both empty, and
///   nothing downstream may assume otherwise. It returns, never throws: a failure is a
///   record with stop reason `error` (after an `error` event).
/// - **Cancellation.** Once `cancel` is set it stops promptly (the embedded engine within
///   one token; a remote client by closing its stream), keeps what already arrived, and
///   returns with stop reason `cancelled`. A turn cancelled before it starts returns at
///   once, empty.
/// - **History.** Earlier turns before `job.firstSent` are not sent. A backend that
///   must drop more to fit its context says so with a `notice` and returns the new
///   first index in `TurnOutcome.firstSent`.
/// - **Order.** Calls come one at a time from one owner (the next one after the
///   previous returned); an implementation may keep state between them (a KV cache).
public protocol TurnBackend: AnyObject, Sendable {
    /// Generates the reply of `job` (see the protocol's guarantees).
    func generate(_ job: TurnJob, events: EventSink, cancel: CancelFlag) async -> TurnOutcome
    /// Releases what the backend holds (a worker thread, a connection); later turns end
    /// at once with an error. Called by the owner when it is done.
    func shutdown()
}

/// Where a turn's prompt comes from: one loop, two prompt sources.
public enum TurnInput: Sendable, Equatable {
    /// The chat's: the earlier turns and `meta.user`, rendered by `TurnPrompt`.
    case message
    /// Prompt token ids as given, no rendering and no history (`ponder run --raw`,
    /// `--tokens`): the reply is what follows them. Only a backend with token ids
    /// (the embedded engine) can take these.
    case tokens([Int32])
}

/// Everything one turn needs, captured when the turn's time comes.
public struct TurnJob: Sendable {
    /// The turn so far: index, user, mode, profile, sampling, seed, budget, startedAt.
    public var meta: TurnRecord
    /// All earlier turns.
    public var history: [PromptTurn]
    /// Earlier turns before this index are no longer sent (context overflow).
    public var firstSent: Int
    public var format: ChatFormat
    public var settings: SessionSettings
    /// Monotonic seconds when the user sent it (for time to first token).
    public var requestTime: Double
    public var input: TurnInput
    /// False: the reply is not split at `<think>` tags; everything the model writes goes
    /// to the answer channel byte for byte, whitespace and tags included (`ponder run`
    /// prints the model's text as it is). A backend that receives reasoning and answer
    /// apart sends them in that order.
    public var splitsReasoning: Bool

    public init(meta: TurnRecord, history: [PromptTurn] = [], firstSent: Int = 0, format: ChatFormat,
                settings: SessionSettings, requestTime: Double = monotonicSeconds(), input: TurnInput = .message,
                splitsReasoning: Bool = true) {
        self.meta = meta; self.history = history; self.firstSent = firstSent; self.format = format
        self.settings = settings; self.requestTime = requestTime; self.input = input
        self.splitsReasoning = splitsReasoning
    }
}

/// What a finished turn hands back.
public struct TurnOutcome: Sendable {
    public var record: TurnRecord
    /// The first earlier turn still sent (`TurnJob.firstSent`, or later if the backend
    /// dropped more to fit).
    public var firstSent: Int

    public init(record: TurnRecord, firstSent: Int) { self.record = record; self.firstSent = firstSent }
}

extension TurnBackend {
    /// One whole turn: `turnStarted`, the backend's events, then `turnFinished` with the
    /// returned record (journaled). The one place a turn is bracketed.
    func turn(_ job: TurnJob, events: EventSink, cancel: CancelFlag) async -> TurnOutcome {
        events.beginTurn(job.meta, start: monotonicSeconds())
        let outcome = await generate(job, events: events, cancel: cancel)
        events.endTurn(outcome.record)
        return outcome
    }

    /// One turn on its own (`ponder run`): its events as a stream that ends after
    /// `turnFinished`, and the finished record. Setting `cancel`, or terminating the
    /// stream early (the consuming task cancelled), cancels the turn.
    public func stream(_ job: TurnJob, cancel: CancelFlag = CancelFlag())
        -> (events: AsyncStream<SessionEvent>, record: Task<TurnRecord, Never>) {
        let (stream, continuation) = AsyncStream.makeStream(of: SessionEvent.self, bufferingPolicy: .unbounded)
        let sink = EventSink(continuation: continuation, journal: nil)
        continuation.onTermination = { _ in cancel.cancel() }
        let record = Task {
            let outcome = await self.turn(job, events: sink, cancel: cancel)
            sink.finish()
            return outcome.record
        }
        return (stream, record)
    }
}
