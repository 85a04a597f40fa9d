import Testing
import Foundation
import TestSupport

/// `/load` in the full-screen chat (the real `SessionDriver` on SmolLM2, under tmux) given
/// a FIFO with no writer, a directory and `/dev/zero`: each answers "not a regular file"
/// at once and the chat stays usable (it used to wedge on the FIFO until Ctrl-C twice).
@Suite(.serialized) struct LoadSpecialFileTests {
    @Test func loadRefusesNonRegularFilesAtOnce() throws {
        let model = try TestEnv.smolQ4_1
        let t = try TerminalTests.Tmux()
        let dir = t.dir.path
        let fifo = dir + "/fifo.json"
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createDirectory(atPath: dir + "/folder", withIntermediateDirectories: true)
        try t.startPonder(width: 120, height: 30, """
            chat --model "\(model.path)" --think off --no-journal
        """)
        try t.wait(for: " DIRECT │", timeout: 30)
        for path in [fifo, dir + "/folder", "/dev/zero"] {
            try t.type("/load \(path)"); try t.keys("Enter")
            try t.wait(for: "\(path): not a regular file", timeout: 3)
        }
        // Still responsive: a command after the refusals is carried out.
        try t.type("/new"); try t.keys("Enter")
        try t.wait(for: "new conversation", timeout: 10)
        try t.keys("C-c"); try t.keys("C-c")
        let status = t.waitForFile("exit", timeout: 30)
        #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
