import Tokenizer

/// The reply of one turn while it is decoded: the record and stats being built, the
/// think splitter that routes text to reasoning or answer, the think budget and minimum,
/// and the turn's seeded draws. `TurnGenerator` feeds it one token at a time.
///
/// Think more (`rec.thinkMin`): while the reasoning has fewer tokens than the minimum, an
/// end of turn or a `</think>` the model writes is not kept. The close tag may span
/// tokens: from the token where the splitter began holding bytes back (`CloseMark`), the
/// tokens are rolled back (record, cache, counts), the text before the tag is encoded
/// again followed by the profile's continuation cue, and decoding goes on in the reasoning.
struct TurnDecoder {
    /// The text injected when the think budget runs out.
    static let budgetClose = "\n</think>\n\n"

    private(set) var rec: TurnRecord
    private var stats = TurnStats()
    private let events: EventSink
    private let requestTime: Double
    private let start = monotonicSeconds()
    private var prefillEnd = 0.0
    /// Tokens in the cache (prompt and reply so far), for the penalty window.
    private var context: [Int32] = []
    private var splitter: ThinkSplitter
    private var reasoningText = Utf8Assembler(), answerText = Utf8Assembler()
    private var rng: SplitMix64
    /// Tokens not yet attributed to a channel (the start of a reply, until the splitter
    /// knows whether it opened a think block), and their decode seconds.
    private var undecided = 0
    private var undecidedSeconds = 0.0
    /// Seconds from the start at which the previous token's step ended (decode time per channel).
    private var lastTokenAt = 0.0
    /// Where the bytes the splitter holds back began: the state to roll back to if they
    /// turn out to be a close that "think more" suppresses. Nil while nothing is held.
    private var mark: CloseMark?

    struct CloseMark {
        var tokens: Int, context: Int, reasoningTokens: Int, undecided: Int
        /// The pieces of the tokens since the mark (the held bytes are their end).
        var bytes: [UInt8] = []
    }
    /// Tokens sampled so far (what the turn's token limit counts; a think block's close
    /// injected by the budget is not sampled).
    private(set) var sampled = 0
    /// Drafts for the backend to verify (`Speculation`).
    private var speculation: Speculation
    /// The draw of the last verified sample that was not its draft: that token comes next,
    /// sampled again from the same logits with this draw.
    private var carriedUniform: Double?

    /// `drafts`: where drafts come from; nil: none.
    init(job: TurnJob, events: EventSink, contextSize: Int, drafts: (any DraftSource)? = nil) {
        speculation = Speculation(source: drafts)
        self.events = events
        requestTime = job.requestTime
        rec = job.meta
        let profile = rec.profile ?? job.settings.profile ?? .noReasoning
        rec.profile = profile
        rec.prefill = job.input == .message ? profile.prefill(rec.mode) : ""
        splitter = job.splitsReasoning ? ThinkSplitter(profile: profile, mode: rec.mode) : .verbatim
        rng = SplitMix64(seed: rec.seed)
        stats.contextSize = contextSize
        stats.thinkBudget = rec.thinkBudget
        stats.thinkMin = rec.thinkMin
    }

    /// The reasoning profile the turn is rendered with.
    var profile: ReasoningProfile { rec.profile ?? .noReasoning }

    /// Nothing is sent (the turn was cancelled while queued): the record keeps the job's
    /// profile and pre-fill, as they were before rendering.
    mutating func unsent(_ meta: TurnRecord) {
        rec.profile = meta.profile
        rec.prefill = meta.prefill
    }

    /// Prefill starts: `cached` of the `promptTokens` are reused from the cache.
    mutating func prefillBegins(promptTokens: Int, cached: Int) {
        stats.cachedTokens = cached
        stats.promptTokens = promptTokens - cached
    }

    /// Prefill is done: the cache holds `prompt`.
    mutating func prefilled(_ prompt: [Int32]) {
        prefillEnd = monotonicSeconds()
        let seconds = prefillEnd - start
        lastTokenAt = seconds
        if stats.promptTokens > 0, seconds > 0 { stats.prefillTokensPerSecond = Double(stats.promptTokens) / seconds }
        context = prompt
        events.updateStats(index: rec.index, stats)
    }

