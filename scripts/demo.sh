#!/usr/bin/env bash
# The main job on the embedded sample retailer: build the model from the population events,
# then show each sample customer's decision on web, app and kiosk side by side — natively, and
# once more through the Wasm npm package in Node.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/bootstrap.sh

echo "== building the model from examples/sample/events.csv"
cargo run --quiet --release --bin unisono -- build-model \
  --events examples/sample/events.csv --out examples/sample/model.json

echo "== native: every sample customer on web, app and kiosk"
cargo run --quiet --release --example side_by_side

echo
echo "== the same through the npm package (Wasm in Node)"
./scripts/build-pkg.sh
node examples/side-by-side.mjs "${1:-cust-anna}"
