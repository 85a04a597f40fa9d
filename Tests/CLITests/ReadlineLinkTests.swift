import Foundation
import Testing
import TestSupport

@Suite struct ReadlineLinkTests {
    /// The line mode is GNU readline itself: the built binary loads libreadline
    /// (ldd, from Debian's libc-bin).
    @Test func theBinaryLinksLibreadline() throws {
        let r = try runProcess(URL(fileURLWithPath: "/usr/bin/ldd"), [try TestEnv.ponderBinary().path])
        #expect(r.status == 0, "\(r.stderrText)")
        let line = r.stdoutText.split(separator: "\n").first { $0.contains("libreadline.so") }
        #expect(line != nil, "ldd:\n\(r.stdoutText)")
        #expect(line.map { !$0.contains("not found") } ?? false)
    }
}
