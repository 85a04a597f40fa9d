import Testing
import Foundation
@testable import TUI
import Session

/// keys.toml: key names, the file's entries, and the bindings the chat then uses.
@Suite struct KeyBindingsTests {
    @Test func everyKeyNameParsesBackToItsKey() {
        var keys: [Key] = KeyAction.allCases.flatMap(\.defaultKeys)
        keys += [.enter, .altEnter, .backspace, .delete, .up, .down, .left, .right, .alt("x"), .alt("?"),
                 .char("é")]
        keys += (1...12).map { .function($0) } + "abcdefghijklmnopqrstuvwxyz".map { .ctrl($0) }
        for k in keys { #expect(KeySpec.parse(KeySpec.name(k)) == k, "\(KeySpec.name(k))") }
    }

    @Test func keyNameSpellings() {
        for spec in ["C-t", "c-T", "Ctrl-t", "CTRL-T", "^t"] { #expect(KeySpec.parse(spec) == .ctrl("t"), "\(spec)") }
        #expect(KeySpec.parse("M-x") == .alt("x"))
        #expect(KeySpec.parse("Alt-X") == .alt("X"))
        #expect(KeySpec.parse("S-Tab") == .backTab)
        #expect(KeySpec.parse("pgdn") == .pageDown)
        #expect(KeySpec.parse("escape") == .escape)
        for bad in ["", "C-", "C-1", "C-tt", "F0", "F13", "Fx", "M-", "Hyper-x", "ab", " "] {
            #expect(KeySpec.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func defaultsBindEachKeyOnce() {
        let all = KeyAction.allCases.flatMap { KeyBindings.defaults.keys(of: $0) }
        #expect(Set(all).count == all.count)
        for a in KeyAction.allCases {
            #expect(!a.defaultKeys.isEmpty)
            for k in a.defaultKeys { #expect(KeyBindings.defaults.action(for: k) == a) }
        }
    }

    @Test func anEntryReplacesTheDefaultsOfItsAction() {
        let (b, w) = KeyBindings.parse("toggle_thinking = \"C-o\"  # my key\n")
        #expect(w.isEmpty)
        #expect(b.action(for: .ctrl("o")) == .toggleThinking)
        #expect(b.action(for: .ctrl("t")) == nil && b.action(for: .function(2)) == nil)
        #expect(b.keys(of: .save) == KeyAction.save.defaultKeys)
    }

    @Test func anEmptyEntryUnbindsItsAction() {
        let (b, w) = KeyBindings.parse("suspend = \"\"\n")
        #expect(w.isEmpty)
        #expect(b.keys(of: .suspend).isEmpty && b.action(for: .ctrl("z")) == nil)
        #expect(HelpText.lines(b).contains { $0.hasPrefix("(none)") && $0.hasSuffix(KeyAction.suspend.summary) })
    }

    @Test func aKeyTakenFromAnotherActionLeavesIt() {
        let (b, w) = KeyBindings.parse("compose = \"C-t, M-e\"\nhelp = \"F1 F12\"\n")
        #expect(w.isEmpty)
        #expect(b.keys(of: .compose) == [.ctrl("t"), .alt("e")])
        #expect(b.keys(of: .toggleThinking) == [.function(2)])
        #expect(b.keys(of: .help) == [.function(1), .function(12)])
        #expect(b.action(for: .ctrl("g")) == nil)
        #expect(b.action(for: .char("?")) == nil)
    }

    @Test func badEntriesWarnOnceEachAndKeepTheDefaults() {
        let text = """
            toggle_thinking = "C-!"
            sav = "C-o"
            redraw = 5
            save = "C-x"
            compose = "C-x"
            [extra]
            """
        let (b, w) = KeyBindings.parse(text, file: "k.toml")
        #expect(w.count == 5, "\(w)")
        #expect(w.allSatisfy { $0.hasPrefix("k.toml: ") && !$0.contains("\n") })
        #expect(w.contains { $0.contains("toggle_thinking") && $0.contains("C-!") })
        #expect(w.contains { $0.contains("unknown action sav") })
        #expect(w.contains { $0.contains("redraw") })
        #expect(w.contains { $0.contains("[extra]") })
        #expect(b.keys(of: .toggleThinking) == KeyAction.toggleThinking.defaultKeys)
        #expect(b.keys(of: .redraw) == KeyAction.redraw.defaultKeys)
        // save comes first in action order and gets C-x; compose's claim is refused.
        #expect(w.contains { $0.contains("compose") && $0.contains("already bound to save") })
        #expect(b.action(for: .ctrl("x")) == .save)
        #expect(b.keys(of: .compose) == KeyAction.compose.defaultKeys)
    }

    @Test func aFileThatDoesNotParseGivesOneWarningAndTheDefaults() {
        let (b, w) = KeyBindings.parse("save = \"C-x\"\nsave = \"C-y\"\n", file: "k.toml")
        #expect(b == .defaults)
        #expect(w.count == 1 && w[0].hasPrefix("k.toml: line 2"))
    }

    @Test func fileLocationAndLoading() throws {
        #expect(KeyBindings.defaultURL(environment: ["XDG_CONFIG_HOME": "/x/cfg", "HOME": "/h"]).path
                == "/x/cfg/ponder/keys.toml")
        #expect(KeyBindings.defaultURL(environment: ["HOME": "/h"]).path == "/h/.config/ponder/keys.toml")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-keys-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = dir.appendingPathComponent("keys.toml")
        #expect(KeyBindings.load(f) == (KeyBindings.defaults, []))
        try "stop = \"C-q\"\n".write(to: f, atomically: true, encoding: .utf8)
        #expect(KeyBindings.load(f).0.action(for: .ctrl("q")) == .stop)
        try Data(repeating: 0x23, count: TOMLSubset.maxBytes + 1).write(to: f)
        let (b, w) = KeyBindings.load(f)
        #expect(b == .defaults && w.count == 1)
    }

    /// The chat runs rebound keys, and the help overlay names them.
    @Test func theChatUsesTheBindings() {
        var s = Script(width: 60, height: 30)
        s.state.keys = KeyBindings.parse("toggle_thinking = \"C-o\"\ninterrupt = \"C-x\"\nhelp = \"F5\"").0
        s.key(.ctrl("o"))
        #expect(s.state.mode == .off)
        s.key(.ctrl("t"))                                  // no longer bound: not a toggle
        #expect(s.state.mode == .off)
        s.key(.ctrl("x"))
        #expect(s.state.notice?.text == "press Ctrl-X again to quit")
        s.key(.ctrl("x"))
        #expect(s.takeEffects() == [.quit])
        var h = Script(width: 70, height: 40)
        h.state.keys = s.state.keys
        h.key(.function(5))
        let screen = h.lines.joined(separator: "\n")
        #expect(screen.contains("Ctrl-O") && screen.contains("thinking on/off"))
        #expect(!screen.contains("Ctrl-T,"))
    }

    /// Hints on screen name the keys in effect.
    @Test func hintsNameTheKeysInEffect() {
        var s = Script(width: 60, height: 12)
        s.state.keys = KeyBindings.parse("toggle_reasoning = \"F3\"\nstop = \"C-q\"").0
        s.type("q"); s.key(.enter)
        s.event(.turnStarted(index: 0, mode: .on), at: 0)
        s.event(.reasoning(index: 0, text: "hmm"), at: 1)
        s.event(.answer(index: 0, text: "A."), at: 2)
        #expect(s.lines.contains { $0.contains("F3 to expand") }, "\(s.lines)")
        #expect(!s.lines.contains { $0.contains("Tab to") })
        s.type("again"); s.key(.enter)
        #expect(s.state.notice?.text == "still generating — Ctrl-Q stops it")
    }

    /// A printable key bound to an action acts only on an empty line; typed text keeps it.
    @Test func printableBindingsActOnlyOnAnEmptyLine() {
        var s = Script(width: 60, height: 30)
        s.type("why?")
        #expect(s.state.input.text == "why?" && s.state.overlay == nil)
        s.key(.ctrl("u")); s.key(.char("?"))
        #expect(s.state.overlay?.title == "Help")
    }
}
