import Foundation
import Session
import Testing
import TestSupport

/// The `ponder` binary against faults (through `FaultProxy` in front of xllamacpp's
/// server), and the API key kept out of every file Ponder writes and out of `ps`.
@Suite(.serialized) struct ServerFaultCommandTests {
    static let key = "sk-ponder-fault-test-4f2a9c"

    static func lines(_ s: String) -> [Substring] { s.split(separator: "\n") }

    @Test func runThroughFaults() throws {
        let bin = try TestEnv.ponderBinary()
        let server = try LlamaServer(model: try TestEnv.smolQ4_1)
        defer { server.stop() }
        let proxy = try FaultProxy(upstream: server, faults: ["error500", "busy:1", "pass", "drop:1200", "stall:3:30"])
        defer { proxy.stop() }
        let args = ["run", "--server", proxy.url, "--prompt", FaultTests.prompt, "--max-tokens", "24"]
        let env = ProcessInfo.processInfo.environment

        let failed = try runProcess(bin, args, environment: env, timeout: 60)
        #expect(failed.status != 0)
        #expect(Self.lines(failed.stderrText).count == 1, "\(failed.stderrText)")
        #expect(failed.stderrText.contains("the server answered 500: the model crashed (fault proxy)"), "\(failed.stderrText)")

        let retried = try runProcess(bin, args, environment: env, timeout: 120)
        #expect(retried.status == 0, "\(retried.stderrText)")
        #expect(retried.stderrText.contains("server busy, retrying in 1 s"), "\(retried.stderrText)")
        #expect(!FaultTests.trimmed(retried.stdoutText).isEmpty)

        let dropped = try runProcess(bin, args, environment: env, timeout: 60)
        #expect(dropped.status != 0)
        #expect(Self.lines(dropped.stderrText).count == 1, "\(dropped.stderrText)")
        #expect(dropped.stderrText.contains("broke mid-reply"), "\(dropped.stderrText)")
        // What arrived before the drop was printed.
        let sent = try #require(try proxy.log(count: 4).last)
        #expect(FaultTests.trimmed(dropped.stdoutText) == FaultTests.trimmed(sent.content))

        var quick = env
        quick["PONDER_SERVER_TIMEOUT"] = "2"
        let start = Date()
        let stalled = try runProcess(bin, args, environment: quick, timeout: 60)
        #expect(Date().timeIntervalSince(start) < 20)
        #expect(stalled.status != 0)
        #expect(Self.lines(stalled.stderrText).count == 1, "\(stalled.stderrText)")
        #expect(stalled.stderrText.contains("the server sent nothing for 2 s (the limit is PONDER_SERVER_TIMEOUT)"),
                "\(stalled.stderrText)")

        var bad = env
        bad["PONDER_SERVER_TIMEOUT"] = "soon"
        let refused = try runProcess(bin, args, environment: bad, timeout: 60)
        #expect(refused.status != 0)
        #expect(Self.lines(refused.stderrText).count == 1 && refused.stderrText.contains("PONDER_SERVER_TIMEOUT"),
                "\(refused.stderrText)")
    }

    /// A chat whose first reply is cut off by a dropped connection: the partial turn is
    /// saved and journaled as ended by an error, and the chat goes on.
    @Test func aDroppedTurnIsKeptAndTheChatGoesOn() throws {
        let bin = try TestEnv.ponderBinary()
        let server = try LlamaServer(model: try TestEnv.smolQ4_1)
        defer { server.stop() }
        let proxy = try FaultProxy(upstream: server, faults: ["drop:1200"])
        defer { proxy.stop() }
        let dir = try TestEnv.freshDirectory("ponder-drop")
        defer { try? FileManager.default.removeItem(at: dir) }
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = dir.path
        let saved = dir.appendingPathComponent("s.json").path
        let r = try runProcess(bin, ["chat", "--server", proxy.url, "--think", "off", "--seed", "3", "--max-tokens", "16",
                                     "--save", saved],
                               stdin: Data("\(FaultTests.prompt)\nName a color.\n".utf8), environment: env, timeout: 180)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(r.stderrText.contains("broke mid-reply"), "\(r.stderrText)")
        let sent = try #require(try proxy.log(count: 2).first)
        let journals = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jsonl") }
        try #require(journals.count == 1)
        for file in [saved, dir.appendingPathComponent(journals[0]).path] {
            let doc = try SessionLoader.load(URL(fileURLWithPath: file)).document
            try #require(doc.turns.count == 2, "\(file)")
            #expect(doc.turns[0].stopReason == .error, "\(file)")
            #expect(doc.turns[0].answer == FaultTests.trimmed(sent.content), "\(file)")
            #expect(doc.turns[0].note?.contains("broke mid-reply") == true, "\(file)")
            #expect(doc.turns[1].stopReason == .endOfTurn || doc.turns[1].stopReason == .length, "\(file)")
            #expect(!doc.turns[1].answer.isEmpty, "\(file)")
        }
    }

    @Test func theKeyIsInNoFileAndNotInPs() throws {
        let bin = try TestEnv.ponderBinary()
        let server = try LlamaServer(model: try TestEnv.smolQ4_1, apiKey: Self.key)
        defer { server.stop() }
        let dir = try TestEnv.freshDirectory("ponder-key")
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = dir.appendingPathComponent("saves/s.json")
        try FileManager.default.createDirectory(at: saved.deletingLastPathComponent(), withIntermediateDirectories: true)
        let out = dir.appendingPathComponent("stdout.txt"), err = dir.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)

        let p = Process()
        p.executableURL = bin
        p.arguments = ["chat", "--server", server.url, "--think", "off", "--seed", "3", "--max-tokens", "16",
                       "--save", saved.path]
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = dir.appendingPathComponent("data").path
        env["PONDER_API_KEY"] = Self.key
        p.environment = env
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }

        input.fileHandleForWriting.write(Data("Name three colors.\n".utf8))
        // While the chat runs (its first answer printed), the key is not in its command line.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, p.isRunning, (try? Data(contentsOf: out))?.isEmpty ?? true {
            Thread.sleep(forTimeInterval: 0.1)
        }
        try #require(p.isRunning, "ponder exited early: \(String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self))")
        let cmdline = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(p.processIdentifier)/cmdline"))
        #expect(!cmdline.isEmpty)
        #expect(cmdline.range(of: Data(Self.key.utf8)) == nil)
        let ps = try runProcess(URL(fileURLWithPath: "/usr/bin/ps"), ["-ww", "-o", "args=", "-p", String(p.processIdentifier)])
        #expect(ps.stdoutText.contains("--server"), "ps shows: \(ps.stdoutText)")
        #expect(!ps.stdoutText.contains(Self.key))

        input.fileHandleForWriting.write(Data("And three animals?\n".utf8))
        try input.fileHandleForWriting.close()
        let end = Date().addingTimeInterval(120)
        while Date() < end, p.isRunning { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!p.isRunning)
        #expect(p.terminationStatus == 0, "\(String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self))")

        // Every file Ponder wrote (journal, save) and everything it printed: no key.
        let files = try #require(FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey]))
            .compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        #expect(files.contains { $0.pathExtension == "jsonl" }, "no journal among \(files.map(\.path))")
        #expect(files.contains(saved.resolvingSymlinksInPath()) || files.contains(saved), "no save among \(files.map(\.path))")
        for f in files {
            #expect(try Data(contentsOf: f).range(of: Data(Self.key.utf8)) == nil, "the key is in \(f.path)")
        }
        let doc = try String(contentsOf: saved, encoding: .utf8)
        #expect(doc.contains("animals"))
    }
}
