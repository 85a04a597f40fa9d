import Foundation
import Session
import Testing
import TestSupport
@testable import Remote

/// Turns through `RemoteTurnBackend` on llama.cpp's own server (xllamacpp, SmolLM2) with
/// the fault-injecting proxy (`FaultProxy`) in front: a dropped connection, a stall, a
/// busy server, a 500, a malformed event. The proxy's log (what it forwarded, parsed by
/// Python) is the oracle for the text a turn keeps.
@Suite(.serialized) struct FaultTests {
    static let prompt = "What is 2+2?"

    /// One turn of a fresh conversation through `client`: its events (up to and with
    /// `turnFinished`) and its record. `onEvent` may cancel it through the conversation.
    static func turn(_ client: OpenAIClient, prompt: String = prompt, maxTokens: Int = 24, timeout: Double = 900,
                     onEvent: @escaping @Sendable (SessionEvent, Conversation) -> Void = { _, _ in })
        async throws -> (events: [SessionEvent], record: TurnRecord) {
        let backend = RemoteTurnBackend(client: client, model: "smol")
        let conv = Conversation(backend: backend, format: .init(kind: .plain),
                                settings: RemoteTurnTests.settings(maxTokens: maxTokens), model: backend.identity)
        await conv.send(prompt, mode: .off)
        let events = await RemoteTurnTests.collect(conv.events, turn: 0, timeout: timeout) { onEvent($0, conv) }
        await conv.settled()
        let doc = await conv.document()
        await conv.close()
        let record = try #require(doc.turns.first)
        return (events, record)
    }

    static func client(_ proxy: FaultProxy, idleTimeout: Double = 600) throws -> OpenAIClient {
        var c = OpenAIClient(endpoint: try ServerEndpoint(proxy.url), key: nil)
        c.idleTimeout = idleTimeout
        return c
    }

    static func errors(_ events: [SessionEvent]) -> [String] {
        events.compactMap { if case .error(let s) = $0 { return s }; return nil }
    }

    static func notices(_ events: [SessionEvent]) -> [String] {
        events.compactMap { if case .notice(let s) = $0 { return s }; return nil }
    }

    static func trimmed(_ s: String) -> String { FaultProxy.trimmed(s) }

    /// An error turn: stop reason `error`, one error event of one line, which is the note.
    static func expectOneLineError(_ events: [SessionEvent], _ record: TurnRecord, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(record.stopReason == .error, sourceLocation: sourceLocation)
        let errors = Self.errors(events)
        #expect(errors.count == 1, "\(errors)", sourceLocation: sourceLocation)
        #expect(record.note == errors.first, sourceLocation: sourceLocation)
        #expect(!(record.note ?? "\n").contains("\n"), sourceLocation: sourceLocation)
        guard case .turnFinished(_, .error, _)? = events.last else {
            Issue.record("the turn did not end with an error: \(events.suffix(2))", sourceLocation: sourceLocation)
            return
        }
    }

