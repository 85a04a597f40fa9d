#!/usr/bin/env python3
"""Independent numpy reference for a llama-architecture GGUF model (test oracle).

Written from the model's math (llama.cpp's llama graph), not from Ponder's Swift code.
Weights are dequantized with the `gguf` package. Usage:

    llama_reference.py MODEL.gguf < request.json > reply.json

request: {"mode": "logits",     "prompts": [[ids…], …], "out": "/path/logits.f32"}
           → every position's logits of every prompt, float32, concatenated, to `out`
         {"mode": "greedy",     "prompts": [[ids…], …], "n": 64} → {"tokens": [[…], …]}
         {"mode": "perplexity", "tokens": [ids…], "ctx": 512, "chunks": K}
           → {"chunk_nll": [...], "count": N, "ppl": P}   (llama.cpp's method)
         {"mode": "tokenize",   "texts": ["…"]} → {"tokens": [[…]]}  (BPE from the GGUF vocab)

Optional in every request: "activations": "float" (default: float32 activations, the
exact math), "int8" (every projection's input rows are first rounded to 8-bit blocks,
the way llama.cpp's and Ponder's int8 kernels see them: Q8_0 for the 32-blocks types,
Q8_K for the K-quants, floats for F32/F16/BF16), or "mixed" (Ponder's default: int8 in
forward calls of at most 4 tokens and for K-quant and IQ1/IQ2/IQ3 weights in any call,
and for the types listed in "mixed_int8_types" (the 32-block types Ponder's Kernels tier
has an int8 prefill GEMM or x8 kernels for), floats for the other weights in longer calls).
And "kv": "f32" (default) or "f16" (keys and values rounded to IEEE half as they enter
the cache, as Ponder's default F16 cache stores them).
"""
import json
import sys

import numpy as np
import gguf


def field(reader, name, default=None):
    f = reader.fields.get(name)
    return default if f is None else f.contents()


# ggml type numbers whose int8 kernels take Q8_0 or Q8_K activations.
Q8_0_USERS = {2, 3, 6, 7, 8}          # Q4_0 Q4_1 Q5_0 Q5_1 Q8_0
# Q4_K Q5_K Q6_K and IQ2_XXS IQ2_XS IQ3_XXS IQ1_S IQ3_S IQ2_S IQ1_M (Q2_K, Q3_K, IQ4_NL,
# IQ4_XS: no int8 kernel, floats): Q8_K activations, in every call of "mixed".
Q8_K_USERS = {12, 13, 14, 16, 17, 18, 19, 21, 22, 29}


