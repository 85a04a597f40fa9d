/// The pre-tokenizer split of a byte-level BPE vocabulary, chosen by `tokenizer.ggml.pre`.
public enum PreTokenizer: String, Sendable, CaseIterable {
    /// Llama 3 / Nemotron: contractions, letters with one leading non-letter, digits in 3s.
    case llama3 = "llama-bpe"
    /// SmolLM / StarCoder: every digit alone, then the GPT-2 pattern.
    case smollm = "smollm"
    /// GPT-2's original pattern.
    case gpt2 = "gpt-2"
    /// Qwen2 (and DeepSeek-R1 Qwen distills): the Llama-3 pattern with single digits.
    case qwen2 = "qwen2"
    /// llama.cpp's `default`: punctuation runs, GPT-2 pattern, digit runs, digits in 3s.
    case `default` = "default"

    /// The split for a `tokenizer.ggml.pre` value; nil when it is not one we know
    /// (the caller falls back to `.llama3` and warns).
    public init?(ggufName: String) {
        switch ggufName {
        case "llama-bpe", "llama3", "llama-v3", "smaug-bpe", "dbrx": self = .llama3
        case "smollm", "starcoder", "refact", "codeshell", "command-r": self = .smollm
        case "gpt-2", "gpt2", "phi-2", "mpt", "olmo", "jais", "roberta-bpe": self = .gpt2
        case "qwen2", "deepseek-r1-qwen", "stablelm2": self = .qwen2
        case "default": self = .default
        default: return nil
        }
    }

    /// Splits `c[lo..<hi]` into pieces, appending each piece's end index to `ends`.
    func split(_ c: Scalars, _ lo: Int, _ hi: Int, into ends: inout [Int]) {
        switch self {
        case .llama3:
            splitLlama3(c, lo, hi, maxDigits: 3, into: &ends)
        case .qwen2:
            splitLlama3(c, lo, hi, maxDigits: 1, into: &ends)
        case .gpt2:
            splitGPT2(c, lo, hi, into: &ends)
        case .smollm:
            splitIsolatingDigits(c, lo, hi, into: &ends) { c, a, b, e in splitGPT2(c, a, b, into: &e) }
        case .default:
            // [\p{P}\$\+<=>\^~\|]+ , then GPT-2, then \p{N}+, then [0-9][0-9][0-9]
            splitRuns(c, lo, hi, into: &ends, match: Self.isDefaultPunct) { c, a, b, e in
                var gpt: [Int] = []
                splitGPT2(c, a, b, into: &gpt)
                var start = a
                for end in gpt {
                    splitRuns(c, start, end, into: &e,
                              match: { UnicodeClass.flags($0) & UnicodeClass.number != 0 }) { c, a, b, e in
                        e.append(b)
                    }
                    start = end
                }
            }
            ends = Self.splitASCIIDigitTriples(c, ends, from: lo)
        }
    }

    private static func isDefaultPunct(_ s: UInt32) -> Bool {
        UnicodeClass.flags(s) & UnicodeClass.punctuation != 0
            || s == 0x24 || s == 0x2B || s == 0x3C || s == 0x3D || s == 0x3E
            || s == 0x5E || s == 0x7E || s == 0x7C
    }

    /// Re-splits pieces (those ending at `ends` after index `from`) at `[0-9]{3}` matches.
    private static func splitASCIIDigitTriples(_ c: Scalars, _ ends: [Int], from lo: Int) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(ends.count)
        var start = lo
        var firstNew = 0
        while firstNew < ends.count, ends[firstNew] <= lo { out.append(ends[firstNew]); firstNew += 1 }
        for end in ends[firstNew...] {
            splitRuns(c, start, end, maxRun: 3, minRun: 3, into: &out,
                      match: { $0 >= 0x30 && $0 <= 0x39 }) { _, _, b, e in e.append(b) }
            start = end
        }
        return out
    }
}
