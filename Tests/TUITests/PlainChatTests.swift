import Testing
import Foundation
import Session
import TestSupport

/// The line-by-line chat (`… | ponder chat`) on the real SmolLM2 model: slash commands
/// go through the full-screen chat's parser and handler and never to the model,
/// `--save` onto an existing file fails before anything is generated, and a journal
/// that cannot be created is reported.
@Suite struct PlainChatTests {
    /// A scratch folder, this process's environment with XDG_DATA_HOME in it, and the
    /// folder's removal.
    func scratch() throws -> (URL, [String: String], () -> Void) {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("ponder-plain-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = dir.path
        return (dir, env, { try? FileManager.default.removeItem(at: dir) })
    }

    @Test func slashCommandsRunAndAreNotSent() throws {
        let bin = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1
        let (dir, env, cleanup) = try scratch()
        defer { cleanup() }
        let early = dir.appendingPathComponent("early.json").path
        let late = dir.appendingPathComponent("late.json").path
        let input = "/save \(early)\n/set top_p 0\n/set direct max_tokens 6\n/think off\nhi\n/model\n/save \(late)\n"
        let r = try runProcess(bin, ["chat", "--model", model.path, "--seed", "1"], stdin: Data(input.utf8),
                               environment: env, timeout: 180)
        #expect(r.status == 0, "\(r.stderrText)")
        let err = r.stderrText
        #expect(err.contains("saved to \(early)"))
        #expect(err.contains("error: top-p must be in (0, 1]"))
        #expect(err.contains("sampler           DIRECT (greedy)"))
        // /save before the first turn wrote an empty conversation; the later one the turn.
        #expect(try SessionLoader.load(URL(fileURLWithPath: early)).document.turns.isEmpty)
        let doc = try SessionLoader.load(URL(fileURLWithPath: late)).document
        #expect(doc.turns.map(\.user) == ["hi"])
        #expect(doc.turns.first?.mode == .off)
        #expect(doc.turns.first?.sampling.maxTokens == 6)
        // The journal holds the one turn too: no command line became a message.
        let journals = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/ponder/sessions")
            .filter { $0.hasSuffix(".jsonl") }
        #expect(journals.count == 1)
        if let j = journals.first {
            let jd = try SessionLoader.load(URL(fileURLWithPath: dir.path + "/ponder/sessions/" + j)).document
            #expect(jd.turns.map(\.user) == ["hi"])
        }
    }

    /// Think more from the line chat: `/budget min N` puts the profile's cue where the
    /// model ended its reasoning (the same turn without it has none); a profile without a
    /// cue refuses the command and `--think-min` in one line.
    @Test func thinkMoreFromTheLineChat() throws {
        let bin = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1
        let (_, env, cleanup) = try scratch()
        defer { cleanup() }
        func chat(_ input: String, _ extra: [String]) throws -> ProcessResult {
            // Seed 5: the sampled reply ends its reasoning on its own well before 100
            // tokens, on the AVX2 and the AVX-512 kernels alike (their Q4_1 dots round
            // differently, so a seed's trajectory can differ between them).
            try runProcess(bin, ["chat", "--model", model.path, "--seed", "5", "--think-max-tokens", "120", "--no-journal"] + extra,
                           stdin: Data(input.utf8), environment: env, timeout: 300)
        }
        let r1 = ["--reasoning-profile", "deepseek-r1"]
        let plain = try chat("What is 2 + 2?\n", r1)
        let more = try chat("/budget min 100\nWhat is 2 + 2?\n", r1)
        #expect(plain.status == 0 && more.status == 0, "\(plain.stderrText)\(more.stderrText)")
        #expect(!plain.stderrText.contains("\nWait,"), "\(plain.stderrText)")
        #expect(more.stderrText.contains("\nWait,"), "\(more.stderrText)")
        #expect(more.stderrText.contains(plain.stderrText.prefix(60)), "the same turn up to the cue")
        #expect(more.stderrText.hasPrefix("least reasoning 100 tokens for the next turn\n"))

        let none = try chat("/budget min 10\n", ["--reasoning-profile", "none"])
        #expect(none.stderrText.contains("the reasoning profile none has no continuation cue"), "\(none.stderrText)")
        let flag = try chat("", ["--reasoning-profile", "none", "--think-min", "10"])
        #expect(flag.status != 0)
        #expect(flag.stderrText.split(separator: "\n").count == 1, "\(flag.stderrText)")
    }

    /// The think budget's cut is marked in the reasoning stream (standard error) where it
    /// happened, after the reasoning and before the answer; the saved turn records it.
    @Test func theBudgetsCutIsMarkedWhereItHappens() throws {
        let bin = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1
        let (dir, env, cleanup) = try scratch()
        defer { cleanup() }
        let saved = dir.appendingPathComponent("cut.json").path
        let r = try runProcess(bin, ["chat", "--model", model.path, "--seed", "3", "--reasoning-profile", "deepseek-r1",
                                     "--think-budget", "6", "--max-tokens", "24", "--no-journal"],
                               stdin: Data("What is 2 + 2?\n/save \(saved)\n".utf8), environment: env, timeout: 300)
        #expect(r.status == 0, "\(r.stderrText)")
        let mark = "[\(ReasoningEnd.budget.mark)]"
        let doc = try SessionLoader.load(URL(fileURLWithPath: saved)).document
        try #require(doc.turns.count == 1)
        #expect(doc.turns[0].reasoningEnd == .budget)
        let reasoning = doc.turns[0].reasoning
        #expect(!reasoning.isEmpty)
        guard let at = r.stderrText.range(of: "\n" + mark + "\n") else {
            Issue.record("no budget mark in \(r.stderrText.debugDescription)"); return
        }
        #expect(r.stderrText[..<at.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            .hasSuffix(reasoning.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(r.stderrText.components(separatedBy: mark).count == 2, "one mark")
    }

    @Test func saveOntoAnExistingFileFailsBeforeTheFirstTurn() throws {
        let bin = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1
        let (dir, env, cleanup) = try scratch()
        defer { cleanup() }
        let existing = dir.appendingPathComponent("kept.json")
        try Data("precious".utf8).write(to: existing)
        let r = try runProcess(bin, ["chat", "--model", model.path, "--save", existing.path],
                               stdin: Data("hi\n".utf8), environment: env, timeout: 60)
        #expect(r.status != 0 && !r.signaled)
        #expect(r.stdout.isEmpty)
        #expect(r.stderrText == "Error: \(existing.path) already exists; not overwriting it (choose another --save path)\n")
        #expect(try String(contentsOf: existing, encoding: .utf8) == "precious")
        // Nothing was generated or journaled.
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/ponder"))
    }

    @Test func journalThatCannotBeCreatedIsReported() throws {
        let bin = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1
        let (dir, _, cleanup) = try scratch()
        defer { cleanup() }
        // The data folder is a file: the sessions folder cannot be made.
        let blocker = dir.appendingPathComponent("data")
        try Data().write(to: blocker)
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = blocker.path
        let r = try runProcess(bin, ["chat", "--model", model.path, "--think", "off", "--max-tokens", "4"],
                               stdin: Data("hi\n".utf8), environment: env, timeout: 120)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(r.stderrText.contains("error: journal: ") && r.stderrText.contains("not journaled"), "\(r.stderrText)")
        #expect(!r.stdout.isEmpty)
    }
}
