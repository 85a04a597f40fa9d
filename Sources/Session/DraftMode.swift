import Engine
import GGUF

/// Where speculative decoding's draft tokens come from (`--draft`). Drafts change how fast
/// a reply comes, never which tokens it has: each is kept only where the turn's own
/// sampler, run on the verified logits with the turn's own draws, picks it.
public enum DraftMode: Sendable {
    /// One token per forward pass.
    case none
    /// Prompt lookup: the tokens that followed the latest earlier occurrence of the last
    /// few tokens in the conversation (`PromptLookup`). The default.
    case ngram
    /// A smaller model with the target's vocabulary decodes greedily ahead (`DraftModel`);
    /// `name` (its file's name) is what the stats show. Made by `model(file:name:target:)`.
    case model(LlamaModel, name: String)

    /// The values `--draft` accepts, for its help and its error.
    public static let choices = "none|ngram|FILE"

    /// `none` or `ngram` by name; nil for anything else (a draft model's file).
    public init?(named name: String) {
        switch name {
        case "none": self = .none
        case "ngram": self = .ngram
        default: return nil
        }
    }

    /// The model in `file` as the draft model of `target`, named `name` in the stats.
    /// Throws `DraftVocabularyMismatch` unless both files hold the same tokens in the same
    /// order (a draft token id must mean the target's token), checked before the weights
    /// load, and the same output width; else the loader's error.
    public static func model(file: GGUFFile, name: String, target: LlamaModel) throws -> DraftMode {
        let key = "tokenizer.ggml.tokens"
        let ours = target.file.metadata.stringArray(key), theirs = file.metadata.stringArray(key)
        let mismatch = DraftVocabularyMismatch(target: ours?.count ?? 0, draft: theirs?.count ?? 0)
        guard let ours, ours == theirs else { throw mismatch }
        let draft = try LlamaModel(file: file)
        guard draft.config.vocabSize == target.config.vocabSize else { throw mismatch }
        return .model(draft, name: name)
    }

    /// The mode in the stats and the bench's table: `none`, `ngram` or the file's name.
    public var name: String {
        switch self {
        case .none: "none"
        case .ngram: "ngram"
        case .model(_, let name): name
        }
    }
}

/// A `--draft FILE` whose vocabulary is not the target's.
public struct DraftVocabularyMismatch: Error, CustomStringConvertible {
    /// The number of tokens in each vocabulary.
    public let target: Int, draft: Int
    public var description: String {
        target == draft
            ? "its vocabulary differs from the model's (\(draft) tokens each, not the same ones)"
            : "its vocabulary (\(draft) tokens) differs from the model's (\(target) tokens)"
    }
}
