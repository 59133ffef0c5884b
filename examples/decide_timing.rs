//! Rough native timing of one `decide` on the sample retailer (the benchmark suite is issue 6's).
//!
//!     cargo run --release --example decide_timing [-- CUSTOMER_ID]
use std::time::Instant;
use unisono::Engine;

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample");
    let read = |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).unwrap_or_default();
    let t = Instant::now();
    let Ok(e) = Engine::with_offers(
        &read("catalog.json"),
        &read("model.json"),
        &read("config.json"),
        std::env::var("NO_OFFERS")
            .is_err()
            .then(|| read("offers.json"))
            .as_deref(),
    ) else {
        eprintln!("cannot load the sample");
        std::process::exit(2);
    };
    println!("engine load: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let id = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "cust-anna".into());
    let p = read(&format!("profiles/{id}.json"));
    let ctx = r#"{"channel":"web","now":"2026-11-23T12:00:00Z"}"#;
    // ITERS=200 under `valgrind --tool=callgrind` counts instructions when the machine is too
    // busy for wall-clock timings to mean anything.
    let iters: usize = std::env::var("ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let mut times = Vec::new();
    for i in 0..iters {
        let t = Instant::now();
        let d = e.decide_json(&p, ctx).map(|d| d.to_json());
        if i >= iters / 6 {
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
        if d.is_err() {
            std::process::exit(2);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "decide_json + to_json, {id}: p50 {:.0} µs, p99 {:.0} µs",
        times[times.len() / 2],
        times[times.len() * 99 / 100]
    );
}
