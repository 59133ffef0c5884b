//! Canonical identity: the same documents give the same ids (content hashes, `versions`,
//! `decisionId`, `stateId`, seals) however they are spelled, and different documents give
//! different ones.
//!
//! Random catalogs, configs, offer catalogues, profiles and contexts are written out in many
//! equivalent ways: keys in any order, catalog stores / items / offers / events / segments in
//! any order, numbers spelled `1`, `1.0`, `1e0`, `10E-1`, `-0`, strings with or without `\u`
//! escapes, times in any UTC offset, and the way `JSON.stringify` writes a JS object (the
//! binding's object path). Every spelling must load to the same ids and decision. A small
//! change of meaningful content must change them. Lone surrogates are rejected by every reader.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;
use unisono::catalog::Catalog;
use unisono::config::Config;
use unisono::decide::Session;
use unisono::offers::Offers;
use unisono::time::{format_rfc3339, parse_rfc3339, Timestamp};
use unisono::Engine;

// ------------------------------------------------------------------------------------------
// A small deterministic generator: documents and spellings both come from a seed.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}

const SKUS: [&str; 6] = ["A-1", "B/2", "C 3", "Dé4", "E😀5", "F\"6"];
const STORES: [&str; 4] = ["s1", "lon-oxford", "Zürich", "x\\y"];
const TEXTS: [&str; 10] = [
    "plain",
    "Café ☕",
    "emoji 😀 and 𝄞",
    "quote \" backslash \\ slash /",
    "tab\tline\nbreak",
    "",
    "<b>&amp;</b>",
    "\u{2028}\u{7f}\u{1}",
    "ünïcödé",
    "e\u{301}",
];
/// Numbers written freely: a typed `f64` field or free-form JSON. Zeros get `-0` spellings.
const NUMBERS: [f64; 14] = [
    0.0,
    1.0,
    2.5,
    0.1,
    3.0,
    19.99,
    1e-7,
    1e21,
    123_456.789,
    0.300_000_000_000_000_04,
    9_007_199_254_740_993.0,
    5e-324,
    42.0,
    1e300,
];

fn text(r: &mut Rng) -> String {
    let mut s = r.pick(&TEXTS).to_string();
    if r.chance(30) {
        s.push_str(r.pick(&TEXTS));
    }
    s
}

fn number(r: &mut Rng) -> Value {
    let x = if r.chance(30) {
        (r.below(1_000_000) as f64) / 100.0
    } else {
        r.pick(&NUMBERS)
    };
    float(x)
}

/// A float `Value` even when whole (so the spellings can write it as `1`, `1.0`, `1e0`, …).
fn float(x: f64) -> Value {
    Value::Number(serde_json::Number::from_f64(x).unwrap())
}

fn time(r: &mut Rng) -> String {
    // 2026 ± a year, whole seconds or milliseconds.
    let base = 1_767_225_600_000i64; // 2026-01-01
    let ms = base + (r.below(730) as i64 - 365) * 86_400_000 + r.below(86_400_000) as i64;
    let ms = if r.chance(50) { ms - ms % 1000 } else { ms };
    format_rfc3339(Timestamp(ms))
}

fn catalog(r: &mut Rng) -> Value {
    let mut stores: Vec<&str> = STORES.to_vec();
    r.shuffle(&mut stores);
    stores.truncate(r.below(4));
    let mut skus: Vec<&str> = SKUS.to_vec();
    r.shuffle(&mut skus);
    skus.truncate(1 + r.below(SKUS.len()));
    let items: Vec<Value> = skus
        .iter()
        .map(|sku| {
            let mut item = json!({"sku": sku, "title": text(r), "price": number(r)});
            if r.chance(60) {
                item["category"] = json!([text(r), text(r)]);
            }
            if r.chance(40) {
                item["brand"] = json!(text(r));
            }
            if r.chance(40) {
                item["tags"] = json!([text(r)]);
            }
            if r.chance(40) {
                item["attributes"] = json!({"colour": text(r), "size": text(r)});
            }
            if !stores.is_empty() && r.chance(60) {
                let mut stock = Map::new();
                for s in &stores {
                    if r.chance(60) {
                        stock.insert(s.to_string(), number(r));
                    }
                }
                item["availability"] = json!({"stores": stock});
                if r.chance(50) {
                    item["availability"]["channels"] = json!(["web", "kiosk"]);
                }
            }
            item
        })
        .collect();
    let mut c = json!({"schema": "unisono.catalog/1", "items": items});
    if !stores.is_empty() {
        c["stores"] = stores
            .iter()
            .map(|s| json!({"id": s, "name": text(r), "city": text(r)}))
            .collect();
    }
    if r.chance(50) {
        c["version"] = json!("cat-1");
    }
    c
}

