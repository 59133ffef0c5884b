#!/usr/bin/env bash
# The main job on the embedded sample retailer: build the model from the population events,
# compile the engine images, then show each sample customer's decision on web, app and kiosk
# side by side — natively, and once more through the Wasm npm package in Node, each channel on
# its own public image.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/bootstrap.sh

echo "== building the model from examples/sample/events.csv"
cargo run --quiet --release --bin unisono -- build-model \
  --events examples/sample/events.csv --out examples/sample/model.json

echo "== compiling the engine images (full for the back end, public per channel and store)"
cargo build --quiet --release --bin unisono
UNISONO_CLI=target/release/unisono node scripts/images.mjs

echo "== native: every sample customer on web, app and kiosk (from the compiled image)"
cargo run --quiet --release --example side_by_side

echo
echo "== the same through the npm package (Wasm in Node)"
./scripts/build-pkg.sh
node examples/side-by-side.mjs "${1:-cust-anna}"
