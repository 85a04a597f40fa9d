import Foundation
import Testing
import TestSupport
import Session

/// `kill -9` at 100 random moments while `ponder journal-stress` streams turns over the
/// SCRIPTED TEST-DOUBLE backend, journals them and saves the session document after
/// each turn. Afterwards every file must load; the journal must hold every turn the
/// child reported durable, exactly, plus at most the turn in flight (partial); the
/// document must hold at least every turn reported saved.
@Suite struct CrashSafetyTests {
    /// What the child's scripted model says to "message i" (see JournalStressCommand).
    static func expected(_ i: Int) -> (reasoning: String, answer: String) {
        ("reasoning for message \(i): ünïcödé 🙂 step, step, step.", "answer to message \(i) ✓ done.")
    }

    @Test func killNineAtAHundredRandomMoments() throws {
        let bin = try TestEnv.ponderBinary()
        let root = try temporaryDirectory()
        var rng = SystemRandomNumberGenerator()
        var runsWithTurns = 0, runsWithPartialTurn = 0, runsWithDocument = 0
        for run in 0..<100 {
            let dir = root.appendingPathComponent("\(run)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let p = Process()
            p.executableURL = bin
            p.arguments = ["journal-stress", "--dir", dir.path, "--seed", "\(run)", "--token-delay", "0.0003"]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32.random(in: 30_000...400_000, using: &rng))
            kill(p.processIdentifier, SIGKILL)
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal, "run \(run): the child ended before the kill")
            func last(_ word: String) -> Int {
                stdout.split(separator: "\n").compactMap { l in l.hasPrefix(word + " ") ? Int(l.dropFirst(word.count + 1)) : nil }.last ?? -1
            }
            let committed = last("committed"), saved = last("saved")

            let journal = dir.appendingPathComponent("journal.jsonl")
            guard FileManager.default.fileExists(atPath: journal.path) else {
                #expect(committed == -1, "run \(run): turns reported but no journal")
                continue
            }
            let loaded: LoadedSession
            do { loaded = try SessionLoader.load(journal) } catch {
                Issue.record("run \(run): journal does not load: \(error)"); continue
            }
            let turns = loaded.document.turns
            #expect(turns.count >= committed + 1, "run \(run): lost a committed turn")
            #expect(turns.count <= committed + 2, "run \(run): more than one turn in flight")
            for t in turns {
                let e = Self.expected(t.index)
                #expect(t.user == "message \(t.index)")
                if t.index <= committed || t.stopReason == .endOfTurn {
                    #expect(t.stopReason == .endOfTurn && t.reasoning == e.reasoning && t.answer == e.answer,
                            "run \(run) turn \(t.index)")
                } else {
                    #expect(t.stopReason == .error && t.index == turns.count - 1, "run \(run) turn \(t.index)")
                    #expect(e.reasoning.hasPrefix(t.reasoning) && e.answer.hasPrefix(t.answer),
                            "run \(run) partial turn \(t.index)")
                    runsWithPartialTurn += 1
                }
            }
            if !turns.isEmpty { runsWithTurns += 1 }

            let doc = dir.appendingPathComponent("session.json")
            if FileManager.default.fileExists(atPath: doc.path) {
                runsWithDocument += 1
                do {
                    let d = try SessionLoader.load(doc).document
                    #expect(d.turns.count >= saved + 1 && d.turns.count <= committed + 2, "run \(run)")
                    #expect(d.turns == Array(turns.prefix(d.turns.count)), "run \(run): document and journal differ")
                } catch { Issue.record("run \(run): document does not load: \(error)") }
            } else {
                #expect(saved == -1, "run \(run): a save was reported but there is no document")
            }
        }
        // The random moments covered the interesting cases.
        #expect(runsWithTurns >= 30 && runsWithDocument >= 30,
                "\(runsWithTurns) runs with turns, \(runsWithDocument) with a document")
        print("crash safety: \(runsWithTurns) runs with turns, \(runsWithPartialTurn) with a partial turn, \(runsWithDocument) with a document")
    }
}
