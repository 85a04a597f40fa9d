import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request whose response body arrives as byte chunks, as the server sends them
/// (FoundationNetworking: libcurl underneath, so https works wherever curl's does).
///
/// - A 2xx response streams its body; anything else is collected (at most 64 KiB) and
///   thrown as `RemoteError.status` with the server's error text (its JSON `message`
///   when it sent one), cleaned of control characters and the API key. A 429, or a 503
///   with `Retry-After`, is thrown as `Busy` instead, for the client to retry.
/// - Ending the iteration (or cancelling the consuming task) cancels the transfer: the
///   connection is closed, which is how a server is told to stop generating.
/// - `idleTimeout`: seconds without a byte before giving up (`RemoteError.timedOut`).
/// - A connection that breaks after the body began is `RemoteError.dropped`; before,
///   `.transport`.
enum HTTPStream {
    /// The server asked to be asked again later.
    struct Busy: Error {
        /// What to report if the client stops asking.
        let error: RemoteError
        /// `Retry-After` in seconds, when the server sent one.
        let retryAfter: Double?
    }

    /// `http://` goes over a socket of its own (`PlainHTTP`), anything else through
    /// `URLSession` (libcurl: TLS).
    static func open(_ request: URLRequest, key: APIKey?, idleTimeout: Double = 600) -> AsyncThrowingStream<[UInt8], Error> {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], Error>.makeStream()
        if request.url?.scheme?.lowercased() == "http" {
            PlainHTTP.open(request, key: key, idleTimeout: idleTimeout, continuation: continuation)
            return stream
        }
        let transfer = Transfer(continuation: continuation, key: key, idleTimeout: idleTimeout)
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = idleTimeout
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: config, delegate: transfer, delegateQueue: nil)
        let task = session.dataTask(with: request)
        continuation.onTermination = { _ in
            task.cancel()
            session.invalidateAndCancel()
        }
        task.resume()
        return stream
    }

    /// `Retry-After`: delay seconds, or an HTTP date (RFC 9110 §10.2.3); nil if neither.
    static func retryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        if let s = Double(v), s.isFinite, s >= 0 { return s }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: v).map { max(0, $0.timeIntervalSince(now)) }
    }

    /// The delegate: hands chunks to the stream; holds an error body until the end.
    private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        private let lock = NSLock()
        private let continuation: AsyncThrowingStream<[UInt8], Error>.Continuation
        private let key: APIKey?
        private let idleTimeout: Double
        private var status = 0
        private var retryAfter: String?
        private var received = false
        private var errorBody: [UInt8] = []

        init(continuation: AsyncThrowingStream<[UInt8], Error>.Continuation, key: APIKey?, idleTimeout: Double) {
            self.continuation = continuation
            self.key = key
            self.idleTimeout = idleTimeout
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
            let http = response as? HTTPURLResponse
            let after = http?.allHeaderFields.first { ($0.key as? String)?.lowercased() == "retry-after" }?.value as? String
            lock.withLock { status = http?.statusCode ?? 0; retryAfter = after }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            let ok = lock.withLock { () -> Bool in
                if (200..<300).contains(status) { received = true; return true }
                errorBody += data.prefix(max(0, 65536 - errorBody.count))
                return false
            }
            if ok { continuation.yield(Array(data)) }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            session.finishTasksAndInvalidate()
            let (code, body, after, began) = lock.withLock { (status, errorBody, retryAfter, received) }
            let outcome: Outcome
            if let error {
                let e = error as NSError
                if e.domain == NSURLErrorDomain, e.code == NSURLErrorCancelled { outcome = .cancelled }
                else if e.domain == NSURLErrorDomain, e.code == NSURLErrorTimedOut { outcome = .timedOut }
                else { outcome = began ? .dropped(e.localizedDescription) : .transport(e.localizedDescription) }
            } else if !(200..<300).contains(code) {
                outcome = .status(code, body, after)
            } else {
                outcome = .done
            }
            outcome.finish(continuation, key: key, idleTimeout: idleTimeout)
        }
    }

    /// How an exchange ended, whichever transport carried it.
    enum Outcome {
        case done, cancelled, timedOut
        /// No connection, or it broke before the body began.
        case transport(String)
        /// The connection broke after the body began.
        case dropped(String)
        /// A non-2xx status with (at most 64 KiB of) its body and its `Retry-After`.
        case status(Int, [UInt8], String?)

        /// Ends the stream: quietly, or with the error the outcome is (a 429, or a 503
        /// with `Retry-After`, as `Busy` for the client to retry).
        func finish(_ continuation: AsyncThrowingStream<[UInt8], Error>.Continuation, key: APIKey?, idleTimeout: Double) {
            switch self {
            case .done, .cancelled: continuation.finish()
            case .timedOut: continuation.finish(throwing: RemoteError.timedOut(idleTimeout))
            case .transport(let m): continuation.finish(throwing: RemoteError.transport(RemoteError.oneLine(m, key: key)))
            case .dropped(let m): continuation.finish(throwing: RemoteError.dropped(RemoteError.oneLine(m, key: key)))
            case .status(let code, let body, let after):
                let failure = RemoteError.status(code, Self.message(body, key: key))
                let delay = HTTPStream.retryAfter(after)
                if code == 429 || (code == 503 && delay != nil) {
                    continuation.finish(throwing: Busy(error: failure, retryAfter: delay))
                } else {
                    continuation.finish(throwing: failure)
                }
            }
        }

        /// `{"error":{"message":"…"}}`, `{"error":"…"}`, `{"message":"…"}` or the text.
        static func message(_ body: [UInt8], key: APIKey?) -> String {
            if let obj = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
                if let e = obj["error"] as? [String: Any], let m = e["message"] as? String { return RemoteError.oneLine(m, key: key) }
                if let m = obj["error"] as? String { return RemoteError.oneLine(m, key: key) }
                if let m = obj["message"] as? String { return RemoteError.oneLine(m, key: key) }
            }
            return RemoteError.oneLine(String(decoding: body, as: UTF8.self), key: key)
        }
    }
}
