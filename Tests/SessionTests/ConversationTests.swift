import Foundation
import Testing
import Session
import Tokenizer

/// The conversation actor over the SCRIPTED TEST-DOUBLE backend (`ScriptedBackend`): no
/// model runs here; what is tested is the session machinery. Real-model tests wait for
/// the Engine.
@Suite struct ConversationTests {
    static func reply(_ user: String) -> String {
        "<think>\nThinking about \(user): ü 🙂.\n</think>\n\nAnswer to \(user) ✓"
    }

    @Test func eventsMatchRecordsWithPresetSamplersAndSeeds() async throws {
        let backend = ScriptedBackend { prompt in
            let text = Self.reply(ScriptedBackend.lastUserMessage(in: prompt))
            return pieces(text, cuts: Array(stride(from: 3, to: text.utf8.count, by: 3)))
        }
        var settings = SessionSettings()
        settings.seed = 1000
        let conv = Conversation(backend: backend, format: ChatFormat(kind: .chatml), settings: settings)
        let events = collectEvents(conv)
        let modes: [ReasoningMode] = [.on, .off, .on, .on, .off]
        for (i, m) in modes.enumerated() { await conv.send("q\(i)", mode: m) }
        await conv.close()
        let turns = await conv.turns
        checkStream(await events.value, turns)
        #expect(turns.count == 5)
        for (i, t) in turns.enumerated() {
            #expect(t.user == "q\(i)" && t.mode == modes[i])
            #expect(t.reasoning == "Thinking about q\(i): ü 🙂.")
            #expect(t.answer == "Answer to q\(i) ✓")
            #expect(t.stopReason == .endOfTurn)
            #expect(t.seed == 1000 + UInt64(i))
            if t.mode == .on {
                #expect(t.sampling.temperature == 0.6 && t.sampling.topP == 0.95)
            } else {
                #expect(t.sampling.isGreedy)
            }
            #expect(t.tokens.count == t.tokenTimes.count)
            #expect(t.tokenTimes == t.tokenTimes.sorted())
            #expect(t.stats.reasoningTokens + t.stats.answerTokens == t.tokens.count)
            #expect(t.stream.filter { $0.c == .reasoning }.map(\.text).joined() == t.reasoning)
            #expect(t.stream.filter { $0.c == .answer }.map(\.text).joined() == t.answer)
        }
    }

    /// Tags split at every byte position, through the whole pipeline.
    @Test func tagsSplitAtEveryBytePositionInTheStream() async throws {
        let text = "<think>\nr ü\n</think>\n\nanswer 🙂"
        let n = text.utf8.count
        let backend = ScriptedBackend { prompt in
            let cut = Int(ScriptedBackend.lastUserMessage(in: prompt).dropFirst(4)) ?? 0
            return pieces(text, cuts: [cut])
        }
        let conv = Conversation(backend: backend, format: ChatFormat(kind: .llama3), settings: SessionSettings())
        let events = collectEvents(conv)
        for cut in 1..<n { await conv.send("cut \(cut)", mode: .on) }
        await conv.close()
        let turns = await conv.turns
        checkStream(await events.value, turns)
        #expect(turns.count == n - 1)
        for t in turns {
            #expect(t.reasoning == "r ü", "\(t.user)")
            #expect(t.answer == "answer 🙂", "\(t.user)")
        }
    }

    /// An off-turn is stored with its pre-fill and its reply as generated, so the next
    /// turn's prompt starts with everything the cache holds: the previous prompt and reply.
    @Test func theNextTurnReusesTheWholePreviousOffTurn() async throws {
        let backend = ScriptedBackend(script: ScriptedBackend.bytes { "\n\nAnswer to \($0)." })
        var settings = SessionSettings()
        settings.profile = .nemotron
        let conv = Conversation(backend: backend, format: ChatFormat(kind: .llama3), settings: settings)
        await conv.send("q0", mode: .off)
        await conv.send("q1", mode: .off)
        await conv.close()
        let turns = await conv.turns
        #expect(turns.map(\.prefill) == ["<think>\n</think>", "<think>\n</think>"])
        #expect(turns.map(\.profile) == [.nemotron, .nemotron])
        #expect(turns[0].answer == "Answer to q0." && turns[0].reasoning.isEmpty)
        let first = turns[0].stats.promptTokens + turns[0].stats.cachedTokens + turns[0].tokens.count
        #expect(turns[1].stats.cachedTokens == first)
    }

