import Foundation

/// Perplexity the way llama.cpp's `perplexity` tool computes it: the tokens are cut into
/// chunks of `contextLength`; each chunk is evaluated from an empty cache and scored on
/// its second half only (positions [ctx/2, ctx-1) predicting the next token), so every
/// scored token has at least ctx/2 tokens of context.
public struct PerplexityResult: Sendable {
    /// Negative log-likelihood (nats) summed over each chunk's scored tokens.
    public var chunkNLL: [Double] = []
    /// Tokens scored in all.
    public var scoredTokens = 0
    /// exp(total NLL / scored tokens).
    public var perplexity: Double { scoredTokens > 0 ? Foundation.exp(chunkNLL.reduce(0, +) / Double(scoredTokens)) : .nan }
}

extension LlamaContext {
    /// Scores `tokens` in chunks of `capacity` (the context length), at most `maxChunks`.
    /// `progress` receives the result after every chunk (for the running figure).
    /// Throws `invalidArgument` when the text is shorter than two chunks' worth of context.
    public func perplexity(tokens: [Int32], maxChunks: Int = .max,
                           progress: (PerplexityResult) -> Void = { _ in }) throws(EngineError) -> PerplexityResult {
        let ctx = capacity
        guard ctx >= 4 else { throw .invalidArgument("perplexity needs a context of at least 4 tokens") }
        let chunks = min(tokens.count / ctx, maxChunks)
        guard chunks >= 1 else {
            throw .invalidArgument("the text has \(tokens.count) tokens, fewer than one \(ctx)-token chunk")
        }
        let vocab = model.config.vocabSize
        let first = ctx / 2
        var result = PerplexityResult()
        for c in 0..<chunks {
            reset()
            let seq = Array(tokens[(c * ctx)..<((c + 1) * ctx)])
            let logits = try evaluate(seq, logits: .from(first))   // (ctx - first, vocab)
            var nll = 0.0
            for j in first..<(ctx - 1) {
                let row = (j - first) * vocab
                var mx = -Float.infinity
                for v in 0..<vocab where logits[row + v] > mx { mx = logits[row + v] }
                var sum = 0.0
                for v in 0..<vocab { sum += Foundation.exp(Double(logits[row + v] - mx)) }
                let target = Int(seq[j + 1])
                nll += Foundation.log(sum) + Double(mx) - Double(logits[row + target])
            }
            result.chunkNLL.append(nll)
            result.scoredTokens += ctx - 1 - first
            progress(result)
        }
        reset()
        return result
    }
}
