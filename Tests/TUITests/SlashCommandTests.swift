import Foundation
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
        #expect(ok("/budget 512") == .budget(512, always: false))
        #expect(ok("/budget 512 always") == .budget(512, always: true))
        #expect(ok("/budget off") == .budget(nil, always: true))
        #expect(ok("/budget min 64") == .thinkMin(64, always: false))
        #expect(ok("/budget MIN 64 always") == .thinkMin(64, always: true))
        #expect(ok("/budget min off") == .thinkMin(nil, always: true))
        #expect(ok("/answer") == .answerNow)
        #expect(ok("/history-reasoning on") == .historyReasoning(true))
        #expect(ok("/history-reasoning off") == .historyReasoning(false))
        #expect(ok("/reasoning show") == .reasoning(show: true))
        #expect(ok("/reasoning HIDE") == .reasoning(show: false))
        #expect(ok("/save") == .save(nil))
        #expect(ok("/save /tmp/my chat.json") == .save("/tmp/my chat.json"))
        #expect(ok("/load chat.json") == .load("chat.json"))
        #expect(ok("/new") == .new)
        #expect(ok("/system You are terse.  ") == .system("You are terse."))
        #expect(ok("/set temp 0.6") == .set(.temperature(0.6), mode: nil))
        #expect(ok("/set top_p 0.95") == .set(.topP(0.95), mode: nil))
        #expect(ok("/set top_k 40") == .set(.topK(40), mode: nil))
        #expect(ok("/set min_p 0.05") == .set(.minP(0.05), mode: nil))
        #expect(ok("/set seed 18446744073709551615") == .set(.seed(UInt64.max), mode: nil))
        #expect(ok("/set max_tokens 2048") == .set(.maxTokens(2048), mode: nil))
        #expect(ok("/set think temp 0.8") == .set(.temperature(0.8), mode: .on))
        #expect(ok("/set direct top_k 5") == .set(.topK(5), mode: .off))
        #expect(ok("/set reset") == .resetSampler(nil))
        #expect(ok("/set Direct reset") == .resetSampler(.off))
        #expect(ok("/stats") == .stats)
        #expect(ok("/model") == .model)
        #expect(ok("/export notes/chat.md") == .export("notes/chat.md"))
        #expect(ok("/theme solarized-dark") == .theme("solarized-dark"))
        #expect(ok("/layout split") == .layout(.split))
        #expect(ok("/layout INLINE") == .layout(.inline))
        #expect(ok("/layout auto") == .layout(.auto))
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
            ("/budget", "/budget takes a number of tokens (then always, for every turn) or off"),
            ("/budget 5 forever", "/budget takes a number of tokens (then always, for every turn) or off"),
            ("/budget min", "/budget min takes a number of tokens (then always, for every turn) or off"),
            ("/budget min 0", "/budget min takes a positive number of tokens or off, not \"0\""),
            ("/budget min 5 always more", "/budget min takes a number of tokens (then always, for every turn) or off"),
            ("/answer now", "/answer takes no arguments"),
            ("/history-reasoning", "/history-reasoning takes on or off"),
            ("/reasoning", "/reasoning takes show or hide"),
            ("/load", "/load needs a PATH"),
            ("/system", "/system needs the prompt TEXT"),
            ("/set temp hot", "temp takes a number, not \"hot\""),
            ("/set temp nan", "temperature must be in 0...100"),
            ("/set top_p 1.5", "top-p must be in (0, 1]"),
            ("/set top_k 2.5", "top_k takes a whole number, not \"2.5\""),
            ("/set top_k -1", "top-k must be ≥ 0"),
            ("/set repeat_penalty 0", "repetition penalty must be in (0, 100]"),
            ("/set seed -1", "seed takes a whole number ≥ 0, not \"-1\""),
            ("/set max_tokens 0", "max tokens must be in 1...16777216"),
            ("/set think seed 3", "the seed is shared by both modes: /set seed N"),
            ("/set direct", "/set takes [think|direct] NAME VALUE (temp, top_p, top_k, min_p, repeat_penalty, seed, max_tokens) or reset"),
            ("/set warmth 3", "unknown setting \"warmth\" — temp, top_p, top_k, min_p, repeat_penalty, seed, max_tokens"),
            ("/set temp", "/set takes [think|direct] NAME VALUE (temp, top_p, top_k, min_p, repeat_penalty, seed, max_tokens) or reset"),
            ("/export chat.txt", "/export writes Markdown: the PATH must end in .md"),
            ("/theme", "/theme needs one theme NAME"),
            ("/copy everything", "/copy takes nothing or code"),
            ("/layout", "/layout takes split, inline or auto"),
            ("/layout wide", "/layout takes split, inline or auto"),
            ("/layout split inline", "/layout takes split, inline or auto"),
            ("/new now", "/new takes no arguments"),
        ]
        for (input, message) in cases {
            #expect(err(input) == message, "\(input)")
        }
        let long = String(repeating: "9", count: 40)
        #expect(err("/set temp \(long)x")?.contains("…") == true)
    }

    /// `/set` accepts exactly what a session file may hold: a value the loader would
    /// refuse (`top_p 0`) is refused with the loader's own message, and every value
    /// `/set` accepts loads back.
    @Test func setAgreesWithTheLoader() throws {
        // The loader's message for a session file whose thinking sampler holds the value.
        func loaderError(_ change: (inout SamplingSettings) -> Void) throws -> String? {
            var settings = SessionSettings()
            change(&settings.samplingOn)
            let url = FileManager.default.temporaryDirectory
                .appendingPathComponent("ponder-set-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json")
            defer { try? FileManager.default.removeItem(at: url) }
            try SessionDocument(created: 0, model: nil, chatFormat: "chatml", settings: settings, turns: [])
                .save(to: url, overwrite: false)
            do { _ = try SessionLoader.load(url); return nil } catch {
                return "\(error)".components(separatedBy: "settings.samplingOn: ").last
            }
        }
        #expect(err("/set top_p 0") == "top-p must be in (0, 1]")
        #expect(try err("/set top_p 0") == loaderError { $0.topP = 0 })
        #expect(try err("/set temp -0.5") == loaderError { $0.temperature = -0.5 })
        #expect(try err("/set min_p 1.01") == loaderError { $0.minP = 1.01 })
        #expect(try err("/set max_tokens 99999999") == loaderError { $0.maxTokens = 99_999_999 })
        #expect(try err("/set repeat_penalty 101") == loaderError { $0.repetitionPenalty = 101 })
        #expect(ok("/set repeat_penalty 1.1") == .set(.repetitionPenalty(1.1), mode: nil))
        #expect(try ok("/set top_p 1") == .set(.topP(1), mode: nil) && loaderError { $0.topP = 1 } == nil)
        #expect(try ok("/set min_p 0") == .set(.minP(0), mode: nil) && loaderError { $0.minP = 0 } == nil)
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
        #expect(run("/budget 100") == [.driver(.setReasoningBudget(100, always: false))])
        #expect(run("/budget 100 always") == [.driver(.setReasoningBudget(100, always: true))])
        #expect(run("/budget min 100") == [.driver(.setThinkMinimum(100, always: false))])
        #expect(run("/budget min off") == [.driver(.setThinkMinimum(nil, always: true))])
        #expect(run("/history-reasoning on") == [.driver(.setHistoryReasoning(true))])
        #expect(run("/save") == [.driver(.save(path: nil))])
        #expect(run("/load a.json") == [.driver(.load(path: "a.json"))])
        #expect(run("/system Be brief.") == [.driver(.setSystemPrompt("Be brief."))])
        #expect(run("/set seed 7") == [.driver(.setSampler(.seed(7), mode: .on))])
        #expect(run("/export a.md") == [.driver(.export(path: "a.md"))])
        #expect(run("/theme light") == [.loadTheme("light")])
        #expect(run("/think off") == [] && s.state.mode == .off)
        // /set changes the sampler of the next turn's mode unless one is named.
        #expect(run("/set temp 0.9") == [.driver(.setSampler(.temperature(0.9), mode: .off))])
        #expect(run("/set think temp 0.8") == [.driver(.setSampler(.temperature(0.8), mode: .on))])
        #expect(run("/set reset") == [.driver(.resetSampler(mode: nil))])
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
