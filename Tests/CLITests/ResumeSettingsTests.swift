import Foundation
import Testing
import TestSupport

/// `ponder chat --resume` on the real SmolLM2 model, in a private data folder: the resumed
/// session keeps the settings it was saved with, and a flag given on the command line
/// wins over them, with one notice naming it. The oracle is the journal each run writes:
/// the sampling settings recorded on the new turn and the tokens it generated.
@Suite(.serialized) struct ResumeSettingsTests {
    /// The last turn's end record of a journal: its sampling `maxTokens` and `answerTokens`.
    static func lastTurn(_ journal: URL) throws -> (maxTokens: Int, answerTokens: Int) {
        let line = try #require(try String(contentsOf: journal, encoding: .utf8).split(separator: "\n").last { $0.contains("\"k\":\"end\"") })
        let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let turn = try #require(o["turn"] as? [String: Any])
        let sampling = try #require(turn["sampling"] as? [String: Any]), stats = try #require(turn["stats"] as? [String: Any])
        return (try #require(sampling["maxTokens"] as? Int), try #require(stats["answerTokens"] as? Int))
    }

    @Test func aFlagGivenOnResumeWinsOverTheSavedSetting() throws {
        let data = try TestEnv.freshDirectory("ponder-resume-settings")
        defer { try? FileManager.default.removeItem(at: data) }
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = data.path
        let sessions = data.appendingPathComponent("ponder/sessions")
        let bin = try TestEnv.ponderBinary(), model = try TestEnv.smolQ4_1.path
        func journals() -> Set<String> { Set(((try? FileManager.default.contentsOfDirectory(atPath: sessions.path)) ?? []).filter { $0.hasSuffix(".jsonl") }) }
        func chat(_ message: String, _ args: [String]) throws -> (err: String, journal: URL) {
            let before = journals()
            let r = try runProcess(bin, ["chat", "--model", model, "--think", "off", "--ignore-eos"] + args,
                                   stdin: Data((message + "\n").utf8), environment: env, timeout: 300)
            #expect(r.status == 0 && !r.signaled, "\(r.stderrText)")
            let name = try #require(journals().subtracting(before).first)
            return (r.stderrText, sessions.appendingPathComponent(name))
        }

        let first = try chat("Tell me about foxes.", ["--max-tokens", "20"])
        #expect(try Self.lastTurn(first.journal) == (20, 20))
        // Resumed as saved: the session's 20, no notice.
        let kept = try chat("And wolves?", ["--resume", first.journal.path])
        #expect(try Self.lastTurn(kept.journal) == (20, 20))
        #expect(!kept.err.contains("settings are changed"), "\(kept.err)")
        // Resumed with a flag: the flag's 7, and a notice that names it.
        let changed = try chat("And wolves?", ["--resume", first.journal.path, "--max-tokens", "7"])
        #expect(try Self.lastTurn(changed.journal) == (7, 7))
        #expect(changed.err.contains("the resumed session's settings are changed by --max-tokens"), "\(changed.err)")
    }
}
