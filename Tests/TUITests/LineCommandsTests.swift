import Testing
import Session
@testable import TUI

/// What the chats without a screen get from a command line (`LineCommands`): the pieces
/// the readline line mode relies on.
@Suite struct LineCommandsTests {
    func run(_ line: String, mode: ReasoningMode = .on, helpKeys: [String] = []) -> LineCommands.Outcome {
        LineCommands.run(line, mode: mode, status: DriverStatus(), lastStats: nil, helpKeys: helpKeys)
    }

    @Test func helpListsTheCommandsAndTheCallersKeysOnly() {
        let r = run("/help", helpKeys: ["Keys", "  Tab  complete"])
        #expect(r.lines.first == "Commands")
        #expect(r.lines.suffix(2) == ["Keys", "  Tab  complete"])
        for c in SlashCommand.registry.map(\.slashName) { #expect(r.lines.contains { $0.contains(c) }, "\(c)") }
        // Not the full screen's keys (Ctrl-T toggles thinking there).
        #expect(!r.lines.contains { $0.contains("Ctrl-T") })
    }

    @Test func reasoningShowHideIsReported() {
        #expect(run("/reasoning hide").showReasoning == false)
        #expect(run("/reasoning show").showReasoning == true)
        #expect(run("/reasoning hide").lines == ["reasoning hidden"])
        #expect(run("/think off").showReasoning == nil)
        #expect(run("/think off").mode == .off)
    }

    @Test func fullScreenOnlyCommandsSaySo() {
        for c in ["/copy", "/copy code", "/theme light", "/layout split"] {
            let r = run(c)
            #expect(r.error == "\(c) works in the full-screen chat only")
            #expect(r.driver.isEmpty && !r.quit)
        }
    }
}
