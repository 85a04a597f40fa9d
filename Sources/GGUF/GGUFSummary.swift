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
    /// The type holding the most bytes among the 2-D (and higher) tensors, the weight
    /// matrices: the file's quantization, or the main type of its mix (nil without any).
    public let mainType: GGMLType?
    /// Whether the weight matrices come in more than one type (a llama.cpp mix: e.g.
    /// IQ2_XS with some tensors kept in Q4_K or Q8_0).
    public let isMix: Bool
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
        var weightBytes: [GGMLType: Int] = [:]
        for t in file.tensors where t.shape.count >= 2 { weightBytes[t.type, default: 0] += t.byteCount }
        mainType = weightBytes.max { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }?.key
        isMix = weightBytes.count > 1
        contextLength = md.archInt("context_length")
        tokenizerModel = md.string("tokenizer.ggml.model")
        tokenizerPre = md.string("tokenizer.ggml.pre")
        vocabularySize = md["tokenizer.ggml.tokens"]?.arrayValue?.count
        chatTemplate = Self.family(of: md.string("tokenizer.chat_template"))
    }

    /// The stats bar's and inspect's name of the file's precision: "IQ2_XS mix, 2.6 bpw",
    /// "Q8_0, 8.5 bpw" (one type for every weight matrix), "F32, 32.0 bpw".
    public var precision: String {
        let bpw = (bitsPerWeight * 10).rounded() / 10
        guard let t = mainType else { return "\(bpw) bpw" }
        return "\(t.name)\(isMix ? " mix" : ""), \(bpw) bpw"
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
