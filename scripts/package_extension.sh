#!/usr/bin/env bash
# Builds the VS Code extension's .vsix with the project's Python wheel bundled inside it.
#
#   scripts/package_extension.sh [OUT.vsix]     (default: vscode-extension/codeexecutor.vsix)
#
# Steps: npm ci (skipped when node_modules already matches package-lock.json), type check, wheel of the
# project (built from a copy of the working tree, so the checkout gets no build/ or *.egg-info), esbuild
# bundle, vsce package. PYTHON picks the Python that builds the wheel (default: .venv/bin/python, else python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXT="$ROOT/vscode-extension"
OUT="$(realpath -m "${1:-$EXT/codeexecutor.vsix}")"
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x "$ROOT/.venv/bin/python" ]]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON="python3"; fi
fi
say() { printf '[package] %s\n' "$*" >&2; }

command -v npm >/dev/null || { say "npm not found: install Node.js 20 or newer"; exit 1; }

cd "$EXT"
LOCK_HASH="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ "$(cat node_modules/.codeexecutor-lock-hash 2>/dev/null)" != "$LOCK_HASH" ]]; then
  say "npm ci"
  npm ci --no-audit --no-fund >&2
  echo "$LOCK_HASH" > node_modules/.codeexecutor-lock-hash
else
  say "node_modules matches package-lock.json: skipping npm ci"
fi

say "type check"
npx --no-install tsc --noEmit -p . >&2

say "building the Python wheel with $PYTHON"
SRC="$(mktemp -d "${TMPDIR:-/tmp}/codeexecutor-wheel.XXXXXX")"
trap 'rm -rf "$SRC"' EXIT
# Tracked files plus new ones not ignored: the working tree as git sees it, without .venv or node_modules.
git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
  | (cd "$ROOT" && xargs -0 -r tar --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$SRC"
rm -rf bundled
mkdir -p bundled/wheels
# Build isolation fetches setuptools from PyPI on every build: skip it when the Python already has it.
ISOLATION=()
if "$PYTHON" -c "import setuptools" 2>/dev/null; then ISOLATION=(--no-build-isolation); fi
"$PYTHON" -m pip wheel --no-deps --disable-pip-version-check -q "${ISOLATION[@]}" "$SRC" -w bundled/wheels >&2
WHEEL="$(ls bundled/wheels/*.whl)"
say "wheel: $(basename "$WHEEL") ($(du -h "$WHEEL" | cut -f1))"

say "bundling and packaging"
node esbuild.mjs --production >&2
# vsce runs vscode:prepublish (the same production bundle) again; --no-dependencies: esbuild bundled them.
npx --no-install vsce package --no-dependencies --allow-missing-repository -o "$OUT" >&2
say "wrote $OUT ($(du -h "$OUT" | cut -f1))"
