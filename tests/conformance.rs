//! Conformance vectors (tests/conformance/v1): the same cases run here, in Node against the
//! built package and in headless Chromium; all three must produce the same bytes.
//!
//! Regenerate the expected outputs on purpose only: `UNISONO_BLESS=1 cargo test --test conformance`.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use unisono::Engine;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    fs::read_to_string(format!("{ROOT}/{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The documents of an artifact set: catalog, model, config and (the sample's) offers.
fn documents(set: &str) -> (String, String, String, Option<String>) {
    let dir = match set {
        "sample" => "examples/sample".to_string(),
        other => format!("tests/conformance/v1/artifacts/{other}"),
    };
    let offers = (set == "sample").then(|| read(&format!("{dir}/offers.json")));
    (
        read(&format!("{dir}/catalog.json")),
        read(&format!("{dir}/model.json")),
        read(&format!("{dir}/config.json")),
        offers,
    )
}

fn engine(set: &str) -> Engine {
    let (c, m, k, o) = documents(set);
    Engine::with_offers(&c, &m, &k, o.as_deref()).unwrap()
}

/// The same documents compiled to an engine image in memory and loaded from it.
fn image_engine(set: &str) -> Engine {
    let (c, m, k, o) = documents(set);
    let image = unisono::image::compile(&c, &m, &k, o.as_deref()).unwrap();
    Engine::from_image(&image).unwrap()
}

fn decide_all(cases: &[Value], make: fn(&str) -> Engine) -> Vec<String> {
    let mut engines: BTreeMap<String, Engine> = BTreeMap::new();
    let mut got = Vec::new();
    for c in cases {
        let set = c["artifacts"].as_str().unwrap().to_string();
        let e = engines.entry(set.clone()).or_insert_with(|| make(&set));
        let profile = match c["profile"]["ref"].as_str() {
            Some(r) => read(&format!("examples/sample/{r}")),
            None => c["profile"].to_string(),
        };
        let d = e.decide_json(&profile, &c["context"].to_string()).unwrap();
        got.push(d.to_json());
    }
    got
}

fn cases() -> Vec<Value> {
    read("tests/conformance/v1/cases.ndjson")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every vector through the image path: the same bytes as the JSON path's blessed output.
#[test]
fn conformance_vectors_through_images() {
    let cases = cases();
    let got = decide_all(&cases, image_engine);
    let expected = read("tests/conformance/v1/expected.ndjson");
    let expected: Vec<&str> = expected.lines().collect();
    assert_eq!(expected.len(), got.len());
    for ((c, want), have) in cases.iter().zip(&expected).zip(&got) {
        assert_eq!(*want, have, "case {} (image)", c["name"]);
    }
}

#[test]
fn conformance_vectors() {
    let cases = cases();
    assert!(cases.len() >= 200);
    let got = decide_all(&cases, engine);
    // Invariants that hold whatever the blessed bytes are.
    let by_name = |n: &str| -> &str {
        let i = cases.iter().position(|c| c["name"] == n).unwrap();
        &got[i]
    };
    for i in 1..4 {
        assert_eq!(
            by_name("tz/now-offset-0"),
            by_name(&format!("tz/now-offset-{i}")),
            "same instant, other offset"
        );
    }
    for c in ["cust-anna", "cust-ben"] {
        assert_eq!(
            by_name(&format!("alias/{c}-segment-names")),
            by_name(&format!("order/{c}-events-reversed"))
        );
    }
    assert!(by_name("offers/control-group").contains(r#""controlGroup":true"#));
    let path = format!("{ROOT}/tests/conformance/v1/expected.ndjson");
    if std::env::var_os("UNISONO_BLESS").is_some() {
        fs::write(
            &path,
            got.iter().map(|l| format!("{l}\n")).collect::<String>(),
        )
        .unwrap();
        eprintln!("wrote {path}");
        return;
    }
    let expected = fs::read_to_string(&path).expect("expected.ndjson missing: bless on purpose");
    let expected: Vec<&str> = expected.lines().collect();
    assert_eq!(
        expected.len(),
        got.len(),
        "case count changed: bless on purpose"
    );
    for ((c, want), have) in cases.iter().zip(&expected).zip(&got) {
        assert_eq!(*want, have, "case {}", c["name"]);
    }
}

fn profile_of(c: &Value) -> String {
    match c["profile"]["ref"].as_str() {
        Some(r) => read(&format!("examples/sample/{r}")),
        None => c["profile"].to_string(),
    }
}

/// Every vector through a public image scoped to the case's own channel and store (a kiosk's
/// image): the full decision with codes removed and rule quotes cut, and nothing else changed
/// (same ids, recommendations, offers, impressions).
#[test]
fn conformance_vectors_through_public_scoped_images() {
    use unisono::image::{Audience, Scope};
    let cases = cases();
    let mut full: BTreeMap<String, Engine> = BTreeMap::new();
    let mut scoped: BTreeMap<(String, String, Option<String>), Engine> = BTreeMap::new();
    let mut revealed_or_not = 0;
    for c in &cases {
        let set = c["artifacts"].as_str().unwrap().to_string();
        let context = c["context"].to_string();
        let profile = profile_of(c);
        let f = full.entry(set.clone()).or_insert_with(|| engine(&set));
        let Ok(ctx) = f.context(&context) else {
            continue;
        };
        let mut want = f.decide_json(&profile, &context).unwrap();
        want.make_public();
        let key = (
            set.clone(),
            ctx.channel.as_str().to_string(),
            ctx.store.clone(),
        );
        let e = scoped.entry(key).or_insert_with(|| {
            let (cat, m, k, o) = documents(&set);
            let scope = Scope {
                audience: Audience::Public,
                store: ctx.store.clone(),
                channel: Some(ctx.channel),
            };
            let image = unisono::image::compile_scoped(&cat, &m, &k, o.as_deref(), &scope).unwrap();
            Engine::from_image(&image).unwrap()
        });
        let have = e.decide_json(&profile, &context).unwrap();
        assert_eq!(
            want.to_json(),
            have.to_json(),
            "case {} (public)",
            c["name"]
        );
        assert!(have.offers.iter().all(|o| o.content.code.is_none()));
        // The back end reveals the code of every offer the device shows, and nothing else.
        for o in &have.offers {
            let r = f
                .reveal_json(&profile, &context, &have.decision_id, &o.id)
                .unwrap();
            let full_d = f.decide_json(&profile, &context).unwrap();
            let shown = full_d.offers.iter().find(|x| x.id == o.id).unwrap();
            assert_eq!(r.code, shown.content.code);
            revealed_or_not += 1;
        }
        let err = e
            .reveal_json(&profile, &context, &have.decision_id, "x")
            .unwrap_err();
        assert_eq!(err.code.as_str(), "invalid_value");
    }
    assert!(revealed_or_not > 20, "{revealed_or_not} offers revealed");
}
