import GGUF

extension LlamaModel {
    /// Token ids that end a turn: `tokenizer.ggml.eos_token_id`, `eot_token_id`, and the
    /// vocabulary's well-known end-of-turn strings when present (`<|im_end|>` for ChatML,
    /// `<|eot_id|>` for Llama 3, `<|end_of_text|>`, `<|endoftext|>`, `</s>`).
    public var endOfTurnTokens: Set<Int32> {
        let md = file.metadata
        var out = Set<Int32>()
        for key in ["tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id"] {
            if let v = md.int(key), v >= 0, v < config.vocabSize { out.insert(Int32(v)) }
        }
        if let toks = md["tokenizer.ggml.tokens"]?.arrayValue, toks.elementType == .string {
            let names: Set<String> = ["<|im_end|>", "<|eot_id|>", "<|end_of_text|>", "<|endoftext|>", "</s>"]
            for (i, t) in toks.enumerated() where i < config.vocabSize {
                if let s = t.stringValue, names.contains(s) { out.insert(Int32(i)) }
            }
        }
        return out
    }
}
