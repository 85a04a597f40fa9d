"""Writes small valid GGUF files with the `gguf` package as fuzz seeds: every value
type, a nested array, token arrays, and tensors of several types (F32, F16, BF16,
Q4_0, Q8_0 quantized by the package; K-quant and IQ4 blocks of random bytes)."""
import sys
import numpy as np
import gguf
from gguf import GGUFWriter, GGMLQuantizationType as T
from gguf.quants import quantize

out = sys.argv[1]
rng = np.random.default_rng(7)
for n, version_types in enumerate([[T.F32, T.F16, T.BF16, T.Q4_0, T.Q8_0],
                                   [T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K, T.Q8_K, T.IQ4_NL, T.IQ4_XS]]):
    w = GGUFWriter(f"{out}/written-{n}.gguf", "llama")
    w.add_uint8("x.u8", 7); w.add_int8("x.i8", -7); w.add_uint16("x.u16", 700); w.add_int16("x.i16", -7)
    w.add_uint32("x.u32", 70000); w.add_int32("x.i32", -70000); w.add_float32("x.f32", 0.5)
    w.add_uint64("x.u64", 1 << 40); w.add_int64("x.i64", -(1 << 40)); w.add_float64("x.f64", 0.25)
    w.add_bool("x.bool", True); w.add_string("x.str", "h\u00e9llo")
    w.add_array("x.nested", [[1, 2], [3]]); w.add_context_length(128)
    w.add_token_list(["a", "b", "c"]); w.add_token_scores([0.0, -1.0, -2.0]); w.add_token_types([1, 1, 3])
    x = rng.standard_normal((2, 256)).astype(np.float32)
    for t in version_types:
        name = "t." + t.name.lower()
        if t in (T.F32,):
            w.add_tensor(name, x)
        elif t == T.F16:
            w.add_tensor(name, x.astype(np.float16))
        elif t in (T.BF16, T.Q4_0, T.Q8_0):
            w.add_tensor(name, quantize(x, t), raw_dtype=t)
        else:
            size = gguf.GGML_QUANT_SIZES[t][1]
            blocks = 2 * 256 // gguf.GGML_QUANT_SIZES[t][0]
            w.add_tensor(name, rng.integers(0, 256, (2, size * blocks // 2), dtype=np.uint8), raw_dtype=t)
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
