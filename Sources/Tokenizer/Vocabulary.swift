/// The raw tokenizer description as a GGUF file stores it (`tokenizer.ggml.*` keys),
/// before any lookup structures are built. Build one with `Vocabulary(gguf:)` or by hand.
public struct Vocabulary: Sendable {
    /// `tokenizer.ggml.model`.
    public enum Model: String, Sendable {
        /// Byte-level BPE with merges (`gpt2`).
        case bytePair = "gpt2"
        /// SentencePiece BPE with scores and byte fallback (`llama`).
        case sentencePiece = "llama"
    }

    /// `tokenizer.ggml.token_type` values (llama.cpp's `llama_token_type`).
    public enum TokenType: Int, Sendable {
        case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    public var model: Model
    /// Token strings in the vocabulary's own spelling (GPT-2 byte alphabet or `▁` spaces). (n_vocab)
    public var tokens: [String]
    /// (n_vocab) `.normal` when the file has no types.
    public var types: [TokenType]
    /// SentencePiece scores. (n_vocab, or empty)
    public var scores: [Float]
    /// BPE merges `"left right"`, in rank order. (empty for SentencePiece)
    public var merges: [String]
    /// `tokenizer.ggml.pre` as written (nil if absent).
    public var preName: String?
    public var bos: Int32?
    public var eos: Int32?
    public var eot: Int32?
    public var unknown: Int32?
    public var padding: Int32?
    /// `tokenizer.ggml.add_bos_token`; when absent: true for SentencePiece and the Llama-3
    /// split (as llama.cpp), false for other BPE vocabularies.
    public var addBOS: Bool
    public var addEOS: Bool
    /// `tokenizer.ggml.add_space_prefix` (SentencePiece; default true).
    public var addSpacePrefix: Bool
    /// `tokenizer.chat_template`.
    public var chatTemplate: String?
    /// `general.name`.
    public var modelName: String?

    public init(model: Model, tokens: [String], types: [TokenType]? = nil, scores: [Float] = [],
                merges: [String] = [], preName: String? = nil, bos: Int32? = nil, eos: Int32? = nil,
                eot: Int32? = nil, unknown: Int32? = nil, padding: Int32? = nil,
                addBOS: Bool? = nil, addEOS: Bool = false, addSpacePrefix: Bool = true,
                chatTemplate: String? = nil, modelName: String? = nil) {
        self.model = model
        self.tokens = tokens
        self.types = types ?? [TokenType](repeating: .normal, count: tokens.count)
        self.scores = scores
        self.merges = merges
        self.preName = preName
        self.bos = bos; self.eos = eos; self.eot = eot; self.unknown = unknown; self.padding = padding
        self.addBOS = addBOS ?? (model == .sentencePiece || preName.flatMap(PreTokenizer.init(ggufName:)) == .llama3)
        self.addEOS = addEOS
        self.addSpacePrefix = addSpacePrefix
        self.chatTemplate = chatTemplate
        self.modelName = modelName
    }
}

/// A tokenizer that cannot be built from the given description: one line, names the key.
public struct TokenizerError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
