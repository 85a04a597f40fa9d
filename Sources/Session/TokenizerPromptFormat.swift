import Tokenizer

/// The Tokenizer module's chat formats (the definitive ones) behind the session's
/// `PromptFormat` protocol. Messages are rendered as given (`reasoning: nil`): the
/// session's `PromptBuilder` has already put the directive in the system message and
/// passes the pre-fill as `assistantPrefix`.
/// Limitation: the Tokenizer drops `<think>…</think>` from earlier assistant turns, so
/// the `historyReasoning` setting has no effect with these formats.
public struct TokenizerPromptFormat: PromptFormat {
    public let format: ChatFormat
    public init(_ format: ChatFormat) { self.format = format }
    public var name: String { format.kind.rawValue }

    public func render(_ messages: [PromptMessage], assistantPrefix: String) -> RenderedPrompt {
        let msgs = messages.map { m in
            ChatMessage(ChatMessage.Role(rawValue: m.role.rawValue) ?? .user, m.content)
        }
        var p = RenderedPrompt()
        for s in format.render(messages: msgs, reasoning: nil) {
            switch s {
            case .special(let t): p.control(t)
            case .text(let t): p.content(t)
            }
        }
        p.control(assistantPrefix)
        return p
    }
}
