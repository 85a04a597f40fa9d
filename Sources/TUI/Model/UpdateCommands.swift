import Session

/// Runs a parsed slash command (the handler of every `SlashCommand.registry` entry):
/// UI-only ones change the state, the rest become effects.
func run(_ c: SlashCommand, _ s: inout UIState, _ fx: inout [Effect]) {
    func busy() -> Bool {
        if s.generating { s.notice = Notice(text: stillGenerating(s.keys), isError: true) }
        return s.generating
    }
    switch c {
    case .think(let t):
        guard s.status.hasReasoningMode else { s.notice = noReasoningMode(s.status); return }
        switch t {
        case .on: s.mode = .on
        case .off: s.mode = .off
        case .toggle: s.mode = s.mode.toggled
        }
    case .budget(let n, let always): fx.append(.driver(.setReasoningBudget(n, always: always)))
    case .thinkMin(let n, let always): fx.append(.driver(.setThinkMinimum(n, always: always)))
    case .answerNow: answerNow(&s, &fx)
    case .historyReasoning(let b): fx.append(.driver(.setHistoryReasoning(b)))
    case .reasoning(let show):
        // Full screen: every turn's reasoning unfolded or folded (the line mode prints
        // it or not; LineCommands reports the choice).
        for i in s.turns.indices where !s.turns[i].reasoning.isEmpty {
            s.turns[i].collapsed = !show
            s.turns[i].toggledByUser = true
            s.turns[i].version += 1
        }
        s.notice = Notice(text: show ? "reasoning shown" : "reasoning hidden", isError: false)
    case .save(let p): fx.append(.driver(.save(path: p)))
    case .load(let p):
        if !busy() { fx.append(.driver(.load(path: p))) }
    case .new:
        if !busy() {
            s.turns = []; s.scrollTop = nil; s.liveStats = nil
            s.layoutCache.removeAll()
            fx.append(.driver(.newConversation))
        }
    case .system(let t): fx.append(.driver(.setSystemPrompt(t)))
    case .set(let x, let mode): fx.append(.driver(.setSampler(x, mode: mode ?? s.mode)))
    case .resetSampler(let mode): fx.append(.driver(.resetSampler(mode: mode)))
    case .stats: s.overlay = Overlay(title: "Stats", lines: statsLines(s))
    case .model: s.overlay = Overlay(title: "Model", lines: modelLines(s.status, mode: s.mode))
    case .notices: s.overlay = Overlay(title: "Notices", lines: noticeLines(s))
    case .export(let p): fx.append(.driver(.export(path: p)))
    case .theme(let n): fx.append(.loadTheme(n))
    case .layout(let l):
        s.layout = l
        s.notice = Notice(text: l.describe(width: s.width), isError: false)
    case .copy:
        if let a = s.turns.last(where: { !$0.answer.isEmpty })?.answer {
            fx.append(.copy(a))
        } else {
            s.notice = Notice(text: "no answer to copy yet", isError: true)
        }
    case .copyCode:
        if let code = s.turns.reversed().lazy.compactMap({ Markdown.lastCodeBlock($0.answer) }).first {
            fx.append(.copy(code))
        } else {
            s.notice = Notice(text: "no code block in the answers yet", isError: true)
        }
    case .help: s.overlay = Overlay(title: "Help", lines: HelpText.lines(s.keys))
    case .quit:
        if s.generating { fx.append(.cancel) }
        fx.append(.quit)
    }
}

