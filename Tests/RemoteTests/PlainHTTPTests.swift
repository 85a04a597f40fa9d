import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport
@testable import Remote
import Session
import Tokenizer

/// The plain-socket HTTP client (`http://` URLs) against a loopback server that sends
/// canned raw responses (`canned_http.py`): every framing a server may use, and hostile
/// or broken answers, each ending in the body or in one line of error.
@Suite(.serialized) struct PlainHTTPTests {
    /// Sends one request per response to a server answering `responses` in order;
    /// returns each body, or the error it ended with.
    static func exchange(_ responses: [String]) async throws -> [Result<String, Error>] {
        try await canned(responses) { port in try await exchange(port: port, count: responses.count) }
    }

    /// Runs `body` with the port of a loopback server answering `responses` in order
    /// (`canned_http.py`; over TLS with the certificate and key in `pem`), stopped after it.
    static func canned<T>(_ responses: [String], pem: String? = nil, _ body: (Int) async throws -> T) async throws -> T {
        let dir = try TestEnv.freshDirectory("ponder-http")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("responses.json")
        try JSONSerialization.data(withJSONObject: responses).write(to: file)
        let port = LlamaServer.freePort()
        let server = Process()
        server.executableURL = try TestEnv.python()
        server.arguments = [TestEnv.repoRoot.appendingPathComponent("Tests/RemoteTests/canned_http.py").path,
                            String(port), file.path] + (pem.map { [$0] } ?? [])
        let out = Pipe()
        server.standardOutput = out
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        _ = out.fileHandleForReading.readData(ofLength: 6)          // "ready\n"
        return try await body(port)
    }

    static func exchange(port: Int, count: Int) async throws -> [Result<String, Error>] {
        var results: [Result<String, Error>] = []
        for _ in 0..<count {
            var req = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/chat/completions?x=1")!)
            req.httpMethod = "POST"
            req.httpBody = Data("{}".utf8)
            do {
                var body: [UInt8] = []
                for try await chunk in HTTPStream.open(req, key: nil, idleTimeout: 60) { body += chunk }
                results.append(.success(String(decoding: body, as: UTF8.self)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    @Test func everyFraming() async throws {
        let r = try await Self.exchange([
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n"
                + "6\r\n world\r\nA\r\n, a\r\nb c d\r\n0\r\nX-Trailer: 1\r\n\r\n",
        ])
        #expect(r.map { try? $0.get() } == ["hello", "until the end", "hello world, a\r\nb c d"], "\(r)")
    }

    @Test func brokenAndHostileAnswersEndInOneLine() async throws {
        let json = #"{"error":{"message":"it broke\nbad"}}"#
        let header = "X-Pad: " + String(repeating: "a", count: 8000) + "\r\n"
        let r = try await Self.exchange([
            "SSH-2.0-OpenSSH_9.2\r\n",
            "HTTP/1.1 200 OK\r\n" + String(repeating: header, count: 10) + "\r\nbody",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nhalf",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: \(json.utf8.count)\r\n\r\n" + json,
        ])
        func error(_ i: Int) -> String { if case .failure(let e) = r[i] { return "\(e)" }; return "no error" }
        #expect(error(0).contains("not an HTTP response"))
        #expect(error(1).contains("over 64 KiB"))
        #expect(error(2).contains("broke mid-reply"))
        #expect(error(3).contains("chunk size"))
        #expect(error(4) == "the server answered 500: it broke bad")
        for i in r.indices { #expect(!error(i).contains("\n"), "\(error(i))") }
    }

    /// https goes over TLS and checks the server's certificate: a self-signed one
    /// (`self-signed.pem`, valid until 2126) ends the request in one line saying so,
    /// at once, although the server would have answered.
    @Test func anUntrustedCertificateEndsInOneLine() async throws {
        let sse = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n"
        let reply = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: \(sse.utf8.count)\r\n\r\n" + sse
        let pem = TestEnv.repoRoot.appendingPathComponent("Tests/RemoteTests/self-signed.pem").path
        let start = Date()
        let message = try await Self.canned([reply], pem: pem) { port -> String in
            var req = URLRequest(url: URL(string: "https://127.0.0.1:\(port)/v1/chat/completions")!)
            req.httpMethod = "POST"
            req.httpBody = Data("{}".utf8)
            do {
                for try await _ in HTTPStream.open(req, key: nil, idleTimeout: 60) {}
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message.contains("certificate") && !message.contains("\n"), "\(message)")
        #expect(Date().timeIntervalSince(start) < 30)
    }

    /// A server that ignores `"stream": true` and answers one chat.completion object:
    /// the turn's stream ends with one line saying so.
    @Test func aServerThatDoesNotStreamIsNamed() async throws {
        let json = #"{"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}"#
        let reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n" + json
        let message = try await Self.canned([reply]) { port -> String in
            let client = OpenAIClient(endpoint: try ServerEndpoint("http://127.0.0.1:\(port)"), key: nil)
            let body = ChatRequest(model: "m", messages: [ChatMessage(.user, "hi")], sampling: .direct, seed: nil)
            do {
                for try await _ in client.stream(body) {}
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message.contains("ignores \"stream\": true") && !message.contains("\n"), "\(message)")
    }
}
