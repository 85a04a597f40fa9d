import Foundation
import Testing
import Chat
import Session
import TUI
import TestSupport

/// `/load` of a journal with a saved KV cache, in process on the real SmolLM2 model: the
/// journal and its cache are written by `ponder chat --save-kv` (the binary, in a private
/// data folder); the driver's `/load` reads the cache back (its message says so) and the
/// next turn reuses its tokens; a corrupt cache is refused in the same message and the
/// turn re-reads the conversation (no cached tokens) and writes the same reply.
@Suite(.serialized) struct LoadSavedKVTests {
    /// After `/load PATH`: the load's message and the next turn's answer and cached tokens.
    static func loadAndSend(_ path: String, model: URL) async throws -> (message: String, answer: String, cached: Int) {
        let loaded = try LoadedModel.open(path: model.path, contextSize: 1024, chatFormat: nil)
        let driver = try SessionDriver(target: .local(loaded), settings: SessionSettings(), threads: 1, journal: false)
        var events = driver.events.makeAsyncIterator()
        guard case .transcript(_, let message?) = await driver.perform(.load(path: path)) else {
            Issue.record("/load did not give a transcript and a message"); return ("", "", -1)
        }
        await driver.send("Now name a tree.", mode: .off)
        var answer = "", cached = -1
        while let e = await events.next() {
            if case .answer(_, let t) = e { answer += t }
            if case .turnFinished(_, _, let stats) = e { cached = stats.cachedTokens; break }
        }
        await driver.shutdown()
        return (message, answer, cached)
    }

    @Test func loadReadsTheSavedCacheOrRefusesIt() async throws {
        let data = try TestEnv.freshDirectory("ponder-load-kv")
        defer { try? FileManager.default.removeItem(at: data) }
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = data.path
        let model = try TestEnv.smolQ4_1
        let r = try runProcess(try TestEnv.ponderBinary(),
                               ["chat", "--model", model.path, "--think", "off", "--max-tokens", "24", "--save-kv"],
                               stdin: Data("Name a colour.\nAnd a fruit?\n".utf8), environment: env, timeout: 300)
        #expect(r.status == 0, "\(r.stderrText)")
        let sessions = data.appendingPathComponent("ponder/sessions")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: sessions.path).first { $0.hasSuffix(".jsonl") })
        let journal = sessions.appendingPathComponent(name).path

        let good = try await Self.loadAndSend(journal, model: model)
        #expect(good.message.contains("resumed with the saved KV cache"), "\(good.message)")
        #expect(good.cached > 0)

        let kv = URL(fileURLWithPath: journal + ".kv")
        var bytes = try Data(contentsOf: kv)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: kv)
        let bad = try await Self.loadAndSend(journal, model: model)
        #expect(bad.message.contains("saved KV cache refused") && bad.message.contains("checksum"), "\(bad.message)")
        #expect(bad.cached == 0)
        #expect(!bad.answer.isEmpty, "the turn after a refusal still answers")
    }
}
