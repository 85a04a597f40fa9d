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

    /// `/budget 8` for the next turn (`always`: for every turn), then `count` turns of the
    /// prompt, the proxy giving each request the next of `faults`; `check` sees the
    /// conversation (still open), its turns, what the proxy logged (at least `requests`
    /// POSTs) and the session's events.
    static func budgeted(faults: [String], maxTokens: Int, turns count: Int, always: Bool = false, requests: Int = 2,
                         check: (Conversation, [TurnRecord], [FaultProxy.Entry], [SessionEvent]) async throws -> Void)
        async throws {
        let server = try Self.server()
        defer { server.stop() }
        let proxy = try FaultProxy(upstream: server, faults: faults)
        defer { proxy.stop() }
        let conv = try Self.conversation(proxy, maxTokens: maxTokens)
        await conv.setBudget(8, always: always)
        for _ in 0..<count { await conv.send(Self.prompt, mode: .on) }
        var events: [SessionEvent] = [], finished = 0
        for await e in conv.events {
            events.append(e)
            if case .turnFinished = e { finished += 1; if finished == count { break } }
        }
        await conv.waitUntilIdle()
        await conv.settled()
        let turns = await conv.turns
        try #require(turns.count == count)
        let log = try proxy.log(count: requests)
        try #require(log.count >= requests, "\(log)")
        try await check(conv, turns, log, events)
        await conv.close()
    }

    /// The live stats of turn `index` sent while it was in its reasoning (after its first
    /// reasoning text, before its first answer text), each with the reasoning pieces
    /// shown by then.
    static func reasoningStats(_ events: [SessionEvent], turn index: Int) -> [(TurnStats, pieces: Int)] {
        var out: [(TurnStats, pieces: Int)] = [], pieces = 0
        for e in events {
            switch e {
            case .reasoning(index, let t) where !t.isEmpty: pieces += 1
            case .answer(index, let t) where !t.isEmpty: return out
            case .stats(index, let st) where pieces > 0: out.append((st, pieces))
            default: break
            }
        }
        return out
    }

    /// `/budget 8` for one turn: the server's own budget (`thinking_budget_tokens`) closes
    /// the reasoning within 8 tokens and the answer follows; the next turn is unlimited.
    /// (The proxy pauses 0.6 s before every 2nd event of the first reply, so the stats
    /// ticks, every 0.2 s, come while it reasons however fast the server is.)
    @Test func aBudgetForOneTurn() async throws {
        try await Self.budgeted(faults: ["pauses:2:0.6", "pass"], maxTokens: 30, turns: 2) { conv, turns, log, events in
            #expect(turns[0].thinkBudget == 8 && turns[0].reasoningEnd == .budget)
            #expect(turns[0].stats.budgetApplied == true && turns[0].stats.reasoningTokens <= 8)
            #expect(!turns[0].answer.isEmpty)
            #expect(turns[1].thinkBudget == nil && turns[1].reasoningEnd == nil)
            #expect(turns[1].stats.reasoningTokens > 8, "turn 2: \(turns[1].reasoning.debugDescription)")
            // What the server sent: the first reply's reasoning is the turn's, the rest its answer.
            #expect(FaultTests.trimmed(log[0].reasoning) == turns[0].reasoning)
            #expect(log[0].fault.hasPrefix("pauses"))
            #expect(FaultTests.trimmed(log[0].content) == turns[0].answer)
            // The stats bar's "think N/8": every live stats report of turn 1's reasoning
            // carries the budget and counts the reasoning shown so far; turn 2 has none;
            // the saved stats do not keep it (the record's `thinkBudget` does).
            // (The ticks come from a timer; on a loaded machine none may fall inside the
            // reasoning's pauses, so what is checked is every tick that did.)
            let live = Self.reasoningStats(events, turn: 0)
            for (st, _) in live { #expect(st.thinkBudget == 8 && st.thinkMin == nil) }
            if let last = live.last {
                #expect(last.0.reasoningTokens >= last.pieces && last.0.reasoningTokens <= 8,
                        "\(live.map { ($0.0.reasoningTokens, $0.pieces) })")
            }
            let live2 = Self.reasoningStats(events, turn: 1)
            #expect(live2.allSatisfy { $0.0.thinkBudget == nil }, "\(live2.map(\.0.thinkBudget))")
            #expect(turns[0].stats.thinkBudget == nil)
            try await Self.expectSavedAndReplayed(conv, .budget)
        }
    }

    /// A server that does not know the budget field (the proxy strips it): Ponder holds
    /// the reasoning to exactly 8 chunks, closes the stream and asks for the answer.
    @Test func aBudgetTheServerIgnoresIsHeldByPonder() async throws {
        try await Self.budgeted(faults: ["strip:thinking_budget_tokens", "pass"], maxTokens: 40, turns: 1) { _, turns, log, _ in
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

    /// A vLLM front (the proxy's "vllm": no llama.cpp budget field, and a 400 to
    /// `continue_final_message: "content"`, vLLM's field being a boolean): Ponder holds the
    /// budget itself, its continuation in llama.cpp's form is refused, asked once more in
    /// vLLM's (`true`) and the answer follows in the same turn; the next turn's
    /// continuation goes in vLLM's form at once (remembered per server).
    @Test func aContinuationRefusedInLlamaCppsFormIsSentInVLLMs() async throws {
        try await Self.budgeted(faults: Array(repeating: "vllm", count: 6), maxTokens: 30, turns: 2, always: true,
                                requests: 5) { _, turns, log, _ in
            for t in turns {
                #expect(t.reasoningEnd == .budget && t.stats.reasoningTokens == 8)
                #expect(t.stopReason != .error && !t.answer.isEmpty, "\(t.note ?? "")")
            }
            // Turn 1: the reply, the continuation refused ("content"), then taken (true);
            // turn 2: the reply, the continuation taken (true). (The log is in the order
            // the proxy finished the requests: a reply ends once the client hangs up.)
            try #require(log.count == 5, "\(log.map { ($0.status, $0.form) })")
            #expect(log.filter { $0.status == 400 }.map(\.form) == ["\"content\""])
            #expect(log.filter { $0.form == nil }.map(\.status) == [200, 200])
            let taken = log.filter { $0.form == "true" }
            try #require(taken.count == 2 && taken.allSatisfy { $0.status == 200 }, "\(log.map { ($0.status, $0.form) })")
            #expect(taken[0].continued == turns[0].reasoning && taken[1].continued == turns[1].reasoning)
            #expect(FaultTests.trimmed(taken[0].content) == turns[0].answer)
            #expect(FaultTests.trimmed(taken[1].content) == turns[1].answer)
        }
    }
}
