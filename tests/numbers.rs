//! Integer fields read the same natively and in Wasm (issue 15, class 10). On wasm32 `usize` is
//! 32 bits, so a `usize` field used to accept 2^32 natively and refuse it in Wasm, with a
//! message naming a Rust type. Every integer field of every document is now a count read by
//! `error::count`: the same bound everywhere (≤ 4294967295), then the field's own range.
//!
//! `tests/vectors/numbers.json` holds the fields (a document template, the field's path, its
//! range and the error its loader gives outside that range) and the expected outcome of every
//! value in every field, derived from that rule here. This test checks the file against the
//! rule and the native loaders against the file; `pkg-tests/numbers.test.mjs` checks the Wasm
//! package against the same file. Regenerate the cases on purpose only:
//! `UNISONO_BLESS=1 cargo test --test numbers`.

use serde_json::{json, Value};
use unisono::builder::{self, Format};
use unisono::error::{self, MAX_COUNT};
use unisono::model::BuildParams;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/numbers.json");

/// Population events for a `params` case (the builder runs, so its checks count too).
const EVENTS: &str = "user_id,sku,ts,type,channel,store\n\
    u1,A,2026-01-01T00:00:00Z,purchase,web,\nu1,B,2026-01-01T00:00:01Z,purchase,web,\n\
    u2,A,2026-01-02T00:00:00Z,purchase,web,\nu2,B,2026-01-02T00:00:01Z,purchase,web,\n";

fn vectors() -> Value {
    serde_json::from_str(&std::fs::read_to_string(VECTORS).unwrap()).unwrap()
}

/// What a value in a field must give: the documented rule, independent of the loaders.
fn expected(field: &Value, value: &str) -> Value {
    let path = field["path"].as_str().unwrap();
    let one = |code: &str, path: &str, message: String| json!([{"code": code, "path": path, "message": message}]);
    let n: f64 = value.parse().unwrap();
    if n.fract() != 0.0 {
        return one(
            "invalid_type",
            path,
            format!("invalid type: floating point `{value}`, expected a non-negative integer"),
        );
    }
    if n < 0.0 {
        return one(
            "invalid_value",
            path,
            format!("invalid value: integer `{value}`, expected a non-negative integer"),
        );
    }
    if n > MAX_COUNT as f64 {
        // Integers past u64 arrive as floats and are printed as such.
        let shown = match value.parse::<u64>() {
            Ok(v) => v.to_string(),
            Err(_) => n.to_string(),
        };
        return one(
            "too_large",
            path,
            format!("integer `{shown}` is too large: at most {MAX_COUNT}"),
        );
    }
    let (min, max) = (
        field["min"].as_f64().unwrap(),
        field["max"].as_f64().unwrap(),
    );
    if n < min || n > max {
        let e = &field["out_of_range"];
        return one(
            e["code"].as_str().unwrap(),
            e["path"].as_str().unwrap(),
            e["message"].as_str().unwrap().to_string(),
        );
    }
    json!([])
}

/// Every field × every value, with its expected outcome.
fn cases(v: &Value) -> Value {
    let mut out = Vec::new();
    for field in v["fields"].as_array().unwrap() {
        for value in v["values"].as_array().unwrap() {
            let value = value.as_str().unwrap();
            out.push(json!({
                "document": field["document"],
                "json": field["template"].as_str().unwrap().replace('@', value),
                "expect": expected(field, value),
            }));
        }
    }
    Value::Array(out)
}

/// The native outcome of one case: the problems `validate` reports, or for `params` the error
/// of a model build (`buildModel` in the package).
fn native(document: &str, text: &str) -> Value {
    let problems = if document == "params" {
        let events = builder::parse_events(EVENTS, Format::Csv).unwrap();
        let built = error::from_json::<BuildParams>("params", text)
            .and_then(|p| builder::build(&events, &p, "", &mut |_, _, _| {}).map(drop));
        match built {
            Ok(()) => Vec::new(),
            Err(e) => vec![(e.code.as_str(), e.path, e.message)],
        }
    } else {
        unisono::validate::validate(document, text)
            .into_iter()
            .map(|p| (p.code.as_str(), p.path, p.message))
            .collect()
    };
    problems
        .into_iter()
        .map(|(code, path, message)| json!({"code": code, "path": path, "message": message}))
        .collect()
}