    /// Samples one token, shows its text and evaluates it, with drafts after it when the
    /// backend drafts (then more tokens may come of one step); nil while the reply goes
    /// on, else why it stopped.
    /// `answerNow`: the user asked for the answer; the reasoning is closed as the budget
    /// closes it.
    mutating func step(_ backend: InferenceBackend, answerNow: Bool = false) -> TurnGenerator.Stop? {
        let n = stats.contextSize
        if context.count >= n { return contextFull() }
        let sampling = rec.sampling
        let tok = backend.sample(sampling, recent: context.suffix(sampling.repetitionWindow), uniform: draw())
        if let cue = thinkMoreCue(answerNow: answerNow) {
            let t = monotonicSeconds() - start
            if rec.tokens.isEmpty { stats.timeToFirstToken = monotonicSeconds() - requestTime }
            if backend.isEndOfTurn(tok) { sampled += 1; return thinkMore(backend, cue: cue, tag: nil, at: t) }
            let held = mark?.bytes ?? []
            let candidate = held + backend.tokenPiece(tok)
            if let k = candidate.firstRange(of: ThinkSplitter.close)?.lowerBound {
                sampled += 1
                return thinkMore(backend, cue: cue, tag: (candidate, k, held.count), at: t)
            }
        }
        if backend.isEndOfTurn(tok) { return (.endOfTurn, nil) }
        let feed = emit(tok, backend, answerNow: answerNow)
        guard context.count + feed.count <= n else { return contextFull() }
        // No drafts while a think minimum is unmet: a close among them could not be
        // replaced by the cue (think more rolls back one sampled token at a time).
        let minimumMet = rec.thinkMin.map { stats.reasoningTokens >= $0 } ?? true
        if feed.count == 1, minimumMet {
            let room = min(n - context.count - 1, sampling.maxTokens - sampled)
            let drafts = speculation.drafts(history: context, last: tok, limit: room)
            if !drafts.isEmpty { return verify(tok, drafts: drafts, backend) }
        }
        return evaluate(feed, backend)
    }

    /// Evaluates `tok` and `drafts` after it in one pass, then keeps each draft while the
    /// turn's sampler, drawing from the logits before it with the turn's next draw, picks
    /// it: every token kept is the one plain decoding would have sampled there. The first
    /// pick that differs is the next token: its draw is carried to the next step, which
    /// samples it again from the same logits (`carriedUniform`).
    private mutating func verify(_ tok: Int32, drafts: [Int32], _ backend: InferenceBackend) -> TurnGenerator.Stop? {
        do { try backend.verify([tok] + drafts) } catch { return failed(error, backend) }
        context.append(tok)
        let sampling = rec.sampling
        var kept = 1            // tokens of the batch the cache keeps
        var stop: TurnGenerator.Stop?
        var close: [Int32] = [] // a kept draft and the think block's close after it
        for d in drafts {
            if sampled >= sampling.maxTokens { break }
            let u = draw()
            let s = backend.sampleVerified(at: kept - 1, sampling, recent: context.suffix(sampling.repetitionWindow), uniform: u)
            guard s == d else { carriedUniform = u; break }
            if backend.isEndOfTurn(s) { stop = (.endOfTurn, nil); break }
            let feed = emit(s, backend, answerNow: false)
            // The budget closed the reasoning after s: s and the close are evaluated
            // together below, as plain decoding evaluates them.
            if feed.count > 1 { close = feed; break }
            context.append(s)
            kept += 1
        }
        backend.acceptVerified(kept)
        speculation.record(drafted: drafts.count, accepted: kept - 1)
        stats.draftSource = speculation.source?.name
        stats.draftedTokens = (stats.draftedTokens ?? 0) + drafts.count
        stats.acceptedDrafts = (stats.acceptedDrafts ?? 0) + kept - 1
        if let stop { return stop }
        if !close.isEmpty {
            guard context.count + close.count <= stats.contextSize else { return contextFull() }
            return evaluate(close, backend)
        }
        return nil
    }

