//! `validate`: every problem of a document, each with the code and path its loader would give.

use serde_json::{json, Value};
use std::fs;
use unisono::error::Code;
use unisono::validate::{report_json, validate, Problem, KINDS, MAX_PROBLEMS};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    fs::read_to_string(format!("{ROOT}/{rel}")).unwrap()
}

fn sample(name: &str) -> Value {
    serde_json::from_str(&read(&format!("examples/sample/{name}"))).unwrap()
}

fn found(problems: &[Problem]) -> Vec<(&'static str, &str)> {
    problems
        .iter()
        .map(|p| (p.code.as_str(), p.path.as_str()))
        .collect()
}

fn check(kind: &str, doc: &Value) -> Vec<Problem> {
    validate(kind, &doc.to_string())
}

const TS: &str = "2026-11-20T10:00:00Z";

#[test]
fn a_profile_with_three_bad_events_gives_three_problems() {
    let doc = json!({
        "schema": "unisono.profile/1", "id": "c1",
        "events": [
            {"type": "view", "sku": "A", "channel": "web", "ts": TS},
            {"type": "view", "sku": "A", "channel": "web", "ts": "yesterday"},
            {"type": "view", "sku": "A", "channel": "fax", "ts": TS},
            {"type": "purchase", "sku": "B", "channel": "store", "ts": TS},
            {"type": "view", "channel": "app", "ts": TS},
        ]
    });
    let p = check("profile", &doc);
    assert_eq!(
        found(&p),
        [
            ("invalid_time", "events[1].ts"),
            ("invalid_value", "events[2].channel"),
            ("missing_field", "events[4].sku"),
        ],
        "{p:#?}"
    );
    assert!(p[0].message.contains("yesterday"), "{}", p[0].message);
}

#[test]
fn top_level_cart_and_event_problems_are_all_reported() {
    let doc = json!({
        "schema": "unisono.profile/1", "id": "", "bogus": true,
        "cart": [{"sku": "A", "quantity": 0}, {"sku": "B"}, {"quantity": 1}],
        "events": [{"type": "view", "sku": "A", "channel": "web", "ts": TS, "price": -1}],
    });
    let p = check("profile", &doc);
    // serde stops the top level at its first unknown field; the id is then not reached.
    assert_eq!(
        found(&p),
        [
            ("invalid_value", "bogus"),
            ("invalid_value", "events[0].price"),
            ("invalid_value", "cart[0].quantity"),
            ("missing_field", "cart[2].sku"),
        ],
        "{p:#?}"
    );
}

#[test]
fn the_sample_documents_are_valid() {
    for (kind, file) in [
        ("catalog", "catalog.json"),
        ("config", "config.json"),
        ("offers", "offers.json"),
        ("model", "model.json"),
    ] {
        assert_eq!(
            validate(kind, &read(&format!("examples/sample/{file}"))),
            [],
            "{file}"
        );
    }
    for entry in fs::read_dir(format!("{ROOT}/examples/sample/profiles")).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(
            validate("profile", &fs::read_to_string(&path).unwrap()),
            [],
            "{path:?}"
        );
    }
    for kind in ["catalog", "config", "model"] {
        let text = read(&format!("tests/conformance/v1/artifacts/ties/{kind}.json"));
        assert_eq!(validate(kind, &text), [], "ties/{kind}");
    }
    let ctx = json!({"channel": "Kiosk", "placement": "product", "store": "any-store", "now": TS, "sku": "A"});
    assert_eq!(check("context", &ctx), []);
    assert_eq!(check("config", &json!({"schema": "unisono.config/1"})), []);
}

