import Testing
import Foundation
import TestSupport

/// The full-screen chat on the real SmolLM2 model in a real terminal (tmux): type a
/// message, toggle thinking, stop a generation, resize while streaming, save, quit; then
/// the terminal is as it was and the saved session replays. No test double anywhere.
@Suite(.serialized) struct RealModelChatTests {
    @Test func chatOnTheRealModel() throws {
        let bin = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1
        let t = try TerminalTests.Tmux()
        let dir = t.dir.path
        try t.start(width: 90, height: 24, script: """
            stty -a > \(dir)/before
            PONDER_THREADS=1 XDG_DATA_HOME=\(dir)/data "\(bin.path)" chat --model "\(model.path)" --seed 7
            echo $? > \(dir)/exit.tmp; mv \(dir)/exit.tmp \(dir)/exit
            stty -a > \(dir)/after
            sleep 60
            """)
        // SmolLM2 has no reasoning mode: the chat starts DIRECT whatever --think says.
        try t.wait(for: " DIRECT │", timeout: 30)
        #expect(try t.screen().joined().contains("Q4_1"))
        // The bar says how many threads the engine runs with: PONDER_THREADS's one.
        try t.wait("the thread count") { $0.contains { $0.hasSuffix("│ 1 thread") } }
        // The weights are read in at start, with progress, then a last notice with the
        // size of the tensor data (oracle: gguf-py's data offset and the file size).
        let mib = String(decoding: try runPython("""
            import gguf, os, sys
            print(round((os.path.getsize(sys.argv[1]) - gguf.GGUFReader(sys.argv[1]).data_offset) / 1048576))
            """, [model.path]), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        try t.wait("the weights loaded", timeout: 30) { s in
            s.contains { $0.hasPrefix("weights loaded: \(mib) MiB in ") }
        }

        // Ctrl-T says the model has no reasoning mode and changes nothing (greedy turn next).
        try t.keys("C-t")
        try t.wait(for: "no reasoning mode")
        #expect(try t.screen().joined().contains(" DIRECT │"))

        // A short greedy answer streams in and the turn finishes.
        try t.type("What is the capital of France?"); try t.keys("Enter")
        try t.wait(for: "Paris", timeout: 60)
        try waitUntilIdle(t)

        // A long answer: resize while it streams, then Esc stops it.
        try t.type("Write a very long story about a dragon who learns to cook."); try t.keys("Enter")
        try t.wait("the story to start", timeout: 60) { s in s.contains { $0.lowercased().contains("dragon") && !$0.contains("Write a very long") } }
        // Esc right behind the resize: ncurses reports the resize on the read after the
        // Esc, and both must count (KeyReader keeps what follows an Esc).
        try t.resize(60, 16)
        try t.keys("Escape")
        try t.wait("the smaller window", timeout: 10) { $0.count == 16 && $0.allSatisfy { $0.count <= 60 } }
        try t.wait(for: "[stopped]", timeout: 30)
        try t.resize(90, 24)

        try waitUntilIdle(t)

        // Ctrl-S saves into the sessions folder and says where.
        try t.keys("C-s")
        try t.wait(for: "saved to", timeout: 10)

        // Ctrl-C twice quits with status 0 and the terminal restored.
        try t.keys("C-c")
        try t.wait(for: "press Ctrl-C again to quit")
        try t.keys("C-c")
        let status = t.waitForFile("exit", timeout: 30)
        #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        _ = t.waitForFile("after")
        #expect(t.file("before") != nil && t.file("before") == t.file("after"),
                "stty before:\n\(t.file("before") ?? "-")\nafter:\n\(t.file("after") ?? "-")")

        // The saved session replays as plain text with both turns.
        let sessions = URL(fileURLWithPath: dir).appendingPathComponent("data/ponder/sessions")
        let saved = try FileManager.default.contentsOfDirectory(atPath: sessions.path).filter { $0.hasSuffix(".json") }
        #expect(saved.count == 1)
        guard let name = saved.first else { return }
        let r = try runProcess(bin, ["replay", sessions.appendingPathComponent(name).path, "--plain", "--speed", "1000"],
                               timeout: 60)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(r.stdoutText.contains("What is the capital of France?"))
        #expect(r.stdoutText.contains("Paris"))
        #expect(r.stdoutText.contains("Write a very long story about a dragon"))
    }

