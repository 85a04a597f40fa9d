import Foundation

/// The fault-injecting proxy (`fault_proxy.py`, Python in the oracle venv) in front of a
/// real server: each POST gets the next fault of `faults` ("drop:N", "stall:K:S",
/// "busy:S", "error500", "malformed:K", "strip:FIELD", "vllm", "pass"), then "pass". `log()` is what the proxy
/// forwarded, read by Python's JSON parser (the oracle for what a client could receive).
/// Loopback only; the proxy also exits by itself after 900 s. (Used by the Remote tests
/// and by the terminal tests of a chat on a server.)
public final class FaultProxy: @unchecked Sendable {
    let process = Process()
    let dir: URL
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }

    /// One POST as the proxy handled it.
    public struct Entry: Decodable, Sendable {
        public var fault: String
        /// Events forwarded whole.
        public var events: Int
        /// The `content` and `reasoning_content` those events carried.
        public var content: String
        public var reasoning: String
        /// Each forwarded event's `content`.
        public var pieces: [String]
        /// The request's final message, when it is the assistant's: its `reasoning_content`.
        public var continued: String?
        /// The status the client got (the proxy's own, or the server's when it was not streamed).
        public var status: Int
        /// The request's `continue_final_message` as JSON text (`"content"`, `true`), when sent.
        public var form: String?
    }

    public init(upstream: LlamaServer, faults: [String]) throws {
        dir = try TestEnv.freshDirectory("ponder-proxy")
        process.executableURL = try TestEnv.python()
        let script = TestEnv.repoRoot.appendingPathComponent("Tests/RemoteTests/fault_proxy.py").path
        process.arguments = [script, String(upstream.port), dir.path] + faults
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let portFile = dir.appendingPathComponent("port")
        let deadline = Date().addingTimeInterval(30)
        var found: Int?
        while Date() < deadline, process.isRunning {
            if let s = try? String(contentsOf: portFile, encoding: .utf8), let p = Int(s) { found = p; break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard let found else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            throw LlamaServer.NotStarted(description: "the fault proxy did not start")
        }
        port = found
    }

    /// The POSTs handled so far; waits (at most 20 s) until `count` of them are logged
    /// (the proxy logs a request once it has finished forwarding it).
    public func log(count: Int = 1) throws -> [Entry] {
        let deadline = Date().addingTimeInterval(20)
        while true {
            let text = (try? String(contentsOf: dir.appendingPathComponent("log.jsonl"), encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n")
            if lines.count >= count || Date() > deadline {
                return try lines.map { try JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// A reply's text as a session keeps it (trimmed), to compare with what the proxy forwarded.
    public static func trimmed(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }

    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: dir)
    }

    deinit { stop() }
}
