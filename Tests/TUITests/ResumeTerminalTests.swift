import Testing
import Foundation
import TestSupport

/// `ponder chat --resume FILE` in a real terminal (tmux) on the real SmolLM2 model: the
/// earlier turns are on screen from the start, and Ctrl-R / Ctrl-E act on them.
@Suite(.serialized) struct ResumeTerminalTests {
    @Test func resumedSessionIsShownAndCanBeRegenerated() throws {
        let bin = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1
        let t = try TerminalTests.Tmux()
        let dir = t.dir.path
        let saved = t.dir.appendingPathComponent("s.json").path
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = dir + "/data"
        let chat = try runProcess(bin, ["chat", "--model", model.path, "--think", "off", "--save", saved],
                                  stdin: Data("What is the capital of France?\n".utf8), environment: env, timeout: 180)
        #expect(chat.status == 0, "\(chat.stderrText)")

        try t.startPonder(width: 90, height: 24, """
            chat --model "\(model.path)" --think off --resume "\(saved)"
        """)
        try t.wait(for: " DIRECT │", timeout: 30)
        try t.wait(for: "What is the capital of France?", timeout: 30)
        #expect(try t.screen().joined(separator: "\n").contains("Paris"))

        // Ctrl-R regenerates the resumed turn: no "nothing to regenerate".
        try t.keys("C-r")
        try t.wait("the regenerated reply", timeout: 60) { s in
            let all = s.joined(separator: "\n")
            return !all.contains("nothing to regenerate") && all.contains("Paris") && !all.contains("resumed 1 turn")
        }
        try RealModelChatTests().waitUntilIdle(t)
        // Ctrl-E takes the exchange back into the input line for editing.
        try t.keys("C-e")
        try t.wait("the message back in the input line", timeout: 10) { s in
            s.last(where: { !$0.isEmpty })?.contains("What is the capital of France?") == true
        }
        #expect(!(try t.screen().joined().contains("no message to edit")))
        // Ctrl-C until the chat has quit (a first one may clear the input line).
        for _ in 0..<4 where t.file("exit") == nil {
            try t.keys("C-c")
            _ = t.waitForFile("exit", timeout: 2)
        }
        #expect(t.waitForFile("exit", timeout: 30)?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
