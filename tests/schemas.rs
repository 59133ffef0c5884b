//! The committed JSON Schemas (`schemas/*.schema.json`) are what the Rust types generate, and
//! every sample document (and every conformance decision) is valid against its schema.
//!
//! Needs the `schema` feature: `cargo test --features schema --test schemas` (scripts/test.sh
//! runs it after `cargo test`). Regenerate on purpose only:
//! `UNISONO_BLESS=1 cargo test --features schema --test schemas`, then
//! `node scripts/gen-types.mjs` for src/types.d.ts.
#![cfg(feature = "schema")]

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs;
use unisono::schema::{documents, to_pretty, BASE_URL};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    fs::read_to_string(format!("{ROOT}/{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn schema(name: &str) -> Value {
    documents()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("no schema {name}"))
}

fn validator(name: &str) -> jsonschema::Validator {
    jsonschema::validator_for(&schema(name)).unwrap_or_else(|e| panic!("{name} schema: {e}"))
}

/// Every violation, one per line, with its path: `/events/1/ts: "yesterday" does not match …`.
fn problems(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn committed_schemas_are_generated_from_the_types() {
    let dir = format!("{ROOT}/schemas");
    let bless = std::env::var_os("UNISONO_BLESS").is_some();
    let docs = documents();
    let mut stale = Vec::new();
    for (name, doc) in &docs {
        assert_eq!(
            doc["$id"],
            json!(format!("{BASE_URL}{name}-1.json")),
            "{name}: $id"
        );
        assert!(doc["title"].is_string(), "{name}: title");
        assert!(doc["description"].is_string(), "{name}: description");
        let path = format!("{dir}/{name}.schema.json");
        let text = to_pretty(doc);
        if bless {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, &text).unwrap();
        } else if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(format!("schemas/{name}.schema.json"));
        }
    }
    if bless {
        eprintln!("wrote {} schemas to {dir}", docs.len());
        return;
    }
    let mut extra: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| !docs.iter().any(|(n, _)| *f == format!("{n}.schema.json")))
        .collect();
    extra.sort();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "the committed JSON Schemas differ from what the Rust types generate: stale {stale:?}, not generated {extra:?}.\n\
         If the change to the document types is intended, regenerate them on purpose and review the diff:\n  \
         UNISONO_BLESS=1 cargo test --features schema --test schemas && node scripts/gen-types.mjs"
    );
}

#[test]
fn a_definition_name_means_one_schema_in_every_file() {
    let mut seen: BTreeMap<String, (&str, Value)> = BTreeMap::new();
    let docs = documents();
    for (name, doc) in &docs {
        for (def, s) in doc["$defs"].as_object().into_iter().flatten() {
            if let Some((other, prev)) = seen.get(def) {
                assert_eq!(prev, s, "{def} differs between {other} and {name}");
            } else {
                seen.insert(def.clone(), (name, s.clone()));
            }
        }
    }
    // The decision's own forms of shared types are named apart.
    let decision = schema("decision");
    assert!(decision["$defs"]["ProfileEventOutput"].is_object());
    assert_eq!(
        decision["$defs"]["ProfileEventOutput"]["properties"]["channel"],
        json!({"$ref": "#/$defs/Channel"})
    );
}

fn validate_all(name: &str, docs: &[(String, Value)]) {
    let v = validator(name);
    let bad: Vec<String> = docs
        .iter()
        .flat_map(|(what, doc)| {
            problems(&v, doc)
                .into_iter()
                .map(move |p| format!("{what}: {p}"))
        })
        .take(20)
        .collect();
    assert!(
        bad.is_empty(),
        "not valid against schemas/{name}.schema.json:\n{}",
        bad.join("\n")
    );
}

fn json_file(rel: &str) -> (String, Value) {
    (rel.to_string(), serde_json::from_str(&read(rel)).unwrap())
}

