/// A typed slash command, parsed from the input line (see `SlashCommand.parse`). One
/// parser and one table for the full-screen chat and the line mode.
public enum SlashCommand: Sendable, Equatable {
    public enum Think: Sendable, Equatable { case on, off, toggle }
    case think(Think)
    case budget(Int?)                 // nil = off
    case historyReasoning(Bool)
    case reasoning(show: Bool)
    case save(String?)
    case load(String)
    case new
    case system(String)
    case set(SamplerSetting)
    case stats
    case model
    case export(String)
    case theme(String)
    case copy
    case copyCode
    case help
    case quit

    /// Every command with its argument shape, for the help overlay and error messages.
    public static let usage: [(String, String)] = [
        ("/think on|off|toggle", "reasoning for the next turns"),
        ("/budget N|off", "reasoning budget in tokens"),
        ("/history-reasoning on|off", "send earlier reasoning back"),
        ("/reasoning show|hide", "show or hide the reasoning"),
        ("/save [PATH]", "save the conversation"),
        ("/load PATH", "load a saved conversation"),
        ("/new", "start a new conversation"),
        ("/system TEXT", "set the system prompt"),
        ("/set NAME VALUE", "temp top_p top_k min_p seed max_tokens"),
        ("/stats", "statistics of the last turn"),
        ("/model", "model and sampler"),
        ("/export PATH.md", "write a Markdown transcript"),
        ("/theme NAME", "switch color theme"),
        ("/copy", "copy the last answer (OSC 52)"),
        ("/copy code", "copy the last code block"),
        ("/help", "this help"),
        ("/quit", "leave"),
    ]

    /// A one-line error for a line that starts with `/` but is not a valid command.
    public struct ParseError: Error, Equatable, Sendable { public let message: String }

    /// Parses `line` (which starts with "/"). Arguments are split at spaces, except that
    /// `/system` and paths take the rest of the line verbatim (trimmed).
    public static func parse(_ line: String) -> Result<SlashCommand, ParseError> {
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
            return parseSet(args).map { .set($0) }
        case "stats": return noArgs(.stats)
        case "model": return noArgs(.model)
        case "export":
            guard !rest.isEmpty else { return fail("/export needs a PATH ending in .md") }
            guard rest.lowercased().hasSuffix(".md") else {
                return fail("/export writes Markdown: the PATH must end in .md")
            }
            return .success(.export(rest))
        case "theme":
            guard args.count == 1 else { return fail("/theme needs one theme NAME") }
            return .success(.theme(args[0]))
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
        guard args.count == 2 else {
            return fail("/set takes NAME VALUE (temp, top_p, top_k, min_p, seed, max_tokens)")
        }
        let value = args[1]
        func real(_ range: ClosedRange<Double>) -> Double? {
            guard let d = Double(value), d.isFinite, range.contains(d) else { return nil }
            return d
        }
        switch args[0].lowercased() {
        case "temp", "temperature":
            guard let d = real(0...100) else { return fail("temp takes a number ≥ 0, not \(quoted(value))") }
            return .success(.temperature(d))
        case "top_p":
            guard let d = real(0...1) else { return fail("top_p takes a number in 0…1, not \(quoted(value))") }
            return .success(.topP(d))
        case "min_p":
            guard let d = real(0...1) else { return fail("min_p takes a number in 0…1, not \(quoted(value))") }
            return .success(.minP(d))
        case "top_k":
            guard let k = Int(value), k >= 0 else {
                return fail("top_k takes a whole number ≥ 0, not \(quoted(value))")
            }
            return .success(.topK(k))
        case "seed":
            guard let s = UInt64(value) else {
                return fail("seed takes a whole number ≥ 0, not \(quoted(value))")
            }
            return .success(.seed(s))
        case "max_tokens":
            guard let n = Int(value), n >= 1 else {
                return fail("max_tokens takes a whole number ≥ 1, not \(quoted(value))")
            }
            return .success(.maxTokens(n))
        default:
            return fail("unknown setting \(quoted(args[0])) — temp, top_p, top_k, min_p, seed, max_tokens")
        }
    }

    /// The driver request this command stands for, when it is one: the same in every mode.
    public var driverCommand: DriverCommand? {
        switch self {
        case .budget(let n): .setReasoningBudget(n)
        case .historyReasoning(let b): .setHistoryReasoning(b)
        case .save(let p): .save(path: p)
        case .load(let p): .load(path: p)
        case .new: .newConversation
        case .system(let t): .setSystemPrompt(t)
        case .set(let x): .setSampler(x)
        case .export(let p): .export(path: p)
        case .think, .reasoning, .stats, .model, .theme, .copy, .copyCode, .help, .quit: nil
        }
    }

    /// A user value in quotes, cut short so an error stays one line.
    private static func quoted(_ s: String) -> String {
        "\"" + (s.count > 20 ? String(s.prefix(20)) + "…" : s) + "\""
    }
}

import Foundation
