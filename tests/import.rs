//! Importers (`unisono::import`): Segment / RudderStack and GA4 NDJSON to profiles and model
//! events, a product CSV to a catalog; and the CLI that writes them.

use serde_json::{json, Value};
use std::fs;
use std::process::Command;
use unisono::builder::{self, Format};
use unisono::catalog::Catalog;
use unisono::channel::Channel;
use unisono::error::Code;
use unisono::import::{self, Imported, Source};
use unisono::model::BuildParams;
use unisono::profile::{EventType, Profile};
use unisono::Engine;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const NOW: &str = "2026-11-23T12:00:00Z";

fn read(rel: &str) -> String {
    fs::read_to_string(format!("{ROOT}/{rel}")).unwrap()
}

fn segment(lines: &[Value]) -> Imported {
    let text: String = lines.iter().map(|l| l.to_string() + "\n").collect();
    import::import_events(&text, Source::Segment).unwrap()
}

fn ga4(lines: &[Value]) -> Imported {
    let text: String = lines.iter().map(|l| l.to_string() + "\n").collect();
    import::import_events(&text, Source::Ga4).unwrap()
}

fn track(user: &str, event: &str, ts: &str, props: Value) -> Value {
    json!({"type": "track", "event": event, "userId": user, "timestamp": ts, "properties": props})
}

fn kinds(p: &Profile) -> Vec<&str> {
    p.events.iter().map(|e| e.kind.as_str()).collect()
}

fn skus(p: &Profile) -> Vec<&str> {
    p.events.iter().filter_map(|e| e.sku.as_deref()).collect()
}

/// Everything the import writes, as bytes: every profile file and the events file.
fn output(imp: &Imported) -> String {
    let mut s = String::new();
    for (id, p) in &imp.profiles {
        s.push_str(&import::profile_file_name(id));
        s.push_str(&import::profile_json(p));
    }
    s + imp.events_ndjson()
}

#[test]
fn segment_event_names_map_to_unisono_types() {
    let imp = segment(&[
        track(
            "u1",
            "Product Viewed",
            "2026-11-01T10:00:00Z",
            json!({"product_id": "SKU-1", "category": "Shoes", "price": 49.9}),
        ),
        track(
            "u1",
            "Product Clicked",
            "2026-11-01T10:01:00Z",
            json!({"sku": "SKU-2"}),
        ),
        track(
            "u1",
            "Product Added",
            "2026-11-01T10:02:00Z",
            json!({"sku": "SKU-1", "quantity": 2}),
        ),
        track(
            "u1",
            "Product Removed",
            "2026-11-01T10:03:00Z",
            json!({"sku": "SKU-1"}),
        ),
        track(
            "u1",
            "Products Searched",
            "2026-11-01T10:04:00Z",
            json!({"query": "boots"}),
        ),
        track(
            "u1",
            "Promotion Viewed",
            "2026-11-01T10:05:00Z",
            json!({"promotion_id": "WINTER10"}),
        ),
        track(
            "u1",
            "Coupon Applied",
            "2026-11-01T10:06:00Z",
            json!({"coupon_id": "COFFEE15"}),
        ),
        track(
            "u1",
            "Product List Viewed",
            "2026-11-01T10:07:00Z",
            json!({"list_id": "x"}),
        ),
        json!({"type": "page", "userId": "u1", "timestamp": "2026-11-01T10:08:00Z", "name": "Home"}),
    ]);
    let p = &imp.profiles["u1"];
    assert_eq!(
        kinds(p),
        [
            "view",
            "view",
            "add_to_cart",
            "remove_from_cart",
            "search",
            "offer_impression",
            "offer_redeemed"
        ]
    );
    assert_eq!(
        p.events[0].sku.as_deref(),
        Some("SKU-1"),
        "product_id when no sku"
    );
    assert_eq!(p.events[0].category.as_deref(), Some("Shoes"));
    assert_eq!(p.events[0].price, Some(49.9));
    assert_eq!(p.events[2].quantity, Some(2.0));
    assert_eq!(p.events[4].query.as_deref(), Some("boots"));
    assert_eq!(p.events[5].offer.as_deref(), Some("WINTER10"));
    assert_eq!(p.events[6].offer.as_deref(), Some("COFFEE15"));
    assert_eq!((imp.lines, imp.events, imp.skipped), (9, 7, 2));
    assert!(p.cart.is_empty(), "added then removed");
    // sku wins over product_id when both are present (the catalog is keyed by sku).
    let both = segment(&[track(
        "u1",
        "Product Viewed",
        "2026-11-01T10:00:00Z",
        json!({"product_id": "db-77", "sku": "SKU-77"}),
    )]);
    assert_eq!(skus(&both.profiles["u1"]), ["SKU-77"]);
}

