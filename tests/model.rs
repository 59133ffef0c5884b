//! The model artifact formats: `unisono.model/2` carries exactly what v1 did (every score the
//! same double, every decision the same bytes), v1 is still read, and malformed v2 documents
//! are refused with a code and a path, never a panic.

use serde_json::{json, Value};
use std::fs;
use unisono::builder::{self, Format};
use unisono::catalog::Catalog;
use unisono::error::Code;
use unisono::model::{self, BuildParams, Model, ModelDoc, ModelDocV2, Similarity};
use unisono::Engine;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample");

fn read(name: &str) -> String {
    fs::read_to_string(format!("{DIR}/{name}")).unwrap()
}

fn sample_doc(params: &BuildParams) -> ModelDoc {
    let events = builder::parse_events(&read("events.csv"), Format::Csv).unwrap();
    builder::build(&events, params, "", &mut |_, _, _| {}).unwrap()
}

fn catalog() -> Catalog {
    Catalog::from_json(&read("catalog.json")).unwrap()
}

/// Every list of both models, item by item, score bits included.
fn assert_same_model(a: &Model, b: &Model, catalog: &Catalog) {
    for i in 0..catalog.len() as u32 {
        let x: Vec<(u32, u64)> = a.neighbours(i).map(|(j, s)| (j, s.to_bits())).collect();
        let y: Vec<(u32, u64)> = b.neighbours(i).map(|(j, s)| (j, s.to_bits())).collect();
        assert_eq!(x, y, "neighbours of {}", catalog.item(i).sku);
        let r = |m: &Model| {
            m.repurchase(i)
                .map(|r| (r.rate.to_bits(), r.cycle_days.to_bits()))
        };
        assert_eq!(r(a), r(b), "repurchase of {}", catalog.item(i).sku);
    }
    for (ra, rb) in [(&a.popularity, &b.popularity), (&a.trending, &b.trending)] {
        let bits = |l: &[(u32, f64)]| -> Vec<(u32, u64)> {
            l.iter().map(|&(i, s)| (i, s.to_bits())).collect()
        };
        assert_eq!(bits(&ra.global), bits(&rb.global));
        assert_eq!(ra.channels.len(), rb.channels.len());
        for ((ca, la), (cb, lb)) in ra.channels.iter().zip(&rb.channels) {
            assert_eq!((ca, bits(la)), (cb, bits(lb)));
        }
        assert_eq!(ra.stores.len(), rb.stores.len());
        for ((sa, la), (sb, lb)) in ra.stores.iter().zip(&rb.stores) {
            assert_eq!((sa, bits(la)), (sb, bits(lb)));
        }
    }
}

#[test]
fn v2_holds_every_v1_score_bit_for_bit() {
    let c = catalog();
    for similarity in [Similarity::Jaccard, Similarity::Lift, Similarity::Cosine] {
        let params = BuildParams {
            similarity,
            ..BuildParams::default()
        };
        let v1 = sample_doc(&params);
        let v2 = v1.to_artifact(&v1.version);
        assert_eq!(v2.schema, "unisono.model/2");
        let a = Model::from_json(&v1.to_json(), &c).unwrap();
        let b = Model::from_json(&v2.to_json(), &c).unwrap();
        assert_same_model(&a, &b, &c);
        // Also against a catalog that lacks some of the model's items (dropped, not shifted).
        let mut partial: Value = serde_json::from_str(&read("catalog.json")).unwrap();
        let items = partial["items"].as_array_mut().unwrap();
        let kept: Vec<Value> = items.iter().step_by(3).cloned().collect();
        *items = kept;
        let pc = Catalog::from_json(&partial.to_string()).unwrap();
        let a = Model::from_json(&v1.to_json(), &pc).unwrap();
        let b = Model::from_json(&v2.to_json(), &pc).unwrap();
        assert_same_model(&a, &b, &pc);
        assert!((0..pc.len() as u32).any(|i| b.neighbours(i).next().is_some()));
    }
}

