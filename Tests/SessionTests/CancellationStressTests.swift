import Foundation
import Testing
import Session
import Tokenizer

/// 1,000 interleaved cancel-then-new-turn requests over the SCRIPTED TEST-DOUBLE
/// backend: no text duplicated, lost, misrouted or out of order.
@Suite struct CancellationStressTests {
    static func reply(_ user: String) -> String {
        "<think>\nreasoning of \(user) " + String(repeating: "r", count: 40) + "\n</think>\n\nanswer of \(user) "
            + String(repeating: "a", count: 40)
    }

    @Test func thousandCancelThenNewTurnRequests() async throws {
        let backend = ScriptedBackend(tokenDelay: 0.0001, script: ScriptedBackend.bytes(Self.reply))
        let counters = backend.counters
        let conv = Conversation(backend: backend, format: ChatFormat(kind: .chatml), settings: SessionSettings())
        let events = collectEvents(conv)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<1000 {
            await conv.cancel()
            let started = counters.prompts.count
            await conv.send("m\(i)", mode: i % 3 == 0 ? .off : .on)
            // Make sure every case occurs, whatever the machine's speed: every 25th turn
            // is let start streaming (the next cancel then cuts it mid-stream), and
            // every 25th, offset, runs to its end.
            if i % 25 == 0 {
                // Until it has streamed some 20 tokens (past its `<think>` tag).
                let deadline = Date().addingTimeInterval(10)
                while counters.prompts.count == started, Date() < deadline { try await Task.sleep(nanoseconds: 50_000) }
                let base = counters.evaluated
                while counters.evaluated < base + 20, Date() < deadline { try await Task.sleep(nanoseconds: 50_000) }
            } else if i % 25 == 12 {
                await conv.waitUntilIdle()
            }
            // Vary the interleaving: sometimes let the turn run a little first.
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: try await Task.sleep(nanoseconds: UInt64.random(in: 0...4_000_000, using: &rng))
            case 1 where Int.random(in: 0..<4, using: &rng) == 0: try await Task.sleep(nanoseconds: 60_000_000)
            case 2: await Task.yield()
            default: break
            }
        }
        await conv.close()
        let turns = await conv.turns
        checkStream(await events.value, turns)
        #expect(turns.count == 1000)
        var cancelled = 0, partial = 0, complete = 0
        for (i, t) in turns.enumerated() {
            #expect(t.index == i && t.user == "m\(i)")
            let full = Self.reply(t.user)
            let expR = "reasoning of m\(i) " + String(repeating: "r", count: 40)
            let expA = "answer of m\(i) " + String(repeating: "a", count: 40)
            switch t.stopReason {
            case .endOfTurn:
                complete += 1
                #expect(t.reasoning == expR && t.answer == expA, "turn \(i)")
            case .cancelled:
                cancelled += 1
                if !t.reasoning.isEmpty || !t.answer.isEmpty { partial += 1 }
                // What was produced is kept, and is a prefix of this turn's own reply.
                #expect(expR.hasPrefix(t.reasoning), "turn \(i) reasoning \(t.reasoning)")
                #expect(t.answer.isEmpty || (t.reasoning == expR && expA.hasPrefix(t.answer)), "turn \(i): \(t.reasoning.debugDescription) \(t.answer.debugDescription)")
                #expect(full.utf8.starts(with: t.tokens.flatMap { backend_piece($0) }))
            default:
                Issue.record("turn \(i) ended with \(t.stopReason)")
            }
        }
        // The last turn is never cancelled.
        #expect(turns[999].stopReason == .endOfTurn)
        // The interleaving really mixed the cases (cancelled before start, mid-stream, not at all).
        #expect(cancelled > partial && partial > 0 && complete > 1, "\(cancelled) cancelled, \(partial) partial, \(complete) complete")
    }
}

/// Byte tokens of the test double are the byte values themselves.
private func backend_piece(_ t: Int32) -> [UInt8] { t < 256 ? [UInt8(t)] : [] }
