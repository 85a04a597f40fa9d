import Foundation
import Testing
import TestSupport

/// `ponder chat --save-kv` and `--resume` on the real SmolLM2 model, in plain mode, in a
/// private data folder: the KV cache saved beside the journal is read back on resume, the
/// resumed turn reuses the same cached tokens as the same conversation continued live
/// (the oracle: one process, no restart) and writes the same reply; a corrupt file, or
/// the file of another model, is refused with one line and the reply is the one
/// re-reading the conversation gives.
@Suite(.serialized) struct KVResumeTests {
    struct Chat {
        let ponder: URL
        let env: [String: String]
        let sessions: URL

        func journals() -> Set<String> {
            Set(((try? FileManager.default.contentsOfDirectory(atPath: sessions.path)) ?? []).filter { $0.hasSuffix(".jsonl") })
        }

        /// Runs a plain-mode chat of `messages`; returns stdout, stderr and the journal it wrote.
        func run(_ messages: [String], model: URL, extra: [String] = []) throws -> (out: String, err: String, journal: URL?) {
            let before = journals()
            let r = try runProcess(ponder, ["chat", "--model", model.path, "--think", "off", "--max-tokens", "24"] + extra,
                                   stdin: Data(messages.map { $0 + "\n" }.joined().utf8), environment: env, timeout: 300)
            #expect(r.status == 0 && !r.signaled, "\(r.stderrText)")
            let new = journals().subtracting(before)
            return (r.stdoutText, r.stderrText, new.first.map { sessions.appendingPathComponent($0) })
        }
    }

    /// `cachedTokens` of each turn's end record in a journal.
    static func cachedTokens(_ journal: URL) throws -> [Int] {
        try String(contentsOf: journal, encoding: .utf8).split(separator: "\n").compactMap { line in
            guard line.contains("\"k\":\"end\""), let r = line.range(of: "\"cachedTokens\":") else { return nil }
            return Int(line[r.upperBound...].prefix { $0.isNumber })
        }
    }

    static func refusals(_ err: String) -> [Substring] {
        err.split(separator: "\n").filter { $0.contains("saved KV cache refused") }
    }

    @Test func resumeReadsTheSavedCacheAndRefusesABadOne() throws {
        let data = try TestEnv.freshDirectory("ponder-kv")
        defer { try? FileManager.default.removeItem(at: data) }
        var env = ProcessInfo.processInfo.environment
        env["XDG_DATA_HOME"] = data.path
        let chat = Chat(ponder: try TestEnv.ponderBinary(), env: env, sessions: data.appendingPathComponent("ponder/sessions"))
        let q4 = try TestEnv.smolQ4_1, q8 = try TestEnv.smolQ8_0
        let first = ["Name a colour.", "And a fruit?"], next = "Now name a tree."

        // The oracle: the three messages in one live session.
        let live = try chat.run(first + [next], model: q4, extra: ["--no-journal"])
        let saving = try chat.run(first, model: q4, extra: ["--save-kv"])
        let journal = try #require(saving.journal)
        let kv = URL(fileURLWithPath: journal.path + ".kv")
        #expect(FileManager.default.fileExists(atPath: kv.path))
        #expect(live.out.hasPrefix(saving.out), "the first two replies differ:\n\(live.out)\n---\n\(saving.out)")
        let liveThird = String(live.out.dropFirst(saving.out.count))
        #expect(!liveThird.isEmpty)

        // Resumed with the saved cache: the live session's reply, and as many cached tokens.
        let withKV = try chat.run([next], model: q4, extra: ["--resume", journal.path])
        #expect(withKV.out == liveThird)
        #expect(withKV.err.contains("resumed with the saved KV cache"), "\(withKV.err)")
        let liveCached = try Self.cachedTokens(try #require(try chat.run(first + [next], model: q4).journal))
        let kvCached = try Self.cachedTokens(try #require(withKV.journal))
        #expect(kvCached.count == 3 && liveCached.count == 3)
        #expect(kvCached.last == liveCached.last && (kvCached.last ?? 0) > 0, "\(kvCached) vs live \(liveCached)")

        // Without the file: the conversation is re-read (nothing cached), no notice.
        let saved = try Data(contentsOf: kv)
        try FileManager.default.removeItem(at: kv)
        let reread = try chat.run([next], model: q4, extra: ["--resume", journal.path])
        #expect(try Self.cachedTokens(try #require(reread.journal)).last == 0)
        #expect(!reread.err.contains("KV cache"), "\(reread.err)")

        // A flipped byte, a truncated file: one line each, then the re-read reply.
        var flipped = saved
        flipped[flipped.count / 3] ^= 0x04
        for (bad, why) in [(flipped, "checksum"), (saved.prefix(saved.count - 4096), "truncated")] {
            try bad.write(to: kv)
            let r = try chat.run([next], model: q4, extra: ["--resume", journal.path, "--no-journal"])
            let lines = Self.refusals(r.err)
            #expect(lines.count == 1 && lines.first?.contains(why) == true, "\(r.err)")
            #expect(r.out == reread.out)
        }

        // Another model file (Q8_0 for the Q4_1 cache): refused, and its reply is Q8_0's re-read one.
        try saved.write(to: kv)
        let other = try chat.run([next], model: q8, extra: ["--resume", journal.path, "--no-journal"])
        let lines = Self.refusals(other.err)
        #expect(lines.count == 1 && lines.first?.contains("Q4_1") == true, "\(other.err)")
        try FileManager.default.removeItem(at: kv)
        let q8Reread = try chat.run([next], model: q8, extra: ["--resume", journal.path, "--no-journal"])
        #expect(other.out == q8Reread.out)

        // --save-kv without a journal is a one-line usage error.
        let r = try runProcess(chat.ponder, ["chat", "--model", q4.path, "--save-kv", "--no-journal"],
                               stdin: Data("hi\n".utf8), environment: env, timeout: 60)
        #expect(r.status != 0 && !r.signaled && r.stderrText.contains("--no-journal"), "\(r.stderrText)")
    }

    /// `ponder bench --saved-kv`: the bench saves, appends and restores a real cache (it
    /// fails when a restore does not give back the saved tokens), then resumes it in fresh
    /// processes (each fails unless it restores the cache), and prints a row of each; -p 0
    /// is one line of error.
    @Test func benchSavedKVRestoresAndPrintsARow() throws {
        let bin = try TestEnv.ponderBinary(), model = try TestEnv.smolQ4_1.path
        let r = try runProcess(bin, ["bench", "--model", model, "--saved-kv", "-p", "64", "-n", "8", "-r", "1"], timeout: 300)
        #expect(r.status == 0 && !r.signaled, "\(r.stderrText)")
        #expect(r.stdoutText.contains("positions: 72 (64 + 8 appended)"), "\(r.stdoutText)")
        #expect(r.stdoutText.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.hasSuffix(" s |") }.count == 2, "\(r.stdoutText)")
        #expect(r.stdoutText.contains("resume in a fresh process"), "\(r.stdoutText)")
        let e = try runProcess(bin, ["bench", "--model", model, "--saved-kv", "-p", "0"])
        #expect(e.status != 0 && !e.signaled && e.stderrText.contains("--saved-kv") && !e.stdoutText.contains("|"), "\(e.stderrText)")
    }
}