#[test]
fn jaccard_scores_are_integers_at_the_smallest_scale() {
    let v2 = sample_doc(&BuildParams::default()).to_artifact("");
    let text = v2.to_json();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let decimals = doc["decimals"].as_u64().unwrap();
    assert!((4..=8).contains(&decimals), "{decimals}");
    assert!(doc["neighbours"]["scores"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s.is_u64()));
    // Named after its content (the checksum with no name yet, as v1); sealing again changes
    // nothing.
    let mut unnamed = v2.clone();
    unnamed.version.clear();
    assert_eq!(
        v2.version,
        format!("m-{}", &unnamed.compute_checksum()[7..19])
    );
    assert_eq!(v2.clone().seal(), v2);
    assert_eq!(unisono::seal::seal("model", &text).unwrap(), text);
}

#[test]
fn decisions_are_the_same_from_either_format() {
    let v1 = sample_doc(&BuildParams::default());
    let v2 = v1.to_artifact(&v1.version);
    let engine = |m: &str| {
        Engine::with_offers(
            &read("catalog.json"),
            m,
            &read("config.json"),
            Some(&read("offers.json")),
        )
        .unwrap()
    };
    let (a, b) = (engine(&v1.to_json()), engine(&v2.to_json()));
    let now = "2026-11-23T12:00:00Z";
    let mut n = 0;
    for entry in fs::read_dir(format!("{DIR}/profiles")).unwrap() {
        let profile = fs::read_to_string(entry.unwrap().path()).unwrap();
        for ctx in [
            json!({"channel": "web", "placement": "home", "now": now}),
            json!({"channel": "app", "placement": "product", "sku": "HK-COF-0001", "now": now}),
            json!({"channel": "kiosk", "placement": "cart", "store": "lon-oxford", "now": now}),
        ] {
            let x = a.decide_json(&profile, &ctx.to_string()).unwrap();
            let y = b.decide_json(&profile, &ctx.to_string()).unwrap();
            // Same version name, different checksum: only the ids differ.
            assert_eq!(x.versions, y.versions);
            let strip = |d: &unisono::Decision| {
                let mut d = d.clone();
                d.decision_id.clear();
                d.state_id.clear();
                d.to_json()
            };
            assert_eq!(strip(&x), strip(&y));
            n += 1;
        }
    }
    assert!(n >= 24);
}

#[test]
fn scores_that_are_not_fixed_point_stay_exact() {
    let mut v1 = sample_doc(&BuildParams::default());
    let odd = [0.1 + 0.2, 1e-30, -0.5, 123_456.789, f64::MAX, -0.0];
    for (list, x) in v1.neighbours.values_mut().zip(odd) {
        list[0].1 = x;
    }
    v1.popularity.global[0].1 = 2.0_f64.sqrt();
    let v1 = v1.seal();
    let v2 = v1.to_artifact("");
    assert_eq!(v2.decimals, 0);
    let text = v2.to_json();
    let back = ModelDocV2::from_json(&text).unwrap();
    assert_eq!(back, v2, "the JSON round-trips");
    let c = catalog();
    let a = Model::from_json(&v1.to_json(), &c).unwrap();
    let b = Model::from_json(&text, &c).unwrap();
    assert_same_model(&a, &b, &c);
}

#[test]
fn v1_artifacts_still_load_and_keep_their_checksum() {
    let ties = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/conformance/v1/artifacts/ties"
    );
    let text = fs::read_to_string(format!("{ties}/model.json")).unwrap();
    let c =
        Catalog::from_json(&fs::read_to_string(format!("{ties}/catalog.json")).unwrap()).unwrap();
    let m = Model::from_json(&text, &c).unwrap();
    assert_eq!(m.version, "ties-1");
    assert!(m.checksum.starts_with("sha256:c4e9abf7"));
    assert_eq!(m.neighbours(0).count(), 3);
    let tampered = text.replacen("1.0", "0.9", 1);
    let e = Model::from_json(&tampered, &c).unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (Code::ChecksumMismatch, "checksum")
    );
}

