import Testing
import Foundation
import Session
@testable import TUI

/// `ConversationDriver` over a real `Conversation` with the Session module's
/// `ScriptedBackend` (a test double of the model: the point here is the adapter).
@Suite struct ConversationDriverTests {
    func makeDriver() -> ConversationDriver {
        let backend = ScriptedBackend(script: ScriptedBackend.bytes { "<think>hm</think>echo: \($0)" })
        let conv = Conversation(backend: backend, format: ChatMLFormat(), settings: SessionSettings())
        return ConversationDriver(conversation: conv)
    }

    @Test func sendStreamsATurnAndCommandsChangeSettings() async throws {
        let d = makeDriver()
        await d.send("hi", mode: .on)
        var answer = "", finished = false
        for await ev in d.events {
            if case .answer(_, let t) = ev { answer += t }
            if case .turnFinished = ev { finished = true; break }
        }
        #expect(finished && answer.contains("echo: hi"))
        await d.conversation.waitUntilIdle()   // the turn record lands after its last event

        #expect(await d.perform(.setSampler(.temperature(0.25))) == .done("sampler set for the next turns"))
        #expect(await d.perform(.setSampler(.seed(9))) == .done("sampler set for the next turns"))
        #expect(await d.perform(.setReasoningBudget(64)) == .done("reasoning budget 64 tokens"))
        let st = await d.status()
        #expect(st.temperature == 0.25 && st.seed == 9 && st.reasoningBudget == 64)

        let md = FileManager.default.temporaryDirectory.appendingPathComponent("ponder-export-\(getpid()).md")
        defer { try? FileManager.default.removeItem(at: md) }
        #expect(await d.perform(.export(path: md.path)) == .done("exported to \(md.path)"))
        let text = try String(contentsOf: md, encoding: .utf8)
        #expect(text.contains("hi") && text.contains("echo: hi"))

        if case .failed = await d.perform(.newConversation) {} else { Issue.record("/new should say it is not available") }
        await d.conversation.close()
    }
}
