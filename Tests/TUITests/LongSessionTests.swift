import Testing
import Foundation
import Session
@testable import TUI

/// A long conversation (10,000 turns) still renders its end and scrolls to its top.
/// Prints how long the first and a later frame took (measured here, not asserted).
@Suite struct LongSessionTests {
    @Test func tenThousandTurns() {
        var s = Script(width: 80, height: 24)
        s.key(.ctrl("t"))
        let t0 = Date()
        for i in 0..<10_000 {
            s.type("q\(i)"); s.key(.enter)
            s.event(.turnStarted(index: i, mode: .off))
            s.event(.answer(index: i, text: "answer number \(i) with a few words to wrap"))
            s.event(.turnFinished(index: i, reason: .endOfTurn, stats: TurnStats()))
        }
        let t1 = Date()
        let first = s.screen
        let t2 = Date()
        s.event(.notice("x"))
        _ = s.screen
        let t3 = Date()
        // 24 rows: 20 conversation rows under a notice row... (no notice for `first`: 21 rows).
        #expect(first.text(20) == "answer number 9999 with a few words to wrap")
        #expect(first.text(19) == "> q9999")
        s.key(.home)
        #expect(s.screen.text(0) == "> q0")
        print("10,000 turns: updates \(Int(t1.timeIntervalSince(t0) * 1000)) ms, first frame \(Int(t2.timeIntervalSince(t1) * 1000)) ms, next frame \(Int(t3.timeIntervalSince(t2) * 1000)) ms")
    }
}