def round_q8_0(x):
    """Rows of x (float32, (n, cols)) as Q8_0 blocks see them: d = max|x|/127 per 32
    values, stored as float16; q = round-half-even(x / d); value = f16(d) * q."""
    n, cols = x.shape
    b = x.astype(np.float32).reshape(n, cols // 32, 32)
    d = (np.abs(b).max(-1, keepdims=True) / np.float32(127)).astype(np.float32)
    inv = np.where(d != 0, np.float32(1) / np.where(d != 0, d, np.float32(1)), np.float32(0)).astype(np.float32)
    q = np.rint((b * inv).astype(np.float32))
    return (d.astype(np.float16).astype(np.float32) * q).reshape(n, cols)


def round_q8_K(x):
    """Rows of x as Q8_K blocks see them: per 256 values, m = the value of largest
    magnitude (first in order), iscale = -127/m, q = min(127, rne(iscale * x)),
    value = (1/iscale) * q (float32 scale)."""
    n, cols = x.shape
    b = x.astype(np.float32).reshape(n, cols // 256, 256)
    idx = np.abs(b).argmax(-1)[..., None]
    m = np.take_along_axis(b, idx, -1)
    safe = np.where(m != 0, m, np.float32(1)).astype(np.float32)
    iscale = (np.float32(-127) / safe).astype(np.float32)
    q = np.minimum(np.rint((iscale * b).astype(np.float32)), 127)
    d = (np.float32(1) / iscale).astype(np.float32)
    return np.where(m != 0, d * q, np.float32(0)).astype(np.float32).reshape(n, cols)


class Llama:
    def __init__(self, path, activations="float", kv="f32", mixed_int8_types=()):
        r = gguf.GGUFReader(path)
        self.reader = r
        self.activations = activations
        self.mixed_int8_types = set(mixed_int8_types)
        self.kv16 = kv == "f16"
        self.q8 = False
        self.types = {t.name: int(t.tensor_type) for t in r.tensors}
        a = "llama"
        self.n_layer = field(r, f"{a}.block_count")
        self.hidden = field(r, f"{a}.embedding_length")
        self.n_head = field(r, f"{a}.attention.head_count")
        self.n_kv = field(r, f"{a}.attention.head_count_kv", self.n_head)
        self.hd_k = field(r, f"{a}.attention.key_length", self.hidden // self.n_head)
        self.hd_v = field(r, f"{a}.attention.value_length", self.hd_k)
        self.rope_dim = field(r, f"{a}.rope.dimension_count", self.hd_k)
        self.base = float(field(r, f"{a}.rope.freq_base", 10000.0))
        self.eps = float(field(r, f"{a}.attention.layer_norm_rms_epsilon", 1e-5))
        self.w = {}
        for t in r.tensors:
            shape = [int(s) for s in reversed(list(t.shape))]  # numpy order: (rows, cols)
            self.w[t.name] = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32).reshape(shape)
        self.out = self.w.get("output.weight", self.w["token_embd.weight"])
        self.vocab = self.w["token_embd.weight"].shape[0]
        inv = self.base ** (-np.arange(0, self.rope_dim, 2, dtype=np.float64) / self.rope_dim)
        if "rope_freqs.weight" in self.w:
            inv = inv / self.w["rope_freqs.weight"].astype(np.float64)
        self.inv_freq = inv

    def mm(self, h, name):
        """h (n, cols) times the weight `name` transposed, with h rounded to the int8
        kernels' activation format when this forward call uses them."""
        t = self.types[name]
        if self.q8 or (self.activations == "mixed" and (t in Q8_K_USERS or t in self.mixed_int8_types)):
            if t in Q8_0_USERS:
                h = round_q8_0(h)
            elif t in Q8_K_USERS:
                h = round_q8_K(h)
        return h @ self.w[name].T

    def rms(self, x, g):
        x64 = x.astype(np.float64)
        return (x64 / np.sqrt((x64 * x64).mean(-1, keepdims=True) + self.eps)).astype(np.float32) * g

    def rope(self, x, pos):
        # x: (n, heads, hd); rotate adjacent pairs (2i, 2i+1) of the first rope_dim dims.
        ang = np.outer(pos.astype(np.float64), self.inv_freq)        # (n, rope_dim/2)
        cos = np.cos(ang).astype(np.float32)[:, None, :]
        sin = np.sin(ang).astype(np.float32)[:, None, :]
        y = x.copy()
        a, b = x[..., 0:self.rope_dim:2], x[..., 1:self.rope_dim:2]
        y[..., 0:self.rope_dim:2] = a * cos - b * sin
        y[..., 1:self.rope_dim:2] = a * sin + b * cos
        return y

    def new_cache(self):
        return [[np.zeros((0, self.n_kv, self.hd_k), np.float32), np.zeros((0, self.n_kv, self.hd_v), np.float32)]
                for _ in range(self.n_layer)]

    def forward(self, tokens, cache, want_from=0):
        """Appends `tokens` to `cache`; returns logits for rows want_from.. (m, vocab)."""
        n = len(tokens)
        # Whether this call's projections see int8-rounded inputs (decided per call; in
        # "mixed" the K-quant and IQ weights always do, see mm).
        self.q8 = self.activations == "int8" or (self.activations == "mixed" and n <= 4)
        p0 = cache[0][0].shape[0]
        pos = np.arange(p0, p0 + n)
        x = self.w["token_embd.weight"][np.asarray(tokens)]
        group = self.n_head // self.n_kv
        mask = np.triu(np.full((n, p0 + n), -np.inf, np.float32), k=p0 + 1)  # (n, total)
        for l in range(self.n_layer):
            W = lambda s: self.w[f"blk.{l}.{s}.weight"]
            P = lambda h, s: self.mm(h, f"blk.{l}.{s}.weight")
            h = self.rms(x, W("attn_norm"))
            q = P(h, "attn_q").reshape(n, self.n_head, self.hd_k)
            k = P(h, "attn_k").reshape(n, self.n_kv, self.hd_k)
            v = P(h, "attn_v").reshape(n, self.n_kv, self.hd_v)
            q, k = self.rope(q, pos), self.rope(k, pos)
            if self.kv16:
                k, v = k.astype(np.float16).astype(np.float32), v.astype(np.float16).astype(np.float32)
            cache[l][0] = np.concatenate([cache[l][0], k])
            cache[l][1] = np.concatenate([cache[l][1], v])
            K, V = cache[l]
            out = np.empty((n, self.n_head, self.hd_v), np.float32)
            for hh in range(self.n_head):
                s = q[:, hh, :] @ K[:, hh // group, :].T / np.float32(np.sqrt(self.hd_k)) + mask
                s = np.exp(s - s.max(-1, keepdims=True))
                s /= s.sum(-1, keepdims=True)
                out[:, hh, :] = s @ V[:, hh // group, :]
            x = x + P(out.reshape(n, -1), "attn_output")
            h = self.rms(x, W("ffn_norm"))
            g = P(h, "ffn_gate")
            u = P(h, "ffn_up")
            x = x + P((g / (1 + np.exp(-g))) * u, "ffn_down")
        h = self.rms(x[want_from:], self.w["output_norm.weight"])
        return self.mm(h, "output.weight" if "output.weight" in self.w else "token_embd.weight")


def tokenizer_from_gguf(path):
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders
    r = gguf.GGUFReader(path)
    toks = field(r, "tokenizer.ggml.tokens")
    merges = field(r, "tokenizer.ggml.merges")
    vocab = {t: i for i, t in enumerate(toks)}
    pairs = [tuple(m.split(" ", 1)) for m in merges]
    tk = Tokenizer(models.BPE(vocab=vocab, merges=pairs))
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    return tk


def main():
    path = sys.argv[1]
    req = json.load(sys.stdin)
    mode = req["mode"]
    if mode == "tokenize":
        tk = tokenizer_from_gguf(path)
        print(json.dumps({"tokens": [tk.encode(t).ids for t in req["texts"]]}))
        return
    m = Llama(path, req.get("activations", "float"), req.get("kv", "f32"), req.get("mixed_int8_types", []))
    if mode == "logits":
        with open(req["out"], "wb") as f:
            for p in req["prompts"]:
                m.forward(p, m.new_cache()).astype(np.float32).tofile(f)
        print(json.dumps({"vocab": m.vocab}))
    elif mode == "greedy":
        outs = []
        for p in req["prompts"]:
            cache = m.new_cache()
            logits = m.forward(p, cache, want_from=len(p) - 1)[-1]
            gen = []
            for _ in range(req["n"]):
                t = int(np.argmax(logits))
                gen.append(t)
                logits = m.forward([t], cache)[-1]
            outs.append(gen)
        print(json.dumps({"tokens": outs}))
    elif mode == "perplexity":
        toks, ctx = req["tokens"], req["ctx"]
        chunks = min(len(toks) // ctx, req.get("chunks", 1 << 30))
        first = ctx // 2
        nlls, count = [], 0
        for c in range(chunks):
            seq = toks[c * ctx:(c + 1) * ctx]
            logits = m.forward(seq, m.new_cache(), want_from=first).astype(np.float64)  # rows first..ctx-1
            lg = logits[:-1]
            lse = np.log(np.exp(lg - lg.max(-1, keepdims=True)).sum(-1)) + lg.max(-1)
            target = np.asarray(seq[first + 1:])
            nll = float((lse - lg[np.arange(len(target)), target]).sum())
            nlls.append(nll)
            count += len(target)
        print(json.dumps({"chunk_nll": nlls, "count": count, "ppl": float(np.exp(sum(nlls) / count))}))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