    /// Records and shows sampled token `tok`; returns what is evaluated after it: the
    /// token, and the think block's close when the budget or the user ends the reasoning.
    private mutating func emit(_ tok: Int32, _ backend: InferenceBackend, answerNow: Bool) -> [Int32] {
        sampled += 1
        let t = monotonicSeconds() - start
        if rec.tokens.isEmpty { stats.timeToFirstToken = monotonicSeconds() - requestTime }
        let before = CloseMark(tokens: rec.tokens.count, context: context.count,
                               reasoningTokens: stats.reasoningTokens, undecided: undecided)
        rec.tokens.append(tok); rec.tokenTimes.append(t)
        var feed = [tok]
        let piece = backend.tokenPiece(tok)
        var out = route(piece, at: t)
        if splitter.holdsBytes { mark = mark ?? before; mark?.bytes += piece } else { mark = nil }
        let budgetSpent = rec.thinkBudget.map { stats.reasoningTokens >= $0 } ?? false
        if splitter.inReasoning, budgetSpent || answerNow {
            // Budget spent or the user's call: close the think block as if the model had, and go on.
            rec.reasoningEnd = answerNow && !budgetSpent ? .user : .budget
            // Tokens still undecided (leading whitespace) were reasoning: the close ends it.
            settle(asReasoning: true)
            let inject = (try? backend.encode(ChatPrompt(segments: [.text(Self.budgetClose)], rendersBOS: true))) ?? []
            feed += inject
            for x in inject { rec.tokens.append(x); rec.tokenTimes.append(t) }
            let more = splitter.feed(Array(Self.budgetClose.utf8))
            out.reasoning += more.reasoning; out.answer += more.answer
            if rec.reasoningEnd == .budget { stats.budgetApplied = true }
            mark = nil
        }
        deliver(out)
        return feed
    }

    /// The continuation cue when a close now would come before the turn's minimum
    /// reasoning (and neither the budget nor the user ends it); else nil.
    private func thinkMoreCue(answerNow: Bool) -> String? {
        guard let min = rec.thinkMin, splitter.inReasoning, !answerNow,
              stats.reasoningTokens + undecided < min,
              rec.thinkBudget.map({ stats.reasoningTokens < $0 }) ?? true else { return nil }
        return profile.continuationCue
    }

    /// Think more: the sampled end of turn, or the `</think>` at `tag.at` of `tag.bytes`
    /// (the pieces since the mark, `tag.held` of them fed to the splitter already, then
    /// the sampled token's), is dropped; the text before the tag and the cue take its place.
    private mutating func thinkMore(_ backend: InferenceBackend, cue: String,
                                    tag: (bytes: [UInt8], at: Int, held: Int)?, at t: Double) -> TurnGenerator.Stop? {
        var text = Array(cue.utf8), fresh = text
        if let tag {
            // Back to where the tag's first token began: its tokens leave the record and the cache.
            let m = mark ?? CloseMark(tokens: rec.tokens.count, context: context.count,
                                      reasoningTokens: stats.reasoningTokens, undecided: undecided)
            rec.tokens.removeLast(rec.tokens.count - m.tokens)
            rec.tokenTimes.removeLast(rec.tokenTimes.count - m.tokens)
            backend.truncateCache(to: m.context)
            context.removeLast(context.count - m.context)
            stats.reasoningTokens = m.reasoningTokens
            undecided = m.undecided
            text = Array(tag.bytes[..<tag.at]) + text
            // The splitter saw the held pieces; it holds the tag's start when the tag began in them.
            if tag.at < tag.held { splitter.dropHeld() }
            fresh = Array(tag.bytes[min(tag.at, tag.held)..<tag.at]) + fresh
        }
        mark = nil
        let inject = (try? backend.encode(ChatPrompt(segments: [.text(String(decoding: text, as: UTF8.self))],
                                                     rendersBOS: true))) ?? []
        for x in inject { rec.tokens.append(x); rec.tokenTimes.append(t) }
        let out = splitter.feed(fresh)
        if splitter.isUndecided { undecided += inject.count } else { settle(asReasoning: true, plus: inject.count) }
        deliver(out)
        return evaluate(inject, backend)
    }

    /// Evaluates the step's tokens and adds them to the context; nil, or why the turn stops.
    private mutating func evaluate(_ feed: [Int32], _ backend: InferenceBackend) -> TurnGenerator.Stop? {
        guard context.count + feed.count <= stats.contextSize else { return contextFull() }
        do { try backend.evaluate(feed) } catch { return failed(error, backend) }
        context += feed
        return nil
    }

