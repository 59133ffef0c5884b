//! Round trips (issue 15, class 5): whatever the engine outputs it accepts back unchanged.
//!
//! Random event sequences (every event type, catalog and unknown skus, quantities up to and past
//! the 1e9 bound, prices up to 1e300, every channel, times across years) are tracked into a
//! profile and a Session; the profile's export re-imports to an equal profile with the same
//! digest, and deciding from the original, the re-import, the Session and a Session made from
//! its export gives the same bytes. Every number in every output is finite, and a decision has
//! no `null`, also with a config and offers whose weights, boosts and values are near f64::MAX
//! (their sums and products used to overflow to infinity, written `null`).

use proptest::prelude::*;
use serde_json::{json, Value};
use std::fs;
use std::sync::OnceLock;
use unisono::context::Context;
use unisono::decide::{profile_digest, Session};
use unisono::profile::{Profile, MAX_QUANTITY};
use unisono::Engine;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample");
const STORES: [&str; 3] = ["lon-oxford", "man-arndale", "edi-princes"];
const TYPES: [&str; 12] = [
    "view",
    "add_to_cart",
    "Product Added",
    "remove_from_cart",
    "purchase",
    "search",
    "store_visit",
    "offer_impression",
    "offer_click",
    "offer_redeemed",
    "offer_dismissed",
    "Identify",
];
const CHANNELS: [&str; 7] = [
    "web",
    "app",
    "kiosk",
    "store",
    "email",
    "call_center",
    "POS",
];
const OFFERS: [&str; 4] = ["ESPRESSO50", "WELCOME", "WINTER10", "NOPE"];
const NOW: &str = "2026-11-23T12:00:00Z";

fn read(name: &str) -> String {
    fs::read_to_string(format!("{DIR}/{name}")).unwrap()
}

fn skus() -> &'static Vec<String> {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        let c: Value = serde_json::from_str(&read("catalog.json")).unwrap();
        let mut skus: Vec<String> = c["items"]
            .as_array()
            .unwrap()
            .iter()
            .take(40)
            .map(|i| i["sku"].as_str().unwrap().to_string())
            .collect();
        skus.push("NOT-IN-CATALOG".into());
        skus
    })
}

/// The sample retailer, and the same with every weight, boost, value and lever near f64::MAX
/// and event weights of both signs: the config and offers a careless editor could ship.
fn engines() -> &'static [Engine; 2] {
    static E: OnceLock<[Engine; 2]> = OnceLock::new();
    E.get_or_init(|| {
        let (catalog, model) = (read("catalog.json"), read("model.json"));
        let sample = Engine::with_offers(
            &catalog,
            &model,
            &read("config.json"),
            Some(&read("offers.json")),
        )
        .unwrap();
        let mut config: Value = serde_json::from_str(&read("config.json")).unwrap();
        let huge = f64::MAX;
        fn each_strategy(v: &mut Value, f: &dyn Fn(&mut Value)) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::Array(s)) = m.get_mut("strategies") {
                        s.iter_mut().for_each(f);
                    }
                    m.values_mut().for_each(|x| each_strategy(x, f));
                }
                Value::Array(a) => a.iter_mut().for_each(|x| each_strategy(x, f)),
                _ => {}
            }
        }
        each_strategy(&mut config, &|s| s["weight"] = json!(huge));
        config["affinity"]["event_weights"] = json!({"view": huge, "add_to_cart": -huge,
            "purchase": huge, "remove_from_cart": -1000.0, "offer_click": huge});
        config["affinity"]["half_life_days"] = json!(1e300);
        config["buy_again"] = json!({"repurchase_prior": huge, "half_life_days": 1e300});
        config["rules"]["boost"] = json!([{"match": {}, "factor": huge}, {"match": {}, "factor": huge},
            {"match": {"category": "Coffee"}, "factor": 0}]);
        let mut offers: Value = serde_json::from_str(&read("offers.json")).unwrap();
        for o in offers["offers"].as_array_mut().unwrap() {
            o["value"] = json!(huge);
            o["lever"] = json!(huge);
            o["context_weights"] = json!({"web": huge, "kiosk": huge, "home": huge,
                "product": huge, "POS": huge, "store": huge});
        }
        let extreme =
            Engine::with_offers(&catalog, &model, &config.to_string(), Some(&offers.to_string()))
                .unwrap();
        [sample, extreme]
    })
}

fn event() -> impl Strategy<Value = Value> {
    let quantity = prop_oneof![
        Just(None),
        (1u32..5).prop_map(|q| Some(json!(q))),
        (0.001f64..MAX_QUANTITY).prop_map(|q| Some(json!(q))),
        Just(Some(json!(MAX_QUANTITY))),
        // Past the bound: refused with `too_large`, the profile unchanged.
        prop_oneof![Just(1e9 + 1.0), Just(1e300), Just(f64::MAX)].prop_map(|q| Some(json!(q))),
    ];
    let price = prop_oneof![
        Just(None),
        (0f64..1e4).prop_map(|p| Some(json!(p))),
        prop_oneof![Just(1e300), Just(f64::MAX), Just(0.1)].prop_map(|p| Some(json!(p))),
    ];
    (
        0..TYPES.len(),
        0..skus().len(),
        0..CHANNELS.len(),
        0..STORES.len() + 1,
        // Within the two years before `now`, some in the future of it, a few far away.
        prop_oneof![
            4 => -63_072_000i64..3_600,
            1 => Just(-2_000_000_000i64),
        ],
        quantity,
        price,
        0..OFFERS.len(),
    )
        .prop_map(|(t, s, c, st, dt, quantity, price, o)| {
            let now = unisono::time::parse_rfc3339(NOW).unwrap().0 / 1000;
            let ts = unisono::time::Timestamp((now + dt) * 1000);
            let mut e = json!({"type": TYPES[t], "sku": skus()[s], "channel": CHANNELS[c],
                "ts": ts, "offer": OFFERS[o]});
            if let Some(store) = STORES.get(st) {
                e["store"] = json!(store);
            }
            if let Some(q) = quantity {
                e["quantity"] = q;
            }
            if let Some(p) = price {
                e["price"] = p;
            }
            e
        })
}

