import Foundation
import Tokenizer

/// The settings that shaped each turn, said where they changed: on the first turn what
/// differs from a bare start (no system prompt, no reasoning profile, earlier reasoning not
/// sent back, the document's model), on each later turn what differs from the turn before.
/// The sampler, the think budget and the think minimum are per mode, so they are compared with the previous
/// turn of the same mode (and always stated on the first turn of each mode).
/// `ponder export --markdown` prints these lines above each turn.
public enum TurnSettingChanges {
    /// One list of lines per turn of `doc`, in order (empty when nothing changed).
    /// `initial: false` leaves out what the first turn (of each mode, for the sampler and
    /// budget) states, keeping only changes made during the session.
    public static func lines(_ doc: SessionDocument, initial: Bool = true) -> [[String]] {
        var out: [[String]] = []
        var previous: TurnRecord?
        var previousOfMode: [ReasoningMode: TurnRecord] = [:]
        for var t in doc.turns {
            t.fillUnrecorded(from: doc.settings, model: doc.model)
            var l: [String] = []
            let model = previous.map { $0.model } ?? doc.model
            if let m = t.model, m != model { l.append("Model: \(m.fileName) (\(m.size) bytes, \(m.headerHash))") }
            let profile = t.profile ?? doc.settings.profile ?? .noReasoning
            if profile != previous.map({ $0.profile ?? doc.settings.profile ?? .noReasoning }) ?? .noReasoning {
                l.append("Reasoning profile: \(profile.rawValue)")
            }
            let system = t.systemPrompt ?? "", before = previous?.systemPrompt ?? ""
            if system != before {
                l.append(system.isEmpty ? "System prompt cleared"
                         : (before.isEmpty ? "System prompt set: " : "System prompt changed: ") + MarkdownExport.oneLine(system))
            }
            let history = t.historyReasoning ?? false
            if history != (previous?.historyReasoning ?? false) {
                l.append("Earlier reasoning sent back: \(history ? "yes" : "no")")
            }
            let same = previousOfMode[t.mode]
            if t.sampling != same?.sampling, initial || same != nil {
                l.append("Sampler (thinking \(t.mode.rawValue)): \(sampler(t.sampling))")
            }
            if t.mode == .on, t.thinkBudget != same?.thinkBudget, initial || same != nil {
                l.append("Think budget: " + (t.thinkBudget.map { "\($0) tokens" } ?? "none"))
            }
            // The minimum came later than the budget: said only where one was or is set.
            if t.mode == .on, t.thinkMin != same?.thinkMin, t.thinkMin != nil || same?.thinkMin != nil,
               initial || same != nil {
                l.append("Think minimum: " + (t.thinkMin.map { "\($0) tokens" } ?? "none"))
            }
            out.append(initial || previous != nil ? l : [])
            previous = t
            previousOfMode[t.mode] = t
        }
        return out
    }

    /// A sampler in words: "greedy" or "temperature 0.9, top-p 0.95", filters that are
    /// off left out, then the token limit.
    public static func sampler(_ s: SamplingSettings) -> String {
        var parts: [String] = []
        if s.isGreedy { parts.append("greedy") } else {
            parts.append(String(format: "temperature %g", s.temperature))
            if s.topK > 0 { parts.append("top-k \(s.topK)") }
            if s.topP < 1 { parts.append(String(format: "top-p %g", s.topP)) }
            if s.minP > 0 { parts.append(String(format: "min-p %g", s.minP)) }
        }
        if s.repetitionPenalty != 1 { parts.append(String(format: "repetition penalty %g", s.repetitionPenalty)) }
        if s.presencePenalty != 0 { parts.append(String(format: "presence penalty %g", s.presencePenalty)) }
        if s.frequencyPenalty != 0 { parts.append(String(format: "frequency penalty %g", s.frequencyPenalty)) }
        if s.repetitionPenalty != 1 || s.presencePenalty != 0 || s.frequencyPenalty != 0 {
            parts.append("over the last \(s.repetitionWindow) tokens")
        }
        parts.append("at most \(s.maxTokens) tokens")
        return parts.joined(separator: ", ")
    }
}
