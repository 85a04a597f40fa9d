import Testing
import Foundation
import TestSupport
@testable import TUI

/// Theme files: the built-in ones, the TOML subset reader on good and hostile input.
@Suite struct ThemeTests {
    @Test func builtinThemesMatchTheFilesAndParse() throws {
        for name in ["default", "light", "solarized-dark", "mono"] {
            let file = TestEnv.repoRoot.appendingPathComponent("themes/\(name).toml")
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(BuiltinThemes.text[name].map { $0 + "\n" } == text, "\(name)")
            let theme = try ThemeLoader.load(name, userDirectory: URL(fileURLWithPath: "/nonexistent")).get()
            #expect(theme.name == name)
            for role in Role.allCases { #expect(theme.roles[role] != nil, "\(name) \(role)") }
        }
    }

    @Test func defaultThemeValues() {
        let t = Theme.fallback
        #expect(t[.user] == RoleStyle(fg: .index(14), bg: .default, attr: .bold))
        #expect(t[.reasoning] == RoleStyle(fg: .index(245), bg: .default, attr: .italic))
        #expect(t[.error].attr == .bold)
    }

    @Test func colors() {
        #expect(ThemeColor.parse(.string("cyan")) == .index(6))
        #expect(ThemeColor.parse(.string("bright-red")) == .index(9))
        #expect(ThemeColor.parse(.string("#ff0000")) == .rgb(255, 0, 0))
        #expect(ThemeColor.parse(.int(300)) == nil)
        #expect(ThemeColor.parse(.string("#12345")) == nil)
        // xterm cube: index 196 is (255, 0, 0).
        #expect(ThemeColor.rgb(255, 0, 0).index(for: 256) == 196)
        #expect(ThemeColor.index(196).index(for: 8) == 1)       // nearest basic: red
        #expect(ThemeColor.index(9).index(for: 8) == 1)         // bright red → red
        #expect(ThemeColor.index(244).index(for: 16) == 8)      // mid gray → bright black
        #expect(ThemeColor.default.index(for: 256) == nil)
    }

    @Test func partialThemeKeepsDefaultRoles() throws {
        let t = try Theme.parse("[user]\nfg = \"red\"  # mine\n", name: "x", base: .fallback).get()
        #expect(t[.user] == RoleStyle(fg: .index(1), bg: .default, attr: []))
        #expect(t[.code] == Theme.fallback[.code])
    }

    @Test func hostileFilesGiveOneLineErrors() {
        let cases: [(String, String)] = [
            ("[user\nfg = 1", "theme t: line 1: unclosed [section]"),
            ("[user]\nfg = \"red", "theme t: line 2: unclosed string"),
            ("[user]\nfg = red", "theme t: line 2: value must be a \"string\", a number, true or false"),
            ("[user]\nfg 1", "theme t: line 2: expected key = value"),
            ("[user]\nfg = 1\nfg = 2", "theme t: line 3: key fg repeated"),
            ("[user]\n[user]", "theme t: line 2: section [user] repeated"),
            ("[wizard]\nfg = 1", "theme t: unknown role [wizard]"),
            ("[user]\nsparkle = true", "theme t: [user] unknown key sparkle"),
            ("[user]\nbold = 1", "theme t: [user] bold: true or false"),
            ("[user]\nfg = 999", "theme t: [user] fg: not a color"),
            ("[user]\nfg = \"a\\q\"", "theme t: line 2: unknown escape \\q"),
            ("[user]\nfg = 1 2", "theme t: line 2: text after the value"),
            ("[a.b]", "theme t: line 1: bad section name"),
            ("colors = 3", "theme t: unknown top-level key colors"),
            ("[user]\nfg = \"\(String(repeating: "x", count: 300))\"", "theme t: line 2: string longer than 256"),
            (String(repeating: "#", count: 70_000), "theme t: line 0: file larger than 64 KiB"),
            ("[user]\nfg = 99999999999999999999", "theme t: line 2: value must be a \"string\", a number, true or false"),
            ("\u{0}\u{1}\u{FFFD}", "theme t: line 1: expected key = value"),
        ]
        for (text, message) in cases {
            switch Theme.parse(text, name: "t", base: .fallback) {
            case .success: Issue.record("accepted: \(text.prefix(40))")
            case .failure(let e):
                #expect(e.description == message)
                #expect(!e.description.contains("\n"))
            }
        }
    }

    @Test func crlfCommentsAndBlankLinesAreFine() throws {
        let t = try Theme.parse("# c\r\n\r\n[user]\r\nfg = \"blue\"\r\nbold = true # x\r\n", name: "c", base: nil).get()
        #expect(t[.user] == RoleStyle(fg: .index(4), bg: .default, attr: .bold))
    }

    @Test func userDirectoryAddsThemesAndBadNamesAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-themes-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[border]\nfg = \"magenta\"\n".write(to: dir.appendingPathComponent("mine.toml"), atomically: true, encoding: .utf8)
        try "[border\n".write(to: dir.appendingPathComponent("broken.toml"), atomically: true, encoding: .utf8)
        let mine = try ThemeLoader.load("mine", userDirectory: dir).get()
        #expect(mine[.border].fg == .index(5))
        #expect(mine[.user] == Theme.fallback[.user])
        if case .failure(let e) = ThemeLoader.load("broken", userDirectory: dir) {
            #expect(e.description == "theme broken: line 1: unclosed [section]")
        } else { Issue.record("broken theme accepted") }
        if case .failure(let e) = ThemeLoader.load("../../etc/passwd", userDirectory: dir) {
            #expect(e.description == "theme names use letters, digits, - and _ only")
        } else { Issue.record("path accepted") }
        if case .failure(let e) = ThemeLoader.load("nope", userDirectory: dir) {
            #expect(e.description == "no theme nope (known: default, light, solarized-dark, mono, broken, mine)")
        } else { Issue.record("unknown theme accepted") }
    }

    @Test func monochromeDropsColorsKeepsAttributes() {
        let m = Theme.fallback.monochrome
        for r in Role.allCases { #expect(m[r].fg == .default && m[r].bg == .default) }
        #expect(m[.user].attr.contains(.bold))
        #expect(m[.stats].attr.contains(.reverse))
    }
}
