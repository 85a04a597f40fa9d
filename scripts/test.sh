#!/usr/bin/env bash
# Installs what is missing (Debian packages, the Python oracles, the test models),
# builds in release mode and runs the whole test suite, then the session suite under
# ThreadSanitizer and the fuzzers (GGUF reader, SSE parser).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test >/dev/null
echo "==> building (release, tests and the ponder binary they run)" >&2
# -enable-testing: the UI tests use @testable imports, which a plain release build refuses.
swift build -c release --build-tests -Xswiftc -enable-testing
echo "==> swift test (release)" >&2
swift test -c release --skip-build
echo "==> ThreadSanitizer: the session suite again, instrumented (scripts/tsan.sh)" >&2
scripts/tsan.sh
echo "==> fuzzing the GGUF reader and the SSE parser (libFuzzer, ${PONDER_FUZZ_SECONDS:-60} s)" >&2
fuzz/run.sh "${PONDER_FUZZ_SECONDS:-60}"
