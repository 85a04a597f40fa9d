import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 over a plain TCP socket, for `http://` servers (a local llama.cpp, vLLM or
/// NIM container): one request, `Connection: close`, the response body handed on as it
/// arrives. A thread of its own blocks in `poll` for readability only, so a reply that
/// streams for minutes costs nothing between its chunks (FoundationNetworking's event
/// loop spins while a stream is open, about half a core).
///
/// The server is untrusted: the status line and headers may take at most 64 KiB, a
/// chunk-size line 1 KiB; every wait is bounded by the idle timeout. The outcome goes
/// through `HTTPStream.Outcome`, as for `URLSession`.
enum PlainHTTP {
    static func open(_ request: URLRequest, key: APIKey?, idleTimeout: Double,
                     continuation: AsyncThrowingStream<[UInt8], Error>.Continuation) {
        let connection = Connection()
        continuation.onTermination = { _ in connection.close() }
        let thread = Thread {
            var exchange = Exchange(request: request, idleTimeout: idleTimeout, connection: connection) {
                continuation.yield($0)
            }
            let outcome = exchange.run()
            outcome.finish(continuation, key: key, idleTimeout: idleTimeout)
        }
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// The socket, closable from another thread (the consumer going away).
    final class Connection: @unchecked Sendable {
        private let lock = NSLock()
        private var fd: Int32 = -1
        private var closed = false

        /// Keeps `fd`; false (and `fd` closed) when the connection was closed meanwhile.
        func adopt(_ fd: Int32) -> Bool {
            lock.withLock {
                if closed { Glibc.close(fd); return false }
                self.fd = fd
                return true
            }
        }

        var isClosed: Bool { lock.withLock { closed } }

        /// Closes the socket of a failed connection attempt (the next address may follow).
        func drop() {
            lock.withLock {
                if fd >= 0 { Glibc.close(fd); fd = -1 }
            }
        }

        /// Wakes a blocked read (shutdown) and releases the socket once.
        func close() {
            lock.withLock {
                guard !closed else { return }
                closed = true
                if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
            }
        }

        /// The descriptor's release, by the reading thread when it is done.
        func release() {
            lock.withLock {
                closed = true
                if fd >= 0 { Glibc.close(fd); fd = -1 }
            }
        }
    }

    /// One request and its response, on the calling thread.
    struct Exchange {
        let request: URLRequest
        let idleTimeout: Double
        let connection: Connection
        let yield: ([UInt8]) -> Void
        private var fd: Int32 = -1
        private var buffer: [UInt8] = []

        init(request: URLRequest, idleTimeout: Double, connection: Connection, yield: @escaping ([UInt8]) -> Void) {
            self.request = request; self.idleTimeout = idleTimeout; self.connection = connection; self.yield = yield
        }

        enum Failure: Error { case cancelled, timedOut, closed, transport(String), malformed(String) }

        mutating func run() -> HTTPStream.Outcome {
            defer { connection.release() }
            var began = false            // body bytes went out: a break now is a drop
            let deliver = yield
            do {
                try connect()
                try send()
                var head = try readHead()
                while (100..<200).contains(head.status) { head = try readHead() }
                let ok = (200..<300).contains(head.status)
                var errorBody: [UInt8] = []
                try readBody(head) { bytes in
                    if ok { began = true; deliver(bytes) } else { errorBody += bytes.prefix(max(0, 65536 - errorBody.count)) }
                }
                return ok ? .done : .status(head.status, errorBody, head.header("retry-after"))
            } catch Failure.cancelled {
                return .cancelled
            } catch Failure.timedOut {
                return .timedOut
            } catch Failure.closed {
                return began ? .dropped("the server closed the connection") : .transport("the server closed the connection")
            } catch Failure.transport(let m) {
                return began ? .dropped(m) : .transport(m)
            } catch Failure.malformed(let m) {
                return began ? .dropped(m) : .transport(m)
            } catch {
                return .transport("\(error)")
            }
        }

        // MARK: connecting and sending

        private mutating func connect() throws {
            guard let url = request.url, let host = url.host else { throw Failure.transport("no host in the URL") }
            let port = url.port ?? 80
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let rc = getaddrinfo(host, String(port), &hints, &list)
            guard rc == 0, let first = list else {
                throw Failure.transport("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
            }
            defer { freeaddrinfo(list) }
            var lastError = "no address"
            var ai: UnsafeMutablePointer<addrinfo>? = first
            while let a = ai {
                defer { ai = a.pointee.ai_next }
                let s = socket(a.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
                if s < 0 { lastError = String(cString: strerror(errno)); continue }
                guard connection.adopt(s) else { throw Failure.cancelled }
                fd = s
                // Non-blocking connect, bounded like any other wait.
                let flags = fcntl(s, F_GETFL)
                _ = fcntl(s, F_SETFL, flags | O_NONBLOCK)
                if Glibc.connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
                    lastError = String(cString: strerror(errno))
                } else {
                    try wait(for: Int16(POLLOUT), seconds: min(idleTimeout, 30))
                    var err: Int32 = 0
                    var len = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len)
                    if err == 0 { return }
                    lastError = String(cString: strerror(err))
                }
                connection.drop()
                fd = -1
            }
            throw Failure.transport("Failed to connect to \(host) port \(port): \(lastError)")
        }

        private mutating func send() throws {
            guard let url = request.url else { throw Failure.transport("no URL") }
            var target = url.path.isEmpty ? "/" : url.path
            if let q = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery { target += "?" + q }
            let body = request.httpBody ?? Data()
            let hostHeader = url.port.map { "\(url.host ?? ""):\($0)" } ?? (url.host ?? "")
            var head = "\(request.httpMethod ?? "GET") \(target) HTTP/1.1\r\nHost: \(hostHeader)\r\n"
            head += "User-Agent: ponder\r\nConnection: close\r\n"
            for (name, value) in request.allHTTPHeaderFields ?? [:] where name.lowercased() != "content-length" {
                head += "\(name): \(value)\r\n"
            }
            if request.httpMethod == "POST" || !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
            head += "\r\n"
            var bytes = Array(head.utf8) + Array(body)
            var sent = 0
            while sent < bytes.count {
                try wait(for: Int16(POLLOUT), seconds: idleTimeout)
                let n = bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
                if n < 0 {
                    if errno == EAGAIN || errno == EINTR { continue }
                    throw Failure.transport(String(cString: strerror(errno)))
                }
                sent += n
            }
        }

        // MARK: reading

        /// Blocks until `fd` is ready for `events`, in slices so that a close from the
        /// consumer is seen; throws on the idle timeout or a close.
        private func wait(for events: Int16, seconds: Double) throws {
            let deadline = Date().addingTimeInterval(seconds)
            while true {
                if connection.isClosed { throw Failure.cancelled }
                var p = pollfd(fd: fd, events: events, revents: 0)
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { throw Failure.timedOut }
                let r = poll(&p, 1, Int32(min(left, 0.25) * 1000) + 1)
                if r > 0 { return }
                if r < 0 && errno != EINTR { throw Failure.transport(String(cString: strerror(errno))) }
            }
        }

        /// Reads more bytes into `buffer`; false at the end of the stream.
        private mutating func fill() throws -> Bool {
            try wait(for: Int16(POLLIN), seconds: idleTimeout)
            var chunk = [UInt8](repeating: 0, count: 16384)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { return true }
                if connection.isClosed { throw Failure.cancelled }
                throw Failure.transport(String(cString: strerror(errno)))
            }
            if n == 0 {
                if connection.isClosed { throw Failure.cancelled }
                return false
            }
            buffer += chunk[..<n]
            return true
        }

        /// A line ending in CRLF (or LF), without it; at most `limit` bytes.
        private mutating func line(limit: Int) throws -> String {
            while true {
                if let i = buffer.firstIndex(of: 0x0A) {
                    var l = buffer[..<i]
                    if l.last == 0x0D { l = l.dropLast() }
                    buffer.removeFirst(i + 1)
                    return String(decoding: l, as: UTF8.self)
                }
                guard buffer.count < limit else { throw Failure.malformed("a header line over \(limit) bytes") }
                guard try fill() else { throw Failure.closed }
            }
        }

        struct Head {
            var status: Int
            var headers: [(String, String)]
            func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
        }

        private mutating func readHead() throws -> Head {
            let statusLine = try line(limit: 8192)
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                throw Failure.malformed("not an HTTP response: \(statusLine.prefix(60))")
            }
            var headers: [(String, String)] = []
            var total = statusLine.utf8.count
            while true {
                let l = try line(limit: 8192)
                total += l.utf8.count
                guard total < 65536 else { throw Failure.malformed("the response headers are over 64 KiB") }
                if l.isEmpty { break }
                guard let colon = l.firstIndex(of: ":") else { continue }
                headers.append((l[..<colon].lowercased(), l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            return Head(status: status, headers: headers)
        }

        /// Hands on the next `count` body bytes as they arrive; a close before is a drop.
        private mutating func pass(_ count: Int, _ deliver: ([UInt8]) -> Void) throws {
            var left = count
            while left > 0 {
                if buffer.isEmpty { guard try fill() else { throw Failure.closed } }
                let n = min(left, buffer.count)
                deliver(Array(buffer[..<n]))
                buffer.removeFirst(n)
                left -= n
            }
        }

        /// The body, by the framing the head announces: chunked, a length, or to the end.
        private mutating func readBody(_ head: Head, _ deliver: ([UInt8]) -> Void) throws {
            if head.header("transfer-encoding")?.lowercased().contains("chunked") == true {
                while true {
                    let sizeLine = try line(limit: 1024)
                    let hex = sizeLine.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
                    guard let size = Int(hex, radix: 16), size >= 0 else { throw Failure.malformed("a bad chunk size") }
                    if size == 0 {
                        while try !line(limit: 8192).isEmpty {}     // trailers
                        return
                    }
                    try pass(size, deliver)
                    guard try line(limit: 2).isEmpty else { throw Failure.malformed("a chunk without its CRLF") }
                }
            } else if let length = head.header("content-length").flatMap({ Int($0) }), length >= 0 {
                try pass(length, deliver)
            } else {
                while true {
                    if !buffer.isEmpty { deliver(buffer); buffer.removeAll() }
                    guard try fill() else { return }
                }
            }
        }
    }
}
