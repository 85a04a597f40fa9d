#!/usr/bin/env bash
# Builds the libFuzzer harnesses, the GGUF reader's and the server-sent-events parser's
# (with the chat-completion chunk decoder), and runs them for a bounded time together.
# Usage: fuzz/run.sh [SECONDS]   (default 60: two thirds for the GGUF reader, a third,
# at least 1 s, for the SSE parser). Exits non-zero when a fuzzer finds a crash, a leak,
# an allocation over the limit or a timeout; the input that did it is in
# .build/fuzz/artifacts/.
# GGUF seeds: small files the `gguf` package writes (when the test venv is there) and the
# first 64 KiB of the real test models and vocabularies in the cache. SSE seeds:
# fuzz/sse_seeds/ (a control byte, then a body: a stream llama.cpp's server sent, and
# variants with CRLF and CR line ends, comments, `event:`, an error object, `[DONE]`).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
sse_secs=$(( secs / 3 > 0 ? secs / 3 : 1 ))
gguf_secs=$(( secs - sse_secs > 0 ? secs - sse_secs : 1 ))
out=.build/fuzz
mkdir -p "$out/seeds" "$out/corpus" "$out/sse-corpus" "$out/artifacts"

echo "==> building fuzz harnesses" >&2
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
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name Remote \
    Sources/Remote/ServerSentEvents.swift Sources/Remote/ChatCompletionChunk.swift fuzz/SSEFuzz.swift \
    -o "$out/sse-fuzz" 2>"$out/sse-build.log" || {
    grep -v "Cannot export local symbol" "$out/sse-build.log" >&2
    exit 1
}

cache="${PONDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ponder}"
for f in "$cache"/models/*.gguf /work/shared/vocab/*.gguf; do
    [ -f "$f" ] && head -c 65536 "$f" > "$out/seeds/head-$(basename "$f")"
done
if [ -x "$cache/venv/bin/python" ]; then
    "$cache/venv/bin/python" fuzz/make_seeds.py "$out/seeds"
fi

# run SLUG NAME SECONDS MAX_LEN DIR...: the harness $out/SLUG-fuzz for a bounded time.
run() {
    local slug=$1 name=$2 t=$3 len=$4; shift 4
    echo "==> fuzzing the $name for ${t}s" >&2
    # -rss_limit_mb also caps any single allocation (malloc_limit_mb defaults to it).
    "$out/$slug-fuzz" "$@" -max_total_time="$t" -max_len="$len" -timeout=2 -rss_limit_mb=1024 \
        -artifact_prefix="$out/artifacts/$slug-" -print_final_stats=1 2>"$out/$slug-fuzz.log" || {
        status=$?
        tail -40 "$out/$slug-fuzz.log" >&2
        echo "fuzz: the $name harness failed (exit $status); reproducer in $out/artifacts/" >&2
        exit 1
    }
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|Done " "$out/$slug-fuzz.log" >&2 || true
}
run gguf "GGUF reader" "$gguf_secs" 65536 "$out/corpus" "$out/seeds"
# Bodies up to 2 KiB (several events; the small line limits reach the too-long paths),
# and no allocation stacks kept (the parser allocates per line: twice the executions a
# second; rerun a reproducer without it for the stacks of a use after free).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}malloc_context_size=0" \
    run sse "SSE parser" "$sse_secs" 2048 "$out/sse-corpus" fuzz/sse_seeds
