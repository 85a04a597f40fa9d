import Foundation
import GGUF
import Engine
import Tokenizer
import Session

/// A model opened for chatting: weights, tokenizer, chat format, identity. Shared by
/// `chat`, `replay --regenerate` and friends; each conversation gets its own context.
public struct LoadedModel: Sendable {
    /// The model file.
    public let url: URL
    public let model: LlamaModel
    public let tokenizer: Tokenizer
    /// The chat format: detected, or `--chat-format`.
    public let format: ChatFormat
    /// The reasoning profile new turns use: detected from the file, or `--reasoning-profile`.
    public let profile: ReasoningProfile
    /// Size and header hash, recorded with sessions (nil when the file cannot be hashed).
    public let identity: ModelIdentity?
    /// n_ctx of each conversation's context.
    public let contextSize: Int
    /// What the file's metadata, tokenizer or chat format warn about.
    public let warnings: [String]
    /// Speculative decoding's drafts in each conversation's backend (`--draft`).
    public var drafting: DraftMode = .ngram
    /// End-of-turn tokens never sampled in each conversation's backend (`--ignore-eos`).
    public var ignoreEndOfTurn = false

    /// Opens `path`; errors are one line naming the file. `repack`: when K-quant matrices
    /// get their decode copies (`X8Weights`); `.later` leaves them to `WeightLoading`.
    /// `loadInBackground`: `WeightLoading.inBackground` starts as soon as the weights are
    /// mapped, so it runs beside the tokenizer's build and whatever follows.
    public static func open(path: String, contextSize: Int?, chatFormat: String?, reasoningProfile: String? = nil,
                     repack: X8Weights.Mode = .fromEnvironment, loadInBackground: Bool = false) throws -> LoadedModel {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("\(path): no such file")
        }
        let file: GGUFFile
        do { file = try GGUFFile(path: path) } catch { throw CLIError(error.description) }
        let model: LlamaModel
        do { model = try LlamaModel(file: file, repack: repack) } catch { throw CLIError("\(path): \(error)") }
        if loadInBackground { WeightLoading.inBackground(model) }
        let tokenizer: Tokenizer
        do { tokenizer = try Tokenizer(gguf: file) } catch { throw CLIError("\(path): \(error)") }
        var warnings = file.warnings + tokenizer.warnings
        let (chat, profile) = try promptSetup(file: file, tokenizer: tokenizer, chatFormat: chatFormat,
                                              reasoningProfile: reasoningProfile)
        if let note = chat.note { warnings.append(note) }
        let ctx = contextSize ?? LlamaContext.defaultCapacity(for: model)
        let url = URL(fileURLWithPath: path)
        return LoadedModel(url: url, model: model, tokenizer: tokenizer,
                           format: chat, profile: profile,
                           identity: try? ModelIdentity.of(fileAt: url, headerBytes: file.headerSize),
                           contextSize: ctx, warnings: warnings)
    }

    /// A fresh backend (its own KV cache) for one conversation.
    public func makeBackend() throws -> EngineBackend {
        do {
            let backend = EngineBackend(context: try LlamaContext(model: model, capacity: contextSize),
                                        tokenizer: tokenizer)
            try backend.draft(with: drafting)
            backend.ignoreEndOfTurn = ignoreEndOfTurn
            return backend
        } catch {
            throw CLIError("cannot create a context of \(contextSize) tokens: \(error)")
        }
    }

    /// The file's precision for the stats bar: "IQ2_XS mix, 2.6 bpw", "Q8_0, 8.5 bpw"
    /// (GGUFSummary.precision).
    public var quantization: String { GGUFSummary(model.file).precision }

    public var displayName: String {
        model.file.metadata.string("general.name") ?? url.deletingPathExtension().lastPathComponent
    }
}

/// The chat format and reasoning profile of a model file: the named ones
/// (`--chat-format`, `--reasoning-profile`) or the detected ones. A bad name is a
/// one-line error listing the valid names. Shared by `chat`, `run` and `replay`.
public func promptSetup(file: GGUFFile, tokenizer: Tokenizer, chatFormat: String?,
                 reasoningProfile: String?) throws -> (ChatFormat, ReasoningProfile) {
    let format: ChatFormat
    if let name = chatFormat {
        guard let f = ChatFormat(name: name) else {
            throw CLIError("unknown chat format '\(name)' (valid: \(ChatFormat.names))")
        }
        format = f
    } else {
        format = tokenizer.detectedChatFormat
    }
    return (format, try reasoningProfileOverride(reasoningProfile) ?? ReasoningProfile.detect(file: file, tokenizer: tokenizer))
}

/// `--reasoning-profile NAME` checked: nil when not given; a bad name is a one-line error.
public func reasoningProfileOverride(_ name: String?) throws -> ReasoningProfile? {
    guard let name else { return nil }
    guard let p = ReasoningProfile(name: name) else {
        throw CLIError("unknown reasoning profile '\(name)' (valid: \(ReasoningProfile.names))")
    }
    return p
}
