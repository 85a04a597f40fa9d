import Foundation
import Session
import Tokenizer

/// A `TurnBackend` on an OpenAI-compatible server: each turn is one streamed chat
/// completion. The messages are the session's own (`TurnPrompt.messages`: the turn's
/// system prompt, the earlier turns as the model saw them, the new message) with the
/// reasoning profile's switch applied (Nemotron: the `detailed thinking on|off`
/// directive; Qwen3: the soft switch), and the turn's sampler of its mode. The server
/// applies the chat template; a pre-fill cannot be sent, so `prefill` is recorded "".
///
/// Reasoning arrives in `reasoning_content`/`reasoning` or between think tags in the
/// content (`StreamedReply`). Cancelling closes the stream, which is how a server is
/// told to stop; what arrived is kept. No token ids: `tokens` stays empty.
public final class RemoteTurnBackend: TurnBackend, @unchecked Sendable {
    public let client: OpenAIClient
    /// The model name sent in every request.
    public let model: String
    private let lock = NSLock()
    private var closed = false

    public init(client: OpenAIClient, model: String) {
        self.client = client
        self.model = model
    }

    /// The identity sessions record for turns on this server.
    public var identity: ModelIdentity { ModelIdentity(server: client.endpoint.display, model: model) }

    public func shutdown() { lock.withLock { closed = true } }

    public func generate(_ job: TurnJob, events: EventSink, cancel: CancelFlag) async -> TurnOutcome {
        var rec = job.meta
        rec.fillUnrecorded(from: job.settings, model: identity)
        let profile = rec.profile ?? job.settings.profile ?? .noReasoning
        rec.profile = profile
        rec.prefill = ""
        let turn = RemoteTurn(record: rec, requestTime: job.requestTime, events: events)
        if lock.withLock({ closed }) { return turn.fail("the server connection is closed", firstSent: job.firstSent) }
        guard case .message = job.input else {
            return turn.fail("a server takes messages, not prompt token ids", firstSent: job.firstSent)
        }
        if cancel.isCancelled { return turn.finish(.cancelled, firstSent: job.firstSent) }

        let first = min(job.firstSent, job.history.count)
        var messages = TurnPrompt.messages(systemPrompt: rec.systemPrompt, historyReasoning: rec.historyReasoning ?? false,
                                           history: job.history[first...], user: rec.user)
        profile.apply(rec.mode, to: &messages)
        let body = ChatRequest(model: model, messages: messages, sampling: rec.sampling, seed: rec.seed)

        // The stream is read in a task of its own, which a watcher cancels once the flag
        // is set: a server that thinks for a minute before its first byte still stops at once.
        let stream = client.stream(body, notice: { events.notice($0) })
        let start = turn
        let reader = Task { () -> (StopReason, String?, RemoteTurn) in
            var turn = start
            var reply = StreamedReply(profile: profile, mode: rec.mode)
            var stop: (StopReason, String?) = (.endOfTurn, nil)
            do {
                for try await chunk in stream {
                    if Task.isCancelled { break }
                    let (r, a) = reply.feed(chunk)
                    turn.received(chunk, reasoning: r, answer: a)
                }
                if Task.isCancelled { stop = (.cancelled, nil) }
                else if turn.finishReason == "length" { stop = (.length, nil) }
            } catch {
                stop = Task.isCancelled ? (.cancelled, nil) : (.error, "\(error)")
            }
            let (r, a) = reply.finish(interrupted: stop.0 != .endOfTurn)
            turn.deliver(reasoning: r, answer: a)
            return (stop.0, stop.1, turn)
        }
        let watcher = Task {
            while !Task.isCancelled {
                if cancel.isCancelled { reader.cancel(); return }
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        let (reason, failure, done) = await reader.value
        watcher.cancel()
        if let failure { events.error(failure) }
        return done.finish(reason, note: failure, firstSent: first)
    }
}

/// The record and stats of one remote turn as its chunks arrive.
struct RemoteTurn: Sendable {
    var record: TurnRecord
    let requestTime: Double
    let events: EventSink
    let start = monotonicSeconds()
    var stats = TurnStats()
    var finishReason: String?
    private var firstToken: Double?

    init(record: TurnRecord, requestTime: Double, events: EventSink) {
        self.record = record
        self.requestTime = requestTime
        self.events = events
    }

    /// One chunk: its text (already split), the server's usage and timings.
    mutating func received(_ chunk: ChatCompletionChunk, reasoning: String, answer: String) {
        if let f = chunk.finishReason { finishReason = f }
        let hasText = !(chunk.contentText ?? "").isEmpty || !(chunk.reasoningText ?? "").isEmpty
        if hasText {
            // A chunk of a streamed reply is one token on the servers Ponder talks to.
            let now = monotonicSeconds()
            if firstToken == nil { firstToken = now; stats.timeToFirstToken = now - requestTime }
            // A chunk whose text the splitter holds back (a tag) counts where the reply is.
            let toAnswer = !answer.isEmpty || (reasoning.isEmpty && (chunk.reasoningText ?? "").isEmpty && !record.answer.isEmpty)
            if toAnswer { stats.answerTokens += 1 } else { stats.reasoningTokens += 1 }
        }
        if let u = chunk.usage {
            if let p = u.promptTokens { stats.promptTokens = p }
        }
        if let t = chunk.timings {
            if let n = t.promptN, let ms = t.promptMS, ms > 0 { stats.prefillTokensPerSecond = Double(n) / ms * 1000 }
            if let c = t.cacheN { stats.cachedTokens = c }
        }
        deliver(reasoning: reasoning, answer: answer)
    }

    /// Reports text to the session and keeps it in the record.
    mutating func deliver(reasoning: String, answer: String) {
        let now = monotonicSeconds()
        let t = now - start
        if !reasoning.isEmpty {
            record.reasoning += reasoning
            record.stream.append(StreamPiece(t: t, c: .reasoning, text: reasoning))
        }
        if !answer.isEmpty {
            if stats.timeToFirstAnswerToken == nil { stats.timeToFirstAnswerToken = now - requestTime }
            record.answer += answer
            record.stream.append(StreamPiece(t: t, c: .answer, text: answer))
        }
        let generated = stats.reasoningTokens + stats.answerTokens
        if let f = firstToken, now > f, generated > 1 { stats.decodeTokensPerSecond = Double(generated - 1) / (now - f) }
        stats.wallTime = now - start
        events.text(index: record.index, reasoning: reasoning, answer: answer, stats: stats)
    }

    func finish(_ reason: StopReason, note: String? = nil, firstSent: Int) -> TurnOutcome {
        var r = record
        var s = stats
        s.wallTime = monotonicSeconds() - start
        r.stats = s
        r.stopReason = reason
        r.note = note
        return TurnOutcome(record: r, firstSent: firstSent)
    }

    func fail(_ message: String, firstSent: Int) -> TurnOutcome {
        events.error(message)
        return finish(.error, note: message, firstSent: firstSent)
    }
}