    @Test func aNewTurnEvaluatesOnlyTokensNotInTheCache() async throws {
        let backend = ScriptedBackend(script: ScriptedBackend.bytes(Self.reply))
        let counters = backend.counters
        var settings = SessionSettings()
        settings.profile = .nemotron          // a system message (the directive) every prompt shares
        let conv = Conversation(backend: backend, format: ChatFormat(kind: .llama3), settings: settings)
        for i in 0..<3 { await conv.send("q\(i)", mode: .on) }
        await conv.close()
        let turns = await conv.turns
        var history: [PromptTurn] = []
        var cache: [Int32] = []
        var evaluated = 0
        for t in turns {
            let p = promptTokens(ChatFormat(kind: .llama3), settings, .on, history, t.user)
            let common = zip(cache, p).prefix { $0 == $1 }.count
            #expect(t.stats.promptTokens == p.count - common)
            #expect(t.stats.cachedTokens == common)
            #expect(t.index == 0 || common > p.count / 2)
            cache = p + t.tokens
            evaluated += t.stats.promptTokens + t.tokens.count
            history.append(t.promptTurn)
        }
        #expect(counters.evaluated == evaluated)
    }

    /// Toggling on → off → on → off: with per-mode snapshots, a toggle back costs at
    /// most the tokens added since that mode was last used; without them, far more.
    @Test(arguments: [true, false]) func toggleCostsOnlyTheTokensAddedSince(snapshots: Bool) async throws {
        let backend = ScriptedBackend(bytesPerToken: 100, script: ScriptedBackend.bytes(Self.reply))
        var settings = SessionSettings()
        settings.profile = .nemotron          // the modes' prompts differ from the system message on
        if !snapshots { settings.snapshotBudgetBytes = 0 }
        let conv = Conversation(backend: backend, format: ChatFormat(kind: .llama3), settings: settings)
        let modes: [ReasoningMode] = [.on, .off, .on, .off]
        for (i, m) in modes.enumerated() { await conv.send("question number \(i)", mode: m) }
        await conv.close()
        let turns = await conv.turns
        let prompts = turns.indices.map { i in
            promptTokens(ChatFormat(kind: .llama3), settings, modes[i], turns[..<i].map(\.promptTurn), turns[i].user)
        }
        func common(_ a: [Int32], _ b: [Int32]) -> Int { zip(a, b).prefix { $0 == $1 }.count }
        for i in 2..<4 {
            // Tokens of this prompt not in the prompt of the last turn in this mode (for
            // off-turns that includes the pre-fill, which history does not repeat).
            let addedSince = prompts[i].count - common(prompts[i], prompts[i - 2])
            if snapshots {
                #expect(turns[i].stats.promptTokens <= addedSince, "turn \(i)")
                #expect(turns[i].stats.snapshotBytes != nil)
            } else {
                #expect(turns[i].stats.promptTokens > addedSince, "turn \(i)")
            }
        }
        // The first off-turn has no off cache yet: only the start of the system message
        // ("…detailed thinking o") is shared with the on-cache.
        #expect(turns[1].stats.cachedTokens == common(prompts[1], prompts[0] + turns[0].tokens))
        #expect(turns[1].stats.cachedTokens < 40)
        if snapshots {
            // Memory held: the other mode's cache, bytesPerToken per cached token.
            let otherModeCache = prompts[2].count + turns[2].tokens.count
            #expect(turns[3].stats.snapshotBytes == otherModeCache * 100)
        }
    }

    @Test func contextOverflowDropsOldestTurnsButNeverTheSystemMessage() async throws {
        let backend = ScriptedBackend(contextSize: 400, script: ScriptedBackend.bytes { "Answer to \($0), which is long enough." })
        let counters = backend.counters
        var settings = SessionSettings()
        settings.systemPrompt = "SYSTEM PROMPT"
        let conv = Conversation(backend: backend, format: ChatFormat(kind: .chatml), settings: settings)
        let events = collectEvents(conv)
        for i in 0..<15 { await conv.send("question \(i)", mode: .off) }
        await conv.close()
        let turns = await conv.turns
        let all = await events.value
        checkStream(all, turns)
        #expect(turns.count == 15)
        #expect(turns.allSatisfy { $0.stopReason == .endOfTurn && $0.answer == "Answer to \($0.user), which is long enough." })
        let notices = all.compactMap { if case .notice(let s) = $0 { return s } else { return nil } }
        #expect(notices.contains { $0.contains("outgrew the context") })
        let counter = ScriptedBackend { _ in [] }
        for p in counters.prompts {
            #expect(p.hasPrefix("<|im_start|>system\nSYSTEM PROMPT<|im_end|>\n"))   // no directive: profile none
            #expect(counter.tokenize(p, special: true).count < 400)
        }
        #expect(!(counters.prompts.last ?? "").contains("question 0<"))
    }

