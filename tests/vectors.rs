//! The sample decisions as test vectors: every sample customer on web, app and kiosk (plus the
//! scenario extras). The same file is checked by the pkg-tests against the Wasm package.
//!
//! Regenerate on purpose only: `UNISONO_BLESS=1 cargo test --test vectors`.

use serde_json::Value;
use std::fs;
use unisono::Engine;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample");
const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vectors/sample-decisions.ndjson"
);

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

/// Same expansion as examples/side_by_side.rs and pkg-tests/helpers.mjs.
fn scenarios() -> Vec<(String, Value)> {
    let s: Value = serde_json::from_str(&read("scenarios.json")).unwrap();
    let now = s["now"].clone();
    let mut out = Vec::new();
    for c in s["customers"].as_array().unwrap() {
        let id = c["profile"].as_str().unwrap().to_string();
        let store = c["store"].as_str().unwrap_or("lon-oxford");
        let mut ctxs = vec![
            serde_json::json!({"channel": "web", "placement": "home", "now": now}),
            serde_json::json!({"channel": "app", "placement": "home", "now": now}),
            serde_json::json!({"channel": "kiosk", "placement": "home", "store": store, "now": now}),
        ];
        for x in c["extra"].as_array().into_iter().flatten() {
            let mut x = x.clone();
            x["now"] = now.clone();
            ctxs.push(x);
        }
        out.extend(ctxs.into_iter().map(|c| (id.clone(), c)));
    }
    out
}

#[test]
fn sample_decisions_match_vectors() {
    let e = engine();
    let mut lines = Vec::new();
    for (id, ctx) in scenarios() {
        let d = e
            .decide_json(&read(&format!("profiles/{id}.json")), &ctx.to_string())
            .unwrap();
        let line = serde_json::json!({"profile": id, "context": ctx, "decision": serde_json::to_value(&d).unwrap()});
        lines.push(line);
    }
    if std::env::var_os("UNISONO_BLESS").is_some() {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        fs::write(VECTORS, text).unwrap();
        eprintln!("wrote {VECTORS}");
        return;
    }
    let expected: Vec<Value> = fs::read_to_string(VECTORS)
        .expect("tests/vectors/sample-decisions.ndjson missing: UNISONO_BLESS=1 cargo test --test vectors")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        expected.len(),
        lines.len(),
        "scenario count changed: bless on purpose"
    );
    for (want, got) in expected.iter().zip(&lines) {
        assert_eq!(
            want, got,
            "decision changed for {} {}",
            got["profile"], got["context"]
        );
    }
}
