/// What proposes speculative decoding's draft tokens (`Speculation`): prompt lookup
/// (`PromptLookup`) or a draft model (`DraftModel`). A draft is a guess: the turn keeps
/// each token only where its own sampler picks it, so a source changes the speed of a
/// reply, never its tokens.
///
/// Called on the backend's worker thread only, as the backend is.
public protocol DraftSource {
    /// What the stats call it: `ngram`, or the draft model's file name.
    var name: String { get }
    /// Up to `count` tokens to follow `history + [last]` (the tokens the target's cache
    /// holds, then the token about to be evaluated); empty when there is no guess.
    func draft(history: [Int32], last: Int32, count: Int) -> [Int32]
}
