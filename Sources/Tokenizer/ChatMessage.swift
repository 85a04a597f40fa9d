/// One turn of a conversation, as the chat formats render it.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case system, user, assistant }
    public var role: Role
    /// The visible text. For assistant turns, any `<think>…</think>` block in it is
    /// dropped when the turn is fed back into a prompt.
    public var content: String
    /// The assistant's reasoning, kept for display only: never rendered into a prompt.
    public var reasoning: String?

    public init(_ role: Role, _ content: String, reasoning: String? = nil) {
        self.role = role
        self.content = content
        self.reasoning = reasoning
    }

    /// The content without reasoning: text after the last `</think>`, leading whitespace
    /// removed (what Nemotron's and Qwen3's templates keep of earlier assistant turns).
    var answerOnly: String {
        let u = Array(content.utf8), marker = Array("</think>".utf8)
        guard role == .assistant, u.count >= marker.count else { return content }
        var i = u.count - marker.count
        while i >= 0, !u[i..<(i + marker.count)].elementsEqual(marker) { i -= 1 }
        guard i >= 0 else { return content }
        return String(String(decoding: u[(i + marker.count)...], as: UTF8.self).drop { $0.isWhitespace })
    }
}

/// Whether the model should reason before answering, for one request.
public enum ReasoningMode: String, Sendable { case on, off }

/// How a model family is told to reason or not (its "reasoning profile").
public enum ReasoningProfile: String, Sendable, CaseIterable {
    /// Llama-3.1-Nemotron: system prompt `detailed thinking on|off`; off also pre-fills
    /// the answer with an empty `<think>\n</think>`.
    case nemotron
    /// Qwen3: `/think` or `/no_think` appended to the last user message.
    case qwen3
    /// DeepSeek-R1 distills: always reason; cannot be switched off.
    case deepseekR1 = "deepseek-r1"
    /// No known convention: the `detailed thinking on|off` system prompt, which the model
    /// may ignore.
    case generic

    /// What the user should be told about this profile, if anything.
    public var note: String? {
        switch self {
        case .nemotron, .qwen3: return nil
        case .deepseekR1: return "DeepSeek-R1 distills always reason; reasoning cannot be switched off"
        case .generic: return "this model has no known reasoning switch; the system prompt asks for it, the model may ignore it"
        }
    }
}