/// Every number in `v` is finite and nothing is `null`, anywhere.
fn assert_finite(v: &Value, what: &str) {
    match v {
        Value::Null => panic!("{what}: a null"),
        Value::Number(n) => assert!(n.as_f64().is_some_and(f64::is_finite), "{what}: {n}"),
        Value::Array(a) => a.iter().for_each(|x| assert_finite(x, what)),
        Value::Object(m) => m.values().for_each(|x| assert_finite(x, what)),
        _ => {}
    }
}

fn contexts(sku: &str) -> Vec<String> {
    vec![
        json!({"channel": "web", "placement": "home", "now": NOW}).to_string(),
        json!({"channel": "kiosk", "placement": "product", "store": "lon-oxford", "sku": sku, "now": NOW}).to_string(),
        json!({"channel": "app", "placement": "cart", "now": NOW, "limit": 20}).to_string(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn track_export_import_decide(
        events in prop::collection::vec(event(), 0..40),
        // Repeated adds of one sku: its cart line sums them, and stops at the bound.
        repeats in 0usize..6,
        sku in 0usize..40,
    ) {
        let base = json!({"schema": "unisono.profile/1", "id": "rt-1",
            "consents": {"personalization": true, "marketing": true},
            "traits": {"lifetime_value": 1e300}}).to_string();
        let mut profile = Profile::from_json(&base).unwrap();
        let mut session = Session::from_json(&base).unwrap();
        let add = json!({"type": "add_to_cart", "sku": skus()[0], "channel": "web",
            "ts": "2026-11-20T00:00:00Z", "quantity": MAX_QUANTITY});
        let all = events.iter().cloned().chain(std::iter::repeat_n(add, repeats));
        for e in all {
            let text = e.to_string();
            let before = profile.clone();
            let tracked = profile.track(&text);
            prop_assert_eq!(session.track(&text).is_ok(), tracked.is_ok());
            match tracked {
                Ok(out) => assert_finite(&serde_json::to_value(&out).unwrap(), "tracked event"),
                Err(err) => {
                    prop_assert_eq!(&profile, &before, "a refused event changes nothing");
                    prop_assert!(err.message.len() <= unisono::error::MAX_MESSAGE);
                }
            }
        }
        for line in &profile.cart {
            prop_assert!(line.quantity > 0.0 && line.quantity <= MAX_QUANTITY, "{}", line.quantity);
        }

        // The export re-imports to the same profile, digest and text.
        let export = profile.to_json();
        assert_finite(&serde_json::from_str(&export).unwrap(), "profile export");
        let back = Profile::from_json(&export).unwrap();
        prop_assert_eq!(&back, &profile);
        prop_assert_eq!(back.to_json(), export.clone());
        prop_assert_eq!(profile_digest(&back), profile_digest(&profile));
        prop_assert_eq!(session.profile(), &profile);
        prop_assert_eq!(session.digest(), profile_digest(&profile));
        let again = Session::from_json(&session.profile().to_json()).unwrap();

        for engine in engines() {
            for ctx in contexts(&skus()[sku]) {
                let c = Context::from_json(&ctx, engine.catalog()).unwrap();
                let decision = engine.decide(&profile, &c).to_json();
                prop_assert_eq!(&engine.decide(&back, &c).to_json(), &decision);
                prop_assert_eq!(&engine.decide_session(&session, &c).to_json(), &decision);
                prop_assert_eq!(&engine.decide_session(&again, &c).to_json(), &decision);
                prop_assert_eq!(&engine.decide_json(&export, &ctx).unwrap().to_json(), &decision);
                let value: Value = serde_json::from_str(&decision).unwrap();
                assert_finite(&value, "decision");
                // What a decision outputs, it accepts back: its impressions are trackable.
                let mut next = back.clone();
                for imp in value["impressions"].as_array().unwrap() {
                    next.track(&imp.to_string()).unwrap();
                }
                Profile::from_json(&next.to_json()).unwrap();
            }
        }
    }
}

#[test]
fn adds_past_f64_max_saturate_at_the_quantity_bound() {
    let mut p = Profile::from_json(r#"{"schema":"unisono.profile/1","id":"c"}"#).unwrap();
    let add = r#"{"type":"add_to_cart","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z","quantity":1e9}"#;
    for _ in 0..3 {
        p.track(add).unwrap();
    }
    assert_eq!(p.cart[0].quantity, MAX_QUANTITY);
    assert_eq!(Profile::from_json(&p.to_json()).unwrap(), p);
    let huge = r#"{"type":"add_to_cart","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z","quantity":1.7976931348623157e308}"#;
    let e = p.track(huge).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.path.as_str()),
        ("too_large", "quantity")
    );
    let cart = r#"{"schema":"unisono.profile/1","id":"c","cart":[{"sku":"A","quantity":1e10}]}"#;
    let e = Profile::from_json(cart).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.path.as_str()),
        ("too_large", "cart[0].quantity")
    );
}
