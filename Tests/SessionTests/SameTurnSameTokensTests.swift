import Foundation
import Testing
import Engine
import GGUF
import Session
import Tokenizer
import TestSupport

/// The real engine backend with the prompts it is asked to encode written down. Only a
/// recorder around the real thing (no behaviour is faked): the session and
/// `Regenerator` tokenize every prompt through `encode`, so this is what they sent.
final class PromptRecorder: InferenceBackend {
    let inner: EngineBackend
    let prompts: Prompts
    final class Prompts: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [[Int32]] = []
        func add(_ p: [Int32]) { lock.withLock { list.append(p) } }
        var all: [[Int32]] { lock.withLock { list } }
    }
    init(_ inner: EngineBackend, _ prompts: Prompts) { self.inner = inner; self.prompts = prompts }
    func encode(_ prompt: ChatPrompt) throws -> [Int32] {
        let ids = try inner.encode(prompt)
        prompts.add(ids)
        return ids
    }
    var contextSize: Int { inner.contextSize }
    var cachedTokens: [Int32] { inner.cachedTokens }
    func truncateCache(to n: Int) { inner.truncateCache(to: n) }
    func evaluate(_ tokens: [Int32]) throws { try inner.evaluate(tokens) }
    func sample(_ settings: SamplingSettings, recent: ArraySlice<Int32>, uniform: Double) -> Int32 {
        inner.sample(settings, recent: recent, uniform: uniform)
    }
    func tokenPiece(_ token: Int32) -> [UInt8] { inner.tokenPiece(token) }
    func isEndOfTurn(_ token: Int32) -> Bool { inner.isEndOfTurn(token) }
    func snapshot() -> BackendSnapshot? { inner.snapshot() }
    func restore(_ snapshot: BackendSnapshot) throws { try inner.restore(snapshot) }
}

/// Same turn, same tokens: `ponder run --show-prompt` (the binary), a chat session's
/// first turn and `replay --regenerate`'s rendering of it (the library, on the real
/// SmolLM2 model) send identical token ids, for the detected profile (none) and a forced
/// one (nemotron, with its directive and pre-fill), in both modes; and `ponder run`
/// replies with the chat turn's tokens.
@Suite struct SameTurnSameTokensTests {
    static func runIDs(_ model: String, _ args: [String]) throws -> [Int32] {
        let r = try runProcess(try TestEnv.ponderBinary(),
                               ["run", "--model", model, "--show-prompt", "--stats", "--prompt", "Name a color."] + args)
        #expect(r.status == 0, "\(r.stderrText)")
        guard let colon = r.stderrText.range(of: "tokens: ") else { return [] }
        return r.stderrText[colon.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int32($0) }
    }

    @Test(arguments: [(nil, ReasoningMode.off), (nil, .on), ("nemotron", .off), ("nemotron", .on)] as [(String?, ReasoningMode)])
    func chatRunAndReplayAgree(profileName: String?, mode: ReasoningMode) async throws {
        let path = try TestEnv.smolQ4_1.path
        let file = try GGUFFile(path: path)
        let model = try LlamaModel(file: file)
        let tokenizer = try Tokenizer(gguf: file)
        let detected = ReasoningProfile.detect(file: file, tokenizer: tokenizer)
        #expect(detected == .noReasoning)
        var settings = SessionSettings()
        settings.profile = profileName.flatMap(ReasoningProfile.init(name:)) ?? detected
        settings.samplingOn.maxTokens = 8
        settings.samplingOff.maxTokens = 8
        settings.seed = 3
        let format = tokenizer.detectedChatFormat

        let chatPrompts = PromptRecorder.Prompts()
        let backend = PromptRecorder(EngineBackend(context: try LlamaContext(model: model, capacity: 512),
                                                   tokenizer: tokenizer), chatPrompts)
        let conv = Conversation(backend: backend, format: format, settings: settings)
        await conv.send("Name a color.", mode: mode)
        await conv.close()
        let doc = await conv.document()

        let replayPrompts = PromptRecorder.Prompts()
        let again = PromptRecorder(EngineBackend(context: try LlamaContext(model: model, capacity: 512),
                                                 tokenizer: tokenizer), replayPrompts)
        let results = try await Regenerator.run(doc, backend: again, format: format)

        let run = try Self.runIDs(path, ["--think", mode.rawValue] + (profileName.map { ["--reasoning-profile", $0] } ?? []))
        #expect(!run.isEmpty)
        #expect(chatPrompts.all.first == run)
        #expect(replayPrompts.all.first == run)
        #expect(results.count == 1 && results[0].identical)
        #expect(doc.turns.first?.stats.promptTokens == run.count)
        let text = tokenizer.decode(run, includeSpecial: true)
        #expect(text.contains("detailed thinking") == (profileName == "nemotron"))

        // And the same reply: `ponder run` generates through the chat's turn loop, with
        // the turn's seed and sampler (thinking on samples at temperature 0.6).
        let reply = try runProcess(try TestEnv.ponderBinary(),
                                   ["run", "--model", path, "--prompt", "Name a color.", "--think", mode.rawValue,
                                    "--seed", "3", "--max-tokens", "8"] + (profileName.map { ["--reasoning-profile", $0] } ?? []))
        #expect(reply.status == 0, "\(reply.stderrText)")
        let turn = try #require(doc.turns.first)
        #expect(turn.tokens.count == 8 || turn.stopReason == .endOfTurn)
        #expect(reply.stdoutText == tokenizer.decode(turn.tokens, includeSpecial: true) + "\n")
    }
}
