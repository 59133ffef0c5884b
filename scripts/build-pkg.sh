#!/usr/bin/env bash
# Builds the npm package into pkg/: two Wasm builds of the crate, each cargo (wasm32, release) →
# wasm-bindgen (--target web, and --target nodejs for the CommonJS glue) → wasm-opt -Oz (npm
# binaryen; never Debian's 108, which writes broken modules); then package.json, the entries and
# a size report (raw / gzip / brotli), by scripts/package.mjs.
#
#   unisono_bg.wasm   the device runtime (--no-default-features): decides from engine images. What every
#                     page, webview, kiosk and edge function downloads.
#   tools_bg.wasm     the authoring tools (default features): engines from JSON documents,
#                     compile, buildModel, validate. For Node back ends and back-office pages.
set -euo pipefail
cd "$(dirname "$0")/.."

wasm=target/wasm32-unknown-unknown/wasm/unisono.wasm
rm -rf pkg target/pkg-nodejs
mkdir -p pkg target/pkg-nodejs

# build NAME [cargo flags]: pkg/NAME.js (web glue) + pkg/NAME_bg.wasm, target/pkg-nodejs/NAME.js.
build() {
  local name=$1
  shift
  cargo build --profile wasm --lib --target wasm32-unknown-unknown "$@"
  wasm-bindgen --target web --out-dir pkg --out-name "$name" --remove-name-section "$wasm"
  # require() in Node: wasm-bindgen's own CommonJS glue (it reads ${__dirname}/NAME_bg.wasm
  # synchronously). Only its .js and .d.ts are kept (scripts/package.mjs makes them the Node
  # entries): its .wasm is byte-identical to the web one, so the package ships each .wasm once.
  wasm-bindgen --target nodejs --out-dir target/pkg-nodejs --out-name "$name" --remove-name-section "$wasm"
  if ! cmp -s "pkg/${name}_bg.wasm" "target/pkg-nodejs/${name}_bg.wasm"; then
    echo "build-pkg: the nodejs and web targets produced different ${name}_bg.wasm files" >&2
    exit 1
  fi
  # The features current rustc enables by default for wasm32-unknown-unknown.
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "pkg/${name}_bg.wasm" -o "pkg/${name}_bg.wasm"
}

build unisono --no-default-features
build tools
node scripts/package.mjs