/// A small sealed v2 document (three skus, two with neighbours) to break in the tests below.
fn small() -> Value {
    json!({
        "schema": "unisono.model/2", "version": "t", "params": {},
        "stats": {"events": 0, "users": 0, "items": 3, "pairs": 1},
        "as_of": null, "skus": ["A", "B", "C"], "decimals": 4,
        "neighbours": {"lengths": [2, 1, 0], "items": [1, 2, 0], "scores": [5000, 2500, 5000]},
        "popularity": {"global": {"items": [0, 1], "scores": [10000, 5000]},
                       "channels": {"web": {"items": [2], "scores": [10000]}}, "stores": {}},
        "trending": {"global": {"items": [], "scores": []}, "channels": {}, "stores": {}},
        "repurchase": {"items": [0], "rate": [3333], "cycle_days": [21.0]},
        "checksum": ""
    })
}

/// The document, resealed so its checksum holds whatever was changed.
fn sealed(doc: &Value) -> String {
    ModelDocV2::from_json(&doc.to_string())
        .unwrap()
        .seal()
        .to_json()
}

fn tiny_catalog() -> Catalog {
    Catalog::from_json(
        r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":1},
        {"sku":"B","title":"b","price":1},{"sku":"C","title":"c","price":1}]}"#,
    )
    .unwrap()
}

fn load(text: &str) -> Result<Model, unisono::Error> {
    Model::from_json(text, &tiny_catalog())
}

#[test]
fn a_small_v2_document_loads() {
    let m = load(&sealed(&small())).unwrap();
    assert_eq!(m.neighbours(0).collect::<Vec<_>>(), [(1, 0.5), (2, 0.25)]);
    assert_eq!(m.neighbours(1).collect::<Vec<_>>(), [(0, 0.5)]);
    assert_eq!(m.neighbours(2).count(), 0);
    assert_eq!(m.neighbours(99).count(), 0, "out of range: empty, no panic");
    assert_eq!(m.popularity.global, [(0, 1.0), (1, 0.5)]);
    assert_eq!(
        m.repurchase(0).map(|r| (r.rate, r.cycle_days)),
        Some((0.3333, 21.0))
    );
    assert!(m.repurchase(1).is_none());
    // Key order and whitespace are free: `schema` need not come first.
    let mut reordered = serde_json::Map::new();
    let doc: Value = serde_json::from_str(&sealed(&small())).unwrap();
    for (k, v) in doc.as_object().unwrap().iter().rev() {
        reordered.insert(k.clone(), v.clone());
    }
    let text = serde_json::to_string_pretty(&Value::Object(reordered)).unwrap();
    assert!(!text.trim_start().starts_with("{\n  \"schema\""));
    assert_eq!(load(&text).unwrap().neighbours(0).count(), 2);
}

