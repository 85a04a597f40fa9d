import Foundation
import Session

/// A stand-in session for trying the screen without a model (`ponder chat --demo`) and for
/// end-to-end UI tests: it streams canned reasoning (in THINKING mode) and then echoes
/// the message back as the answer, a few words at a time, with made-up stats. It is not
/// a model and says so in its answers.
public final class EchoDriver: ChatDriver, @unchecked Sendable {
    public let events: AsyncStream<SessionEvent>
    private let continuation: AsyncStream<SessionEvent>.Continuation
    private let lock = NSLock()
    private var task: Task<Void, Never>? = nil
    private var turnIndex = 0
    private var info = DriverStatus()
    /// The samplers `/set` changes (the demo generates nothing with them).
    private var sampling = SessionSettings()
    /// Seconds between streamed pieces.
    private let delay: Double

    public init(delay: Double = 0.05) {
        (events, continuation) = AsyncStream.makeStream(of: SessionEvent.self)
        self.delay = delay
        info.modelName = "echo (demo)"
        info.quantization = "none"
        info.threads = 1
        info.contextSize = 4096
        sampling.seed = 42
        showSampling()
    }

    public func send(_ text: String, mode: ReasoningMode) async {
        let index = lock.withLock { () -> Int in turnIndex += 1; return turnIndex - 1 }
        start(index: index, text: text, mode: mode)
    }

    private func start(index: Int, text: String, mode: ReasoningMode) {
        let cont = continuation, delay = self.delay
        let t = Task.detached {
            cont.yield(.turnStarted(index: index, mode: mode))
            let t0 = monotonicSeconds()
            var st = TurnStats()
            st.promptTokens = text.split(separator: " ").count + 8
            st.contextSize = 4096
            var reason = StopReason.endOfTurn
            func piece(_ ev: SessionEvent, answer: Bool) async -> Bool {
                try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                if Task.isCancelled { return false }
                let now = monotonicSeconds() - t0
                if st.timeToFirstToken == nil { st.timeToFirstToken = now; st.prefillTokensPerSecond = 500 }
                if answer {
                    st.answerTokens += 1
                    if st.timeToFirstAnswerToken == nil { st.timeToFirstAnswerToken = now }
                } else {
                    st.reasoningTokens += 1
                }
                st.wallTime = now
                st.decodeTokensPerSecond = Double(st.reasoningTokens + st.answerTokens) / max(0.001, now)
                st.contextUsed = st.promptTokens + st.reasoningTokens + st.answerTokens
                cont.yield(ev)
                cont.yield(.stats(index: index, st))
                return true
            }
            let reasoning = mode == .on
                ? "The user wrote \(text.count) characters. This demo has no model, so I will think for a moment and then echo the message back. "
                : ""
            let answer = "**Echo** (demo, no model): \(text)\n\n```\n\(text)\n```\n"
            outer: do {
                for w in reasoning.split(separator: " ") {
                    guard await piece(.reasoning(index: index, text: w + " "), answer: false) else {
                        reason = .cancelled; break outer
                    }
                }
                for w in answer.split(separator: " ", omittingEmptySubsequences: false) {
                    guard await piece(.answer(index: index, text: w + " "), answer: true) else {
                        reason = .cancelled; break outer
                    }
                }
            }
            cont.yield(.turnFinished(index: index, reason: reason, stats: st))
        }
        lock.withLock { task = t }
    }

    public func cancel() async {
        lock.withLock { task }?.cancel()
    }

    /// Copies the samplers into the status. Call with the lock held (or from init).
    private func showSampling() {
        info.samplingOn = sampling.samplingOn
        info.samplingOff = sampling.samplingOff
        info.seed = sampling.seed
    }

    public func perform(_ command: DriverCommand) async -> DriverResult {
        switch command {
        case .save(let p): return .done("demo: nothing saved (\(p ?? "default path"))")
        case .load(let p): return .failed("demo: cannot load \(p)")
        case .newConversation:
            lock.withLock { turnIndex = 0 }
            return .done("new conversation")
        case .setSystemPrompt: return .done("system prompt set")
        case .setSampler(let change, let mode):
            lock.withLock { sampling.apply(change, mode: mode); showSampling() }
            return .done("sampler updated")
        case .resetSampler(let mode):
            lock.withLock { sampling.resetSampling(mode); showSampling() }
            return .done("preset sampler")
        case .setReasoningBudget(let n, let always):
            if always { lock.withLock { info.reasoningBudget = n } }
            return .done(n.map { "reasoning budget \($0) tokens" } ?? "no reasoning budget")
        case .setThinkMinimum(let n, let always):
            if always { lock.withLock { info.reasoningMinimum = n } }
            return .done(n.map { "least reasoning \($0) tokens" } ?? "no least reasoning")
        case .answerNow:
            return .done("demo: answer now")
        case .setHistoryReasoning(let b):
            lock.withLock { info.historyReasoning = b }
            return .done("history reasoning \(b ? "on" : "off")")
        case .export(let p): return .done("demo: nothing exported (\(p))")
        case .regenerate(let mode):
            let index = lock.withLock { max(0, turnIndex - 1) }
            start(index: index, text: "(regenerated)", mode: mode)
            return .done(nil)
        case .dropLastTurn:
            lock.withLock { turnIndex = max(0, turnIndex - 1) }
            return .done(nil)
        case .showTranscript: return .done(nil)
        }
    }

    public func status() async -> DriverStatus { lock.withLock { info } }
}
