import Foundation
import Session
import Testing
import TestSupport
@testable import Remote

/// The client against a real OpenAI-compatible server: llama.cpp's own (xllamacpp)
/// serving SmolLM2. The server is the oracle: its non-streamed reply (fetched by Python's
/// urllib, not by our code) must equal the text our client assembles from the stream.
@Suite(.serialized) struct OpenAIClientTests {
    static func greedy(_ max: Int) -> SamplingSettings {
        var s = SamplingSettings.direct
        s.maxTokens = max
        return s
    }

    /// The server's own non-streamed answer, through Python.
    static func nonStreamed(_ url: String, _ body: ChatRequest) throws -> String {
        var b = body
        b.stream = false
        let json = String(decoding: try JSONEncoder().encode(b), as: UTF8.self)
        let code = """
            import json, sys, urllib.request
            r = urllib.request.Request(sys.argv[1] + "/v1/chat/completions", data=sys.argv[2].encode(),
                                       headers={"Content-Type": "application/json"})
            print(json.load(urllib.request.urlopen(r))["choices"][0]["message"]["content"], end="")
            """
        return String(decoding: try runPython(code, [url, json]), as: UTF8.self)
    }

    @Test func theStreamAssemblesTheServersReply() async throws {
        let server = try LlamaServer(model: try TestEnv.smolQ4_1)
        defer { server.stop() }
        let client = OpenAIClient(endpoint: try ServerEndpoint(server.url), key: nil)
        #expect(try await client.models().count == 1)
        let body = ChatRequest(model: nil, messages: [.init(.user, "Name three colors.")], sampling: Self.greedy(40), seed: 1)
        var text = "", chunks = 0, finish: String?, usage: ChatCompletionChunk.Usage?
        for try await c in client.stream(body) {
            text += c.contentText ?? ""
            chunks += 1
            finish = c.finishReason ?? finish
            usage = c.usage ?? usage
        }
        #expect(chunks > 3)
        #expect(finish != nil)
        #expect(usage?.completionTokens ?? 0 > 0)
        #expect(text == (try Self.nonStreamed(server.url, body)))
    }

    @Test func aWrongKeyIsRefusedWithoutEchoingIt() async throws {
        let server = try LlamaServer(model: try TestEnv.smolQ4_1, apiKey: "sk-right-1234")
        defer { server.stop() }
        let key = try #require(APIKey("sk-wrong-5678"))
        let client = OpenAIClient(endpoint: try ServerEndpoint(server.url), key: key)
        let body = ChatRequest(model: nil, messages: [.init(.user, "hi")], sampling: Self.greedy(4), seed: 1)
        do {
            for try await _ in client.stream(body) {}
            Issue.record("a wrong key was accepted")
        } catch let e as RemoteError {
            guard case .status(401, _) = e else { Issue.record("expected 401, got \(e)"); return }
            #expect(!e.description.contains("sk-wrong-5678"))
            #expect(!e.description.contains("sk-right-1234"))
        }
        let ok = OpenAIClient(endpoint: try ServerEndpoint(server.url), key: APIKey("sk-right-1234"))
        var n = 0
        for try await _ in ok.stream(body) { n += 1 }
        #expect(n > 0)
    }

    /// The failure this guards against is a hang (the time limit), not a slow end: on a
    /// loaded machine the test's task can wait many seconds for a thread.
    @Test(.timeLimit(.minutes(10))) func aServerThatDiesMidReplyEndsTheStream() async throws {
        let server = try LlamaServer(model: try TestEnv.smolQ4_1)
        let client = OpenAIClient(endpoint: try ServerEndpoint(server.url), key: nil)
        var s = Self.greedy(2000)
        s.temperature = 1
        let body = ChatRequest(model: nil, messages: [.init(.user, "Write a long story about the sea.")], sampling: s, seed: 3)
        var n = 0
        var killed = Date()
        do {
            for try await _ in client.stream(body) {
                n += 1
                if n == 3 { server.stop(); killed = Date() }
            }
            Issue.record("the stream ended normally after the server was killed")
        } catch let e as RemoteError {
            // Killed after its third chunk: the connection breaks mid-reply (or the body ends
            // without a finish reason).
            #expect(e == .cutShort || { if case .dropped = e { return true }; return false }(), "\(e)")
        }
        #expect(n >= 3)
        // The 2,000-token reply would take minutes more: the stream ended with the server.
        #expect(Date().timeIntervalSince(killed) < 120)
    }

    @Test func nobodyListening() async throws {
        let client = OpenAIClient(endpoint: try ServerEndpoint("http://127.0.0.1:\(LlamaServer.freePort())"), key: nil)
        await #expect(throws: RemoteError.self) { _ = try await client.models() }
    }
}