#[test]
fn ga4_event_names_map_to_unisono_types() {
    let row = |name: &str, t: u64, extra: Value| {
        let mut r = json!({"event_name": name, "event_timestamp": t.to_string(), "user_pseudo_id": "p1", "platform": "WEB",
                           "items": [{"item_id": "SKU-1", "item_category": "Shoes", "price": 49.9, "quantity": 1}]});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    let imp = ga4(&[
        row("view_item", 1_700_000_000_000_000, json!({})),
        row("select_item", 1_700_000_001_000_000, json!({})),
        row("add_to_cart", 1_700_000_002_000_000, json!({})),
        row("remove_from_cart", 1_700_000_003_000_000, json!({})),
        row("purchase", 1_700_000_004_000_000, json!({})),
        row(
            "view_search_results",
            1_700_000_005_000_000,
            json!({"items": [], "event_params": [{"key": "search_term", "value": {"string_value": "boots"}}]}),
        ),
        row(
            "search",
            1_700_000_006_000_000,
            json!({"items": null, "event_params": [{"key": "search_term", "value": {"string_value": "socks"}}]}),
        ),
        row("session_start", 1_700_000_007_000_000, json!({"items": []})),
        row("view_item", 1_700_000_008_000_000, json!({"items": []})),
    ]);
    let p = &imp.profiles["p1"];
    assert_eq!(
        kinds(p),
        [
            "view",
            "view",
            "add_to_cart",
            "remove_from_cart",
            "purchase",
            "search",
            "search"
        ]
    );
    assert_eq!(p.events[0].category.as_deref(), Some("Shoes"));
    assert_eq!(p.events[5].query.as_deref(), Some("boots"));
    assert_eq!(p.events[6].query.as_deref(), Some("socks"));
    assert_eq!(
        imp.skipped, 2,
        "session_start and an item event without items"
    );
}

#[test]
fn order_completed_fans_out_one_purchase_per_product() {
    let imp = segment(&[track(
        "u1",
        "Order Completed",
        "2026-11-20T10:00:00Z",
        json!({"order_id": "o-1", "store_id": "lon-oxford", "channel": "pos", "products": [
            {"product_id": "A", "category": "Coffee", "price": 12.5, "quantity": 2},
            {"sku": "B", "price": 3},
            {"product_id": "C", "quantity": "1"}
        ]}),
    )]);
    let p = &imp.profiles["u1"];
    assert_eq!(kinds(p), ["purchase"; 3]);
    assert_eq!(skus(p), ["A", "B", "C"], "in the order's product order");
    assert!(p.events.iter().all(|e| e.ts == p.events[0].ts
        && e.channel == Channel::Store
        && e.store.as_deref() == Some("lon-oxford")));
    assert_eq!(
        (p.events[0].quantity, p.events[0].price),
        (Some(2.0), Some(12.5))
    );
    assert_eq!(p.events[0].category.as_deref(), Some("Coffee"));
    assert_eq!((p.events[1].quantity, p.events[1].price), (None, Some(3.0)));
    assert_eq!(
        p.events[2].quantity,
        Some(1.0),
        "a numeric string is a number"
    );
    assert_eq!(imp.model_events, 3);
    let rows: Vec<Value> = imp
        .events_ndjson()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows[0],
        json!({"user_id": "u1", "sku": "A", "ts": "2026-11-20T10:00:00Z", "type": "purchase", "channel": "store", "store": "lon-oxford"})
    );
    // GA4 purchase: one per item as well.
    let g = ga4(&[
        json!({"event_name": "purchase", "event_timestamp": "1700000000000000", "user_id": "u1",
                         "items": [{"item_id": "A"}, {"item_id": "B"}]}),
    ]);
    assert_eq!(skus(&g.profiles["u1"]), ["A", "B"]);
}