    @Test func thinkBudgetClosesTheReasoningAndTheModelAnswers() async throws {
        let script: [[UInt8]] = (["<think>", "\n"] + (0..<50).map { "step\($0) " } + ["</think>", "\n\n", "final", " answer"])
            .map { Array($0.utf8) }
        let backend = ScriptedBackend { _ in script }
        var settings = SessionSettings()
        settings.thinkBudget = 5
        let conv = Conversation(backend: backend, format: ChatFormat(kind: .llama3), settings: settings)
        let events = collectEvents(conv)
        await conv.send("go", mode: .on)
        await conv.send("go again", mode: .off)      // the budget applies to reasoning turns only
        await conv.close()
        let turns = await conv.turns
        // A stream printed as it comes learns of the cut before the answer's first piece.
        let first = await events.value.prefix { if case .turnFinished = $0 { false } else { true } }
        let cut = first.firstIndex { if case .stats(_, let s) = $0 { s.budgetApplied == true } else { false } }
        let answer = first.firstIndex { if case .answer = $0 { true } else { false } }
        let lastReasoning = first.lastIndex { if case .reasoning = $0 { true } else { false } }
        #expect(cut != nil && answer != nil && lastReasoning != nil)
        if let cut, let answer, let lastReasoning { #expect(lastReasoning < cut && cut < answer) }
        #expect(turns[0].reasoning == "step0 step1 step2")
        #expect(turns[0].answer == "final answer")
        #expect(turns[0].stats.reasoningTokens == 5)
        #expect(turns[0].stats.budgetApplied == true)
        #expect(turns[0].thinkBudget == 5)
        #expect(turns[1].thinkBudget == nil)
        #expect(turns[1].reasoning.hasSuffix("step49"))
    }

    @Test func cancelStopsWithinOneTokenAndKeepsTheText() async throws {
        // 2,000 tokens of 0.2 s: the reply would last 400 s, longer than the whole suite,
        // so even a consumer starved by the parallel suite (2 cores, blocking oracle calls
        // on the cooperative pool; seen: > 40 s) cancels it long before its end.
        let full = String(repeating: "word ", count: 400)
        let backend = ScriptedBackend(tokenDelay: 0.2, script: ScriptedBackend.bytes { _ in full })
        let counters = backend.counters
        let conv = Conversation(backend: backend, format: ChatFormat(kind: .chatml), settings: SessionSettings())
        await conv.send("long", mode: .off)
        var seen = "", atCancel = 0
        var events: [SessionEvent] = []
        for await e in conv.events {
            events.append(e)
            if case .answer(_, let t) = e {
                seen += t
                if seen.count >= 40 && atCancel == 0 {
                    await conv.cancel()
                    atCancel = counters.evaluated
                }
            }
            if case .turnFinished = e { break }
        }
        await conv.close()
        let t = await conv.turns[0]
        #expect(t.stopReason == .cancelled)
        #expect(counters.evaluated - atCancel <= 1)
        #expect(t.answer.count >= 39 && full.hasPrefix(t.answer))
        checkStream(events, [t])
    }

    /// Stats arrive at least 4 times a second, even while one token takes long.
    @Test func statsTickAtLeastFourTimesASecond() async throws {
        let backend = ScriptedBackend(tokenDelay: 0.5, script: ScriptedBackend.bytes { _ in "abcd" })
        let conv = Conversation(backend: backend, format: ChatFormat(kind: .chatml), settings: SessionSettings())
        let events = collectEvents(conv)
        await conv.send("slow", mode: .off)
        await conv.close()
        let all = await events.value
        let ticks = all.filter { if case .stats = $0 { return true } else { return false } }.count
        let wall = await conv.turns[0].stats.wallTime
        #expect(wall >= 2)
        #expect(Double(ticks) >= (wall * 4).rounded(.down) - 1, "\(ticks) ticks in \(wall) s")
    }
}
