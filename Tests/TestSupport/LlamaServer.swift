import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking // Data(contentsOf:) on an http URL
#endif

/// llama.cpp's own OpenAI-compatible server (PyPI `xllamacpp`, in the oracle venv) on a
/// loopback port (a free one unless given: a restarted server takes its predecessor's),
/// serving a test model; killed on `stop()`. Shared by the Remote and the terminal tests.
/// `template`: a chat template file in place of the model's own (with the server's
/// reasoning parser on).
public final class LlamaServer: @unchecked Sendable {
    let process = Process()
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }

    public init(model: URL, apiKey: String? = nil, port: Int? = nil, template: URL? = nil) throws {
        self.port = port ?? Self.freePort()
        process.executableURL = try TestEnv.python()
        let script = TestEnv.repoRoot.appendingPathComponent("Tests/RemoteTests/serve.py").path
        process.arguments = [script, model.path, String(self.port), apiKey ?? ""] + (template.map { [$0.path] } ?? [])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // "ready" once the server listens; then wait until /health says ok (it answers
        // 503 "Loading model" before).
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let d = try? Data(contentsOf: URL(string: url + "/health")!),
               String(decoding: d, as: UTF8.self).contains("\"ok\"") { return }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        stop()
        throw NotStarted(description: "xllamacpp's server did not start on port \(self.port) (is xllamacpp in the venv? scripts/setup.sh --test)")
    }

    public struct NotStarted: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    deinit { stop() }

    /// A port the kernel just handed out (bound to port 0, then closed).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
