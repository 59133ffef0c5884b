#!/usr/bin/env bash
# Builds the npm package into pkg/: cargo (wasm32, release) → wasm-bindgen (--target web) →
# wasm-opt -Oz (npm binaryen; never Debian's 108, which writes broken modules) → package.json,
# the Node entry and a size report (raw / gzip / brotli).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --profile wasm --lib --target wasm32-unknown-unknown
rm -rf pkg
wasm-bindgen --target web --out-dir pkg --out-name unisono --remove-name-section \
  target/wasm32-unknown-unknown/wasm/unisono.wasm
# The features current rustc enables by default for wasm32-unknown-unknown.
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  pkg/unisono_bg.wasm -o pkg/unisono_bg.wasm
node scripts/package.mjs
