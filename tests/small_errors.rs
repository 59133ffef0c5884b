//! Errors stay small (issue 15, class 11): a 100 KB value anywhere in any document gives an
//! error whose message and path are a few hundred bytes, and a decision does not grow with the
//! size of a rule.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::fs;
use std::sync::OnceLock;
use unisono::catalog::Catalog;
use unisono::config::Config;
use unisono::context::Context;
use unisono::error::{Error, MAX_MESSAGE, MAX_PATH};
use unisono::model::Model;
use unisono::offers::Offers;
use unisono::profile::Profile;
use unisono::Engine;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample");
const KINDS: [&str; 7] = [
    "profile", "event", "catalog", "config", "context", "offers", "model",
];
/// A path may gain a few bytes when `validate` renumbers a list element (`events[0]` →
/// `events[12345]`).
const PATH_SLACK: usize = 16;

fn read(name: &str) -> String {
    fs::read_to_string(format!("{DIR}/{name}")).unwrap()
}

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::from_json(&read("catalog.json")).unwrap())
}

/// A valid document of each kind (the model: a small one, built from a few events).
fn document(kind: &str) -> Value {
    static DOCS: OnceLock<Vec<Value>> = OnceLock::new();
    let docs = DOCS.get_or_init(|| {
        let events = "user_id,sku,ts,type,channel,store\n\
            u1,BE-BTH-0001,2026-01-01T00:00:00Z,purchase,web,\n\
            u1,BE-BTH-0002,2026-01-01T00:00:01Z,purchase,kiosk,lon-oxford\n\
            u2,BE-BTH-0001,2026-01-02T00:00:00Z,purchase,web,\n\
            u2,BE-BTH-0002,2026-01-02T00:00:01Z,purchase,web,\n";
        let events = unisono::builder::parse_events(events, unisono::builder::Format::Csv).unwrap();
        let params = unisono::model::BuildParams { min_support: 1, ..Default::default() };
        let model = unisono::builder::build(&events, &params, "m", &mut |_, _, _| {}).unwrap();
        let mut catalog: Value = serde_json::from_str(&read("catalog.json")).unwrap();
        catalog["items"].as_array_mut().unwrap().truncate(3);
        let profile: Value = serde_json::from_str(&read("profiles/cust-anna.json")).unwrap();
        vec![
            profile.clone(),
            profile["events"][0].clone(),
            catalog,
            serde_json::from_str(&read("config.json")).unwrap(),
            json!({"channel": "kiosk", "placement": "product", "store": "lon-oxford",
                "sku": "BE-BTH-0001", "now": "2026-11-23T12:00:00Z", "locale": "en-GB", "limit": 4}),
            serde_json::from_str(&read("offers.json")).unwrap(),
            serde_json::from_str(&model.to_artifact("m").to_json()).unwrap(),
        ]
    });
    docs[KINDS.iter().position(|k| *k == kind).unwrap()].clone()
}

/// JSON pointers of every value in `v` (the root excluded).
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, x)| (k.replace('~', "~0").replace('/', "~1"), x))
            .collect(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, x)| (i.to_string(), x))
            .collect(),
        _ => return,
    };
    for (k, x) in children {
        let p = format!("{at}/{k}");
        out.push(p.clone());
        pointers(x, p, out);
    }
}

