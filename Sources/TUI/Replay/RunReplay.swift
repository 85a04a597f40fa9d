import Foundation
import CShims
import Session

/// Plays `document` back full screen, as it was streamed: each turn's user message, then
/// its reasoning and answer at the recorded per-token timing divided by `speed`. The
/// screen stays after the last turn until the user quits (q or Ctrl-C).
/// Throws `TUIError` when stdin/stdout is not a terminal or curses cannot start (the
/// caller then plays it as plain text). The terminal is restored on every way out, as
/// for the chat (`runTUI`).
public func runReplay(_ document: SessionDocument, speed: Double, config: TUIConfig) async throws {
    try await runOnCursesThread(name: "ponder-replay", what: "replay") {
        try ReplayLoop(document: document, speed: speed, config: config).run()
    }
}

/// The replay's UI thread: reads keys, advances the player, renders and paints.
/// Unlike `UILoop` there is no driver: every message comes from the schedule or the keys.
struct ReplayLoop {
    let document: SessionDocument
    let speed: Double
    let config: TUIConfig

    func run() throws {
        let start = try CursesStart(config: config)
        defer { ps_restore_terminal() }
        let utf8 = start.utf8, painter = start.painter
        var state = UIState()
        state.notice = start.themeNotice
        state.glyphs = utf8 ? .unicode : .ascii
        state.layout = config.layout
        state.mode = document.turns.first?.mode ?? config.initialMode
        state.status.modelName = document.model?.fileName ?? ""
        state.status.contextSize = document.turns.last?.stats.contextSize ?? 0

        var player = ReplayPlayer(schedule: ReplaySchedule.make(document), speed: speed)
        var last = monotonicSeconds()
        func apply(_ input: ReplayInput) {
            for e in replayUpdate(&state, &player, input) {
                switch e {
                case .redraw: painter.invalidate()
                case .suspend:
                    ps_suspend()   // the loop's TerminalHold.check repaints on the way back
                    last = monotonicSeconds()   // the time stopped counts as paused
                default: break   // .quit already set `quitting`
                }
            }
        }
        apply(.resize(width: Int(ps_cols()), height: Int(ps_lines())))

        var reader = KeyReader(source: CursesKeySource())
        apply(.elapsed(0))
        while !state.quitting {
            switch TerminalHold.check() {
            case .background:
                usleep(50_000)
                last = monotonicSeconds()   // time away from the foreground counts as paused
                continue
            case .regained:
                last = monotonicSeconds()
                painter.invalidate()
                apply(.resize(width: Int(ps_cols()), height: Int(ps_lines())))
            case .foreground:
                break
            }
            painter.paint(render(state))
            // Sleep in the key read until the next cue is due (at most 100 ms, so the
            // spinner and timers move; 250 ms when nothing plays).
            let wait = player.secondsToNext.map { min(0.1, $0) } ?? 0.25
            var timeout = Int32((wait * 1000).rounded(.up))
            var taken = 0
            while taken < 4096, let input = reader.next(timeoutMs: timeout) {
                timeout = 0; taken += 1
                switch input {
                case .resize: apply(.resize(width: Int(ps_cols()), height: Int(ps_lines())))
                case .key(let k): apply(.key(k))
                }
                if state.quitting { break }
            }
            let now = monotonicSeconds()
            apply(.elapsed(now - last))
            last = now
        }
    }
}