#[test]
fn malformed_v2_documents_get_a_code_and_a_path() {
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change, Code, &str)> = vec![
        (
            "index outside the table",
            Box::new(|d| d["neighbours"]["items"][1] = json!(3)),
            Code::UnknownReference,
            "neighbours.items[1]",
        ),
        (
            "ranking index outside",
            Box::new(|d| d["popularity"]["channels"]["web"]["items"][0] = json!(7)),
            Code::UnknownReference,
            "popularity.channels.web.items[0]",
        ),
        (
            "repurchase index outside",
            Box::new(|d| d["repurchase"]["items"][0] = json!(3)),
            Code::UnknownReference,
            "repurchase.items[0]",
        ),
        (
            "lengths too short",
            Box::new(|d| d["neighbours"]["lengths"] = json!([2, 1])),
            Code::InvalidValue,
            "neighbours.lengths",
        ),
        (
            "lengths do not add up",
            Box::new(|d| d["neighbours"]["lengths"] = json!([2, 2, 0])),
            Code::InvalidValue,
            "neighbours.items",
        ),
        (
            "a score missing",
            Box::new(|d| d["neighbours"]["scores"] = json!([5000, 2500])),
            Code::InvalidValue,
            "neighbours.scores",
        ),
        (
            "ranking scores short",
            Box::new(|d| d["popularity"]["global"]["scores"] = json!([1])),
            Code::InvalidValue,
            "popularity.global.scores",
        ),
        (
            "rates short",
            Box::new(|d| d["repurchase"]["rate"] = json!([])),
            Code::InvalidValue,
            "repurchase.rate",
        ),
        (
            "cycles short",
            Box::new(|d| d["repurchase"]["cycle_days"] = json!([])),
            Code::InvalidValue,
            "repurchase.cycle_days",
        ),
        (
            "repurchase twice",
            Box::new(|d| {
                d["repurchase"] =
                    json!({"items": [1, 1], "rate": [1, 1], "cycle_days": [1.0, 2.0]});
            }),
            Code::InvalidValue,
            "repurchase.items[1]",
        ),
        (
            "skus unsorted",
            Box::new(|d| d["skus"] = json!(["A", "C", "B"])),
            Code::InvalidValue,
            "skus[2]",
        ),
        (
            "sku twice",
            Box::new(|d| d["skus"] = json!(["A", "B", "B"])),
            Code::Duplicate,
            "skus[2]",
        ),
        (
            "empty sku",
            Box::new(|d| d["skus"] = json!(["", "B", "C"])),
            Code::InvalidValue,
            "skus[0]",
        ),
        (
            "decimals beyond exact",
            Box::new(|d| d["decimals"] = json!(23)),
            Code::InvalidValue,
            "decimals",
        ),
        (
            "negative index",
            Box::new(|d| d["neighbours"]["items"][2] = json!(-1)),
            Code::InvalidValue,
            "neighbours.items[2]",
        ),
        (
            "fractional index",
            Box::new(|d| d["neighbours"]["items"][0] = json!(1.5)),
            Code::InvalidType,
            "neighbours.items[0]",
        ),
        (
            "text score",
            Box::new(|d| d["neighbours"]["scores"][1] = json!("0.25")),
            Code::InvalidType,
            "neighbours.scores[1]",
        ),
        (
            "missing column",
            Box::new(|d| {
                d["neighbours"].as_object_mut().unwrap().remove("scores");
            }),
            Code::MissingField,
            "neighbours.scores",
        ),
        (
            "unknown column",
            Box::new(|d| d["neighbours"]["offsets"] = json!([])),
            Code::InvalidValue,
            "neighbours",
        ),
        (
            "unknown field",
            Box::new(|d| d["extra"] = json!(1)),
            Code::InvalidValue,
            "",
        ),
        (
            "wrong schema",
            Box::new(|d| d["schema"] = json!("unisono.model/3")),
            Code::UnsupportedSchema,
            "schema",
        ),
    ];
    for (what, change, code, path) in cases {
        let mut doc = small();
        change(&mut doc);
        // Resealed where it still parses, so the checks behind the checksum are reached.
        let text = ModelDocV2::from_json(&doc.to_string())
            .map(|d| d.seal().to_json())
            .unwrap_or_else(|_| doc.to_string());
        let e = load(&text).unwrap_err();
        assert_eq!(e.code, code, "{what}: {e}");
        assert!(
            e.path.starts_with(path),
            "{what}: path {:?}, wanted {path:?}",
            e.path
        );
        assert!(!e.message.is_empty());
        // validate() reports the same problem.
        let problems = unisono::validate::validate("model", &text);
        assert_eq!(
            problems.first().map(|p| p.code),
            Some(code),
            "{what}: validate"
        );
    }
}

#[test]
fn a_changed_v2_document_fails_its_checksum() {
    let text = sealed(&small());
    for (from, to) in [
        ("[5000,2500,5000]", "[5000,2501,5000]"),
        ("\"C\"", "\"D\""),
        ("21.0", "22.0"),
        ("\"t\"", "\"u\""),
    ] {
        assert!(text.contains(from), "{from}");
        let e = load(&text.replacen(from, to, 1)).unwrap_err();
        assert_eq!(
            (e.code, e.path.as_str()),
            (Code::ChecksumMismatch, "checksum"),
            "{from}"
        );
    }
    // The same content written differently (a float for an integer, whitespace) is the same
    // content: the checksum is over values, not text.
    let spaced = text.replacen("[5000,2500,5000]", "[5000.0, 2.5e3, 5000]", 1);
    assert!(load(&spaced).is_ok());
}

