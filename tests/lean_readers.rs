//! The device runtime's serde-free readers and decision writer (`unisono::lean`) against the
//! serde ones they replace, on every input a class can hold rather than on examples:
//!
//! - valid documents: the sample profiles, every profile and context of the conformance
//!   vectors, and generated profiles, contexts and events (every field, number spellings,
//!   escapes, aliases, struct-as-array forms);
//! - corruptions of all of them: a byte changed, the text cut, a token inserted anywhere (deep
//!   nesting, out-of-range and malformed numbers, lone and paired surrogate escapes, control
//!   characters, BOM, stray brackets), any value at any path replaced by a token of another
//!   type, unknown and repeated keys;
//!
//! For each, both readers must agree: the same value (compared field by field and through its
//! JSON, so `-0` and `0` differ), or the same error: code, document, path and message. The
//! decision writer must give `Decision::to_json`'s bytes (and `serde_json::to_string`'s with
//! `canonical: false`) for every conformance decision and for generated profiles' decisions.

use proptest::prelude::*;
use serde_json::Value;
use std::sync::OnceLock;
use unisono::catalog::Catalog;
use unisono::context::Context;
use unisono::error::{Error, MAX_DEPTH};
use unisono::lean;
use unisono::profile::{Event, Profile};
use unisono::Engine;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::from_json(&read("examples/sample/catalog.json")).unwrap())
}

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let doc = |n: &str| read(&format!("examples/sample/{n}.json"));
        let offers = doc("offers");
        Engine::with_offers(
            &doc("catalog"),
            &doc("model"),
            &doc("config"),
            Some(&offers),
        )
        .unwrap()
    })
}

/// The conformance cases: (profile text, context text).
fn cases() -> &'static [(String, String)] {
    static C: OnceLock<Vec<(String, String)>> = OnceLock::new();
    C.get_or_init(|| {
        read("tests/conformance/v1/cases.ndjson")
            .lines()
            .map(|l| {
                let c: Value = serde_json::from_str(l).unwrap();
                let profile = match c["profile"]["ref"].as_str() {
                    Some(r) => read(&format!("examples/sample/{r}")),
                    None => c["profile"].to_string(),
                };
                (profile, c["context"].to_string())
            })
            .collect()
    })
}

// ---- the comparisons -----------------------------------------------------------------------

fn same<T: PartialEq + std::fmt::Debug>(
    what: &str,
    text: &str,
    want: Result<T, Error>,
    got: Result<T, Error>,
    json: impl Fn(&T) -> String,
) -> Result<(), String> {
    let ok = match (&want, &got) {
        (Ok(a), Ok(b)) => a == b && json(a) == json(b),
        (Err(a), Err(b)) => a == b,
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let short = |s: String| s.chars().take(600).collect::<String>();
    Err(format!(
        "{what} differs on {:?}\n serde: {}\n lean:  {}",
        short(text.to_string()),
        short(format!("{want:?}")),
        short(format!("{got:?}")),
    ))
}

fn check_profile(text: &str) -> Result<(), String> {
    same(
        "profile",
        text,
        Profile::from_json_serde(text),
        lean::read_profile(text),
        Profile::to_json,
    )
}

fn check_context(text: &str) -> Result<(), String> {
    let json = |c: &Context| serde_json::to_string(c).unwrap();
    let raw = unisono::error::from_json::<Context>("context", text);
    same(
        "raw context",
        text,
        raw,
        lean::read_context_unchecked(text),
        json,
    )?;
    let cat = catalog();
    let want = Context::from_json_serde(text, cat);
    same(
        "context",
        text,
        want,
        lean::read_context(text, |s| cat.has_store(s)),
        json,
    )
}

fn check_event(text: &str) -> Result<(), String> {
    let json = |e: &Event| serde_json::to_string(e).unwrap();
    let want = Event::from_json_serde(text);
    same("event", text, want, lean::read_event(text), json)
}

fn check_all(text: &str) -> Result<(), String> {
    check_profile(text)?;
    check_context(text)?;
    check_event(text)
}

// ---- seeds ---------------------------------------------------------------------------------

fn profile_seeds() -> &'static [String] {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        let mut out: Vec<String> = cases().iter().map(|(p, _)| p.clone()).collect();
        out.sort();
        out.dedup();
        let pretty: Vec<String> = out
            .iter()
            .filter_map(|p| serde_json::from_str::<Value>(p).ok())
            .map(|v| serde_json::to_string_pretty(&v).unwrap())
            .collect();
        out.extend(pretty);
        out.extend(EDGE_PROFILES.iter().map(|s| s.to_string()));
        out
    })
}