#[test]
fn the_cases_follow_the_rule() {
    let mut v = vectors();
    let derived = cases(&v);
    if std::env::var_os("UNISONO_BLESS").is_some() {
        v["cases"] = derived;
        std::fs::write(VECTORS, serde_json::to_string_pretty(&v).unwrap() + "\n").unwrap();
        return;
    }
    assert_eq!(
        v["cases"], derived,
        "stale: UNISONO_BLESS=1 cargo test --test numbers"
    );
}

#[test]
fn native_loaders_give_the_expected_code_path_and_message() {
    let v = vectors();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 100, "every field × every value");
    for c in cases {
        let (document, text) = (c["document"].as_str().unwrap(), c["json"].as_str().unwrap());
        assert_eq!(native(document, text), c["expect"], "{document}: {text}");
    }
}

#[test]
fn no_message_names_a_rust_type() {
    // Every kind of number error, in every document: none says `usize`, `u32`, `f64`, ….
    let texts = [
        (
            "config",
            r#"{"schema":"unisono.config/1","affinity":{"half_life_days":"x"}}"#,
        ),
        (
            "config",
            r#"{"schema":"unisono.config/1","affinity":{"max_events":"x"}}"#,
        ),
        (
            "config",
            r#"{"schema":"unisono.config/1","rules":{"category_level":true}}"#,
        ),
        (
            "profile",
            r#"{"schema":"unisono.profile/1","id":"c","cart":[{"sku":"A","quantity":"1"}]}"#,
        ),
        (
            "profile",
            r#"{"schema":"unisono.profile/1","id":"c","traits":{"lifetime_value":[]}}"#,
        ),
        (
            "profile",
            r#"{"schema":"unisono.profile/1","id":"c","consents":1}"#,
        ),
        (
            "context",
            r#"{"channel":"web","now":"2026-01-01T00:00:00Z","limit":"3"}"#,
        ),
        (
            "offers",
            r#"{"schema":"unisono.offers/1","control_group_percent":"1","offers":[]}"#,
        ),
        (
            "offers",
            r#"{"schema":"unisono.offers/1","offers":[{"id":"x","name":"x","content":{"en":{"title":"t"}},"caps":[{"max":-1,"days":1}]}]}"#,
        ),
        (
            "catalog",
            r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":"1"}]}"#,
        ),
        (
            "model",
            r#"{"schema":"unisono.model/2","version":"v","params":{"k":1.5},"stats":{"events":-1}}"#,
        ),
        (
            "model",
            r#"{"schema":"unisono.model/2","version":"v","params":{},"stats":{"events":-1}}"#,
        ),
        (
            "model",
            r#"{"schema":"unisono.model/2","version":"v","params":{},"stats":{"events":0,"users":0,"items":0,"pairs":0},"decimals":-1}"#,
        ),
        (
            "model",
            r#"{"schema":"unisono.model/2","version":"v","params":{},"stats":{"events":0,"users":0,"items":0,"pairs":0},"decimals":4294967296}"#,
        ),
        (
            "model",
            r#"{"schema":"unisono.model/1","version":"v","params":{"top_n":-1}}"#,
        ),
    ];
    let rust_types = [
        "usize", "isize", "u64", "u32", "u16", "u8", "i64", "i32", "f64", "f32", "struct ",
    ];
    for (kind, text) in texts {
        let problems = unisono::validate::validate(kind, text);
        assert!(!problems.is_empty(), "{kind}: {text}");
        for p in problems {
            for t in rust_types {
                let names = p
                    .message
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w == t.trim());
                assert!(!names, "{kind}: {text}: {:?} names `{t}`", p.message);
            }
        }
    }
}
