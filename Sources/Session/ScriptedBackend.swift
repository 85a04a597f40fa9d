import Foundation
import Tokenizer

/// A TEST DOUBLE of an inference backend: no model, a scripted reply per prompt. Used by
/// the Session tests and by the hidden `ponder journal-stress` command, where what is
/// under test is the session machinery (splitting, ordering, cancellation, KV
/// bookkeeping, journaling), not a model. Real-model tests use the Engine.
///
/// Vocabulary: ids 0…255 are single bytes; 256… are the control tokens below; further
/// ids are multi-byte pieces registered by scripts (so a script decides exactly where
/// token boundaries fall). `encode` maps text to byte tokens and special segments to
/// control tokens.
public final class ScriptedBackend: InferenceBackend {
    public static let controlTokens = ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                                       "<|eot_id|>", "<|im_start|>", "<|im_end|>"]
    static let endOfTurn: Set<Int32> = [256 + 3, 256 + 5]

    /// Shared counters a test can read after handing the backend to a conversation.
    public final class Counters: @unchecked Sendable {
        private let lock = NSLock()
        private var _evaluated = 0
        private var _prompts: [String] = []
        /// Tokens evaluated so far (prompt and generated).
        public var evaluated: Int { lock.withLock { _evaluated } }
        /// The prompt text of every reply started, in order.
        public var prompts: [String] { lock.withLock { _prompts } }
        func add(_ n: Int) { lock.withLock { _evaluated += n } }
        func prompt(_ s: String) { lock.withLock { _prompts.append(s) } }
    }

    /// The reply to a prompt (its full text, control tokens included), as token pieces.
    public typealias Script = @Sendable (_ prompt: String) -> [[UInt8]]

    public let contextSize: Int
    public private(set) var cachedTokens: [Int32] = []
    public let counters = Counters()
    private let script: Script
    private let tokenDelay: Double
    private let bytesPerToken: Int
    private var pieces: [[UInt8]] = []            // id 256 + controlTokens.count + i
    private var pieceIDs: [[UInt8]: Int32] = [:]
    private var reply: [Int32]?                   // the reply being generated
    private var replyPos = 0
    private var lastSampled: Int32?
    private var closeAt: Int?                     // reply position just after "</think>"

    /// - Parameters:
    ///   - tokenDelay: seconds each `sample` sleeps (a slow model, for timing tests).
    ///   - bytesPerToken: KV bytes per cached token reported by snapshots.
    public init(contextSize: Int = 4096, tokenDelay: Double = 0, bytesPerToken: Int = 1024,
                script: @escaping Script) {
        self.contextSize = contextSize
        self.tokenDelay = tokenDelay
        self.bytesPerToken = bytesPerToken
        self.script = script
    }

    /// A script that replies with `text(user message)`, one byte per token.
    public static func bytes(_ text: @escaping @Sendable (String) -> String) -> Script {
        { prompt in Array(text(lastUserMessage(in: prompt)).utf8).map { [$0] } }
    }

    /// The content of the last user message of a llama3 or ChatML prompt.
    public static func lastUserMessage(in prompt: String) -> String {
        for (open, close) in [("<|start_header_id|>user<|end_header_id|>\n\n", "<|eot_id|>"), ("<|im_start|>user\n", "<|im_end|>")] {
            if let r = prompt.range(of: open, options: .backwards) {
                let rest = prompt[r.upperBound...]
                return String(rest[..<(rest.range(of: close)?.lowerBound ?? rest.endIndex)])
            }
        }
        return ""
    }

    public func encode(_ prompt: ChatPrompt) throws -> [Int32] {
        prompt.segments.flatMap { seg -> [Int32] in
            switch seg {
            case .special(let s): return tokenize(s, special: true)
            case .text(let t): return tokenize(t, special: false)
            }
        }
    }

    /// Text to token ids: bytes, and with `special` the control spellings as control tokens.
    public func tokenize(_ text: String, special: Bool) -> [Int32] {
        var out: [Int32] = []
        var bytes = Substring(text).utf8[...]
        outer: while !bytes.isEmpty {
            if special {
                for (i, c) in Self.controlTokens.enumerated() where bytes.starts(with: c.utf8) {
                    out.append(Int32(256 + i))
                    bytes = bytes.dropFirst(c.utf8.count)
                    continue outer
                }
            }
            out.append(Int32(bytes.first!))
            bytes = bytes.dropFirst()
        }
        return out
    }

    public func tokenPiece(_ token: Int32) -> [UInt8] {
        let t = Int(token)
        if t < 256 { return [UInt8(t)] }
        if t < 256 + Self.controlTokens.count { return Array(Self.controlTokens[t - 256].utf8) }
        let i = t - 256 - Self.controlTokens.count
        return i < pieces.count ? pieces[i] : []
    }

    public func isEndOfTurn(_ token: Int32) -> Bool { Self.endOfTurn.contains(token) }

    public func truncateCache(to n: Int) {
        cachedTokens.removeLast(max(0, cachedTokens.count - n))
        reply = nil
    }

    public func evaluate(_ tokens: [Int32]) throws {
        guard cachedTokens.count + tokens.count <= contextSize else {
            throw SessionIOError("context overflow in the test double")
        }
        cachedTokens += tokens
        counters.add(tokens.count)
        if reply != nil, let s = lastSampled, tokens.first == s {
            replyPos += 1
            // Injected text after the sampled token (the think budget): a scripted model
            // obeys a forced `</think>` by jumping to its own answer.
            if tokens.count > 1, let c = closeAt, replyPos < c,
               String(decoding: tokens.dropFirst().flatMap(tokenPiece), as: UTF8.self).contains("</think>") {
                replyPos = c
            }
        } else {
            reply = nil
        }
        lastSampled = nil
    }

    public func sample(_ settings: SamplingSettings, recent: ArraySlice<Int32>, uniform: Double) -> Int32 {
        if tokenDelay > 0 { Thread.sleep(forTimeInterval: tokenDelay) }
        if reply == nil {
            let prompt = String(decoding: cachedTokens.flatMap(tokenPiece), as: UTF8.self)
            counters.prompt(prompt)
            let ps = script(prompt)
            reply = ps.map(register)
            replyPos = 0
            // Where the reply's own reasoning ends, for a forced close.
            var text: [UInt8] = []
            closeAt = nil
            for (i, p) in ps.enumerated() {
                text += p
                if closeAt == nil, String(decoding: text, as: UTF8.self).contains("</think>") { closeAt = i + 1; break }
            }
        }
        let tok = replyPos < reply!.count ? reply![replyPos] : 256 + 3
        lastSampled = tok
        return tok
    }

    private func register(_ piece: [UInt8]) -> Int32 {
        if piece.count == 1 { return Int32(piece[0]) }
        if let id = pieceIDs[piece] { return id }
        let id = Int32(256 + Self.controlTokens.count + pieces.count)
        pieces.append(piece)
        pieceIDs[piece] = id
        return id
    }

    final class Snapshot: BackendSnapshot {
        let tokens: [Int32]
        let byteCount: Int
        init(tokens: [Int32], byteCount: Int) { self.tokens = tokens; self.byteCount = byteCount }
    }

    public func snapshot() -> BackendSnapshot? {
        Snapshot(tokens: cachedTokens, byteCount: cachedTokens.count * bytesPerToken)
    }

    public func restore(_ snapshot: BackendSnapshot) throws {
        cachedTokens = snapshot.tokens
        reply = nil
    }
}
