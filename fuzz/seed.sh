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
# The ties model as unisono.model/2 (checksum left empty: the structural checks come first).
v1 = json.load(open("../tests/conformance/v1/artifacts/ties/model.json"))
skus = sorted(set(v1["neighbours"]) | {s for l in v1["neighbours"].values() for s, _ in l})
at = {s: i for i, s in enumerate(skus)}
rows = [v1["neighbours"].get(s, []) for s in skus]
col = lambda l: {"items": [at[s] for s, _ in l], "scores": [round(x * 10000) for _, x in l]}
rank = lambda r: {"global": col(r["global"]), "channels": {c: col(l) for c, l in r["channels"].items()}, "stores": {}}
v2 = {"schema": "unisono.model/2", "version": v1["version"], "params": v1["params"], "stats": v1["stats"],
      "as_of": v1["as_of"], "skus": skus, "decimals": 4,
      "neighbours": {"lengths": [len(r) for r in rows], "items": [at[s] for r in rows for s, _ in r],
                     "scores": [round(x * 10000) for r in rows for _, x in r]},
      "popularity": rank(v1["popularity"]), "trending": rank(v1["trending"]),
      "repurchase": {"items": [], "rate": [], "cycle_days": []}, "checksum": ""}
open("corpus/artifacts/model-v2.json", "w").write(json.dumps(v2, separators=(",", ":")))
cases = [json.loads(l) for l in open("../tests/conformance/v1/cases.ndjson")]
for i, c in enumerate(cases[::4]):
    p = c["profile"]
    text = open("../examples/sample/" + p["ref"]).read() if "ref" in p else json.dumps(p)
    with open(f"corpus/decide/case-{i:03d}", "wb") as f:
        f.write(text.encode() + b"\xff" + json.dumps(c["context"]).encode())
PY
echo "seeded: $(ls corpus/profile | wc -l) profile, $(ls corpus/artifacts | wc -l) artifacts, $(ls corpus/decide | wc -l) decide"