/// Hand-picked corners the samples lack: every optional field, free-form attributes, structs
/// written as arrays, escapes, number spellings.
const EDGE_PROFILES: &[&str] = &[
    r#"{"schema":"unisono.profile/1","id":"e1","identifiers":[{"type":"t","value":"v","extra":[1,{"a":null}]}],
       "consents":{"personalization":true,"marketing":false},
       "traits":{"tier":"gold","preferred_store":"s1","locale":"fr-FR","lifetime_value":-0,
                 "attributes":{"b":[1,2.0,1e2,-0,-0.0,1.5e-7,18446744073709551616,-9223372036854775809],"a":{"x":{"y":[[[]]]}},"a":"last wins","":"\u00e9\ud83d\ude00\/"}},
       "segments":["z","a","z"],"cart":[{"sku":"A"},{"sku":"B","quantity":2.5}],
       "events":[{"type":"purchase","sku":"A","category":"c","channel":"POS","store":"s1","ts":"2026-01-01T00:00:00+01:00","quantity":1,"price":-0.0,"offer":"o","query":"q","x":"\ud800"},
                 {"type":"Product Viewed","sku":"A","channel":"mobile","ts":"2026-01-01T00:00:00.5Z","price":0},
                 {"type":"view","sku":"A","channel":"web","ts":"2025-12-31T23:00:00Z"},
                 ["offer_impression",null,null,"web",null,"2026-01-01T00:00:00Z",null,null,"O1"]]}"#,
    r#"["unisono.profile/1","arr",[],{},{},[],[["A",2]],[]]"#,
    r#"  {"schema":"unisono.profile/1","id":"\u0063\n\t\"\\","events":[]}  "#,
    r#"{"id":"x","schema":"unisono.profile/1","consents":[true],"traits":[null,null,null,1e3,{}]}"#,
];

fn context_seeds() -> &'static [String] {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        let mut out: Vec<String> = cases().iter().map(|(_, c)| c.clone()).collect();
        out.sort();
        out.dedup();
        out.extend(
            [
                r#"{"channel":"kiosk","store":"s1","placement":"product","sku":"X","locale":"en","now":"2026-11-23T12:00:00Z","limit":3}"#,
                r#"["web","cart",null,null,null,"2026-11-23T12:00:00Z",100]"#,
                r#"{"channel":"web","now":"2026-11-23T12:00:00Z","limit":null,"placement":"order_confirmation"}"#,
            ]
            .map(String::from),
        );
        out
    })
}

fn event_seeds() -> &'static [String] {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        let mut out = Vec::new();
        for p in profile_seeds() {
            if let Ok(v) = serde_json::from_str::<Value>(p) {
                for e in v["events"].as_array().into_iter().flatten() {
                    out.push(e.to_string());
                }
            }
        }
        out.sort();
        out.dedup();
        out.push(r#"{"type":"view","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z","unknown":{"deep":[[[[1e999]]]]}}"#.into());
        out
    })
}

// ---- generated valid documents ------------------------------------------------------------

/// Number spellings serde_json reads as the same or nearby doubles, and as integers or floats.
const NUMBERS: &[&str] = &[
    "1",
    "1.0",
    "1e0",
    "10E-1",
    "0.5",
    "2.5e+0",
    "3",
    "0",
    "-0",
    "-0.0",
    "1e-400",
    "0.1",
    "123456789012345678901234567890",
    "1.7976931348623157e308",
    "5e-324",
    "1e9",
    "1000000001",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "-1",
    "-9223372036854775808",
    "-9223372036854775809",
    "2.0000000000000000001",
    "0.30000000000000000000000000000000000000000000000000000000000000000000000001",
];

const TYPES: &[&str] = &[
    "view",
    "add_to_cart",
    "purchase",
    "Product Viewed",
    "order_completed",
    "search",
    "store_visit",
    "offer_impression",
    "offer_click",
    "offer_redeemed",
    "offer_dismissed",
    "Identify",
    "Checkout Started",
    "veiw",
    " ",
    "remove_from_cart",
    "coupon_applied",
];

const CHANNELS: &[&str] = &[
    "web", "app", "mobile", "kiosk", "POS", "email", "phone", "fax",
];