#[test]
fn catalog_items_duplicates_and_unknown_stores() {
    let mut cat = sample("catalog.json");
    let items = cat["items"].as_array_mut().unwrap();
    let first_sku = items[0]["sku"].clone();
    items[1]["price"] = json!(-1);
    items[2]["sku"] = first_sku.clone();
    items[3]["availability"]["stores"] = json!({"atlantis": 3});
    items[4]["title"] = json!(5);
    items[6]["sku"] = first_sku;
    let p = check("catalog", &cat);
    assert_eq!(
        found(&p),
        [
            ("invalid_value", "items[1].price"),
            ("unknown_reference", "items[3].availability.stores.atlantis"),
            ("invalid_type", "items[4].title"),
            ("duplicate", "items[2].sku"),
            ("duplicate", "items[6].sku"),
        ],
        "{p:#?}"
    );
    let empty =
        json!({"schema": "unisono.catalog/1", "stores": [{"id": "s"}, {"id": "s"}], "items": []});
    assert_eq!(
        found(&check("catalog", &empty)),
        [("duplicate", "stores[1].id"), ("empty_catalog", "items")]
    );
}

#[test]
fn offers_rules_are_compiled_one_by_one() {
    let mut doc = sample("offers.json");
    let offers = doc["offers"].as_array_mut().unwrap();
    let id0 = offers[0]["id"].clone();
    offers[1]["eligibility"] = json!({"and": [{"==": [1, 1]}, {"magic": 1}]});
    offers[3]["holdout_percent"] = json!(150);
    offers[4]["id"] = id0;
    offers[5]["eligibility"] = json!({"event_count": {"type": "view", "within_days": "x"}});
    let p = check("offers", &doc);
    let codes = found(&p);
    assert_eq!(codes.len(), 4, "{p:#?}");
    assert_eq!(
        codes[0],
        ("invalid_value", "offers[1].eligibility.and[1].magic")
    );
    assert_eq!(codes[1], ("invalid_value", "offers[3].holdout_percent"));
    assert!(codes[2].1.starts_with("offers[5].eligibility"), "{p:#?}");
    assert_eq!(codes[3], ("duplicate", "offers[4].id"));
}

#[test]
fn config_sections_are_checked_separately() {
    let doc = json!({
        "schema": "unisono.config/1",
        "affinity": {"half_life_days": 0},
        "placements": {
            "home": {"slots": 0, "strategies": []},
            "cart": {"slots": 4, "strategies": [{"strategy": "telepathy"}]},
            "lobby!": {"slots": 2, "strategies": []},
        },
        "channels": {"kiosk": {"placements": {"home": {"slots": 101, "strategies": []}}}, "tv": {}},
        "rules": {"boost": [{"match": {"tag": "x"}, "factor": -1}], "pin": [{"sku": "A", "position": 0}, {"sku": "B", "position": 2}]},
    });
    let p = check("config", &doc);
    assert_eq!(
        found(&p),
        [
            ("invalid_value", "affinity.half_life_days"),
            ("invalid_value", "placements.cart.strategies[0].strategy"),
            ("invalid_value", "placements.home.slots"),
            ("invalid_value", "placements.lobby!"),
            ("invalid_value", "channels.kiosk.placements.home.slots"),
            ("invalid_value", "channels.tv"),
            ("invalid_value", "rules.boost[0].factor"),
            ("invalid_value", "rules.pin[0].position"),
        ],
        "{p:#?}"
    );
}

#[test]
fn context_and_model_problems() {
    let ctx = json!({"channel": "kiosk", "now": TS, "limit": 0});
    assert_eq!(found(&check("context", &ctx)), [("missing_field", "store")]);
    assert_eq!(
        found(&check("context", &json!({"channel": "web"}))),
        [("missing_field", "now")]
    );
    let mut model = sample("model.json");
    model["stats"]["users"] = json!(1);
    assert_eq!(
        found(&check("model", &model)),
        [("checksum_mismatch", "checksum")]
    );
}

