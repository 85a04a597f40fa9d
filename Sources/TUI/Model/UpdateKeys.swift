import Session

/// Key handling: an open overlay sees keys first, then the global bindings, then the
/// input line's Emacs keys.
func handleKey(_ k: Key, _ s: inout UIState, _ fx: inout [Effect]) {
    if s.quitArmed && s.keys.action(for: k) != .interrupt {
        s.quitArmed = false
        if s.notice?.text == quitHint(s.keys) { s.notice = nil }
    }
    if s.overlay != nil { overlayKey(k, &s); return }
    let g = Geometry(s)
    let page = max(1, g.paneRows - 1)

    if let action = s.keys.action(for: k), perform(action, k, &s, &fx, page: page, g: g) { return }

    switch k {
    case .enter:
        if s.input.chars.last == "\\" && s.input.cursor == s.input.chars.count {
            s.input.backspace()
            s.input.insert("\n")
        } else {
            submit(&s, &fx)
        }
    case .altEnter:
        s.input.insert("\n")
    case .wheelUp:
        scroll(by: -3, &s)
    case .wheelDown:
        scroll(by: 3, &s)
    default:
        editKey(k, &s.input)
    }
}

/// Runs a bound action. Returns false when the key should act as an ordinary key
/// instead: a printable key (such as ?) on a non-empty line, Ctrl-E (edit last) and
/// Ctrl-D (quit) on a non-empty line, where they edit.
private func perform(_ action: KeyAction, _ k: Key, _ s: inout UIState, _ fx: inout [Effect],
                     page: Int, g: Geometry) -> Bool {
    if case .char = k, !s.input.isEmpty { return false }
    switch action {
    case .toggleThinking:
        if s.status.hasReasoningMode { s.mode = s.mode.toggled } else { s.notice = noReasoningMode(s.status) }
    case .stop:
        if s.generating { fx.append(.cancel) } else { s.notice = nil }
    case .answerNow:
        answerNow(&s, &fx)
    case .interrupt:
        if s.generating {
            fx.append(.cancel)
        } else if s.quitArmed {
            fx.append(.quit)
        } else {
            s.input.clear()
            s.quitArmed = true
            s.notice = Notice(text: quitHint(s.keys), isError: false)
        }
    case .quit:
        guard s.input.isEmpty else { return false }
        if s.generating { fx.append(.cancel) }
        fx.append(.quit)
    case .save:
        fx.append(.driver(.save(path: nil)))
    case .redraw:
        fx.append(.redraw)
    case .suspend:
        fx.append(.suspend)
    case .compose:
        fx.append(.compose(s.input.text))
    case .regenerate:
        regenerate(&s, &fx)
    case .editLast:
        guard s.input.isEmpty else { return false }
        editLast(&s, &fx)
    case .help:
        s.overlay = Overlay(title: "Help", lines: HelpText.lines(s.keys))
    case .toggleReasoning:
        toggleFocused(&s)
    case .toggleAllReasoning:
        toggleAll(&s)
    case .pageUp:
        scroll(by: -page, &s)
    case .pageDown:
        scroll(by: page, &s)
    case .top:
        if ConversationPane.totalLines(s, width: g.convWidth) > g.paneRows { s.scrollTop = 0 }
    case .bottom:
        s.scrollTop = nil
    }
    return true
}

/// "still generating — Esc stops it", naming the stop key in effect.
func stillGenerating(_ keys: KeyBindings) -> String {
    let stop = (keys.keys(of: .stop) + keys.keys(of: .interrupt)).first.map(KeySpec.name)
    return "still generating" + (stop.map { " — \($0) stops it" } ?? "")
}

/// "press Ctrl-C again to quit", naming the interrupt key in effect.
func quitHint(_ keys: KeyBindings) -> String {
    "press \(keys.keys(of: .interrupt).first.map(KeySpec.name) ?? "it") again to quit"
}

