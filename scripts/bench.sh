#!/usr/bin/env bash
# The benchmark (not part of the tests' pass/fail): synthetic retailers of 1k–200k skus,
# profiles of 0–2,000 events; native, Wasm in Node and Wasm in headless Chromium side by side;
# load time, memory, model build throughput, package sizes; the same for engine images compiled by
# the release CLI (full, and public for the web). Writes target/bench/results.{json,md} and the
# flat target/bench/summary.json (docs/benchmark.md says what each key is).
#
#   ./scripts/bench.sh [SIZES]        e.g. ./scripts/bench.sh 1000,50000
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-1000,10000,50000,200000}
dir=target/bench
./scripts/bootstrap.sh
[ -f pkg/unisono_bg.wasm ] && [ "${BENCH_REBUILD:-1}" = 0 ] || ./scripts/build-pkg.sh
# One build of both: built apart, the CLI gets other dependency features than the example (which
# pulls the dev-dependencies in) and cargo rebuilds serde and the crate a second time.
cargo build --release --bin unisono --example bench-native
native=target/release/examples/bench-native
$native gen "$dir" "$sizes"
$native run "$dir" "$sizes"
for n in ${sizes//,/ }; do
  docs=(--catalog "$dir/$n/catalog.json" --model "$dir/$n/model.json" --config "$dir/$n/config.json" --offers "$dir/$n/offers.json")
  target/release/unisono compile "${docs[@]}" -o "$dir/$n/engine.img"
  target/release/unisono compile "${docs[@]}" --audience public --channel web -o "$dir/$n/public-web.img"
done
$native image "$dir" "$sizes"
node bench/run.mjs "$dir" "$sizes"
