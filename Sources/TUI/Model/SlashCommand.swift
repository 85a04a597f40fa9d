import Session

/// A typed slash command, parsed from the input line by its entry in the registry
/// (`SlashCommand.registry`); `run` handles each case.
enum SlashCommand: Sendable, Equatable {
    enum Think: Sendable, Equatable { case on, off, toggle }
    case think(Think)
    case budget(Int?, always: Bool)                 // nil = off
    /// `/budget min N [always]|off`: the least reasoning ("think more"); nil = off.
    case thinkMin(Int?, always: Bool)
    case answerNow
    case historyReasoning(Bool)
    case reasoning(show: Bool)
    case save(String?)
    case load(String)
    case new
    case system(String)
    /// `/set [think|direct] NAME VALUE`: one sampler value of the named mode, nil = the
    /// mode of the next turn (the seed is shared by both modes).
    case set(SamplerSetting, mode: ReasoningMode?)
    /// `/set [think|direct] reset`: the named mode's preset sampler, nil = both modes.
    case resetSampler(ReasoningMode?)
    case stats
    case model
    case notices
    case export(String)
    case theme(String)
    case layout(ReasoningLayout)
    case copy
    case copyCode
    case help
    case quit

    /// A one-line error for a line that starts with `/` but is not a valid command.
    struct ParseError: Error, Equatable, Sendable { let message: String }

    /// A parsed command with the registry entry that parsed it.
    struct Parsed: Sendable {
        let spec: Spec
        let command: SlashCommand
    }

    /// Parses `line` (which starts with "/").
    static func parse(_ line: String) -> Result<SlashCommand, ParseError> {
        parseWithSpec(line).map(\.command)
    }

    /// Parses `line` by the registry entry its name (or alias) selects.
    static func parseWithSpec(_ line: String) -> Result<Parsed, ParseError> {
        let a = Arguments(line)
        guard !a.name.isEmpty else { return .failure(ParseError(message: "empty command — /help lists commands")) }
        guard let spec = spec(named: a.name) else {
            return .failure(ParseError(message: "unknown command /\(a.name) — /help lists commands"))
        }
        return spec.parse(a).map { Parsed(spec: spec, command: $0) }
    }

    /// The registry entry whose name or alias is `name` (lower case, without "/").
    static func spec(named name: String) -> Spec? {
        registry.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// A user value in quotes, cut short so an error stays one line.
    static func quoted(_ s: String) -> String {
        "\"" + (s.count > 20 ? String(s.prefix(20)) + "…" : s) + "\""
    }
}
