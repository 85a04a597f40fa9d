import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request whose response body arrives as byte chunks, as the server sends them
/// (FoundationNetworking: libcurl underneath, so https works wherever curl's does).
///
/// - A 2xx response streams its body; anything else is collected (at most 64 KiB) and
///   thrown as `RemoteError.status` with the server's error text (its JSON `message`
///   when it sent one), cleaned of control characters and the API key.
/// - Ending the iteration (or cancelling the consuming task) cancels the transfer: the
///   connection is closed, which is how a server is told to stop generating.
/// - `idleTimeout`: seconds without a byte before giving up (a reasoning server may
///   think for a while before its first token: generous by default).
enum HTTPStream {
    static func open(_ request: URLRequest, key: APIKey?, idleTimeout: Double = 600) -> AsyncThrowingStream<[UInt8], Error> {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], Error>.makeStream()
        let transfer = Transfer(continuation: continuation, key: key)
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

    /// The delegate: hands chunks to the stream; holds an error body until the end.
    private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        private let lock = NSLock()
        private let continuation: AsyncThrowingStream<[UInt8], Error>.Continuation
        private let key: APIKey?
        private var status = 0
        private var errorBody: [UInt8] = []

        init(continuation: AsyncThrowingStream<[UInt8], Error>.Continuation, key: APIKey?) {
            self.continuation = continuation
            self.key = key
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
            lock.withLock { status = (response as? HTTPURLResponse)?.statusCode ?? 0 }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            let ok = lock.withLock { () -> Bool in
                if (200..<300).contains(status) { return true }
                errorBody += data.prefix(max(0, 65536 - errorBody.count))
                return false
            }
            if ok { continuation.yield(Array(data)) }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            session.finishTasksAndInvalidate()
            let (code, body) = lock.withLock { (status, errorBody) }
            if let error {
                let e = error as NSError
                if e.domain == NSURLErrorDomain, e.code == NSURLErrorCancelled { continuation.finish(); return }
                continuation.finish(throwing: RemoteError.transport(clean(e.localizedDescription)))
            } else if !(200..<300).contains(code) {
                continuation.finish(throwing: RemoteError.status(code, Self.message(body, clean: clean)))
            } else {
                continuation.finish()
            }
        }

        private func clean(_ s: String) -> String {
            let one = s.unicodeScalars.map { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? " " : String($0) }.joined()
            let text = key.map { $0.redact(one) } ?? one
            return String(text.trimmingCharacters(in: .whitespaces).prefix(300))
        }

        /// `{"error":{"message":"…"}}`, `{"error":"…"}`, `{"message":"…"}` or the text.
        static func message(_ body: [UInt8], clean: (String) -> String) -> String {
            if let obj = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
                if let e = obj["error"] as? [String: Any], let m = e["message"] as? String { return clean(m) }
                if let m = obj["error"] as? String { return clean(m) }
                if let m = obj["message"] as? String { return clean(m) }
            }
            return clean(String(decoding: body, as: UTF8.self))
        }
    }
}
