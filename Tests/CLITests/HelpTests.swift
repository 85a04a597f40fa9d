import Foundation
import Testing
import TestSupport

@Suite struct HelpTests {
    @Test func helpListsEverySubcommand() throws {
        let r = try runProcess(try TestEnv.ponderBinary(), ["--help"])
        #expect(r.status == 0)
        for cmd in ["chat", "run", "replay", "export", "bench", "perplexity", "inspect", "tokenize"] {
            #expect(r.stdoutText.contains(cmd), "--help does not list \(cmd)")
        }
    }

    @Test func unknownOptionIsOneLineErrorAndNonZeroExit() throws {
        let r = try runProcess(try TestEnv.ponderBinary(), ["inspect", "--no-such-flag"])
        #expect(r.status != 0)
        #expect(!r.signaled)
    }
}
