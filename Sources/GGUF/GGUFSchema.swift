/// The types that well-known keys must have, and the checks that relate keys to each
/// other. A file that stores, say, token scores as strings is refused at load time with
/// an error naming the key, instead of tripping up the tokenizer later.
enum GGUFSchema {
    /// What a key's value must be.
    enum Kind {
        case exactly(GGUFValueType)
        case arrayOf(GGUFValueType)
        /// Any integer type (u8…i64).
        case integer
        /// float32 or float64.
        case float
        /// An integer, or an array of integers (per-layer values, e.g. head counts).
        case integerOrArray

        var name: String {
            switch self {
            case .exactly(let t): t.name
            case .arrayOf(let t): "array of \(t.name)"
            case .integer: "an integer"
            case .float: "float32 or float64"
            case .integerOrArray: "an integer or an array of integers"
            }
        }
    }

    /// Keys with a fixed name.
    static let keys: [String: Kind] = [
        "general.architecture": .exactly(.string),
        "general.alignment": .exactly(.uint32),
        "general.name": .exactly(.string),
        "general.file_type": .integer,
        "general.quantization_version": .integer,
        "tokenizer.ggml.model": .exactly(.string),
        "tokenizer.ggml.pre": .exactly(.string),
        "tokenizer.ggml.tokens": .arrayOf(.string),
        "tokenizer.ggml.scores": .arrayOf(.float32),
        "tokenizer.ggml.token_type": .arrayOf(.int32),
        "tokenizer.ggml.merges": .arrayOf(.string),
        "tokenizer.ggml.bos_token_id": .integer,
        "tokenizer.ggml.eos_token_id": .integer,
        "tokenizer.ggml.unknown_token_id": .integer,
        "tokenizer.ggml.padding_token_id": .integer,
        "tokenizer.ggml.separator_token_id": .integer,
        "tokenizer.ggml.add_bos_token": .exactly(.bool),
        "tokenizer.ggml.add_eos_token": .exactly(.bool),
        "tokenizer.ggml.add_space_prefix": .exactly(.bool),
        "tokenizer.chat_template": .exactly(.string),
    ]

    /// Keys named `<architecture>.<suffix>`, checked for any architecture prefix.
    static let archSuffixes: [String: Kind] = [
        "context_length": .integer,
        "embedding_length": .integer,
        "block_count": .integer,
        "vocab_size": .integer,
        "feed_forward_length": .integerOrArray,
        "attention.head_count": .integerOrArray,
        "attention.head_count_kv": .integerOrArray,
        "attention.key_length": .integer,
        "attention.value_length": .integer,
        "attention.layer_norm_rms_epsilon": .float,
        "attention.layer_norm_epsilon": .float,
        "rope.dimension_count": .integer,
        "rope.freq_base": .float,
    ]

    /// Token-id keys that must name a token in `tokenizer.ggml.tokens`.
    static let tokenIDKeys = ["bos_token_id", "eos_token_id", "unknown_token_id",
                              "padding_token_id", "separator_token_id"].map { "tokenizer.ggml.\($0)" }

    /// Why `value` is wrong for `key`, or nil when it fits (or the key is not known).
    static func check(key: String, value: GGUFValue) -> String? {
        var kind = keys[key]
        if kind == nil, let dot = key.firstIndex(of: "."), !key.hasPrefix("general."),
           !key.hasPrefix("tokenizer.") {
            kind = archSuffixes[String(key[key.index(after: dot)...])]
        }
        guard let kind, !fits(value, kind) else { return nil }
        var found = value.type.name
        if case .array(let a) = value { found = "array of \(a.elementType.name)" }
        return "must be \(kind.name), found \(found)"
    }

    static func fits(_ v: GGUFValue, _ kind: Kind) -> Bool {
        switch kind {
        case .exactly(let t): return v.type == t
        case .arrayOf(let t):
            if case .array(let a) = v { return a.elementType == t }
            return false
        case .integer: return isInteger(v.type)
        case .float: return v.type == .float32 || v.type == .float64
        case .integerOrArray:
            if case .array(let a) = v { return isInteger(a.elementType) }
            return isInteger(v.type)
        }
    }

    static func isInteger(_ t: GGUFValueType) -> Bool {
        switch t {
        case .uint8, .int8, .uint16, .int16, .uint32, .int32, .uint64, .int64: true
        default: false
        }
    }

    /// Checks across keys, after all metadata is read: per-token arrays as long as the
    /// token list, token ids inside it. Returns the offending key and the problem.
    static func checkTogether(_ md: GGUFMetadata) -> (String, String)? {
        guard let tokens = md["tokenizer.ggml.tokens"]?.arrayValue else { return nil }
        for key in ["tokenizer.ggml.scores", "tokenizer.ggml.token_type"] {
            if let a = md[key]?.arrayValue, a.count != tokens.count {
                return (key, "has \(a.count) entries but tokenizer.ggml.tokens has \(tokens.count)")
            }
        }
        for key in tokenIDKeys {
            guard let v = md[key] else { continue }
            let id = v.intValue ?? -1
            if id < 0 || id >= tokens.count {
                return (key, "token id \(v.intValue.map(String.init) ?? "\(v)") is outside the \(tokens.count) tokens")
            }
        }
        return nil
    }
}
