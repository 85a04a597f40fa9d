import Tokenizer

/// A streaming scanner that routes the model's output bytes to a reasoning channel
/// (inside `<think>…</think>`) and an answer channel.
///
/// Works on bytes, one at a time, so a tag split across tokens at any byte position is
/// recognised; bytes that might start a tag are held back until decided. Rules:
/// - At the start of a reply, whitespace and a `<think>` open tag are looked for first.
///   `<think>` there opens the reasoning (in any mode: a model may reason in an off-turn).
/// - Without an open tag the reply is answer, unless `startsInReasoning` (the profile's
///   pre-fill opened `<think>`, `ReasoningProfile.replyStartsInReasoning`): then it is
///   reasoning up to `</think>`.
/// - `</think>` closes the reasoning; everything after it is answer (later tags are
///   literal text, except a stray `</think>` with no reasoning open, which is dropped).
/// - Leading and trailing whitespace of each channel is dropped (e.g. the `\n` after
///   `<think>` and the `\n\n` after `</think>`); inner whitespace is kept.
/// - `finish()` flushes held-back bytes into the current channel: a reply cut off
///   inside the reasoning keeps all its reasoning; a reply interrupted inside a tag
///   drops the partial tag.
/// Output is bytes; `Utf8Assembler` turns each channel into valid UTF-8 text.
public struct ThinkSplitter: Sendable {
    public struct Output: Sendable, Equatable {
        public var reasoning: [UInt8] = []
        public var answer: [UInt8] = []
        public init() {}
        public var isEmpty: Bool { reasoning.isEmpty && answer.isEmpty }
    }

    enum State: Equatable {
        case leading          // start of reply: whitespace and maybe `<think>`
        case reasoning        // inside the think block
        case answer           // after it, or a reply without one
    }

    static let open = Array(ReasoningProfile.openTag.utf8)
    static let close = Array(ReasoningProfile.closeTag.utf8)

    private let startsInReasoning: Bool
    private(set) var state: State = .leading
    /// Leading state: the bytes seen so far. Other states: a proper prefix of the tag
    /// being watched for (`</think>`).
    private var held: [UInt8] = []
    /// Whitespace not yet emitted in the current channel (dropped if the channel ends).
    private var heldSpace: [UInt8] = []
    /// Whether the current channel has emitted anything yet (leading whitespace is dropped).
    private var channelStarted = false
    /// True once a `</think>` (or the budget) ended the reasoning.
    public private(set) var closedReasoning = false

    /// Passes every byte to the answer unchanged (see `verbatim`).
    private var passthrough = false

    public init(startsInReasoning: Bool = false) { self.startsInReasoning = startsInReasoning }

    /// A splitter that routes every byte to the answer unchanged, whitespace and tags
    /// included: a reply printed as the model wrote it (`ponder run`).
    public static var verbatim: ThinkSplitter {
        var s = ThinkSplitter()
        s.passthrough = true
        s.state = .answer
        return s
    }

    /// The splitter for a reply to a turn of `mode` rendered with `profile` (which says
    /// whether its pre-fill left a think block open).
    public init(profile: ReasoningProfile, mode: ReasoningMode) {
        self.init(startsInReasoning: profile.replyStartsInReasoning(mode))
    }

    /// True at the start of a reply while it is not yet known whether it opens with `<think>`.
    public var isUndecided: Bool { state == .leading }

    /// True while output goes (or would go) to the reasoning channel; counts toward the budget.
    public var inReasoning: Bool { state == .reasoning || (state == .leading && startsInReasoning) }

    /// True while bytes are held back undecided (a possible tag, or the start of a reply).
    public var holdsBytes: Bool { !held.isEmpty }

    /// Forgets the bytes held back: the partial `</think>` of a close that is suppressed
    /// ("think more" puts its continuation cue in place of the close).
    public mutating func dropHeld() { held = [] }

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> Output {
        var out = Output()
        if passthrough { out.answer = Array(bytes); return out }
        for b in bytes { step(b, &out) }
        return out
    }

