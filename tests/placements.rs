//! Open placements: any name the config defines is a placement (the built-in four are the
//! default config's), on every channel or only on the one that overrides it; a name the config
//! does not define is a coded error at `placement`, never a silently empty decision.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::fs;
use unisono::decide::parse_context;
use unisono::profile::Profile;
use unisono::{Code, Engine};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample");
const NOW: &str = "2026-11-23T12:00:00Z";

fn read(name: &str) -> String {
    fs::read_to_string(format!("{DIR}/{name}")).unwrap()
}

fn engine(config: &Value) -> Result<Engine, unisono::Error> {
    Engine::with_offers(
        &read("catalog.json"),
        &read("model.json"),
        &config.to_string(),
        Some(&read("offers.json")),
    )
}

fn placement(slots: u64) -> Value {
    json!({"slots": slots, "strategies": [{"strategy": "popular"}, {"strategy": "personalized", "weight": 0.5}]})
}

/// The sample config plus `search` and `order_confirmation` everywhere and `lobby` on kiosks.
fn custom_config() -> Value {
    let mut c: Value = serde_json::from_str(&read("config.json")).unwrap();
    c["placements"]["search"] = placement(5);
    c["placements"]["order_confirmation"] = placement(2);
    c["channels"]["kiosk"]["placements"]["lobby"] = placement(3);
    c
}

fn profile() -> Profile {
    Profile::from_json(&read("profiles/cust-anna.json")).unwrap()
}

fn decide(e: &Engine, ctx: Value) -> Result<unisono::Decision, unisono::Error> {
    let ctx = parse_context(e, &ctx.to_string())?;
    Ok(e.decide(&profile(), &ctx))
}

#[test]
fn a_defined_custom_placement_decides_with_its_own_config() {
    let e = engine(&custom_config()).unwrap();
    for (name, slots) in [("search", 5), ("order_confirmation", 2)] {
        for channel in ["web", "app", "email"] {
            let d = decide(
                &e,
                json!({"channel": channel, "placement": name, "now": NOW}),
            )
            .unwrap();
            assert_eq!(d.placement.as_str(), name);
            assert_eq!(d.recommendations.len(), slots, "{channel}/{name}");
            let text = d.to_json();
            assert!(
                text.contains(&format!("\"placement\":\"{name}\"")),
                "{text}"
            );
        }
    }
    // A channel's own placement: valid there…
    let ctx = json!({"channel": "kiosk", "store": "lon-oxford", "placement": "lobby", "now": NOW});
    assert_eq!(decide(&e, ctx).unwrap().recommendations.len(), 3);
    // …and an `invalid_value` on a channel that does not define it.
    let err = decide(
        &e,
        json!({"channel": "web", "placement": "lobby", "now": NOW}),
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.path.as_str(), err.document),
        (Code::InvalidValue, "placement", "context")
    );
    assert!(
        err.message.contains("for the web channel"),
        "{}",
        err.message
    );
}

#[test]
fn an_undefined_placement_is_a_coded_error_with_a_suggestion() {
    let e = engine(&custom_config()).unwrap();
    let err = decide(
        &e,
        json!({"channel": "web", "placement": "serch", "now": NOW}),
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.path.as_str()),
        (Code::InvalidValue, "placement")
    );
    assert!(
        err.message.contains("did you mean \"search\""),
        "{}",
        err.message
    );
    let err = decide(
        &e,
        json!({"channel": "web", "placement": "footer", "now": NOW}),
    )
    .unwrap_err();
    assert!(!err.message.contains("did you mean"), "{}", err.message);
    assert!(
        err.message
            .contains("defined: cart, checkout, home, order_confirmation, product, search"),
        "{}",
        err.message
    );
    // Malformed names are refused before the config is asked.
    for bad in [
        "Search",
        "order confirmation",
        "",
        "x".repeat(65).as_str(),
        "café",
    ] {
        let err = decide(&e, json!({"channel": "web", "placement": bad, "now": NOW})).unwrap_err();
        assert_eq!(
            (err.code, err.path.as_str()),
            (Code::InvalidValue, "placement"),
            "{bad:?}"
        );
    }
    let err = decide(
        &e,
        json!({"channel": "web", "placement": "Order Confirmation", "now": NOW}),
    )
    .unwrap_err();
    assert!(
        err.message.contains("did you mean \"order_confirmation\""),
        "{}",
        err.message
    );
}