/// Folds a command's answer into the state.
func applyResult(_ cmd: DriverCommand, _ r: DriverResult, to s: inout UIState) {
    switch r {
    case .done(let m):
        s.notice = m.map { Notice(text: $0, isError: false) }
        s.undoTurn = nil
        // The running turn's reasoning ends where the user asked: its reply says so.
        if cmd == .answerNow, s.generating, !s.turns.isEmpty {
            s.turns[s.turns.count - 1].reasoningEnd = .user
            s.turns[s.turns.count - 1].version += 1
        }
    case .failed(let m):
        s.notice = Notice(text: m, isError: true)
        if case .regenerate = cmd, let u = s.undoTurn, !s.turns.isEmpty {
            s.generating = false
            // Past every version the regenerated reply had: the layout cache must not
            // mistake the old text for one of those.
            let streamed = s.turns[s.turns.count - 1].version
            s.turns[s.turns.count - 1] = u
            s.turns[s.turns.count - 1].version = max(u.version, streamed) + 1
        }
        if cmd == .dropLastTurn, let u = s.undoTurn {
            s.turns.append(u)
            s.input.clear()
        }
        s.undoTurn = nil
    case .transcript(let turns, let m):
        s.layoutCache.removeAll()   // the turns shown so far are gone for good
        s.turns = turns.enumerated().map { i, t in
            var u = Turn(id: s.nextTurnID + i, sessionIndex: i, user: t.user, mode: t.mode)
            u.reasoning = t.reasoning; u.answer = t.answer; u.stats = t.stats; u.reasoningEnd = t.reasoningEnd
            u.collapsed = !t.reasoning.isEmpty
            u.finished = .endOfTurn
            return u
        }
        s.nextTurnID += turns.count
        s.scrollTop = nil
        s.generating = false
        s.notice = m.map { Notice(text: $0, isError: false) }
    }
}

/// Lines of the /stats overlay: the running or last turn's statistics, the
/// conversation's thinking and answering, then memory.
func statsLines(_ s: UIState) -> [String] {
    turnStatsLines(s) + conversationLines(s.status.conversation) + memoryLines(s)
}

/// Thinking against answering over the conversation's finished turns, as the session
/// summed them from its records: time (share of the turns' wall time) and generated
/// tokens (share of them).
private func conversationLines(_ share: ThinkingShare?) -> [String] {
    guard let c = share, c.turns > 0 else { return [] }
    func part(_ secs: Double, _ timeShare: Double?, _ tokens: Int, _ tokenShare: Double?) -> String {
        StatsBar.fmt2(secs) + " s" + (timeShare.map { " (\(ThinkingShare.percent($0)))" } ?? "")
            + ", \(tokens) tokens" + (tokenShare.map { " (\(ThinkingShare.percent($0)))" } ?? "")
    }
    return [
        "conversation      \(c.turns) turn\(c.turns == 1 ? "" : "s"), \(StatsBar.fmt2(c.totalSeconds)) s",
        "  thinking        " + part(c.thinkingSeconds, c.thinkingTimeShare, c.thinkingTokens, c.thinkingTokenShare),
        "  answering       " + part(c.answeringSeconds, c.answeringTimeShare, c.answeringTokens, c.answeringTokenShare),
    ]
}

/// The running or last turn's statistics.
private func turnStatsLines(_ s: UIState) -> [String] {
    guard let st = s.liveStats else { return ["no turn yet"] }
    func t(_ x: Double?) -> String { x.map { StatsBar.fmt2($0) + " s" } ?? "-" }
    func r(_ x: Double?) -> String { x.map { StatsBar.fmt1($0) + " tok/s" } ?? "-" }
    return [
        "prompt tokens     \(st.promptTokens) (\(st.cachedTokens) cached)",
        "reasoning tokens  \(st.reasoningTokens)",
        "answer tokens     \(st.answerTokens)",
        "first token       \(t(st.timeToFirstToken))",
        "first answer      \(t(st.timeToFirstAnswerToken))",
        "prefill           \(r(st.prefillTokensPerSecond))",
        "decode            \(r(st.decodeTokensPerSecond))",
        "speculation       \(st.speculationSummary ?? "no drafts")",
        "wall time         \(StatsBar.fmt2(st.wallTime)) s",
        "context           \(st.contextUsed)/\(st.contextSize)",
    ]
}

