import ArgumentParser
import Foundation
import Session
import Tokenizer

/// Hidden: drives a conversation over the scripted test-double backend, journaling and
/// saving after every turn, so that a test can `kill -9` it at random moments and check
/// that every file still loads. Prints `committed N` once turn N is durable in the
/// journal and `saved N` once a document with turns 0…N is in place.
struct JournalStressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal-stress", abstract: "Test helper: journal a scripted conversation.",
        shouldDisplay: false)

    @Option var dir: String
    @Option var turns: Int = 1000
    @Option var seed: UInt64 = 1
    @Option(help: "Seconds per token.") var tokenDelay: Double = 0.0005

    /// The scripted reply of turn i: reasoning, then answer, with multi-byte text.
    static func reply(_ user: String) -> String {
        "<think>\nreasoning for \(user): ünïcödé 🙂 step, step, step.\n</think>\n\nanswer to \(user) ✓ done."
    }

    func run() async throws {
        let seed = self.seed
        let backend = ScriptedBackend(tokenDelay: tokenDelay) { prompt in
            // Token pieces of 1…5 bytes, boundaries from a per-prompt generator.
            let user = ScriptedBackend.lastUserMessage(in: prompt)
            var rng = SplitMix64(seed: seed ^ UInt64(truncatingIfNeeded: user.utf8.count))
            var bytes = Array(JournalStressCommand.reply(user).utf8)[...]
            var pieces: [[UInt8]] = []
            while !bytes.isEmpty {
                let n = Int(rng.next() % 5) + 1
                pieces.append(Array(bytes.prefix(n))); bytes = bytes.dropFirst(n)
            }
            return pieces
        }
        let dirURL = URL(fileURLWithPath: dir)
        var settings = SessionSettings()
        settings.seed = seed
        let created = Date().timeIntervalSince1970
        let journal = try Journal(url: dirURL.appendingPathComponent("journal.jsonl"), created: created,
                                  model: nil, format: "chatml", settings: settings)
        let conv = Conversation(backend: backend, format: ChatFormat(kind: .chatml), settings: settings, journal: journal,
                                created: created)
        let drain = Task { for await _ in conv.events {} }
        let docURL = dirURL.appendingPathComponent("session.json")
        for i in 0..<turns {
            await conv.send("message \(i)", mode: i % 2 == 0 ? .on : .off)
            await conv.waitUntilIdle()
            FileHandle.standardOutput.write(Data("committed \(i)\n".utf8))
            if i == 0 { try await conv.save(to: docURL) } else { try await conv.save() }
            FileHandle.standardOutput.write(Data("saved \(i)\n".utf8))
        }
        await conv.close()
        await drain.value
    }
}
