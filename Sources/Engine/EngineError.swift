import GGUF

/// Everything the engine refuses, as one actionable line each.
public enum EngineError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file is not a llama-architecture model.
    case unsupportedArchitecture(String)
    /// A required metadata key is missing or out of range.
    case badMetadata(key: String, message: String)
    /// A required tensor is not in the file.
    case missingTensor(String)
    /// A tensor's shape (ggml order, innermost first) is not what the hyperparameters imply.
    case badShape(tensor: String, expected: [Int], found: [Int])
    /// A tensor's element type cannot be computed with.
    case unsupportedType(tensor: String, type: String)
    /// The request needs more positions than the KV cache has.
    case contextFull(needed: Int, capacity: Int)
    /// A token id outside the vocabulary.
    case invalidToken(id: Int32, vocabularySize: Int)
    /// Nothing to evaluate (an empty prompt with an empty cache).
    case emptyInput
    /// A parameter out of range (e.g. a context length of 0).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unsupportedArchitecture(let a):
            return "unsupported model architecture '\(a)' (Ponder runs llama-architecture models)"
        case .badMetadata(let key, let message):
            return "bad model metadata '\(key)': \(message)"
        case .missingTensor(let name):
            return "the model has no tensor '\(name)'"
        case .badShape(let name, let expected, let found):
            return "tensor '\(name)' has shape \(found), expected \(expected)"
        case .unsupportedType(let name, let type):
            return "tensor '\(name)' has type \(type), which Ponder cannot compute with yet"
        case .contextFull(let needed, let capacity):
            return "the request needs \(needed) tokens of context but the context holds \(capacity) (raise --ctx or shorten the prompt)"
        case .invalidToken(let id, let n):
            return "token id \(id) is outside the vocabulary (0..<\(n))"
        case .emptyInput:
            return "nothing to evaluate: the prompt is empty"
        case .invalidArgument(let m):
            return m
        }
    }
}