fn config(r: &mut Rng) -> Value {
    let mut strategies = Vec::new();
    for s in ["popular", "personalized", "continue_journey", "trending"] {
        if r.chance(70) {
            strategies.push(json!({"strategy": s, "weight": number(r)}));
        }
    }
    let mut c = json!({"schema": "unisono.config/1",
        "affinity": {"half_life_days": float(1.0 + r.below(60) as f64),
                     "event_weights": {"view": number(r), "purchase": number(r)}},
        "placements": {"home": {"slots": 1 + r.below(10), "strategies": strategies}},
        "rules": {"boost": [{"match": {"tag": text(r)}, "factor": number(r)}]}});
    if r.chance(50) {
        c["version"] = json!("cfg-1");
    }
    c
}

/// A JsonLogic rule with free-form numbers.
fn rule(r: &mut Rng, depth: usize) -> Value {
    match r.below(if depth > 1 { 5 } else { 6 }) {
        0 => json!({">=": [{"var": "traits.lifetime_value"}, number(r)]}),
        1 => {
            json!({"<": [{"event_count": {"type": "view", "within_days": float(1.0 + r.below(90) as f64)}}, number(r)]})
        }
        2 => json!({"in": [{"var": "traits.attributes.level"}, [number(r), number(r), "x"]]}),
        3 => json!({"==": [{"var": "traits.attributes.level"}, number(r)]}),
        4 => json!({"viewed_not_bought": {"within_hours": float(1.0 + r.below(96) as f64)}}),
        _ => json!({"and": [rule(r, depth + 1), rule(r, depth + 1)]}),
    }
}

fn offers(r: &mut Rng) -> Value {
    let n = r.below(4);
    let offers: Vec<Value> = (0..n)
        .map(|i| {
            let mut o = json!({"id": format!("O{i}-{}", r.below(100)), "name": text(r),
                "content": {"en-GB": {"title": text(r)}, "de": {"title": text(r), "body": text(r)}},
                "value": number(r), "lever": number(r), "marketing": r.chance(50),
                "holdout_percent": float(r.below(3) as f64)});
            if r.chance(70) {
                o["eligibility"] = rule(r, 0);
            }
            if r.chance(50) {
                o["caps"] =
                    json!([{"max": 1 + r.below(3), "days": float(1.0 + r.below(30) as f64)}]);
            }
            if r.chance(50) {
                o["context_weights"] = json!({"web": number(r), "home": number(r)});
            }
            if r.chance(30) {
                o["valid_from"] = json!(time(r));
            }
            o
        })
        .collect();
    // Ids must be unique: keep the first of each.
    let mut seen = std::collections::BTreeSet::new();
    let offers: Vec<Value> = offers
        .into_iter()
        .filter(|o| seen.insert(o["id"].as_str().unwrap().to_string()))
        .collect();
    let mut doc = json!({"schema": "unisono.offers/1", "offers": offers,
        "control_group_percent": float(r.below(2) as f64)});
    if r.chance(50) {
        doc["version"] = json!("off-1");
    }
    doc
}

