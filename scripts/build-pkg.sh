#!/usr/bin/env bash
# Builds the npm package into pkg/: cargo (wasm32, release) → wasm-bindgen (--target web, and
# --target nodejs for the CommonJS glue) → wasm-opt -Oz (npm binaryen; never Debian's 108, which
# writes broken modules) → package.json, the Node entries and a size report (raw / gzip / brotli).
set -euo pipefail
cd "$(dirname "$0")/.."

wasm=target/wasm32-unknown-unknown/wasm/unisono.wasm
cargo build --profile wasm --lib --target wasm32-unknown-unknown
rm -rf pkg target/pkg-nodejs
wasm-bindgen --target web --out-dir pkg --out-name unisono --remove-name-section "$wasm"
# require() in Node: wasm-bindgen's own CommonJS glue (it reads ${__dirname}/unisono_bg.wasm
# synchronously). Only its .js and .d.ts are kept (scripts/package.mjs makes them node.cjs and
# node.d.cts): its .wasm is byte-identical to the web one, so the package ships a single .wasm.
wasm-bindgen --target nodejs --out-dir target/pkg-nodejs --out-name unisono --remove-name-section "$wasm"
if ! cmp -s pkg/unisono_bg.wasm target/pkg-nodejs/unisono_bg.wasm; then
  echo "build-pkg: the nodejs and web targets produced different .wasm files; node.cjs cannot share pkg/unisono_bg.wasm" >&2
  exit 1
fi
# The features current rustc enables by default for wasm32-unknown-unknown.
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  pkg/unisono_bg.wasm -o pkg/unisono_bg.wasm
node scripts/package.mjs
