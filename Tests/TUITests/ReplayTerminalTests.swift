import Testing
import Foundation
import Session
import TestSupport

/// `ponder replay` full screen in a real terminal (tmux): a session recorded from the real
/// SmolLM2 model by `ponder chat --save` plays back with its messages and replies; space
/// pauses, q quits, and `stty -a` afterwards shows the terminal as it was. The oracle is
/// the saved document itself, read back with `SessionLoader`.
@Suite(.serialized) struct ReplayTerminalTests {
    /// Letters-and-digits words of `s` (what survives wrapping and Markdown rendering).
    static func words(_ s: String) -> [String] {
        s.split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// Whether `needle` occurs as a contiguous run of words of the screen.
    static func shows(_ screen: [String], _ needle: [String]) -> Bool {
        let hay = words(screen.joined(separator: "\n"))
        guard !needle.isEmpty, needle.count <= hay.count else { return needle.isEmpty }
        return (0...(hay.count - needle.count)).contains { Array(hay[$0..<($0 + needle.count)]) == needle }
    }

    /// A script that records `stty -a` before and after the replay, and its exit status.
    static func script(_ command: String, _ dir: String) -> String {
        """
        stty -a > \(dir)/before
        \(command)
        echo $? > \(dir)/exit.tmp; mv \(dir)/exit.tmp \(dir)/exit
        stty -a > \(dir)/after
        sleep 60
        """
    }

    @Test func replaysARealSessionFullScreen() throws {
        let bin = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1
        let t = try TerminalTests.Tmux()
        let dir = t.dir.path

        // Record: two greedy turns on the real model, saved as a session document.
        let saved = t.dir.appendingPathComponent("s.json")
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = dir + "/data"
        let chat = try runProcess(bin, ["chat", "--model", model.path, "--think", "off", "--no-journal",
                                        "--save", saved.path],
                                  stdin: Data("What is the capital of France?\nName an animal that lives in the sea.\n".utf8),
                                  environment: env, timeout: 240)
        #expect(chat.status == 0, "\(chat.stderrText)")
        let doc = try SessionLoader.load(saved).document
        try #require(doc.turns.count == 2 && doc.turns.allSatisfy { !$0.answer.isEmpty })

        // Play it back in about 6 s whatever the recording took (the machine may be slow
        // or fast); nothing below depends on how long it really takes.
        let recorded = doc.turns.reduce(0.0) { $0 + ($1.tokenTimes.last ?? 0) }
        let speed = max(0.01, recorded / 6)
        try t.start(width: 100, height: 40,
                    script: Self.script("\"\(bin.path)\" replay \"\(saved.path)\" --speed \(speed)", dir))

        // The first message shows at once, with the replay's status line.
        try t.wait(for: doc.turns[0].user, timeout: 30)
        try t.wait(for: "replay turn 1/2")
        // Space pauses: the status says so and the screen stands still.
        try t.keys("Space")
        let paused = try t.wait("the paused status") { $0.contains { $0.contains("replay paused at turn") } }
        Thread.sleep(forTimeInterval: 1)
        #expect(try t.screen() == paused, "the screen moved while paused")
        try t.keys("Space")

        // It plays to the end and stays there.
        try t.wait("the end of the replay", timeout: 60) { $0.contains { $0.contains("end of replay (2 turns) — q quits") } }
        var screen = try t.screen()
        let last = doc.turns[1]
        #expect(screen.contains { $0.contains(last.user) })
        #expect(Self.shows(screen, Array(Self.words(last.answer).suffix(6))),
                "the end of the last answer is not on screen:\n\(screen.joined(separator: "\n"))")
        if !last.reasoning.isEmpty {
            #expect(screen.contains { $0.contains("thought for") || $0.contains("Tab to expand") })
        }
        // Home: the first turn, its message and the start of its answer.
        try t.keys("Home")
        screen = try t.wait("the top of the conversation") { $0.contains { $0.contains(doc.turns[0].user) } }
        #expect(Self.shows(screen, Array(Self.words(doc.turns[0].answer).prefix(6))),
                "the first answer is not on screen:\n\(screen.joined(separator: "\n"))")
        // The screen stays until q.
        Thread.sleep(forTimeInterval: 0.5)
        #expect(t.file("exit") == nil)
        try t.keys("q")
        let status = t.waitForFile("exit", timeout: 30)
        #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        _ = t.waitForFile("after")
        #expect(t.file("before") != nil && t.file("before") == t.file("after"),
                "stty before:\n\(t.file("before") ?? "-")\nafter:\n\(t.file("after") ?? "-")")
    }

    /// Reasoning plays in the terminal too: a session with reasoning in every turn (made by
    /// the hidden `journal-stress` command over the SCRIPTED TEST-DOUBLE backend, since
    /// SmolLM2 does not reason), folded once the answer comes; Tab unfolds the last turn's;
    /// Ctrl-C quits with the terminal restored.
    @Test func reasoningFoldsAndTabUnfoldsIt() throws {
        let bin = try TestEnv.ponderBinary()
        let t = try TerminalTests.Tmux()
        let dir = t.dir.path
        let made = try runProcess(bin, ["journal-stress", "--dir", dir + "/s", "--turns", "2"])
        #expect(made.status == 0, "\(made.stderrText)")
        let saved = t.dir.appendingPathComponent("s/session.json")
        let doc = try SessionLoader.load(saved).document
        try #require(doc.turns.count == 2 && doc.turns.allSatisfy { !$0.reasoning.isEmpty })

        try t.start(width: 100, height: 30,
                    script: Self.script("\"\(bin.path)\" replay \"\(saved.path)\" --speed 1000", dir))
        try t.wait(for: "end of replay (2 turns) — q quits", timeout: 30)
        let reasoning = Self.words(doc.turns[1].reasoning)
        var screen = try t.screen()
        #expect(screen.contains { $0.contains("Tab to expand") })
        #expect(!Self.shows(screen, reasoning), "the reasoning should be folded")
        #expect(Self.shows(screen, Self.words(doc.turns[1].answer)))
        try t.keys("Tab")
        screen = try t.wait("the unfolded reasoning") { Self.shows($0, reasoning) }
        try t.keys("C-c")
        let status = t.waitForFile("exit", timeout: 30)
        #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        _ = t.waitForFile("after")
        #expect(t.file("before") != nil && t.file("before") == t.file("after"))
    }

    /// Not on a terminal, replay falls back to plain text: the same bytes as `--plain`.
    @Test func withoutATerminalReplayIsPlain() throws {
        let bin = try TestEnv.ponderBinary()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-replay-plain-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try runProcess(bin, ["journal-stress", "--dir", dir.path, "--turns", "2"]).status == 0)
        let file = dir.appendingPathComponent("session.json").path
        let auto = try runProcess(bin, ["replay", file, "--speed", "1000"])
        let plain = try runProcess(bin, ["replay", file, "--speed", "1000", "--plain"])
        #expect(auto.status == 0 && plain.status == 0)
        #expect(!auto.stdout.isEmpty && auto.stdout == plain.stdout)
        #expect(!auto.stdout.contains(0x1B), "escape codes in piped output")
    }
}
