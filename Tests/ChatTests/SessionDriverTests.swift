import Foundation
import Testing
import Chat
import Session
import TUI
import TestSupport

/// `ponder chat`'s real `SessionDriver`, in process, on the real SmolLM2 model: a
/// command reaches the session, a turn streams its events in order, and its reply is
/// the one `ponder run` (the binary, the same turn loop) gives for the same prompt,
/// sampler and seed; `/export` writes what was streamed.
@Suite struct SessionDriverTests {
    @Test func aCommandAndATurn() async throws {
        let model = try TestEnv.smolQ4_1
        let loaded = try LoadedModel.open(path: model.path, contextSize: 1024, chatFormat: nil)
        var settings = SessionSettings()
        settings.seed = 7
        let driver = try SessionDriver(target: .local(loaded), settings: settings, threads: 1, journal: false)
        var events = driver.events.makeAsyncIterator()

        // A command: the DIRECT sampler's temperature, read back from the session.
        let set = await driver.perform(.setSampler(.temperature(0.25), mode: .off))
        guard case .done(let message?) = set else { Issue.record("\(set)"); return }
        #expect(message.contains("temp 0.25"), "\(message)")
        #expect(await driver.status().samplingOff?.temperature == 0.25)
        if case .failed(let m) = await driver.perform(.setSampler(.maxTokens(48), mode: .off)) { Issue.record("\(m)") }

        // A turn: started, then text, then finished, all of turn 0.
        let question = "What is the capital of France?"
        await driver.send(question, mode: .off)
        var seen: [SessionEvent] = []
        var answer = ""
        while let e = await events.next() {
            seen.append(e)
            if case .answer(let i, let t) = e { #expect(i == 0); answer += t }
            if case .reasoning = e { Issue.record("SmolLM2 has no reasoning mode: \(e)") }
            if case .turnFinished = e { break }
        }
        #expect(seen.first == .turnStarted(index: 0, mode: .off))
        guard case .turnFinished(0, let reason, let stats) = seen.last else { Issue.record("no end: \(seen)"); return }
        #expect(reason == .endOfTurn || reason == .length)
        #expect(stats.answerTokens > 0 && stats.promptTokens > 0)
        #expect(answer.contains("Paris"), "\(answer)")

        // The same turn through `ponder run`: the same reply.
        let run = try runProcess(try TestEnv.ponderBinary(),
                                 ["run", "--model", model.path, "--prompt", question, "--think", "off",
                                  "--temp", "0.25", "--seed", "7", "--max-tokens", "48"])
        #expect(run.status == 0, "\(run.stderrText)")
        #expect(run.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == answer)

        // /export: the transcript holds the exchange and the sampler the turn used.
        let dir = try TestEnv.freshDirectory("session-driver")
        defer { try? FileManager.default.removeItem(at: dir) }
        let md = dir.appendingPathComponent("out.md").path
        let exported = await driver.perform(.export(path: md))
        #expect(exported == .done("exported to \(md)"))
        let text = try String(contentsOfFile: md, encoding: .utf8)
        #expect(text.contains(question) && text.contains(answer))
        #expect(text.contains("temperature 0.25"), "\(text)")
        await driver.shutdown()
    }
}
