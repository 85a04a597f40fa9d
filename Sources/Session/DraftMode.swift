/// Where speculative decoding's draft tokens come from (`--draft`). Drafts change how fast
/// a reply comes, never which tokens it has: each is kept only where the turn's own
/// sampler, run on the verified logits with the turn's own draws, picks it.
public enum DraftMode: String, Sendable, CaseIterable {
    /// One token per forward pass.
    case none
    /// Prompt lookup: the tokens that followed the latest earlier occurrence of the last
    /// few tokens in the conversation (`PromptLookup`). The default.
    case ngram

    /// The values `--draft` accepts, for its help and its error.
    public static let choices = allCases.map(\.rawValue).joined(separator: "|")
}
