/// Whether the model should reason before answering, for one turn.
public enum ReasoningMode: String, Sendable, Codable, CaseIterable {
    case on, off
    public var toggled: ReasoningMode { self == .on ? .off : .on }
}

/// How a model family is told to reason or not: the one place that knows each family's
/// directive, soft switch, pre-fill and think tags. A prompt is the chat template's
/// rendering of the messages after `apply(_:to:)`, followed by `prefill(_:)`; a reply is
/// split into reasoning and answer at `closeTag` (`ThinkSplitter`), starting inside the
/// reasoning when `replyStartsInReasoning(_:)`.
///
/// | profile      | on                         | off                                   |
/// |--------------|----------------------------|---------------------------------------|
/// | nemotron     | system `detailed thinking on` | system `detailed thinking off`, pre-fill `<think>\n</think>` |
/// | qwen3        | user message + ` /think`   | user message + ` /no_think`, pre-fill `<think>\n\n</think>\n\n` |
/// | deepseek-r1  | pre-fill `<think>\n` (the template opens the block) | pre-fill `<think>\n\n</think>\n\n` |
/// | none         | nothing                    | nothing                               |
public enum ReasoningProfile: String, Sendable, CaseIterable {
    /// Llama-3.1-Nemotron: the system prompt says `detailed thinking on|off`.
    case nemotron
    /// Qwen3: the soft switches `/think` and `/no_think` at the end of the user message.
    case qwen3
    /// DeepSeek-R1 and its distills (and QwQ): always reason; the generation prompt opens
    /// `<think>`. "Off" pre-fills an empty think block, which the model mostly respects.
    case deepseekR1 = "deepseek-r1"
    /// A model without a reasoning mode: nothing is injected; on and off render alike.
    /// (Named `none` on the command line and in files; not `.none` in Swift, which an
    /// optional profile would confuse with `Optional.none`.)
    case noReasoning = "none"

    /// The think tags every supported family uses.
    public static let openTag = "<think>"
    public static let closeTag = "</think>"

    /// `nemotron, qwen3, deepseek-r1, none` (for error messages and help).
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// The profile named on the command line (`--reasoning-profile`), case-insensitive.
    public init?(name: String) {
        guard let p = ReasoningProfile(rawValue: name.lowercased()) else { return nil }
        self = p
    }

    /// False for `none`: toggling reasoning changes nothing for such a model.
    public var hasReasoningMode: Bool { self != .noReasoning }

    /// The text put in place of the model's attempt to end its reasoning before the
    /// minimum the user asked for (`/budget min N`, "think more"): the word with which
    /// these families' reasoning traces go on ("Wait,"), after a line break. Nil for a
    /// model without a reasoning mode, where the minimum does not apply.
    public var continuationCue: String? {
        self == .noReasoning ? nil : "\nWait,"
    }

    /// The line put first in the system message, if the family is switched that way.
    public func directive(_ mode: ReasoningMode) -> String? {
        self == .nemotron ? "detailed thinking \(mode.rawValue)" : nil
    }

    /// The soft switch appended (after a space) to the user message, if any.
    public func userSwitch(_ mode: ReasoningMode) -> String? {
        self == .qwen3 ? (mode == .on ? "/think" : "/no_think") : nil
    }

    /// `user` as the model sees it in a turn of this mode (with the soft switch).
    public func userText(_ user: String, _ mode: ReasoningMode) -> String {
        userSwitch(mode).map { user + " " + $0 } ?? user
    }

    /// Assistant text written after the generation prompt, before the model's reply.
    public func prefill(_ mode: ReasoningMode) -> String {
        switch (self, mode) {
        case (.nemotron, .off): return "<think>\n</think>"
        case (.qwen3, .off), (.deepseekR1, .off): return "<think>\n\n</think>\n\n"
        case (.deepseekR1, .on): return "<think>\n"
        default: return ""
        }
    }

