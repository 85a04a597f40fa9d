import Foundation
import Testing
import TestSupport

/// `ponder sessions` and `ponder chat --resume last` on real journals written by plain-mode
/// chats with the real SmolLM2 model, in a private data folder.
@Suite struct SessionsCommandTests {
    @Test func listsTheJournalAndResumesTheNewest() throws {
        let data = try TestEnv.freshDirectory("ponder-sessions")
        defer { try? FileManager.default.removeItem(at: data) }
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = data.path
        let ponder = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1.path
        let sessionsDir = data.appendingPathComponent("ponder/sessions")

        let none = try runProcess(ponder, ["sessions"], environment: env, timeout: 30)
        #expect(none.status == 0)
        #expect(none.stdoutText.contains("no sessions"))

        let first = try runProcess(ponder, ["chat", "--model", model, "--think", "off"],
                                   stdin: Data("Name a colour.\n".utf8), environment: env, timeout: 120)
        #expect(first.status == 0, "\(first.stderrText)")
        let listed = try runProcess(ponder, ["sessions"], environment: env, timeout: 30)
        #expect(listed.status == 0)
        #expect(listed.stdoutText.contains("Name a colour."))
        #expect(listed.stdoutText.contains("1 turns"))

        let second = try runProcess(ponder, ["chat", "--model", model, "--think", "off",
                                             "--resume", "last"],
                                    stdin: Data("And another.\n".utf8), environment: env, timeout: 120)
        #expect(second.status == 0, "\(second.stderrText)")
        let paths = try runProcess(ponder, ["sessions", "--paths"], environment: env, timeout: 30)
        let files = paths.stdoutText.split(separator: "\n").map(String.init)
        #expect(files.count == 2)
        // The newest journal continues the first: both turns, in order.
        let newest = try String(contentsOfFile: try #require(files.first), encoding: .utf8)
        let a = try #require(newest.range(of: "Name a colour."))
        let b = try #require(newest.range(of: "And another."))
        #expect(a.lowerBound < b.lowerBound)

        // A chat that ends before its first turn leaves no journal behind.
        let empty = try runProcess(ponder, ["chat", "--model", model], stdin: Data(), environment: env, timeout: 120)
        #expect(empty.status == 0)
        let after = try FileManager.default.contentsOfDirectory(atPath: sessionsDir.path)
        #expect(after.count == 2, "\(after)")

        // Pruning with 0 days removes both journals (both changed before now).
        let pruned = try runProcess(ponder, ["sessions", "--prune", "0"], environment: env, timeout: 30)
        #expect(pruned.status == 0)
        #expect(pruned.stdoutText.contains("2 journals removed"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: sessionsDir.path).isEmpty)
    }

    @Test func resumeLastWithNoSessionsIsAClearError() throws {
        let data = try TestEnv.freshDirectory("ponder-nosessions")
        defer { try? FileManager.default.removeItem(at: data) }
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = data.path
        let r = try runProcess(try TestEnv.ponderBinary(),
                               ["chat", "--model", try TestEnv.smolQ4_1.path, "--resume", "last"],
                               stdin: Data("hi\n".utf8), environment: env, timeout: 60)
        #expect(r.status != 0 && !r.signaled)
        #expect(r.stderrText.contains("--resume last: no sessions"))
    }
}
