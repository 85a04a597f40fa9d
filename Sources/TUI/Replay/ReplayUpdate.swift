import Session

/// What drives the replay screen: keys, resizes and the passing of real time.
enum ReplayInput: Sendable, Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
    /// Real seconds since the previous `.elapsed`.
    case elapsed(Double)
}

/// The pure core of the full-screen replay: the chat's `UIState` fed by the player's cues
/// instead of a live session, and a few keys of its own. The UI clock (`UIState.now`) is
/// the replay clock, so the durations shown are the recorded ones whatever the speed.
///
/// Keys: q or Ctrl-C quits; space pauses and resumes; Tab / Shift-Tab fold reasoning;
/// PgUp/PgDn, the wheel, Up/Down (as the wheel), Home/End scroll; Ctrl-L redraws;
/// Ctrl-Z suspends. Other keys do nothing (there is no input line to type into).
func replayUpdate(_ s: inout UIState, _ p: inout ReplayPlayer, _ input: ReplayInput) -> [Effect] {
    var fx: [Effect] = []
    switch input {
    case .resize(let w, let h):
        fx += update(&s, .resize(width: w, height: h))
    case .elapsed(let dt):
        for c in p.advance(by: dt) { play(c.cue, &s, at: c.at) }
        fx += update(&s, .tick(time: p.clock, rssBytes: nil))
    case .key(let k):
        switch k {
        case .char("q"), .char("Q"), .ctrl("c"):
            fx.append(.quit)
            s.quitting = true
        case .char(" "):
            p.paused.toggle()
        case .tab, .backTab, .pageUp, .pageDown, .wheelUp, .wheelDown, .home, .end:
            handleKey(k, &s, &fx)
        case .up:
            handleKey(.wheelUp, &s, &fx)
        case .down:
            handleKey(.wheelDown, &s, &fx)
        case .ctrl("l"):
            fx.append(.redraw)
        case .ctrl("z"):
            fx.append(.suspend)
        default:
            break
        }
    }
    showStatus(&s, p)
    return fx
}

/// Feeds one cue to the UI state as the live chat would have seen it, stamped with its
/// scheduled time (so a turn's durations are the recorded ones, not the frame times).
private func play(_ cue: ReplayCue, _ s: inout UIState, at time: Double) {
    s.now = max(s.now, time)
    switch cue {
    case .user(_, let text, let mode):
        // As `submit` does for a typed message; the session's turnStarted then binds it.
        s.mode = mode
        if s.notice?.isError == true { s.notice = nil }   // the last turn's error is over
        var t = Turn(id: s.nextTurnID, sessionIndex: nil, user: CharWidth.layoutText(text), mode: mode)
        t.startedAt = s.now
        s.nextTurnID += 1
        s.turns.append(t)
        s.generating = true
    case .event(let ev):
        _ = update(&s, .session(ev, time: time))
    case .reasoningEnded(let index, let end):
        guard let i = s.turns.lastIndex(where: { $0.sessionIndex == index }) else { return }
        s.turns[i].reasoningEnd = end
        s.turns[i].version += 1
    }
}

/// The notice line says where the replay is and which keys work; an error notice from
/// the recording (a turn that failed) is left in place.
private func showStatus(_ s: inout UIState, _ p: ReplayPlayer) {
    if let n = s.notice, n.isError { return }
    let speed = p.speed == p.speed.rounded() && p.speed < 1e9 ? String(Int(p.speed)) : String(p.speed)
    let text: String
    if p.finished {
        text = "end of replay (\(p.turnCount) turns) — q quits"
    } else if p.paused {
        text = "replay paused at turn \(p.turnsBegun)/\(p.turnCount) — space resumes, q quits"
    } else {
        text = "replay turn \(p.turnsBegun)/\(p.turnCount) ×\(speed) — space pauses, q quits"
    }
    s.notice = Notice(text: text, isError: false)
}
