// Provisional chat formats. The Tokenizer module owns the definitive chat formats and
// reasoning profiles; when they land, the lead replaces this file by an adapter and
// deletes it. Everything the session needs from a format is the `PromptFormat` protocol.

/// One message of a conversation as the template sees it.
public struct PromptMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case system, user, assistant }
    public var role: Role
    public var content: String
    public init(_ role: Role, _ content: String) { self.role = role; self.content = content }
}

/// A run of prompt text. Control pieces come from the template and may contain control
/// tokens (`<|eot_id|>`); content pieces come from people and the model and are
/// tokenized with control tokens disabled, so a user cannot inject `<|im_end|>`.
/// Piece boundaries fall where the pre-tokenizers of these formats split anyway (at
/// control tokens and before/after newlines), so tokenizing piecewise equals tokenizing
/// the whole string.
public struct PromptPiece: Sendable, Equatable {
    public var text: String
    public var isControl: Bool
    public init(_ text: String, control: Bool) { self.text = text; self.isControl = control }
}

/// A rendered prompt: its pieces and, for display and tests, their concatenation.
public struct RenderedPrompt: Sendable, Equatable {
    public var pieces: [PromptPiece] = []
    public var text: String { pieces.map(\.text).joined() }
    mutating func control(_ s: String) { if !s.isEmpty { pieces.append(PromptPiece(s, control: true)) } }
    mutating func content(_ s: String) { if !s.isEmpty { pieces.append(PromptPiece(s, control: false)) } }

    /// Token ids: control pieces with `special: true`, content with `special: false`.
    public func tokens(with backend: InferenceBackend) -> [Int32] {
        pieces.flatMap { backend.tokenize($0.text, special: $0.isControl) }
    }
}

/// A chat template: renders messages (the first may be the system message) and the
/// generation prompt, followed by `assistantPrefix` (the off-turn pre-fill, if any).
public protocol PromptFormat: Sendable {
    /// Stable name recorded in session files ("llama3", "chatml").
    var name: String { get }
    func render(_ messages: [PromptMessage], assistantPrefix: String) -> RenderedPrompt
}

/// Llama 3 / Nemotron: `<|begin_of_text|>` then per message
/// `<|start_header_id|>ROLE<|end_header_id|>\n\n` + trimmed content + `<|eot_id|>`, then
/// `<|start_header_id|>assistant<|end_header_id|>\n\n` (Meta's Llama-3 template; the
/// Nemotron-Nano template is the same with the reasoning of past turns stripped).
public struct Llama3Format: PromptFormat {
    public init() {}
    public var name: String { "llama3" }
    public func render(_ messages: [PromptMessage], assistantPrefix: String) -> RenderedPrompt {
        var p = RenderedPrompt()
        p.control("<|begin_of_text|>")
        for m in messages {
            p.control("<|start_header_id|>\(m.role.rawValue)<|end_header_id|>\n\n")
            p.content(m.content.trimmingWhitespace())
            p.control("<|eot_id|>")
        }
        p.control("<|start_header_id|>assistant<|end_header_id|>\n\n")
        p.control(assistantPrefix)
        return p
    }
}

/// ChatML (SmolLM2, Qwen): per message `<|im_start|>ROLE\n` + content + `<|im_end|>\n`,
/// then `<|im_start|>assistant\n`. Content is not trimmed. With no system message,
/// `defaultSystem` (SmolLM2's template has one) is inserted first.
public struct ChatMLFormat: PromptFormat {
    public var defaultSystem: String?
    /// SmolLM2-Instruct's built-in system message.
    public static let smolLM2Default = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
    public init(defaultSystem: String? = ChatMLFormat.smolLM2Default) { self.defaultSystem = defaultSystem }
    public var name: String { "chatml" }
    public func render(_ messages: [PromptMessage], assistantPrefix: String) -> RenderedPrompt {
        var p = RenderedPrompt()
        if let d = defaultSystem, messages.first?.role != .system {
            p.control("<|im_start|>system\n")
            p.content(d)
            p.control("<|im_end|>\n")
        }
        for m in messages {
            p.control("<|im_start|>\(m.role.rawValue)\n")
            p.content(m.content)
            p.control("<|im_end|>\n")
        }
        p.control("<|im_start|>assistant\n")
        p.control(assistantPrefix)
        return p
    }
}

/// How a model family switches reasoning on and off.
public struct ReasoningSwitch: Codable, Sendable, Equatable {
    /// System-message line for reasoning on / off (Nemotron: "detailed thinking on|off").
    public var directiveOn: String?
    public var directiveOff: String?
    /// Pre-filled assistant text for off-turns (Nemotron: "<think>\n</think>"), used when
    /// the session setting `prefillOffTurns` is on.
    public var offPrefill: String?
    /// The model's reply starts inside the reasoning without an open tag when reasoning
    /// is on (templates that pre-fill `<think>`); text before `</think>` is reasoning.
    public var onStartsInReasoning: Bool

    public init(directiveOn: String?, directiveOff: String?, offPrefill: String?,
                onStartsInReasoning: Bool = false) {
        self.directiveOn = directiveOn
        self.directiveOff = directiveOff
        self.offPrefill = offPrefill
        self.onStartsInReasoning = onStartsInReasoning
    }

    public static let nemotron = ReasoningSwitch(
        directiveOn: "detailed thinking on", directiveOff: "detailed thinking off",
        offPrefill: "<think>\n</think>")

    public func directive(_ mode: ReasoningMode) -> String? { mode == .on ? directiveOn : directiveOff }
}

/// A format by its recorded name, nil if unknown.
public func promptFormat(named name: String) -> (any PromptFormat)? {
    switch name {
    case "llama3": return Llama3Format()
    case "chatml": return ChatMLFormat()
    default: return nil
    }
}

extension String {
    /// Jinja's `trim`: strips leading and trailing whitespace (Python `str.strip()`).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
