import Foundation
import Testing
import TestSupport
import Session

/// `ponder replay` and `ponder export` end to end, on a session made by the hidden
/// `ponder journal-stress` command (SCRIPTED TEST-DOUBLE backend).
@Suite struct SessionCommandTests {
    static func makeSession() throws -> URL {
        let dir = try temporaryDirectory()
        let r = try runProcess(try TestEnv.ponderBinary(), ["journal-stress", "--dir", dir.path, "--turns", "3"])
        #expect(r.status == 0, "\(r.stderrText)")
        return dir
    }

    @Test func exportMarkdownToStdoutAndFile() throws {
        let dir = try Self.makeSession()
        let bin = try TestEnv.ponderBinary()
        let session = dir.appendingPathComponent("session.json").path
        let r = try runProcess(bin, ["export", session, "--markdown"])
        #expect(r.status == 0)
        #expect(r.stdoutText == MarkdownExport.render(try SessionLoader.load(URL(fileURLWithPath: session)).document))
        #expect(r.stdoutText.contains("<details>\n<summary>Reasoning"))
        #expect(r.stdoutText.contains("answer to message 2 ✓ done."))
        // The journal exports the same transcript.
        let j = try runProcess(bin, ["export", dir.appendingPathComponent("journal.jsonl").path, "--markdown"])
        #expect(j.stdoutText == r.stdoutText)

        let out = dir.appendingPathComponent("out.md").path
        #expect(try runProcess(bin, ["export", session, "--markdown", "-o", out]).status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == r.stdoutText)
        let again = try runProcess(bin, ["export", session, "--markdown", "-o", out])
        #expect(again.status != 0 && !again.signaled)
        #expect(again.stderrText.contains("already exists") && again.stderrText.split(separator: "\n").count == 1)
        #expect(try runProcess(bin, ["export", session, "--markdown", "-o", out, "--force"]).status == 0)
        #expect(try runProcess(bin, ["export", session]).status != 0)      // no format chosen
    }

    @Test func replayPlainPrintsTheStreamInOrder() throws {
        let dir = try Self.makeSession()
        let r = try runProcess(try TestEnv.ponderBinary(), ["replay", dir.appendingPathComponent("session.json").path,
                                                           "--plain", "--speed", "1000"])
        #expect(r.status == 0)
        var expected = ""
        for i in 0..<3 {
            expected += (i == 0 ? "" : "\n") + "> message \(i)\n\n<think>\nreasoning for message \(i): ünïcödé 🙂 step, step, step.\n</think>\n\n"
                + "answer to message \(i) ✓ done.\n"
        }
        #expect(r.stdoutText == expected)
    }

    @Test func replayErrorsAreOneLine() throws {
        let dir = try temporaryDirectory()
        let bad = dir.appendingPathComponent("bad.json")
        try Data("{\"magic\":\"ponder-session\",\"version\":7}".utf8).write(to: bad)
        let bin = try TestEnv.ponderBinary()
        for args in [["replay", bad.path], ["replay", dir.appendingPathComponent("none.json").path],
                     ["export", bad.path, "--markdown"], ["replay", bad.path, "--regenerate"],
                     ["replay", bad.path, "--speed", "0"]] {
            let r = try runProcess(bin, args)
            #expect(r.status != 0 && !r.signaled, "\(args)")
            let lines = r.stderrText.split(separator: "\n").filter { !$0.hasPrefix("Usage") && !$0.hasPrefix("  See") && !$0.isEmpty }
            #expect(lines.count == 1, "\(args): \(r.stderrText)")
        }
        let v = try runProcess(bin, ["replay", bad.path])
        #expect(v.stderrText.contains("unsupported session version 7"))
        let g = try runProcess(bin, ["replay", bad.path, "--regenerate"])
        // --regenerate reads the session first: the same one-line load error.
        #expect(g.stderrText.contains("unsupported session version 7"))
    }
}
