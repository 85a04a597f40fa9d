import Foundation
import Tokenizer

/// Everything one turn needs, captured by the conversation when the turn's time comes.
struct TurnJob: Sendable {
    var meta: TurnRecord               // index, user, mode, profile, sampling, seed, budget, startedAt
    var history: [PromptTurn]          // all earlier turns
    var firstSent: Int                 // earlier turns before this one are no longer sent
    var format: ChatFormat
    var settings: SessionSettings
    var requestTime: Double            // monotonic, when the user sent it
    var cancel: CancelFlag
    var sink: EventSink
}

/// What a finished job hands back to the conversation.
struct TurnOutcome: Sendable {
    var record: TurnRecord
    var firstSent: Int
}

/// The generation loop of one turn. Runs on the worker thread, start to end without
/// suspension; checks the cancel flag between prefill chunks and before every token.
enum TurnGenerator {
    /// The text injected when the think budget runs out.
    static let budgetClose = "\n</think>\n\n"

    static func run(_ job: TurnJob, in ctx: BackendContext) -> TurnOutcome {
        let backend = ctx.backend
        let start = monotonicSeconds()
        var rec = job.meta
        var stats = TurnStats()
        stats.contextSize = backend.contextSize
        var firstSent = min(job.firstSent, job.history.count)
        job.sink.beginTurn(rec, start: start)

        func finish(_ reason: StopReason, note: String? = nil) -> TurnOutcome {
            rec.stopReason = reason
            rec.note = note
            stats.wallTime = monotonicSeconds() - start
            stats.contextUsed = backend.cachedTokens.count
            stats.snapshotBytes = ctx.stashBytes > 0 ? ctx.stashBytes : nil
            rec.stats = stats
            job.sink.endTurn(rec)
            return TurnOutcome(record: rec, firstSent: firstSent)
        }

        // 1. Render the prompt, dropping the oldest turns while it does not fit.
        if job.cancel.isCancelled { return finish(.cancelled) }
        let n = backend.contextSize
        let reserve = min(job.meta.sampling.maxTokens, max(1, n / 4))
        let profile = rec.profile ?? job.settings.profile ?? .noReasoning
        rec.profile = profile
        rec.prefill = profile.prefill(rec.mode)
        // The prompt comes from the turn's own record (the settings fill in what it lacks).
        rec.fillUnrecorded(from: job.settings, model: nil)
        func promptTokens() throws -> [Int32] {
            try backend.encode(TurnPrompt.render(format: job.format, profile: profile, mode: rec.mode,
                                                 systemPrompt: rec.systemPrompt, historyReasoning: rec.historyReasoning ?? false,
                                                 history: job.history[firstSent...], user: rec.user,
                                                 decode: backend.tokenPiece))
        }
        var prompt: [Int32]
        let firstBefore = firstSent
        do {
            prompt = try promptTokens()
            while prompt.count + reserve > n, firstSent < job.history.count {
                firstSent += 1
                prompt = try promptTokens()
            }
        } catch {
            job.sink.error("\(error)")
            return finish(.error, note: "\(error)")
        }
        if firstSent > firstBefore {
            let k = firstSent - firstBefore
            job.sink.notice("The conversation outgrew the context (\(n) tokens): the oldest \(k) turn\(k == 1 ? "" : "s") "
                            + "no longer go\(k == 1 ? "es" : "") to the model (\(firstSent) of \(job.history.count) dropped; they stay in the session).")
        }
        guard prompt.count < n else {
            let msg = "the message is too long: the prompt is \(prompt.count) tokens, the context holds \(n)"
            job.sink.error(msg)
            return finish(.error, note: msg)
        }

        // 2. Reuse the cache: switch to this mode's cache, keep the common prefix.
        ctx.switchMode(to: rec.mode, budget: job.settings.snapshotBudgetBytes)
        let cached = backend.cachedTokens
        var k = zip(cached, prompt).prefix { $0 == $1 }.count
        if k == prompt.count { k -= 1 }         // evaluate at least one token for fresh logits
        backend.truncateCache(to: k)
        stats.cachedTokens = k
        stats.promptTokens = prompt.count - k
        let chunk = max(1, job.settings.prefillChunk)
        var pos = k
        while pos < prompt.count {
            if job.cancel.isCancelled { return finish(.cancelled) }
            let end = min(prompt.count, pos + chunk)
            do { try backend.evaluate(Array(prompt[pos..<end])) } catch {
                backend.truncateCache(to: pos)
                job.sink.error("prompt evaluation failed: \(error)")
                return finish(.error, note: "\(error)")
            }
            pos = end
            job.sink.prefill(index: rec.index, done: pos - k, total: prompt.count - k)
        }
        let prefillEnd = monotonicSeconds()
        let prefillTime = prefillEnd - start
        if stats.promptTokens > 0, prefillTime > 0 { stats.prefillTokensPerSecond = Double(stats.promptTokens) / prefillTime }
        job.sink.updateStats(index: rec.index, stats)

        // 3. Decode.
        var context = prompt                           // tokens in the cache, for the penalty window
        var splitter = ThinkSplitter(profile: profile, mode: rec.mode)
        var rAsm = Utf8Assembler(), aAsm = Utf8Assembler()
        var rng = SplitMix64(seed: rec.seed)
        let sampling = rec.sampling
        var reason = StopReason.length
        var failure: String?
        var undecided = 0                              // tokens not yet attributed to a channel

        func deliver(_ out: ThinkSplitter.Output, flush: Bool = false) {
            var r = rAsm.feed(out.reasoning), a = aAsm.feed(out.answer)
            if flush { r += rAsm.finish(); a += aAsm.finish() }
            let t = monotonicSeconds() - start
            if !r.isEmpty { rec.reasoning += r; rec.stream.append(StreamPiece(t: t, c: .reasoning, text: r)) }
            if !a.isEmpty {
                if stats.timeToFirstAnswerToken == nil { stats.timeToFirstAnswerToken = monotonicSeconds() - job.requestTime }
                rec.answer += a; rec.stream.append(StreamPiece(t: t, c: .answer, text: a))
            }
            let decodeTime = monotonicSeconds() - prefillEnd
            if decodeTime > 0 { stats.decodeTokensPerSecond = Double(rec.tokens.count) / decodeTime }
            stats.contextUsed = context.count
            stats.wallTime = monotonicSeconds() - start
            job.sink.text(index: rec.index, reasoning: r, answer: a, stats: stats)
        }

        for _ in 0..<sampling.maxTokens {
            if job.cancel.isCancelled { reason = .cancelled; break }
            if context.count >= n {
                job.sink.notice("The context (\(n) tokens) is full: turn \(rec.index + 1) stops here.")
                reason = .length; break
            }
            let window = sampling.repetitionWindow
            let tok = backend.sample(sampling, recent: context.suffix(window), uniform: rng.nextUniform())
            if backend.isEndOfTurn(tok) { reason = .endOfTurn; break }
            let t = monotonicSeconds() - start
            if rec.tokens.isEmpty { stats.timeToFirstToken = monotonicSeconds() - job.requestTime }
            rec.tokens.append(tok); rec.tokenTimes.append(t)
            var feed = [tok]
            let wasReasoning = splitter.inReasoning
            var out = splitter.feed(backend.tokenPiece(tok))
            // A token counts where its text went; tokens at the start of a reply wait
            // until the splitter knows whether they opened a think block.
            if splitter.isUndecided {
                undecided += 1
            } else if wasReasoning || splitter.inReasoning {
                stats.reasoningTokens += 1 + undecided; undecided = 0
            } else {
                stats.answerTokens += 1 + undecided; undecided = 0
            }
            if let budget = rec.thinkBudget, splitter.inReasoning, stats.reasoningTokens >= budget {
                // Budget spent: close the think block as if the model had, and go on.
                let inject = (try? backend.encode(ChatPrompt(segments: [.text(Self.budgetClose)], rendersBOS: true))) ?? []
                feed += inject
                for x in inject { rec.tokens.append(x); rec.tokenTimes.append(t) }
                let more = splitter.feed(Array(Self.budgetClose.utf8))
                out.reasoning += more.reasoning; out.answer += more.answer
                stats.budgetApplied = true
            }
            deliver(out)
            guard context.count + feed.count <= n else {
                job.sink.notice("The context (\(n) tokens) is full: turn \(rec.index + 1) stops here.")
                reason = .length; break
            }
            do { try backend.evaluate(feed) } catch {
                backend.truncateCache(to: context.count)
                failure = "\(error)"; reason = .error
                job.sink.error("generation failed: \(error)")
                break
            }
            context += feed
        }
        if splitter.inReasoning { stats.reasoningTokens += undecided } else { stats.answerTokens += undecided }
        deliver(splitter.finish(interrupted: reason != .endOfTurn), flush: true)
        return finish(reason, note: failure)
    }
}
