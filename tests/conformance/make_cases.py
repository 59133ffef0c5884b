#!/usr/bin/env python3
"""Writes the INPUTS of the conformance cases (tests/conformance/v1/cases.ndjson).

Run once when the case list changes; expected outputs are filled in by
`UNISONO_BLESS=1 cargo test --test conformance` (on purpose only) and then compared byte for
byte natively, in Node and in Chromium. Deterministic: no randomness, no clock.
"""
import copy, json, os

ROOT = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(ROOT, "..", "..", "examples", "sample")
NOW = "2026-11-23T12:00:00Z"
STORES = ["lon-oxford", "man-arndale", "edi-princes"]
CUSTOMERS = ["cust-anna", "cust-ben", "cust-chloe", "cust-dev", "cust-elif", "cust-farah", "cust-gus", "cust-hana"]
PRODUCT = {"cust-anna": "HK-COF-0001", "cust-ben": "SO-RUN-0003", "cust-chloe": "TB-TOY-0007", "cust-dev": "EL-PC-0001",
           "cust-elif": "SO-CMP-0006", "cust-farah": "FA-FTW-0012", "cust-gus": "BE-HAI-0001", "cust-hana": "TB-TOY-0011"}

def profile(cid):
    with open(os.path.join(SAMPLE, "profiles", f"{cid}.json")) as f:
        return json.load(f)

cases = []
def add(name, prof, ctx, artifacts="sample"):
    cases.append({"name": name, "artifacts": artifacts, "profile": prof, "context": ctx})

# 1. Every sample customer × channel × placement (224 cases): strategies, rules, caps, holdouts,
#    consent paths and aliases as the sample data exercises them.
for cid in CUSTOMERS:
    for channel, store in [("web", None), ("app", None), ("email", None), ("call_center", None)] + [("kiosk", s) for s in STORES]:
        for placement in ["home", "product", "cart", "checkout"]:
            ctx = {"channel": channel, "placement": placement, "now": NOW}
            if store:
                ctx["store"] = store
            if placement == "product":
                ctx["sku"] = PRODUCT[cid]
            add(f"{cid}/{channel}{'@' + store if store else ''}/{placement}", {"ref": f"profiles/{cid}.json"}, ctx)

# 2. Edge cases.
anon = {"schema": "unisono.profile/1", "id": "anonymous"}
add("edge/empty-profile-no-consent", anon, {"channel": "web", "now": NOW})
add("edge/empty-profile-consent", {**anon, "consents": {"personalization": True, "marketing": True}}, {"channel": "app", "now": NOW})
add("edge/unknown-skus-everywhere", {**anon, "id": "ghost", "consents": {"personalization": True},
    "cart": [{"sku": "NOPE-1"}], "events": [{"type": "view", "sku": "NOPE-2", "channel": "web", "ts": "2026-11-22T10:00:00Z"}]},
    {"channel": "web", "placement": "product", "sku": "NOPE-3", "now": NOW})
add("edge/limit-1", {"ref": "profiles/cust-anna.json"}, {"channel": "web", "now": NOW, "limit": 1})
add("edge/limit-100", {"ref": "profiles/cust-anna.json"}, {"channel": "web", "now": NOW, "limit": 100})
add("edge/locale-unknown", {"ref": "profiles/cust-anna.json"}, {"channel": "web", "now": NOW, "locale": "fr-FR"})
# Time zones: the same instant written with different offsets is the same decision input.
for i, now in enumerate(["2026-11-23T12:00:00Z", "2026-11-23T13:00:00+01:00", "2026-11-23T07:00:00-05:00", "2026-11-23T12:00:00.000Z"]):
    add(f"tz/now-offset-{i}", {"ref": "profiles/cust-anna.json"}, {"channel": "app", "now": now})
