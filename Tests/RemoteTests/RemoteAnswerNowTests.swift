import Foundation
import Session
import Testing
import TestSupport
@testable import Remote

/// "Answer now" and the per-turn budget on a real server: llama.cpp's (xllamacpp) with
/// its reasoning parser and the SmolLM2 template whose generation prompt opens `<think>`
/// (`think_template.jinja`), so everything the model writes is reasoning until something
/// closes the block. The proxy in "pass" mode logs what the server really sent for each
/// request (Python's reading of the stream: the oracle).
@Suite(.serialized) struct RemoteAnswerNowTests {
    static let prompt = "Explain why the sky is blue."

    static func conversation(_ proxy: FaultProxy, maxTokens: Int) throws -> Conversation {
        let backend = RemoteTurnBackend(client: try FaultTests.client(proxy), model: "smol")
        var settings = RemoteTurnTests.settings(maxTokens: maxTokens)
        settings.profile = .deepseekR1
        return Conversation(backend: backend, format: .init(kind: .plain), settings: settings, model: backend.identity)
    }

    static func server() throws -> LlamaServer {
        try LlamaServer(model: try TestEnv.smolQ4_1,
                        template: TestEnv.repoRoot.appendingPathComponent("Tests/RemoteTests/think_template.jinja"))
    }

    /// The saved file and its replay show who ended the reasoning.
    static func expectSavedAndReplayed(_ conv: Conversation, _ end: ReasoningEnd, turn: Int = 0) async throws {
        let dir = try TestEnv.freshDirectory("ponder-answer-now")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("s.json")
        try await conv.document().save(to: url, overwrite: false)
        let loaded = try SessionLoader.load(url).document
        #expect(loaded.turns[turn].reasoningEnd == end)
        var played = ""
        try await PlainReplay(speed: 1000).play(loaded) { played += $0 }
        #expect(played.contains(end == .user ? "[reasoning ended by the user: answer now]" : "[reasoning cut by the think budget]"))
    }

    @Test func answerNowEndsTheReasoningAndTheAnswerFollowsInTheSameTurn() async throws {
        let server = try Self.server()
        defer { server.stop() }
        // The proxy forwards 6 events of the first reply (the role, then reasoning), then
        // holds the rest back until the client hangs up (at most 120 s): the call comes
        // mid-reasoning however far the event consumer lags on a loaded machine, and
        // Ponder must act on it without waiting for another chunk.
        let proxy = try FaultProxy(upstream: server, faults: ["stall:6:120", "pass"])
        defer { proxy.stop() }
        let conv = try Self.conversation(proxy, maxTokens: 200)
        await conv.send(Self.prompt, mode: .on)
        // After three reasoning pieces, ask for the answer (awaited here, not in a task of
        // its own, which a busy cooperative pool could start after the turn ended).
        var reasoningBefore = "", pieces = 0, asked = false
        var events: [SessionEvent] = []
        for await e in conv.events {
            events.append(e)
            if case .reasoning(_, let t) = e, !asked {
                reasoningBefore += t
                pieces += 1
                if pieces >= 3 { asked = await conv.answerNow() }
            }
            if case .turnFinished = e { break }
        }
        await conv.settled()
        #expect(asked, "\(FaultTests.errors(events))")
        let t = try #require(await conv.turns.first)
        #expect(t.reasoningEnd == .user)
        #expect(t.stats.budgetApplied == nil)
        #expect(t.stopReason == .endOfTurn || t.stopReason == .length, "\(t.note ?? "")")
        #expect(t.reasoning.hasPrefix(FaultTests.trimmed(reasoningBefore)))
        #expect(!t.answer.isEmpty)
        // One turn: all its reasoning, then all its answer.
        let kinds = t.stream.map(\.c)
        #expect(kinds.firstIndex(of: .answer).map { !kinds[$0...].contains(.reasoning) } == true)

        // Two requests: the first streamed the reasoning up to the cut (at most what the
        // proxy forwarded before it held the rest back; a chunk that came after the call
        // is not shown), the second streamed the answer as content.
        let log = try proxy.log(count: 2)
        try #require(log.count == 2, "\(log)")
        let first = try #require(log.first { $0.fault.hasPrefix("stall") })
        let second = try #require(log.first { $0.fault == "pass" })
        #expect(first.events <= 6)
        #expect(FaultTests.trimmed(first.reasoning).hasPrefix(t.reasoning))
        #expect(FaultTests.trimmed(second.content) == t.answer)
        #expect(second.continued == t.reasoning, "the second request continues the turn's reasoning")
        try await Self.expectSavedAndReplayed(conv, .user)
        await conv.close()
    }