fn profile(r: &mut Rng) -> Value {
    let kinds = [
        "view",
        "add_to_cart",
        "purchase",
        "Product Viewed",
        "offer_impression",
    ];
    let events: Vec<Value> = (0..r.below(12))
        .map(|_| {
            let kind = r.pick(&kinds);
            let mut e =
                json!({"type": kind, "channel": r.pick(&["web", "app", "email"]), "ts": time(r)});
            if kind == "offer_impression" {
                e["offer"] = json!(format!("O{}-{}", r.below(3), r.below(100)));
            } else {
                e["sku"] = json!(r.pick(&SKUS));
            }
            if kind == "purchase" {
                e["price"] = number(r);
                e["quantity"] = float(1.0 + r.below(3) as f64);
            }
            e
        })
        .collect();
    let segments: Vec<&str> = ["vip", "runners", "b2b"]
        .into_iter()
        .filter(|_| r.chance(40))
        .collect();
    json!({"schema": "unisono.profile/1", "id": format!("cust-{}", text(r)),
        "consents": {"personalization": r.chance(80), "marketing": r.chance(60)},
        "traits": {"tier": "gold", "lifetime_value": number(r),
                   "attributes": {"level": number(r), "list": [number(r), text(r)], "nested": {"x": number(r)}}},
        "segments": segments,
        "cart": [{"sku": r.pick(&SKUS), "quantity": float(1.0 + r.below(4) as f64)}],
        "events": events})
}

fn context(r: &mut Rng) -> Value {
    json!({"channel": r.pick(&["web", "app", "email"]), "placement": "home", "now": time(r),
           "locale": r.pick(&["en-GB", "de"])})
}

/// A small model over every sku of the pool, built once.
fn model() -> &'static str {
    static M: OnceLock<String> = OnceLock::new();
    M.get_or_init(|| {
        let mut csv = String::from("user_id,sku,ts,type\n");
        for u in 0..8 {
            for (i, s) in SKUS.iter().enumerate() {
                if (u + i) % 3 != 0 {
                    let sku = s.replace('"', "\"\"");
                    csv += &format!(
                        "u{u},\"{sku}\",2026-01-{:02}T00:00:00Z,purchase\n",
                        1 + i + u
                    );
                }
            }
        }
        let events = unisono::builder::parse_events(&csv, unisono::builder::Format::Csv).unwrap();
        unisono::builder::build(&events, &Default::default(), "", &mut |_, _, _| {})
            .unwrap()
            .to_artifact("")
            .to_json()
    })
}

// ------------------------------------------------------------------------------------------
// Spellings.

#[derive(Clone, Copy, PartialEq, Debug)]
enum Style {
    /// Any equivalent JSON text.
    Text,
    /// What `JSON.stringify` of the parsed JS object writes.
    Js,
}

/// Arrays under these keys are sets for the engine (it sorts them), so their order is free.
fn unordered(doc: &str, key: &str) -> bool {
    matches!(
        (doc, key),
        ("catalog", "stores" | "items") | ("offers", "offers") | ("profile", "events" | "segments")
    )
}

fn is_time_key(key: &str) -> bool {
    matches!(key, "ts" | "now" | "valid_from" | "valid_to" | "as_of")
}

fn spell(doc: &str, v: &Value, r: &mut Rng, style: Style) -> String {
    let mut out = String::new();
    write_value(doc, "", 0, v, r, style, &mut out);
    out
}

fn ws(r: &mut Rng, style: Style, out: &mut String) {
    if style == Style::Text && r.chance(20) {
        out.push_str(r.pick(&[" ", "\n", "\t", "\r\n  "]));
    }
}

fn write_value(
    doc: &str,
    key: &str,
    depth: usize,
    v: &Value,
    r: &mut Rng,
    style: Style,
    out: &mut String,
) {
    ws(r, style, out);
    match v {
        Value::Null | Value::Bool(_) => out.push_str(&v.to_string()),
        Value::Number(n) if n.is_f64() => {
            out.push_str(&spell_number(n.as_f64().unwrap(), r, style))
        }
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) if is_time_key(key) && style == Style::Text => {
            write_string(&respell_time(s, r), r, style, out)
        }
        Value::String(s) => write_string(s, r, style, out),
        Value::Array(a) => {
            let mut order: Vec<&Value> = a.iter().collect();
            if depth == 1 && unordered(doc, key) {
                r.shuffle(&mut order);
            }
            out.push('[');
            for (i, x) in order.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(doc, key, depth + 1, x, r, style, out);
            }
            ws(r, style, out);
            out.push(']');
        }
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            r.shuffle(&mut entries);
            out.push('{');
            for (i, (k, x)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                ws(r, style, out);
                write_string(k, r, style, out);
                ws(r, style, out);
                out.push(':');
                // Unordered sets live at the top level or one object down (`offers[i]`).
                let d = if depth == 0 { 1 } else { depth + 2 };
                write_value(doc, k, d, x, r, style, out);
            }
            ws(r, style, out);
            out.push('}');
        }
    }
}

