import Foundation
import Testing
import TestSupport

@Suite struct ManPageTests {
    /// `mandoc -Tlint` (Debian package mandoc) finds no warning or error in man/ponder.1.
    @Test func manPageLintsClean() throws {
        let page = TestEnv.repoRoot.appendingPathComponent("man/ponder.1")
        let r = try runProcess(URL(fileURLWithPath: "/usr/bin/mandoc"), ["-Tlint", "-W", "warning", page.path])
        #expect(r.status == 0, "mandoc -Tlint: \(r.stdoutText)\(r.stderrText)")
    }

    /// Every subcommand that `ponder --help` lists has a section in the man page.
    @Test func manPageNamesEverySubcommand() throws {
        let page = try String(contentsOf: TestEnv.repoRoot.appendingPathComponent("man/ponder.1"), encoding: .utf8)
        let help = try runProcess(try TestEnv.ponderBinary(), ["--help"]).stdoutText
        guard let start = help.range(of: "SUBCOMMANDS:") else {
            Issue.record("no SUBCOMMANDS in --help"); return
        }
        // The subcommand block ends at the first blank line.
        let block = help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst().prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let names = block.compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("  "), let w = t.split(separator: " ").first else { return nil }
            return w.allSatisfy({ $0.isLetter || $0 == "-" }) ? String(w) : nil
        }
        #expect(names.count >= 8)
        for n in names where n != "help" {
            #expect(page.contains(".B \(n)") || page.contains(".BI \(n) "), "man page lacks \(n)")
        }
    }
}
