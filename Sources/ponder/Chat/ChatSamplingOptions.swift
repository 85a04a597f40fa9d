import ArgumentParser
import Session

/// `ponder chat`'s sampler flags: `--temp` … `--max-tokens` set both modes' samplers,
/// `--think-…` and `--direct-…` one mode's (and win over the shared form). Each value is
/// checked by `SamplingRule`, the rule of `/set` and of the session loader.
struct ChatSamplingOptions: ParsableArguments {
    @Option(name: .long, help: "Temperature of both modes' samplers (0 = greedy).")
    var temp: Double?
    @Option(name: .long, help: "Top-p (nucleus) of both modes (1 = off).")
    var topP: Double?
    @Option(name: .long, help: "Top-k of both modes (0 = off).")
    var topK: Int?
    @Option(name: .long, help: "Min-p of both modes (0 = off).")
    var minP: Double?
    @Option(name: .long, help: "Repetition penalty of both modes (1 = off).")
    var repeatPenalty: Double?
    @Option(name: .long, help: "Most tokens a reply may have, both modes.")
    var maxTokens: Int?

    @Option(name: .long, help: "Temperature of THINKING turns (preset 0.6).")
    var thinkTemp: Double?
    @Option(name: .long, help: "Top-p of THINKING turns (preset 0.95).")
    var thinkTopP: Double?
    @Option(name: .long, help: "Top-k of THINKING turns.")
    var thinkTopK: Int?
    @Option(name: .long, help: "Min-p of THINKING turns.")
    var thinkMinP: Double?
    @Option(name: .long, help: "Repetition penalty of THINKING turns.")
    var thinkRepeatPenalty: Double?
    @Option(name: .long, help: "Most tokens of a THINKING reply.")
    var thinkMaxTokens: Int?

    @Option(name: .long, help: "Temperature of DIRECT turns (preset 0: greedy).")
    var directTemp: Double?
    @Option(name: .long, help: "Top-p of DIRECT turns.")
    var directTopP: Double?
    @Option(name: .long, help: "Top-k of DIRECT turns.")
    var directTopK: Int?
    @Option(name: .long, help: "Min-p of DIRECT turns.")
    var directMinP: Double?
    @Option(name: .long, help: "Repetition penalty of DIRECT turns.")
    var directRepeatPenalty: Double?
    @Option(name: .long, help: "Most tokens of a DIRECT reply.")
    var directMaxTokens: Int?

    /// One form's values (shared, think or direct) with its flag prefix.
    private struct Form {
        var prefix: String
        var temp: Double?, topP: Double?, topK: Int?, minP: Double?, repeatPenalty: Double?, maxTokens: Int?

        /// The flags of this form that were given.
        var given: [String] {
            [("temp", temp != nil), ("top-p", topP != nil), ("top-k", topK != nil), ("min-p", minP != nil),
             ("repeat-penalty", repeatPenalty != nil), ("max-tokens", maxTokens != nil)]
                .filter(\.1).map { "--\(prefix)\($0.0)" }
        }

        var changes: [SamplerSetting] {
            [temp.map(SamplerSetting.temperature), topP.map(SamplerSetting.topP), topK.map(SamplerSetting.topK),
             minP.map(SamplerSetting.minP), repeatPenalty.map(SamplerSetting.repetitionPenalty),
             maxTokens.map(SamplerSetting.maxTokens)].compactMap { $0 }
        }

        func validate() throws {
            try SamplingFlags.check("--\(prefix)temp", temp, SamplingRule.temperature)
            try SamplingFlags.check("--\(prefix)top-p", topP, SamplingRule.topP)
            try SamplingFlags.check("--\(prefix)top-k", topK, SamplingRule.topK)
            try SamplingFlags.check("--\(prefix)min-p", minP, SamplingRule.minP)
            try SamplingFlags.check("--\(prefix)repeat-penalty", repeatPenalty, SamplingRule.repetitionPenalty)
            try SamplingFlags.check("--\(prefix)max-tokens", maxTokens, SamplingRule.maxTokens)
        }
    }

    private var shared: Form {
        Form(prefix: "", temp: temp, topP: topP, topK: topK, minP: minP, repeatPenalty: repeatPenalty,
             maxTokens: maxTokens)
    }
    private var think: Form {
        Form(prefix: "think-", temp: thinkTemp, topP: thinkTopP, topK: thinkTopK, minP: thinkMinP,
             repeatPenalty: thinkRepeatPenalty, maxTokens: thinkMaxTokens)
    }
    private var direct: Form {
        Form(prefix: "direct-", temp: directTemp, topP: directTopP, topK: directTopK, minP: directMinP,
             repeatPenalty: directRepeatPenalty, maxTokens: directMaxTokens)
    }

    func validate() throws {
        for f in [shared, think, direct] { try f.validate() }
    }

    /// The sampler flags given, spelled as on the command line.
    var given: [String] { shared.given + think.given + direct.given }

    /// The presets changed by the flags: shared values first, then each mode's own.
    func apply(to settings: inout SessionSettings) {
        for (mode, own) in [(ReasoningMode.on, think), (.off, direct)] {
            for c in shared.changes + own.changes { settings.apply(c, mode: mode) }
        }
    }
}
