import Chat
import Foundation
import Remote
import Session
import Tokenizer

/// `ponder bench --server URL`: what the client costs. One prompt, greedy, sent
/// `runs` times through Ponder's own turn path (`RemoteTurnBackend`, the stats the chat
/// shows) alternating with `runs` plain streamed requests whose last chunk carries the
/// server's own timings (llama.cpp's server: `prompt_ms`, `predicted_n`, `predicted_ms`).
/// Alternating puts both series on the same stretch of a noisy machine; a first request,
/// not counted, leaves the prompt in the server's cache for every run alike.
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

    struct Sample { var ttft: Double; var rate: Double; var tokens: Int }

    var sampling: SamplingSettings {
        var s = SamplingSettings.direct
        s.temperature = 0
        s.maxTokens = maxTokens
        return s
    }

    /// The request a turn of this prompt sends (the same messages `RemoteTurnBackend` builds).
    var request: ChatRequest {
        var messages = TurnPrompt.messages(systemPrompt: "", user: Self.prompt)
        served.profile.apply(.off, to: &messages)
        return ChatRequest(model: served.name, messages: messages, sampling: sampling, seed: 1)
    }

    func run(progress: (String) -> Void) async throws -> [String] {
        _ = try await viaServer()
        var ponder: [Sample] = [], server: [Sample] = []
        for r in 0..<runs {
            ponder.append(try await viaPonder())
            server.append(try await viaServer())
            progress("run \(r + 1)/\(runs)")
        }
        let ttftP = ponder.map(\.ttft), ttftS = server.map(\.ttft)
        let rateP = ponder.map(\.rate), rateS = server.map(\.rate)
        let overheadMS = (median(ttftP) - median(ttftS)) * 1000
        let ratePercent = (1 - median(rateP) / median(rateS)) * 100
        return [
            "server: \(served.client.endpoint.display)   model: \(served.name)   max tokens: \(maxTokens)   runs: \(runs) each, alternating",
            "tokens per reply: Ponder \(ponder.map(\.tokens).map(String.init).joined(separator: " ")), "
                + "server \(server.map(\.tokens).map(String.init).joined(separator: " "))",
            "| measure | through Ponder (median, mean ± sd) | server's own timings (median, mean ± sd) | client overhead |",
            "|---|---|---|---|",
            "| time to first token (ms) | \(row(ttftP, scale: 1000)) | \(row(ttftS, scale: 1000)) | \(fmt(overheadMS)) ms |",
            "| decode (tok/s) | \(row(rateP, scale: 1)) | \(row(rateS, scale: 1)) | \(fmt(ratePercent)) % |",
        ]
    }

    /// One turn through `RemoteTurnBackend`, measured as the chat measures it.
    func viaPonder() async throws -> Sample {
        let job = TurnJob(meta: TurnRecord(index: 0, user: Self.prompt, mode: .off, sampling: sampling, seed: 1,
                                           profile: served.profile),
                          format: ChatFormat(kind: .plain), settings: SessionSettings(), splitsReasoning: false)
        let backend = RemoteTurnBackend(client: served.client, model: served.name)
        defer { backend.shutdown() }
        let turn = backend.stream(job)
        for await _ in turn.events {}
        let record = await turn.record.value
        if record.stopReason == .error { throw CLIError(record.note ?? "the turn failed") }
        let st = record.stats
        guard let ttft = st.timeToFirstToken, let rate = st.decodeTokensPerSecond else {
            throw CLIError("the server streamed fewer than 2 tokens; nothing to time")
        }
        return Sample(ttft: ttft, rate: rate, tokens: st.reasoningTokens + st.answerTokens)
    }

    /// One plain streamed request: the server's own timings from its last chunk.
    func viaServer() async throws -> Sample {
        var timings: ChatCompletionChunk.Timings?
        do {
            for try await c in served.client.stream(request) { if let t = c.timings { timings = t } }
        } catch {
            throw CLIError("\(served.client.endpoint.display): \(error)")
        }
        guard let t = timings, let promptMS = t.promptMS, let n = t.predictedN, let ms = t.predictedMS else {
            throw CLIError("\(served.client.endpoint.display) reports no timings (llama.cpp's server does; vLLM and NIM do not)")
        }
        guard n > 1, ms > 0 else { throw CLIError("the server generated fewer than 2 tokens; nothing to time") }
        return Sample(ttft: promptMS / 1000, rate: Double(n - 1) / ms * 1000, tokens: n)
    }

    private func row(_ x: [Double], scale: Double) -> String {
        let v = x.map { $0 * scale }
        return "\(fmt(median(v))), \(fmt(mean(v))) ± \(fmt(sd(v)))"
    }
}
