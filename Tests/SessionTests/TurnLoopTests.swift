import Foundation
import Testing
import Engine
import GGUF
import Session
import Tokenizer
import TestSupport

/// The real engine backend that sets a cancel flag from inside the loop, on the worker
/// thread, right after its `after`-th sample: a recorder around the real thing (no
/// behaviour is faked) that makes "stops within one token" exact, whatever the load.
final class CancelAfterSamples: InferenceBackend {
    let inner: EngineBackend
    let flag: CancelFlag
    let after: Int
    private var samples = 0
    init(_ inner: EngineBackend, flag: CancelFlag, after: Int) { self.inner = inner; self.flag = flag; self.after = after }
    func encode(_ prompt: ChatPrompt) throws -> [Int32] { try inner.encode(prompt) }
    var contextSize: Int { inner.contextSize }
    var cachedTokens: [Int32] { inner.cachedTokens }
    func truncateCache(to n: Int) { inner.truncateCache(to: n) }
    func evaluate(_ tokens: [Int32]) throws { try inner.evaluate(tokens) }
    func sample(_ settings: SamplingSettings, recent: ArraySlice<Int32>, uniform: Double) -> Int32 {
        samples += 1
        if samples == after { flag.cancel() }
        return inner.sample(settings, recent: recent, uniform: uniform)
    }
    func tokenPiece(_ token: Int32) -> [UInt8] { inner.tokenPiece(token) }
    func isEndOfTurn(_ token: Int32) -> Bool { inner.isEndOfTurn(token) }
    func snapshot() -> BackendSnapshot? { inner.snapshot() }
    func restore(_ snapshot: BackendSnapshot) throws { try inner.restore(snapshot) }
}

/// The one turn loop (`TurnGenerator` behind `EmbeddedTurnBackend`) on the real SmolLM2
/// model, through the turn seam's stream as `ponder run` uses it: a prompt of token ids,
/// the context filling up, cancellation within one token and from the consumer, and the
/// cache reused after a cancel.
@Suite struct TurnLoopTests {
    static let prompt: [Int32] = (0..<12).map { Int32(($0 * 7919 + 13) % 49152) }

    static func backend(capacity: Int) throws -> EngineBackend {
        let file = try GGUFFile(path: try TestEnv.smolQ4_1.path)
        return EngineBackend(context: try LlamaContext(model: try LlamaModel(file: file), capacity: capacity),
                             tokenizer: try Tokenizer(gguf: file))
    }

    /// A greedy turn over `ids`, its reply left as the model wrote it.
    static func job(_ ids: [Int32], maxTokens: Int) -> TurnJob {
        TurnJob(meta: TurnRecord(index: 0, user: "", mode: .off,
                                 sampling: SamplingSettings(.direct, maxTokens: maxTokens), seed: 1),
                format: ChatFormat(kind: .plain), settings: SessionSettings(), input: .tokens(ids),
                splitsReasoning: false)
    }

    static func run(_ b: any TurnBackend, _ job: TurnJob, cancel: CancelFlag = CancelFlag())
        async -> (TurnRecord, [SessionEvent]) {
        let turn = b.stream(job, cancel: cancel)
        var events: [SessionEvent] = []
        for await e in turn.events { events.append(e) }
        return (await turn.record.value, events)
    }

    @Test func contextFull() async throws {
        let b = EmbeddedTurnBackend(try Self.backend(capacity: 12))
        defer { b.shutdown() }
        let (rec, events) = await Self.run(b, Self.job(Array(Self.prompt[..<8]), maxTokens: 100))
        // 8 prompt tokens and 4 replies fill the 12 positions; the turn stops there.
        #expect(rec.stopReason == .length)
        #expect(rec.tokens.count == 4 && rec.stats.contextUsed == 12)
        #expect(events.contains { if case .notice(let n) = $0 { n.contains("is full") } else { false } })
        #expect(events.first == .turnStarted(index: 0, mode: .off))
        if case .turnFinished(_, let reason, _) = events.last { #expect(reason == .length) } else { Issue.record("no end") }
        // The streamed text is the reply's text, byte for byte.
        let file = try GGUFFile(path: try TestEnv.smolQ4_1.path)
        #expect(rec.answer == (try Tokenizer(gguf: file)).decode(rec.tokens, includeSpecial: true))
    }

    @Test func cancelStopsWithinOneTokenAndTheCacheIsReused() async throws {
        let flag = CancelFlag()
        let b = EmbeddedTurnBackend(CancelAfterSamples(try Self.backend(capacity: 4096), flag: flag, after: 5))
        defer { b.shutdown() }
        let (rec, _) = await Self.run(b, Self.job(Self.prompt, maxTokens: 4000), cancel: flag)
        // Nothing is sampled after the cancel; every sampled token is in the cache.
        #expect(rec.stopReason == .cancelled)
        #expect(rec.tokens.count == 5)
        #expect(rec.stats.contextUsed == Self.prompt.count + 5)
        // The next turn over the same prompt keeps all of it but its last token, and
        // replies as a backend that was never cancelled and reached the same state.
        let (again, _) = await Self.run(b, Self.job(Self.prompt, maxTokens: 8))
        #expect(again.stats.cachedTokens == Self.prompt.count - 1)
        let fresh = EmbeddedTurnBackend(try Self.backend(capacity: 4096))
        defer { fresh.shutdown() }
        _ = await Self.run(fresh, Self.job(Self.prompt, maxTokens: 1))
        let (expected, _) = await Self.run(fresh, Self.job(Self.prompt, maxTokens: 8))
        #expect(again.tokens == expected.tokens && again.tokens.count == 8)
    }

    @Test func aConsumerGoneCancelsTheTurn() async throws {
        let b = EmbeddedTurnBackend(try Self.backend(capacity: 4096))
        defer { b.shutdown() }
        let turn = b.stream(Self.job([1, 2, 3], maxTokens: 4000))
        let consumer = Task { for await _ in turn.events {} }
        consumer.cancel()
        await consumer.value
        let rec = await turn.record.value
        #expect(rec.stopReason == .cancelled)
        #expect(rec.tokens.count < 4000)
    }
}
