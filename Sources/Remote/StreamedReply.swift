import Session

/// A streamed chat completion turned into reasoning and answer text, whichever way the
/// server delivers the reasoning:
/// - in `reasoning_content` / `reasoning` (a server with a reasoning parser): that text is
///   reasoning, and from then on `content` is answer;
/// - inside `content` between think tags (a server without a parser): `content` goes
///   through the same `ThinkSplitter` the embedded engine uses, set up by the turn's
///   reasoning profile and mode (so a DeepSeek-R1 template that opens `<think>` in the
///   prompt is read as reasoning until `</think>`).
/// Either way each channel loses its leading and trailing whitespace, as the splitter's
/// channels do (the "\n\n" between reasoning and answer never shows).
public struct StreamedReply: Sendable {
    private var splitter: ThinkSplitter
    private var rAsm = Utf8Assembler(), aAsm = Utf8Assembler()
    /// Set once the server sent a reasoning field: it has a parser.
    private var parsed = false
    private var reasoningField = TrimmedChannel(), parsedAnswer = TrimmedChannel()
    /// Set once a server with a parser sent answer text.
    private var answered = false

    public init(profile: ReasoningProfile, mode: ReasoningMode) {
        splitter = ThinkSplitter(profile: profile, mode: mode)
    }

    /// The text one chunk adds to each channel.
    public mutating func feed(_ chunk: ChatCompletionChunk) -> (reasoning: String, answer: String) {
        var reasoning = "", answer = ""
        if let r = chunk.reasoningText, !r.isEmpty {
            parsed = true
            reasoning += reasoningField.feed(r)
        }
        if let c = chunk.contentText, !c.isEmpty {
            if parsed {
                answered = true
                answer += parsedAnswer.feed(c)
            } else {
                let out = splitter.feed(Array(c.utf8))
                reasoning += rAsm.feed(out.reasoning)
                answer += aAsm.feed(out.answer)
            }
        }
        return (reasoning, answer)
    }

    /// True while the reply is in its reasoning (before its first text: when the turn's
    /// prompt opens the think block).
    public var inReasoning: Bool { parsed ? !answered : splitter.inReasoning }

    /// Whether `chunk` carries more reasoning: what a think budget counts and what
    /// "answer now" cuts off.
    public func continuesReasoning(_ chunk: ChatCompletionChunk) -> Bool {
        if let r = chunk.reasoningText, !r.isEmpty { return !answered }
        guard let c = chunk.contentText, !c.isEmpty else { return false }
        return !parsed && splitter.inReasoning
    }

    /// The end of the stream: what the splitter held back. `interrupted`: the reply was
    /// cut short (a partial tag is then dropped).
    public mutating func finish(interrupted: Bool) -> (reasoning: String, answer: String) {
        let out = splitter.finish(interrupted: interrupted)
        return (rAsm.feed(out.reasoning) + rAsm.finish(), aAsm.feed(out.answer) + aAsm.finish())
    }
}

/// Text of one channel with its leading whitespace dropped and trailing whitespace held
/// until more text follows it.
struct TrimmedChannel: Sendable {
    private var started = false
    private var heldSpace = ""

    mutating func feed(_ text: String) -> String {
        var s = Substring(text)
        if !started {
            s = s.drop(while: \.isWhitespace)
            if s.isEmpty { return "" }
            started = true
        }
        let body = heldSpace + s
        let kept = String(body.reversed().drop(while: \.isWhitespace).reversed())
        heldSpace = String(body.dropFirst(kept.count))
        return kept
    }
}
