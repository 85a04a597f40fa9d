extension SlashCommand {
    /// Every slash command, once, in the order the help lists them: name, aliases, help
    /// rows with an example each, how the arguments parse, and the Tab words when they
    /// are not the first argument's fixed words. The parser, the help overlay, the line
    /// modes' /help, `ponder help keys`, Tab completion and the man-page test read this
    /// table; the handler is the case of `run` (UpdateCommands.swift) for the value.
    static let registry: [Spec] = [
        Spec(name: "think", forms: [
            Form("on|off|toggle", "reasoning for the next turns", example: "/think on"),
        ]) { a in
            guard a.words.count <= 1 else { return a.fail("/think takes on, off or toggle") }
            switch a.words.first?.lowercased() {
            case "on": return .success(.think(.on))
            case "off": return .success(.think(.off))
            case "toggle", nil: return .success(.think(.toggle))
            default: return a.fail("/think takes on, off or toggle")
            }
        },
        Spec(name: "budget", forms: [
            Form("N", "reasoning budget of the next turn, in tokens", example: "/budget 512"),
            Form("N always", "reasoning budget of every turn", example: "/budget 512 always"),
            Form("off", "no reasoning budget", example: "/budget off"),
            Form("min N", "think more: the least reasoning of the next turn, in tokens", example: "/budget min 256"),
            Form("min N always", "the least reasoning of every turn", example: "/budget min 256 always"),
            Form("min off", "no least reasoning", example: "/budget min off"),
        ]) { a in
            // "/budget [min] N [always]" or "/budget [min] off".
            let min = a.words.first?.lowercased() == "min"
            let words = Array(a.words.dropFirst(min ? 1 : 0))
            let what = min ? "/budget min" : "/budget"
            let always = words.count == 2 && words[1].lowercased() == "always"
            guard words.count == 1 || always else {
                return a.fail("\(what) takes a number of tokens (then always, for every turn) or off")
            }
            let w = words[0].lowercased()
            if w == "off" { return .success(min ? .thinkMin(nil, always: true) : .budget(nil, always: true)) }
            guard let n = Int(w), n > 0 else {
                return a.fail("\(what) takes a positive number of tokens or off, not \(quoted(words[0]))")
            }
            return .success(min ? .thinkMin(n, always: always) : .budget(n, always: always))
        },
        Spec(name: "answer", forms: [
            Form("", "end the reasoning now and answer", example: "/answer"),
        ]) { a in a.none(.answerNow) },
        Spec(name: "history-reasoning", forms: [
            Form("on|off", "send earlier reasoning back", example: "/history-reasoning on"),
        ]) { a in
            switch a.word(0, of: 1) {
            case "on": return .success(.historyReasoning(true))
            case "off": return .success(.historyReasoning(false))
            default: return a.fail("/history-reasoning takes on or off")
            }
        },
        Spec(name: "reasoning", forms: [
            Form("show|hide", "show or hide the reasoning", example: "/reasoning hide"),
        ]) { a in
            switch a.word(0, of: 1) {
            case "show": return .success(.reasoning(show: true))
            case "hide": return .success(.reasoning(show: false))
            default: return a.fail("/reasoning takes show or hide")
            }
        },
        Spec(name: "save", forms: [
            Form("[PATH]", "save the conversation", example: "/save chat.json"),
        ]) { a in .success(.save(a.rest.isEmpty ? nil : a.rest)) },
        Spec(name: "load", forms: [
            Form("PATH", "load a saved conversation", example: "/load chat.json"),
        ]) { a in a.rest.isEmpty ? a.fail("/load needs a PATH") : .success(.load(a.rest)) },
        Spec(name: "new", forms: [
            Form("", "start a new conversation", example: "/new"),
        ]) { a in a.none(.new) },
        Spec(name: "system", forms: [
            Form("TEXT", "set the system prompt", example: "/system You are terse."),
        ]) { a in a.rest.isEmpty ? a.fail("/system needs the prompt TEXT") : .success(.system(a.rest)) },
        Spec(name: "set", forms: [
            Form("\(SetArguments.modeUsage) NAME VALUE", SetArguments.names.joined(separator: " "),
                 example: "/set think temp 0.6"),
            Form("\(SetArguments.modeUsage) reset", "back to the preset sampler", example: "/set reset"),
        ], words: SetArguments.words(after:), parse: SetArguments.parse),
        Spec(name: "stats", forms: [
            Form("", "statistics of the last turn", example: "/stats"),
        ]) { a in a.none(.stats) },
        Spec(name: "model", forms: [
            Form("", "model and sampler", example: "/model"),
        ]) { a in a.none(.model) },
        Spec(name: "notices", forms: [
            Form("", "the recent notices in full", example: "/notices"),
        ]) { a in a.none(.notices) },
        Spec(name: "export", forms: [
            Form("PATH.md", "write a Markdown transcript", example: "/export chat.md"),
        ]) { a in
            guard !a.rest.isEmpty else { return a.fail("/export needs a PATH ending in .md") }
            guard a.rest.lowercased().hasSuffix(".md") else {
                return a.fail("/export writes Markdown: the PATH must end in .md")
            }
            return .success(.export(a.rest))
        },
        Spec(name: "theme", forms: [
            Form("NAME", "switch color theme", example: "/theme light"),
        ], fullScreenOnly: true) { a in
            a.words.count == 1 ? .success(.theme(a.words[0])) : a.fail("/theme needs one theme NAME")
        },
        Spec(name: "layout", forms: [
            Form("split|inline|auto", "reasoning beside the chat, inline, or auto (from 160 columns)",
                 example: "/layout split"),
        ], fullScreenOnly: true) { a in
            guard let w = a.word(0, of: 1), let l = ReasoningLayout(rawValue: w) else {
                return a.fail("/layout takes split, inline or auto")
            }
            return .success(.layout(l))
        },
        Spec(name: "copy", forms: [
            Form("", "copy the last answer (OSC 52)", example: "/copy"),
            Form("code", "copy the last code block", example: "/copy code"),
        ], fullScreenOnly: true) { a in
            if a.words.isEmpty { return .success(.copy) }
            if a.words == ["code"] { return .success(.copyCode) }
            return a.fail("/copy takes nothing or code")
        },
        Spec(name: "help", aliases: ["?"], forms: [
            Form("", "this help", example: "/help"),
        ]) { a in a.none(.help) },
        Spec(name: "quit", aliases: ["exit", "q"], forms: [
            Form("", "leave", example: "/quit"),
        ]) { a in a.none(.quit) },
    ]
}
