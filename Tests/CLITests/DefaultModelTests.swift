import Foundation
import Testing
import TestSupport

/// Without `--model`, `chat` and `replay --regenerate` use the cached default model; when
/// it is missing they say how to fetch it instead of failing on a path the user never gave.
@Suite struct DefaultModelTests {
    @Test func missingDefaultModelSaysHowToFetchIt() throws {
        let empty = try TestEnv.freshDirectory("ponder-nocache")
        defer { try? FileManager.default.removeItem(at: empty) }
        var env = ProcessInfo.processInfo.environment
        env["PONDER_CACHE"] = empty.path
        env["PONDER_MODEL"] = nil
        env["HOME"] = empty.path
        let r = try runProcess(try TestEnv.ponderBinary(), ["chat", "--no-journal"],
                               stdin: Data("hi\n".utf8), environment: env, timeout: 30)
        #expect(!r.timedOut && !r.signaled)
        #expect(r.status != 0)
        let lines = r.stderrText.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(r.stderrText)")
        #expect(r.stderrText.contains("scripts/setup.sh"))
        #expect(r.stderrText.contains(empty.path))
        #expect(r.stdout.isEmpty)
    }

    @Test func missingModelFromEnvironmentIsNamed() throws {
        var env = ProcessInfo.processInfo.environment
        env["PONDER_MODEL"] = "/nonexistent/ponder-model.gguf"
        let r = try runProcess(try TestEnv.ponderBinary(), ["chat", "--no-journal"],
                               stdin: Data("hi\n".utf8), environment: env, timeout: 30)
        #expect(r.status != 0 && !r.signaled)
        #expect(r.stderrText.contains("/nonexistent/ponder-model.gguf"))
        #expect(r.stderrText.contains("PONDER_MODEL"))
    }
}