# Replays: an earlier `now` ignores later events.
for day in ["2026-09-01", "2026-10-18", "2026-11-08", "2026-11-22"]:
    add(f"replay/anna-{day}", {"ref": "profiles/cust-anna.json"}, {"channel": "web", "now": f"{day}T12:00:00Z"})
    add(f"replay/gus-{day}", {"ref": "profiles/cust-gus.json"}, {"channel": "call_center", "now": f"{day}T12:00:00Z"})
# Black Friday window, the day the app caps open again.
add("offers/blackfriday-in-window", {"ref": "profiles/cust-chloe.json"}, {"channel": "web", "now": "2026-11-28T10:00:00Z"})
# Aliases: the same history with Segment / GA4 names and canonical names decides the same way.
alias_map = {"view": "Product Viewed", "add_to_cart": "add_to_cart", "purchase": "Order Completed", "remove_from_cart": "Product Removed"}
for cid in ["cust-anna", "cust-ben"]:
    p = profile(cid)
    aliased = copy.deepcopy(p)
    for e in aliased["events"]:
        e["type"] = alias_map.get(e["type"], e["type"])
        if e["channel"] == "store":
            e["channel"] = "pos"
        if e["channel"] == "app":
            e["channel"] = "ios"
    add(f"alias/{cid}-segment-names", aliased, {"channel": "web", "now": NOW})
    shuffled = copy.deepcopy(p)
    shuffled["events"] = list(reversed(shuffled["events"]))
    add(f"order/{cid}-events-reversed", shuffled, {"channel": "web", "now": NOW})
# Cross-channel caps: impressions logged by the app cap the offer on the kiosk.
capped = profile("cust-anna")
capped["events"] += [{"type": "offer_impression", "offer": "ESPRESSO50", "channel": "app", "ts": f"2026-11-23T11:{m}:00Z"} for m in ("10", "11")]
for ch, st in [("kiosk", "lon-oxford"), ("web", None), ("app", None)]:
    ctx = {"channel": ch, "now": NOW}
    if st: ctx["store"] = st
    add(f"offers/espresso-capped-on-{ch}", capped, ctx)
# Dismissed today, clicked, redeemed.
for kind in ["offer_dismissed", "offer_click", "offer_redeemed"]:
    p = profile("cust-anna")
    p["events"].append({"type": kind, "offer": "ESPRESSO50", "channel": "web", "ts": "2026-11-23T11:30:00Z"})
    add(f"offers/espresso-after-{kind}", p, {"channel": "kiosk", "store": "lon-oxford", "now": NOW})
# Holdout / control group buckets: ids chosen across the bucket range.
for i in range(12):
    add(f"offers/bucket-customer-{i:02d}", {"schema": "unisono.profile/1", "id": f"bucket-{i * 7919}",
        "consents": {"personalization": True, "marketing": True}}, {"channel": "web", "now": NOW})
# The universal control group (FNV-1a bucket of "ctrl-14:universal-control" is < 3).
add("offers/control-group", {"schema": "unisono.profile/1", "id": "ctrl-14",
    "consents": {"personalization": True, "marketing": True}}, {"channel": "web", "now": NOW})
# Consent paths on one rich history.
for pers in [True, False]:
    for mkt in [True, False]:
        p = profile("cust-elif")
        p["consents"] = {"personalization": pers, "marketing": mkt}
        add(f"consent/elif-p{int(pers)}-m{int(mkt)}", p, {"channel": "web", "placement": "cart", "now": NOW})
# Ties: a tiny catalog where scores tie, broken by sku.
add("ties/popular-equal-scores", anon, {"channel": "web", "now": NOW}, artifacts="ties")
add("ties/together-equal-scores", {**anon, "consents": {"personalization": True}}, {"channel": "web", "placement": "product", "sku": "T-A", "now": NOW}, artifacts="ties")

with open(os.path.join(ROOT, "v1", "cases.ndjson"), "w") as f:
    for c in cases:
        f.write(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n")
print(f"{len(cases)} cases")