fn ndjson(rel: &str) -> Vec<Value> {
    read(rel)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn sample_artifacts_are_valid() {
    let ties = "tests/conformance/v1/artifacts/ties";
    validate_all(
        "catalog",
        &[
            json_file("examples/sample/catalog.json"),
            json_file(&format!("{ties}/catalog.json")),
        ],
    );
    validate_all(
        "config",
        &[
            json_file("examples/sample/config.json"),
            json_file(&format!("{ties}/config.json")),
            ("minimal".into(), json!({"schema": "unisono.config/1"})),
        ],
    );
    validate_all(
        "model",
        &[
            json_file("examples/sample/model.json"),
            json_file(&format!("{ties}/model.json")),
        ],
    );
    validate_all("offers", &[json_file("examples/sample/offers.json")]);
}

#[test]
fn sample_and_conformance_profiles_and_contexts_are_valid() {
    let mut profiles: Vec<(String, Value)> =
        fs::read_dir(format!("{ROOT}/examples/sample/profiles"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|f| f.ends_with(".json"))
            .map(|f| json_file(&format!("examples/sample/profiles/{f}")))
            .collect();
    assert!(profiles.len() >= 8);
    let mut contexts = Vec::new();
    for (i, case) in ndjson("tests/conformance/v1/cases.ndjson")
        .iter()
        .enumerate()
    {
        let name = case["name"].as_str().unwrap_or("?");
        if case["profile"].get("ref").is_none() {
            profiles.push((
                format!("cases.ndjson:{} {name}", i + 1),
                case["profile"].clone(),
            ));
        }
        contexts.push((
            format!("cases.ndjson:{} {name}", i + 1),
            case["context"].clone(),
        ));
    }
    assert!(contexts.len() > 200);
    validate_all("profile", &profiles);
    validate_all("context", &contexts);
}

#[test]
fn every_conformance_and_sample_decision_is_valid() {
    let mut decisions: Vec<(String, Value)> = ndjson("tests/conformance/v1/expected.ndjson")
        .into_iter()
        .enumerate()
        .map(|(i, d)| (format!("expected.ndjson:{}", i + 1), d))
        .collect();
    assert!(decisions.len() > 200);
    for (i, line) in ndjson("tests/vectors/sample-decisions.ndjson")
        .into_iter()
        .enumerate()
    {
        decisions.push((
            format!("sample-decisions.ndjson:{}", i + 1),
            line["decision"].clone(),
        ));
    }
    validate_all("decision", &decisions);
}

/// The schema accepts what the parser accepts, for the spellings that matter: aliases in,
/// canonical names out; and refuses the shapes the parser refuses.
#[test]
fn schema_and_parser_agree_on_shapes() {
    let profile = validator("profile");
    let ev = |e: Value| json!({"schema": "unisono.profile/1", "id": "c1", "events": [e]});
    let ok = [
        json!({"type": "view", "sku": "A", "channel": "web", "ts": "2026-01-01T00:00:00Z"}),
        json!({"type": "Product Viewed", "sku": "A", "channel": "POS", "ts": "2026-01-01T00:00:00.5+01:00"}),
        json!({"type": "view_item", "sku": "A", "channel": " Call-Centre ", "ts": "2026-01-01 00:00:00z"}),
        json!({"type": "Identify", "channel": "mobile", "ts": "2026-01-01T00:00:00Z", "extra": {"x": 1}}),
    ];
    for e in ok {
        let doc = ev(e);
        assert!(
            unisono::profile::Profile::from_json(&doc.to_string()).is_ok(),
            "parser: {doc}"
        );
        assert_eq!(problems(&profile, &doc), Vec::<String>::new(), "{doc}");
    }
    let refused = [
        ev(json!({"type": "view", "sku": "A", "channel": "fax", "ts": "2026-01-01T00:00:00Z"})),
        ev(json!({"type": "view", "sku": "A", "channel": "web", "ts": "yesterday"})),
        ev(json!({"type": "view", "sku": "A", "channel": "web", "ts": "2026-13-01T00:00:00Z"})),
        ev(json!({"type": " ", "channel": "web", "ts": "2026-01-01T00:00:00Z"})),
        ev(
            json!({"type": "view", "sku": "A", "channel": "web", "ts": "2026-01-01T00:00:00Z", "price": -1}),
        ),
        ev(json!({"type": "view", "sku": "A", "channel": 3, "ts": "2026-01-01T00:00:00Z"})),
        json!({"schema": "unisono.profile/2", "id": "c1"}),
        json!({"schema": "unisono.profile/1"}),
        json!({"schema": "unisono.profile/1", "id": ""}),
        json!({"schema": "unisono.profile/1", "id": "c1", "bogus": 1}),
        json!({"schema": "unisono.profile/1", "id": "c1", "cart": [{"sku": "A", "quantity": 0}]}),
    ];
    for doc in refused {
        assert!(
            unisono::profile::Profile::from_json(&doc.to_string()).is_err(),
            "parser accepts {doc}"
        );
        assert!(!problems(&profile, &doc).is_empty(), "schema accepts {doc}");
    }
    let context = validator("context");
    let good =
        json!({"channel": "Kiosk", "store": "s1", "now": "2026-01-01T00:00:00Z", "limit": 100});
    assert!(problems(&context, &good).is_empty());
    for bad in [
        json!({"channel": "web", "placement": "Home", "now": "2026-01-01T00:00:00Z"}),
        json!({"channel": "web", "now": "2026-01-01T00:00:00Z", "limit": 0}),
        json!({"channel": "web"}),
    ] {
        assert!(!problems(&context, &bad).is_empty(), "schema accepts {bad}");
    }
}
