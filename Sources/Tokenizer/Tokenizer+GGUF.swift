import GGUF

extension Vocabulary {
    /// Reads the `tokenizer.*` keys of a GGUF file (works on vocab-only files).
    /// Throws `TokenizerError` naming the key that is missing or of the wrong type.
    public init(gguf file: GGUFFile) throws {
        let m = file.metadata
        func present(_ key: String) -> Bool { m[key] != nil }
        func wrong(_ key: String, _ what: String) -> TokenizerError {
            TokenizerError("\(key): expected \(what)")
        }
        func string(_ key: String) throws -> String? {
            guard present(key) else { return nil }
            guard let s = m.string(key) else { throw wrong(key, "a string") }
            return s
        }
        func bool(_ key: String) throws -> Bool? {
            guard present(key) else { return nil }
            guard let b = m.bool(key) else { throw wrong(key, "a boolean") }
            return b
        }
        func id(_ key: String) throws -> TokenID? {
            guard present(key) else { return nil }
            guard let i = m.int(key) else { throw wrong(key, "an integer") }
            if i < 0 { return nil }          // -1 is written for "none" by some converters
            guard let v = TokenID(exactly: i) else { throw wrong(key, "a token id") }
            return v
        }

        guard let modelName = try string("tokenizer.ggml.model") else {
            throw TokenizerError("tokenizer.ggml.model: missing; this file has no tokenizer")
        }
        guard let model = Model(rawValue: modelName) else {
            throw TokenizerError("tokenizer.ggml.model: '\(modelName)' is not supported (only gpt2 and llama)")
        }
        guard present("tokenizer.ggml.tokens") else { throw TokenizerError("tokenizer.ggml.tokens: missing") }
        guard let tokens = m.stringArray("tokenizer.ggml.tokens") else {
            throw wrong("tokenizer.ggml.tokens", "an array of strings")
        }
        var types: [TokenType]?
        if present("tokenizer.ggml.token_type") {
            guard let raw = m.intArray("tokenizer.ggml.token_type") else {
                throw wrong("tokenizer.ggml.token_type", "an array of integers")
            }
            guard raw.count == tokens.count else {
                throw TokenizerError("tokenizer.ggml.token_type: \(raw.count) types for \(tokens.count) tokens")
            }
            types = raw.map { TokenType(rawValue: $0) ?? .undefined }
        }
        var scores: [Float] = []
        if present("tokenizer.ggml.scores") {
            guard let s = m.floatArray("tokenizer.ggml.scores") else {
                throw wrong("tokenizer.ggml.scores", "an array of floats")
            }
            guard s.count == tokens.count else {
                throw TokenizerError("tokenizer.ggml.scores: \(s.count) scores for \(tokens.count) tokens")
            }
            scores = s
        }
        var merges: [String] = []
        if present("tokenizer.ggml.merges") {
            guard let mm = m.stringArray("tokenizer.ggml.merges") else {
                throw wrong("tokenizer.ggml.merges", "an array of strings")
            }
            merges = mm
        }
        self.init(model: model, tokens: tokens, types: types, scores: scores, merges: merges,
                  preName: try string("tokenizer.ggml.pre"),
                  bos: try id("tokenizer.ggml.bos_token_id"), eos: try id("tokenizer.ggml.eos_token_id"),
                  eot: try id("tokenizer.ggml.eot_token_id"), unknown: try id("tokenizer.ggml.unknown_token_id"),
                  padding: try id("tokenizer.ggml.padding_token_id"),
                  addBOS: try bool("tokenizer.ggml.add_bos_token"),
                  addEOS: try bool("tokenizer.ggml.add_eos_token") ?? false,
                  addSpacePrefix: try bool("tokenizer.ggml.add_space_prefix") ?? true,
                  chatTemplate: try string("tokenizer.chat_template"),
                  modelName: try string("general.name"))
    }
}

extension Tokenizer {
    /// The tokenizer of a GGUF file (vocab-only files work). Warnings from the file's
    /// token strings are added to `warnings`.
    public convenience init(gguf file: GGUFFile) throws {
        try self.init(vocabulary: Vocabulary(gguf: file), fileWarnings: file.warnings)
    }

    /// The chat format this model's template (or vocabulary) points to.
    public var detectedChatFormat: ChatFormat {
        ChatFormat.detect(template: vocabulary.chatTemplate, hasToken: { self.specialTokenID($0) != nil })
    }
}

extension ReasoningProfile {
    /// The reasoning profile of a GGUF file (works on vocab-only files): its chat
    /// template, architecture, name and the special tokens of its vocabulary.
    public static func detect(file: GGUFFile, tokenizer: Tokenizer) -> ReasoningProfile {
        detect(template: tokenizer.vocabulary.chatTemplate, architecture: file.metadata.string("general.architecture"),
               modelName: tokenizer.vocabulary.modelName, hasToken: { tokenizer.specialTokenID($0) != nil })
    }
}
