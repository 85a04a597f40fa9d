import Testing
import Foundation
import TestSupport
@testable import TUI

/// One source of truth for keys and commands (`HelpText`): the help overlay draws it,
/// `ponder help keys` prints it, and the man page must name everything in it.
@Suite struct HelpKeysTests {
    /// Runs `ponder` with its own XDG_CONFIG_HOME (so no user keys.toml applies).
    func ponder(_ args: [String], keysToml: String? = nil) throws -> ProcessResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-help-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("ponder"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        if let keysToml { try keysToml.write(to: dir.appendingPathComponent("ponder/keys.toml"), atomically: true, encoding: .utf8) }
        var env = ProcessInfo.processInfo.environment
        env["XDG_CONFIG_HOME"] = dir.path
        return try runProcess(try TestEnv.ponderBinary(), args, environment: env, timeout: 60)
    }

    @Test func helpKeysPrintsTheOverlayText() throws {
        for spelling in ["keys", "KEYS", "Keys"] {
            let r = try ponder(["help", spelling])
            #expect(r.status == 0, "\(r.stderrText)")
            #expect(r.stdoutText == HelpText.text(.defaults))
            #expect(r.stderrText.isEmpty)
        }
        let out = try ponder(["help", "keys"]).stdoutText
        for k in HelpText.defaultKeyNames { #expect(out.contains(k), "help keys lacks \(k)") }
        for c in SlashCommand.registry.map(\.slashName) { #expect(out.contains(c), "help keys lacks \(c)") }
        // Every form of every command, with its words (e.g. "/budget min N always").
        for (usage, help) in SlashCommand.registry.flatMap(\.helpRows) {
            #expect(out.split(separator: "\n").contains { $0.hasPrefix(usage + " ") && $0.hasSuffix(help) },
                    "help keys lacks \(usage)")
        }
        // The overlay shows the same lines.
        var s = Script(width: 100, height: 80)
        s.key(.function(1))
        #expect(s.state.overlay?.lines == HelpText.lines(.defaults))
    }

    @Test func helpKeysShowsTheBindingsInEffectAndWarnsAboutBadOnes() throws {
        let r = try ponder(["help", "keys"], keysToml: "toggle_thinking = \"C-o\"\nstop = \"C-!\"\n")
        #expect(r.status == 0)
        #expect(r.stdoutText == HelpText.text(KeyBindings.parse("toggle_thinking = \"C-o\"").0))
        #expect(r.stdoutText.contains("Ctrl-O"))
        let warnings = r.stderrText.split(separator: "\n")
        #expect(warnings.count == 1 && warnings[0].hasPrefix("warning: ") && warnings[0].contains("stop"))
    }

    /// ArgumentParser's own help keeps working for commands.
    @Test func helpForCommandsStillWorks() throws {
        let r = try ponder(["help", "chat"])
        #expect(r.status == 0)
        #expect(r.stdoutText.contains("--model"))
    }

    /// man/ponder.1 names every key and slash command of the reference.
    @Test func theManPageNamesEveryKeyAndCommand() throws {
        let page = try String(contentsOf: TestEnv.repoRoot.appendingPathComponent("man/ponder.1"), encoding: .utf8)
        let keys = page.components(separatedBy: ".SS Keys").dropFirst().first?
            .components(separatedBy: ".SS Slash commands").first ?? ""
        #expect(!keys.isEmpty, "no Keys section")
        for k in HelpText.defaultKeyNames { #expect(keys.contains(k), "the man page's Keys section lacks \(k)") }
        for c in SlashCommand.registry.map(\.slashName) { #expect(page.contains(c), "the man page lacks \(c)") }
        for a in KeyAction.allCases { #expect(page.contains(a.rawValue), "the man page lacks the action \(a.rawValue)") }
    }
}
