import Testing
import Foundation
@testable import TUI

/// The line mode's Tab completion: command names and argument words from the command
/// registry, paths from a real temporary folder.
@Suite struct SlashCompletionTests {
    func complete(_ line: String, home: String = NSHomeDirectory()) -> SlashCompletion.Result {
        let n = line.utf8.count
        // readline's word: from after the last space before the cursor (at the end).
        let start = line.utf8.lastIndex(of: UInt8(ascii: " ")).map { line.utf8.distance(from: line.utf8.startIndex, to: $0) + 1 } ?? 0
        return SlashCompletion.complete(line: line, start: start, end: n, home: home)
    }

    @Test func commandNamesComeFromTheTable() {
        #expect(complete("/sa") == .init(candidates: ["/save"], paths: false))
        #expect(complete("/h").candidates == ["/history-reasoning", "/help"])
        #expect(complete("/").candidates == SlashCompletion.commandNames)
        // Every command of the table once, "/copy code" as "/copy".
        #expect(SlashCompletion.commandNames.contains("/reasoning"))
        #expect(SlashCompletion.commandNames.filter { $0 == "/copy" }.count == 1)
        #expect(complete("hello /sa").candidates.isEmpty)       // not at the start: text
        #expect(complete("sa").candidates.isEmpty)
        #expect(complete("/zz").candidates.isEmpty)
    }

    @Test func argumentWordsComeFromTheTable() {
        #expect(complete("/think o").candidates == ["on", "off"])
        #expect(complete("/think ").candidates == ["on", "off", "toggle"])
        #expect(complete("/reasoning h").candidates == ["hide"])
        #expect(complete("/budget ").candidates == ["off", "min"])   // N is a placeholder
        #expect(complete("/budget m").candidates == ["min"])
        #expect(complete("/copy ").candidates == ["code"])
        #expect(complete("/system ").candidates.isEmpty)
        #expect(complete("/think on ").candidates.isEmpty)       // one argument only
        #expect(complete("/THINK T").candidates == ["toggle"])
    }

    /// `/set`: a mode, reset or a sampler name first; after a mode, reset or a name the
    /// mode has its own of (not the shared seed); nothing for the value.
    @Test func setCompletesModesAndSamplerNames() {
        let names = SlashCommand.SetArguments.names
        #expect(names.count == 7 && names.contains("seed"))
        #expect(complete("/set ").candidates == ["think", "direct", "reset"] + names)
        #expect(complete("/set t").candidates == ["think", "temp", "top_p", "top_k"])
        #expect(complete("/set think ").candidates == ["reset"] + names.filter { $0 != "seed" })
        #expect(complete("/set direct s").candidates.isEmpty)
        #expect(complete("/set s").candidates == ["seed"])
        #expect(complete("/set temp ").candidates.isEmpty)
        #expect(complete("/set think temp ").candidates.isEmpty)
    }

    @Test func pathsAreSessionFilesOrMarkdownAndFolders() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-complete-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("sub dir"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent(".hidden"), withIntermediateDirectories: true)
        for f in ["a.json", "b.jsonl", "c.md", "d.txt", "model.gguf", ".e.json"] {
            try Data().write(to: dir.appendingPathComponent(f))
        }
        defer { try? fm.removeItem(at: dir) }
        let p = dir.path + "/"
        #expect(complete("/load \(p)") == .init(candidates: [p + "a.json", p + "b.jsonl", p + "sub dir"], paths: true))
        #expect(complete("/save \(p)a").candidates == [p + "a.json"])
        #expect(complete("/export \(p)").candidates == [p + "c.md", p + "sub dir"])
        #expect(complete("/load \(p).").candidates == [p + ".e.json", p + ".hidden"])
        #expect(complete("/load \(p)nothing").candidates.isEmpty)
        // ~/ is kept as typed and listed from the home folder.
        #expect(complete("/load ~/", home: dir.path).candidates == ["~/a.json", "~/b.jsonl", "~/sub dir"])
        #expect(complete("/load ~", home: dir.path).candidates == ["~/"])
    }

    @Test func offsetsAreUTF8Bytes() {
        // "é" is two bytes: the word "/sa" starts at byte 0 of its own line only.
        let line = "é /sa"
        #expect(SlashCompletion.complete(line: line, start: 3, end: 6).candidates.isEmpty)
        #expect(SlashCompletion.complete(line: "/sa", start: 0, end: 3).candidates == ["/save"])
        #expect(SlashCompletion.complete(line: "/sa", start: 2, end: 9).candidates.isEmpty)   // out of range
    }
}
