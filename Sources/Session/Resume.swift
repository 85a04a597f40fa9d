import Foundation
import Tokenizer

extension Conversation {
    /// `ponder chat --resume FILE` / `/load`: a conversation continuing a loaded session
    /// on `backend`. Returns warnings for the user: the loader's, a different model, a
    /// different chat format or reasoning profile. `profile`: the loaded model's (new turns
    /// use it; the loaded turns keep the one recorded on them). The KV cache starts empty; the first turn evaluates the
    /// history once.
    public static func resume(_ loaded: LoadedSession, backend: sending InferenceBackend, format: ChatFormat,
                              model: ModelIdentity?, profile: ReasoningProfile? = nil,
                              journal: Journal? = nil) -> (Conversation, [String]) {
        let doc = loaded.document
        var warnings = loaded.warnings
        if let was = doc.model, let now = model, let m = was.mismatch(with: now) { warnings.append("model mismatch: " + m) }
        if doc.chatFormat != format.kind.rawValue {
            warnings.append("the session used the \(doc.chatFormat) chat format; continuing with \(format.kind.rawValue)")
        }
        var settings = doc.settings
        if let profile, profile != settings.profile {
            warnings.append("the session used the \((settings.profile ?? .noReasoning).rawValue) reasoning profile; continuing with \(profile.rawValue)")
            settings.profile = profile
        }
        let conv = Conversation(backend: backend, format: format, settings: settings, model: model ?? doc.model,
                                journal: journal, resumed: doc.turns, created: doc.created)
        return (conv, warnings)
    }
}
