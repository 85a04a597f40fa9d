import Testing
import Tokenizer

/// Hand-made vocabularies for the checks that need no oracle: errors name the key, an
/// unknown split falls back with a warning, end-of-turn spellings become CONTROL.
@Suite struct VocabularyTests {
    /// A tiny byte-level vocabulary: the 256 byte tokens plus "ab" and two specials.
    static func tiny(pre: String? = "llama-bpe", bos: Int32? = 256) -> Vocabulary {
        var tokens = (0..<256).map { String(decoding: ByteLevel.encode([UInt8($0)]), as: UTF8.self) }
        tokens += ["<|eot_id|>", "ab", "<|im_end|>"]
        var types = [Vocabulary.TokenType](repeating: .normal, count: tokens.count)
        types[256] = .control
        types[258] = .userDefined          // a converter's mistake: must still be CONTROL
        return Vocabulary(model: .bytePair, tokens: tokens, types: types, merges: ["a b"],
                          preName: pre, bos: bos)
    }

    @Test func unknownSplitFallsBackWithWarning() throws {
        let tok = try Tokenizer(vocabulary: Self.tiny(pre: "no-such-split"))
        #expect(tok.preTokenizer == .llama3)
        #expect(tok.warnings.contains { $0.contains("no-such-split") })
        #expect(tok.encode("xab") == [120, 257])     // "x" then the merged "ab"
    }

    @Test func badDescriptionsThrowNamingTheKey() {
        var v = Self.tiny()
        v.merges = []
        #expect(throws: TokenizerError.self) { try Tokenizer(vocabulary: v) }
        let bos = Self.tiny(bos: 5000)
        do { _ = try Tokenizer(vocabulary: bos); Issue.record("no error") } catch {
            #expect("\(error)".contains("bos_token_id"))
        }
        var types = Self.tiny()
        types.types.removeLast()
        #expect(throws: TokenizerError.self) { try Tokenizer(vocabulary: types) }
    }

    @Test func endOfTurnSpellingsAreControl() throws {
        let tok = try Tokenizer(vocabulary: Self.tiny())
        #expect(tok.isControlToken(258) && tok.endOfGeneration.isSuperset(of: [256, 258]))
        #expect(!tok.encode("<|im_end|><|eot_id|>").contains { tok.isControlToken($0) })
        #expect(tok.decode([97, 256, 98]) == "ab")                          // control hidden
        #expect(tok.decode([97, 256, 98], includeSpecial: true) == "a<|eot_id|>b")
    }

    @Test func chatFormatDetection() {
        #expect(ChatFormat.detect(template: nil, hasToken: { $0 == "<｜User｜>" }).kind == .deepseek)
        let plain = ChatFormat.detect(template: "{{ messages }}")
        #expect(plain.kind == .plain && plain.note != nil)
        #expect(ChatFormat(name: "ChatML")?.kind == .chatml && ChatFormat(name: "bogus") == nil)
    }

    /// Reasoning profiles from template text first, then architecture and name, then the
    /// vocabulary; a ChatML template without reasoning (SmolLM2's layout) is `none`.
    @Test func reasoningProfileDetection() {
        func detect(_ t: String?, arch: String? = nil, name: String? = nil, tokens: Set<String> = []) -> ReasoningProfile {
            ReasoningProfile.detect(template: t, architecture: arch, modelName: name, hasToken: { tokens.contains($0) })
        }
        let chatml = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
        #expect(detect(chatml, arch: "llama", name: "SmolLM2 135M Instruct") == .noReasoning)
        #expect(detect("{{ 'detailed thinking on' }}<|start_header_id|>") == .nemotron)
        #expect(detect("{%- if enable_thinking is defined and enable_thinking is false %}") == .qwen3)
        #expect(detect(chatml, arch: "qwen3", name: "Qwen3 4B") == .qwen3)
        #expect(detect("{{'<｜Assistant｜><think>\\n'}}") == .deepseekR1)
        #expect(detect(nil, name: "DeepSeek-R1-Distill-Qwen-1.5B") == .deepseekR1)
        #expect(detect(nil, tokens: ["<think>", "<|im_start|>"]) == .qwen3)
        #expect(detect(nil, tokens: ["<think>", "<｜User｜>"]) == .deepseekR1)
        #expect(detect(nil, name: "x") == .noReasoning && ReasoningProfile.noReasoning.note != nil)
        #expect(ReasoningProfile(name: "DeepSeek-R1") == .deepseekR1 && ReasoningProfile(name: "generic") == nil)
        #expect(ReasoningProfile.names == "nemotron, qwen3, deepseek-r1, none")
    }
}
