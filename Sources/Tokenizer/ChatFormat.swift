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
    public var reasoning: ReasoningProfile
    /// Why this format was chosen when it is a guess (shown to the user), else nil.
    public var note: String?

    public init(kind: Kind, reasoning: ReasoningProfile, note: String? = nil) {
        self.kind = kind; self.reasoning = reasoning; self.note = note
    }

    /// The format named on the command line (`--chat-format llama3|chatml|deepseek|plain`),
    /// with the reasoning profile detected as usual.
    public init?(name: String, template: String? = nil, modelName: String? = nil) {
        guard let kind = Kind(rawValue: name.lowercased()) else { return nil }
        self = ChatFormat(kind: kind, reasoning: Self.profile(kind, template, modelName))
    }

    /// Detects the format from `tokenizer.chat_template`'s markers and the model name;
    /// without a template, from the special tokens the vocabulary has.
    public static func detect(template: String?, modelName: String?,
                              hasToken: (String) -> Bool = { _ in false }) -> ChatFormat {
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
        let k = kind ?? .plain
        return ChatFormat(kind: k, reasoning: profile(k, template, modelName), note: note)
    }

    static func profile(_ kind: Kind, _ template: String?, _ name: String?) -> ReasoningProfile {
        let n = (name ?? "").lowercased(), t = template ?? ""
        if n.contains("nemotron") || t.contains("detailed thinking") { return .nemotron }
        if n.contains("qwen3") || t.contains("enable_thinking") || t.contains("/no_think") { return .qwen3 }
        if kind == .deepseek || n.contains("deepseek-r1") || n.contains("r1-distill") { return .deepseekR1 }
        return .generic
    }

    /// Renders `messages` (earlier reasoning dropped) as prompt segments. With `reasoning`
    /// set, the profile's switch is applied (system prompt, user suffix or pre-fill); with
    /// nil the messages are rendered exactly as given. `addGenerationPrompt` opens the
    /// assistant turn the model is to write.
    public func render(messages: [ChatMessage], reasoning mode: ReasoningMode? = nil,
                       addGenerationPrompt: Bool = true) -> [Segment] {
        var msgs = messages
        var prefill = ""
        if let mode { prefill = applySwitch(mode, to: &msgs) }
        var out: [Segment] = []
        switch kind {
        case .llama3:
            out.append(.special("<|begin_of_text|>"))
            for m in msgs {
                out += [.special("<|start_header_id|>"), .text(m.role.rawValue), .special("<|end_header_id|>"),
                        .text("\n\n" + pythonStrip(m.answerOnly)), .special("<|eot_id|>")]
            }
            if addGenerationPrompt {
                out += [.special("<|start_header_id|>"), .text("assistant"), .special("<|end_header_id|>"), .text("\n\n")]
            }
        case .chatml:
            for m in msgs {
                out += [.special("<|im_start|>"), .text(m.role.rawValue + "\n" + m.answerOnly),
                        .special("<|im_end|>"), .text("\n")]
            }
            if addGenerationPrompt { out += [.special("<|im_start|>"), .text("assistant\n")] }
        case .deepseek:
            out.append(.special("<｜begin▁of▁sentence｜>"))
            for m in msgs {
                switch m.role {
                case .system: out.append(.text(m.content))
                case .user: out += [.special("<｜User｜>"), .text(m.content)]
                case .assistant: out += [.special("<｜Assistant｜>"), .text(m.answerOnly), .special("<｜end▁of▁sentence｜>")]
                }
            }
            if addGenerationPrompt { out += [.special("<｜Assistant｜>"), .text("<think>\n")] }
        case .plain:
            for m in msgs {
                out.append(.text(m.role.label + ": " + m.answerOnly + "\n\n"))
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

    /// Applies the profile's reasoning switch to the messages; returns the assistant pre-fill.
    private func applySwitch(_ mode: ReasoningMode, to msgs: inout [ChatMessage]) -> String {
        switch reasoning {
        case .nemotron, .generic:
            let line = "detailed thinking \(mode.rawValue)"
            if let i = msgs.firstIndex(where: { $0.role == .system }) {
                let rest = msgs[i].content
                msgs[i].content = rest.isEmpty ? line : line + "\n\n" + rest
            } else {
                msgs.insert(ChatMessage(.system, line), at: 0)
            }
            return (reasoning == .nemotron && mode == .off) ? "<think>\n</think>" : ""
        case .qwen3:
            if let i = msgs.lastIndex(where: { $0.role == .user }) {
                msgs[i].content += mode == .on ? " /think" : " /no_think"
            }
            return ""
        case .deepseekR1:
            return ""
        }
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
