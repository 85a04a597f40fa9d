#!/usr/bin/env bash
# The IQ one-row dots against llama.cpp's, from cache (bench/iq_kernels.c): Ponder's
# kernel sources compiled as the package compiles them (-O3, no -march: the tiers are
# picked at run time) and linked with the ggml-cpu library of the llama.cpp that
# bench/compare.sh builds (run compare.sh once first). Not part of the test suite.
#
# usage: bench/iq_kernels.sh [TIER]   (default: the CPU's highest tier)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${PONDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ponder}"
LIB="$CACHE/llama.cpp/build/bin"
[ -e "$LIB/libggml-cpu.so" ] || { echo "iq_kernels: no $LIB/libggml-cpu.so: run bench/compare.sh once to build llama.cpp" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
clang -O3 -fno-math-errno -w -ISources/Kernels -ISources/Kernels/include -ISources/IQGrids/include \
  bench/iq_kernels.c Sources/Kernels/*.c Sources/IQGrids/*.c -o "$out/iq_kernels" \
  -L"$LIB" -lggml-cpu -lggml-base -Wl,-rpath,"$LIB" -lm -lpthread
"$out/iq_kernels" "$@"
