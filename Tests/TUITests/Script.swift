@testable import TUI
import Session

/// Drives the pure UI core the way the runtime does: every change goes through `update`,
/// the screen comes from `render`. The session is not involved: tests play its events
/// by hand (a test double for the session's event stream).
struct Script {
    var state = UIState()
    var effects: [Effect] = []

    init(width: Int, height: Int) {
        send(.resize(width: width, height: height))
    }

    mutating func send(_ m: UIMessage) {
        let (s, fx) = update(state, m)
        state = s
        effects += fx
    }
    mutating func key(_ k: Key) { send(.key(k)) }
    mutating func type(_ text: String) { for c in text { send(.key(.char(c))) } }
    mutating func event(_ e: SessionEvent, at t: Double = 0) { send(.session(e, time: t)) }
    /// Takes the effects gathered so far.
    mutating func takeEffects() -> [Effect] { defer { effects = [] }; return effects }

    /// A whole direct (no reasoning) exchange: type, Enter, then the session's events.
    mutating func directTurn(_ index: Int, user: String, answer: String) {
        if state.mode == .on { key(.ctrl("t")) }
        type(user); key(.enter)
        event(.turnStarted(index: index, mode: .off))
        event(.answer(index: index, text: answer))
        event(.turnFinished(index: index, reason: .endOfTurn, stats: TurnStats()))
    }

    var screen: Screen { render(state) }
    var lines: [String] { screen.lines }
}

/// `n` empty lines (for writing expected screens).
func blank(_ n: Int) -> [String] { Array(repeating: "", count: n) }
