"""llama.cpp's perplexity on a GGUF file (test oracle): the logits of llama.cpp itself
(the llama_cpp module of llama-cpp-python, its default CPU kernels: 8-bit activations for
quantized weights; an F16 KV cache unless the job asks for "kv": "f32"), scored the way
llama.cpp's perplexity tool and Ponder score them: chunks of ctx tokens from an empty
cache, each scored on positions [ctx/2, ctx-1) predicting the next token.

stdin: {"model": path, "tokens": [ids...], "ctx": 512, "chunks": K, "kv": "f16" or "f32"}
stdout: {"ppl": float, "chunk_nll": [float, ...]}

llama.cpp's OpenMP threads wait passively: tests run beside other processes, where
spinning waits cost more than they save.
"""
import json
import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import numpy as np
import llama_cpp

job = json.load(sys.stdin)
ctx, tokens = job["ctx"], job["tokens"]
kv = {"f16": llama_cpp.GGML_TYPE_F16, "f32": llama_cpp.GGML_TYPE_F32}[job.get("kv", "f16")]
llm = llama_cpp.Llama(model_path=job["model"], n_ctx=ctx, n_batch=ctx, n_ubatch=ctx, logits_all=True,
                      n_threads=2, n_threads_batch=2, type_k=kv, type_v=kv, verbose=False)
first, nll = ctx // 2, []
for c in range(job["chunks"]):
    seq = tokens[c * ctx:(c + 1) * ctx]
    llm.reset()
    llm.eval(seq)
    rows = np.asarray(llm.scores[first:ctx - 1], dtype=np.float64)   # (ctx/2 - 1, vocab)
    m = rows.max(axis=1)
    lse = np.log(np.exp(rows - m[:, None]).sum(axis=1)) + m
    nll.append(float((lse - rows[np.arange(len(rows)), np.asarray(seq[first + 1:ctx])]).sum()))
json.dump({"ppl": float(np.exp(sum(nll) / (job["chunks"] * (ctx - 1 - first)))), "chunk_nll": nll}, sys.stdout)
