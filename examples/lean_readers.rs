//! The device runtime's serde-free readers and decision writer (`unisono::lean`) against the
//! serde ones, on a 200-event profile of the sample retailer: median and minimum time per call.
//!
//!     cargo run --release --example lean_readers [-- EVENTS [ITERS]]
//!
//! `ITERS` small under `valgrind --tool=callgrind` counts instructions instead.
use std::time::Instant;
use unisono::profile::Profile;
use unisono::{lean, Engine};

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample");
    let read = |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).unwrap_or_default();
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let (events, iters) = (arg(1, 200), arg(2, 2000));
    let profile = profile_text(&read("catalog.json"), events);
    let event = r#"{"type":"add_to_cart","sku":"HK-COF-0001","channel":"kiosk","store":"lon-oxford","ts":"2026-11-23T11:00:00Z","quantity":2}"#;
    let context = r#"{"channel":"kiosk","placement":"product","store":"lon-oxford","sku":"HK-COF-0001","now":"2026-11-23T12:00:00Z"}"#;
    println!("profile: {events} events, {} bytes", profile.len());
    // `ONLY=serde|lean|none`: only read the profile ITERS times (instruction counts under
    // callgrind: the difference to `none`, divided by ITERS, is one read).
    if let Ok(only) = std::env::var("ONLY") {
        for _ in 0..iters {
            let ok = match only.as_str() {
                "serde" => Profile::from_json(std::hint::black_box(&profile)).is_ok(),
                "lean" => lean::read_profile(std::hint::black_box(&profile)).is_ok(),
                _ => true,
            };
            assert!(ok);
        }
        return;
    }

    let serde_p = time("profile, serde", iters, || {
        Profile::from_json(&profile).is_ok()
    });
    let lean_p = time("profile, lean", iters, || {
        lean::read_profile(&profile).is_ok()
    });
    assert_eq!(
        Profile::from_json(&profile).ok(),
        lean::read_profile(&profile).ok()
    );
    let p = Profile::anonymous();
    time("event, serde", iters * 20, || {
        p.clone().track(event).is_ok()
    });
    time("event, lean", iters * 20, || {
        lean::read_event(event).is_ok()
    });
    let known = |_: &str| true;
    let raw = |t: &str| unisono::error::from_json::<unisono::context::Context>("context", t);
    time("context, serde", iters * 20, || raw(context).is_ok());
    time("context, lean", iters * 20, || {
        lean::read_context(context, known).is_ok()
    });
    let offers = read("offers.json");
    let doc = |n: &str| read(&format!("{n}.json"));
    let Ok(engine) = Engine::with_offers(
        &doc("catalog"),
        &doc("model"),
        &doc("config"),
        Some(&offers),
    ) else {
        eprintln!("cannot load the sample");
        std::process::exit(2);
    };
    let web = r#"{"channel":"web","placement":"home","now":"2026-11-23T12:00:00Z"}"#;
    let Ok(d) = engine.decide_json(&profile, web) else {
        eprintln!("cannot decide");
        std::process::exit(2);
    };
    println!("decision: {} bytes", d.to_json().len());
    time("decision, serde", iters * 5, || !d.to_json().is_empty());
    time("decision, lean", iters * 5, || {
        !lean::decision::write(&d).is_empty()
    });
    assert_eq!(lean::decision::write(&d), d.to_json());
    println!("profile read: lean / serde = {:.2}", lean_p / serde_p);
}

/// Median time of `f` in µs (printed with the minimum).
fn time(what: &str, iters: usize, mut f: impl FnMut() -> bool) -> f64 {
    let mut times = Vec::with_capacity(iters);
    let mut ok = true;
    for _ in 0..iters.max(1) {
        let t = Instant::now();
        ok &= f();
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    assert!(ok, "{what} failed");
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
    let min = times.first().copied().unwrap_or(0.0);
    println!("{what:<18} median {median:>9.2} µs   min {min:>9.2} µs");
    median
}

/// A profile of `n` events over the catalog's first skus: views, carts and purchases on four
/// channels, an hour apart, with prices and quantities, plus traits and a cart.
fn profile_text(catalog: &str, n: usize) -> String {
    let skus: Vec<String> = serde_json::from_str::<serde_json::Value>(catalog)
        .ok()
        .and_then(|v| v["items"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i["sku"].as_str().map(String::from))
        .take(60)
        .collect();
    let kinds = ["view", "view", "add_to_cart", "view", "purchase", "search"];
    let channels = ["web", "app", "kiosk", "email"];
    let events: Vec<String> = (0..n)
        .map(|i| {
            let sku = skus.get(i * 7 % skus.len().max(1)).cloned().unwrap_or_default();
            let ts = unisono::time::format_rfc3339(unisono::time::Timestamp(
                1_790_000_000_000 + i as i64 * 3_600_000,
            ));
            let store = if channels[i % 4] == "kiosk" { r#","store":"lon-oxford""# } else { "" };
            format!(
                r#"{{"type":"{}","sku":"{sku}","channel":"{}"{store},"ts":"{ts}","price":{}.99,"quantity":{}}}"#,
                kinds[i % kinds.len()],
                channels[i % 4],
                10 + i % 90,
                1 + i % 3
            )
        })
        .collect();
    format!(
        r#"{{"schema":"unisono.profile/1","id":"cust-bench","identifiers":[{{"type":"email_sha256","value":"d908a129ab3f69cf"}}],"consents":{{"personalization":true,"marketing":true}},"traits":{{"tier":"gold","lifetime_value":1234.5,"attributes":{{"age_band":"35-44","newsletter":true}}}},"segments":["coffee","gifts"],"cart":[{{"sku":"{}","quantity":1}}],"events":[{}]}}"#,
        skus.first().cloned().unwrap_or_default(),
        events.join(",")
    )
}
