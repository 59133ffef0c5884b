#!/usr/bin/env bash
# Installs what building and testing unisono needs, idempotently and only from package
# registries: the wasm32 target, wasm-bindgen-cli of exactly the crate's version, and the npm
# dev tools (binaryen's wasm-opt, playwright-core, vite). Fast when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "bootstrap: '$1' is required but missing" >&2; exit 1; }; }
need cargo; need node; need npm

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "bootstrap: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must match the wasm-bindgen crate exactly (it is pinned with '=' in Cargo.toml).
want=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "bootstrap: installing wasm-bindgen-cli $want (found '${have:-none}'; a few minutes, once)"
  # No --locked: the CLI's lockfile names a crate version this registry does not serve.
  cargo install wasm-bindgen-cli --version "$want"
fi

# Browser tests use Debian's chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bootstrap: installing chromium from Debian (browser tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "bootstrap: /usr/bin/chromium is missing; install Debian's chromium (or set CHROMIUM_PATH)" >&2
  fi
fi

# npm dev tools (binaryen's wasm-opt, playwright-core, vite for the packaging test,
# json-schema-to-typescript for src/types.d.ts, typescript for the type tests): `npm ci`
# unless every devDependency of package.json is installed at exactly its pinned version.
if ! node -e '
  const fs = require("fs");
  const want = JSON.parse(fs.readFileSync("package.json", "utf8")).devDependencies;
  for (const [name, v] of Object.entries(want)) {
    const f = `node_modules/${name}/package.json`;
    if (!fs.existsSync(f) || JSON.parse(fs.readFileSync(f, "utf8")).version !== v) process.exit(1);
  }' || [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/vite ]; then
  echo "bootstrap: installing npm dev tools"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
