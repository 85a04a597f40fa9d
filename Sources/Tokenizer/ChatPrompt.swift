/// A rendered prompt: template markers as special segments, everything else as text,
/// and whether the format wrote the BOS token itself.
public struct ChatPrompt: Sendable, Equatable {
    public var segments: [Segment]
    /// True when the format writes BOS (`<|begin_of_text|>`, `<｜begin▁of▁sentence｜>`);
    /// otherwise BOS is added when the vocabulary asks for it.
    public var rendersBOS: Bool

    public init(segments: [Segment], rendersBOS: Bool) {
        self.segments = segments; self.rendersBOS = rendersBOS
    }

    /// The prompt's text with special tokens by their spelling (`ponder run --show-prompt`).
    public var text: String { ChatFormat.text(of: segments) }
}

extension ChatFormat {
    /// True when the format writes the BOS token itself (`<|begin_of_text|>`, `<｜begin▁of▁sentence｜>`).
    public var rendersBOS: Bool { kind == .llama3 || kind == .deepseek }

    /// `render(...)` as a `ChatPrompt`.
    public func prompt(messages: [ChatMessage], profile: ReasoningProfile = .noReasoning, reasoning mode: ReasoningMode? = nil,
                       addGenerationPrompt: Bool = true) -> ChatPrompt {
        ChatPrompt(segments: render(messages: messages, profile: profile, reasoning: mode,
                                    addGenerationPrompt: addGenerationPrompt),
                   rendersBOS: rendersBOS)
    }
}

extension Tokenizer {
    /// Token ids of a rendered prompt: template markers become control tokens, message
    /// text never does. BOS is added when the vocabulary asks for it and the format does
    /// not write it itself. Throws `TokenizerError` when the vocabulary lacks a marker the
    /// format needs (e.g. `--chat-format chatml` on a Llama-3 vocab).
    public func encode(_ prompt: ChatPrompt) throws -> [TokenID] {
        try encode(prompt.segments, addBOS: vocabulary.addBOS && !prompt.rendersBOS)
    }

    /// `encode(format.prompt(...))`.
    public func encodePrompt(_ messages: [ChatMessage], format: ChatFormat, profile: ReasoningProfile = .noReasoning,
                             reasoning: ReasoningMode? = nil, addGenerationPrompt: Bool = true) throws -> [TokenID] {
        try encode(format.prompt(messages: messages, profile: profile, reasoning: reasoning,
                                 addGenerationPrompt: addGenerationPrompt))
    }
}
