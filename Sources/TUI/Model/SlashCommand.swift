import Session

/// A typed slash command, parsed from the input line (see `SlashCommand.parse`).
enum SlashCommand: Sendable, Equatable {
    enum Think: Sendable, Equatable { case on, off, toggle }
    case think(Think)
    case budget(Int?)                 // nil = off
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

    /// Every command with its argument shape, for the help overlay and error messages.
    static let usage: [(String, String)] = [
        ("/think on|off|toggle", "reasoning for the next turns"),
        ("/budget N|off", "reasoning budget in tokens"),
        ("/history-reasoning on|off", "send earlier reasoning back"),
        ("/reasoning show|hide", "show or hide the reasoning"),
        ("/save [PATH]", "save the conversation"),
        ("/load PATH", "load a saved conversation"),
        ("/new", "start a new conversation"),
        ("/system TEXT", "set the system prompt"),
        ("/set [think|direct] NAME VALUE", "temp top_p top_k min_p repeat_penalty max_tokens seed"),
        ("/set [think|direct] reset", "back to the preset sampler"),
        ("/stats", "statistics of the last turn"),
        ("/model", "model and sampler"),
        ("/notices", "the recent notices in full"),
        ("/export PATH.md", "write a Markdown transcript"),
        ("/theme NAME", "switch color theme"),
        ("/layout split|inline|auto", "reasoning beside the chat, inline, or auto (from 160 columns)"),
        ("/copy", "copy the last answer (OSC 52)"),
        ("/copy code", "copy the last code block"),
        ("/help", "this help"),
        ("/quit", "leave"),
    ]

    /// A one-line error for a line that starts with `/` but is not a valid command.
    struct ParseError: Error, Equatable, Sendable { let message: String }

    /// Parses `line` (which starts with "/"). Arguments are split at spaces, except that
    /// `/system` and paths take the rest of the line verbatim (trimmed).
    static func parse(_ line: String) -> Result<SlashCommand, ParseError> {
        let body = line.drop(while: { $0 == " " }).dropFirst()   // drop "/"
        let name = String(body.prefix(while: { $0 != " " })).lowercased()
        let rest = body.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        let args = rest.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        func fail(_ m: String) -> Result<SlashCommand, ParseError> { .failure(ParseError(message: m)) }
        func noArgs(_ c: SlashCommand) -> Result<SlashCommand, ParseError> {
            args.isEmpty ? .success(c) : fail("/\(name) takes no arguments")
        }

        switch name {
        case "think":
            switch args.first?.lowercased() {
            case "on" where args.count == 1: return .success(.think(.on))
            case "off" where args.count == 1: return .success(.think(.off))
            case "toggle" where args.count == 1: return .success(.think(.toggle))
            case nil where args.isEmpty: return .success(.think(.toggle))
            default: return fail("/think takes on, off or toggle")
            }
        case "budget":
            guard args.count == 1 else { return fail("/budget takes a number of tokens or off") }
            if args[0].lowercased() == "off" { return .success(.budget(nil)) }
            guard let n = Int(args[0]), n > 0 else {
                return fail("/budget takes a positive number of tokens or off, not \(quoted(args[0]))")
            }
            return .success(.budget(n))
        case "history-reasoning":
            switch args.count == 1 ? args[0].lowercased() : "" {
            case "on": return .success(.historyReasoning(true))
            case "off": return .success(.historyReasoning(false))
            default: return fail("/history-reasoning takes on or off")
            }
        case "reasoning":
            switch args.count == 1 ? args[0].lowercased() : "" {
            case "show": return .success(.reasoning(show: true))
            case "hide": return .success(.reasoning(show: false))
            default: return fail("/reasoning takes show or hide")
            }
        case "save":
            return .success(.save(rest.isEmpty ? nil : rest))
        case "load":
            return rest.isEmpty ? fail("/load needs a PATH") : .success(.load(rest))
        case "new": return noArgs(.new)
        case "system":
            return rest.isEmpty ? fail("/system needs the prompt TEXT") : .success(.system(rest))
        case "set":
            // The mode's sampler to change: named first, else the next turn's mode.
            var mode: ReasoningMode?
            var setArgs = args
            switch args.first?.lowercased() {
            case "think", "thinking": mode = .on; setArgs.removeFirst()
            case "direct": mode = .off; setArgs.removeFirst()
            default: break
            }
            if setArgs.count == 1, setArgs[0].lowercased() == "reset" { return .success(.resetSampler(mode)) }
            return parseSet(setArgs).flatMap { setting in
                if case .seed = setting, mode != nil {
                    return fail("the seed is shared by both modes: /set seed N")
                }
                return .success(.set(setting, mode: mode))
            }
        case "stats": return noArgs(.stats)
        case "model": return noArgs(.model)
        case "notices": return noArgs(.notices)
        case "export":
            guard !rest.isEmpty else { return fail("/export needs a PATH ending in .md") }
            guard rest.lowercased().hasSuffix(".md") else {
                return fail("/export writes Markdown: the PATH must end in .md")
            }
            return .success(.export(rest))
        case "theme":
            guard args.count == 1 else { return fail("/theme needs one theme NAME") }
            return .success(.theme(args[0]))
        case "layout":
            guard args.count == 1, let l = ReasoningLayout(rawValue: args[0].lowercased()) else {
                return fail("/layout takes split, inline or auto")
            }
            return .success(.layout(l))
        case "copy":
            if args.isEmpty { return .success(.copy) }
            if args == ["code"] { return .success(.copyCode) }
            return fail("/copy takes nothing or code")
        case "help", "?": return noArgs(.help)
        case "quit", "exit", "q": return noArgs(.quit)
        case "":
            return fail("empty command — /help lists commands")
        default:
            return fail("unknown command /\(name) — /help lists commands")
        }
    }

