import Testing
import Foundation
import Session
import TestSupport

/// The line mode (`ponder chat --line`, GNU readline) in a real terminal under tmux.
/// Most runs use `--demo`, whose `EchoDriver` is a test double for the session: it
/// streams canned reasoning when thinking is on (SmolLM2 writes no `<think>` of its own)
/// and echoes the message as the answer. The last test runs the real SmolLM2 model.
@Suite(.serialized) struct LineModeTests {
    typealias Tmux = TerminalTests.Tmux

    /// A script that records `stty -a` before and after the `runs`, and each run's exit
    /// status, into the test's folder. Ctrl-C in the line mode (the terminal's own mode)
    /// is a SIGINT to the whole foreground group, the script's shell included: the shell
    /// traps it so that it lives on (ponder gets the default action, and its own handler).
    func script(_ dir: String, runs: [String]) -> String {
        var s = "trap : INT\nstty -a > \(dir)/before\n"
        for (i, r) in runs.enumerated() {
            s += "\(r)\necho $? > \(dir)/exit\(i).tmp; mv \(dir)/exit\(i).tmp \(dir)/exit\(i)\n"
        }
        return s + "stty -a > \(dir)/after\nsleep 60\n"
    }

    /// A tmux window of `width` × `height` running `script(dir, runs: runs(dir))`.
    func launch(width: Int, height: Int, _ runs: (String) -> [String]) throws -> Tmux {
        let t = try Tmux()
        try t.start(width: width, height: height, script: script(t.dir.path, runs: runs(t.dir.path)))
        return t
    }

    /// Waits for the prompt, then Ctrl-D: the run ends with status 0. (Keys typed before
    /// readline takes the terminal are the terminal's own: an early Ctrl-D would be its
    /// end-of-file, which readline never sees.)
    func quit(_ t: Tmux, run: Int) throws {
        try t.wait("the prompt") { atPrompt($0) }
        try t.keys("C-d")
        expectCleanExit(t, run: run)
    }

    /// Whether the last non-empty row is the prompt followed by `text`.
    func atPrompt(_ screen: [String], _ text: String = "") -> Bool {
        let row = screen.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? ""
        return String(row.reversed().drop { $0 == " " }.reversed()) == ("> " + text).trimmingCharacters(in: .whitespaces)
    }

