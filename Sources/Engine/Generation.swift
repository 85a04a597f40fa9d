import Foundation

/// Why a generation ended.
public enum StopReason: String, Sendable, Equatable {
    /// The model produced one of the end-of-turn tokens.
    case endOfTurn
    /// `maxTokens` were generated.
    case maxTokens
    /// The context is full.
    case contextFull
}

/// Timings so far, in seconds.
public struct GenerationTimings: Sendable, Equatable {
    public var promptTokens = 0
    public var promptSeconds = 0.0
    public var generatedTokens = 0
    public var generationSeconds = 0.0

    public init() {}
    /// Generated tokens per second (decode speed), 0 before the second token.
    public var tokensPerSecond: Double { generationSeconds > 0 ? Double(generatedTokens) / generationSeconds : 0 }
    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0 }
}

/// One element of a generation stream: a sampled token, or (last) the end of the reply.
public struct GeneratedToken: Sendable, Equatable {
    /// The sampled token; for an `.endOfTurn` stop, the end-of-turn token itself.
    public let id: Int32
    /// Set on the final element only: why the generation stopped. An end-of-turn token
    /// arrives with `.endOfTurn` and is not part of the reply text. A cancelled stream
    /// simply ends (no final element).
    public let stop: StopReason?
    public let timings: GenerationTimings
}

/// What to generate: new prompt tokens, how to sample, when to stop.
public struct GenerationRequest: Sendable {
    /// Tokens to append to the context before sampling (may be empty when the context
    /// already ends with fresh logits).
    public var prompt: [Int32]
    public var sampling: SamplingParameters
    public var maxTokens: Int
    /// End-of-turn token ids (e.g. `<|im_end|>`, `<|eot_id|>`).
    public var stopTokens: Set<Int32>

    public init(prompt: [Int32], sampling: SamplingParameters = .direct, maxTokens: Int = 512,
                stopTokens: Set<Int32> = []) {
        self.prompt = prompt; self.sampling = sampling; self.maxTokens = maxTokens; self.stopTokens = stopTokens
    }
}

/// Shared between a generation loop and its consumer: the consumer sets `cancel()`, the
/// loop reads it before each token and counts the tokens it has sampled.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var sampled = 0
    public init() {}
    /// Requests a stop; returns how many tokens the loop had sampled at that moment (the
    /// loop samples no more after this, and evaluates at most the one it is busy with).
    @discardableResult
    public func cancel() -> Int { lock.withLock { value = true; return sampled } }
    public var isCancelled: Bool { lock.withLock { value } }
    /// Tokens the loop has sampled so far (readable from any thread).
    public var sampledCount: Int { lock.withLock { sampled } }
    /// Called by the loop: records one more sampled token unless cancelled; false if cancelled.
    func recordSample() -> Bool { lock.withLock { if value { return false }; sampled += 1; return true } }
}

extension LlamaContext {
    /// Evaluates the prompt, then samples and evaluates one token at a time, yielding
    /// each. Stops on an end-of-turn token, `maxTokens`, a full context, or
    /// cancellation: the consumer's task being cancelled, the stream being terminated, or
    /// `cancelGeneration()`; it is checked before every token, so it stops within one.
    ///
    /// The loop runs on the context's own serial dispatch queue, not on Swift's
    /// cooperative pool (a long synchronous forward pass there would starve the consumer
    /// on a 2-core machine). Generations on one context run one after another.
    ///
    /// Afterwards the context holds the prompt and every yielded token except the last
    /// one (which was sampled but not evaluated), whatever the stop; feed the next turn
    /// through `reuse(prefixOf:)`. The caller must not touch the context until the
    /// stream has finished or `waitForGeneration()` returned (see `LlamaContext`).
    /// `flag` (default: a new one) is the generation's cancellation flag, also reached
    /// through `cancelGeneration()`; passing one lets another thread watch or stop it.
    public func generate(_ request: GenerationRequest,
                         cancel flag: CancellationFlag = CancellationFlag()) -> AsyncThrowingStream<GeneratedToken, Error> {
        let (stream, continuation) = AsyncThrowingStream<GeneratedToken, Error>.makeStream()
        generationFlag = flag
        continuation.onTermination = { _ in flag.cancel() }
        queue.async { [self] in
            do {
                try self.runGeneration(request, cancel: flag) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return stream
    }

    /// Stops the generation in flight within one token. Use it after `break`ing out of the
    /// stream's loop: a dropped iterator does not reliably terminate the stream at once.
    /// Returns the number of tokens that generation had sampled (0 if none is running).
    @discardableResult
    public func cancelGeneration() -> Int {
        generationFlag?.cancel() ?? 0
    }

    /// Waits until every generation started on this context has stopped touching it.
    public func waitForGeneration() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            queue.async { c.resume() }
        }
    }

    /// The generation loop, synchronous; `emit` receives every token. Stops quietly when
    /// `cancel` is set or the calling task is cancelled (before each token).
    public func runGeneration(_ request: GenerationRequest, cancel: CancellationFlag = CancellationFlag(),
                              emit: (GeneratedToken) -> Void) throws {
        func cancelled() -> Bool { cancel.isCancelled || Task.isCancelled }
        let clock = ContinuousClock()
        var timings = GenerationTimings()
        var chain = request.sampling.makeChain()
        if cancelled() { return }
        let t0 = clock.now
        if request.prompt.isEmpty {
            guard lastLogits != nil else { throw EngineError.emptyInput }
        } else {
            try evaluate(request.prompt)
        }
        timings.promptTokens = request.prompt.count
        timings.promptSeconds = (clock.now - t0).seconds
        let t1 = clock.now
        var generated: [Int32] = []
        while true {
            // Cancelled: stop quietly; the consumer has usually gone already.
            if cancelled() { return }
            // Every earlier sampled token has been evaluated, so the context's tokens are
            // the whole history.
            // (lastLogits is not copied: `step` below rewrites it in place.)
            let next = chain.sample(lastLogits!, history: tokens.suffix(max(request.sampling.penaltyWindow, 1)))
            guard cancel.recordSample() else { return }   // cancelled while sampling
            generated.append(next)
            timings.generatedTokens = generated.count
            timings.generationSeconds = (clock.now - t1).seconds
            if request.stopTokens.contains(next) {
                emit(GeneratedToken(id: next, stop: .endOfTurn, timings: timings)); return
            }
            if generated.count >= request.maxTokens {
                emit(GeneratedToken(id: next, stop: .maxTokens, timings: timings)); return
            }
            if count >= capacity {
                emit(GeneratedToken(id: next, stop: .contextFull, timings: timings)); return
            }
            emit(GeneratedToken(id: next, stop: nil, timings: timings))
            if cancelled() { return }
            try step(next)
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
