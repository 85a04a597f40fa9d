import Session

/// The pure core: the next state and the effects for the runtime, given a message.
/// Never touches the terminal or the session; `render` draws the result.
func update(_ old: UIState, _ msg: UIMessage) -> (UIState, [Effect]) {
    var s = old
    let fx = update(&s, msg)
    return (s, fx)
}

/// `update` in place: the same function, without copying the conversation when the
/// caller owns the only reference (10,000 turns stay cheap per message).
func update(_ s: inout UIState, _ msg: UIMessage) -> [Effect] {
    var fx: [Effect] = []
    let shown = s.notice
    defer {
        // A notice set while handling the user's keys, commands or the runtime's replies
        // to them stays when session notices arrive (`showSessionNotice`).
        if s.notice != shown {
            if case .session = msg { s.noticeAnswersUser = false } else { s.noticeAnswersUser = true }
        }
    }
    switch msg {
    case .resize(let w, let h):
        s.width = max(0, w); s.height = max(0, h)
    case .tick(let t, let rss):
        s.now = max(s.now, t)
        if let rss { s.rssBytes = rss }
    case .status(let st):
        s.status = st
    case .composed(let text):
        var t = text
        while t.hasSuffix("\n") { t.removeLast() }
        s.input.set(CharWidth.layoutText(t))
    case .notice(let text, let isError):
        s.notice = Notice(text: text, isError: isError)
    case .session(let ev, let time):
        s.now = max(s.now, time)
        apply(ev, to: &s)
    case .commandResult(let cmd, let result):
        applyResult(cmd, result, to: &s)
    case .key(let k):
        handleKey(k, &s, &fx)
    }
    if fx.contains(.quit) { s.quitting = true }
    return fx
}

/// Folds one session event into the state.
private func apply(_ ev: SessionEvent, to s: inout UIState) {
    switch ev {
    case .turnStarted(let index, let mode):
        s.generating = true
        s.prefill = PrefillProgress(startedAt: s.now, at: s.now)
        if let i = s.turns.lastIndex(where: { $0.sessionIndex == index }) {
            // Regenerated: the reply starts over.
            resetReply(&s.turns[i], mode: mode, at: s.now)
        } else if let i = s.turns.lastIndex(where: { $0.sessionIndex == nil && $0.finished == nil }) {
            s.turns[i].sessionIndex = index
            s.turns[i].mode = mode
            s.turns[i].startedAt = s.turns[i].startedAt ?? s.now
            s.turns[i].version += 1
        } else {
            var t = Turn(id: s.nextTurnID, sessionIndex: index, user: "", mode: mode)
            t.startedAt = s.now
            s.nextTurnID += 1
            s.turns.append(t)
        }
    case .prefillProgress(_, let done, let total):
        var p = s.prefill ?? PrefillProgress(startedAt: s.now, at: s.now)
        p.total = max(0, total)
        p.done = min(max(0, done), p.total)
        p.at = s.now
        s.prefill = p
    case .reasoning(let index, let text):
        withTurn(index, &s) { t, now in
            if t.reasoningStartedAt == nil { t.reasoningStartedAt = now }
            t.reasoning += text
            t.version += 1
        }
    case .answer(let index, let text):
        withTurn(index, &s) { t, now in
            if t.answerStartedAt == nil {
                t.answerStartedAt = now
                if !t.toggledByUser { t.collapsed = true }
            }
            t.answer += text
            t.version += 1
        }
    case .stats(let index, let st):
        s.liveStats = st
        withTurn(index, &s) { t, _ in t.stats = st }
    case .notice(let text):
        s.showSessionNotice(Notice(text: text, isError: false, fromSession: true))
    case .turnFinished(let index, let reason, let st):
        s.generating = false
        s.prefill = nil
        s.liveStats = st
        // The backend reports why a turn failed (`.error`) just before it ends it: the
        // turn keeps that line as its mark, below what had arrived.
        let failure = reason == .error ? (s.notice.flatMap { $0.isError ? $0.text : nil } ?? "the turn ended in an error") : nil
        withTurn(index, &s) { t, now in
            t.finished = reason
            if let failure { t.error = failure }
            t.stats = st
            t.finishedAt = now
            t.version += 1
        }
    case .error(let text):
        s.notice = Notice(text: text, isError: true)
    }
}

/// Runs `body` on the turn the session calls `index` (the latest such), if shown.
private func withTurn(_ index: Int, _ s: inout UIState, _ body: (inout Turn, Double) -> Void) {
    guard let i = s.turns.lastIndex(where: { $0.sessionIndex == index }) else { return }
    body(&s.turns[i], s.now)
}

/// Clears a turn's reply so it can stream again (regenerate).
func resetReply(_ t: inout Turn, mode: ReasoningMode, at now: Double) {
    t.mode = mode
    t.reasoning = ""; t.answer = ""
    t.collapsed = false; t.toggledByUser = false
    t.stats = nil; t.reasoningEnd = nil; t.finished = nil; t.error = nil
    t.startedAt = now; t.reasoningStartedAt = nil; t.answerStartedAt = nil; t.finishedAt = nil
    t.version += 1
}