    /// `Retry-After` in both forms RFC 9110 §10.2.3 gives: seconds, or an HTTP date.
    @Test func retryAfterForms() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "1999-12-31T23:59:00Z"))
        #expect(HTTPStream.retryAfter("120", now: now) == 120)
        #expect(HTTPStream.retryAfter(" 1.5 ", now: now) == 1.5)
        #expect(HTTPStream.retryAfter("Fri, 31 Dec 1999 23:59:59 GMT", now: now) == 59)
        #expect(HTTPStream.retryAfter("Fri, 31 Dec 1999 23:58:00 GMT", now: now) == 0)
        for bad in [nil, "", "-3", "soon", "inf", "nan"] { #expect(HTTPStream.retryAfter(bad, now: now) == nil, "\(bad ?? "nil")") }
    }

    /// SmolLM2 behind llama.cpp's server behind the fault proxy playing `faults`.
    static func proxied(_ faults: [String]) throws -> (LlamaServer, FaultProxy) {
        let server = try LlamaServer(model: try TestEnv.smolQ4_1)
        do { return (server, try FaultProxy(upstream: server, faults: faults)) } catch { server.stop(); throw error }
    }

    @Test func aDroppedConnectionEndsTheTurnAndKeepsWhatArrived() async throws {
        let (server, proxy) = try Self.proxied(["drop:1200"])
        defer { proxy.stop(); server.stop() }
        let (events, record) = try await Self.turn(try Self.client(proxy))
        Self.expectOneLineError(events, record)
        let sent = try #require(try proxy.log().first)
        #expect(sent.events >= 2)
        #expect(!Self.trimmed(sent.content).isEmpty)
        #expect(record.answer == Self.trimmed(sent.content))
        #expect(record.note?.hasPrefix("the connection to the server broke mid-reply") == true, "\(record.note ?? "")")
    }

    @Test func aStallEndsTheTurnAfterTheIdleTimeout() async throws {
        // Pauses of 1 s under a limit of 3 s: wide margins, as a loaded machine delays
        // both the proxy and the client.
        let (server, proxy) = try Self.proxied(["pauses:10:1", "stall:3:30"])
        defer { proxy.stop(); server.stop() }
        let client = try Self.client(proxy, idleTimeout: 3)
        // The limit is on silence, not on the whole reply: pauses under it, in a reply
        // longer than it, are no error.
        let (okEvents, ok) = try await Self.turn(client, prompt: "Write a long story about the sea.", maxTokens: 60)
        #expect(ok.stopReason == .endOfTurn || ok.stopReason == .length, "\(Self.errors(okEvents))")
        #expect(ok.stats.wallTime > 3, "the reply took \(ok.stats.wallTime) s: too short to tell")
        // From the last text before the stall to the error: the silence the limit ends.
        // (Not from the turn's start: a loaded machine's server takes tens of seconds
        // for the prompt and the pieces before the stall.)
        let times = Locked<(lastText: Date?, error: Date?)>((nil, nil))
        let (events, record) = try await Self.turn(client, maxTokens: 40) { event, _ in
            switch event {
            case .answer, .reasoning: times.withLock { $0.lastText = Date() }
            case .error: times.withLock { $0.error = $0.error ?? Date() }
            default: break
            }
        }
        Self.expectOneLineError(events, record)
        #expect(record.note == RemoteError.timedOut(3).description)
        let (lastText, failed) = times.withLock { ($0.lastText, $0.error) }
        let silence = try #require(failed).timeIntervalSince(try #require(lastText))
        #expect(silence < 15, "the turn ended \(silence) s after its last text")
        let sent = try #require(try proxy.log(count: 2).last)
        #expect(sent.fault == "stall:3:30")
        #expect(record.answer == Self.trimmed(sent.pieces.prefix(3).joined()))
    }

    @Test func escDuringAStallStopsAtOnce() async throws {
        let (server, proxy) = try Self.proxied(["stall:2:60"])
        defer { proxy.stop(); server.stop() }
        let cancelledAt = Locked<Date?>(nil)
        let (events, record) = try await Self.turn(try Self.client(proxy)) { e, conv in
            guard case .answer = e, cancelledAt.withLock({ $0 == nil }) else { return }
            cancelledAt.withLock { $0 = .distantFuture }
            Task {
                try? await Task.sleep(nanoseconds: 700_000_000)     // well inside the stall
                cancelledAt.withLock { $0 = Date() }
                await conv.cancel()
            }
        }
        guard case .turnFinished(_, let reason, _)? = events.last else { Issue.record("no end: \(events.suffix(3))"); return }
        #expect(reason == .cancelled)
        let waited = Date().timeIntervalSince(try #require(cancelledAt.withLock { $0 }))
        #expect(waited < 5, "the turn took \(waited) s to stop")
        #expect(record.stopReason == .cancelled)
        #expect(Self.errors(events).isEmpty)
        let sent = try #require(try proxy.log().first)
        #expect(!record.answer.isEmpty)
        #expect(record.answer == Self.trimmed(sent.pieces.prefix(2).joined()))
    }

    @Test func aBusyServerIsAskedAgainWithinLimits() async throws {
        let (server, proxy) = try Self.proxied(["busy:1", "pass", "busy:1", "busy:1", "busy:1", "busy:60"])
        defer { proxy.stop(); server.stop() }
        let client = try Self.client(proxy)

        // 429 once: a notice, a wait of the server's Retry-After, then the server's own answer.
        let start = Date()
        let (events, record) = try await Self.turn(client)
        #expect(Date().timeIntervalSince(start) >= 1)
        #expect(Self.notices(events) == ["server busy, retrying in 1 s"])
        #expect(Self.errors(events).isEmpty)
        #expect(record.stopReason == .endOfTurn || record.stopReason == .length)
        let expected = try RemoteTurnTests.serverAnswer(server.url, messages: [["role": "user", "content": Self.prompt]],
                                                        maxTokens: 24)
        #expect(record.answer == expected)
        #expect(try proxy.log(count: 2).map(\.fault) == ["busy:1", "pass"])

        // Busy three times: three requests, two waits, then the server's 429 in one line.
        let (busyEvents, busy) = try await Self.turn(client)
        Self.expectOneLineError(busyEvents, busy)
        #expect(Self.notices(busyEvents).count == OpenAIClient.maxTries - 1)
        #expect(busy.note == "the server answered 429: too many requests (fault proxy)")
        #expect(busy.answer.isEmpty)

        // A wait beyond the limit is not waited for.
        let t = Date()
        let (longEvents, long) = try await Self.turn(client)
        Self.expectOneLineError(longEvents, long)
        #expect(Self.notices(longEvents).isEmpty)
        #expect(Date().timeIntervalSince(t) < 10)
        #expect(try proxy.log(count: 6).map(\.fault) == ["busy:1", "pass", "busy:1", "busy:1", "busy:1", "busy:60"])
    }

    @Test func a500SaysTheServersMessage() async throws {
        let (server, proxy) = try Self.proxied(["error500"])
        defer { proxy.stop(); server.stop() }
        let (events, record) = try await Self.turn(try Self.client(proxy))
        Self.expectOneLineError(events, record)
        #expect(record.note == "the server answered 500: the model crashed (fault proxy)")
        #expect(record.answer.isEmpty)
        #expect(try proxy.log().count == 1)
    }

    @Test func aMalformedEventEndsTheTurnAndKeepsTheTextBeforeIt() async throws {
        let (server, proxy) = try Self.proxied(["malformed:3"])
        defer { proxy.stop(); server.stop() }
        let (events, record) = try await Self.turn(try Self.client(proxy))
        Self.expectOneLineError(events, record)
        #expect(record.note?.hasPrefix("the server's reply is not an OpenAI-compatible stream") == true, "\(record.note ?? "")")
        let sent = try #require(try proxy.log().first)
        #expect(!record.answer.isEmpty)
        #expect(record.answer == Self.trimmed(sent.pieces.prefix(3).joined()))
    }
}
