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
    /// How this server takes a continued assistant message: llama.cpp's form until the
    /// server rejects it and takes vLLM's (then vLLM's for the rest of the session).
    private var continuation = ChatRequest.ContinuationForm.content

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
        let body = ChatRequest(model: model, messages: messages, sampling: rec.sampling, seed: rec.seed,
                               thinkBudget: rec.thinkBudget)

        // The reply; cut short in its reasoning (the budget spent, or "answer now"), the
        // stream is closed and a second request continues the same assistant message
        // after the reasoning, so the answer streams into the same turn.
        var (end, turn2) = await leg(body, reply: StreamedReply(profile: profile, mode: rec.mode), turn: turn,
                                     cuts: true, budget: rec.thinkBudget, events: events, cancel: cancel)
        if case .cut(let who) = end {
            turn2.record.reasoningEnd = who
            if who == .budget { turn2.stats.budgetApplied = true }
            let generated = turn2.stats.reasoningTokens + turn2.stats.answerTokens
            let cutTurn = turn2
            let next = { (form: ChatRequest.ContinuationForm) in
                body.continuing(reasoning: cutTurn.record.reasoning, answer: cutTurn.record.answer,
                                maxTokens: rec.sampling.maxTokens - generated, form: form)
            }
            let form = lock.withLock { continuation }
            (end, turn2) = await leg(next(form), reply: StreamedReply(profile: .noReasoning, mode: .off), turn: cutTurn,
                                     cuts: false, budget: nil, events: events, cancel: cancel)
            // A 400 to llama.cpp's form: asked once more in vLLM's, remembered when taken.
            if case .rejected = end, form == .content {
                (end, turn2) = await leg(next(.boolean), reply: StreamedReply(profile: .noReasoning, mode: .off),
                                         turn: cutTurn, cuts: false, budget: nil, events: events, cancel: cancel)
                if case .rejected = end {} else { lock.withLock { continuation = .boolean } }
            }
        }
        if case .rejected(let failure) = end { end = .stopped(.error, failure) }
        guard case .stopped(let reason, let failure) = end else { return turn2.finish(.error, firstSent: first) }
        if let failure { events.error(failure) }
        return turn2.finish(reason, note: failure, firstSent: first)
    }

    /// How one streamed request ended: the turn stopped, or its reasoning was cut (by
    /// the budget or the user) and the answer is still to come.
    enum LegEnd: Sendable {
        case stopped(StopReason, String?)
        case cut(ReasoningEnd)
        /// The server answered 400 (a request it does not take) before anything streamed.
        case rejected(String)
    }

    /// Streams one request into `turn`. `cuts`: the reasoning may still be cut, at
    /// `budget` chunks or when the user asks for the answer (false once it is over).
    private func leg(_ body: ChatRequest, reply start: StreamedReply, turn: RemoteTurn, cuts: Bool, budget: Int?,
                     events: EventSink, cancel: CancelFlag) async -> (LegEnd, RemoteTurn) {
        // The stream is read in a task of its own, which a watcher cancels once the flag
        // is set, or once the user asks for the answer while the reply is in its
        // reasoning: a server that thinks for a minute between chunks still stops at once.
        let stream = client.stream(body, notice: { events.notice($0) })
        let reasoning = LockedFlag(start.inReasoning)
        // Why the reader stopped early: the user's call for the answer, or a stop.
        let interrupted = { () -> LegEnd in
            cuts && !cancel.isCancelled && cancel.answerRequested ? .cut(.user) : .stopped(.cancelled, nil)
        }
        let reader = Task { () -> (LegEnd, RemoteTurn) in
            var turn = turn
            var reply = start
            var end = LegEnd.stopped(.endOfTurn, nil)
            var streamed = false
            do {
                for try await chunk in stream {
                    if Task.isCancelled { break }
                    streamed = true
                    // A chunk of more reasoning past the budget, or after "answer now", is
                    // not shown: the reasoning ends where it was.
                    if cuts, reply.continuesReasoning(chunk) {
                        if let b = budget, turn.stats.reasoningTokens >= b { end = .cut(.budget); break }
                        if cancel.answerRequested { end = .cut(.user); break }
                    }
                    let (r, a) = reply.feed(chunk)
                    turn.received(chunk, reasoning: r, answer: a)
                    reasoning.set(reply.inReasoning)
                }
                if case .cut = end {} else if Task.isCancelled { end = interrupted() }
                else if turn.finishReason == "length" { end = .stopped(.length, nil) }
            } catch RemoteError.status(400, let m) where !streamed && !Task.isCancelled {
                end = .rejected("\(RemoteError.status(400, m))")
            } catch {
                end = Task.isCancelled ? interrupted() : .stopped(.error, "\(error)")
            }
            var interrupted = true
            if case .stopped(.endOfTurn, _) = end { interrupted = false }
            let (r, a) = reply.finish(interrupted: interrupted)
            turn.deliver(reasoning: r, answer: a)
            return (end, turn)
        }
        let watcher = Task {
            while !Task.isCancelled {
                if cancel.isCancelled || (cuts && cancel.answerRequested && reasoning.value) { reader.cancel(); return }
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        let result = await reader.value
        watcher.cancel()
        return result
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
        // The stats bar's "think 37/64" while the turn reasons: the budget and the
        // reasoning chunks counted so far, as the embedded engine reports them. (A server
        // has no "think more" minimum: none is shown.)
        stats.thinkBudget = record.thinkBudget
    }

    /// One chunk: its text (already split), the server's usage and timings.
    mutating func received(_ chunk: ChatCompletionChunk, reasoning: String, answer: String) {
        if let f = chunk.finishReason { finishReason = f }
        let hasText = !(chunk.contentText ?? "").isEmpty || !(chunk.reasoningText ?? "").isEmpty
        if hasText {
            // A chunk of a streamed reply is one token on the servers Ponder talks to.
            let now = monotonicSeconds()
            if firstToken == nil { firstToken = now; stats.timeToFirstToken = now - requestTime }
            // A chunk whose text the splitter holds back (a tag, leading whitespace) counts
            // where the reply is: in the answer once the reasoning was cut.
            let toAnswer = !answer.isEmpty || (reasoning.isEmpty && (chunk.reasoningText ?? "").isEmpty
                                                && (!record.answer.isEmpty || record.reasoningEnd != nil))
            if toAnswer { stats.answerTokens += 1 } else { stats.reasoningTokens += 1 }
        }
        if let u = chunk.usage {
            if let p = u.promptTokens { stats.promptTokens = p }
        }
        if let t = chunk.timings {
            if let n = t.promptN, let ms = t.promptMS, ms > 0 { stats.prefillTokensPerSecond = Double(n) / ms * 1000 }
            if let c = t.cacheN { stats.cachedTokens = c }
            if let p = t.promptMS, let n = t.predictedN, let ms = t.predictedMS, n > 1, ms > 0 {
                stats.server = ServerTimings(promptTime: p / 1000, generated: n, decodeTokensPerSecond: Double(n - 1) / ms * 1000)
            }
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
            if record.answer.isEmpty { budgetClosed() }
            if stats.timeToFirstAnswerToken == nil { stats.timeToFirstAnswerToken = now - requestTime }
            record.answer += answer
            record.stream.append(StreamPiece(t: t, c: .answer, text: answer))
        }
        let generated = stats.reasoningTokens + stats.answerTokens
        if let f = firstToken, now > f, generated > 1 { stats.decodeTokensPerSecond = Double(generated - 1) / (now - f) }
        stats.wallTime = now - start
        events.text(index: record.index, reasoning: reasoning, answer: answer, stats: stats)
    }

    /// The answer begins: when the turn had a budget and the server's own budget (the
    /// request's `thinking_budget_tokens`) closed the reasoning, record it as the budget's
    /// cut. llama.cpp's budget sampler counts tokens, its forced close among them, where
    /// the client counts chunks (a chunk may hold two tokens): its cut arrives as up to 2
    /// chunks short of the budget, so reasoning that ended that close to it counts as cut.
    private mutating func budgetClosed() {
        guard record.reasoningEnd == nil, let b = record.thinkBudget else { return }
        let used = stats.reasoningTokens
        guard used > 0 || b == 0, used + 2 >= b else { return }
        record.reasoningEnd = .budget
        stats.budgetApplied = true
    }

    func finish(_ reason: StopReason, note: String? = nil, firstSent: Int) -> TurnOutcome {
        var r = record
        var s = stats
        s.wallTime = monotonicSeconds() - start
        s.thinkBudget = nil                  // live only: the record has its own `thinkBudget`
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

/// A Bool one task writes and another reads.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var v: Bool
    init(_ v: Bool) { self.v = v }
    var value: Bool { lock.withLock { v } }
    func set(_ new: Bool) { lock.withLock { v = new } }
}