    /// `/budget 8` for the next turn, then `count` turns of the prompt, the proxy giving
    /// each request the next of `faults`; `check` sees the conversation (still open), its
    /// turns and what the proxy logged.
    static func budgeted(faults: [String], maxTokens: Int, turns count: Int,
                         check: (Conversation, [TurnRecord], [FaultProxy.Entry]) async throws -> Void) async throws {
        let server = try Self.server()
        defer { server.stop() }
        let proxy = try FaultProxy(upstream: server, faults: faults)
        defer { proxy.stop() }
        let conv = try Self.conversation(proxy, maxTokens: maxTokens)
        await conv.setBudget(8, always: false)
        for _ in 0..<count { await conv.send(Self.prompt, mode: .on) }
        await conv.waitUntilIdle()
        await conv.settled()
        let turns = await conv.turns
        try #require(turns.count == count)
        let log = try proxy.log(count: 2)
        try #require(log.count == 2, "\(log)")
        try await check(conv, turns, log)
        await conv.close()
    }

    /// `/budget 8` for one turn: the server's own budget (`thinking_budget_tokens`) closes
    /// the reasoning within 8 tokens and the answer follows; the next turn is unlimited.
    @Test func aBudgetForOneTurn() async throws {
        try await Self.budgeted(faults: ["pass", "pass"], maxTokens: 30, turns: 2) { conv, turns, log in
            #expect(turns[0].thinkBudget == 8 && turns[0].reasoningEnd == .budget)
            #expect(turns[0].stats.budgetApplied == true && turns[0].stats.reasoningTokens <= 8)
            #expect(!turns[0].answer.isEmpty)
            #expect(turns[1].thinkBudget == nil && turns[1].reasoningEnd == nil)
            #expect(turns[1].stats.reasoningTokens > 8, "turn 2: \(turns[1].reasoning.debugDescription)")
            // What the server sent: the first reply's reasoning is the turn's, the rest its answer.
            #expect(FaultTests.trimmed(log[0].reasoning) == turns[0].reasoning)
            #expect(FaultTests.trimmed(log[0].content) == turns[0].answer)
            try await Self.expectSavedAndReplayed(conv, .budget)
        }
    }

    /// A server that does not know the budget field (the proxy strips it): Ponder holds
    /// the reasoning to exactly 8 chunks, closes the stream and asks for the answer.
    @Test func aBudgetTheServerIgnoresIsHeldByPonder() async throws {
        try await Self.budgeted(faults: ["strip:thinking_budget_tokens", "pass"], maxTokens: 40, turns: 1) { _, turns, log in
            let t = turns[0]
            #expect(t.reasoningEnd == .budget && t.stats.budgetApplied == true)
            #expect(t.stats.reasoningTokens == 8)
            #expect(!t.answer.isEmpty, "\(t.note ?? "")")
            let first = try #require(log.first { $0.fault.hasPrefix("strip") })
            let second = try #require(log.first { $0.fault == "pass" })
            // The server went past the budget; the turn's reasoning is its first 8 chunks.
            #expect(FaultTests.trimmed(first.reasoning).hasPrefix(t.reasoning))
            #expect(FaultTests.trimmed(first.reasoning).count > t.reasoning.count)
            #expect(second.continued == t.reasoning)
            #expect(FaultTests.trimmed(second.content) == t.answer)
        }
    }
}