/// What each loader says about `text` (a document of `kind`): the first error, and every
/// problem `validate` reports.
fn errors(kind: &str, text: &str) -> Vec<(u8, String, String, String)> {
    let first: Option<Error> = match kind {
        "profile" => Profile::from_json(text).err(),
        "event" => Profile::anonymous().track(text).err(),
        "catalog" => Catalog::from_json(text).err(),
        "config" => Config::from_json(text).err(),
        "context" => Context::from_json(text, catalog()).err(),
        "offers" => Offers::from_json(text).err(),
        _ => Model::from_json(text, catalog()).err(),
    };
    let mut out: Vec<_> = first
        .into_iter()
        .map(|e| (0, e.path.clone(), e.message.clone(), e.to_string()))
        .collect();
    if kind != "event" {
        for p in unisono::validate::validate(kind, text) {
            out.push((1, p.path, p.message, String::new()));
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Big {
    /// The value at a pointer becomes a long string.
    Value(usize),
    /// A key named like a long string is added to the object at a pointer (or the root).
    Key(usize),
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn a_huge_value_anywhere_gives_a_small_error(
        kind in prop::sample::select(KINDS.to_vec()),
        big in prop_oneof![any::<usize>().prop_map(Big::Value), any::<usize>().prop_map(Big::Key)],
        len in prop_oneof![Just(2_000usize), Just(100_000)],
        quote in any::<bool>(),
    ) {
        let mut doc = document(kind);
        let mut ptrs = Vec::new();
        pointers(&doc, String::new(), &mut ptrs);
        // Quotes and backslashes are escaped in messages: the escaped text must be cut too.
        let long: String = if quote { "\"\\x".repeat(len / 3) } else { "x".repeat(len) };
        match big {
            Big::Value(i) => *doc.pointer_mut(&ptrs[i % ptrs.len()]).unwrap() = json!(long),
            Big::Key(i) => {
                let objects: Vec<&String> =
                    ptrs.iter().filter(|p| doc.pointer(p).unwrap().is_object()).collect();
                let at = if objects.is_empty() { String::new() } else { objects[i % objects.len()].clone() };
                let target = if at.is_empty() { &mut doc } else { doc.pointer_mut(&at).unwrap() };
                target.as_object_mut().unwrap().insert(long, json!(1));
            }
        }
        for (_, path, message, display) in errors(kind, &doc.to_string()) {
            prop_assert!(message.len() <= MAX_MESSAGE, "{kind}: message of {} bytes", message.len());
            prop_assert!(path.len() <= MAX_PATH + PATH_SLACK, "{kind}: path of {} bytes", path.len());
            prop_assert!(display.len() <= MAX_MESSAGE + MAX_PATH + 32, "{kind}: {} bytes", display.len());
        }
    }
}

/// The sample offers with every offer's rule, group and a failing clause holding `n` bytes.
fn offers_with_rules_of(n: usize) -> String {
    let s = "r".repeat(n);
    let mut offers: Value = serde_json::from_str(&read("offers.json")).unwrap();
    for (i, o) in offers["offers"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        o["group"] = json!(format!("g{}{s}", i % 2));
        // Odd offers pass (their explanation is shown), even ones fail (suppressedOffers).
        let want = if i % 2 == 1 {
            json!(["x", s])
        } else {
            json!([s])
        };
        o["eligibility"] = json!({"and": [
            {"in": [{"var": "traits.tier"}, want]},
            {"!": {"in": [s, "short"]}},
        ]});
        o.as_object_mut().unwrap().remove("caps");
        o.as_object_mut().unwrap().remove("valid_to");
        o.as_object_mut().unwrap().remove("channels");
    }
    offers.to_string()
}

#[test]
fn decisions_do_not_grow_with_rules() {
    let profile = json!({"schema": "unisono.profile/1", "id": "c1", "traits": {"tier": "x"},
        "consents": {"personalization": true, "marketing": true}})
    .to_string();
    let ctx = json!({"channel": "web", "now": "2026-11-23T12:00:00Z"}).to_string();
    let size = |n: usize| {
        let e = Engine::with_offers(
            &read("catalog.json"),
            &read("model.json"),
            &read("config.json"),
            Some(&offers_with_rules_of(n)),
        )
        .unwrap();
        let d = e.decide_json(&profile, &ctx).unwrap();
        assert!(!d.offers.is_empty() && !d.suppressed_offers.is_empty());
        d.to_json().len()
    };
    let (small, big) = (size(1_000), size(100_000));
    assert_eq!(
        small, big,
        "a decision's size does not depend on its rules' size"
    );
    assert!(big < 40_000, "{big} bytes");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// A trailing comma before any `}` or `]`: an `invalid_json` error whose path names the
    /// object or list (serde_path_to_error writes the key it has not read yet as `?`).
    #[test]
    fn a_trailing_comma_has_a_real_path(kind in prop::sample::select(KINDS.to_vec()), at in any::<usize>()) {
        let text = document(kind).to_string();
        // Closers outside strings, of non-empty objects and lists.
        let (mut closers, mut in_string, mut escaped) = (Vec::new(), false, false);
        for (i, c) in text.char_indices() {
            match (in_string, escaped, c) {
                (true, true, _) => escaped = false,
                (true, false, '\\') => escaped = true,
                (_, false, '"') => in_string = !in_string,
                (false, _, '}' | ']') if !text[..i].ends_with(['{', '[']) => closers.push(i),
                _ => {}
            }
        }
        let i = closers[at % closers.len()];
        let broken = format!("{},{}", &text[..i], &text[i..]);
        let found = errors(kind, &broken);
        prop_assert!(!found.is_empty());
        for (_, path, message, _) in found {
            prop_assert!(!path.split(['.', '[', ']']).any(|s| s == "?"), "{kind}: {path:?} {message}");
        }
    }
}
