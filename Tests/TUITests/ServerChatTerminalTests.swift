import Testing
import Foundation
import TestSupport

/// The full-screen chat on a server, end to end: `ponder chat --server` in a real
/// terminal (tmux) against llama.cpp's own server (xllamacpp) serving SmolLM2, given the
/// nemotron profile so that Ctrl-T has a system directive to change. A THINKING turn,
/// Ctrl-T, a DIRECT turn; Esc stops a reply; the server killed mid-reply leaves the
/// partial turn marked with the error; the server restarted on the same port answers
/// the next message; `/save` keeps every turn's own mode and sampler. No test double.
@Suite(.serialized) struct ServerChatTerminalTests {
    @Test func chatOnAServerTogglesStopsAndSurvivesTheServerDying() throws {
        let model = try TestEnv.smolQ4_1
        var server = try LlamaServer(model: model)
        defer { server.stop() }
        let t = try TerminalTests.Tmux()
        let dir = t.dir.path
        let sessions = "\(dir)/data/ponder/sessions"
        let saved = "\(dir)/chat.json"
        // A small thinking budget keeps the first turn short. The stopped and the killed
        // turns ask for a count (as RemoteTurnTests.longReply), whose greedy reply runs on
        // for seconds (up to 2,000 tokens) wherever the kernels round, so that Esc and the
        // kill find it streaming: a story can end on its own first.
        try t.startPonder(width: 120, height: 30, """
            chat --server \(server.url) --reasoning-profile nemotron --seed 11 \
              --think-max-tokens 16 --direct-max-tokens 2000
        """)
        try t.wait(for: " THINKING │", timeout: 30)
        try t.wait(for: "server \(server.url)", timeout: 10)

        var turns = 0
        func send(_ text: String) throws {
            try t.type(text); try t.keys("Enter")
            turns += 1
        }
        func finished() {
            #expect(JournalWatch.waitForEnds(turns, in: sessions), "turn \(turns) did not finish")
        }
        /// Waits until turn `index` has streamed some text into the journal (the screen
        /// has it too: the journal's text lines follow the events the screen shows).
        func streaming(_ index: Int) {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                if Self.journal(sessions).contains(where: { $0["k"] as? String == "text" && $0["index"] as? Int == index }) {
                    return
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            Issue.record("turn \(index) streamed nothing; screen:\n\((try? t.screen())?.joined(separator: "\n") ?? "")")
        }

        // A THINKING turn, Ctrl-T, a DIRECT turn: the journal's turn lines say the
        // directive and sampler changed between them.
        try send("Name a color."); finished()
        try t.keys("C-t")
        try t.wait(for: " DIRECT │", timeout: 20)
        try send("What is the capital of France?"); finished()
        let started = Self.journal(sessions).filter { $0["k"] as? String == "turn" }.compactMap { $0["turn"] as? [String: Any] }
        try #require(started.count == 2)
        #expect(started.map { $0["mode"] as? String } == ["on", "off"])
        #expect(NSDictionary(dictionary: started[0]["sampling"] as? [String: Any] ?? [:])
                != NSDictionary(dictionary: started[1]["sampling"] as? [String: Any] ?? [:]))

        // Esc mid-reply stops it: "[stopped]" on screen, cancelled in the journal.
        try send("Write the numbers from 1 to 10000, separated by commas.")
        streaming(2)
        try t.keys("Escape")
        try t.wait(for: "[stopped]", timeout: 20)
        finished()

        // The server dies mid-reply: the partial turn stays, marked with the error.
        try send("Write the numbers from 1 to 10000, separated by commas.")
        streaming(3)
        server.stop()
        finished()
        try t.wait(for: "[error: ", timeout: 20)

        // Back on the same port, the next message is answered.
        server = try LlamaServer(model: model, port: server.port)
        try send("What is the capital of Italy?"); finished()

        try t.type("/save \(saved)"); try t.keys("Enter")
        try t.wait(for: "saved to", timeout: 20)
        try t.keys("C-c"); try t.keys("C-c")
        #expect(t.waitForFile("exit", timeout: 30)?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        // The file as written (raw JSON, not through our loader).
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any]
        let recorded = try #require(raw?["turns"] as? [[String: Any]])
        try #require(recorded.count == 5, "\(recorded.map { $0["user"] ?? "" })")
        // Each turn's directive and sampler: thinking on with its preset (0.6 / top-p
        // 0.95), every later turn direct and greedy; the nemotron profile throughout.
        #expect(recorded.map { $0["mode"] as? String } == ["on", "off", "off", "off", "off"])
        #expect(recorded.allSatisfy { $0["profile"] as? String == "nemotron" })
        let sampling = recorded.map { $0["sampling"] as? [String: Any] ?? [:] }
        #expect(sampling.map { $0["temperature"] as? Double } == [0.6, 0, 0, 0, 0])
        #expect(sampling[0]["topP"] as? Double == 0.95)
        #expect(recorded.allSatisfy { ($0["model"] as? [String: Any])?["server"] as? String == server.url + "/v1" })
        // How each ended: the stopped and the killed turns keep what had arrived.
        let reasons = recorded.map { $0["stopReason"] as? String }
        #expect(reasons[2] == "cancelled" && reasons[3] == "error", "\(reasons)")
        #expect(reasons[4] == "end_of_turn" || reasons[4] == "length", "\(reasons)")
        // (SmolLM2 writes no think tags: on the thinking turn its text may all count as reasoning.)
        #expect(recorded.allSatisfy { !((($0["reasoning"] as? String) ?? "") + (($0["answer"] as? String) ?? "")).isEmpty })
        #expect(recorded.dropFirst().allSatisfy { !(($0["answer"] as? String) ?? "").isEmpty }, "a direct turn has no answer")
        #expect((recorded[3]["note"] as? String)?.isEmpty == false)
    }

    /// The connection dropped mid-reply (the fault proxy closes it after 1200 bytes of
    /// the reply): the partial turn stays on screen and in the journal, marked with the
    /// error; Ctrl-R asks the same server again and the turn completes. The journal holds
    /// both attempts (the partial end, the "drop" line, the complete end), the saved
    /// session the complete one; the proxy's log (Python's reading of what it forwarded)
    /// is the oracle for each attempt's text.
    @Test func ctrlRRetriesADroppedTurn() throws {
        let server = try LlamaServer(model: try TestEnv.smolQ4_1)
        defer { server.stop() }
        let proxy = try FaultProxy(upstream: server, faults: ["drop:1200"])
        defer { proxy.stop() }
        let t = try TerminalTests.Tmux()
        let dir = t.dir.path
        let sessions = "\(dir)/data/ponder/sessions"
        let saved = "\(dir)/retried.json"
        try t.startPonder(width: 120, height: 30, "chat --server \(proxy.url) --think off --seed 3 --max-tokens 24")
        try t.wait(for: " DIRECT │", timeout: 30)
        let prompt = "Why is the sky blue?"
        try t.type(prompt); try t.keys("Enter")
        #expect(JournalWatch.waitForEnds(1, in: sessions), "the dropped turn did not end")
        try t.wait(for: "[error: ", timeout: 20)
        try t.keys("C-r")
        #expect(JournalWatch.waitForEnds(2, in: sessions), "the retried turn did not end")
        try t.wait("the error mark to go", timeout: 20) { s in !s.contains { $0.contains("[error: ") } }
        try t.type("/save \(saved)"); try t.keys("Enter")
        try t.wait(for: "saved to", timeout: 20)
        try t.keys("C-c"); try t.keys("C-c")
        #expect(t.waitForFile("exit", timeout: 30)?.trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        let log = try proxy.log(count: 2)
        try #require(log.count == 2, "\(log)")
        #expect(log[0].fault == "drop:1200" && log[1].fault == "pass")
        // The journal: the partial end (an error, what arrived before the drop), the drop
        // of that turn, the complete end (what the second request streamed).
        let lines = Self.journal(sessions)
        let kinds = lines.compactMap { $0["k"] as? String }.filter { $0 == "end" || $0 == "drop" }
        #expect(kinds == ["end", "drop", "end"], "\(kinds)")
        let ends = lines.filter { $0["k"] as? String == "end" }.compactMap { $0["turn"] as? [String: Any] }
        try #require(ends.count == 2)
        #expect(ends.map { $0["user"] as? String } == [prompt, prompt])
        #expect(ends[0]["stopReason"] as? String == "error")
        #expect((ends[0]["note"] as? String)?.contains("broke mid-reply") == true, "\(ends[0]["note"] ?? "")")
        #expect(ends[0]["answer"] as? String == FaultProxy.trimmed(log[0].content))
        #expect(["end_of_turn", "length"].contains(ends[1]["stopReason"] as? String ?? ""), "\(ends[1])")
        #expect(ends[1]["answer"] as? String == FaultProxy.trimmed(log[1].content))
        #expect((ends[1]["answer"] as? String ?? "").count > (ends[0]["answer"] as? String ?? "").count)
        // The saved session: the one turn, complete.
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any]
        let turns = try #require(raw?["turns"] as? [[String: Any]])
        try #require(turns.count == 1)
        #expect(turns[0]["answer"] as? String == ends[1]["answer"] as? String)
        #expect(turns[0]["stopReason"] as? String == ends[1]["stopReason"] as? String)
    }

    /// Every line of the session's journal (one file), parsed.
    static func journal(_ sessions: String) -> [[String: Any]] {
        guard let f = JournalWatch.files(in: sessions).first,
              let text = try? String(contentsOfFile: sessions + "/" + f, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