#[test]
fn the_built_in_four_need_no_config_and_a_replacing_map_drops_them() {
    let e = engine(&json!({"schema": "unisono.config/1"})).unwrap();
    for p in ["home", "product", "cart", "checkout"] {
        assert_eq!(
            decide(&e, json!({"channel": "web", "placement": p, "now": NOW}))
                .unwrap()
                .placement
                .as_str(),
            p
        );
    }
    let err = decide(
        &e,
        json!({"channel": "web", "placement": "search", "now": NOW}),
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.path.as_str()),
        (Code::InvalidValue, "placement")
    );
    // A config's own `placements` map is the list: what it leaves out is not a placement.
    let only =
        engine(&json!({"schema": "unisono.config/1", "placements": {"search": placement(4)}}))
            .unwrap();
    assert_eq!(
        decide(
            &only,
            json!({"channel": "web", "placement": "search", "now": NOW})
        )
        .unwrap()
        .recommendations
        .len(),
        4
    );
    let err = decide(&only, json!({"channel": "web", "now": NOW})).unwrap_err();
    assert_eq!(
        (err.code, err.path.as_str()),
        (Code::InvalidValue, "placement")
    );
}

#[test]
fn the_config_checks_placement_names_and_the_rules_that_name_them() {
    let cases = [
        (
            json!({"placements": {"Search": placement(3)}}),
            "placements.Search",
        ),
        (
            json!({"placements": {"a b": placement(3)}}),
            "placements.a b",
        ),
        (
            json!({"channels": {"kiosk": {"placements": {"lobby-1": placement(3)}}}}),
            "channels.kiosk.placements.lobby-1",
        ),
        (
            json!({"rules": {"boost": [{"match": {"tag": "new"}, "factor": 2, "placements": ["serch"]}]}}),
            "rules.boost[0].placements[0]",
        ),
        (
            json!({"rules": {"pin": [{"sku": "HK-COF-0001", "position": 1, "placements": ["home", "lobby"]}]}}),
            "rules.pin[0].placements[1]",
        ),
    ];
    for (extra, path) in cases {
        let mut c = json!({"schema": "unisono.config/1"});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        let err = engine(&c).err().unwrap_or_else(|| panic!("accepted {c}"));
        assert_eq!(
            (err.code, err.path.as_str(), err.document),
            (Code::InvalidValue, path, "config"),
            "{}",
            err.message
        );
    }
    // Rules and per-channel overrides may name custom placements the config defines.
    let mut c = custom_config();
    c["rules"]["pin"] =
        json!([{"sku": "HK-COF-0001", "position": 1, "placements": ["search", "lobby"]}]);
    let e = engine(&c).unwrap();
    let d = decide(
        &e,
        json!({"channel": "web", "placement": "search", "now": NOW}),
    )
    .unwrap();
    assert_eq!(d.recommendations[0].sku, "HK-COF-0001");
    let d = decide(
        &e,
        json!({"channel": "web", "placement": "order_confirmation", "now": NOW}),
    )
    .unwrap();
    assert!(d
        .recommendations
        .iter()
        .all(|r| r.reasons.iter().all(|w| w.code != "pinned")));
}

fn name() -> impl Strategy<Value = String> {
    "[a-z0-9_]{1,64}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    // Any well-formed name: defined, it decides (and the decision names it); not defined, it
    // is an `invalid_value` at `placement`.
    #[test]
    fn any_defined_name_decides_and_any_other_is_refused(defined in name(), asked in name()) {
        let mut c = json!({"schema": "unisono.config/1"});
        c["placements"][defined.as_str()] = placement(2);
        let e = engine(&c).unwrap();
        match decide(&e, json!({"channel": "app", "placement": asked, "now": NOW})) {
            Ok(d) => {
                prop_assert_eq!(&asked, &defined);
                prop_assert_eq!(d.placement.as_str(), asked.as_str());
            }
            Err(err) => {
                prop_assert_ne!(&asked, &defined);
                prop_assert_eq!((err.code, err.path.as_str()), (Code::InvalidValue, "placement"));
            }
        }
        let d = decide(&e, json!({"channel": "app", "placement": defined, "now": NOW})).unwrap();
        prop_assert_eq!(d.recommendations.len(), 2);
    }
}
