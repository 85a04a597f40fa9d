import Foundation
import Testing
import Engine
import GGUF
import Session
import Tokenizer
import TestSupport

/// Prompt evaluation reports progress (the TUI's "prefill [██░░] done/total" and time
/// left) on the real SmolLM2 model, no test double: a long prompt and a resumed session
/// (whose first turn evaluates the whole history) each give progress events whose done
/// counts rise chunk by chunk and end at the total, and the total is the prompt's token
/// count as the tokenizer counts it apart from the session.
@Suite struct PrefillProgressTests {
    struct Loaded {
        let model: LlamaModel
        let tokenizer: Tokenizer
        let format: ChatFormat
        func backend(_ capacity: Int) throws -> EngineBackend {
            EngineBackend(context: try LlamaContext(model: model, capacity: capacity), tokenizer: tokenizer)
        }
    }

    func load() throws -> Loaded {
        let file = try GGUFFile(path: try TestEnv.smolQ4_1.path)
        let tokenizer = try Tokenizer(gguf: file)
        return Loaded(model: try LlamaModel(file: file), tokenizer: tokenizer,
                      format: tokenizer.detectedChatFormat)
    }

    /// The (done, total) pairs of turn `index`'s progress events, in order.
    func progress(_ events: [SessionEvent], turn index: Int) -> [(done: Int, total: Int)] {
        events.compactMap {
            if case .prefillProgress(let i, let d, let t) = $0, i == index { return (d, t) } else { return nil }
        }
    }

    /// Done counts rise by at most `chunk` (exactly `chunk` but for the last step), all
    /// against one total, and end at it.
    func checkRising(_ p: [(done: Int, total: Int)], total: Int, chunk: Int,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!p.isEmpty, "no progress events", sourceLocation: sourceLocation)
        #expect(p.allSatisfy { $0.total == total }, "totals \(Set(p.map(\.total))) ≠ \(total)", sourceLocation: sourceLocation)
        #expect(p.last?.done == total, sourceLocation: sourceLocation)
        #expect(p.count == (total + chunk - 1) / chunk, sourceLocation: sourceLocation)
        var last = 0
        for (i, e) in p.enumerated() {
            #expect(e.done > last, "done went \(last) → \(e.done)", sourceLocation: sourceLocation)
            #expect(e.done - last == (i == p.count - 1 ? total - last : chunk), sourceLocation: sourceLocation)
            last = e.done
        }
    }

    @Test func aLongPromptAndAResumedSessionReportRisingProgress() async throws {
        let m = try load()
        let counter = try m.backend(16)   // counts prompt tokens apart from the session
        var settings = SessionSettings()
        settings.seed = 3
        settings.prefillChunk = 64
        settings.samplingOn.maxTokens = 4
        settings.samplingOff.maxTokens = 4
        let long = "Summarize this list in one word: "
            + (1...200).map { "item \($0) is a \(["red", "green", "blue"][$0 % 3]) ball" }.joined(separator: ", ") + "."

        // 1. A long first prompt.
        let conv = Conversation(backend: try m.backend(4096), format: m.format, settings: settings)
        let events = Task { var out: [SessionEvent] = []; for await e in conv.events { out.append(e) }; return out }
        await conv.send(long, mode: .off)
        await conv.send("And in two words?", mode: .off)
        await conv.close()
        let turns = await conv.turns
        let all = await events.value
        #expect(turns.count == 2)
        guard turns.count == 2 else { return }
        let prompt0 = try counter.encode(TurnPrompt.render(format: m.format, settings: settings, mode: .off,
                                                           history: [PromptTurn](), user: long))
        #expect(prompt0.count > 1000, "the prompt should be long: \(prompt0.count) tokens")
        checkRising(progress(all, turn: 0), total: prompt0.count, chunk: 64)
        #expect(turns[0].stats.promptTokens == prompt0.count)
        // The second turn evaluates only what the cache lacks, and says so.
        checkRising(progress(all, turn: 1), total: turns[1].stats.promptTokens, chunk: 64)
        #expect(turns[1].stats.promptTokens < prompt0.count)

        // 2. The session resumed on a fresh context: its next turn evaluates everything.
        let resumed = Conversation(backend: try m.backend(4096), format: m.format, settings: settings,
                                   resumed: turns)
        let events2 = Task { var out: [SessionEvent] = []; for await e in resumed.events { out.append(e) }; return out }
        await resumed.send("Thanks.", mode: .off)
        await resumed.close()
        let all2 = await events2.value
        let prompt2 = try counter.encode(TurnPrompt.render(format: m.format, settings: settings, mode: .off,
                                                           history: turns.map(\.promptTurn), user: "Thanks.",
                                                           decode: counter.tokenPiece))
        #expect(prompt2.count > prompt0.count)
        checkRising(progress(all2, turn: 2), total: prompt2.count, chunk: 64)
    }
}