#[test]
fn identities_merge_and_shared_devices_stay_apart() {
    let imp = segment(&[
        // Anonymous browsing, then sign-in: the anonymous events join u1.
        json!({"type": "track", "event": "Product Viewed", "anonymousId": "a1", "timestamp": "2026-11-01T10:00:00Z", "properties": {"sku": "X"}}),
        json!({"type": "identify", "userId": "u1", "anonymousId": "a1", "timestamp": "2026-11-01T10:05:00Z",
               "traits": {"email": "someone@example.com", "name": "Some One", "phone": "+44 1", "tier": "gold",
                          "locale": "en-GB", "preferred_store": "lon-oxford", "lifetime_value": 120.5}}),
        json!({"type": "track", "event": "Product Viewed", "userId": "u1", "anonymousId": "a1", "timestamp": "2026-11-01T10:06:00Z", "properties": {"sku": "Y"}}),
        // Another device linked by an alias call (previousId → userId); the event comes later in
        // the file but earlier in time.
        json!({"type": "alias", "userId": "u1", "previousId": "a2", "timestamp": "2026-11-02T09:00:00Z"}),
        json!({"type": "track", "event": "Product Added", "anonymousId": "a2", "timestamp": "2026-10-31T09:00:00Z", "properties": {"sku": "Z"}}),
        // A shared tablet seen with two users: its anonymous events belong to neither.
        json!({"type": "page", "userId": "u1", "anonymousId": "tablet", "timestamp": "2026-11-03T09:00:00Z"}),
        json!({"type": "page", "userId": "u2", "anonymousId": "tablet", "timestamp": "2026-11-03T10:00:00Z"}),
        json!({"type": "track", "event": "Product Viewed", "anonymousId": "tablet", "timestamp": "2026-11-03T11:00:00Z", "properties": {"sku": "T"}}),
        // A later identify changes the tier only; other traits stay.
        json!({"type": "identify", "userId": "u1", "timestamp": "2026-11-04T00:00:00Z", "traits": {"tier": "platinum"}}),
    ]);
    assert_eq!(
        imp.profiles.keys().collect::<Vec<_>>(),
        ["tablet", "u1", "u2"]
    );
    assert_eq!(imp.anonymous, 1);
    let u1 = &imp.profiles["u1"];
    assert_eq!(skus(u1), ["Z", "X", "Y"], "time order across devices");
    let ids: Vec<(&str, &str)> = u1
        .identifiers
        .iter()
        .map(|i| (i.kind.as_str(), i.value.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("segment_anonymous_id", "a1"),
            ("segment_anonymous_id", "a2"),
            ("segment_anonymous_id", "tablet")
        ]
    );
    assert_eq!(u1.traits.tier.as_deref(), Some("platinum"));
    assert_eq!(u1.traits.locale.as_deref(), Some("en-GB"));
    assert_eq!(u1.traits.preferred_store.as_deref(), Some("lon-oxford"));
    assert_eq!(u1.traits.lifetime_value, Some(120.5));
    assert_eq!(u1.cart.len(), 1, "Z was added and never removed");
    let text = import::profile_json(u1);
    for private in ["someone@example.com", "Some One", "+44 1", "email", "phone"] {
        assert!(!text.contains(private), "{private} must not be copied");
    }
    assert_eq!(skus(&imp.profiles["tablet"]), ["T"]);
    assert!(imp.profiles["u2"].events.is_empty());
    let rows: Vec<Value> = imp
        .events_ndjson()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let users: Vec<&str> = rows
        .iter()
        .map(|r| r["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        users,
        ["u1", "u1", "u1", "tablet"],
        "model rows use the resolved id"
    );

    // GA4: user_pseudo_id rows join the user_id they were seen with.
    let g = ga4(&[
        json!({"event_name": "view_item", "event_timestamp": "1700000000000000", "user_pseudo_id": "p1", "items": [{"item_id": "A"}]}),
        json!({"event_name": "login", "event_timestamp": "1700000001000000", "user_pseudo_id": "p1", "user_id": "u9"}),
        json!({"event_name": "view_item", "event_timestamp": "1700000002000000", "user_pseudo_id": null, "user_id": null, "items": [{"item_id": "B"}]}),
    ]);
    assert_eq!(g.profiles.keys().collect::<Vec<_>>(), ["u9"]);
    assert_eq!(skus(&g.profiles["u9"]), ["A"]);
    assert_eq!(g.profiles["u9"].identifiers[0].kind, "ga4_user_pseudo_id");
    assert_eq!(g.skipped, 2, "the login row and a row without any id");
}

#[test]
fn ga4_microseconds_become_milliseconds() {
    let row = |ts: Value| json!({"event_name": "view_item", "event_timestamp": ts, "user_id": "u1", "items": [{"item_id": "A"}]});
    let imp = ga4(&[
        row(json!("1700000000000000")),
        row(json!(1_700_000_000_123_456u64)),
        row(json!(" 1700000000999999 ")),
    ]);
    let ts: Vec<String> = imp.profiles["u1"]
        .events
        .iter()
        .map(|e| unisono::time::format_rfc3339(e.ts))
        .collect();
    assert_eq!(
        ts,
        [
            "2023-11-14T22:13:20Z",
            "2023-11-14T22:13:20.123Z",
            "2023-11-14T22:13:20.999Z"
        ]
    );
    for bad in [
        json!("2023-11-14T22:13:20Z"),
        json!(-1),
        json!(1.5e15),
        json!(true),
        json!("99999999999999999999"),
    ] {
        let e = import::import_events(&row(bad.clone()).to_string(), Source::Ga4).unwrap_err();
        assert_eq!(
            (e.code, e.path.as_str()),
            (Code::InvalidTime, "line 1.event_timestamp"),
            "{bad}"
        );
    }
    let e = import::import_events(r#"{"event_name":"view_item","user_id":"u1"}"#, Source::Ga4)
        .unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (Code::MissingField, "line 1.event_timestamp")
    );
}

#[test]
fn channels_map_as_documented() {
    let call = |extra: Value| {
        let mut c = json!({"type": "track", "event": "Product Viewed", "userId": "u1", "timestamp": "2026-11-01T10:00:00Z", "properties": {"sku": "A"}});
        for (k, v) in extra.as_object().unwrap() {
            if k == "properties" {
                for (pk, pv) in v.as_object().unwrap() {
                    c["properties"][pk] = pv.clone();
                }
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    let channel_of = |extra: Value| {
        let imp = segment(&[call(extra)]);
        imp.profiles["u1"].events[0].channel
    };
    assert_eq!(channel_of(json!({})), Channel::Web, "no channel at all");
    assert_eq!(channel_of(json!({"channel": "browser"})), Channel::Web);
    assert_eq!(channel_of(json!({"channel": "server"})), Channel::Web);
    assert_eq!(channel_of(json!({"channel": "mobile"})), Channel::App);
    assert_eq!(
        channel_of(json!({"channel": "web"})),
        Channel::Web,
        "RudderStack"
    );
    assert_eq!(
        channel_of(json!({"context": {"channel": "mobile"}})),
        Channel::App
    );
    assert_eq!(
        channel_of(
            json!({"channel": "server", "properties": {"channel": "kiosk", "store_id": "s1"}})
        ),
        Channel::Kiosk
    );
    assert_eq!(
        channel_of(json!({"channel": "server", "properties": {"channel": "pos"}})),
        Channel::Store
    );
    assert_eq!(
        channel_of(json!({"channel": "mobile", "properties": {"channel": "call centre"}})),
        Channel::CallCenter
    );
    let e = import::import_events(
        &call(json!({"channel": "fax"})).to_string(),
        Source::Segment,
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (Code::InvalidValue, "line 1.channel")
    );
    let e = import::import_events(
        &call(json!({"properties": {"channel": "carrier pigeon"}})).to_string(),
        Source::Segment,
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (Code::InvalidValue, "line 1.properties.channel")
    );

    let g = |platform: Value, params: Value| {
        let r = json!({"event_name": "view_item", "event_timestamp": "1700000000000000", "user_id": "u1", "platform": platform,
                       "event_params": params, "items": [{"item_id": "A"}]});
        let imp = ga4(&[r]);
        let e = &imp.profiles["u1"].events[0];
        (e.channel, e.store.clone())
    };
    assert_eq!(g(json!("WEB"), json!([])), (Channel::Web, None));
    assert_eq!(g(json!("IOS"), json!([])), (Channel::App, None));
    assert_eq!(g(json!("ANDROID"), json!([])), (Channel::App, None));
    assert_eq!(g(json!(null), json!([])), (Channel::Web, None));
    assert_eq!(
        g(
            json!("WEB"),
            json!([{"key": "channel", "value": {"string_value": "kiosk"}}, {"key": "store_id", "value": {"string_value": "lon-oxford"}}])
        ),
        (Channel::Kiosk, Some("lon-oxford".to_string()))
    );
}

#[test]
fn consents_follow_the_documented_mapping() {
    let id = |ts: &str, prefs: Value| json!({"type": "identify", "userId": "u1", "timestamp": ts, "context": {"consent": {"categoryPreferences": prefs}}});
    let consents = |lines: &[Value]| {
        let c = &segment(lines).profiles["u1"].consents;
        (c.personalization, c.marketing)
    };
    assert_eq!(
        consents(&[
            json!({"type": "identify", "userId": "u1", "timestamp": "2026-11-01T00:00:00Z"})
        ]),
        (false, false),
        "absent = not given"
    );
    assert_eq!(
        consents(&[id(
            "2026-11-01T00:00:00Z",
            json!({"Functional": true, "Advertising": true, "Analytics": false})
        )]),
        (true, true)
    );
    assert_eq!(
        consents(&[id(
            "2026-11-01T00:00:00Z",
            json!({"Personalization": true, "Marketing": false})
        )]),
        (true, false)
    );
    assert_eq!(
        consents(&[id(
            "2026-11-01T00:00:00Z",
            json!({"Functional": true, "Personalization": false})
        )]),
        (false, false),
        "all mapped categories must agree"
    );
    // The latest line wins, whatever the file order; an empty set withdraws everything.
    assert_eq!(
        consents(&[
            id("2026-11-02T00:00:00Z", json!({"Advertising": false})),
            id(
                "2026-11-01T00:00:00Z",
                json!({"Functional": true, "Advertising": true})
            )
        ]),
        (true, false)
    );
    assert_eq!(
        consents(&[
            id(
                "2026-11-01T00:00:00Z",
                json!({"Functional": true, "Advertising": true})
            ),
            id("2026-11-02T00:00:00Z", json!({}))
        ]),
        (false, false)
    );
    let e = import::import_events(
        &id("2026-11-01T00:00:00Z", json!({"Functional": "yes"})).to_string(),
        Source::Segment,
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (
            Code::InvalidType,
            "line 1.context.consent.categoryPreferences.Functional"
        )
    );
    // GA4: privacy_info analytics_storage → personalization, ads_storage → marketing.
    let g = ga4(&[
        json!({"event_name": "page_view", "event_timestamp": "1700000000000000", "user_id": "u1",
                         "privacy_info": {"analytics_storage": "Yes", "ads_storage": "No"},
                         "user_properties": [{"key": "tier", "value": {"string_value": "gold", "set_timestamp_micros": "1"}}]}),
    ]);
    let p = &g.profiles["u1"];
    assert_eq!(
        (p.consents.personalization, p.consents.marketing),
        (true, false)
    );
    assert_eq!(p.traits.tier.as_deref(), Some("gold"));
}

#[test]
fn bad_lines_name_the_line_and_the_json_path() {
    let ok = track(
        "u1",
        "Product Viewed",
        "2026-11-01T10:00:00Z",
        json!({"sku": "A"}),
    )
    .to_string();
    let cases: Vec<(String, Code, &str)> = vec![
        (format!("{ok}\n\n{{\"type\":\"track\",\n"), Code::InvalidJson, "line 3"),
        (format!("{ok}\n[1,2]\n"), Code::InvalidType, "line 2"),
        (format!("{ok}\n{}\n", track("u1", "Product Viewed", "2026-11-01T10:00:00Z", json!({"category": "Shoes"}))), Code::MissingField, "line 2.properties.product_id"),
        (format!("{}\n", track("u1", "Order Completed", "2026-11-01T10:00:00Z", json!({"products": [{"sku": "A"}, {"sku": "B", "price": -1}]}))), Code::InvalidValue, "line 1.properties.products[1].price"),
        (format!("{}\n", track("u1", "Order Completed", "2026-11-01T10:00:00Z", json!({"products": [{"sku": "A", "quantity": 0}]}))), Code::InvalidValue, "line 1.properties.products[0].quantity"),
        (format!("{}\n", track("u1", "Order Completed", "2026-11-01T10:00:00Z", json!({"products": ["A"]}))), Code::InvalidType, "line 1.properties.products[0]"),
        (format!("{}\n", track("u1", "Product Viewed", "2026-11-01T10:00:00Z", json!({"sku": {"id": 1}}))), Code::InvalidType, "line 1.properties.sku"),
        (format!("{}\n", track("u1", "Product Viewed", "2026-11-01T10:00:00Z", json!({"sku": "x".repeat(1001)}))), Code::TooLarge, "line 1.properties.sku"),
        (format!("{ok}\n{}\n", track("u1", "Product Viewed", "yesterday", json!({"sku": "A"}))), Code::InvalidTime, "line 2.timestamp"),
        (r#"{"type":"track","event":"Product Viewed","userId":"u1","properties":{"sku":"A"}}"#.to_string(), Code::MissingField, "line 1.timestamp"),
        (r#"{"type":"track","event":"Product Viewed","timestamp":"2026-11-01T10:00:00Z","properties":{"sku":"A"}}"#.to_string(), Code::MissingField, "line 1.userId"),
        (r#"{"event":"Product Viewed","userId":"u1","timestamp":"2026-11-01T10:00:00Z"}"#.to_string(), Code::MissingField, "line 1.type"),
        (format!("{}\n", track("u1", "Promotion Viewed", "2026-11-01T10:00:00Z", json!({"name": "x"}))), Code::MissingField, "line 1.properties.promotion_id"),
    ];
    for (text, code, path) in cases {
        let e = import::import_events(&text, Source::Segment).unwrap_err();
        assert_eq!(
            (e.code, e.document, e.path.as_str()),
            (code, "events", path),
            "{text}: {e}"
        );
    }
    let g = r#"{"event_name":"add_to_cart","event_timestamp":"1700000000000000","user_id":"u1","items":[{"item_id":"A"},{"item_name":"no id"}]}"#;
    let e = import::import_events(&format!("\n{g}\n"), Source::Ga4).unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (Code::MissingField, "line 2.items[1].item_id")
    );
    assert_eq!(
        e.to_string(),
        "events: line 2.items[1].item_id: a product needs item_id"
    );
}

#[test]
fn output_is_deterministic_and_follows_the_ordering_rule() {
    let text = read("examples/cdp/segment-events.ndjson");
    let a = import::import_events(&text, Source::Segment).unwrap();
    let b = import::import_events(&text, Source::Segment).unwrap();
    assert_eq!(output(&a), output(&b), "same bytes twice");

    // The example has distinct timestamps per line except an order's products, which share a
    // line: any line order gives the same bytes.
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse();
    let mut rotated: Vec<&str> = text.lines().collect();
    rotated.rotate_left(37);
    // A fixed pseudo-random shuffle (xorshift).
    let mut shuffled: Vec<&str> = text.lines().collect();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..shuffled.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        shuffled.swap(i, (x % (i as u64 + 1)) as usize);
    }
    for order in [lines, rotated, shuffled] {
        let c = import::import_events(&order.join("\n"), Source::Segment).unwrap();
        assert_eq!(output(&a), output(&c));
    }

    // Lines with the same timestamp keep their input order (documented rule).
    let l1 = track(
        "u1",
        "Product Viewed",
        "2026-11-01T10:00:00Z",
        json!({"sku": "A"}),
    );
    let l2 = track(
        "u1",
        "Product Viewed",
        "2026-11-01T10:00:00Z",
        json!({"sku": "B"}),
    );
    let l0 = track(
        "u1",
        "Product Viewed",
        "2026-11-01T09:00:00Z",
        json!({"sku": "C"}),
    );
    assert_eq!(
        skus(&segment(&[l1.clone(), l2.clone(), l0.clone()]).profiles["u1"]),
        ["C", "A", "B"]
    );
    assert_eq!(
        skus(&segment(&[l2, l0, l1]).profiles["u1"]),
        ["C", "B", "A"]
    );
}

#[test]
fn imported_profiles_parse_and_the_built_model_decides() {
    let imp = import::import_events(&read("examples/cdp/segment-events.ndjson"), Source::Segment)
        .unwrap();
    assert_eq!(imp.profiles.len(), 15);
    assert_eq!(imp.anonymous, 2);
    assert_eq!(imp.lines, 119);
    for (id, p) in &imp.profiles {
        let parsed =
            Profile::from_json(&import::profile_json(p)).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(&parsed.id, id);
        assert_eq!(parsed.events.len(), p.events.len());
        assert!(
            p.events.windows(2).all(|w| w[0].ts <= w[1].ts),
            "{id}: events in time order"
        );
    }
    let owen = &imp.profiles["usr_1002"];
    assert!(owen
        .events
        .iter()
        .any(|e| e.channel == Channel::Kiosk && e.store.as_deref() == Some("man-arndale")));
    assert!(owen
        .events
        .iter()
        .any(|e| e.channel == Channel::Store && e.kind == EventType::Purchase));
    assert_eq!(
        owen.cart.iter().map(|l| l.sku.as_str()).collect::<Vec<_>>(),
        ["SO-RUN-0003"]
    );
    assert!(!owen.consents.marketing && owen.consents.personalization);

    let events = builder::parse_events(imp.events_ndjson(), Format::Ndjson).unwrap();
    assert_eq!(events.len(), imp.model_events);
    let model = builder::build(&events, &BuildParams::default(), "", &mut |_, _, _| {}).unwrap();
    assert!(!model.neighbours.is_empty());
    let engine = Engine::with_offers(
        &read("examples/sample/catalog.json"),
        &model.to_json(),
        &read("examples/sample/config.json"),
        Some(&read("examples/sample/offers.json")),
    )
    .unwrap();
    let ctx = json!({"channel": "kiosk", "store": "lon-oxford", "now": NOW}).to_string();
    let d = engine
        .decide_json(&import::profile_json(&imp.profiles["usr_1001"]), &ctx)
        .unwrap();
    assert!(d.personalized);
    let recs: Vec<(&str, &str)> = d
        .recommendations
        .iter()
        .map(|r| (r.sku.as_str(), r.strategy.as_str()))
        .collect();
    assert!(
        recs[..2].contains(&("HK-COF-0001", "continue_journey")),
        "the espresso machine she keeps coming back to: {recs:?}"
    );
    assert!(
        recs.contains(&("HK-COF-0023", "buy_again")),
        "her coffee beans, due again: {recs:?}"
    );
    // Refused consent: the same history, not used.
    let d = engine
        .decide_json(&import::profile_json(&imp.profiles["usr_1004"]), &ctx)
        .unwrap();
    assert!(!d.personalized);
}

#[test]
fn profile_file_names_stay_in_the_directory() {
    assert_eq!(import::profile_file_name("usr_1001"), "usr_1001.json");
    assert_eq!(
        import::profile_file_name("1843920571.1762500000"),
        "1843920571.1762500000.json"
    );
    for id in ["../../etc/passwd", "a/b", "", ".hidden", "C:\\x", "ü"] {
        let name = import::profile_file_name(id);
        assert!(
            !name.contains('/') && !name.contains('\\') && !name.starts_with('.'),
            "{id} → {name}"
        );
        assert!(name.ends_with(".json"));
    }
    assert_ne!(
        import::profile_file_name("a/b"),
        import::profile_file_name("a_b")
    );
    assert_ne!(
        import::profile_file_name("a/b"),
        import::profile_file_name("a:b")
    );
}

#[test]
fn catalog_csv_handles_quoting_and_names_bad_rows() {
    let csv = "\u{feff}SKU,Title,Category,Brand,Price,Image URL,Tags,Channels,stock_lon-oxford,Colour\r\n\
        A-1,\"Boots, leather\",Fashion > Footwear > Boots,Kestrel,119.00,https://img/a.jpg,sale; new ;sale,web;app;kiosk,3,brown\r\n\
        \r\n\
        A-2,\"The \"\"Classic\"\" Mug\",Home,,9.5,,,,,\"two\nlines\"\r\n\
        A-3,Plain,,,0,,,,0,\n";
    let c = import::catalog_from_csv(csv, Some("v1")).unwrap();
    assert_eq!((c.items, c.stores, c.version.as_str()), (3, 1, "v1"));
    let cat = Catalog::from_json(&c.json).unwrap();
    let doc: Value = serde_json::from_str(&c.json).unwrap();
    assert_eq!(doc["schema"], "unisono.catalog/1");
    let a1 = &cat.items[cat.get("A-1").unwrap() as usize];
    assert_eq!(a1.title, "Boots, leather");
    assert_eq!(a1.category, ["Fashion", "Footwear", "Boots"]);
    assert_eq!(a1.brand.as_deref(), Some("Kestrel"));
    assert_eq!(a1.price, 119.0);
    assert_eq!(a1.tags, ["sale", "new"]);
    assert_eq!(a1.image.as_deref(), Some("https://img/a.jpg"));
    assert_eq!(
        a1.availability.channels,
        Some(vec![Channel::Web, Channel::App, Channel::Kiosk])
    );
    assert_eq!(a1.stock_in("lon-oxford"), 3.0);
    assert_eq!(a1.attributes["Colour"], "brown");
    let a2 = &cat.items[cat.get("A-2").unwrap() as usize];
    assert_eq!(a2.title, "The \"Classic\" Mug");
    assert_eq!(a2.attributes["Colour"], "two\nlines");
    assert_eq!(a2.brand, None);
    assert_eq!(a2.availability.channels, None, "empty = every channel");
    assert!(a2.availability.stores.is_empty());
    // Same input, same bytes; the default version hashes the text.
    let d1 = import::catalog_from_csv(csv, None).unwrap();
    assert_eq!(d1, import::catalog_from_csv(csv, None).unwrap());
    assert!(d1.version.starts_with("csv-") && d1.version.len() == 16);

    let head = "sku,title,price,description\n";
    let cases: Vec<(String, Code, &str)> = vec![
        // The multi-line field moves the following rows' line numbers on.
        (
            format!("{head}A,a,1,\"x\ny\"\nB,b,-2,\n"),
            Code::InvalidValue,
            "line 4.price",
        ),
        (
            format!("{head}A,a,1,\nA,b,2,\n"),
            Code::Duplicate,
            "line 3.sku",
        ),
        (format!("{head}A,a,,\n"), Code::MissingField, "line 2.price"),
        (format!("{head},a,1,\n"), Code::MissingField, "line 2.sku"),
        (format!("{head}A,,1,\n"), Code::MissingField, "line 2.title"),
        (
            format!("{head}A,a,1,x,extra\n"),
            Code::InvalidValue,
            "line 2",
        ),
        (
            format!("{head}A,a,1,\"open\nB,b,2,\n"),
            Code::InvalidValue,
            "line 2",
        ),
        ("sku,title\nA,a\n".to_string(), Code::MissingField, "line 1"),
        (
            "sku,title,price,stock_s1\nA,a,1,lots\n".to_string(),
            Code::InvalidValue,
            "line 2.stock_s1",
        ),
        (
            "sku,title,price,channels\nA,a,1,web;fax\n".to_string(),
            Code::InvalidValue,
            "line 2.channels",
        ),
        (
            "sku,title,price,Sku\nA,a,1,x\n".to_string(),
            Code::Duplicate,
            "line 1",
        ),
    ];
    for (text, code, path) in cases {
        let e = import::catalog_from_csv(&text, None).unwrap_err();
        assert_eq!(
            (e.code, e.document, e.path.as_str()),
            (code, "catalog", path),
            "{text:?}: {e}"
        );
    }
    assert_eq!(
        import::catalog_from_csv("sku,title,price\n", None)
            .unwrap_err()
            .code,
        Code::EmptyCatalog
    );
}

#[test]
fn cli_imports_then_builds_a_model() {
    let bin = env!("CARGO_BIN_EXE_unisono");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-cli");
    let _ = fs::remove_dir_all(&dir);
    let run = |args: &[&str]| {
        let out = Command::new(bin)
            .args(args)
            .current_dir(ROOT)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let d = dir.to_str().unwrap();
    let summary = run(&[
        "import",
        "segment",
        "examples/cdp/segment-events.ndjson",
        "--out-dir",
        d,
    ]);
    assert!(
        summary.starts_with("segment: 15 users (2 anonymous), "),
        "{summary}"
    );
    assert!(summary.contains("7 of 119 lines skipped"), "{summary}");
    assert_eq!(summary.lines().count(), 1);
    let maya = fs::read_to_string(dir.join("profiles/usr_1001.json")).unwrap();
    Profile::from_json(&maya).unwrap();
    let model = format!("{d}/model.json");
    run(&[
        "build-model",
        "--events",
        &format!("{d}/events.ndjson"),
        "--out",
        &model,
    ]);
    let decision = run(&[
        "decide",
        "--catalog",
        "examples/sample/catalog.json",
        "--model",
        &model,
        "--config",
        "examples/sample/config.json",
        "--profile",
        &format!("{d}/profiles/usr_1001.json"),
        "--context",
        r#"{"channel":"app","now":"2026-11-23T12:00:00Z"}"#,
    ]);
    let v: Value = serde_json::from_str(&decision).unwrap();
    assert_eq!(v["profileId"], "usr_1001");
    assert!(!v["recommendations"].as_array().unwrap().is_empty());

    let ga = run(&[
        "import",
        "ga4",
        "examples/cdp/ga4-events.ndjson",
        "--out-dir",
        &format!("{d}/ga4"),
    ]);
    assert!(ga.starts_with("ga4: "), "{ga}");
    for f in fs::read_dir(dir.join("ga4/profiles")).unwrap() {
        Profile::from_json(&fs::read_to_string(f.unwrap().path()).unwrap()).unwrap();
    }
    let cat = format!("{d}/catalog.json");
    let s = run(&[
        "import",
        "catalog-csv",
        "examples/cdp/catalog.csv",
        "--out",
        &cat,
    ]);
    assert!(s.contains("10 items, 3 stores"), "{s}");
    Catalog::from_json(&fs::read_to_string(&cat).unwrap()).unwrap();

    // A bad line: exit code 2 and the path on stderr.
    fs::write(dir.join("bad.ndjson"), "{\"type\":\"track\"}\n").unwrap();
    let out = Command::new(bin)
        .args([
            "import",
            "segment",
            dir.join("bad.ndjson").to_str().unwrap(),
            "--out-dir",
            d,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
}

#[test]
fn profiles_keep_the_most_recent_events_within_the_limit() {
    let n = unisono::profile::MAX_EVENTS + 1;
    let mut text = String::with_capacity(n * 120);
    for i in 0..n {
        let ts = unisono::time::format_rfc3339(unisono::time::Timestamp(
            1_700_000_000_000 + i as i64 * 1000,
        ));
        text.push_str(&format!(
            "{{\"type\":\"track\",\"event\":\"Product Viewed\",\"userId\":\"u1\",\"timestamp\":\"{ts}\",\"properties\":{{\"sku\":\"S{}\"}}}}\n",
            i % 50
        ));
    }
    let imp = import::import_events(&text, Source::Segment).unwrap();
    assert_eq!(imp.dropped, 1);
    let p = &imp.profiles["u1"];
    assert_eq!(p.events.len(), unisono::profile::MAX_EVENTS);
    assert_eq!(
        p.events[0].sku.as_deref(),
        Some("S1"),
        "the oldest one went"
    );
    assert_eq!(imp.model_events, n, "the model still sees every event");
    assert!(imp.summary().contains("1 oldest events dropped"));
}
