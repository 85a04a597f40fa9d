import Foundation
import Testing
import Session
import TestSupport
@testable import TUI

/// The slash-command registry (`SlashCommand.registry`) is the one list of commands: its
/// entries parse their own examples, the help lists exactly its entries, Tab offers only
/// words the parser takes, the line modes refuse exactly its full-screen entries, and
/// the man page's "Slash commands" section names exactly its commands and aliases.
@Suite struct SlashRegistryTests {
    let registry = SlashCommand.registry

    @Test func namesAndAliasesAreUniqueLowerCaseWords() {
        let all = registry.flatMap { [$0.name] + $0.aliases }
        #expect(Set(all).count == all.count, "a name or alias twice: \(all)")
        for n in all {
            #expect(!n.isEmpty && !n.contains(" ") && n == n.lowercased() && !n.hasPrefix("/"), "\(n)")
        }
        for spec in registry { #expect(!spec.forms.isEmpty, "\(spec.name) has no help row") }
    }

    /// Each form's example is a line of its own command that the parser accepts, through
    /// the entry it belongs to; every alias parses the example the same way.
    @Test func everyEntryParsesItsOwnExamples() throws {
        for spec in registry {
            for form in spec.forms {
                let e = form.example
                #expect(e == spec.slashName || e.hasPrefix(spec.slashName + " "), "\(e) is not a \(spec.slashName) line")
                let parsed = try SlashCommand.parseWithSpec(e).get()
                #expect(parsed.spec.name == spec.name, "\(e) parsed by /\(parsed.spec.name)")
                // The example fits its form: as many words as the usage, at least the required ones.
                let usage = form.arguments.split(separator: " ")
                let required = usage.filter { !$0.hasPrefix("[") }.count
                let given = e.split(separator: " ").count - 1
                if !["TEXT", "PATH", "[PATH]"].contains(form.arguments) {
                    #expect(required <= given && given <= usage.count, "\(e) does not fit \(form.arguments)")
                }
                for alias in spec.aliases {
                    let line = "/" + alias + e.dropFirst(spec.slashName.count)
                    #expect(try SlashCommand.parse(line).get() == parsed.command, "\(line)")
                }
            }
        }
    }

    /// The commands part of the help (overlay, line mode, `ponder help keys`) is one row
    /// per form of each entry, in the registry's order, and nothing else.
    @Test func helpListsExactlyTheRegistry() {
        let rows = registry.flatMap(\.helpRows).map(\.0)
        func commandRows(_ lines: [String]) -> [String] {
            Array(lines.drop { $0 != "Commands" }.dropFirst().prefix { !$0.isEmpty })
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        func check(_ lines: [String], _ where_: String) {
            let listed = commandRows(lines)
            #expect(listed.count == rows.count, "\(where_): \(listed.count) rows for \(rows.count) forms")
            for (line, usage) in zip(listed, rows) {
                #expect(line.hasPrefix(usage + "  "), "\(where_): \(line) is not \(usage)")
            }
            // Every command the help names, the parser knows.
            for line in listed {
                let name = String(line.prefix { $0 != " " })
                if case .failure(let e) = SlashCommand.parse(name) {
                    #expect(!e.message.hasPrefix("unknown command"), "\(where_): \(name)")
                }
            }
        }
        check(LineCommands.run("/help", mode: .on, status: DriverStatus(), lastStats: nil).lines, "line /help")
        check(HelpText.lines(.defaults), "help text")
        var s = Script(width: 100, height: 80)
        s.type("/help"); s.key(.enter)
        check(s.state.overlay?.lines ?? [], "/help overlay")
        #expect(s.state.overlay?.lines == HelpText.lines(.defaults))
    }

    /// Every word Tab offers for an argument is one the parser takes there: alone, with
    /// a value after it (1 is valid for every sampler value), or with more offered words.
    @Test func completionOffersOnlyWordsTheParserTakes() {
        func parses(_ line: String) -> Bool { (try? SlashCommand.parse(line).get()) != nil }
        func completable(_ spec: SlashCommand.Spec, _ typed: [String]) -> Bool {
            let line = ([spec.slashName] + typed).joined(separator: " ")
            if parses(line) || parses(line + " 1") { return true }
            return typed.count < 4
                && SlashCompletion.argumentWords(spec, after: typed).contains { completable(spec, typed + [$0]) }
        }
        var checked = 0
        func walk(_ spec: SlashCommand.Spec, _ typed: [String]) {
            for w in SlashCompletion.argumentWords(spec, after: typed) {
                #expect(completable(spec, typed + [w]), "Tab offers \(([spec.slashName] + typed + [w]).joined(separator: " "))")
                checked += 1
                if typed.count < 3 { walk(spec, typed + [w]) }
            }
        }
        for spec in registry { walk(spec, []) }
        #expect(checked >= 20, "only \(checked) words checked")
    }

    /// The line modes refuse a command with one line exactly when its entry needs the screen.
    @Test func lineModesRefuseExactlyTheFullScreenEntries() {
        for spec in registry {
            for form in spec.forms {
                let r = LineCommands.run(form.example, mode: .on, status: DriverStatus(), lastStats: nil)
                let refused = r.error == "\(form.example) works in the full-screen chat only"
                #expect(refused == spec.fullScreenOnly, "\(form.example): \(r.error ?? "accepted")")
            }
        }
    }

    /// man/ponder.1's "Slash commands" section names every command and alias of the
    /// registry and no other, and spells every form's usage.
    @Test func manPageListsExactlyTheRegistry() throws {
        let page = try String(contentsOf: TestEnv.repoRoot.appendingPathComponent("man/ponder.1"), encoding: .utf8)
        guard let section = page.components(separatedBy: ".SS Slash commands\n").dropFirst().first else {
            Issue.record("no Slash commands section in man/ponder.1"); return
        }
        let lines = section.split(separator: "\n").prefix { !$0.hasPrefix(".SS") && !$0.hasPrefix(".SH") }
        let text = lines.map { ManText.plain(String($0)) }
        // Commands: the words that start with "/" ("/copy," and "/copy code" give "/copy").
        var named = Set<String>()
        for line in text {
            for word in line.split(whereSeparator: { $0 == " " || $0 == "," }) where word.hasPrefix("/") {
                named.insert(String(word.prefix { $0 != "." && $0 != ";" && $0 != ")" }))
            }
        }
        let expected = Set(registry.flatMap { [$0.name] + $0.aliases }.map { "/" + $0 })
        #expect(named.subtracting(expected).isEmpty, "the man page lists commands the registry lacks: \(named.subtracting(expected).sorted())")
        #expect(expected.subtracting(named).isEmpty, "the man page lacks \(expected.subtracting(named).sorted())")
        let joined = text.joined(separator: "\n")
        for usage in registry.flatMap(\.helpRows).map(\.0) {
            #expect(joined.contains(usage), "the man page does not spell \(usage)")
        }
    }
}