    func expectCleanExit(_ t: Tmux, run: Int) {
        let status = t.waitForFile("exit\(run)", timeout: 30)
        #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    func expectTerminalRestored(_ t: Tmux) {
        _ = t.waitForFile("after")
        #expect(t.file("before") != nil && t.file("before") == t.file("after"),
                "stty before:\n\(t.file("before") ?? "-")\nafter:\n\(t.file("after") ?? "-")")
    }

    /// Up recalls what the previous run typed (the full-screen chat's history file, under
    /// the test's own XDG_STATE_HOME), and Tab completes `/sa` to `/save`.
    @Test func upRecallsThePreviousRunAndTabCompletes() throws {
        let bin = try TestEnv.ponderBinary().path
        let run = "\"\(bin)\" chat --line --demo --demo-delay 0.01"
        let t = try launch(width: 80, height: 24) { _ in [run, run] }

        try t.wait(for: "Ponder line mode")
        try t.type("remember this line"); try t.keys("Enter")
        try t.wait(for: "**Echo** (demo, no model): remember this line")
        try quit(t, run: 0)
        // The history file is the full-screen chat's, in its format.
        let history = t.file("state/ponder/history") ?? ""
        #expect(history == "# ponder history v1\nremember this line\n")

        // Second run: Up brings the line back.
        try t.wait("the second run") { $0.filter { $0.contains("Ponder line mode") }.count == 2 }
        try t.keys("Up")
        try t.wait("the recalled line") { atPrompt($0, "remember this line") }
        try t.keys("C-u")
        try t.type("/sa"); try t.keys("Tab")
        try t.wait("the completed command") { atPrompt($0, "/save") }
        // Two candidates: Tab twice lists both; the line keeps the common prefix.
        try t.keys("C-u"); try t.type("/h"); try t.keys("Tab", "Tab")
        try t.wait("the candidates") { s in
            s.contains { $0.contains("/help") && $0.contains("/history-reasoning") }
        }
        try t.keys("C-u")
        try quit(t, run: 1)
        expectTerminalRestored(t)
    }

    /// With thinking on, the reasoning comes apart from the answer: a dimmed "thinking:"
    /// block (SGR 2), then "answer:"; /reasoning hide leaves only a label; Ctrl-C stops a
    /// reply and the chat goes on.
    @Test func reasoningIsLabelledDimmedAndCanBeHidden() throws {
        let bin = try TestEnv.ponderBinary().path
        // `swift test` sets NO_COLOR for its children, which turns the dimming off.
        let t = try launch(width: 100, height: 40) { _ in
            ["env -u NO_COLOR \"\(bin)\" chat --line --demo --demo-delay 0.01"]
        }
        try t.wait(for: "Ponder line mode")
        try t.type("hello reasoner"); try t.keys("Enter")
        try t.wait(for: "**Echo** (demo, no model): hello reasoner")
        var s = try t.screen()
        guard let think = s.firstIndex(of: "thinking:"), let answer = s.firstIndex(of: "answer:") else {
            Issue.record("no thinking:/answer: labels:\n\(s.joined(separator: "\n"))"); return
        }
        #expect(think < answer)
        let reasoning = s[(think + 1)..<answer].joined(separator: " ")
        #expect(reasoning.contains("The user wrote 14 characters"))
        #expect(s[answer + 1].hasPrefix("**Echo** (demo, no model): hello reasoner"))
        // The reasoning is dim in the terminal, the answer is not: the last attribute
        // change tmux reports before each (it reports changes only, not every row).
        let styled = try t.run(["capture-pane", "-p", "-e", "-t", "t"])
        func lastSGR(before text: String) -> String? {
            guard let r = styled.range(of: text),
                  let esc = styled[..<r.lowerBound].range(of: "\u{1B}[", options: .backwards) else { return nil }
            return String(styled[esc.lowerBound...].prefix { $0 != "m" }) + "m"
        }
        #expect(lastSGR(before: "The user wrote 14 characters") == "\u{1B}[2m", "\(styled.debugDescription)")
        #expect(lastSGR(before: "**Echo** (demo, no model): hello reasoner") != "\u{1B}[2m")

        // Hidden: only the label, no reasoning text.
        try t.type("/reasoning hide"); try t.keys("Enter")
        try t.wait(for: "reasoning hidden")
        try t.type("second one"); try t.keys("Enter")
        try t.wait(for: "**Echo** (demo, no model): second one")
        s = try t.screen()
        #expect(s.contains { $0.hasPrefix("thinking: (hidden") })
        #expect(!s.contains { $0.contains("The user wrote 10 characters") })

        // Ctrl-C stops a reply (the demo streams for seconds at this pace); the chat goes on.
        try t.type("/reasoning show"); try t.keys("Enter")
        try t.type("/think off"); try t.keys("Enter")
        try t.wait(for: "thinking off for the next turns")
        try t.type("stop me " + String(repeating: "word ", count: 300)); try t.keys("Enter")
        try t.wait(for: "**Echo** (demo, no model): stop me")
        try t.keys("C-c")
        try t.wait(for: "[stopped]")
        try t.wait("the prompt after the stop") { atPrompt($0) }
        // A command the full screen only has.
        try t.type("/copy"); try t.keys("Enter")
        try t.wait(for: "error: /copy works in the full-screen chat only")
        try quit(t, run: 0)
        expectTerminalRestored(t)
    }

    /// The demo line chat started from an interactive bash (job control needs one), with
    /// `stty -a` saved to `before` first, waiting at its prompt.
    func lineChatInBash(demoDelay: Double) throws -> Tmux {
        let bin = try TestEnv.ponderBinary().path
        let t = try Tmux()
        try t.start(width: 100, height: 30, script: "exec bash --norc --noprofile -i\n")
        // One command per line: bash goes on with the rest of a list when a job stops.
        try t.type("stty -a > \(t.dir.path)/before"); try t.keys("Enter")
        try t.type("\"\(bin)\" chat --line --demo --demo-delay \(demoDelay)"); try t.keys("Enter")
        try t.wait(for: "Ponder line mode")
        try t.wait("the prompt") { atPrompt($0) }
        return t
    }

    /// Ctrl-D at the line chat's prompt, back in `lineChatInBash`'s shell: the chat's exit
    /// status and the terminal as it was before.
    func quitToBash(_ t: Tmux) throws {
        let dir = t.dir.path
        try t.keys("C-d")
        try t.wait("the shell") { ($0.last { !$0.isEmpty } ?? "").hasPrefix("bash") }
        try t.type("echo $? > \(dir)/exit0; stty -a > \(dir)/after"); try t.keys("Enter")
        expectCleanExit(t, run: 0)
        expectTerminalRestored(t)
    }

    /// Ctrl-Z at the prompt stops the chat with the terminal as it was (checked from the
    /// shell while stopped), and `fg` brings the line back, still editable.
    @Test func ctrlZAtThePromptSuspendsAndFgResumes() throws {
        let t = try lineChatInBash(demoDelay: 0.01)
        let dir = t.dir.path
        // Ctrl-Z flushes what the terminal holds unread (stty -noflsh): let readline take it.
        try t.type("abc")
        try t.wait("the typed text") { atPrompt($0, "abc") }
        try t.keys("C-z")
        try t.wait(for: "Stopped")
        try t.type("stty -a > \(dir)/stopped; fg"); try t.keys("Enter")
        try t.wait("the line back") { atPrompt($0, "abc") }
        try t.type("def"); try t.keys("Enter")
        try t.wait(for: "**Echo** (demo, no model): abcdef")
        try t.wait("the prompt") { atPrompt($0) }
        try quitToBash(t)
        _ = t.waitForFile("stopped")
        #expect(t.file("before") == t.file("stopped"), "stopped:\n\(t.file("stopped") ?? "-")")
    }

    /// Esc while a reply streams stops it, as in the full screen; keys typed meanwhile (a
    /// word, then Left) are not echoed into the reply and are on the next prompt's line,
    /// the cursor where Left put it; Esc's byte is not taken for a Meta prefix there.
    @Test func escStopsAReplyAndKeysTypedMeanwhileWaitForThePrompt() throws {
        let bin = try TestEnv.ponderBinary().path
        let t = try launch(width: 100, height: 30) { _ in ["\"\(bin)\" chat --line --demo --demo-delay 0.05"] }
        try t.wait(for: "Ponder line mode")
        try t.wait("the prompt") { atPrompt($0) }
        try t.type("stop me " + String(repeating: "word ", count: 100)); try t.keys("Enter")
        try t.wait(for: "thinking:")
        try t.type("xyz"); try t.keys("Left")
        try t.keys("Escape")
        try t.wait(for: "[stopped]")
        try t.wait("the typed keys on the prompt") { atPrompt($0, "xyz") }
        #expect(!(try t.screen()).contains { $0.contains("^[") || ($0.contains("xyz") && !$0.hasPrefix("> ")) })
        // The cursor is before "z", and the next key is a key.
        try t.type("abc"); try t.keys("Enter")
        try t.wait(for: "**Echo** (demo, no model): xyabcz", timeout: 30)
        try quit(t, run: 0)
        expectTerminalRestored(t)
    }

    /// Ctrl-Z while a reply streams: the shell gets the terminal in its own mode (checked
    /// while stopped), `fg` resumes the reply, Esc still stops it, and the chat quits with
    /// the terminal as it was.
    @Test func ctrlZDuringAReplyGivesTheShellItsModes() throws {
        let t = try lineChatInBash(demoDelay: 0.1)
        let dir = t.dir.path
        try t.type("long one " + String(repeating: "word ", count: 200)); try t.keys("Enter")
        try t.wait(for: "thinking:")
        try t.keys("C-z")
        try t.wait(for: "Stopped")
        try t.type("stty -a > \(dir)/stopped; fg"); try t.keys("Enter")
        _ = t.waitForFile("stopped")
        #expect(t.file("before") == t.file("stopped"), "stopped:\n\(t.file("stopped") ?? "-")")
        try t.wait(for: "**Echo** (demo, no model): long one", timeout: 30)
        try t.keys("Escape")
        try t.wait(for: "[stopped]")
        try t.wait("the prompt") { atPrompt($0) }
        try quitToBash(t)
    }

    /// TERM=dumb picks the line mode without --line; so does a standard output that is not
    /// a terminal, and then only the answer goes to it (the prompt and labels stay on the
    /// terminal, on standard error).
    @Test func dumbTerminalAndRedirectedOutputPickTheLineMode() throws {
        let bin = try TestEnv.ponderBinary().path
        let t = try launch(width: 80, height: 40) { dir in [
            "TERM=dumb \"\(bin)\" chat --demo --demo-delay 0.01",
            "\"\(bin)\" chat --demo --demo-delay 0.01 > \(dir)/answers.txt",
        ] }
        try t.wait(for: "Ponder line mode")
        try t.type("dumb terminal"); try t.keys("Enter")
        try t.wait(for: "**Echo** (demo, no model): dumb terminal")
        // No attributes on a dumb terminal: the labels alone tell reasoning apart.
        let styled = try t.run(["capture-pane", "-p", "-e", "-t", "t"])
        #expect(!styled.contains("\u{1B}[2m"))
        #expect(try t.screen().contains("thinking:"))
        try quit(t, run: 0)

        try t.wait("the second run") { $0.filter { $0.contains("Ponder line mode") }.count == 2 }
        try t.type("into a file"); try t.keys("Enter")
        try t.wait("the answer label") { $0.filter { $0 == "answer:" }.count == 2 }
        try quit(t, run: 1)
        let file = t.file("answers.txt") ?? ""
        #expect(file.hasPrefix("**Echo** (demo, no model): into a file"), "answers.txt: \(file.debugDescription)")
        #expect(!file.contains("thinking") && !file.contains("> ") && !file.contains("\u{1B}"))
        expectTerminalRestored(t)
    }

    /// The real SmolLM2 model in the line mode: an answer, a reply stopped with Ctrl-C
    /// (journaled as stopped with what arrived), /save through the shared driver, Ctrl-D;
    /// the terminal is as it was.
    /// The think budget's cut shows live between the reasoning and the answer label.
    @Test func theBudgetsCutShowsLive() throws {
        let bin = try TestEnv.ponderBinary().path
        let model = try TestEnv.smolQ4_1.path
        let t = try launch(width: 100, height: 30) { dir in
            ["\"\(bin)\" chat --line --model \"\(model)\" --seed 3 --no-journal --reasoning-profile deepseek-r1 --think-budget 6 --max-tokens 24"]
        }
        try t.wait(for: "Ponder line mode", timeout: 30)
        try t.type("What is 2 + 2?"); try t.keys("Enter")
        let mark = "[\(ReasoningEnd.budget.mark)]"
        let s = try t.wait("the answer after the cut", timeout: 90) { s in
            s.contains(mark) && s.contains("answer:") && atPrompt(s)
        }
        if let think = s.firstIndex(of: "thinking:"), let cut = s.firstIndex(of: mark), let answer = s.firstIndex(of: "answer:") {
            #expect(think + 1 < cut && cut < answer, "\(s.joined(separator: "\n"))")
        } else {
            Issue.record("labels missing:\n\(s.joined(separator: "\n"))")
        }
        try quit(t, run: 0)
    }

    @Test func lineModeOnTheRealModel() throws {
        let bin = try TestEnv.ponderBinary().path
        let model = try TestEnv.smolQ4_1.path
        let t = try launch(width: 100, height: 30) { dir in
            ["XDG_DATA_HOME=\(dir)/data \"\(bin)\" chat --line --model \"\(model)\" --seed 7 --think off"]
        }
        let dir = t.dir.path
        try t.wait(for: "Ponder line mode", timeout: 30)
        try t.type("What is the capital of France?"); try t.keys("Enter")
        try t.wait(for: "Paris", timeout: 90)
        try t.wait("the prompt after the answer", timeout: 90) { atPrompt($0) }

        try t.type("Write a very long story about a dragon who learns to cook."); try t.keys("Enter")
        try t.wait("the story to start", timeout: 90) { s in
            s.contains { $0.lowercased().contains("dragon") && !$0.contains("Write a very long") }
        }
        try t.keys("C-c")
        try t.wait(for: "[stopped]", timeout: 30)
        try t.wait("the prompt after the stop", timeout: 30) { atPrompt($0) }

        try t.type("/save \(dir)/saved.json"); try t.keys("Enter")
        try t.wait(for: "saved to \(dir)/saved.json", timeout: 30)
        try quit(t, run: 0)
        expectTerminalRestored(t)
        let saved = t.file("saved.json") ?? ""
        #expect(saved.contains("What is the capital of France?") && saved.contains("Paris"))
        #expect(saved.contains("\"cancelled\""))
        // The journal keeps the stopped reply as far as it came, marked as stopped.
        let sessions = dir + "/data/ponder/sessions"
        let journals = (try? FileManager.default.contentsOfDirectory(atPath: sessions)) ?? []
        try #require(journals.count == 1, "journals: \(journals)")
        let turns = try SessionLoader.load(URL(fileURLWithPath: sessions + "/" + journals[0])).document.turns
        try #require(turns.count == 2)
        #expect(turns[1].stopReason == .cancelled)
        #expect(turns[1].answer.lowercased().contains("dragon"), "\(turns[1].answer.debugDescription)")
    }
}
