#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), two at a time (2 cores), and prints the
# number of executions per target. Needs cargo-fuzz (`cargo install cargo-fuzz`); libFuzzer's
# instrumentation flags are nightly-only, so this uses RUSTC_BOOTSTRAP=1 on the stable toolchain.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
./seed.sh
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O --fuzz-dir .
run() {
  cargo fuzz run -O --fuzz-dir . "$1" "corpus/$1" -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 > "target/fuzz-$1.log" 2>&1 || { echo "fuzz target $1 FAILED: see fuzz/target/fuzz-$1.log and fuzz/artifacts/$1/"; return 1; }
  echo "$1: $(grep -o 'stat::number_of_executed_units: [0-9]*' "target/fuzz-$1.log" | awk '{print $2}') executions, no crash"
}
mkdir -p target
run profile & run artifacts & wait
run decide
