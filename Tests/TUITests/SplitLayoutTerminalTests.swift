import Testing
import Foundation
import Session
import TestSupport
@testable import TUI

/// The split layout end to end: `ponder chat` on the real SmolLM2 model in a real 180-column
/// terminal (tmux), thinking on through the deepseek-r1 profile. The reasoning streams in
/// the right-hand pane while the answer is on the left; `/layout inline` puts it back in
/// the turn. The oracle for the text is the session's journal (what the model produced).
@Suite(.serialized) struct SplitLayoutTerminalTests {
    /// The columns `range` of a captured row, by display width.
    static func columns(_ row: String, _ range: Range<Int>) -> String {
        var out = "", x = 0
        for ch in row {
            if range.contains(x) { out.append(ch) }
            x += CharWidth.of(ch)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    static func collapsed(_ s: String) -> String {
        s.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test func reasoningOnTheRightAnswerOnTheLeft() throws {
        let model = try TestEnv.smolQ4_1
        let t = try TerminalTests.Tmux()
        let dir = t.dir.path
        try t.startPonder(width: 180, height: 30, environment: "PONDER_THREADS=1", """
            chat --model "\(model.path)" \
              --reasoning-profile deepseek-r1 --think on --seed 1 --think-budget 24 --think-max-tokens 60
        """)
        try t.wait(for: " THINKING │", timeout: 30)
        // 180 columns, the default layout: split 99 | border | 80.
        let border = 99, pane = 100..<180
        func splitRows(_ s: [String]) -> [String] {
            s.prefix { row in Self.columns(row, border..<border + 1) == "│" }
        }
        try t.type("Why is the sky blue?"); try t.keys("Enter")

        // While it reasons: the reasoning in the right pane, the left only its header.
        try t.wait("reasoning streaming in the right pane", timeout: 120) { s in
            let rows = splitRows(s)
            return rows.contains { Self.columns($0, 0..<border).hasPrefix("▸ thinking") }
                && rows.dropFirst().contains { Self.columns($0, pane).hasPrefix("┊ ") }
        }
        let sessions = "\(dir)/data/ponder/sessions"
        #expect(JournalWatch.waitForEnds(1, in: sessions), "the turn did not finish")
        guard let journal = JournalWatch.files(in: sessions).first,
              let turn = try SessionLoader.load(URL(fileURLWithPath: "\(sessions)/\(journal)")).document.turns.first
        else { Issue.record("no journaled turn"); return }
        #expect(!turn.reasoning.isEmpty && !turn.answer.isEmpty, "\(turn.reasoning) | \(turn.answer)")

        let screen = try t.wait("the finished turn", timeout: 30) { s in
            splitRows(s).contains { Self.columns($0, 0..<border).hasPrefix("▸ thought for ") }
        }
        let rows = splitRows(screen)
        #expect(rows.count >= 20, "\(screen.joined(separator: "\n"))")
        #expect(Self.columns(rows[0], pane) == "reasoning — turn 1")
        // The right pane holds the end of the journaled reasoning, wrapped to 80 columns.
        let body = rows.dropFirst().map { Self.columns($0, pane) }.filter { !$0.isEmpty }
        #expect(body.allSatisfy { $0.hasPrefix("┊") && CharWidth.of($0) <= 80 }, "\(body)")
        let shown = Self.collapsed(body.map { String($0.dropFirst()) }.joined(separator: " "))
        #expect(!shown.isEmpty && Self.collapsed(turn.reasoning).hasSuffix(shown),
                "pane: \(shown)\njournal: \(turn.reasoning)")
        // The left: the answer, and the reasoning only as its summary line.
        let left = rows.map { Self.columns($0, 0..<border) }
        let word = turn.answer.split(whereSeparator: { !$0.isLetter }).first { $0.count >= 4 }.map(String.init)
        #expect(word.map { w in left.contains { $0.contains(w) } } ?? true, "\(word ?? "-") not in \(left)")
        if let firstBody = body.first.map({ String($0.dropFirst()).trimmingCharacters(in: .whitespaces) }),
           firstBody.count > 20 {
            #expect(!left.contains { $0.contains(firstBody) }, "reasoning on the left: \(firstBody)")
        }

        // /layout inline: no pane, the folded reasoning back in the turn, full width.
        try t.type("/layout inline"); try t.keys("Enter")
        try t.wait(for: "layout inline", timeout: 20)
        let inline = try t.wait("the inline view", timeout: 20) { s in
            splitRows(s).isEmpty && s.contains { $0.hasPrefix("▸ thought for ") && $0.hasSuffix("Tab to expand") }
        }
        #expect(!inline.contains { $0.contains("reasoning — turn") })

        try t.keys("C-c"); try t.keys("C-c")
        #expect(t.waitForFile("exit", timeout: 30)?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
