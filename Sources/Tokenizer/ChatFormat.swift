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
    /// The system message the template writes when the conversation has none (SmolLM2's
    /// "You are a helpful AI assistant named SmolLM, …"), read from the template text.
    public var defaultSystem: String?

    public init(kind: Kind, note: String? = nil, defaultSystem: String? = nil) {
        self.kind = kind; self.note = note; self.defaultSystem = defaultSystem
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
        let k = kind ?? .plain
        return ChatFormat(kind: k, note: note, defaultSystem: k == .chatml ? template.flatMap(chatMLDefaultSystem) : nil)
    }

    /// The literal default system message of a ChatML template: the text of a Jinja
    /// string `'<|im_start|>system` + newline + `TEXT<|im_end|>` (the newline written as
    /// is or as `\n`; TEXT with no Jinja in it), with its escapes undone. Nil when the
    /// template has none.
    static func chatMLDefaultSystem(_ template: String) -> String? {
        let t = Array(template.utf8), head = Array("'<|im_start|>system".utf8)
        guard t.count > head.count else { return nil }
        for start in 0...(t.count - head.count) where t[start..<(start + head.count)].elementsEqual(head) {
            if let text = literalSystem(t, from: start + head.count) { return text }
        }
        return nil
    }

    /// The string literal's text from `i` (just after `'<|im_start|>system`) to
    /// `<|im_end|>`, or nil if it is not a plain literal.
    private static func literalSystem(_ t: [UInt8], from start: Int) -> String? {
        let tail = Array("<|im_end|>".utf8)
        var i = start
        if i < t.count, t[i] == 0x0A { i += 1 }
        else if i + 1 < t.count, t[i] == UInt8(ascii: "\\"), t[i + 1] == UInt8(ascii: "n") { i += 2 }
        else { return nil }
        var out: [UInt8] = []
        while i < t.count {
            if t[i...].starts(with: tail) { return out.isEmpty ? nil : String(decoding: out, as: UTF8.self) }
            if t[i] == UInt8(ascii: "'") || t[i] == UInt8(ascii: "{") { return nil }
            if t[i] == UInt8(ascii: "\\"), i + 1 < t.count {
                switch t[i + 1] {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                default: out.append(t[i + 1])
                }
                i += 2
                continue
            }
            out.append(t[i]); i += 1
        }
        return nil
    }


    /// Renders `messages` (content as given) as prompt segments. With `mode` set, the
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
        if let d = defaultSystem, !msgs.contains(where: { $0.role == .system }) {
            msgs.insert(ChatMessage(.system, d), at: 0)
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
