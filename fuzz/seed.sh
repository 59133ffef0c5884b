#!/usr/bin/env bash
# Seeds the fuzz corpora from the sample retailer and the conformance vectors.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/profile corpus/artifacts corpus/decide corpus/context corpus/event corpus/catalog_pieces corpus/model corpus/import corpus/validate corpus/image corpus/lean_readers
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
# The new targets: the sample documents, and each with deep nesting in its free-form or skipped
# fields at the limit (127 levels), one past it, and far past it.
cp ../examples/sample/model.json corpus/model/model-v2.json
cp corpus/artifacts/model-v2.json corpus/model/model-v2-ties.json
cp ../tests/conformance/v1/artifacts/ties/model.json corpus/model/model-v1.json
printf '\x40' | cat - ../examples/sample/catalog.json > corpus/catalog_pieces/catalog
echo '{"channel":"kiosk","placement":"home","store":"lon-oxford","now":"2026-11-23T12:00:00Z"}' > corpus/context/kiosk.json
echo '{"type":"add_to_cart","sku":"HK-COF-0001","channel":"web","ts":"2026-11-23T12:00:00Z","quantity":2}' > corpus/event/add.json
for f in ../examples/sample/profiles/*.json; do cp "$f" "corpus/validate/$(basename "$f")"; done
for f in catalog config offers model; do cp "../examples/sample/$f.json" "corpus/validate/$f.json"; done
python3 - <<'PY'
import json, os
def nest(d, o):
    return "[" * d + "]" * d if o == "[" else '{"a":' * d + "1" + "}" * d
model = open("../examples/sample/model.json").read()
profile = open("../examples/sample/profiles/cust-anna.json").read()
for d in (123, 124, 125, 126, 127, 1000, 10000):
    for o in "[{":
        tag = f"{d}{'a' if o == '[' else 'o'}"
        v = nest(d, o)
        for field in ("params", "stats"):
            open(f"corpus/model/deep-{field}-{tag}.json", "w").write(model.replace(f'"{field}":{{', f'"{field}":{{"x":{v},', 1))
        open(f"corpus/model/deep-as_of-{tag}.json", "w").write(model.replace('"as_of":"', f'"as_of":{v},"y":"', 1))
        p = json.loads(profile); p["traits"].setdefault("attributes", {})["x"] = "VALUE"
        text = json.dumps(p).replace('"VALUE"', v)
        open(f"corpus/profile/deep-{tag}.json", "w").write(text)
        open(f"corpus/validate/deep-profile-{tag}.json", "w").write(text)
        open(f"corpus/event/deep-{tag}.json", "w").write('{"type":"view","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z","x":%s}' % v)
        open(f"corpus/context/deep-{tag}.json", "w").write('{"channel":"web","now":"2026-01-01T00:00:00Z","x":%s}' % v)
        open(f"corpus/import/deep-{tag}.ndjson", "w").write('{"type":"track","event":"Product Viewed","userId":"u","timestamp":"2026-01-01T00:00:00Z","properties":{"sku":"A","x":%s}}\n' % v)
        open(f"corpus/artifacts/deep-events-{tag}.ndjson", "w").write('{"user_id":"u","sku":"A","ts":"2026-01-01T00:00:00Z","x":%s}\n' % v)
        cat = open("../examples/sample/catalog.json").read().replace('"category": [', '"category": [%s,' % v, 1)
        open(f"corpus/catalog_pieces/deep-{tag}", "wb").write(b"\x07" + cat.encode())
PY
# Engine images (the `image` target): compiled by the CLI; the first byte is the target's mode
# (0: as is, 1: resealed after mutation).
for set in sample ties; do
  src=../tests/conformance/v1/artifacts/$set; offers=()
  if [ "$set" = sample ]; then src=../examples/sample; offers=(--offers "$src/offers.json"); fi
  cargo run --quiet --manifest-path ../Cargo.toml --bin unisono -- compile --catalog "$src/catalog.json" \
    --model "$src/model.json" --config "$src/config.json" "${offers[@]}" -o "corpus/image/$set.img" 2>/dev/null
  for mode in 0 1; do printf "\\x0$mode" | cat - "corpus/image/$set.img" > "corpus/image/$set-$mode"; done
  rm "corpus/image/$set.img"
done
# lean_readers: every kind of document the device runtime reads.
for f in ../examples/sample/profiles/*.json; do cp "$f" "corpus/lean_readers/$(basename "$f")"; done
cp corpus/context/kiosk.json corpus/event/add.json corpus/lean_readers/
for d in corpus/*/; do printf '%s %s, ' "$(ls "$d" | wc -l)" "$(basename "$d")"; done; echo seeded

