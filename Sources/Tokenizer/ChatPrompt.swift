extension ChatFormat {
    /// True when the format writes the BOS token itself (`<|begin_of_text|>`, `<｜begin▁of▁sentence｜>`).
    public var rendersBOS: Bool { kind == .llama3 || kind == .deepseek }
}

extension Tokenizer {
    /// Token ids of a conversation rendered in `format`: template markers become control
    /// tokens, message text never does. BOS is added when the vocabulary asks for it and
    /// the format does not write it itself. Throws `TokenizerError` when the vocabulary
    /// lacks a marker the format needs (e.g. `--chat-format chatml` on a Llama-3 vocab).
    public func encodePrompt(_ messages: [ChatMessage], format: ChatFormat, reasoning: ReasoningMode? = nil,
                             addGenerationPrompt: Bool = true) throws -> [TokenID] {
        let segments = format.render(messages: messages, reasoning: reasoning,
                                     addGenerationPrompt: addGenerationPrompt)
        return try encode(segments, addBOS: vocabulary.addBOS && !format.rendersBOS)
    }
}
