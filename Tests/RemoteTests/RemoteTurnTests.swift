import Foundation
import Session
import Testing
import TestSupport
@testable import Remote

/// A conversation on a real OpenAI-compatible server (llama.cpp's own, xllamacpp, serving
/// SmolLM2) through `RemoteTurnBackend`: the same `Conversation` the chat uses.
@Suite(.serialized) struct RemoteTurnTests {
    /// Events of `conversation` until turn `index` finishes (at most `timeout` seconds),
    /// calling `onEvent` with each.
    static func collect(_ events: AsyncStream<SessionEvent>, turn index: Int, timeout: Double,
                        onEvent: @escaping @Sendable (SessionEvent) -> Void = { _ in }) async -> [SessionEvent] {
        await withTaskGroup(of: [SessionEvent].self) { group in
            group.addTask {
                var seen: [SessionEvent] = []
                for await e in events {
                    seen.append(e)
                    onEvent(e)
                    if case .turnFinished(let i, _, _) = e, i == index { break }
                }
                return seen
            }
            group.addTask { try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9)); return [] }
            let first = await group.next() ?? []
            group.cancelAll()
            return first
        }
    }

    /// A prompt whose greedy reply on this server runs to the 2,000-token limit (it counts,
    /// a minute at the server's speed on an idle 2-core machine), so a turn stopped early
    /// can only have been stopped by the test. (A story at temperature 1 ended on its own
    /// after a few hundred tokens: on a loaded machine, before a late cancellation.)
    static let longReply = "Write the numbers from 1 to 10000, separated by commas."

    static func settings(maxTokens: Int) -> SessionSettings {
        var s = SessionSettings()
        s.samplingOff.maxTokens = maxTokens
        s.samplingOn.maxTokens = maxTokens
        s.seed = 7
        return s
    }

    @Test func twoTurnsAreRecordedAsTheServerStreamedThem() async throws {
        let server = try LlamaServer(model: try TestEnv.smolQ4_1)
        defer { server.stop() }
        let backend = RemoteTurnBackend(client: OpenAIClient(endpoint: try ServerEndpoint(server.url), key: nil), model: "smol")
        let conv = Conversation(backend: backend, format: .init(kind: .plain), settings: Self.settings(maxTokens: 24),
                                model: backend.identity)
        await conv.send("Name three colors.", mode: .off)
        let first = await Self.collect(conv.events, turn: 0, timeout: 900)
        await conv.send("And three animals?", mode: .off)
        let second = await Self.collect(conv.events, turn: 1, timeout: 900)
        await conv.settled()
        let doc = await conv.document()
        try #require(doc.turns.count == 2)
        for (t, events) in zip(doc.turns, [first, second]) {
            // The record holds exactly the text that was streamed.
            let streamed = events.compactMap { if case .answer(_, let s) = $0 { return s }; return nil }.joined()
            #expect(!t.answer.isEmpty)
            #expect(t.answer == streamed)
            #expect(t.tokens.isEmpty)
            #expect(t.stopReason == .endOfTurn || t.stopReason == .length)
            #expect(t.model?.server == server.url + "/v1")
            #expect(t.stats.timeToFirstToken != nil)
        }
        // The second request carried the first turn: the server's own answer to the same
        // three messages, non-streamed (fetched by Python), is the recorded second answer.
        let messages: [[String: String]] = [["role": "user", "content": "Name three colors."],
                                            ["role": "assistant", "content": doc.turns[0].answer],
                                            ["role": "user", "content": "And three animals?"]]
        #expect(doc.turns[1].answer == (try Self.serverAnswer(server.url, messages: messages, maxTokens: 24)))
        await conv.close()
    }

    @Test func escClosesTheStreamAndKeepsWhatArrived() async throws {
        let server = try LlamaServer(model: try TestEnv.smolQ4_1)
        defer { server.stop() }
        let backend = RemoteTurnBackend(client: OpenAIClient(endpoint: try ServerEndpoint(server.url), key: nil), model: "smol")
        let s = Self.settings(maxTokens: 2000)
        let conv = Conversation(backend: backend, format: .init(kind: .plain), settings: s)
        await conv.send(Self.longReply, mode: .off)
        let cancelledAt = Locked<Date?>(nil)
        let events = await Self.collect(conv.events, turn: 0, timeout: 900) { e in
            if case .answer = e, cancelledAt.withLock({ $0 == nil }) {
                cancelledAt.withLock { $0 = Date() }
                Task { await conv.cancel() }
            }
        }
        guard case .turnFinished(_, let reason, _)? = events.last else { Issue.record("no end: \(events.suffix(3))"); return }
        #expect(reason == .cancelled)
        // Measured from the first answer piece the collector saw to the end it saw: a loaded
        // machine (the whole suite beside the server) took 13 s; a stream left open runs to
        // the 2,000-token limit, minutes at this server's speed there.
        let waited = Date().timeIntervalSince(try #require(cancelledAt.withLock { $0 }))
        #expect(waited < 30, "the turn took \(waited) s to stop")
        await conv.settled()
        let t = await conv.document().turns[0]
        #expect(!t.answer.isEmpty)
        #expect(t.stopReason == .cancelled)
        await conv.close()
    }

    @Test func aServerThatDiesMidReplyEndsTheTurnWithAnError() async throws {
        let server = try LlamaServer(model: try TestEnv.smolQ4_1)
        let backend = RemoteTurnBackend(client: OpenAIClient(endpoint: try ServerEndpoint(server.url), key: nil), model: "smol")
        let s = Self.settings(maxTokens: 2000)
        let conv = Conversation(backend: backend, format: .init(kind: .plain), settings: s)
        await conv.send(Self.longReply, mode: .off)
        let pieces = Locked(0)
        let events = await Self.collect(conv.events, turn: 0, timeout: 900) { e in
            if case .answer = e, pieces.withLock({ $0 += 1; return $0 }) == 3 { server.stop() }
        }
        guard case .turnFinished(_, let reason, _)? = events.last else { Issue.record("no end: \(events.suffix(3))"); return }
        #expect(reason == .error)
        #expect(events.contains { if case .error = $0 { return true }; return false })
        await conv.settled()
        let t = await conv.document().turns[0]
        #expect(!t.answer.isEmpty)
        #expect(t.note != nil)
        // The conversation goes on: the next turn fails at once with the server gone, in one line.
        await conv.send("Hello?", mode: .off)
        let next = await Self.collect(conv.events, turn: 1, timeout: 300)
        guard case .turnFinished(_, .error, _)? = next.last else { Issue.record("no end: \(next.suffix(3))"); return }
        await conv.close()
    }

    /// The server's non-streamed greedy answer to `messages`, through Python's urllib.
    static func serverAnswer(_ url: String, messages: [[String: String]], maxTokens: Int) throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["messages": messages, "temperature": 0, "top_p": 1,
                                                               "max_tokens": maxTokens, "seed": 8])
        let code = """
            import json, sys, urllib.request
            r = urllib.request.Request(sys.argv[1] + "/v1/chat/completions", data=sys.argv[2].encode(),
                                       headers={"Content-Type": "application/json"})
            print(json.load(urllib.request.urlopen(r))["choices"][0]["message"]["content"].strip(), end="")
            """
        return String(decoding: try runPython(code, [url, String(decoding: body, as: UTF8.self)]), as: UTF8.self)
    }
}

/// A value shared between a test and the event callbacks it installs.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func withLock<R>(_ body: (inout T) -> R) -> R { lock.withLock { body(&value) } }
}