    /// An evaluation failed: the cache is cut back to the context, and the turn stops.
    private func failed(_ error: any Error, _ backend: InferenceBackend) -> TurnGenerator.Stop {
        backend.truncateCache(to: context.count)
        events.error("generation failed: \(error)")
        return (.error, "\(error)")
    }

    /// The turn's next draw: the one carried from a rejected draft, else a fresh one.
    private mutating func draw() -> Double {
        if let u = carriedUniform {
            carriedUniform = nil
            return u
        }
        return rng.nextUniform()
    }

    /// The end of the reply: attributes the last undecided tokens and shows the text the
    /// splitter held back (`interrupted`: a partial tag at the end is dropped).
    mutating func flush(interrupted: Bool) {
        settle(asReasoning: splitter.inReasoning)
        deliver(splitter.finish(interrupted: interrupted), flush: true)
    }

    /// The finished record.
    mutating func finish(_ stop: TurnGenerator.Stop, contextUsed: Int, snapshotBytes: Int) -> TurnRecord {
        rec.stopReason = stop.reason
        rec.note = stop.note
        stats.wallTime = monotonicSeconds() - start
        stats.contextUsed = contextUsed
        stats.snapshotBytes = snapshotBytes > 0 ? snapshotBytes : nil
        rec.stats = stats
        // The budget and minimum are the record's own fields; the stats carried them live.
        rec.stats.thinkBudget = nil; rec.stats.thinkMin = nil
        return rec
    }

    /// A token's bytes through the splitter; the token, and the seconds since the previous
    /// one (`t`: its time from the start), count where its text went.
    private mutating func route(_ bytes: [UInt8], at t: Double) -> ThinkSplitter.Output {
        let wasReasoning = splitter.inReasoning
        let out = splitter.feed(bytes)
        let dt = max(0, t - lastTokenAt)
        lastTokenAt = t
        if splitter.isUndecided {
            undecided += 1; undecidedSeconds += dt
        } else {
            settle(asReasoning: wasReasoning || splitter.inReasoning, plus: 1, seconds: dt)
        }
        return out
    }

    /// The undecided tokens and their seconds, with `plus` more tokens taking `seconds`,
    /// counted as reasoning or as answer; none are undecided after.
    private mutating func settle(asReasoning: Bool, plus: Int = 0, seconds: Double = 0) {
        if asReasoning {
            stats.reasoningTokens += plus + undecided; add(reasoning: seconds + undecidedSeconds)
        } else {
            stats.answerTokens += plus + undecided; add(answer: seconds + undecidedSeconds)
        }
        undecided = 0; undecidedSeconds = 0
    }

    private mutating func add(reasoning: Double = 0, answer: Double = 0) {
        if reasoning > 0 { stats.reasoningSeconds = (stats.reasoningSeconds ?? 0) + reasoning }
        if answer > 0 { stats.answerSeconds = (stats.answerSeconds ?? 0) + answer }
    }

    private func contextFull() -> TurnGenerator.Stop {
        events.notice("The context (\(stats.contextSize) tokens) is full: turn \(rec.index + 1) stops here.")
        return (.length, nil)
    }

    /// Appends new text to the record and sends it with the stats so far.
    private mutating func deliver(_ out: ThinkSplitter.Output, flush: Bool = false) {
        var r = reasoningText.feed(out.reasoning), a = answerText.feed(out.answer)
        if flush { r += reasoningText.finish(); a += answerText.finish() }
        let now = monotonicSeconds(), t = now - start
        if !r.isEmpty { rec.reasoning += r; rec.stream.append(StreamPiece(t: t, c: .reasoning, text: r)) }
        if !a.isEmpty {
            if stats.timeToFirstAnswerToken == nil { stats.timeToFirstAnswerToken = now - requestTime }
            rec.answer += a; rec.stream.append(StreamPiece(t: t, c: .answer, text: a))
        }
        let decodeTime = now - prefillEnd
        if decodeTime > 0 { stats.decodeTokensPerSecond = Double(rec.tokens.count) / decodeTime }
        stats.contextUsed = context.count
        stats.wallTime = now - start
        events.text(index: rec.index, reasoning: r, answer: a, stats: stats)
    }
}
