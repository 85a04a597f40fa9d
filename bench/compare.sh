#!/usr/bin/env bash
# Ponder vs llama.cpp on the same files, same CPU, same thread counts, in one run.
#
# llama.cpp comes from PyPI: the llama-cpp-python sdist vendors llama.cpp's source; we
# build its `llama-bench` tool from that source with native CPU flags (cached under
# ~/.cache/ponder/llama.cpp). Both engines are run interleaved, several rounds, and the
# best and median of each are compared (memory bandwidth here swings between runs).
# This is a benchmark tool, not part of the test suite.
#
# usage: bench/compare.sh [--rounds R] [--threads "1 2"] [-p N] [-n N] [--spec] FILE.gguf ...
# --spec adds Ponder's speculative decoding on each file and thread count (llama-bench has
# no counterpart): `ponder bench --prompt-file` on bench/spec-copy-edit.txt and
# bench/spec-chat.txt, --draft none against ngram, its own table after the comparison.
# The 4B-shaped files: bench/make_nemotron_shaped.py OUT.gguf [--mix q4_k_m|iq2_xs|iq3_s]
# (random valid blocks; the IQ mixes keep the output matrix in Q6_K, as llama.cpp's do).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3; threads="1 2"; pp=512; tg=128; spec=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    -p) pp=$2; shift 2 ;;
    -n) tg=$2; shift 2 ;;
    --spec) spec=1; shift ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: bench/compare.sh [--rounds R] [--threads \"1 2\"] [-p N] [-n N] [--spec] FILE.gguf ..." >&2; exit 2; }

CACHE="${PONDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ponder}"
LCPP="$CACHE/llama.cpp"
BENCH="$LCPP/build/bin/llama-bench"
if [ ! -x "$BENCH" ]; then
  command -v cmake >/dev/null || { apt-get update -qq && apt-get install -y -qq cmake >/dev/null; }
  mkdir -p "$LCPP"
  echo "==> fetching the llama-cpp-python sdist from PyPI" >&2
  "$CACHE/venv/bin/pip" download -q --no-deps --no-binary :all: -d "$LCPP/sdist" llama-cpp-python
  tar -xzf "$LCPP"/sdist/llama_cpp_python-*.tar.gz -C "$LCPP"
  src=$(ls -d "$LCPP"/llama_cpp_python-*/vendor/llama.cpp | head -n 1)
  echo "==> building llama-bench from $src (native CPU flags)" >&2
  cmake -S "$src" -B "$LCPP/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON \
    -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF >/dev/null
  cmake --build "$LCPP/build" --target llama-bench -j "$(nproc)" >/dev/null
fi

swift build -c release --product ponder >/dev/null
PONDER=$(swift build -c release --show-bin-path)/ponder

results=$(mktemp)
for file in "$@"; do
  for t in $threads; do
    for r in $(seq "$rounds"); do
      # llama.cpp's own timings (llama-bench), then Ponder's, alternating.
      "$BENCH" -m "$file" -p "$pp" -n "$tg" -t "$t" -r 1 -o json 2>/dev/null |
        python3 -c '
import json,sys
for row in json.load(sys.stdin):
    kind = "pp" if row["n_prompt"] > 0 else "tg"
    print(sys.argv[1], sys.argv[2], "llama.cpp", kind, row["avg_ts"])' "$file" "$t" >> "$results"
      "$PONDER" bench --model "$file" -p "$pp" -n "$tg" --threads "$t" --repetitions 1 --json |
        python3 -c '
import json,sys
d = json.load(sys.stdin)
# -p 0 or -n 0 skips a test: its key is then absent.
if "pp_tokens_per_second" in d: print(sys.argv[1], sys.argv[2], "ponder", "pp", d["pp_tokens_per_second"])
if "tg_tokens_per_second" in d:
    print(sys.argv[1], sys.argv[2], "ponder", "tg", d["tg_tokens_per_second"])
    print(sys.argv[1], sys.argv[2], "roofline", "tg", d["tg_roofline_tokens_per_second"])
if "tg_compute_ceiling_tokens_per_second" in d:
    print(sys.argv[1], sys.argv[2], "ceiling", "tg", d["tg_compute_ceiling_tokens_per_second"])' "$file" "$t" >> "$results"
    done
  done
done
python3 - "$results" "$pp" "$tg" <<'PY'
import sys, statistics, collections, os
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f, t, eng, kind, v = line.split()
    rows[(f, int(t), kind, eng)].append(float(v))
pp, tg = sys.argv[2], sys.argv[3]
print(f"| file | threads | test | llama.cpp best / median t/s | Ponder best / median t/s | ratio (best) | Ponder / roofline | Ponder / compute ceiling |")
print("|---|---|---|---|---|---|---|---|")
for (f, t, kind) in sorted({k[:3] for k in rows}):
    l, p = rows[(f, t, kind, "llama.cpp")], rows[(f, t, kind, "ponder")]
    if not l or not p: continue
    test = f"pp{pp}" if kind == "pp" else f"tg{tg}"
    def share(bound):  # Ponder's best tg against the best of a bound's readings
        v = rows.get((f, t, kind, bound))
        return f"{max(p) / max(v):.0%} of {max(v):.1f}" if v and kind == "tg" else ""
    print(f"| {os.path.basename(f)} | {t} | {test} | {max(l):.1f} / {statistics.median(l):.1f} | "
          f"{max(p):.1f} / {statistics.median(p):.1f} | {max(p)/max(l):.2f} | {share('roofline')} | {share('ceiling')} |")
PY
rm -f "$results"
if [ "$spec" = 1 ]; then
  for file in "$@"; do
    for t in $threads; do
      for prompts in bench/spec-copy-edit.txt bench/spec-chat.txt; do
        echo
        "$PONDER" bench --model "$file" --threads "$t" --prompt-file "$prompts" --draft none,ngram \
          -n "$tg" --repetitions "$rounds"
      done
    done
  done
fi
