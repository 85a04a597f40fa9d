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

    /// Every long option that `ponder SUB --help` lists (for each subcommand and nested
    /// subcommand) is spelled in the man page (`\-\-name`), and so is every
    /// `PONDER_*` environment variable the sources read.
    @Test func manPageNamesEveryOptionAndVariable() throws {
        let page = try String(contentsOf: TestEnv.repoRoot.appendingPathComponent("man/ponder.1"), encoding: .utf8)
        let bin = try TestEnv.ponderBinary()
        func subcommands(_ path: [String]) throws -> [String] {
            let help = try runProcess(bin, path + ["--help"]).stdoutText
            guard let start = help.range(of: "SUBCOMMANDS:") else { return [] }
            // The block ends at the first blank line (a "See 'ponder help …'" line follows).
            let block = help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
                .dropFirst().prefix { !$0.isEmpty }
            return block.compactMap { line in
                guard line.hasPrefix("  "), !line.hasPrefix("   "),
                      let w = line.split(separator: " ").first, w.allSatisfy({ $0.isLetter || $0 == "-" }) else { return nil }
                return w == "help" ? nil : String(w)
            }
        }
        var commands: [[String]] = []
        for c in try subcommands([]) {
            commands.append([c])
            for n in try subcommands([c]) { commands.append([c, n]) }
        }
        #expect(commands.count >= 9)
        var missing: [String] = []
        for cmd in commands {
            let help = try runProcess(bin, cmd + ["--help"]).stdoutText
            // Every option block (OPTIONS: and the titled groups, e.g. "SAMPLING (…):"):
            // an option line is indented two spaces and starts with "-x, --name" or
            // "--name"; continuation lines start deeper, headers are not indented.
            for line in help.split(separator: "\n") {
                guard line.hasPrefix("  -") else { continue }
                let t = line.drop(while: { $0 == " " })
                guard let r = t.range(of: "--") else { continue }
                let name = t[r.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }
                if name.isEmpty || name == "help" || name == "version" { continue }
                let spelled = "\\-\\-" + name.replacingOccurrences(of: "-", with: "\\-")
                if !page.contains(spelled) { missing.append("\(cmd.joined(separator: " ")) --\(name)") }
            }
        }
        #expect(missing.isEmpty, "options missing from man/ponder.1: \(missing)")

        // Environment variables: every "PONDER_NAME" string literal in Sources/.
        let sources = TestEnv.repoRoot.appendingPathComponent("Sources")
        var variables = Set<String>()
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let f = files?.nextObject() as? URL {
            guard ["swift", "c", "h"].contains(f.pathExtension) else { continue }
            let text = try String(contentsOf: f, encoding: .utf8)
            var rest = text[...]
            while let r = rest.range(of: "\"PONDER_") {
                let name = rest[r.lowerBound...].dropFirst().prefix { $0.isUppercase || $0.isNumber || $0 == "_" }
                if rest[r.lowerBound...].dropFirst(name.count + 1).first == "\"" { variables.insert(String(name)) }
                rest = rest[r.upperBound...]
            }
        }
        #expect(variables.count >= 5, "\(variables)")
        let undocumented = variables.filter { !page.contains(".B \($0)") }.sorted()
        #expect(undocumented.isEmpty, "environment variables missing from ENVIRONMENT in man/ponder.1: \(undocumented)")
    }
}
