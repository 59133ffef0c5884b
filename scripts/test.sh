#!/usr/bin/env bash
# Every test: installs what is missing, then lint, native tests, the Wasm package build and the
# Node pkg-tests against the BUILT package.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/bootstrap.sh

echo "== rustfmt, clippy (native and wasm32)"
cargo fmt --all --check
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --features schema -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings   # the device runtime
cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings                         # the tools

echo "== cargo test"
cargo test

echo "== JSON Schemas and TypeScript types, generated from the Rust types (committed; checked here)"
cargo test --features schema --test schemas
node scripts/gen-types.mjs --check

echo "== build the npm package"
./scripts/build-pkg.sh
node scripts/size-guard.mjs

echo "== native decisions for the parity check"
mkdir -p target
cargo run --quiet --example side_by_side -- --json > target/native-decisions.ndjson

echo "== pkg-tests (node:test against pkg/)"
node --test pkg-tests/
