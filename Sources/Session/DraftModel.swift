import Engine

/// Drafts from a draft model (`--draft FILE`): a smaller model with the target's
/// vocabulary decodes greedily ahead in its own context (KV cache).
///
/// Its cache follows the target's tokens by prefix: each call keeps the longest prefix
/// of `history + [last]` it already holds and evaluates the rest. That one rule is the
/// rollback after a rejected draft (the draft's guesses past the kept ones are cut off),
/// the catch-up on tokens it never saw (the prompt, the token the target picked instead,
/// a think block's close), and the reuse of the cache across turns of a conversation.
/// The draft model's arithmetic never reaches the reply: only the target's verified
/// logits decide what is kept.
///
/// Owned by one `EngineBackend`, on its worker thread; not thread-safe.
final class DraftModel: DraftSource {
    let name: String
    private let context: LlamaContext
    /// The greedy pick: the argmax, the sampler's tie rule (lowest id).
    private let greedy = SamplerChain(stages: [], greedy: true, seed: 0)

    /// A context of `capacity` positions over `model`, called `name` in the stats.
    init(model: LlamaModel, name: String, capacity: Int) throws {
        self.name = name
        context = try LlamaContext(model: model, capacity: capacity)
    }

    var model: LlamaModel { context.model }

    func draft(history: [Int32], last: Int32, count: Int) -> [Int32] {
        guard count > 0, history.count + count < context.capacity else { return [] }
        // At least `last` is evaluated, so the logits are the ones after it.
        let fresh = context.reuse(prefixOf: history + [last])
        do {
            try context.evaluate(fresh, logits: .last)
            var out: [Int32] = []
            while let logits = context.lastLogits {
                let next = greedy.sample(logits, history: [], uniform: 0)
                out.append(next)
                if out.count == count { break }
                try context.step(next)
            }
            return out
        } catch {
            // An engine error drafts nothing this time; the next call starts from what
            // the cache still holds.
            return []
        }
    }
}
