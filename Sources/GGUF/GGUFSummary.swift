/// The facts about a model file that `ponder inspect` leads with: architecture, size,
/// precision, context, tokenizer and chat-template family.
public struct GGUFSummary: Sendable, Equatable {
    /// `general.architecture`, e.g. "llama".
    public let architecture: String?
    /// Total elements over all tensors.
    public let parameterCount: Int
    /// Total tensor bytes over all tensors.
    public let tensorBytes: Int
    /// tensorBytes * 8 / parameterCount (0 when the file has no tensors).
    public let bitsPerWeight: Double
    /// `<arch>.context_length`.
    public let contextLength: Int?
    /// `tokenizer.ggml.model` ("gpt2" = byte-level BPE, "llama" = SentencePiece, …).
    public let tokenizerModel: String?
    /// `tokenizer.ggml.pre`, the pre-tokenizer name (e.g. "smollm", "llama-bpe").
    public let tokenizerPre: String?
    /// Entries in `tokenizer.ggml.tokens`.
    public let vocabularySize: Int?
    /// Chat template family from marker detection in `tokenizer.chat_template`.
    public let chatTemplate: ChatTemplateFamily

    /// Chat template families told apart by their turn markers.
    public enum ChatTemplateFamily: String, Sendable {
        case llama3, chatml, gemma, mistral, none, unknown
    }

    public init(_ file: GGUFFile) {
        let md = file.metadata
        architecture = md.architecture
        parameterCount = file.tensors.reduce(0) { $0 + $1.elementCount }
        tensorBytes = file.tensors.reduce(0) { $0 + $1.byteCount }
        bitsPerWeight = parameterCount == 0 ? 0 : Double(tensorBytes) * 8 / Double(parameterCount)
        contextLength = md.archInt("context_length")
        tokenizerModel = md.string("tokenizer.ggml.model")
        tokenizerPre = md.string("tokenizer.ggml.pre")
        vocabularySize = md["tokenizer.ggml.tokens"]?.arrayValue?.count
        chatTemplate = Self.family(of: md.string("tokenizer.chat_template"))
    }

    /// Marker detection: the first family whose turn marker the template contains.
    public static func family(of template: String?) -> ChatTemplateFamily {
        guard let t = template else { return .none }
        if t.contains("<|start_header_id|>") { return .llama3 }
        if t.contains("<|im_start|>") { return .chatml }
        if t.contains("<start_of_turn>") { return .gemma }
        if t.contains("[INST]") { return .mistral }
        return .unknown
    }
}
