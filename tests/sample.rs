//! The embedded sample retailer, natively: the customers' stories come out as they should.

use serde_json::Value;
use std::fs;
use unisono::builder::{self, Format};
use unisono::model::ModelDocV2;
use unisono::{Decision, Engine};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample");
const NOW: &str = "2026-11-23T12:00:00Z";

fn read(name: &str) -> String {
    fs::read_to_string(format!("{DIR}/{name}")).unwrap()
}

fn engine() -> Engine {
    Engine::with_offers(
        &read("catalog.json"),
        &read("model.json"),
        &read("config.json"),
        Some(&read("offers.json")),
    )
    .unwrap()
}

fn profile(id: &str) -> String {
    read(&format!("profiles/{id}.json"))
}

fn decide(e: &Engine, id: &str, ctx: Value) -> Decision {
    e.decide_json(&profile(id), &ctx.to_string()).unwrap()
}

fn ctx(channel: &str, store: Option<&str>) -> Value {
    let mut c = serde_json::json!({"channel": channel, "placement": "home", "now": NOW});
    if let Some(s) = store {
        c["store"] = Value::String(s.to_string());
    }
    c
}

/// Skus the customer viewed on `channel` and did not buy afterwards, newest last.
fn viewed_not_bought(id: &str, channel: &str) -> Vec<String> {
    let p: Value = serde_json::from_str(&profile(id)).unwrap();
    let mut events: Vec<&Value> = p["events"].as_array().unwrap().iter().collect();
    events.sort_by_key(|e| unisono::time::parse_rfc3339(e["ts"].as_str().unwrap()).unwrap());
    let mut out: Vec<String> = Vec::new();
    for e in events {
        let sku = e["sku"].as_str().unwrap_or("").to_string();
        match e["type"].as_str().unwrap() {
            "view" | "add_to_cart" if e["channel"] == channel => {
                out.retain(|s| *s != sku);
                out.push(sku);
            }
            "purchase" => out.retain(|s| *s != sku),
            _ => {}
        }
    }
    out
}

#[test]
fn app_browsing_continues_at_the_kiosk() {
    let e = engine();
    let d = decide(&e, "cust-anna", ctx("kiosk", Some("lon-oxford")));
    let viewed = viewed_not_bought("cust-anna", "app");
    assert!(!viewed.is_empty());
    let hit = d
        .recommendations
        .iter()
        .find(|r| viewed.contains(&r.sku) && r.strategy.as_str() == "continue_journey")
        .expect("the app-viewed item comes back at the kiosk");
    let reason = &hit.reasons[0];
    assert_eq!(reason.code, "continue_journey");
    assert!(reason.text.contains("in the app"), "{}", reason.text);
}

#[test]
fn kiosk_browsing_continues_in_the_app() {
    let e = engine();
    let d = decide(&e, "cust-ben", ctx("app", None));
    let viewed = viewed_not_bought("cust-ben", "kiosk");
    let hit = d.recommendations.iter().find(|r| viewed.contains(&r.sku));
    let hit = hit.expect("the kiosk-viewed item comes back in the app");
    assert_eq!(hit.strategy.as_str(), "continue_journey");
    assert!(
        hit.reasons[0].text.contains("on the kiosk"),
        "{}",
        hit.reasons[0].text
    );
}

