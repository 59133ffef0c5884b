#!/usr/bin/env bash
# Seeds the fuzz corpora from the sample retailer and the conformance vectors.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/profile corpus/artifacts corpus/decide
for f in ../examples/sample/profiles/*.json; do cp "$f" "corpus/profile/$(basename "$f")"; done
for f in catalog config offers; do cp "../examples/sample/$f.json" "corpus/artifacts/$f.json"; done
head -c 20000 ../examples/sample/events.csv > corpus/artifacts/events.csv
cp ../tests/conformance/v1/artifacts/ties/model.json corpus/artifacts/model.json
i=0
python3 - <<'PY'
import json
cases = [json.loads(l) for l in open("../tests/conformance/v1/cases.ndjson")]
for i, c in enumerate(cases[::4]):
    p = c["profile"]
    text = open("../examples/sample/" + p["ref"]).read() if "ref" in p else json.dumps(p)
    with open(f"corpus/decide/case-{i:03d}", "wb") as f:
        f.write(text.encode() + b"\xff" + json.dumps(c["context"]).encode())
PY
echo "seeded: $(ls corpus/profile | wc -l) profile, $(ls corpus/artifacts | wc -l) artifacts, $(ls corpus/decide | wc -l) decide"
