import Tokenizer

/// A turn's prompt as token ids that fit the context: the job's own tokens
/// (`TurnInput.tokens`), or the conversation rendered by `TurnPrompt`, dropping the
/// oldest earlier turns while the prompt and a reserve for the reply do not fit (a
/// notice says how many went; they stay in the session).
enum PromptFitting {
    /// The prompt alone does not fit the context.
    struct TooLong: Error, CustomStringConvertible {
        let tokens: Int, context: Int
        var description: String {
            "the message is too long: the prompt is \(tokens) tokens and the context holds \(context); shorten it or raise --ctx"
        }
    }

    /// A prompt of no tokens (`TurnInput.tokens([])`).
    struct Empty: Error, CustomStringConvertible {
        var description: String { "the prompt is empty" }
    }

    /// The prompt and the first earlier turn it sends (`firstSent` or later). Throws
    /// `TooLong`, `Empty`, or the encoder's error (a marker missing from the vocabulary).
    static func fit(_ job: TurnJob, profile: ReasoningProfile, firstSent: Int, backend: InferenceBackend,
                    events: EventSink) throws -> (prompt: [Int32], firstSent: Int) {
        let n = backend.contextSize
        var first = firstSent
        var prompt: [Int32]
        switch job.input {
        case .tokens(let ids):
            prompt = ids
        case .message:
            let reserve = min(job.meta.sampling.maxTokens, max(1, n / 4))
            func render() throws -> [Int32] {
                try backend.encode(TurnPrompt.render(format: job.format, profile: profile, mode: job.meta.mode,
                                                     systemPrompt: job.meta.systemPrompt,
                                                     historyReasoning: job.meta.historyReasoning ?? false,
                                                     history: job.history[first...], user: job.meta.user,
                                                     decode: backend.tokenPiece))
            }
            prompt = try render()
            while prompt.count + reserve > n, first < job.history.count {
                first += 1
                prompt = try render()
            }
            if first > firstSent {
                let k = first - firstSent
                events.notice("The conversation outgrew the context (\(n) tokens): the oldest \(k) turn\(k == 1 ? "" : "s") "
                              + "no longer go\(k == 1 ? "es" : "") to the model (\(first) of \(job.history.count) dropped; they stay in the session).")
            }
        }
        guard !prompt.isEmpty else { throw Empty() }
        guard prompt.count < n else { throw TooLong(tokens: prompt.count, context: n) }
        return (prompt, first)
    }
}