#[test]
fn truncated_and_garbage_documents_are_json_errors() {
    let text = sealed(&small());
    for cut in [1, 10, text.len() / 2, text.len() - 1] {
        let e = load(&text[..cut]).unwrap_err();
        assert_eq!(e.code, Code::InvalidJson, "cut at {cut}");
    }
    assert_eq!(load("[]").unwrap_err().code, Code::InvalidType);
    assert_eq!(load("{}").unwrap_err().code, Code::MissingField);
    assert_eq!(load(r#"{"schema":"#).unwrap_err().path, "schema");
    let huge = text.replacen("21.0", "1e999", 1);
    assert!(load(&huge).is_err());
}

#[test]
fn too_many_skus_is_too_large() {
    let mut d = ModelDocV2::from_json(&small().to_string()).unwrap();
    d.skus = (0..=model::MAX_MODEL_SKUS)
        .map(|i| format!("{i:08}"))
        .collect();
    d.neighbours.lengths = vec![0; d.skus.len()];
    d.neighbours.items.clear();
    d.neighbours.scores = Default::default();
    let e = Model::from_v2(d.seal(), &tiny_catalog()).unwrap_err();
    assert_eq!((e.code, e.path.as_str()), (Code::TooLarge, "skus"));
}

#[test]
fn upgrading_keeps_name_and_content() {
    let v1 = sample_doc(&BuildParams::default());
    let v2 = v1.to_artifact(&v1.version);
    assert_eq!(v2.version, v1.version);
    assert_eq!(v2.stats, v1.stats);
    assert_eq!(v2.skus.len(), v1.stats.items as usize);
    assert_eq!(
        v2.neighbours.items.len(),
        v1.neighbours.values().map(Vec::len).sum::<usize>()
    );
    match model::parse(&v2.to_json()).unwrap() {
        model::Artifact::V2(d) => assert_eq!(*d, v2),
        model::Artifact::V1(_) => panic!("parsed as v1"),
    }
}

mod mutations {
    use super::*;
    use proptest::prelude::*;

    /// Bytes that change a JSON document's structure or numbers.
    const BYTES: &[u8] = b"0123456789-+.eE\"\\[]{},: \nxtnu";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The v2 reader on a valid document with a few bytes replaced, inserted or cut: an
        /// error with a code or a model, never a panic; and `validate` agrees with the loader.
        #[test]
        fn a_mutated_v2_document_never_panics(
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, prop::sample::select(BYTES)), 1..4)
        ) {
            let mut bytes = sealed(&small()).into_bytes();
            for (at, kind, b) in edits {
                let i = at.index(bytes.len());
                match kind {
                    0 => bytes[i] = b,
                    1 => bytes.insert(i, b),
                    _ => { bytes.remove(i); }
                }
            }
            let Ok(text) = String::from_utf8(bytes) else { return Ok(()) };
            let loaded = load(&text);
            let problems = unisono::validate::validate("model", &text);
            match loaded {
                Ok(m) => {
                    prop_assert!(problems.is_empty(), "{problems:?}");
                    for i in 0..3 {
                        prop_assert!(m.neighbours(i).all(|(j, s)| j < 3 && s.is_finite()));
                    }
                }
                Err(e) => {
                    prop_assert!(!e.message.is_empty());
                    prop_assert_eq!(problems.first().map(|p| (p.code, p.path.clone())), Some((e.code, e.path)));
                }
            }
        }
    }

    #[test]
    fn layout_does_not_matter() {
        let compact = sealed(&small());
        let value: Value = serde_json::from_str(&compact).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let a = ModelDocV2::from_json(&compact).unwrap();
        let b = ModelDocV2::from_json(&pretty).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_json(), compact, "written compact, in field order");
        // Escaped strings read as their value.
        let escaped = compact.replacen("\"A\"", "\"\\u0041\"", 1);
        assert_eq!(ModelDocV2::from_json(&escaped).unwrap(), a);
    }
}
