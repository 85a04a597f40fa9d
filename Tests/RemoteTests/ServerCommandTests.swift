import Foundation
import Session
import Testing
import TestSupport

/// `ponder chat`, `run`, `replay --regenerate` and `models` with `--server`, the real
/// binary against llama.cpp's own server (xllamacpp) serving SmolLM2, with an API key.
@Suite(.serialized) struct ServerCommandTests {
    static let key = "sk-ponder-test-0123456789"

    @Test func aChatOnAServerIsJournaledWithoutTheKeyAndRegenerates() throws {
        let bin = try TestEnv.ponderBinary()
        let server = try LlamaServer(model: try TestEnv.smolQ4_1, apiKey: Self.key)
        defer { server.stop() }
        let dir = try TestEnv.freshDirectory("ponder-server")
        defer { try? FileManager.default.removeItem(at: dir) }
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = dir.path
        env["PONDER_API_KEY"] = Self.key
        let saved = dir.appendingPathComponent("s.json").path

        let models = try runProcess(bin, ["models", "--server", server.url], environment: env, timeout: 60)
        #expect(models.status == 0, "\(models.stderrText)")
        let served = models.stdoutText.split(separator: "\n").map(String.init)
        #expect(served.count == 1)

        let r = try runProcess(bin, ["chat", "--server", server.url, "--think", "off", "--seed", "3", "--max-tokens", "20",
                                     "--save", saved],
                               stdin: Data("Name three colors.\nAnd three animals?\n".utf8), environment: env, timeout: 180)
        #expect(r.status == 0, "\(r.stderrText)")
        let doc = try SessionLoader.load(URL(fileURLWithPath: saved)).document
        try #require(doc.turns.count == 2)
        #expect(doc.model?.server == server.url + "/v1")
        #expect(doc.model?.fileName == served.first)
        #expect(r.stdoutText.contains(doc.turns[1].answer))
        // The key is nowhere: not in the saved file, the journal, or anything printed.
        let journals = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jsonl") }
        #expect(journals.count == 1)
        for f in journals.map({ dir.appendingPathComponent($0).path }) + [saved] {
            #expect(!(try String(contentsOfFile: f, encoding: .utf8)).contains(Self.key), "\(f)")
        }
        #expect(!r.stdoutText.contains(Self.key) && !r.stderrText.contains(Self.key))

        // Greedy on the same server: every turn regenerates identically.
        let again = try runProcess(bin, ["replay", saved, "--regenerate", "--server", server.url], environment: env, timeout: 180)
        #expect(again.status == 0, "\(again.stdoutText) \(again.stderrText)")
        #expect(again.stdoutText.contains("2 of 2 turns identical"))
        // Without a server it says what it needs, in one line.
        let none = try runProcess(bin, ["replay", saved, "--regenerate"], environment: env, timeout: 60)
        #expect(none.status != 0)
        #expect(none.stderrText.contains("needs a server"))
    }

    @Test func runOnAServerAndItsErrors() throws {
        let bin = try TestEnv.ponderBinary()
        let server = try LlamaServer(model: try TestEnv.smolQ4_1, apiKey: Self.key)
        defer { server.stop() }
        var env = ProcessInfo.processInfo.environment
        env["PONDER_API_KEY"] = Self.key
        let ok = try runProcess(bin, ["run", "--server", server.url, "--prompt", "Name a color.", "--max-tokens", "12"],
                                environment: env, timeout: 120)
        #expect(ok.status == 0, "\(ok.stderrText)")
        #expect(!ok.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)

        env["PONDER_API_KEY"] = "sk-wrong-key-987"
        let refused = try runProcess(bin, ["run", "--server", server.url, "--prompt", "hi"], environment: env, timeout: 60)
        #expect(refused.status != 0)
        #expect(refused.stderrText.contains("401"))
        #expect(!refused.stderrText.contains("sk-wrong-key-987"))
        #expect(refused.stderrText.split(separator: "\n").count == 1, "\(refused.stderrText)")

        for (args, says) in [(["run", "--server", "http://user:pw@127.0.0.1:9/v1", "--prompt", "hi"], "credentials"),
                             (["chat", "--server", "localhost:8000"], "not a server URL"),
                             (["run", "--server", server.url, "--model", "x.gguf", "--prompt", "hi"], "does not go with"),
                             (["models", "--server", "http://127.0.0.1:\(LlamaServer.freePort())"], "cannot reach")] {
            let r = try runProcess(bin, args, stdin: Data(), environment: env, timeout: 60)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderrText.contains(says), "\(args): \(r.stderrText)")
            #expect(!r.stderrText.contains("pw@"), "\(args)")
        }
    }
}