    /// End of reply: flushes held bytes (a partial tag is text) into the current channel.
    /// `interrupted`: the reply was cut short (cancelled, length); then the held bytes,
    /// always a partial tag (`<thi`, `</thi`), are dropped rather than shown as text.
    public mutating func finish(interrupted: Bool = false) -> Output {
        var out = Output()
        if passthrough { return out }
        if interrupted { held = [] }
        if state == .leading {
            let bytes = held
            held = []
            state = startsInReasoning ? .reasoning : .answer
            for b in bytes { emit(b, &out) }
        } else {
            for b in held { emit(b, &out) }
            held = []
        }
        heldSpace = []
        return out
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    private mutating func step(_ b: UInt8, _ out: inout Output) {
        switch state {
        case .leading:
            held.append(b)
            let rest = held.drop(while: Self.isSpace)
            if rest.isEmpty { return }
            if rest.elementsEqual(Self.open) {
                held = []
                enter(.reasoning)
            } else if Self.open.starts(with: rest) {
                return
            } else {
                // Not an open tag: re-scan the held bytes in the channel they belong to.
                let bytes = held
                held = []
                enter(startsInReasoning ? .reasoning : .answer)
                for x in bytes { step(x, &out) }
            }
        case .reasoning, .answer:
            // Watch for `</think>` (in the answer only to drop a stray one).
            let watching = state == .reasoning || !closedReasoning
            guard watching else { emit(b, &out); return }
            held.append(b)
            if held == Self.close {
                held = []
                if state == .reasoning { closedReasoning = true; enter(.answer) }
                return
            }
            if Self.close.starts(with: held) { return }
            // Mismatch: '<' occurs only at the start of the tag, so only a trailing '<'
            // can begin a new candidate.
            let keep = held.last == UInt8(ascii: "<") ? 1 : 0
            for x in held.dropLast(keep) { emit(x, &out) }
            held = keep == 1 ? [UInt8(ascii: "<")] : []
        }
    }

    private mutating func enter(_ s: State) {
        state = s
        heldSpace = []
        channelStarted = false
    }

    /// Appends to the current channel, deferring whitespace until something follows it.
    private mutating func emit(_ b: UInt8, _ out: inout Output) {
        if Self.isSpace(b) {
            if channelStarted { heldSpace.append(b) }
            return
        }
        channelStarted = true
        if state == .reasoning {
            out.reasoning += heldSpace; out.reasoning.append(b)
        } else {
            out.answer += heldSpace; out.answer.append(b)
        }
        heldSpace = []
    }
}

/// Turns a byte stream into valid UTF-8 text, holding back an incomplete trailing
/// sequence (at most 3 bytes) until its continuation arrives. Invalid bytes become U+FFFD.
public struct Utf8Assembler: Sendable {
    private var pending: [UInt8] = []
    public init() {}

    public mutating func feed(_ bytes: [UInt8]) -> String {
        pending += bytes
        let cut = Self.completePrefixLength(pending)
        guard cut > 0 else { return "" }
        let s = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return s
    }

    /// Flushes what is left (an incomplete sequence becomes U+FFFD).
    public mutating func finish() -> String {
        defer { pending = [] }
        return pending.isEmpty ? "" : String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix that does not end inside a multi-byte sequence.
    static func completePrefixLength(_ b: [UInt8]) -> Int {
        let n = b.count
        var i = n - 1
        // Find the last non-continuation byte within the last 4 bytes.
        while i >= 0, i >= n - 4, b[i] & 0xC0 == 0x80 { i -= 1 }
        guard i >= 0, i >= n - 4 else { return n }   // only continuation bytes: invalid, pass on
        let lead = b[i]
        let need: Int
        switch lead {
        case 0xC0...0xDF: need = 2
        case 0xE0...0xEF: need = 3
        case 0xF0...0xF7: need = 4
        default: need = 1
        }
        return i + need > n ? i : n
    }
}
