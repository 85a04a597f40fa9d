#!/usr/bin/env bash
# Builds the libFuzzer harness for the GGUF reader and runs it for a bounded time.
# Usage: fuzz/run.sh [SECONDS]   (default 60). Exits non-zero when the fuzzer finds a
# crash, a leak, an allocation over the limit or a timeout; the input that did it is in
# .build/fuzz/artifacts/.
# Seeds: small files the `gguf` package writes (when the test venv is there) and the first
# 64 KiB of the real test models and vocabularies in the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
out=.build/fuzz
mkdir -p "$out/seeds" "$out/corpus" "$out/artifacts"

echo "==> building fuzz harness" >&2
# -O, not -Ounchecked: integer overflow traps here, so the fuzzer finds it.
# (ld.gold warns about ASan's local symbols; those lines go to build.log.)
# The IQ grids (a C target GGUF imports): compiled here, with a module map for swiftc.
mkdir -p "$out/iqgrids"
printf 'module IQGrids {\n  header "%s"\n  export *\n}\n' "$PWD/Sources/IQGrids/include/IQGrids.h" \
    > "$out/iqgrids/module.modulemap"
for c in Sources/IQGrids/*.c; do
    clang -O1 -fsanitize=address -I Sources/IQGrids/include -c "$c" -o "$out/iqgrids/$(basename "$c" .c).o"
done
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name GGUF -I "$out/iqgrids" \
    Sources/GGUF/*.swift fuzz/GGUFFuzz.swift "$out"/iqgrids/*.o -o "$out/gguf-fuzz" 2>"$out/build.log" || {
    grep -v "Cannot export local symbol" "$out/build.log" >&2
    exit 1
}

cache="${PONDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ponder}"
for f in "$cache"/models/*.gguf /work/shared/vocab/*.gguf; do
    [ -f "$f" ] && head -c 65536 "$f" > "$out/seeds/head-$(basename "$f")"
done
if [ -x "$cache/venv/bin/python" ]; then
    "$cache/venv/bin/python" fuzz/make_seeds.py "$out/seeds"
fi

echo "==> fuzzing the GGUF reader for ${secs}s" >&2
# -rss_limit_mb also caps any single allocation (malloc_limit_mb defaults to it).
"$out/gguf-fuzz" "$out/corpus" "$out/seeds" \
    -max_total_time="$secs" -max_len=65536 -timeout=2 -rss_limit_mb=1024 \
    -artifact_prefix="$out/artifacts/" -print_final_stats=1 2>"$out/fuzz.log" || {
    status=$?
    tail -40 "$out/fuzz.log" >&2
    echo "fuzz: the harness failed (exit $status); reproducer in $out/artifacts/" >&2
    exit 1
}
grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|Done " "$out/fuzz.log" >&2 || true