    /// True when the pre-fill ends by opening a think block: the reply is reasoning until
    /// `closeTag` even though it has no open tag of its own.
    public func replyStartsInReasoning(_ mode: ReasoningMode) -> Bool {
        prefill(mode).hasSuffix(Self.openTag + "\n")
    }

    /// Puts the switch for `mode` into the messages: the directive first in the system
    /// message (one is inserted if there is none), the soft switch on the last user message.
    public func apply(_ mode: ReasoningMode, to msgs: inout [ChatMessage]) {
        if let line = directive(mode) {
            if let i = msgs.firstIndex(where: { $0.role == .system }) {
                let rest = msgs[i].content
                msgs[i].content = rest.isEmpty ? line : line + "\n\n" + rest
            } else {
                msgs.insert(ChatMessage(.system, line), at: 0)
            }
        }
        if userSwitch(mode) != nil, let i = msgs.lastIndex(where: { $0.role == .user }) {
            msgs[i].content = userText(msgs[i].content, mode)
        }
    }

    /// What the user should be told about this profile, if anything.
    public var note: String? {
        switch self {
        case .nemotron, .qwen3: return nil
        case .deepseekR1: return "this model always reasons; off pre-fills an empty think block, which it may ignore"
        case .noReasoning: return "this model has no reasoning mode; thinking on and off send the same prompt"
        }
    }

    /// Detects the profile from what a GGUF file says about the model, strongest
    /// evidence first: the chat template's text, then the architecture and model name,
    /// then the vocabulary's special tokens. Nothing recognised: `none`.
    /// - template: if it mentions `detailed thinking`: nemotron; `enable_thinking` or
    ///   `/no_think`: qwen3; an open `<think>` (a generation prompt that opens the block):
    ///   deepseek-r1.
    /// - name / architecture (a template without these markers may still belong to a
    ///   reasoning family: some Nemotron files carry Meta's plain Llama-3 template):
    ///   "nemotron", "qwen3" (name or architecture), "deepseek-r1", "r1-distill", "qwq".
    /// - vocabulary: a `<think>` token with ChatML markers: qwen3; with `<｜User｜>`: deepseek-r1.
    public static func detect(template: String?, architecture: String?, modelName: String?,
                              hasToken: (String) -> Bool = { _ in false }) -> ReasoningProfile {
        if let t = template {
            if t.contains("detailed thinking") { return .nemotron }
            if t.contains("enable_thinking") || t.contains("/no_think") { return .qwen3 }
            if t.contains(openTag) { return .deepseekR1 }
        }
        let n = (modelName ?? "").lowercased(), a = (architecture ?? "").lowercased()
        if n.contains("nemotron") { return .nemotron }
        if n.contains("qwen3") || a == "qwen3" || a == "qwen3moe" { return .qwen3 }
        if n.contains("deepseek-r1") || n.contains("r1-distill") || n.contains("qwq") { return .deepseekR1 }
        if template == nil, hasToken(openTag) {
            if hasToken("<｜User｜>") { return .deepseekR1 }
            if hasToken("<|im_start|>") { return .qwen3 }
        }
        return .noReasoning
    }
}

extension ReasoningProfile: Codable {
    /// Encoded as its name. Decodes the name, or the object that session files written
    /// before profiles were named carried (`{"directiveOn": "detailed thinking on", …}`):
    /// those sessions ran every model with the Nemotron switch, so it reads as nemotron
    /// (and an object without directives as none).
    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer(), let name = try? c.decode(String.self) {
            guard let p = ReasoningProfile(rawValue: name) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription:
                    "unknown reasoning profile \"\(name.prefix(40))\" (known: \(Self.names))")
            }
            self = p
            return
        }
        struct Legacy: Decodable { var directiveOn: String?; var directiveOff: String? }
        let old = try Legacy(from: decoder)
        self = (old.directiveOn ?? old.directiveOff)?.contains("detailed thinking") == true ? .nemotron : .noReasoning
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
