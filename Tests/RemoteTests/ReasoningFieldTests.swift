import Foundation
import Session
import Testing
import TestSupport
@testable import Remote

/// Reasoning as a real server sends it: llama.cpp's server (xllamacpp) with its DeepSeek
/// reasoning parser and a SmolLM2 chat template whose generation prompt opens `<think>`
/// (`think_template.jinja`), so the model's text arrives in `reasoning_content` (and in
/// `content` after `</think>`, if the model closes it). The proxy in "pass" mode reads
/// the raw stream with Python: the oracle for what the server sent.
@Suite(.serialized) struct ReasoningFieldTests {
    @Test func reasoningContentFillsTheReasoningChannel() async throws {
        let template = TestEnv.repoRoot.appendingPathComponent("Tests/RemoteTests/think_template.jinja")
        let server = try LlamaServer(model: try TestEnv.smolQ4_1, template: template)
        defer { server.stop() }
        let proxy = try FaultProxy(upstream: server, faults: ["pass"])
        defer { proxy.stop() }
        let (events, record) = try await FaultTests.turn(try FaultTests.client(proxy), maxTokens: 30)
        #expect(record.stopReason == .endOfTurn || record.stopReason == .length, "\(FaultTests.errors(events))")
        let sent = try #require(try proxy.log().first)
        // The server really sent reasoning_content.
        #expect(!FaultTests.trimmed(sent.reasoning).isEmpty, "the server sent no reasoning_content: \(sent)")
        #expect(record.reasoning == FaultTests.trimmed(sent.reasoning))
        #expect(record.answer == FaultTests.trimmed(sent.content))
        // What the session saw is what it recorded.
        let streamed = events.compactMap { if case .reasoning(_, let s) = $0 { return s }; return nil }.joined()
        #expect(streamed == record.reasoning)
        #expect(record.stats.reasoningTokens > 0)
    }
}
