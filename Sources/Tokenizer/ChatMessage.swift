/// One turn of a conversation, as the chat formats render it.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case system, user, assistant }
    public var role: Role
    /// The text rendered into the prompt, as given: an assistant turn sent back with its
    /// reasoning carries its `<think>` block here; whoever builds the messages decides
    /// (the session's `TurnPrompt`).
    public var content: String

    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }
}