#[test]
fn kiosks_only_show_items_in_stock_there() {
    let e = engine();
    let catalog: Value = serde_json::from_str(&read("catalog.json")).unwrap();
    let stock = |sku: &str, store: &str| -> f64 {
        let item = catalog["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["sku"] == sku)
            .unwrap();
        item["availability"]["stores"][store]
            .as_f64()
            .unwrap_or(0.0)
    };
    for id in [
        "cust-anna",
        "cust-ben",
        "cust-chloe",
        "cust-dev",
        "cust-elif",
        "cust-farah",
        "cust-gus",
    ] {
        for store in ["lon-oxford", "man-arndale", "edi-princes"] {
            let d = decide(&e, id, ctx("kiosk", Some(store)));
            assert!(!d.recommendations.is_empty(), "{id} at {store}");
            for r in &d.recommendations {
                assert!(
                    stock(&r.sku, store) > 0.0,
                    "{id} at {store}: {} not in stock",
                    r.sku
                );
            }
        }
    }
}

#[test]
fn new_customer_gets_popular_items() {
    let e = engine();
    let d = decide(&e, "cust-chloe", ctx("web", None));
    assert_eq!(d.recommendations.len(), 8);
    for r in &d.recommendations {
        assert!(
            matches!(r.strategy.as_str(), "popular" | "trending"),
            "{:?}",
            r.strategy
        );
    }
}

#[test]
fn refused_consent_means_no_personal_data_is_used() {
    let e = engine();
    for channel in ["web", "app"] {
        let d = decide(&e, "cust-dev", ctx(channel, None));
        assert!(!d.personalized);
        assert_eq!(d.recommendations.len(), 8);
        for r in &d.recommendations {
            assert!(
                matches!(r.strategy.as_str(), "popular" | "trending"),
                "{:?}",
                r.strategy
            );
        }
    }
    // The same history with consent would be personalised.
    let with =
        profile("cust-dev").replace("\"personalization\": false", "\"personalization\": true");
    let d = e.decide_json(&with, &ctx("web", None).to_string()).unwrap();
    assert!(d.personalized);
    assert!(d
        .recommendations
        .iter()
        .any(|r| !matches!(r.strategy.as_str(), "popular" | "trending")));
}

#[test]
fn cart_placement_completes_the_basket() {
    let e = engine();
    let p: Value = serde_json::from_str(&profile("cust-elif")).unwrap();
    let cart: Vec<&str> = p["cart"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["sku"].as_str().unwrap())
        .collect();
    let mut c = ctx("web", None);
    c["placement"] = "cart".into();
    let d = decide(&e, "cust-elif", c);
    assert!(!d.recommendations.is_empty());
    let top = &d.recommendations[0];
    assert_eq!(top.strategy.as_str(), "bought_together");
    assert!(cart.contains(&top.reasons[0].sku.as_deref().unwrap()));
    assert!(d
        .recommendations
        .iter()
        .all(|r| !cart.contains(&r.sku.as_str())));
}

#[test]
fn cdp_event_names_are_understood() {
    let e = engine();
    let d = decide(&e, "cust-farah", ctx("web", None));
    assert!(d.personalized);
    assert!(
        d.recommendations.iter().any(|r| matches!(
            r.strategy.as_str(),
            "continue_journey" | "personalized" | "buy_again"
        )),
        "Segment / GA4 named events drive personal strategies"
    );
}

#[test]
fn channels_share_the_state_id() {
    let e = engine();
    let web = decide(&e, "cust-anna", ctx("web", None));
    let app = decide(&e, "cust-anna", ctx("app", None));
    let kiosk = decide(&e, "cust-anna", ctx("kiosk", Some("lon-oxford")));
    assert_eq!(web.state_id, app.state_id);
    assert_eq!(web.state_id, kiosk.state_id);
    assert_ne!(web.decision_id, app.decision_id);
    // Web and app see the same ranking (no channel rules differ for them in the sample config
    // except the app-only boost of exclusive items).
    assert!(!web.recommendations.is_empty());
}

#[test]
fn committed_model_is_the_build_of_the_committed_events() {
    let committed = ModelDocV2::from_json(&read("model.json")).unwrap();
    let events = builder::parse_events(&read("events.csv"), Format::Csv).unwrap();
    assert!(events.len() >= 50_000);
    let rebuilt = builder::build(&events, &committed.params, "", &mut |_, _, _| {})
        .unwrap()
        .to_artifact("");
    assert_eq!(
        rebuilt.checksum, committed.checksum,
        "run scripts/demo.sh to rebuild examples/sample/model.json"
    );
    assert_eq!(rebuilt.to_json() + "\n", read("model.json"));
}

#[test]
fn a_brand_new_item_still_gets_look_alikes() {
    // An item the model has never seen: no neighbours, so content similarity carries the page.
    let mut catalog: Value = serde_json::from_str(&read("catalog.json")).unwrap();
    let new_item = serde_json::json!({
        "sku": "HK-COF-9999", "title": "Barista Pro 2 Espresso Machine",
        "category": ["Home & Kitchen", "Coffee", "Espresso Machines"], "brand": "Brevia", "price": 399.0
    });
    catalog["items"].as_array_mut().unwrap().push(new_item);
    let e = Engine::new(
        &catalog.to_string(),
        &read("model.json"),
        &read("config.json"),
    )
    .unwrap();
    let mut c = ctx("web", None);
    c["placement"] = "product".into();
    c["sku"] = "HK-COF-9999".into();
    let d = decide(&e, "cust-chloe", c);
    let top = &d.recommendations[0];
    assert_eq!(top.strategy.as_str(), "similar_items");
    assert_eq!(
        top.reasons[0].text,
        "Similar to Barista Pro 2 Espresso Machine"
    );
    assert!(top.title.contains("Espresso Machine"), "{}", top.title);
}
