import Testing
import Session
@testable import TUI

/// The stats bar at narrow widths: the pure render, fed a state by hand (the driver's
/// status and a turn's stats played as messages, a test double for the session).
@Suite struct StatsBarTests {
    static let longName = "Llama-3.1-Nemotron-Nano-4B-v1.1-Instruct-abliterated-experimental"

    /// A state with a running turn's stats at `width` columns.
    func script(width: Int, model: String = longName, threads: Int = 1) -> Script {
        var s = Script(width: width, height: 12)
        var st = DriverStatus()
        st.modelName = model; st.quantization = "Q4_K_M"; st.threads = threads
        st.contextSize = 4096; st.kvCacheBytes = 64 << 20
        st.samplingOn = SamplingSettings(temperature: 0.6, topP: 0.95); st.samplingOff = .direct; st.seed = 42
        s.send(.status(st))
        s.send(.tick(time: 1, rssBytes: 300 << 20))
        var ts = TurnStats()
        ts.decodeTokensPerSecond = 21.43; ts.prefillTokensPerSecond = 310
        ts.timeToFirstToken = 0.42; ts.timeToFirstAnswerToken = 3.1
        ts.reasoningTokens = 412; ts.answerTokens = 80; ts.promptTokens = 30
        ts.contextUsed = 512; ts.contextSize = 4096
        s.event(.turnStarted(index: 0, mode: .on))
        s.event(.stats(index: 0, ts))
        return s
    }

    /// The bar's two rows (rows 9 and 10 of 12).
    func bar(width: Int, model: String = longName, threads: Int = 1) -> (String, String) {
        let l = script(width: width, model: model, threads: threads).lines
        return (l[9], l[10])
    }

    @Test func twoRowsAt80Columns() {
        var s = script(width: 80, model: "smollm", threads: 2)
        let l = s.lines
        #expect(l[9] == " THINKING │ smollm Q4_K_M │ 21.4 tok/s pp 310 tok/s │ ttft 0.42s answer 3.10s")
        // The sampler segment does not fit in 80 columns: it is left out, threads fit.
        #expect(l[10] == " tokens r 412 a 80 p 30 │ ctx [█░░░░░░░] 512/4096 │ mem 300M kv 64M │ 2 threads")
        #expect(s.screen.rows[9][1].style == Style(.stats, .bold))
        s.key(.ctrl("t"))
        #expect(s.lines[9].hasPrefix(" DIRECT │ smollm Q4_K_M"))
    }

    @Test func aLongModelNameIsShortenedBeforeTheTimingsGo() {
        let (top, _) = bar(width: 100)
        #expect(top.hasSuffix(" │ 21.4 tok/s pp 310 tok/s │ ttft 0.42s answer 3.10s"))
        #expect(top.hasPrefix(" THINKING │ Llama-3.1-Nemotron"))
        // The name loses its end to an ellipsis, the quantization stays, the row is full.
        #expect(top.contains("… Q4_K_M │ ") && !top.contains(Self.longName))
        #expect(CharWidth.of(top) == 100)
    }

    @Test func whenEvenAShortNameDoesNotFitTheModelGoesFirst() {
        let (top, _) = bar(width: 72)
        #expect(top == " THINKING │ 21.4 tok/s pp 310 tok/s │ ttft 0.42s answer 3.10s")
    }

    @Test func aNameThatFitsIsShownWhole() {
        let (top, _) = bar(width: 100, model: "smollm")
        #expect(top == " THINKING │ smollm Q4_K_M │ 21.4 tok/s pp 310 tok/s │ ttft 0.42s answer 3.10s")
    }

    /// The second row drops the sampler, then the thread count, then the token counts
    /// and memory; the context stays longest.
    @Test func theSecondRowKeepsTheContextLongest() {
        #expect(bar(width: 140).1 == " tokens r 412 a 80 p 30 │ ctx [█░░░░░░░] 512/4096 │ mem 300M kv 64M"
                + " │ temp 0.6 top_p 0.95 seed 42 │ 1 thread")
        #expect(bar(width: 100).1 == " tokens r 412 a 80 p 30 │ ctx [█░░░░░░░] 512/4096 │ mem 300M kv 64M │ 1 thread")
        #expect(bar(width: 70).1 == " tokens r 412 a 80 p 30 │ ctx [█░░░░░░░] 512/4096 │ mem 300M kv 64M")
        #expect(bar(width: 50).1 == " ctx [█░░░░░░░] 512/4096 │ mem 300M kv 64M")
        #expect(bar(width: 30).1 == " ctx [█░░░░░░░] 512/4096")
    }

    @Test func theThreadCountIsTheDriversAndSingularForOne() {
        #expect(bar(width: 140, threads: 1).1.hasSuffix("│ 1 thread"))
        #expect(bar(width: 140, threads: 6).1.hasSuffix("│ 6 threads"))
    }
}
