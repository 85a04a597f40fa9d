import Chat
import Foundation
import Remote
import Session
import Tokenizer

/// `ponder bench --server URL`: what the client costs. One prompt, greedy, sent
/// `runs` times through Ponder's own turn path (`RemoteTurnBackend`, the stats the chat
/// shows), each turn paired with the same request's own timings, which the server sends
/// in its last chunk (llama.cpp's server: `prompt_ms`, `predicted_n`, `predicted_ms`;
/// `TurnStats.server`). Pairing each reply with itself takes the server's swings on a
/// noisy machine out of the difference; a first turn, not counted, leaves the prompt in
/// the server's cache for every run alike.
///
/// Time to first token: Ponder's is from the request to the first text chunk; the
/// server's is its prompt time. Decode rate: both count the tokens after the first over
/// the time from the first to the last (the server's `predicted_ms` spans the same).
/// The difference is everything outside the server's compute: HTTP, the server's own
/// request handling, event parsing, the turn machinery.
struct ServerBench {
    let served: ServedModel
    let maxTokens: Int
    let runs: Int

    static let prompt = "Write a long story about a lighthouse keeper and a storm."

    /// One turn: what Ponder measured, and what the server said of the same request.
    struct Sample { var ttft: Double; var rate: Double; var tokens: Int; var server: ServerTimings }

    var sampling: SamplingSettings {
        var s = SamplingSettings.direct
        s.temperature = 0
        s.maxTokens = maxTokens
        return s
    }

    func run(progress: (String) -> Void) async throws -> [String] {
        _ = try await turn()
        var samples: [Sample] = []
        for r in 0..<runs {
            samples.append(try await turn())
            progress("run \(r + 1)/\(runs)")
        }
        let ttftP = samples.map(\.ttft), ttftS = samples.map(\.server.promptTime)
        let rateP = samples.map(\.rate), rateS = samples.map(\.server.decodeTokensPerSecond)
        // The overheads: the median of each reply's own difference.
        let overheadMS = median(samples.map { ($0.ttft - $0.server.promptTime) * 1000 })
        let ratePercent = median(samples.map { (1 - $0.rate / $0.server.decodeTokensPerSecond) * 100 })
        return [
            "server: \(served.client.endpoint.display)   model: \(served.name)   max tokens: \(maxTokens)   runs: \(runs), each reply paired with its own server timings",
            "tokens per reply: Ponder \(samples.map(\.tokens).map(String.init).joined(separator: " ")), "
                + "server \(samples.map(\.server.generated).map(String.init).joined(separator: " "))",
            "| measure | through Ponder (median, mean ± sd) | server's own timings (median, mean ± sd) | client overhead (median of pairs) |",
            "|---|---|---|---|",
            "| time to first token (ms) | \(row(ttftP, scale: 1000)) | \(row(ttftS, scale: 1000)) | \(fmt(overheadMS)) ms |",
            "| decode (tok/s) | \(row(rateP, scale: 1)) | \(row(rateS, scale: 1)) | \(fmt(ratePercent)) % |",
        ]
    }

    /// One turn through `RemoteTurnBackend`, measured as the chat measures it.
    func turn() async throws -> Sample {
        let job = TurnJob(meta: TurnRecord(index: 0, user: Self.prompt, mode: .off, sampling: sampling, seed: 1,
                                           profile: served.profile),
                          format: ChatFormat(kind: .plain), settings: SessionSettings(), splitsReasoning: false)
        let backend = RemoteTurnBackend(client: served.client, model: served.name)
        defer { backend.shutdown() }
        let turn = backend.stream(job)
        for await _ in turn.events {}
        let record = await turn.record.value
        if record.stopReason == .error { throw CLIError("\(served.client.endpoint.display): \(record.note ?? "the turn failed")") }
        let st = record.stats
        guard let ttft = st.timeToFirstToken, let rate = st.decodeTokensPerSecond else {
            throw CLIError("the server streamed fewer than 2 tokens; nothing to time")
        }
        guard let server = st.server else {
            throw CLIError("\(served.client.endpoint.display) reports no timings (llama.cpp's server does; vLLM and NIM do not)")
        }
        return Sample(ttft: ttft, rate: rate, tokens: st.reasoningTokens + st.answerTokens, server: server)
    }

    private func row(_ x: [Double], scale: Double) -> String {
        let v = x.map { $0 * scale }
        return "\(fmt(median(v))), \(fmt(mean(v))) ± \(fmt(sd(v)))"
    }
}
