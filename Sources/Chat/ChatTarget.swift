import Foundation
import Remote
import Session
import Tokenizer
import TUI

/// What the chat runs on: a model file loaded in-process, or a model on an
/// OpenAI-compatible server. The conversation, the journal and the screens are the same
/// either way; only the turn backend and the stats bar's last segments differ.
public enum ChatTarget: Sendable {
    case local(LoadedModel)
    case remote(ServedModel)

    /// The reasoning profile new turns use.
    public var profile: ReasoningProfile {
        switch self {
        case .local(let m): return m.profile
        case .remote(let m): return m.profile
        }
    }

    /// The chat format prompts are rendered with (a server renders its own template: its
    /// sessions record `plain`, and the model identity names the server).
    public var format: ChatFormat {
        switch self {
        case .local(let m): return m.format
        case .remote: return ChatFormat(kind: .plain)
        }
    }

    public var identity: ModelIdentity? {
        switch self {
        case .local(let m): return m.identity
        case .remote(let m): return m.backendIdentity
        }
    }

    public var warnings: [String] {
        switch self {
        case .local(let m): return m.warnings
        case .remote(let m): return m.warnings
        }
    }

    /// A fresh backend for one conversation (a local one has its own KV cache).
    public func makeBackend() throws -> any TurnBackend {
        switch self {
        case .local(let m): return EmbeddedTurnBackend(try m.makeBackend())
        case .remote(let m): return RemoteTurnBackend(client: m.client, model: m.name)
        }
    }

    /// `makeBackend`, with a local model's KV cache saved to `saveKV` when each turn
    /// ends and first read back from `restoreKV` (`SavedKVCache`); returns the restore's
    /// notice line. On a server, or for a model without an identity, the same as
    /// `makeBackend()`.
    public func makeBackend(saveKV: URL?, restoreKV: URL?) throws -> (backend: any TurnBackend, notice: String?) {
        guard case .local(let m) = self, let id = m.identity, saveKV != nil || restoreKV != nil else {
            return (try makeBackend(), nil)
        }
        let engine = try m.makeBackend()
        let notice = restoreKV.flatMap { SavedKVCache(url: $0, model: id).restore(into: engine.context).notice }
        engine.savedCache = saveKV.map { SavedKVCache(url: $0, model: id) }
        return (EmbeddedTurnBackend(engine), notice)
    }

    /// The model's part of the stats bar and `/model`.
    func describe(_ s: inout DriverStatus, threads: Int) {
        switch self {
        case .local(let m):
            s.modelName = m.displayName
            s.quantization = m.quantization
            s.threads = threads
            s.contextSize = m.contextSize
            s.kvCacheBytes = LlamaContextBytes.of(m)
        case .remote(let m):
            s.modelName = m.name
            s.server = m.client.endpoint.display
        }
    }
}

/// A model on an OpenAI-compatible server: the client, the served name requests carry,
/// and the reasoning profile (detected from the name, or `--reasoning-profile`).
public struct ServedModel: Sendable {
    public let client: OpenAIClient
    public let name: String
    public let profile: ReasoningProfile

    /// What the user should know before the first message (plain http to another host).
    public var warnings: [String] { client.endpoint.plainTextWarning.map { [$0] } ?? [] }

    public var backendIdentity: ModelIdentity { ModelIdentity(server: client.endpoint.display, model: name) }

    /// Connects to `url`: the served model is `name`, else the first the server lists (a
    /// server that cannot be reached is an error here, before the chat starts). `keyFile`:
    /// the config file's API key file (`APIKey`).
    public static func open(url: String, name: String?, keyFile: String? = nil,
                            reasoningProfile: String?) async throws -> ServedModel {
        let client: OpenAIClient
        do {
            client = try OpenAIClient(server: url, keyFile: keyFile)
        } catch {
            throw CLIError("\(error)")
        }
        let served: String
        if let name, !name.isEmpty {
            served = name
        } else {
            let list: [String]
            do { list = try await client.models() } catch { throw CLIError("\(client.endpoint.display): \(error)") }
            guard let first = list.first else { throw CLIError("\(client.endpoint.display) serves no model") }
            served = first
        }
        let profile = try reasoningProfileOverride(reasoningProfile)
            ?? ReasoningProfile.detect(template: nil, architecture: nil, modelName: served)
        return ServedModel(client: client, name: served, profile: profile)
    }
}