/// Where the memory goes: the process's resident size, the text of the conversation
/// and the UI's layout cache (whose size follows the text shown, see `LayoutCache`).
private func memoryLines(_ s: UIState) -> [String] {
    let u = s.layoutCache.current
    var chars = 0
    for t in s.turns { chars += t.user.utf8.count + t.reasoning.utf8.count + t.answer.utf8.count }
    return [
        "resident memory   \(s.rssBytes.map(StatsBar.bytes) ?? "-")",
        "ui: text          \(StatsBar.bytes(chars)) in \(s.turns.count) turn\(s.turns.count == 1 ? "" : "s")",
        "ui: layout cache  \(StatsBar.bytes(u.bytes)), \(u.lines) lines",
    ]
}

/// Lines of the /model overlay: the sampler shown is the one of `mode` (the next turn's).
func modelLines(_ st: DriverStatus, mode: ReasoningMode) -> [String] {
    func o<T>(_ x: T?) -> String { x.map { "\($0)" } ?? "-" }
    let sp = st.sampling(for: mode)
    func f(_ x: Double?) -> String { x.map(SamplingSettings.shortNumber) ?? "-" }
    return [
        "model             \(st.modelName.isEmpty ? "-" : st.modelName)",
        "quantization      \(st.quantization.isEmpty ? "-" : st.quantization)",
        "context           \(st.contextSize) tokens",
        "KV cache          \(StatsBar.bytes(st.kvCacheBytes))",
        "threads           \(st.threads)",
        "sampler           \(mode == .on ? "THINKING" : "DIRECT")\(sp?.isGreedy == true ? " (greedy)" : "")",
        "temperature       \(f(sp?.temperature))",
        "top_p             \(f(sp?.topP))",
        "top_k             \(o(sp?.topK))",
        "min_p             \(f(sp?.minP))",
        "repeat penalty    \(f(sp?.repetitionPenalty))",
        "max tokens        \(o(sp?.maxTokens))",
        "seed              \(o(st.seed))",
        "reasoning budget  \(st.reasoningBudget.map { "\($0) tokens" } ?? "off")",
        "reasoning minimum \(st.reasoningMinimum.map { "\($0) tokens" } ?? "off")",
        "history reasoning \(st.historyReasoning ? "on" : "off")",
        "reasoning profile \(st.reasoningProfile.isEmpty ? "-" : st.reasoningProfile)",
    ]
}

/// /notices: the recent notices, newest last, each wrapped to fit the overlay (errors
/// marked), so a notice cut short on the notice line can be read whole.
func noticeLines(_ s: UIState) -> [String] {
    guard !s.noticeLog.isEmpty else { return ["no notices yet"] }
    let width = max(10, s.width - 8)
    return s.noticeLog.flatMap { n in
        n.wrapped(width: width - 2).enumerated().map { i, l in (i == 0 ? (n.isError ? "! " : "- ") : "  ") + l }
    }
}

/// What Ctrl-T and `/think` say for a model without a reasoning mode (nothing changes).
func noReasoningMode(_ st: DriverStatus) -> Notice {
    Notice(text: "this model has no reasoning mode (reasoning profile \(st.reasoningProfile.isEmpty ? "none" : st.reasoningProfile)); "
               + "start with --reasoning-profile NAME to choose one", isError: false)
}

/// "Answer now" (`/answer`, Ctrl-]): asks the session to close the running turn's
/// reasoning; says why not when no turn is reasoning.
func answerNow(_ s: inout UIState, _ fx: inout [Effect]) {
    guard s.generating, let turn = s.turns.last else {
        s.notice = Notice(text: "no reply is being written: answer now ends a turn's reasoning while it runs", isError: true)
        return
    }
    guard turn.answer.isEmpty else {
        s.notice = Notice(text: "the reasoning is over: the answer is being written", isError: false)
        return
    }
    fx.append(.driver(.answerNow))
}
