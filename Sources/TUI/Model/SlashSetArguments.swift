import Session

extension SlashCommand {
    /// `/set`'s arguments, `[think|direct] NAME VALUE` or `[think|direct] reset`: the one
    /// table of mode words and sampler names, read by the parser, the help and Tab.
    enum SetArguments {
        /// The words that name a mode, and the mode ("thinking" is taken for "think").
        static let modes: [(word: String, mode: ReasoningMode)] = [("think", .on), ("direct", .off)]
        static let modeAliases: [(word: String, mode: ReasoningMode)] = [("thinking", .on)]

        /// The mode `word` names (any case), if it names one.
        static func mode(_ word: String) -> ReasoningMode? {
            (modes + modeAliases).first { $0.word == word.lowercased() }?.mode
        }

        /// One sampler value `/set` can change.
        struct Setting: Sendable {
            let name: String
            var aliases: [String] = []
            /// The seed is shared by both modes: naming a mode with it is an error.
            var sharedByModes = false
            let parse: @Sendable (String) -> Result<SamplerSetting, ParseError>
        }

        /// Every setting, in the order errors list them. The range of each value is
        /// `SamplingRule`'s, the one the session loader applies.
        static let settings: [Setting] = [
            real("temp", aliases: ["temperature"], SamplingRule.temperature, SamplerSetting.temperature),
            real("top_p", SamplingRule.topP, SamplerSetting.topP),
            whole("top_k", SamplingRule.topK, SamplerSetting.topK),
            real("min_p", SamplingRule.minP, SamplerSetting.minP),
            real("repeat_penalty", SamplingRule.repetitionPenalty, SamplerSetting.repetitionPenalty),
            Setting(name: "seed", sharedByModes: true) { value in
                guard let s = UInt64(value) else {
                    return .failure(ParseError(message: "seed takes a whole number ≥ 0, not \(quoted(value))"))
                }
                return .success(.seed(s))
            },
            whole("max_tokens", SamplingRule.maxTokens, SamplerSetting.maxTokens),
        ]

        /// "temp, top_p, …": the setting names for errors and the help.
        static var names: [String] { settings.map(\.name) }
        /// "[think|direct]": the optional mode word, for the usage and errors.
        static var modeUsage: String { "[" + modes.map(\.word).joined(separator: "|") + "]" }

        static func parse(_ a: Arguments) -> Result<SlashCommand, ParseError> {
            // The mode's sampler to change: named first, else the next turn's mode.
            var args = a.words
            let mode = args.first.flatMap(Self.mode)
            if mode != nil { args.removeFirst() }
            if args.count == 1, args[0].lowercased() == "reset" { return .success(.resetSampler(mode)) }
            let list = names.joined(separator: ", ")
            guard args.count == 2 else { return a.fail("/set takes \(modeUsage) NAME VALUE (\(list)) or reset") }
            let name = args[0].lowercased()
            guard let setting = settings.first(where: { $0.name == name || $0.aliases.contains(name) }) else {
                return a.fail("unknown setting \(quoted(args[0])) — \(list)")
            }
            return setting.parse(args[1]).flatMap { value in
                if setting.sharedByModes, mode != nil {
                    return a.fail("the \(setting.name) is shared by both modes: /set \(setting.name) N")
                }
                return .success(.set(value, mode: mode))
            }
        }

        /// Tab's words after `typed`: a mode, reset or a name first; after a mode, reset or
        /// a name the mode has its own of; none for the value.
        static func words(after typed: [String]) -> [String] {
            if typed.isEmpty { return modes.map(\.word) + ["reset"] + names }
            if typed.count == 1, mode(typed[0]) != nil {
                return ["reset"] + settings.filter { !$0.sharedByModes }.map(\.name)
            }
            return []
        }

        private static func real(_ name: String, aliases: [String] = [], _ rule: @escaping @Sendable (Double) -> String?,
                                 _ make: @escaping @Sendable (Double) -> SamplerSetting) -> Setting {
            Setting(name: name, aliases: aliases) { value in
                guard let d = Double(value) else {
                    return .failure(ParseError(message: "\(name) takes a number, not \(quoted(value))"))
                }
                return rule(d).map { .failure(ParseError(message: $0)) } ?? .success(make(d))
            }
        }

        private static func whole(_ name: String, _ rule: @escaping @Sendable (Int) -> String?,
                                  _ make: @escaping @Sendable (Int) -> SamplerSetting) -> Setting {
            Setting(name: name) { value in
                guard let n = Int(value) else {
                    return .failure(ParseError(message: "\(name) takes a whole number, not \(quoted(value))"))
                }
                return rule(n).map { .failure(ParseError(message: $0)) } ?? .success(make(n))
            }
        }
    }
}
