import Engine

/// The Engine tests' own few-line generation loop over the primitives (`evaluate`,
/// `step`, `lastLogits`, a `SamplerChain`); the application generates through the
/// Session's turn loop. Evaluates `prompt` after `ctx`'s cached tokens, then samples
/// and steps up to `n` tokens (no stop tokens: the references do not stop either), and
/// returns them. The last token is sampled but not evaluated.
func decode(_ ctx: LlamaContext, prompt: [Int32], n: Int, sampling: SamplingParameters = .direct) throws -> [Int32] {
    var chain = sampling.makeChain()
    try ctx.evaluate(prompt)
    var out: [Int32] = []
    while out.count < n {
        let next = chain.sample(ctx.lastLogits!, history: ctx.tokens.suffix(max(sampling.penaltyWindow, 1)))
        out.append(next)
        if out.count < n { try ctx.step(next) }
    }
    return out
}