fn write_string(s: &str, r: &mut Rng, style: Style, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' if style == Style::Js => out.push_str("\\b"),
            '\u{c}' if style == Style::Js => out.push_str("\\f"),
            '\n' if style == Style::Js || r.chance(50) => out.push_str("\\n"),
            '\r' if style == Style::Js || r.chance(50) => out.push_str("\\r"),
            '\t' if style == Style::Js || r.chance(50) => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (style == Style::Text && r.chance(25)) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    if r.chance(50) {
                        out.push_str(&format!("\\u{:04x}", u));
                    } else {
                        out.push_str(&format!("\\u{:04X}", u));
                    }
                }
            }
            '/' if style == Style::Text && r.chance(50) => out.push_str("\\/"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Equivalent spellings of one double (every one reads back as `x`, or as 0 for a zero).
fn spell_number(x: f64, r: &mut Rng, style: Style) -> String {
    if style == Style::Js {
        return js_number(x);
    }
    let e = format!("{x:e}"); // shortest digits: "1.5e0", "1e21", "-0e0"
    let (mantissa, exp) = e.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let frac_len = mantissa.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
    let spelled = match r.below(8) {
        0 => serde_json::to_string(&x).unwrap(),
        1 => js_number(x),
        2 => e.clone(),
        3 => format!("{mantissa}E+{exp}").replace("E+-", "E-"),
        // All digits as an integer and a matching exponent: 1.5 → 15e-1, 150e-2.
        4 => format!("{digits}e{}", exp - frac_len),
        5 if x != 0.0 => format!("{digits}00e{}", exp - frac_len - 2),
        6 if x == 0.0 => r.pick(&["-0", "-0.0", "0e5", "0.000", "-0E-3"]).to_string(),
        6 | 7 if x.fract() == 0.0 && x.abs() < 1e15 => {
            format!("{}{}", x as i64, if r.chance(50) { ".0" } else { ".000" })
        }
        _ => serde_json::to_string(&x).unwrap(),
    };
    let back: f64 = serde_json::from_str(&spelled).unwrap();
    assert!(back == x, "{spelled} is not {x}");
    spelled
}

/// `JSON.stringify` of a JS number (`Number.prototype.toString`).
fn js_number(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if x.fract() == 0.0 && x.abs() < 1e21 {
        return format!("{x:.0}");
    }
    let a = x.abs();
    if (1e-7..1e21).contains(&a) {
        return format!("{x}");
    }
    let e = format!("{x:e}");
    let (m, exp) = e.split_once('e').unwrap();
    if exp.starts_with('-') {
        format!("{m}e{exp}")
    } else {
        format!("{m}e+{exp}")
    }
}

/// The same instant in another UTC offset, maybe with `t`/space, `z`, extra fraction digits.
fn respell_time(s: &str, r: &mut Rng) -> String {
    let Some(t) = parse_rfc3339(s) else {
        return s.to_string();
    };
    let offset_min = r.below(2 * 1439 + 1) as i64 - 1439;
    let local = format_rfc3339(Timestamp(t.0 + offset_min * 60_000));
    let mut local = local.trim_end_matches('Z').to_string();
    if r.chance(30) {
        local.replace_range(10..11, r.pick(&["t", " "]));
    }
    if r.chance(30) {
        local += if local.len() > 19 { "000" } else { ".000000" };
    }
    let sign = if offset_min < 0 { '-' } else { '+' };
    let spelled = if offset_min == 0 && r.chance(50) {
        format!("{local}{}", r.pick(&["Z", "z", "+00:00", "-00:00"]))
    } else {
        format!(
            "{local}{sign}{:02}:{:02}",
            offset_min.abs() / 60,
            offset_min.abs() % 60
        )
    };
    assert_eq!(parse_rfc3339(&spelled), Some(t), "{spelled} for {s}");
    spelled
}

// ------------------------------------------------------------------------------------------
// The documents as one set of inputs.

#[derive(Clone, Debug)]
struct Docs {
    catalog: Value,
    config: Value,
    offers: Value,
    profile: Value,
    context: Value,
}

fn docs(seed: u64) -> Docs {
    let r = &mut Rng(seed);
    Docs {
        catalog: catalog(r),
        config: config(r),
        offers: offers(r),
        profile: profile(r),
        context: context(r),
    }
}

struct Texts {
    catalog: String,
    model: String,
    config: String,
    offers: String,
    profile: String,
    context: String,
}

fn texts(d: &Docs, r: &mut Rng, style: Style) -> Texts {
    let model: Value = serde_json::from_str(model()).unwrap();
    Texts {
        catalog: spell("catalog", &d.catalog, r, style),
        model: spell("model", &model, r, style),
        config: spell("config", &d.config, r, style),
        offers: spell("offers", &d.offers, r, style),
        profile: spell("profile", &d.profile, r, style),
        context: spell("context", &d.context, r, style),
    }
}

/// Everything identity-bearing about one set of inputs, and the whole decision.
#[derive(Debug, PartialEq)]
struct Ids {
    catalog_hash: String,
    config_hash: String,
    offers_hash: String,
    decision: String,
    session_decision: String,
}

fn ids(t: &Texts) -> Ids {
    let engine = Engine::with_offers(&t.catalog, &t.model, &t.config, Some(&t.offers))
        .unwrap_or_else(|e| panic!("{e}\n{}\n{}\n{}", t.catalog, t.config, t.offers));
    let decision = engine
        .decide_json(&t.profile, &t.context)
        .unwrap_or_else(|e| panic!("{e}\n{}\n{}", t.profile, t.context))
        .to_json();
    let session = Session::from_json(&t.profile).unwrap();
    let ctx = unisono::decide::parse_context(&engine, &t.context).unwrap();
    Ids {
        catalog_hash: Catalog::from_json(&t.catalog).unwrap().content_hash,
        config_hash: Config::from_json(&t.config).unwrap().content_hash(),
        offers_hash: Offers::from_json(&t.offers).unwrap().content_hash(),
        decision,
        session_decision: engine.decide_session(&session, &ctx).to_json(),
    }
}

fn canonical_texts(d: &Docs) -> Texts {
    Texts {
        catalog: d.catalog.to_string(),
        model: model().to_string(),
        config: d.config.to_string(),
        offers: d.offers.to_string(),
        profile: d.profile.to_string(),
        context: d.context.to_string(),
    }
}

/// A change of meaningful content in one document (`what` picks which).
fn mutate(d: &Docs, what: usize, r: &mut Rng) -> (Docs, &'static str) {
    let mut m = d.clone();
    let bump = |v: &mut Value| {
        let x = v.as_f64().unwrap_or(0.0);
        *v = float(if x > 1e15 { x * 2.0 } else { x + 1.0 });
    };
    let label = match what % 10 {
        0 => {
            let items = m.catalog["items"].as_array_mut().unwrap();
            let i = r.below(items.len());
            items[i]["title"] = json!(format!("{}x", items[i]["title"].as_str().unwrap()));
            "catalog title"
        }
        1 => {
            let items = m.catalog["items"].as_array_mut().unwrap();
            let i = r.below(items.len());
            bump(&mut items[i]["price"]);
            "catalog price"
        }
        2 => match m.catalog["stores"].as_array_mut() {
            Some(stores) => {
                let i = r.below(stores.len());
                stores[i]["name"] = json!(format!("{}!", stores[i]["name"].as_str().unwrap()));
                "store name"
            }
            None => {
                m.catalog["stores"] = json!([{"id": "new"}]);
                "store added"
            }
        },
        3 => {
            bump(&mut m.config["affinity"]["half_life_days"]);
            "config half-life"
        }
        4 => {
            let slots = m.config["placements"]["home"]["slots"].as_u64().unwrap();
            m.config["placements"]["home"]["slots"] = json!(slots % 10 + 1);
            "config slots"
        }
        5 => match m.offers["offers"].as_array_mut().filter(|o| !o.is_empty()) {
            Some(offers) => {
                let i = r.below(offers.len());
                bump(&mut offers[i]["value"]);
                "offer value"
            }
            None => {
                m.offers["control_group_percent"] = float(50.0);
                "control group"
            }
        },
        6 => {
            bump(&mut m.profile["traits"]["attributes"]["level"]);
            "profile attribute"
        }
        7 => {
            m.profile["segments"]
                .as_array_mut()
                .unwrap()
                .push(json!("new-segment"));
            "profile segment"
        }
        8 => {
            let e = json!({"type": "view", "sku": "A-1", "channel": "web", "ts": "2026-01-01T00:00:00Z"});
            m.profile["events"].as_array_mut().unwrap().push(e);
            "profile event"
        }
        _ => {
            let now = parse_rfc3339(m.context["now"].as_str().unwrap()).unwrap();
            m.context["now"] = json!(format_rfc3339(Timestamp(now.0 + 1)));
            "context now (1 ms)"
        }
    };
    (m, label)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any spelling of the same documents, as text or as `JSON.stringify` writes them, gives
    /// the same content hashes, versions, ids and decision bytes.
    #[test]
    fn equal_documents_give_equal_ids(seed in any::<u64>(), spelling in any::<u64>()) {
        let d = docs(seed);
        let base = ids(&canonical_texts(&d));
        let r = &mut Rng(spelling);
        for style in [Style::Text, Style::Js, Style::Text] {
            let t = texts(&d, r, style);
            let got = ids(&t);
            prop_assert_eq!(&got, &base, "{:?}:\n{}\n{}\n{}\n{}", style, t.catalog, t.config, t.offers, t.profile);
        }
    }

    /// A change of meaningful content in any document changes the decision id (and the
    /// artifact's content hash when the change is in one).
    #[test]
    fn different_documents_give_different_ids(seed in any::<u64>(), what in 0usize..10, spelling in any::<u64>()) {
        let d = docs(seed);
        let r = &mut Rng(spelling);
        let (m, label) = mutate(&d, what, r);
        let (a, b) = (ids(&canonical_texts(&d)), ids(&texts(&m, r, Style::Text)));
        let id = |s: &str| serde_json::from_str::<Value>(s).unwrap()["decisionId"].clone();
        prop_assert_ne!(id(&a.decision), id(&b.decision), "{}", label);
        match what % 10 {
            0..=2 => prop_assert_ne!(a.catalog_hash, b.catalog_hash, "{}", label),
            3 | 4 => prop_assert_ne!(a.config_hash, b.config_hash, "{}", label),
            5 => prop_assert_ne!(a.offers_hash, b.offers_hash, "{}", label),
            _ => {}
        }
    }

    /// A sealed artifact stays valid however it is re-spelled (a JS object included), and its
    /// checksum is the same whichever spelling was sealed.
    #[test]
    fn seals_survive_any_spelling(seed in any::<u64>(), spelling in any::<u64>()) {
        let d = docs(seed);
        let r = &mut Rng(spelling);
        for (kind, doc) in [("catalog", &d.catalog), ("config", &d.config), ("offers", &d.offers)] {
            let sealed = unisono::seal::seal(kind, &doc.to_string()).unwrap();
            let sealed: Value = serde_json::from_str(&sealed).unwrap();
            let again = unisono::seal::seal(kind, &spell(kind, doc, r, Style::Text)).unwrap();
            let again: Value = serde_json::from_str(&again).unwrap();
            prop_assert_eq!(&sealed["checksum"], &again["checksum"], "{}", kind);
            for style in [Style::Text, Style::Js] {
                let text = spell(kind, &sealed, r, style);
                let loaded = match kind {
                    "catalog" => Catalog::from_json(&text).map(drop),
                    "config" => Config::from_json(&text).map(drop),
                    _ => Offers::from_json(&text).map(drop),
                };
                prop_assert!(loaded.is_ok(), "{} {:?}: {:?}\n{}", kind, style, loaded, text);
            }
        }
        // The model's own checksum, too.
        let model: Value = serde_json::from_str(model()).unwrap();
        let catalog = Catalog::from_json(&d.catalog.to_string()).unwrap();
        for style in [Style::Text, Style::Js] {
            let text = spell("model", &model, r, style);
            prop_assert!(unisono::model::Model::from_json(&text, &catalog).is_ok(), "{}", text);
        }
    }
}

/// The checks above, pinned on the cases that were not canonical before: catalog stores in
/// another order, `-0` for `0`, and `1.0` for `1` in a rule and in profile attributes.
#[test]
fn known_non_canonical_spellings() {
    let d = docs(7);
    let base = ids(&canonical_texts(&d));
    let mut t = canonical_texts(&d);
    let cat = json!({"schema": "unisono.catalog/1", "version": "v",
        "stores": [{"id": "b"}, {"id": "a"}],
        "items": [{"sku": "A-1", "title": "t", "price": 0.0, "availability": {"stores": {"a": 0.0}}}]});
    let swapped = serde_json::to_string(&cat)
        .unwrap()
        .replace(r#"[{"id":"b"},{"id":"a"}]"#, r#"[{"id":"a"},{"id":"b"}]"#);
    let negative = serde_json::to_string(&cat).unwrap().replace("0.0", "-0");
    let hash = |s: &str| Catalog::from_json(s).unwrap().content_hash;
    assert_eq!(hash(&swapped), hash(&cat.to_string()), "store order");
    assert_eq!(hash(&negative), hash(&cat.to_string()), "-0");
    let rule = |n: &str| {
        format!(
            r#"{{"schema":"unisono.offers/1","offers":[{{"id":"x","name":"x","content":{{"en":{{"title":"t"}}}},"eligibility":{{">=":[{{"var":"traits.lifetime_value"}},{n}]}}}}]}}"#
        )
    };
    let offers_hash = |s: &str| Offers::from_json(s).unwrap().content_hash();
    for n in ["1.0", "1e0", "10E-1", "1.000"] {
        assert_eq!(offers_hash(&rule(n)), offers_hash(&rule("1")), "{n}");
    }
    assert_eq!(offers_hash(&rule("-0")), offers_hash(&rule("0")));
    assert_ne!(offers_hash(&rule("1.5")), offers_hash(&rule("1")));
    // Profile attributes: `1.0` and `1` are one number for the decision id.
    t.profile = t
        .profile
        .replace(r#""attributes":{"#, r#""attributes":{"one":1,"#);
    let one = ids(&t);
    t.profile = t.profile.replace(r#""one":1,"#, r#""one":1.0,"#);
    assert_eq!(ids(&t), one);
    assert_ne!(one.decision, base.decision);
}

// ------------------------------------------------------------------------------------------
// Lone surrogates: rejected as `invalid_json` by every reader, never read as U+FFFD.

/// JSON string contents with a lone surrogate (escaped: raw ones cannot be in a Rust `str`).
const LONE: [&str; 6] = [
    r"\ud800",
    r"\uDBFF",
    r"\udc00",
    r"a\udfffb",
    r"\udc00\ud800",
    r"\ud800\u0041",
];

type Reader = (&'static str, fn(&str) -> Result<(), String>);

fn code(e: unisono::Error) -> String {
    e.code.as_str().to_string()
}

fn readers() -> Vec<(Reader, &'static str)> {
    let catalog: Reader = ("catalog", |t| Catalog::from_json(t).map(drop).map_err(code));
    let pieces: Reader = ("catalog in pieces", |t| {
        let mut rest = Some(t.to_string());
        match Catalog::from_pieces(&mut |buf| rest.take().map(|s| buf.push_str(&s)).is_some()) {
            None => Catalog::from_json(t).map(drop).map_err(code),
            Some(r) => r.map(drop).map_err(code),
        }
    });
    let config: Reader = ("config", |t| Config::from_json(t).map(drop).map_err(code));
    let offers: Reader = ("offers", |t| Offers::from_json(t).map(drop).map_err(code));
    let profile: Reader = ("profile", |t| {
        unisono::profile::Profile::from_json(t)
            .map(drop)
            .map_err(code)
    });
    let model: Reader = ("model", |t| {
        unisono::model::parse(t).map(drop).map_err(code)
    });
    let context: Reader = ("context", |t| {
        let c = Catalog::from_json(
            r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":1}]}"#,
        )
        .unwrap();
        unisono::context::Context::from_json(t, &c)
            .map(drop)
            .map_err(code)
    });
    let track: Reader = ("track", |t| {
        let mut s = Session::from_json(r#"{"schema":"unisono.profile/1","id":"c"}"#).unwrap();
        s.track(t).map(drop).map_err(code)
    });
    let segment: Reader = ("import segment", |t| {
        unisono::import::import_events(t, unisono::import::Source::parse("segment").unwrap())
            .map(drop)
            .map_err(code)
    });
    let builder: Reader = ("build-model ndjson", |t| {
        unisono::builder::parse_events(t, unisono::builder::Format::Ndjson)
            .map(drop)
            .map_err(code)
    });
    let seal: Reader = ("seal", |t| {
        unisono::seal::seal("catalog", t).map(drop).map_err(code)
    });
    let validate: Reader = ("validate", |t| {
        let problems = unisono::validate::validate("profile", t);
        match problems.first() {
            None => Ok(()),
            Some(p) => Err(p.code.as_str().to_string()),
        }
    });
    let cat = r#"{"schema":"unisono.catalog/1","stores":[{"id":"s","name":"@"}],"items":[{"sku":"A","title":"@","price":1,"attributes":{"k":"@"}}]}"#;
    let prof = r#"{"schema":"unisono.profile/1","id":"@","traits":{"attributes":{"k":["@"]}},"events":[{"type":"view","sku":"@","channel":"web","ts":"2026-01-01T00:00:00Z"}]}"#;
    vec![
        (catalog, cat),
        (pieces, cat),
        (seal, cat),
        (config, r#"{"schema":"unisono.config/1","version":"@"}"#),
        (
            offers,
            r#"{"schema":"unisono.offers/1","offers":[{"id":"o","name":"@","content":{"en":{"title":"t"}},"eligibility":{"==":[{"var":"id"},"@"]}}]}"#,
        ),
        (profile, prof),
        (validate, prof),
        (
            context,
            r#"{"channel":"web","now":"2026-01-01T00:00:00Z","locale":"@"}"#,
        ),
        (
            track,
            r#"{"type":"view","sku":"@","channel":"web","ts":"2026-01-01T00:00:00Z"}"#,
        ),
        (
            segment,
            r#"{"type":"track","event":"Product Viewed","userId":"@","timestamp":"2026-01-01T00:00:00Z","properties":{"sku":"A"}}"#,
        ),
        (
            builder,
            r#"{"user_id":"u","sku":"@","ts":"2026-01-01T00:00:00Z"}"#,
        ),
        (model, &MODEL_WITH_SKU),
    ]
}

/// The sample-sized v2 model with its first sku replaced by `@`.
static MODEL_WITH_SKU: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut m: Value = serde_json::from_str(model()).unwrap();
    m["skus"][0] = json!("@");
    m["version"] = json!("@");
    m.to_string()
});

#[test]
fn lone_surrogates_are_invalid_json_in_every_reader() {
    for ((name, read), template) in readers() {
        // The template itself is accepted (or fails for another reason than its strings).
        let fine = read(&template.replace('@', "ok \\ud83d\\ude00"));
        assert!(
            !matches!(&fine, Err(c) if c == "invalid_json"),
            "{name}: a valid surrogate pair is fine: {fine:?}"
        );
        for lone in LONE {
            let text = template.replace('@', lone);
            assert_eq!(
                read(&text),
                Err("invalid_json".to_string()),
                "{name}: {text}"
            );
        }
    }
}
