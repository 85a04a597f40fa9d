import Engine
import Tokenizer

/// The real engine behind the session's `InferenceBackend`: one `LlamaContext` (KV cache)
/// over a `LlamaModel`, and the model's `Tokenizer`.
///
/// Owned by one `BackendWorker` thread (see `InferenceBackend`); not thread-safe.
public final class EngineBackend: InferenceBackend {
    public let context: LlamaContext
    public let tokenizer: Tokenizer
    private let endOfTurn: Set<Int32>
    /// Control-token spellings, longest first, for `tokenize(_:special: true)`.
    private let controlSpellings: [String]

    public init(context: LlamaContext, tokenizer: Tokenizer) {
        self.context = context
        self.tokenizer = tokenizer
        endOfTurn = context.model.endOfTurnTokens.union(tokenizer.endOfGeneration)
        var spellings: [String] = []
        for id in 0..<tokenizer.vocabularySize where tokenizer.isControlToken(Int32(id)) {
            if let s = tokenizer.spelling(of: Int32(id)), !s.isEmpty { spellings.append(s) }
        }
        controlSpellings = spellings.sorted { $0.utf8.count > $1.utf8.count }
    }

    public var contextSize: Int { context.capacity }
    public var cachedTokens: [Int32] { context.tokens }
    public func truncateCache(to n: Int) { context.truncate(to: n) }

    public func evaluate(_ tokens: [Int32]) throws {
        guard !tokens.isEmpty else { return }
        try context.evaluate(tokens, logits: .last)
    }

    /// Template text: control-token spellings in it become those tokens; the rest is text.
    /// User text (`special: false`) never yields a control token.
    public func tokenize(_ text: String, special: Bool) -> [Int32] {
        guard special else { return tokenizer.encode(text) }
        var segments: [Segment] = []
        var plain = ""
        var rest = Substring(text)
        outer: while !rest.isEmpty {
            if rest.first == "<" {
                for s in controlSpellings where rest.hasPrefix(s) {
                    if !plain.isEmpty { segments.append(.text(plain)); plain = "" }
                    segments.append(.special(s))
                    rest = rest.dropFirst(s.count)
                    continue outer
                }
            }
            plain.append(rest.removeFirst())
        }
        if !plain.isEmpty { segments.append(.text(plain)) }
        return (try? tokenizer.encode(segments)) ?? tokenizer.encode(text)
    }

    public func sample(_ settings: SamplingSettings, recent: ArraySlice<Int32>, uniform: Double) -> Int32 {
        guard let logits = context.lastLogits else { return endOfTurn.first ?? 0 }
        return settings.engineParameters.makeChain().sample(logits, history: recent, uniform: uniform)
    }

    public func tokenPiece(_ token: Int32) -> [UInt8] { Array(tokenizer.bytes(of: token)) }
    public func isEndOfTurn(_ token: Int32) -> Bool { endOfTurn.contains(token) }

    public func snapshot() -> BackendSnapshot? { EngineSnapshot(context.snapshot()) }

    public func restore(_ snapshot: BackendSnapshot) throws {
        guard let s = snapshot as? EngineSnapshot else {
            throw EngineError.invalidArgument("snapshot from another backend")
        }
        try context.restore(s.snapshot)
    }
}

/// A KV snapshot of the engine, as the session's `BackendSnapshot`.
final class EngineSnapshot: BackendSnapshot {
    let snapshot: ContextSnapshot
    init(_ s: ContextSnapshot) { snapshot = s }
    var tokens: [Int32] { snapshot.tokens }
    var byteCount: Int { snapshot.byteCount }
}