    private static func parseSet(_ args: [String]) -> Result<SamplerSetting, ParseError> {
        func fail(_ m: String) -> Result<SamplerSetting, ParseError> { .failure(ParseError(message: m)) }
        let names = "temp, top_p, top_k, min_p, repeat_penalty, seed, max_tokens"
        guard args.count == 2 else { return fail("/set takes [think|direct] NAME VALUE (\(names)) or reset") }
        let value = args[1]
        // The range of each field is `SamplingRule`'s, the one the session loader applies.
        func real(_ name: String, _ rule: (Double) -> String?,
                  _ make: (Double) -> SamplerSetting) -> Result<SamplerSetting, ParseError> {
            guard let d = Double(value) else { return fail("\(name) takes a number, not \(quoted(value))") }
            if let e = rule(d) { return fail(e) }
            return .success(make(d))
        }
        func whole(_ name: String, _ rule: (Int) -> String?,
                   _ make: (Int) -> SamplerSetting) -> Result<SamplerSetting, ParseError> {
            guard let n = Int(value) else { return fail("\(name) takes a whole number, not \(quoted(value))") }
            if let e = rule(n) { return fail(e) }
            return .success(make(n))
        }
        switch args[0].lowercased() {
        case "temp", "temperature": return real("temp", SamplingRule.temperature, SamplerSetting.temperature)
        case "top_p": return real("top_p", SamplingRule.topP, SamplerSetting.topP)
        case "min_p": return real("min_p", SamplingRule.minP, SamplerSetting.minP)
        case "repeat_penalty":
            return real("repeat_penalty", SamplingRule.repetitionPenalty, SamplerSetting.repetitionPenalty)
        case "top_k": return whole("top_k", SamplingRule.topK, SamplerSetting.topK)
        case "max_tokens": return whole("max_tokens", SamplingRule.maxTokens, SamplerSetting.maxTokens)
        case "seed":
            guard let s = UInt64(value) else {
                return fail("seed takes a whole number ≥ 0, not \(quoted(value))")
            }
            return .success(.seed(s))
        default:
            return fail("unknown setting \(quoted(args[0])) — \(names)")
        }
    }

    /// A user value in quotes, cut short so an error stays one line.
    private static func quoted(_ s: String) -> String {
        "\"" + (s.count > 20 ? String(s.prefix(20)) + "…" : s) + "\""
    }
}

import Foundation
