import Tokenizer

/// The prompt-relevant part of a past turn: what the model saw and wrote.
public struct PromptTurn: Sendable, Equatable {
    public var user: String
    public var mode: ReasoningMode
    /// The profile the turn ran with; nil for turns recorded before profiles were (their
    /// user message is sent back as typed).
    public var profile: ReasoningProfile?
    /// The assistant pre-fill the model saw; nil for turns recorded before pre-fills were
    /// (sent back as the answer alone, the layout they were generated with).
    public var prefill: String?
    public var reasoning: String
    public var answer: String
    /// The generated token ids; decoded, they give the reply exactly as the model wrote it.
    public var tokens: [Int32]
    /// The reply did not end with an end-of-turn token (the splitter then dropped a
    /// partial tag at its end, see `TurnGenerator`).
    public var interrupted: Bool

    public init(user: String, mode: ReasoningMode = .on, profile: ReasoningProfile? = nil, prefill: String? = nil,
                reasoning: String = "", answer: String, tokens: [Int32] = [], interrupted: Bool = false) {
        self.user = user; self.mode = mode; self.profile = profile; self.prefill = prefill
        self.reasoning = reasoning; self.answer = answer; self.tokens = tokens; self.interrupted = interrupted
    }
}

/// The one rendering of a turn's prompt: `ponder chat`, `ponder run` and
/// `ponder replay --regenerate` all build their prompt here, so the same turn is the same
/// tokens whichever way it is sent.
///
/// Messages: the user's system prompt (the profile puts its directive before it), then
/// each earlier turn as the model saw it (its user message with the soft switch it was
/// sent with; its reply with the pre-fill, written exactly as generated so that the KV
/// cache of the previous turn is a prefix of the next prompt), then the new user message.
/// Earlier reasoning is dropped (as the reasoning models' templates do) unless
/// `historyReasoning`; a turn with no reasoning is sent back whole either way.
public enum TurnPrompt {
    /// - Parameter decode: a token's bytes (the backend's vocabulary), to write earlier
    ///   replies exactly; without it (or when the recorded tokens do not decode to the
    ///   recorded text, e.g. another model's) replies are rebuilt from reasoning and answer.
    public static func render(format: ChatFormat, profile: ReasoningProfile, mode: ReasoningMode,
                              systemPrompt: String?, historyReasoning: Bool = false,
                              history: some Collection<PromptTurn> = [PromptTurn](), user: String,
                              decode: ((Int32) -> [UInt8])? = nil) -> ChatPrompt {
        let msgs = messages(systemPrompt: systemPrompt, historyReasoning: historyReasoning, history: history,
                            user: user, decode: decode)
        return format.prompt(messages: msgs, profile: profile, reasoning: mode)
    }

    /// The messages of a turn before the profile's switch for its mode is applied (the
    /// chat format applies it while rendering; a server client with
    /// `ReasoningProfile.apply`, the server then renders its own template).
    public static func messages(systemPrompt: String?, historyReasoning: Bool = false,
                                history: some Collection<PromptTurn> = [PromptTurn](), user: String,
                                decode: ((Int32) -> [UInt8])? = nil) -> [ChatMessage] {
        var msgs: [ChatMessage] = []
        if let s = systemPrompt, !s.isEmpty { msgs.append(ChatMessage(.system, s)) }
        for t in history {
            msgs.append(ChatMessage(.user, (t.profile ?? .noReasoning).userText(t.user, t.mode)))
            msgs.append(ChatMessage(.assistant, assistantText(t, historyReasoning: historyReasoning, decode: decode)))
        }
        msgs.append(ChatMessage(.user, user))
        return msgs
    }

    /// `render` with the session's settings.
    public static func render(format: ChatFormat, settings: SessionSettings, profile: ReasoningProfile? = nil,
                              mode: ReasoningMode, history: some Collection<PromptTurn>, user: String,
                              decode: ((Int32) -> [UInt8])? = nil) -> ChatPrompt {
        render(format: format, profile: profile ?? settings.profile ?? .noReasoning, mode: mode, systemPrompt: settings.systemPrompt,
               historyReasoning: settings.historyReasoning, history: history, user: user, decode: decode)
    }

    /// An earlier reply as it is sent back.
    static func assistantText(_ t: PromptTurn, historyReasoning: Bool, decode: ((Int32) -> [UInt8])?) -> String {
        guard let prefill = t.prefill else {
            return historyReasoning && !t.reasoning.isEmpty ? "<think>\n\(t.reasoning)\n</think>\n\n" + t.answer : t.answer
        }
        if !historyReasoning && !t.reasoning.isEmpty { return t.answer }
        return prefill + reply(t, decode: decode)
    }

    /// The reply exactly as generated when the tokens decode to the recorded text, else
    /// rebuilt: `<think>\nREASONING\n</think>\n\nANSWER` (without the open tag when the
    /// pre-fill opened the block).
    static func reply(_ t: PromptTurn, decode: ((Int32) -> [UInt8])?) -> String {
        let profile = t.profile ?? .noReasoning
        if let decode, !t.tokens.isEmpty {
            let bytes = t.tokens.flatMap(decode)
            var splitter = ThinkSplitter(profile: profile, mode: t.mode)
            var out = splitter.feed(bytes)
            let end = splitter.finish(interrupted: t.interrupted)
            out.reasoning += end.reasoning; out.answer += end.answer
            if String(decoding: out.reasoning, as: UTF8.self) == t.reasoning,
               String(decoding: out.answer, as: UTF8.self) == t.answer {
                return String(decoding: bytes, as: UTF8.self)
            }
        }
        if t.reasoning.isEmpty { return t.answer }
        let body = t.reasoning + "\n" + ReasoningProfile.closeTag + "\n\n" + t.answer
        return profile.replyStartsInReasoning(t.mode) ? body : ReasoningProfile.openTag + "\n" + body
    }
}
