#!/usr/bin/env bash
# The installable tarball: builds the package (scripts/build-pkg.sh) and packs it with npm into
# target/unisono-<version>.tgz, which a project installs with `npm i path/to/unisono-<version>.tgz`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
./scripts/build-pkg.sh
mkdir -p target
npm pack ./pkg --pack-destination target --loglevel=error