/// Emacs-style editing keys of the input line.
private func editKey(_ k: Key, _ e: inout LineEditor) {
    switch k {
    case .char(let c): e.insert(String(c))
    case .paste(let text):
        e.insert(CharWidth.layoutText(text.replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\r", with: "\n")))
    case .backspace, .ctrl("h"): e.backspace()
    case .delete, .ctrl("d"): e.deleteForward()
    case .left, .ctrl("b"): e.left()
    case .right, .ctrl("f"): e.right()
    case .ctrl("a"): e.home()
    case .ctrl("e"): e.end()
    case .alt("b"): e.wordLeft()
    case .alt("f"): e.wordRight()
    case .ctrl("k"): e.killToEnd()
    case .ctrl("u"): e.killToStart()
    case .ctrl("w"): e.killWordBack()
    case .alt("d"): e.killWordForward()
    case .ctrl("y"): e.yank()
    case .up, .ctrl("p"): e.historyPrev()
    case .down, .ctrl("n"): e.historyNext()
    default: break
    }
}

/// Keys while an overlay is open: scrolling keys scroll it, anything else closes it.
private func overlayKey(_ k: Key, _ s: inout UIState) {
    guard var o = s.overlay else { return }
    let visible = max(1, min(s.height, o.lines.count + 2) - 2)
    let maxScroll = max(0, o.lines.count - visible)
    switch k {
    case .up, .wheelUp: o.scroll = max(0, o.scroll - 1)
    case .down, .wheelDown: o.scroll = min(maxScroll, o.scroll + 1)
    case .pageUp: o.scroll = max(0, o.scroll - visible)
    case .pageDown: o.scroll = min(maxScroll, o.scroll + visible)
    default: s.overlay = nil; return
    }
    s.overlay = o
}

/// Moves the view `delta` lines (negative = up). Reaching the end resumes following.
private func scroll(by delta: Int, _ s: inout UIState) {
    let g = Geometry(s)
    let total = ConversationPane.totalLines(s, width: g.convWidth)
    let maxTop = max(0, total - g.paneRows)
    let top = ConversationPane.top(s, width: g.convWidth, paneHeight: g.paneRows)
    let next = top + delta
    s.scrollTop = next >= maxTop ? nil : max(0, next)
}

/// Tab: folds or unfolds the reasoning of the focused turn — the last turn while
/// following, else the first turn with reasoning from the top of the view down.
private func toggleFocused(_ s: inout UIState) {
    guard let i = ConversationPane.focusedReasoningTurn(s) else { return }
    s.turns[i].collapsed.toggle()
    s.turns[i].toggledByUser = true
    s.turns[i].version += 1
}

/// Shift-Tab: folds every turn if any is open, else unfolds all.
private func toggleAll(_ s: inout UIState) {
    let anyOpen = s.turns.contains { !$0.reasoning.isEmpty && !$0.collapsed }
    for i in s.turns.indices where !s.turns[i].reasoning.isEmpty {
        s.turns[i].collapsed = anyOpen
        s.turns[i].toggledByUser = true
        s.turns[i].version += 1
    }
}

private func regenerate(_ s: inout UIState, _ fx: inout [Effect]) {
    guard !s.generating else {
        s.notice = Notice(text: stillGenerating(s.keys), isError: true); return
    }
    guard !s.turns.isEmpty else {
        s.notice = Notice(text: "nothing to regenerate yet", isError: true); return
    }
    s.undoTurn = s.turns[s.turns.count - 1]
    resetReply(&s.turns[s.turns.count - 1], mode: s.mode, at: s.now)
    s.generating = true
    s.scrollTop = nil
    fx.append(.driver(.regenerate(mode: s.mode)))
}

private func editLast(_ s: inout UIState, _ fx: inout [Effect]) {
    guard !s.generating else {
        s.notice = Notice(text: stillGenerating(s.keys), isError: true); return
    }
    guard let last = s.turns.last else {
        s.notice = Notice(text: "no message to edit yet", isError: true); return
    }
    s.undoTurn = s.turns.removeLast()
    s.input.set(last.user)
    fx.append(.driver(.dropLastTurn))
}

/// Enter: a slash command runs; other text is sent as a new turn.
private func submit(_ s: inout UIState, _ fx: inout [Effect]) {
    let text = s.input.text
    // (Stops at the first non-blank: a pasted megabyte is not copied to be trimmed.)
    guard text.unicodeScalars.contains(where: { !CharacterSet.whitespacesAndNewlines.contains($0) }) else { return }
    if text.drop(while: { $0 == " " }).hasPrefix("/") {
        switch SlashCommand.parse(text) {
        case .failure(let e):
            s.notice = Notice(text: e.message, isError: true)
        case .success(let c):
            _ = s.input.submit()
            fx.append(.appendHistory(text))
            s.notice = nil
            run(c, &s, &fx)
        }
        return
    }
    guard !s.generating else {
        s.notice = Notice(text: stillGenerating(s.keys), isError: true); return
    }
    _ = s.input.submit()
    s.notice = nil
    var t = Turn(id: s.nextTurnID, sessionIndex: nil, user: text, mode: s.mode)
    t.startedAt = s.now
    s.nextTurnID += 1
    s.turns.append(t)
    s.generating = true
    s.scrollTop = nil
    fx.append(.appendHistory(text))
    fx.append(.send(text, s.mode))
}

import Foundation
