import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A client of one OpenAI-compatible server (vLLM, SGLang, NIM, llama.cpp's server):
/// the served models, and chat completions streamed as server-sent events.
///
/// A server that answers 429 (or 503 with `Retry-After`) is asked again after the wait
/// it names (1 s, then 2 s, when it names none), at most `maxTries` requests and
/// `maxRetryWait` seconds of waiting per call; each wait is announced through `notice`.
public struct OpenAIClient: Sendable {
    public let endpoint: ServerEndpoint
    let key: APIKey?
    /// Seconds without a byte before a request gives up.
    public var idleTimeout: Double = 600
    /// At most this many requests for one call while the server says it is busy.
    public static let maxTries = 3
    /// At most this many seconds of waiting on a busy server for one call.
    public static let maxRetryWait: Double = 30

    public init(endpoint: ServerEndpoint, key: APIKey?) {
        self.endpoint = endpoint
        self.key = key
    }

    /// The client the environment configures for `url`: the key (`APIKey.fromEnvironment`,
    /// `keyFile` the config file's key file) and the idle timeout (`PONDER_SERVER_TIMEOUT`, seconds).
    public init(server url: String, environment env: [String: String] = ProcessInfo.processInfo.environment,
                keyFile: String? = nil) throws {
        self.init(endpoint: try ServerEndpoint(url), key: try APIKey.fromEnvironment(env, configKeyFile: keyFile))
        if let t = env["PONDER_SERVER_TIMEOUT"], !t.isEmpty {
            guard let s = Double(t.trimmingCharacters(in: .whitespaces)), s.isFinite, s > 0, s <= 86400 else {
                throw RemoteError.badTimeout(String(t.prefix(40)))
            }
            idleTimeout = s
        }
    }

    /// The ids `GET /models` lists, in the server's order.
    public func models() async throws -> [String] {
        var req = request("models")
        req.httpMethod = "GET"
        var body: [UInt8] = []
        for try await chunk in self.body(req, idleTimeout: min(idleTimeout, 30), notice: { _ in }) {
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
    /// connection, which stops the server's generation. `notice` hears each wait on a
    /// busy server ("server busy, retrying in 2 s").
    public func stream(_ body: ChatRequest, notice: @escaping @Sendable (String) -> Void = { _ in })
        -> AsyncThrowingStream<ChatCompletionChunk, Error> {
        var req = request("chat/completions")
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.setValue("text/event-stream", forHTTPHeaderField: "Accept")
        req.httpBody = try? JSONEncoder().encode(body)
        let bytes = self.body(req, idleTimeout: idleTimeout, notice: notice)
        let key = self.key
        return AsyncThrowingStream { continuation in
            let task = Task {
                var parser = ServerSentEventParser()
                var finished = false
                var sawEvent = false
                var head: [UInt8] = []          // the body's first bytes, to tell what came instead of events
                do {
                    loop: for try await chunk in bytes {
                        if head.count < 64 { head += chunk.prefix(64 - head.count) }
                        for event in try parser.feed(chunk) {
                            sawEvent = true
                            if event.data == "[DONE]" { finished = true; break loop }
                            guard let c = try? JSONDecoder().decode(ChatCompletionChunk.self, from: Data(event.data.utf8)) else {
                                throw RemoteError.malformed("an event is not a chat.completion.chunk: "
                                                            + RemoteError.oneLine(String(event.data.prefix(80)), key: key))
                            }
                            if let e = c.error {
                                throw RemoteError.status(0, RemoteError.oneLine(e.message ?? "error", key: key))
                            }
                            if c.finishReason != nil { finished = true }
                            continuation.yield(c)
                        }
                    }
                    if !finished && !Task.isCancelled {
                        // A server that ignores `"stream": true` answers one JSON object.
                        if !sawEvent, head.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") {
                            throw RemoteError.malformed("the server answered one JSON object instead of a stream "
                                                        + "(it ignores \"stream\": true)")
                        }
                        throw RemoteError.cutShort
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The response body of `req`, asked again while the server is busy and the limits
    /// allow (a busy answer carries no body, so nothing has been passed on yet).
    private func body(_ req: URLRequest, idleTimeout: Double, notice: @escaping @Sendable (String) -> Void)
        -> AsyncThrowingStream<[UInt8], Error> {
        let key = self.key
        return AsyncThrowingStream { continuation in
            let task = Task {
                var waited = 0.0
                for attempt in 1...Self.maxTries {
                    do {
                        for try await chunk in HTTPStream.open(req, key: key, idleTimeout: idleTimeout) {
                            continuation.yield(chunk)
                        }
                        continuation.finish()
                        return
                    } catch let busy as HTTPStream.Busy {
                        let delay = busy.retryAfter ?? Double(attempt)
                        guard attempt < Self.maxTries, waited + delay <= Self.maxRetryWait, !Task.isCancelled else {
                            continuation.finish(throwing: busy.error)
                            return
                        }
                        notice("server busy, retrying in \(RemoteError.seconds(delay.rounded(.up))) s")
                        do { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) } catch { continuation.finish(); return }
                        waited += delay
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
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