    /// A long pasted prompt on the real model: the stats bar shows prefill progress
    /// (done/total against the same total, done rising), and Esc stops the turn while
    /// the prompt is still being evaluated.
    @Test func longPromptShowsPrefillProgressAndEscStopsIt() throws {
        let model = try TestEnv.smolQ4_1
        let t = try TerminalTests.Tmux()
        try t.startPonder(width: 100, height: 20, """
            chat --model "\(model.path)" --think off --no-journal
        """)
        try t.wait(for: " DIRECT │", timeout: 30)
        let prompt = "Summarize: " + (0..<400).map { "item \($0) is a red ball" }.joined(separator: ", ")
        let file = t.dir.appendingPathComponent("prompt.txt")
        try prompt.write(to: file, atomically: true, encoding: .utf8)
        try t.run(["load-buffer", file.path])
        try t.run(["paste-buffer", "-p", "-t", "t"])
        try t.wait("the pasted prompt") { $0.last?.hasSuffix("item 399 is a red ball") == true }
        try t.keys("Enter")

        // "prefill [bar] DONE/TOTAL RATE tok/s N s left" in the stats bar.
        func progress(_ screen: [String]) -> (done: Int, total: Int)? {
            for row in screen {
                guard let r = row.range(of: "prefill [") , let close = row[r.upperBound...].firstIndex(of: "]") else { continue }
                let nums = row[row.index(after: close)...].split(separator: " ").first?.split(separator: "/")
                guard let nums, nums.count == 2, let d = Int(nums[0]), let n = Int(nums[1]) else { continue }
                #expect(row.contains("tok/s") && row.contains("s left"), "\(row)")
                return (d, n)
            }
            return nil
        }
        var first: (done: Int, total: Int)? = nil
        try t.wait("prefill progress", timeout: 60) { s in first = progress(s); return first != nil }
        guard let first else { return }
        #expect(first.total > 1000 && first.done < first.total)
        try t.wait("rising prefill progress", timeout: 60) { s in
            guard let p = progress(s) else { return false }
            #expect(p.total == first.total && p.done >= first.done)
            return p.done > first.done
        }
        try t.keys("Escape")
        try t.wait(for: "[stopped]", timeout: 30)
        #expect(try progress(t.screen()) == nil)
        try t.keys("C-d")
        #expect(t.waitForFile("exit", timeout: 30)?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    /// Piped, `ponder` chats line by line and writes no escape codes.
    @Test func plainModeWritesNoEscapeCodes() throws {
        let bin = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-plain-\(getpid())")
        defer { try? FileManager.default.removeItem(at: data) }
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = data.path
        let r = try runProcess(bin, ["--model", model.path, "--think", "off"],
                               stdin: Data("What is the capital of France?\n".utf8), environment: env, timeout: 120)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(r.stdoutText.contains("Paris"))
        #expect(!r.stdout.contains(0x1B), "escape codes in piped output")
        // The turn was journaled.
        let journals = (try? FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("ponder/sessions").path)) ?? []
        #expect(journals.contains { $0.hasSuffix(".jsonl") })
    }

    /// A saved session replays through the model with `--regenerate`: greedy and seeded
    /// turns on the same model and file come back identical.
    @Test func regenerateReproducesASavedSession() throws {
        let bin = try TestEnv.ponderBinary()
        let model = try TestEnv.smolQ4_1
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-regen-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = dir.appendingPathComponent("s.json").path
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = dir.path
        let chat = try runProcess(bin, ["chat", "--model", model.path, "--think", "off", "--seed", "5", "--save", saved],
                                  stdin: Data("Name a color.\n/think on\nName an animal.\n".utf8),
                                  environment: env, timeout: 180)
        #expect(chat.status == 0, "\(chat.stderrText)")
        let r = try runProcess(bin, ["replay", saved, "--regenerate", "--model", model.path], timeout: 180)
        #expect(r.status == 0, "\(r.stdoutText)\(r.stderrText)")
        #expect(r.stdoutText.contains("2 of 2 turns identical"))
        // A different model file is not the same model: the identity check warns.
        let other = try TestEnv.smolQ8_0
        let r2 = try runProcess(bin, ["replay", saved, "--regenerate", "--model", other.path], timeout: 180)
        #expect(r2.stderrText.contains("model mismatch"))
    }

    /// Waits until the reply is over: no "still generating" notice and the screen unchanged
    /// for a second.
    func waitUntilIdle(_ t: TerminalTests.Tmux, timeout: Double = 60) throws {
        let end = Date().addingTimeInterval(timeout)
        var last = try t.screen(), since = Date()
        while Date() < end {
            Thread.sleep(forTimeInterval: 0.1)
            let now = try t.screen()
            if now != last { last = now; since = Date(); continue }
            if Date().timeIntervalSince(since) >= 1.0 { return }
        }
        Issue.record("the reply did not finish; screen:\n\(last.joined(separator: "\n"))")
    }
}
