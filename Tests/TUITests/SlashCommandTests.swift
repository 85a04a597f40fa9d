import Testing
import Session
@testable import TUI

/// Slash commands parse to typed values; bad ones give a one-line error.
@Suite struct SlashCommandTests {
    func ok(_ s: String) -> SlashCommand? { try? SlashCommand.parse(s).get() }
    func err(_ s: String) -> String? {
        if case .failure(let e) = SlashCommand.parse(s) { return e.message }
        return nil
    }

    @Test func everyCommandParses() {
        #expect(ok("/think on") == .think(.on))
        #expect(ok("/think OFF") == .think(.off))
        #expect(ok("/think toggle") == .think(.toggle))
        #expect(ok("/budget 512") == .budget(512))
        #expect(ok("/budget off") == .budget(nil))
        #expect(ok("/history-reasoning on") == .historyReasoning(true))
        #expect(ok("/history-reasoning off") == .historyReasoning(false))
        #expect(ok("/reasoning show") == .reasoning(show: true))
        #expect(ok("/reasoning HIDE") == .reasoning(show: false))
        #expect(ok("/save") == .save(nil))
        #expect(ok("/save /tmp/my chat.json") == .save("/tmp/my chat.json"))
        #expect(ok("/load chat.json") == .load("chat.json"))
        #expect(ok("/new") == .new)
        #expect(ok("/system You are terse.  ") == .system("You are terse."))
        #expect(ok("/set temp 0.6") == .set(.temperature(0.6)))
        #expect(ok("/set top_p 0.95") == .set(.topP(0.95)))
        #expect(ok("/set top_k 40") == .set(.topK(40)))
        #expect(ok("/set min_p 0.05") == .set(.minP(0.05)))
        #expect(ok("/set seed 18446744073709551615") == .set(.seed(UInt64.max)))
        #expect(ok("/set max_tokens 2048") == .set(.maxTokens(2048)))
        #expect(ok("/stats") == .stats)
        #expect(ok("/model") == .model)
        #expect(ok("/export notes/chat.md") == .export("notes/chat.md"))
        #expect(ok("/theme solarized-dark") == .theme("solarized-dark"))
        #expect(ok("/copy") == .copy)
        #expect(ok("/copy code") == .copyCode)
        #expect(ok("/help") == .help)
        #expect(ok("/quit") == .quit)
    }

    @Test func badCommandsAndValuesGiveOneLineErrors() {
        let cases: [(String, String)] = [
            ("/frobnicate", "unknown command /frobnicate — /help lists commands"),
            ("/", "empty command — /help lists commands"),
            ("/think maybe", "/think takes on, off or toggle"),
            ("/budget -5", "/budget takes a positive number of tokens or off, not \"-5\""),
            ("/budget", "/budget takes a number of tokens or off"),
            ("/history-reasoning", "/history-reasoning takes on or off"),
            ("/reasoning", "/reasoning takes show or hide"),
            ("/load", "/load needs a PATH"),
            ("/system", "/system needs the prompt TEXT"),
            ("/set temp hot", "temp takes a number ≥ 0, not \"hot\""),
            ("/set temp nan", "temp takes a number ≥ 0, not \"nan\""),
            ("/set top_p 1.5", "top_p takes a number in 0…1, not \"1.5\""),
            ("/set top_k 2.5", "top_k takes a whole number ≥ 0, not \"2.5\""),
            ("/set seed -1", "seed takes a whole number ≥ 0, not \"-1\""),
            ("/set max_tokens 0", "max_tokens takes a whole number ≥ 1, not \"0\""),
            ("/set warmth 3", "unknown setting \"warmth\" — temp, top_p, top_k, min_p, seed, max_tokens"),
            ("/set temp", "/set takes NAME VALUE (temp, top_p, top_k, min_p, seed, max_tokens)"),
            ("/export chat.txt", "/export writes Markdown: the PATH must end in .md"),
            ("/theme", "/theme needs one theme NAME"),
            ("/copy everything", "/copy takes nothing or code"),
            ("/new now", "/new takes no arguments"),
        ]
        for (input, message) in cases {
            #expect(err(input) == message, "\(input)")
        }
        let long = String(repeating: "9", count: 40)
        #expect(err("/set temp \(long)x")?.contains("…") == true)
    }

    @Test func badCommandKeepsTheInputAndShowsTheError() {
        var s = Script(width: 40, height: 6)
        s.type("/think perhaps"); s.key(.enter)
        #expect(s.state.input.text == "/think perhaps")
        #expect(s.state.notice == Notice(text: "/think takes on, off or toggle", isError: true))
        #expect(s.lines[3] == "/think takes on, off or toggle")
        #expect(s.screen.rows[3][0].style.role == .error)
        #expect(s.effects.isEmpty)
    }

    @Test func commandsBecomeEffects() {
        var s = Script(width: 40, height: 6)
        func run(_ line: String) -> [Effect] {
            s.type(line); s.key(.enter); return s.takeEffects().filter {
                if case .appendHistory = $0 { return false } else { return true }
            }
        }
        #expect(run("/budget 100") == [.driver(.setReasoningBudget(100))])
        #expect(run("/history-reasoning on") == [.driver(.setHistoryReasoning(true))])
        #expect(run("/save") == [.driver(.save(path: nil))])
        #expect(run("/load a.json") == [.driver(.load(path: "a.json"))])
        #expect(run("/system Be brief.") == [.driver(.setSystemPrompt("Be brief."))])
        #expect(run("/set seed 7") == [.driver(.setSampler(.seed(7)))])
        #expect(run("/export a.md") == [.driver(.export(path: "a.md"))])
        #expect(run("/theme light") == [.loadTheme("light")])
        #expect(run("/think off") == [] && s.state.mode == .off)
        #expect(run("/think toggle") == [] && s.state.mode == .on)
        #expect(run("/new") == [.driver(.newConversation)])
        #expect(run("/copy") == [] && s.state.notice?.isError == true)
        #expect(run("/stats") == [] && s.state.overlay?.title == "Stats")
        s.key(.escape)
        #expect(run("/model") == [] && s.state.overlay?.title == "Model")
        s.key(.escape)
        #expect(run("/quit") == [.quit])
    }

    @Test func copyTakesTheLastAnswerAndItsLastCodeBlock() {
        var s = Script(width: 40, height: 8)
        s.directTurn(0, user: "q", answer: "Use:\n```sh\nls -l\n```\nthen\n~~~\necho hi\necho bye\n~~~\nok")
        s.directTurn(1, user: "q2", answer: "plain answer")
        s.type("/copy"); s.key(.enter)
        #expect(s.takeEffects().contains(.copy("plain answer")))
        s.type("/copy code"); s.key(.enter)
        #expect(s.takeEffects().contains(.copy("echo hi\necho bye")))
    }
}
