import Testing
import Foundation
@testable import TUI
import TestSupport

/// The chat's own files (input history, keys.toml, a theme) as a FIFO with no writer or
/// reader, or a directory: each is refused at once, never waited on, with one line where
/// the loader reports one. Each call has a deadline (`withDeadline`), so a regression
/// fails here instead of hanging the suite.
@Suite struct NonRegularConfigFileTests {
    static func fifoDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-cfg-\(UUID())")
        try FileManager.default.createDirectory(at: d.appendingPathComponent("themes"), withIntermediateDirectories: true)
        for name in ["history", "keys.toml", "themes/piped.toml"] {
            #expect(mkfifo(d.appendingPathComponent(name).path, 0o600) == 0)
        }
        try FileManager.default.createDirectory(at: d.appendingPathComponent("themes/folder.toml"), withIntermediateDirectories: true)
        return d
    }

    @Test func historyFIFOIsNeitherReadNorWritten() throws {
        let d = try Self.fifoDir()
        defer { try? FileManager.default.removeItem(at: d) }
        let url = d.appendingPathComponent("history")
        #expect(withDeadline(2) { InputHistory.load(url) } == [])
        #expect(withDeadline(2) { InputHistory.append("entry", to: url); return true } == true)
    }

    @Test func keysAndThemeFIFOsGiveOneLine() throws {
        let d = try Self.fifoDir()
        defer { try? FileManager.default.removeItem(at: d) }
        let keys = d.appendingPathComponent("keys.toml").path
        let warnings = withDeadline(2) { KeyBindings.load(URL(fileURLWithPath: keys)).1 }
        #expect(warnings == ["\(keys): not a regular file; default keys used"])
        for name in ["piped", "folder"] {
            let path = d.appendingPathComponent("themes/\(name).toml").path
            let message = withDeadline(2) { () -> String in
                switch ThemeLoader.load(name, userDirectory: d.appendingPathComponent("themes")) {
                case .success: return "loaded"
                case .failure(let e): return e.description
                }
            }
            #expect(message == "theme \(name): \(path): not a regular file")
        }
    }
}