#[test]
fn not_a_document() {
    // A truncated text: the path says how far it got.
    assert_eq!(
        found(&validate("profile", "{\"schema\":")),
        [("invalid_json", "schema")]
    );
    assert_eq!(
        found(&validate("profile", "not json")),
        [("invalid_json", "")]
    );
    assert_eq!(
        found(&validate("catalog", "[1, 2]")),
        [("invalid_type", "")]
    );
    assert_eq!(
        found(&validate("context", "\"web\"")),
        [("invalid_type", "")]
    );
    let p = validate("basket", "{}");
    assert_eq!(found(&p), [("invalid_value", "")]);
    assert!(
        p[0].message.contains("profile, catalog"),
        "{}",
        p[0].message
    );
}

#[test]
fn at_most_a_hundred_problems() {
    let events: Vec<Value> = (0..250)
        .map(|_| json!({"type": "view", "channel": "web", "ts": "soon"}))
        .collect();
    let p = check(
        "profile",
        &json!({"schema": "unisono.profile/1", "id": "c", "events": events}),
    );
    assert_eq!(p.len(), MAX_PROBLEMS);
    assert_eq!(p[99].path, "events[99].ts");
}

#[test]
fn what_only_the_whole_document_shows_is_still_found() {
    // A duplicate key is lost once the text is a JSON value; the final pass through the loader
    // still reports it.
    let text = r#"{"schema":"unisono.profile/1","id":"c","events":[{"type":"view","sku":"A","channel":"web","ts":"2026-11-20T10:00:00Z","sku":"B"}]}"#;
    let p = validate("profile", text);
    assert_eq!(found(&p), [("invalid_value", "events[0].sku")], "{p:#?}");
    assert!(p[0].message.contains("duplicate field"));
}

/// `valid` means the loader accepts the document, and the loader's error is always among the
/// problems (same code, same path).
#[test]
fn validate_agrees_with_the_loaders() {
    let base = sample("profiles/cust-anna.json");
    let mut docs: Vec<(&str, Value)> = vec![("profile", base.clone())];
    for (field, v) in [
        ("id", json!(5)),
        ("segments", json!([1])),
        ("consents", json!({"tracking": true})),
        ("cart", json!([{"sku": "A", "quantity": -1}])),
        ("events", json!({})),
    ] {
        let mut d = base.clone();
        d[field] = v;
        docs.push(("profile", d));
    }
    let mut d = base.clone();
    d["events"][2]["ts"] = json!("2026-02-30T10:00:00Z");
    d["events"][5]["channel"] = json!(1);
    docs.push(("profile", d));
    let mut cat = sample("catalog.json");
    cat["stores"][0]["id"] = json!("");
    cat["items"][3]["sku"] = json!("");
    docs.push(("catalog", cat));
    let mut offers = sample("offers.json");
    offers["control_group_percent"] = json!(-1);
    offers["offers"][2]["caps"] = json!([{"max": 0, "days": 1}]);
    docs.push(("offers", offers));
    for (kind, doc) in docs {
        let text = doc.to_string();
        let problems = validate(kind, &text);
        let loaded = match kind {
            "profile" => unisono::profile::Profile::from_json(&text).map(drop),
            "catalog" => unisono::catalog::Catalog::from_json(&text).map(drop),
            _ => unisono::offers::Offers::from_json(&text).map(drop),
        };
        match loaded {
            Ok(()) => assert_eq!(problems, [], "{kind}"),
            Err(e) => assert!(
                problems
                    .iter()
                    .any(|p| p.code == e.code && p.path == e.path),
                "{kind}: the loader says {e} [{}], validate {problems:#?}",
                e.code.as_str()
            ),
        }
    }
}

#[test]
fn report_json_shape() {
    let p = validate(
        "context",
        r#"{"channel":"store","now":"2026-11-20T10:00:00Z"}"#,
    );
    let v: Value = serde_json::from_str(&report_json(&p)).unwrap();
    assert_eq!(
        v,
        json!({"valid": false, "problems": [{"code": "missing_field", "path": "store", "message": "the store channel needs the store it is in"}]})
    );
    assert_eq!(report_json(&[]), r#"{"valid":true,"problems":[]}"#);
    assert_eq!(KINDS.len(), 6);
    assert_eq!(Code::InvalidJson.as_str(), "invalid_json");
}
