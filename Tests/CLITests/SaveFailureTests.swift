import Foundation
import Testing
import TestSupport

/// `ponder chat --save` where the file cannot be written: the real model's chat under a
/// file-size limit (`ulimit -f`, so that writes fail with EFBIG the way they fail on a
/// full disk) exits non-zero with one error line naming the path asked for, never the
/// temp file it writes first, and leaves neither the file nor a temp file behind.
@Suite struct SaveFailureTests {
    @Test func aSaveThatCannotBeWrittenNamesItsPathAndLeavesNothing() throws {
        let dir = try TestEnv.freshDirectory("ponder-save-fail")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bin = try TestEnv.ponderBinary(), model = try TestEnv.smolQ4_1.path
        let save = dir.appendingPathComponent("story.json").path
        // 1 KiB: the document of a 200-token reply is several.
        let script = "ulimit -f 1; exec \"$0\" chat --model \"$1\" --think off --ignore-eos --max-tokens 200 --no-journal --save \"$2\""
        let r = try runProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", script, bin.path, model, save],
                               stdin: Data("Write a story about a fox.\n".utf8), timeout: 300)
        #expect(r.status != 0 && !r.signaled, "status \(r.status): \(r.stderrText)")
        let last = r.stderrText.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("Error: \(save): ") && last.contains("File too large"), "\(r.stderrText)")
        #expect(!r.stderrText.contains(".tmp-"), "\(r.stderrText)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
