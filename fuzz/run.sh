#!/usr/bin/env bash
# Runs fuzz targets for SECONDS each (default 60), one after another (one job: the machine is
# shared), with the JSON dictionary (dict/json.dict: structure, field names, deep-nesting
# runs), and prints the number of executions per target and in total. Usage: ./run.sh [SECONDS] [TARGET...]
# Needs cargo-fuzz (`cargo install cargo-fuzz --version 0.13.2 --locked`); libFuzzer's
# instrumentation flags are nightly-only, so this uses RUSTC_BOOTSTRAP=1 on the stable toolchain.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(profile event context artifacts catalog_pieces model import validate decide image lean_readers)
./seed.sh
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O --fuzz-dir .
mkdir -p target
total=0
for t in "${targets[@]}"; do
  if ! cargo fuzz run -O --fuzz-dir . "$t" "corpus/$t" -- -dict=dict/json.dict -max_total_time="$secs" -timeout=10 \
      -rss_limit_mb=4096 -print_final_stats=1 > "target/fuzz-$t.log" 2>&1; then
    echo "fuzz target $t FAILED: see fuzz/target/fuzz-$t.log and fuzz/artifacts/$t/"
    exit 1
  fi
  n=$(grep -o 'stat::number_of_executed_units: [0-9]*' "target/fuzz-$t.log" | awk '{print $2}')
  total=$((total + n))
  echo "$t: $n executions in ${secs}s, no crash, no timeout"
done
echo "total: $total executions"
