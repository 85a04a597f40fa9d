/// A chat format: how a conversation becomes prompt text for one model family, with
/// template markers as special-token segments and everything the user typed as text.
public struct ChatFormat: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// `<|begin_of_text|><|start_header_id|>role<|end_header_id|>\n\n…<|eot_id|>`
        case llama3
        /// `<|im_start|>role\n…<|im_end|>\n`
        case chatml
        /// `<｜begin▁of▁sentence｜>system<｜User｜>…<｜Assistant｜>…<｜end▁of▁sentence｜>`
        case deepseek
        /// Plain `Role: text` lines, for vocabularies with no known template.
        case plain
    }
    public var kind: Kind
    /// Why this format was chosen when it is a guess (shown to the user), else nil.
    public var note: String?

    public init(kind: Kind, note: String? = nil) {
        self.kind = kind; self.note = note
    }

    /// The format named on the command line (`--chat-format llama3|chatml|deepseek|plain`).
    public init?(name: String) {
        guard let kind = Kind(rawValue: name.lowercased()) else { return nil }
        self = ChatFormat(kind: kind)
    }

    /// `llama3, chatml, deepseek, plain` (for error messages and help).
    public static let names = Kind.allCases.map(\.rawValue).joined(separator: ", ")

    /// Detects the format from `tokenizer.chat_template`'s markers; without a recognised
    /// template, from the special tokens the vocabulary has.
    public static func detect(template: String?, hasToken: (String) -> Bool = { _ in false }) -> ChatFormat {
        var kind: Kind?
        if let t = template {
            if t.contains("<|start_header_id|>") { kind = .llama3 }
            else if t.contains("<|im_start|>") { kind = .chatml }
            else if t.contains("<｜User｜>") { kind = .deepseek }
        }
        var note: String?
        if kind == nil {
            if hasToken("<|start_header_id|>") { kind = .llama3 }
            else if hasToken("<|im_start|>") { kind = .chatml }
            else if hasToken("<｜User｜>") { kind = .deepseek }
            note = kind.map { "no recognised chat template; using \($0.rawValue) from the vocabulary's special tokens" }
                ?? "no recognised chat template; using a plain 'User:/Assistant:' format (use --chat-format to choose)"
        }
        return ChatFormat(kind: kind ?? .plain, note: note)
    }

    /// Renders `messages` (content as given) as prompt segments. A template's own default
    /// system message (SmolLM2's "You are a helpful AI assistant named SmolLM, …", written
    /// when the conversation has none) is not added: with it, SmolLM2-135M under the
    /// engine's default int8 decode answers "What is the capital of France?" with
    /// nonsense (the float path says Paris); without it, both say Paris. With `mode` set, the
    /// profile's switch for it is applied (directive, soft switch) and its pre-fill follows
    /// the generation prompt; with nil the messages are rendered exactly as given.
    /// `addGenerationPrompt` opens the assistant turn the model is to write.
    public func render(messages: [ChatMessage], profile: ReasoningProfile = .noReasoning, reasoning mode: ReasoningMode? = nil,
                       addGenerationPrompt: Bool = true) -> [Segment] {
        var msgs = messages
        var prefill = ""
        if let mode {
            profile.apply(mode, to: &msgs)
            prefill = profile.prefill(mode)
        }
        var out: [Segment] = []
        switch kind {
        case .llama3:
            out.append(.special("<|begin_of_text|>"))
            for m in msgs {
                out += [.special("<|start_header_id|>"), .text(m.role.rawValue), .special("<|end_header_id|>"),
                        .text("\n\n" + pythonStrip(m.content)), .special("<|eot_id|>")]
            }
            if addGenerationPrompt {
                out += [.special("<|start_header_id|>"), .text("assistant"), .special("<|end_header_id|>"), .text("\n\n")]
            }
        case .chatml:
            for m in msgs {
                out += [.special("<|im_start|>"), .text(m.role.rawValue + "\n" + m.content),
                        .special("<|im_end|>"), .text("\n")]
            }
            if addGenerationPrompt { out += [.special("<|im_start|>"), .text("assistant\n")] }
        case .deepseek:
            out.append(.special("<｜begin▁of▁sentence｜>"))
            for m in msgs {
                switch m.role {
                case .system: out.append(.text(m.content))
                case .user: out += [.special("<｜User｜>"), .text(m.content)]
                case .assistant: out += [.special("<｜Assistant｜>"), .text(m.content), .special("<｜end▁of▁sentence｜>")]
                }
            }
            if addGenerationPrompt { out.append(.special("<｜Assistant｜>")) }
        case .plain:
            for m in msgs {
                out.append(.text(m.role.label + ": " + m.content + "\n\n"))
            }
            if addGenerationPrompt { out.append(.text("Assistant:")) }
        }
        if addGenerationPrompt, !prefill.isEmpty { out.append(.text(prefill)) }
        return out.filter { if case .text(let t) = $0 { return !t.isEmpty } else { return true } }
    }

    /// The rendered text of `segments` (special tokens by their spelling).
    public static func text(of segments: [Segment]) -> String {
        segments.map { switch $0 { case .text(let t): t; case .special(let s): s } }.joined()
    }
}

extension ChatMessage.Role {
    /// `System`, `User`, `Assistant`.
    var label: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
}

/// Python's `str.strip()` (what Jinja's `trim` does): removes Unicode White_Space and the
/// separators U+001C…U+001F from both ends.
func pythonStrip(_ s: String) -> String {
    func isSpace(_ u: Unicode.Scalar) -> Bool {
        u.properties.isWhitespace || (u.value >= 0x1C && u.value <= 0x1F)
    }
    let scalars = Array(s.unicodeScalars)
    guard let a = scalars.firstIndex(where: { !isSpace($0) }),
          let b = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
    var out = String.UnicodeScalarView()
    out.append(contentsOf: scalars[a...b])
    return String(out)
}
