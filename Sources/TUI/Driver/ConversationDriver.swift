import Foundation
import Session

/// `ChatDriver` over the Session module's `Conversation` actor: what `ponder chat` can
/// hand to `runTUI` once it has loaded a model into a conversation.
///
/// Covered: send, cancel, save, system prompt, sampler settings (applied to both modes'
/// sampling), reasoning budget, history reasoning, Markdown export, status.
/// Not covered yet (they answer `.failed` with a one-line message, the UI goes on):
/// load, new conversation, regenerate and edit-last, which need `Conversation` support
/// for replacing or truncating its turns.
public final class ConversationDriver: ChatDriver, @unchecked Sendable {
    public let conversation: Conversation
    public var events: AsyncStream<SessionEvent> { conversation.events }
    /// Facts the conversation does not know (quantization, threads, KV bytes).
    private let baseStatus: DriverStatus

    /// `status`: the model name, quantization, threads and KV cache size to show; the
    /// sampler values are read from the conversation's settings.
    public init(conversation: Conversation, status: DriverStatus = DriverStatus()) {
        self.conversation = conversation
        self.baseStatus = status
    }

    public func send(_ text: String, mode: ReasoningMode) async {
        await conversation.send(text, mode: mode)
    }

    public func cancel() async { await conversation.cancel() }

    public func perform(_ command: DriverCommand) async -> DriverResult {
        switch command {
        case .save(let path):
            do {
                let url = try await conversation.save(to: path.map { URL(fileURLWithPath: expand($0)) })
                return .done("saved to \(url.path)")
            } catch {
                return .failed("cannot save: \(error)")
            }
        case .setSystemPrompt(let text):
            await conversation.update { $0.systemPrompt = text }
            return .done("system prompt set for the next turns")
        case .setSampler(let s):
            await conversation.update { st in
                for keyPath in [\SessionSettings.samplingOn, \SessionSettings.samplingOff] {
                    switch s {
                    case .temperature(let t): st[keyPath: keyPath].temperature = t
                    case .topP(let p): st[keyPath: keyPath].topP = p
                    case .topK(let k): st[keyPath: keyPath].topK = k
                    case .minP(let m): st[keyPath: keyPath].minP = m
                    case .maxTokens(let n): st[keyPath: keyPath].maxTokens = n
                    case .seed: break
                    }
                }
                if case .seed(let v) = s { st.seed = v }
            }
            return .done("sampler set for the next turns")
        case .setReasoningBudget(let n):
            await conversation.update { $0.thinkBudget = n }
            return .done(n.map { "reasoning budget \($0) tokens" } ?? "no reasoning budget")
        case .setHistoryReasoning(let on):
            await conversation.update { $0.historyReasoning = on }
            return .done("earlier reasoning \(on ? "is" : "is not") sent back to the model")
        case .export(let path):
            let md = MarkdownExport.render(await conversation.document())
            let url = URL(fileURLWithPath: expand(path))
            do {
                try Data(md.utf8).write(to: url, options: .atomic)
                return .done("exported to \(url.path)")
            } catch {
                return .failed("cannot write \(url.path): \(error.localizedDescription)")
            }
        case .load:
            return .failed("/load is not available in the chat yet: use `ponder replay FILE`")
        case .newConversation:
            return .failed("/new is not available yet: restart ponder for a new conversation")
        case .regenerate:
            return .failed("regenerate is not available yet")
        case .dropLastTurn:
            return .failed("editing the last message is not available yet")
        }
    }

    public func status() async -> DriverStatus {
        var s = baseStatus
        let settings = await conversation.settings
        if s.modelName.isEmpty, let m = await conversation.model { s.modelName = m.fileName }
        let sampling = settings.samplingOn
        s.temperature = sampling.temperature
        s.topP = sampling.topP
        s.topK = sampling.topK > 0 ? sampling.topK : nil
        s.minP = sampling.minP > 0 ? sampling.minP : nil
        s.maxTokens = sampling.maxTokens
        s.seed = settings.seed
        s.reasoningBudget = settings.thinkBudget
        s.historyReasoning = settings.historyReasoning
        return s
    }

    /// "~/x" → "$HOME/x".
    private func expand(_ p: String) -> String { (p as NSString).expandingTildeInPath }
}