const STRINGS: &[&str] = &[
    "A",
    "HK-COF-0001",
    "s1",
    "",
    "\\u00e9",
    "\\ud83d\\ude00",
    "a\\nb",
    "\\\"",
    "\\/",
    "é",
    "x\\u0000y",
];

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    (0..list.len()).prop_map(move |i| list.get(i).copied().unwrap_or(""))
}

fn time_text() -> impl Strategy<Value = String> {
    (0i64..4, 0u32..3, prop::bool::ANY).prop_map(|(day, ms, offset)| {
        let frac = [".000", "", ".5"][ms as usize];
        let zone = if offset { "+01:30" } else { "Z" };
        format!("2026-01-0{}T12:00:00{frac}{zone}", day + 1)
    })
}

fn event_text() -> impl Strategy<Value = String> {
    (
        pick(TYPES),
        prop::option::of(pick(STRINGS)),
        pick(CHANNELS),
        prop::option::of(pick(STRINGS)),
        time_text(),
        prop::option::of(pick(NUMBERS)),
        prop::option::of(pick(NUMBERS)),
        prop::option::of(pick(STRINGS)),
        prop::bool::ANY,
    )
        .prop_map(|(t, sku, ch, store, ts, q, price, offer, extra)| {
            let mut s = format!(r#"{{"type":"{t}","channel":"{ch}","ts":"{ts}""#);
            for (k, v) in [("sku", sku), ("store", store), ("offer", offer)] {
                if let Some(v) = v {
                    s.push_str(&format!(r#","{k}":"{v}""#));
                }
            }
            for (k, v) in [("quantity", q), ("price", price)] {
                if let Some(v) = v {
                    s.push_str(&format!(r#","{k}":{v}"#));
                }
            }
            if extra {
                s.push_str(r#","properties":{"k":[1,"\ud800",{"z":1e999}]}"#);
            }
            s.push('}');
            s
        })
}

fn profile_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(event_text(), 0..12),
        prop::collection::vec(pick(STRINGS), 0..4),
        prop::option::of(pick(NUMBERS)),
        prop::collection::vec((pick(STRINGS), pick(NUMBERS)), 0..3),
        prop::bool::ANY,
    )
        .prop_map(|(events, segments, ltv, attrs, consent)| {
            let segs: Vec<String> = segments.iter().map(|s| format!("\"{s}\"")).collect();
            let attrs: Vec<String> = attrs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let ltv = ltv.map(|v| format!(r#","lifetime_value":{v}"#)).unwrap_or_default();
            format!(
                r#"{{"schema":"unisono.profile/1","id":"g","consents":{{"personalization":{consent}}},"traits":{{"attributes":{{{}}}{ltv}}},"segments":[{}],"events":[{}]}}"#,
                attrs.join(","),
                segs.join(","),
                events.join(",")
            )
        })
}

// ---- corruptions ---------------------------------------------------------------------------

/// Tokens inserted into or substituted in a document.
fn tokens() -> &'static [String] {
    static T: OnceLock<Vec<String>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t: Vec<String> = [
            "[",
            "]",
            "{",
            "}",
            ",",
            ":",
            "\"",
            "\\",
            " ",
            "\n",
            "\r\n",
            "\u{feff}",
            "\u{a0}",
            "null",
            "nul",
            "true",
            "tru",
            "false",
            "0",
            "-0",
            "01",
            "-01",
            "1.",
            "1.e5",
            ".5",
            "-",
            "+1",
            "1e",
            "1e+",
            "1E2",
            "1e400",
            "-1e400",
            "1e-400",
            "1e99999999999",
            "0e99999999999",
            "1e-99999999999",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "4294967295",
            "4294967296",
            "1.5",
            "-1",
            "2.0",
            "1e21",
            "-1e21",
            "NaN",
            "Infinity",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud800\\u0041\"",
            "\"\\ud800x\"",
            "\"\\ud800\\x\"",
            "\"\\ud800\\ud800\"",
            "\"\\u00e9\"",
            "\"\\/\"",
            "\"\\x\"",
            "\"\\u12G4\"",
            "\"\\u12\"",
            "\"\u{7}\"",
            "\"\u{1f}\"",
            "\"web\"",
            "\"view\"",
            "\"veiw\"",
            "\"kiosk\"",
            "\"2026-01-01T00:00:00Z\"",
            "\"yesterday\"",
            "\"unisono.profile/1\"",
            "[]",
            "{}",
            "[1,]",
            "{\"a\":1,}",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":1 \"b\":2}",
            "{1:2}",
            "\"x\":1",
            "\"id\":\"dup\"",
            "\"type\":\"view\"",
            "\"sku\":null",
        ]
        .map(String::from)
        .to_vec();
        let long = "x".repeat(1001);
        t.push(format!("\"{long}\""));
        t.push(format!("\"{}\\n\"", "y".repeat(1000)));
        t.push("1".repeat(400));
        t.push(format!("0.{}1e-10", "0".repeat(800)));
        for d in [MAX_DEPTH - 2, MAX_DEPTH, MAX_DEPTH + 1, 400] {
            t.push(format!("{}{}", "[".repeat(d), "]".repeat(d)));
            t.push(format!("{}1{}", "{\"a\":".repeat(d), "}".repeat(d)));
            t.push("[".repeat(d));
        }
        t
    })
}

const KEYS: &[&str] = &[
    "schema",
    "id",
    "identifiers",
    "consents",
    "traits",
    "segments",
    "cart",
    "events",
    "type",
    "sku",
    "category",
    "channel",
    "store",
    "ts",
    "quantity",
    "price",
    "offer",
    "query",
    "placement",
    "locale",
    "now",
    "limit",
    "personalization",
    "marketing",
    "tier",
    "lifetime_value",
    "attributes",
    "value",
    "bogus",
    "?",
    "",
];

#[derive(Debug, Clone)]
enum Damage {
    /// Replace the character at a position.
    Replace(usize, char),
    /// Cut the text at a position.
    Truncate(usize),
    /// Insert a token at a position.
    Insert(usize, usize),
    /// Delete a run of characters.
    Delete(usize, usize),
    /// Replace the value at the n-th path of the document with a token.
    Substitute(usize, usize),
    /// Add `"key":token,` after the n-th `{`.
    AddKey(usize, usize, usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    let n = tokens().len();
    let chars = prop::sample::select(
        "{}[]\",:\\ \n0123456789-+.eEnultrfaxé\u{0}\u{1f}\u{7f}\u{feff}"
            .chars()
            .collect::<Vec<_>>(),
    );
    prop_oneof![
        (any::<usize>(), chars).prop_map(|(at, c)| Damage::Replace(at, c)),
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), 0..n).prop_map(|(at, t)| Damage::Insert(at, t)),
        (any::<usize>(), 1usize..8).prop_map(|(at, len)| Damage::Delete(at, len)),
        (any::<usize>(), 0..n).prop_map(|(p, t)| Damage::Substitute(p, t)),
        (any::<usize>(), 0..KEYS.len(), 0..n).prop_map(|(b, k, t)| Damage::AddKey(b, k, t)),
    ]
}

/// The char boundary at `at` modulo the text's length (+1, so the end is reachable).
fn boundary(text: &str, at: usize) -> usize {
    let mut i = at % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, d: &Damage) -> String {
    let token = |t: usize| tokens()[t % tokens().len()].as_str();
    match *d {
        Damage::Replace(at, c) => {
            let i = boundary(text, at);
            let next = text[i..].chars().next().map_or(0, char::len_utf8);
            format!("{}{c}{}", &text[..i], &text[i + next..])
        }
        Damage::Truncate(at) => text[..boundary(text, at)].to_string(),
        Damage::Insert(at, t) => {
            let i = boundary(text, at);
            format!("{}{}{}", &text[..i], token(t), &text[i..])
        }
        Damage::Delete(at, len) => {
            let i = boundary(text, at);
            let j = boundary(text, (i + len).min(text.len()));
            format!("{}{}", &text[..i], &text[j.max(i)..])
        }
        Damage::Substitute(p, t) => substitute(text, p, token(t)),
        Damage::AddKey(b, k, t) => {
            let braces: Vec<usize> = text.match_indices('{').map(|(i, _)| i + 1).collect();
            if braces.is_empty() {
                return text.to_string();
            }
            let i = braces[b % braces.len()];
            format!("{}\"{}\":{},{}", &text[..i], KEYS[k], token(t), &text[i..])
        }
    }
}

/// The document with the value at its `p`-th path (depth first) replaced by `token`'s text.
fn substitute(text: &str, p: usize, token: &str) -> String {
    const MARK: &str = "\u{1}MARK\u{1}";
    let Ok(mut v) = serde_json::from_str::<Value>(text) else {
        return text.to_string();
    };
    let mut paths = Vec::new();
    collect_paths(&v, String::new(), &mut paths);
    let Some(path) = paths.get(p % paths.len().max(1)) else {
        return text.to_string();
    };
    if let Some(slot) = v.pointer_mut(path) {
        *slot = Value::String(MARK.into());
    }
    serde_json::to_string(&v)
        .unwrap()
        .replacen(&serde_json::to_string(MARK).unwrap(), token, 1)
}

fn collect_paths(v: &Value, here: String, out: &mut Vec<String>) {
    out.push(here.clone());
    match v {
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                collect_paths(x, format!("{here}/{i}"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                let k = k.replace('~', "~0").replace('/', "~1");
                collect_paths(x, format!("{here}/{k}"), out);
            }
        }
        _ => {}
    }
}

fn seed_text(kind: u8, i: usize) -> String {
    let list = match kind {
        0 => profile_seeds(),
        1 => context_seeds(),
        _ => event_seeds(),
    };
    list[i % list.len()].clone()
}

// ---- the properties ------------------------------------------------------------------------

/// 1,500 cases per property (a few seconds); `PROPTEST_CASES=200000` for a longer search.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Every seed document of every kind, damaged once to three times, read by every reader.
    #[test]
    fn damaged_documents_read_alike(kind in 0u8..3, i in any::<usize>(),
                                    damages in prop::collection::vec(damage(), 1..4)) {
        let mut text = seed_text(kind, i);
        for d in &damages {
            text = apply(&text, d);
        }
        if let Err(e) = check_all(&text) {
            prop_assert!(false, "{}\nafter {:?}", e, damages);
        }
    }

    /// Generated valid profiles (and their events), and the same damaged once.
    #[test]
    fn generated_profiles_read_alike(text in profile_text(), d in damage()) {
        check_profile(&text).map_err(TestCaseError::fail)?;
        if let Ok(v) = serde_json::from_str::<Value>(&text) {
            for e in v["events"].as_array().into_iter().flatten() {
                check_event(&e.to_string()).map_err(TestCaseError::fail)?;
            }
        }
        check_all(&apply(&text, &d)).map_err(TestCaseError::fail)?;
    }

    /// Events are written as serde_json writes them, plainly (the order of events sharing a
    /// timestamp) and canonically (decisions' impressions, the digests).
    #[test]
    fn events_are_written_as_serde_json_does(text in profile_text()) {
        if let Ok(p) = Profile::from_json(&text) {
            for e in &p.events {
                prop_assert_eq!(lean::write::event_json(e, false), serde_json::to_string(e).unwrap());
                prop_assert_eq!(lean::write::event_json(e, true), unisono::hash::to_canonical_string(e));
            }
        }
    }

    /// Generated events alone, and damaged.
    #[test]
    fn generated_events_read_alike(text in event_text(), d in damage()) {
        check_event(&text).map_err(TestCaseError::fail)?;
        check_all(&apply(&text, &d)).map_err(TestCaseError::fail)?;
    }

    /// Any text at all (mostly not JSON): the same syntax errors at the same positions.
    #[test]
    fn arbitrary_text_reads_alike(text in "\\PC{0,40}") {
        check_all(&text).map_err(TestCaseError::fail)?;
    }

    /// Strings and doubles are written as serde_json writes them.
    #[test]
    fn strings_and_numbers_are_written_as_serde_json_does(s in any::<String>(), bits in any::<u64>(), v in any::<f64>()) {
        let mut out = String::new();
        lean::write::string(&mut out, &s);
        prop_assert_eq!(&out, &serde_json::to_string(&s).unwrap());
        for x in [v, f64::from_bits(bits)] {
            let mut out = String::new();
            lean::write::float(&mut out, x, false);
            prop_assert_eq!(&out, &serde_json::to_string(&x).unwrap());
            let mut canon = String::new();
            lean::write::float(&mut canon, x, true);
            prop_assert_eq!(&canon, &unisono::hash::to_canonical_string(&x));
        }
    }

    /// Decisions for generated profiles and the conformance contexts: the same bytes.
    #[test]
    fn generated_decisions_are_written_alike(text in profile_text(), c in any::<usize>()) {
        let contexts = context_seeds();
        let ctx = &contexts[c % contexts.len()];
        if let Ok(d) = engine().decide_json(&text, ctx) {
            prop_assert_eq!(lean::decision::write(&d), d.to_json_serde());
            prop_assert_eq!(lean::decision::write_with(&d, false), serde_json::to_string(&d).unwrap());
        }
    }
}

// ---- the fixed classes ---------------------------------------------------------------------

#[test]
fn seeds_read_alike_as_every_kind() {
    for list in [profile_seeds(), context_seeds(), event_seeds()] {
        for text in list {
            check_all(text).unwrap();
        }
    }
    // The seeds are valid where they should be (a seed that fails proves little).
    for p in profile_seeds().iter().filter(|p| !p.starts_with('[')) {
        lean::read_profile(p).unwrap();
    }
}

#[test]
fn every_conformance_decision_is_written_alike() {
    for (profile, context) in cases() {
        let d = engine().decide_json(profile, context).unwrap();
        assert_eq!(lean::decision::write(&d), d.to_json_serde(), "{context}");
        assert_eq!(
            lean::decision::write_with(&d, false),
            serde_json::to_string(&d).unwrap()
        );
    }
}

/// Nesting around the limit at every place a value can nest, and far past it where values are
/// skipped (an event's unknown key: serde_json skips without a limit).
#[test]
fn nesting_around_the_limit() {
    for depth in [
        1,
        MAX_DEPTH - 3,
        MAX_DEPTH - 2,
        MAX_DEPTH - 1,
        MAX_DEPTH,
        200,
        5000,
    ] {
        for (open, close) in [("[", "]"), ("{\"k\":", "}")] {
            let deep = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let docs = [
                format!(
                    r#"{{"schema":"unisono.profile/1","id":"x","traits":{{"attributes":{{"a":{deep}}}}}}}"#
                ),
                format!(
                    r#"{{"schema":"unisono.profile/1","id":"x","events":[{{"type":"view","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z","u":{deep}}}]}}"#
                ),
                format!(r#"{{"schema":"unisono.profile/1","id":{deep}}}"#),
                format!(r#"{{"channel":"web","now":"2026-01-01T00:00:00Z","limit":{deep}}}"#),
                format!(
                    r#"{{"type":"view","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z","u":{deep}}}"#
                ),
                deep.clone(),
            ];
            for doc in &docs {
                check_all(doc).unwrap();
            }
        }
    }
}

/// The list limits, refused at the element one too many, at the list's path.
#[test]
fn list_limits() {
    let n = unisono::profile::MAX_SEGMENTS;
    for count in [n, n + 1] {
        let segs = vec!["\"s\""; count].join(",");
        let ids = vec![r#"{"type":"t","value":"v"}"#; count].join(",");
        for field in [
            format!(r#""segments":[{segs}]"#),
            format!(r#""identifiers":[{ids}]"#),
        ] {
            check_profile(&format!(
                r#"{{"schema":"unisono.profile/1","id":"x",{field}}}"#
            ))
            .unwrap();
        }
    }
    let e = r#"{"type":"view","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z"}"#;
    let events = vec![e; unisono::profile::MAX_EVENTS + 1].join(",");
    check_profile(&format!(
        r#"{{"schema":"unisono.profile/1","id":"x","events":[{events}]}}"#
    ))
    .unwrap();
}

/// Strings at and past their limits, escaped or not: refused alike.
#[test]
fn string_limits() {
    for len in [999, 1000, 1001] {
        for unit in ["x", "\\u0078", "é"] {
            let s = unit.repeat(len);
            for doc in [
                format!(r#"{{"schema":"unisono.profile/1","id":"{s}"}}"#),
                format!(r#"{{"schema":"unisono.profile/1","id":"x","cart":[{{"sku":"{s}"}}]}}"#),
                format!(
                    r#"{{"type":"view","sku":"{s}","channel":"web","ts":"2026-01-01T00:00:00Z"}}"#
                ),
                format!(r#"{{"type":"{s}","channel":"web","ts":"2026-01-01T00:00:00Z"}}"#),
                format!(r#"{{"channel":"web","now":"2026-01-01T00:00:00Z","sku":"{s}"}}"#),
            ] {
                check_all(&doc).unwrap();
            }
        }
    }
}

/// The damage reaches every kind of error the readers give (so the comparisons above are not
/// comparing only a few easy ones): a fixed sample of damaged seeds, classified by the serde
/// readers' answers.
#[test]
fn the_damage_reaches_every_kind_of_error() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = (
        0u8..3,
        any::<usize>(),
        prop::collection::vec(damage(), 1..4),
    );
    let mut seen = std::collections::BTreeSet::new();
    let mut ok = 0;
    for _ in 0..6000 {
        let (kind, i, damages) = strategy.new_tree(&mut runner).unwrap().current();
        let mut text = seed_text(kind, i);
        for d in &damages {
            text = apply(&text, d);
        }
        let results = [
            Profile::from_json(&text).map(|_| ()),
            Context::from_json(&text, catalog()).map(|_| ()),
            Profile::anonymous().track(&text).map(|_| ()),
        ];
        for r in results {
            match r {
                Ok(()) => ok += 1,
                Err(e) => {
                    let head: String = e.message.split(" at line ").next().unwrap_or("").into();
                    let head = head
                        .split([':', '`', '"'])
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    seen.insert(format!("{} {head}", e.code.as_str()));
                }
            }
        }
    }
    let expected = [
        "invalid_json EOF while parsing a value",
        "invalid_json EOF while parsing a string",
        "invalid_json EOF while parsing an object",
        "invalid_json EOF while parsing a list",
        "invalid_json trailing comma",
        "invalid_json trailing characters",
        "invalid_json key must be a string",
        "invalid_json expected",
        "invalid_json expected value",
        "invalid_json expected ident",
        "invalid_json invalid number",
        "invalid_json number out of range",
        "invalid_json invalid escape",
        "invalid_json lone leading surrogate in hex escape",
        "invalid_json unexpected end of hex escape",
        "invalid_json control character (\\u0000-\\u001F) found while parsing a string",
        "invalid_type invalid type",
        "invalid_value unknown field",
        "invalid_value duplicate field",
        "invalid_value unknown channel",
        "invalid_value unknown event type",
        "invalid_value invalid length 0, expected an object with 10 elements",
        "missing_field missing field",
        "invalid_time not an RFC 3339 time",
        "too_large at most 1000 bytes",
        "too_large arrays and objects nest at most 127 levels deep",
    ];
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|e| !seen.contains(*e))
        .collect();
    assert!(
        missing.is_empty(),
        "never reached: {missing:?}\nseen: {seen:#?}"
    );
    assert!(ok > 150, "too few damaged documents still read: {ok}");
}

/// Paths past their 256-byte limit (a long free-form key) and positions on later lines and
/// after multi-byte characters: cut and counted alike.
#[test]
fn long_paths_and_positions() {
    let key = "ké".repeat(200);
    for value in [
        "[1,]",
        "tru",
        "\"\\ud800\"",
        "{\"a\" 1}",
        "1e999",
        "[[[[[[",
        "01",
    ] {
        for doc in [
            format!("{{\"schema\":\"unisono.profile/1\",\n\"id\":\"é\",\n  \"traits\":{{\"attributes\":{{\"{key}\":{value}}}}}}}"),
            format!("{{\"schema\":\"unisono.profile/1\",\"id\":\"x\",\"events\":[{{\"type\":\"view\",\"sku\":\"A\",\n\"{key}\":{value}}}]}}"),
            format!("{{\"channel\":\"web\",\r\n\"now\":\"2026-01-01T00:00:00Z\",\"{key}\":{value}}}"),
        ] {
            check_all(&doc).unwrap();
        }
    }
    // Keys that look like serde_path_to_error's own marks (`.` the root, `?` an unread key).
    for k in [".", "?", "a.?", ".?", ""] {
        for doc in [
            format!(r#"{{"schema":"unisono.profile/1","id":"x","{k}":1}}"#),
            format!(
                r#"{{"schema":"unisono.profile/1","id":"x","traits":{{"attributes":{{"{k}":tru}}}}}}"#
            ),
            format!(r#"{{"channel":"web","{k}":1}}"#),
            format!(
                r#"{{"schema":"unisono.profile/1","id":"x","traits":{{"attributes":{{"{k}":{{"a":1 "b":2}}}}}}}}"#
            ),
            format!(
                r#"{{"schema":"unisono.profile/1","id":"x","traits":{{"attributes":{{"{k}":[{{"a":1,}}]}}}}}}"#
            ),
            format!(
                r#"{{"type":"view","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z","{k}":{{"a":1 "b":2}}}}"#
            ),
        ] {
            check_all(&doc).unwrap();
        }
    }
}
