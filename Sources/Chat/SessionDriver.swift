import Foundation
import Session
import TUI

/// The real `ChatDriver` (full screen, line mode and pipe alike): the TUI's requests
/// carried out on a `Conversation` over the engine. A new conversation (with its own journal) replaces it on /new and /load;
/// Ctrl-R and Ctrl-E withdraw the last turn of the same one. The conversation's events
/// are forwarded into one stream that lives as long as the driver.
public actor SessionDriver: ChatDriver {
    /// Every conversation's events, in order, for as long as the driver lives.
    public nonisolated let events: AsyncStream<SessionEvent>
    private let continuation: AsyncStream<SessionEvent>.Continuation
    private let target: ChatTarget
    private let threads: Int
    private var conversation: Conversation
    private var forwarder: Task<Void, Never>?
    /// Whether conversations are journaled (`--no-journal` turns it off).
    private var journaling: Bool
    /// Whether a local model's KV cache is saved beside the journal when a turn ends
    /// (`--save-kv`, `SavedKVCache`).
    private let savingKV: Bool

    /// `loadWeights`: bring the weights into memory at once, with progress notices
    /// (the full-screen chat; the line mode and the pipe start `WeightLoading.inBackground`
    /// when they open the model). `notices` are
    /// shown first, before any resume warnings. `saveKV`: save the KV cache beside the
    /// journal when each turn ends. A resumed session's saved KV cache, if it has one, is
    /// read back whether or not `saveKV` is set. `settings` are the new turns' (for a
    /// resumed session: its own, with what the command line changes).
    public init(target: ChatTarget, settings: SessionSettings, threads: Int, journal: Bool,
                resume: LoadedSession? = nil, loadWeights: Bool = false, notices: [String] = [],
                saveKV: Bool = false) throws {
        self.target = target
        self.threads = threads
        journaling = journal
        savingKV = saveKV
        (events, continuation) = AsyncStream.makeStream(of: SessionEvent.self, bufferingPolicy: .unbounded)
        let kvNotice: String?
        (conversation, kvNotice) = try Self.makeConversation(
            target: target, settings: settings, turns: resume?.document.turns ?? [],
            journal: journal, saveKV: saveKV, restoreKV: resume?.url.map(SavedKVCache.url(beside:)),
            created: resume?.document.created, continuation: continuation)
        let conv = conversation
        let cont = continuation
        forwarder = Task { for await e in conv.events { cont.yield(e) } }
        var warnings = notices
        if let resume {
            warnings += resume.warnings
            if let kvNotice { warnings.append(kvNotice) }
            if let was = resume.document.model, let now = target.identity, let m = was.mismatch(with: now) {
                warnings.append("model mismatch: " + m)
            }
            let was = resume.document.settings.profile ?? .noReasoning
            if was != target.profile {
                warnings.append("the session used the \(was.rawValue) reasoning profile; new turns use \(target.profile.rawValue)")
            }
        }
        if loadWeights, case .local(let loaded) = target {
            // The warnings come after the progress, so the last one stays on screen.
            // A thread of its own: reading a large cold file blocks for seconds, which
            // must not hold one of the few threads of the cooperative pool.
            let model = loaded.model, later = warnings
            Thread.detachNewThread {
                WeightLoading.run(model) { cont.yield(.notice($0)) }
                for w in later { cont.yield(.notice(w)) }
            }
        } else {
            for w in warnings { continuation.yield(.notice(w)) }
        }
    }

    /// A conversation over a new backend, journaled when `journal` is set. A journal that
    /// cannot be created is reported on the conversation's stream, never dropped silently.
    /// `saveKV`: the KV cache is saved beside the journal; `restoreKV`: a saved KV cache
    /// to start from. Returns the restore's notice line.
    private static func makeConversation(target: ChatTarget, settings: SessionSettings, turns: [TurnRecord],
                                         journal: Bool, saveKV: Bool, restoreKV: URL?, created: Double?,
                                         continuation: AsyncStream<SessionEvent>.Continuation) throws
        -> (Conversation, String?) {
        let createdAt = created ?? Date().timeIntervalSince1970
        // New turns use the loaded model's profile; loaded turns keep the one recorded on them.
        var settings = settings
        settings.profile = target.profile
        var j: Journal?
        if journal {
            do {
                j = try Journal.createDefault(created: createdAt, model: target.identity,
                                              format: target.format.kind.rawValue, settings: settings)
            } catch {
                continuation.yield(.error("journal: \(error); this conversation is not journaled"))
            }
        }
        let made: (backend: any TurnBackend, notice: String?)
        do {
            made = try target.makeBackend(saveKV: saveKV ? j.map { SavedKVCache.url(beside: $0.url) } : nil,
                                          restoreKV: restoreKV)
        } catch {
            try? j?.close()     // a journal without turns is removed
            throw error
        }
        let (backend, notice) = made
        let conv = Conversation(backend: backend, format: target.format, settings: settings, model: target.identity,
                                journal: j, resumed: turns, created: createdAt)
        return (conv, notice)
    }

    /// Replaces the conversation by one holding `turns` (the old one is closed first),
    /// its KV cache read from `restoreKV` when that is given and matches; returns the
    /// restore's notice line.
    @discardableResult
    private func replace(settings: SessionSettings, turns: [TurnRecord], created: Double? = nil,
                         restoreKV: URL? = nil) async throws -> String? {
        let old = conversation
        await old.cancel()
        await old.close()
        await forwarder?.value
        let notice: String?
        (conversation, notice) = try Self.makeConversation(target: target, settings: settings, turns: turns,
                                                           journal: journaling, saveKV: savingKV, restoreKV: restoreKV,
                                                           created: created, continuation: continuation)
        let conv = conversation
        let cont = continuation
        forwarder = Task { for await e in conv.events { cont.yield(e) } }
        return notice
    }

    /// Queues a turn on the current conversation.
    public func send(_ text: String, mode: ReasoningMode) async {
        await conversation.send(text, mode: mode)
    }

    /// Stops the turn in flight (it keeps what arrived) and the queued ones.
    public func cancel() async { await conversation.cancel() }

    /// Carries out a slash command or key action; failures are one line.
    public func perform(_ command: DriverCommand) async -> DriverResult {
        do {
            switch command {
            case .save(let path):
                let url = try await conversation.save(to: path.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) })
                return .done("saved to \(url.path)")
            case .load(let path):
                let session = try SessionLoader.load(URL(fileURLWithPath: (path as NSString).expandingTildeInPath))
                let kv = try await replace(settings: session.document.settings, turns: session.document.turns,
                                           created: session.document.created,
                                           restoreKV: session.url.map(SavedKVCache.url(beside:)))
                var msg = session.warnings + (kv.map { [$0] } ?? [])
                if let was = session.document.model, let now = target.identity, let m = was.mismatch(with: now) {
                    msg.append("model mismatch: " + m)
                }
                return .transcript(session.document.turns.map(Self.transcript),
                                   message: msg.isEmpty ? "loaded \(path)" : msg.joined(separator: "; "))
            case .newConversation:
                try await replace(settings: await conversation.settings, turns: [])
                return .done("new conversation")
            case .setSystemPrompt(let text):
                await conversation.update { $0.systemPrompt = text.isEmpty ? nil : text }
                return .done(text.isEmpty ? "system prompt cleared" : "system prompt set")
            case .setSampler(let change, let mode):
                await conversation.update { $0.apply(change, mode: mode) }
                if case .seed(let v) = change { return .done("seed \(v)") }
                return .done("\(Self.samplerName(mode)): \(await conversation.settings.sampling(for: mode).summary)")
            case .resetSampler(let mode):
                await conversation.update { $0.resetSampling(mode) }
                let s = await conversation.settings
                return .done([ReasoningMode.on, .off].filter { mode == nil || mode == $0 }
                    .map { "\(Self.samplerName($0)): \(s.sampling(for: $0).summary)" }.joined(separator: "; "))
            case .setReasoningBudget(let n, let always):
                await conversation.setBudget(n, always: always)
                guard let n else { return .done("no reasoning budget") }
                return .done("reasoning budget \(n) tokens " + (always ? "for every turn" : "for the next turn"))
            case .setThinkMinimum(let n, let always):
                if n != nil, let why = Self.noThinkMore(target: target, profile: await conversation.settings.profile) {
                    return .failed(why)
                }
                await conversation.setMinimum(n, always: always)
                guard let n else { return .done("no least reasoning") }
                return .done("least reasoning \(n) tokens " + (always ? "for every turn" : "for the next turn"))
            case .answerNow:
                if case .remote = target {
                    return .failed("answer now works with a local model; on a server, Esc stops the reply")
                }
                return await conversation.answerNow() ? .done("reasoning ended: the answer follows")
                                                      : .failed("no reply is being written")
            case .setHistoryReasoning(let on):
                await conversation.update { $0.historyReasoning = on }
                return .done("earlier reasoning \(on ? "is" : "is not") sent back")
            case .export(let path):
                await conversation.settled()
                let md = MarkdownExport.render(await conversation.document())
                let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
                guard !FileManager.default.fileExists(atPath: url.path) else {
                    return .failed("\(url.path) exists; choose another name")
                }
                try Data(md.utf8).write(to: url, options: .atomic)
                return .done("exported to \(url.path)")
            case .regenerate(let mode):
                // The same conversation, journal and cache: the reply is withdrawn, then asked again.
                guard let last = await conversation.dropLastTurn() else { return .failed("nothing to regenerate") }
                await conversation.send(last.user, mode: mode)
                return .done(nil)
            case .dropLastTurn:
                guard await conversation.dropLastTurn() != nil else { return .failed("no message to edit") }
                return .done(nil)
            case .showTranscript:
                let turns = await conversation.turns
                guard !turns.isEmpty else { return .done(nil) }
                return .transcript(turns.map(Self.transcript),
                                   message: "resumed \(turns.count) turn\(turns.count == 1 ? "" : "s")")
            }
        } catch {
            return .failed("\(error)")
        }
    }

    /// The model and the session's settings, for the stats bar and /model.
    public func status() async -> DriverStatus {
        var s = DriverStatus()
        let settings = await conversation.settings
        target.describe(&s, threads: threads)
        s.samplingOn = settings.samplingOn
        s.samplingOff = settings.samplingOff
        s.seed = settings.seed
        s.reasoningBudget = settings.thinkBudget
        s.reasoningMinimum = settings.thinkMin
        await conversation.settled()
        let turns = await conversation.turns
        if !turns.isEmpty { s.conversation = ThinkingShare(turns.map(\.stats)) }
        s.historyReasoning = settings.historyReasoning
        let profile = settings.profile ?? .noReasoning
        s.reasoningProfile = profile.rawValue
        s.hasReasoningMode = profile.hasReasoningMode
        return s
    }

    /// Waits until every queued turn has finished and been recorded.
    public func waitUntilIdle() async { await conversation.waitUntilIdle() }

    /// Waits for queued turns and closes the conversation (journal closed, backend shut down).
    public func shutdown() async {
        await conversation.cancel()
        await conversation.close()
        await forwarder?.value
        continuation.finish()
    }

    /// How notices name a mode's sampler.
    static func samplerName(_ mode: ReasoningMode) -> String { mode == .on ? "THINKING sampler" : "DIRECT sampler" }

    /// Why "think more" (`/budget min N`, `--think-min`) does not apply, or nil: it needs
    /// the embedded engine and a reasoning profile with a continuation cue.
    public static func noThinkMore(target: ChatTarget, profile: ReasoningProfile?) -> String? {
        if case .remote = target { return "think more (/budget min) works with a local model, not on a server" }
        let p = profile ?? .noReasoning
        guard p.continuationCue == nil else { return nil }
        return "the reasoning profile \(p.rawValue) has no continuation cue: think more (/budget min) does not apply"
    }

    static func transcript(_ t: TurnRecord) -> TranscriptTurn {
        TranscriptTurn(user: t.user, reasoning: t.reasoning, answer: t.answer, mode: t.mode, stats: t.stats,
                       reasoningEnd: t.reasoningEnd)
    }
}

import Engine

enum LlamaContextBytes {
    static func of(_ m: LoadedModel) -> Int { LlamaContext.cacheBytes(for: m.model, capacity: m.contextSize) }
}
