import Chat
import Engine
import Foundation
import GGUF
import Session
import Tokenizer

/// `ponder bench --prompt-file F`: decode speed of real greedy replies to a fixed prompt
/// set, per draft mode, through the turn loop the chat and `run` use. Each repetition
/// runs every prompt under every mode in turn (alternating, so that a noisy machine
/// weighs on all modes alike); a prompt's figure is its best repetition.
struct SpeculationBench {
    let model: LlamaModel
    let tokenizer: Tokenizer
    let format: ChatFormat
    let profile: ReasoningProfile
    let prompts: [String]
    let modes: [DraftMode]
    let maxTokens: Int
    let repetitions: Int

    /// One prompt under one mode: its best decode rate and what it generated.
    struct Result {
        var tokensPerSecond = 0.0
        var tokens: [Int32] = []
        var drafted = 0, accepted = 0
    }

    /// The prompts of a file: blocks of text separated by lines holding only `---`.
    static func readPrompts(_ path: String) throws -> [String] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw CLIError("\(path): cannot read it (\(error.localizedDescription))") }
        var prompts: [String] = [], current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) + [Substring("---")] {
            if line.trimmingCharacters(in: .whitespaces) == "---" {
                let p = current.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                if !p.isEmpty { prompts.append(p) }
                current = []
            } else {
                current.append(line)
            }
        }
        guard !prompts.isEmpty else { throw CLIError("\(path): no prompts (blocks of text separated by lines of ---)") }
        return prompts
    }

    /// results[prompt][mode]; `progress` gets a short line after each reply.
    func run(progress: (String) -> Void) async throws -> [[Result]] {
        let capacity = min(model.config.contextLength, 8192)
        let context: LlamaContext
        do { context = try LlamaContext(model: model, capacity: capacity) } catch { throw CLIError("\(error)") }
        var results = Array(repeating: Array(repeating: Result(), count: modes.count), count: prompts.count)
        for r in 0..<repetitions {
            for (p, text) in prompts.enumerated() {
                for (m, mode) in modes.enumerated() {
                    let record = try await reply(text, mode: mode, context: context)
                    let s = record.stats
                    var best = results[p][m]
                    if r > 0, best.tokens != record.tokens {
                        throw CLIError("prompt \(p + 1), --draft \(mode.name): repetition \(r + 1) replied differently")
                    }
                    best.tokens = record.tokens
                    best.tokensPerSecond = max(best.tokensPerSecond, s.decodeTokensPerSecond ?? 0)
                    best.drafted = s.draftedTokens ?? 0
                    best.accepted = s.acceptedDrafts ?? 0
                    results[p][m] = best
                    progress("repetition \(r + 1)/\(repetitions), prompt \(p + 1)/\(prompts.count), --draft \(mode.name)")
                }
            }
        }
        return results
    }

    /// One greedy reply to `text` from an empty cache.
    private func reply(_ text: String, mode: DraftMode, context: LlamaContext) async throws -> TurnRecord {
        context.reset()
        let engine = EngineBackend(context: context, tokenizer: tokenizer)
        do { try engine.draft(with: mode) } catch { throw CLIError("--draft \(mode.name): \(error)") }
        let backend = EmbeddedTurnBackend(engine)
        defer { backend.shutdown() }
        var job = TurnJob(meta: TurnRecord(index: 0, user: text, mode: .off,
                                           sampling: SamplingSettings(.direct, maxTokens: maxTokens), seed: 0, profile: profile),
                          format: format, settings: SessionSettings(), splitsReasoning: false)
        job.settings.prefillChunk = context.capacity
        job.settings.snapshotBudgetBytes = 0
        let turn = backend.stream(job)
        for await _ in turn.events {}
        let record = await turn.record.value
        if record.stopReason == .error { throw CLIError(record.note ?? "generation failed") }
        return record
    }

    /// The table: per prompt and mode, tokens, best decode tok/s and drafts kept; then
    /// per mode the rate over all prompts (all tokens over the sum of best times), and
    /// each mode's ratio against the first.
    func table(_ results: [[Result]]) -> [String] {
        var lines = ["| prompt | draft | tokens | decode tok/s | drafts kept | same tokens as \(modes[0].name) |",
                     "|---|---|---|---|---|---|"]
        for (p, row) in results.enumerated() {
            for (m, r) in row.enumerated() {
                let kept = r.drafted > 0 ? "\(r.accepted)/\(r.drafted) (\(fmt(100 * Double(r.accepted) / Double(r.drafted)))%)" : "-"
                lines.append("| \(p + 1) | \(modes[m].name) | \(r.tokens.count) | \(fmt(r.tokensPerSecond)) | \(kept) | \(r.tokens == row[0].tokens ? "yes" : "NO") |")
            }
        }
        let overall = modes.indices.map { m -> Double in
            let tokens = results.reduce(0) { $0 + $1[m].tokens.count }
            let seconds = results.reduce(0.0) { $0 + ($1[m].tokensPerSecond > 0 ? Double($1[m].tokens.count) / $1[m].tokensPerSecond : 0) }
            return seconds > 0 ? Double(tokens) / seconds : 0
        }
        for (m, mode) in modes.enumerated() {
            let drafted = results.reduce(0) { $0 + $1[m].drafted }, accepted = results.reduce(0) { $0 + $1[m].accepted }
            let rate = drafted > 0 ? ", drafts kept \(accepted)/\(drafted) (\(fmt(100 * Double(accepted) / Double(drafted)))%)" : ""
            let ratio = overall[0] > 0 ? fmt(overall[m] / overall[0]) : "-"
            lines.append("all prompts, --draft \(mode.name): \(fmt(overall[m])) tok/s (\(ratio)x \(modes[0].name))\(rate)")
        }
        return lines
    }
}
