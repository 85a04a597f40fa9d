import Foundation

extension Conversation {
    /// `ponder chat --resume FILE` / `/load`: a conversation continuing a loaded session
    /// on `backend`. Returns warnings for the user: the loader's, a different model, a
    /// different chat format. The KV cache starts empty; the first turn evaluates the
    /// history once.
    public static func resume(_ loaded: LoadedSession, backend: sending InferenceBackend, format: any PromptFormat,
                              model: ModelIdentity?, journal: Journal? = nil) -> (Conversation, [String]) {
        let doc = loaded.document
        var warnings = loaded.warnings
        if let was = doc.model, let now = model, let m = was.mismatch(with: now) { warnings.append("model mismatch: " + m) }
        if doc.chatFormat != format.name {
            warnings.append("the session used the \(doc.chatFormat) chat format; continuing with \(format.name)")
        }
        let conv = Conversation(backend: backend, format: format, settings: doc.settings, model: model ?? doc.model,
                                journal: journal, resumed: doc.turns, created: doc.created)
        return (conv, warnings)
    }
}
