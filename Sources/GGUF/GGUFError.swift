/// Why a GGUF file was refused. `description` is one line naming the file, the field or
/// tensor, and the byte offset, e.g.
/// `model.gguf: tensor 'blk.0.attn_q.weight' at byte 1234: dimension 1 is 0`.
public struct GGUFError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file's last path component.
    public let file: String
    /// What was being read: "header", "key 'general.alignment'", "tensor 'x'", …
    public let field: String
    /// Byte offset in the file where the problem is (or starts).
    public let offset: Int
    public let message: String

    public init(file: String, field: String, offset: Int, message: String) {
        self.file = file
        self.field = field
        self.offset = offset
        self.message = message
    }

    public var description: String {
        "\(file): \(field) at byte \(offset): \(message)"
    }
}
