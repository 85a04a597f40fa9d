import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A client of one OpenAI-compatible server (vLLM, SGLang, NIM, llama.cpp's server):
/// the served models, and chat completions streamed as server-sent events.
public struct OpenAIClient: Sendable {
    public let endpoint: ServerEndpoint
    let key: APIKey?
    /// Seconds without a byte before a request gives up.
    public var idleTimeout: Double = 600

    public init(endpoint: ServerEndpoint, key: APIKey?) {
        self.endpoint = endpoint
        self.key = key
    }

    /// The ids `GET /models` lists, in the server's order.
    public func models() async throws -> [String] {
        var req = request("models")
        req.httpMethod = "GET"
        var body: [UInt8] = []
        for try await chunk in HTTPStream.open(req, key: key, idleTimeout: min(idleTimeout, 30)) {
            body += chunk
            guard body.count < 16 << 20 else { throw RemoteError.malformed("the model list is over 16 MiB") }
        }
        struct List: Decodable { struct Model: Decodable { var id: String }; var data: [Model] }
        do {
            return try JSONDecoder().decode(List.self, from: Data(body)).data.map(\.id)
        } catch {
            throw RemoteError.malformed("GET \(endpoint.display)/models did not return a model list")
        }
    }

    /// Streams one chat completion: every chunk the server sends, in order, until
    /// `[DONE]` or the end of the body. A stream that ends before any choice carried a
    /// finish reason throws `RemoteError.cutShort` (the server died mid-reply); an error
    /// object inside the stream throws `.status`. Ending the iteration closes the
    /// connection, which stops the server's generation.
    public func stream(_ body: ChatRequest) -> AsyncThrowingStream<ChatCompletionChunk, Error> {
        var req = request("chat/completions")
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.setValue("text/event-stream", forHTTPHeaderField: "Accept")
        req.httpBody = try? JSONEncoder().encode(body)
        let bytes = HTTPStream.open(req, key: key, idleTimeout: idleTimeout)
        let key = self.key
        return AsyncThrowingStream { continuation in
            let task = Task {
                var parser = ServerSentEventParser()
                var finished = false
                do {
                    loop: for try await chunk in bytes {
                        for event in try parser.feed(chunk) {
                            if event.data == "[DONE]" { finished = true; break loop }
                            guard let c = try? JSONDecoder().decode(ChatCompletionChunk.self, from: Data(event.data.utf8)) else {
                                throw RemoteError.malformed("an event is not a chat.completion.chunk: "
                                                            + String(event.data.prefix(80)))
                            }
                            if let e = c.error {
                                let m = e.message ?? "error"
                                throw RemoteError.status(0, key.map { $0.redact(m) } ?? m)
                            }
                            if c.finishReason != nil { finished = true }
                            continuation.yield(c)
                        }
                    }
                    if !finished && !Task.isCancelled { throw RemoteError.cutShort }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func request(_ path: String) -> URLRequest {
        var req = URLRequest(url: endpoint.url(path))
        if let key { req.setValue(key.authorization, forHTTPHeaderField: "Authorization") }
        return req
    }
}
