//! Engine images (src/image): an engine loaded from an image decides byte for byte as the one
//! built from the same JSON documents, over generated catalogs and models of both model formats;
//! and a truncated, corrupted or hostile image is a coded error (document `image`) or, when the
//! damage misses every byte that is read, an engine that decides the same: never a panic.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::OnceLock;
use unisono::image::{self, format};
use unisono::Engine;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{rel}")).unwrap()
}

const CHANNELS: [&str; 5] = ["web", "app", "kiosk", "store", "email"];
const STORES: [&str; 3] = ["s1", "s2", "kiosk-3"];
const WORDS: [&str; 6] = [
    "Coffee",
    "Espresso Machines",
    "Toys",
    "Ünïcode ☕",
    "",
    "a\"b",
];

fn sku(i: usize) -> String {
    match i % 3 {
        0 => format!("S{i}"),
        1 => format!("SKU-{i:06}"),
        _ => format!("é-long-sku-identifier-{i:04}"),
    }
}

/// One catalog item: every optional field present or not, lists of 0 to 3, stock in listed
/// or unlisted stores.
fn item(i: usize) -> impl Strategy<Value = Value> {
    (
        (0usize..6, prop::collection::vec(0usize..6, 0..3), any::<bool>()),
        (
            prop::option::of(0usize..6),
            prop::option::of(0usize..6),
            prop::collection::vec(0usize..6, 0..3),
            0usize..5,
        ),
        (
            prop::collection::vec((0usize..6, 0usize..6), 0..3),
            prop::option::of(prop::collection::vec(0usize..5, 0..4)),
            prop::collection::vec((0usize..3, 0usize..3), 0..3),
        ),
    )
        .prop_map(
            move |((title, category, _), (brand, image, tags, price), (attrs, channels, stock))| {
                let mut it = json!({
                    "sku": sku(i), "title": WORDS[title],
                    "category": category.iter().map(|&c| WORDS[c]).collect::<Vec<_>>(),
                    "price": ([0.0, 1.5, 19.99, 1e6, 0.1][price]),
                    "tags": tags.iter().map(|&c| WORDS[c]).collect::<Vec<_>>(),
                    "attributes": attrs.iter().map(|&(k, v)| (format!("k{k}"), json!(WORDS[v]))).collect::<serde_json::Map<_, _>>(),
                    "availability": {
                        "stores": stock.iter().map(|&(s, q)| (STORES[s].to_string(), json!([0.0, 1.0, 2.5][q]))).collect::<serde_json::Map<_, _>>(),
                    },
                });
                if let Some(b) = brand {
                    it["brand"] = json!(WORDS[b]);
                }
                if let Some(x) = image {
                    it["image"] = json!(format!("https://img.example/{}", WORDS[x]));
                }
                if let Some(c) = channels {
                    it["availability"]["channels"] =
                        json!(c.iter().map(|&c| CHANNELS[c]).collect::<Vec<_>>());
                }
                it
            },
        )
}

fn catalog() -> impl Strategy<Value = Value> {
    (1usize..25, any::<bool>(), 0usize..3).prop_flat_map(|(n, stores, version)| {
        let items: Vec<_> = (0..n).map(item).collect();
        (items, Just(stores), Just(version)).prop_map(|(items, stores, version)| {
            let mut c = json!({"schema": "unisono.catalog/1", "items": items});
            if stores {
                c["stores"] = json!(STORES
                    .iter()
                    .rev()
                    .map(|s| json!({"id": s, "name": format!("Store {s}"), "city": "Lyon"}))
                    .collect::<Vec<_>>());
            }
            if version > 0 {
                c["version"] = json!(format!("cat-{version}"));
            }
            c
        })
    })
}

/// Population events as CSV: skus of the catalog and some it lacks (their entries are dropped
/// when the model is resolved), every channel, stores.
fn events() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            0usize..10,
            0usize..30,
            0i64..300,
            0usize..3,
            0usize..5,
            0usize..4,
        ),
        0..250,
    )
    .prop_map(|rows| {
        let mut csv = String::from("user_id,sku,ts,type,channel,store\n");
        for (u, s, minute, kind, channel, store) in rows {
            let ts = unisono::time::format_rfc3339(unisono::time::Timestamp(
                1_787_400_000_000 + minute * 3_600_000,
            ));
            let kind = ["view", "add_to_cart", "purchase"][kind];
            let store = if store < 3 { STORES[store] } else { "" };
            csv.push_str(&format!(
                "u{u},{},{ts},{kind},{},{store}\n",
                sku(s),
                CHANNELS[channel]
            ));
        }
        csv
    })
}

fn model(events: &str, v1: bool) -> String {
    let parsed = unisono::builder::parse_events(events, unisono::builder::Format::Csv).unwrap();
    let params = unisono::model::BuildParams {
        min_support: 1,
        k: 5,
        ..Default::default()
    };
    let doc = unisono::builder::build(&parsed, &params, "", &mut |_, _, _| {}).unwrap();
    if v1 {
        doc.seal().to_json()
    } else {
        doc.to_artifact("").to_json()
    }
}

/// Decisions over several channels, placements and stores for a profile of catalog events.
/// A profile with a few events over the catalog's first skus, and contexts on several channels
/// (a kiosk in store `s1` when the catalog has stores).
fn inputs(catalog: &Value) -> (String, Vec<String>) {
    let skus: Vec<&str> = catalog["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sku"].as_str().unwrap())
        .collect();
    let events: Vec<Value> = skus
        .iter()
        .enumerate()
        .take(6)
        .map(|(k, s)| {
            json!({"type": (["view", "purchase", "add_to_cart"][k % 3]), "sku": s, "channel": "web",
                   "ts": format!("2026-11-2{}T10:00:00Z", k % 3)})
        })
        .collect();
    let profile = json!({"schema": "unisono.profile/1", "id": "p-1",
        "consents": {"personalization": true, "marketing": true}, "events": events})
    .to_string();
    let stores = catalog.get("stores").is_some();
    let mut contexts = vec![
        json!({"channel": "web", "placement": "home", "now": "2026-11-23T12:00:00Z"}),
        json!({"channel": "app", "placement": "cart", "now": "2026-11-23T12:00:00Z"}),
        json!({"channel": "email", "placement": "product", "now": "2026-11-23T12:00:00Z", "sku": skus[0]}),
    ];
    if stores {
        contexts.push(json!({"channel": "kiosk", "placement": "home", "store": "s1", "now": "2026-11-23T12:00:00Z"}));
    }
    (profile, contexts.iter().map(Value::to_string).collect())
}

fn decisions(e: &Engine, catalog: &Value) -> Vec<String> {
    let (profile, contexts) = inputs(catalog);
    contexts
        .iter()
        .map(|c| match e.decide_json(&profile, c) {
            Ok(d) => d.to_json(),
            Err(err) => format!("error {err}"),
        })
        .collect()
}

/// `full`'s decisions made public ([`unisono::Decision::make_public`]) against `public`'s,
/// for the contexts `public`'s scope accepts; the others must be refused by it.
fn public_matches_full(
    full: &Engine,
    public: &Engine,
    catalog: &Value,
) -> Result<(), TestCaseError> {
    let (profile, contexts) = inputs(catalog);
    for c in &contexts {
        let in_scope = full.context(c).and_then(|ctx| public.scope().check(&ctx));
        match (full.decide_json(&profile, c), in_scope) {
            (Ok(mut want), Ok(())) => {
                want.make_public();
                let have = public.decide_json(&profile, c).unwrap();
                prop_assert_eq!(want.to_json(), have.to_json());
            }
            (Ok(_), Err(_)) => {
                let e = public.decide_json(&profile, c).unwrap_err();
                prop_assert_eq!(e.code.as_str(), "unknown_reference");
            }
            (Err(_), _) => prop_assert!(public.decide_json(&profile, c).is_err()),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// image → Engine decides as JSON → Engine, and compiling is deterministic.
    #[test]
    fn image_engine_decides_as_the_json_engine(
        cat in catalog(),
        ev in events(),
        v1 in any::<bool>(),
        with_offers in any::<bool>(),
    ) {
        let (c, m, k) = (cat.to_string(), model(&ev, v1), read("examples/sample/config.json"));
        let offers = with_offers.then(|| read("examples/sample/offers.json"));
        let json_engine = Engine::with_offers(&c, &m, &k, offers.as_deref()).unwrap();
        let bytes = image::compile(&c, &m, &k, offers.as_deref()).unwrap();
        prop_assert_eq!(&bytes, &image::compile(&c, &m, &k, offers.as_deref()).unwrap());
        let image_engine = Engine::from_image(&bytes).unwrap();
        prop_assert_eq!(json_engine.versions(), image_engine.versions());
        prop_assert_eq!(decisions(&json_engine, &cat), decisions(&image_engine, &cat));
        // A public image, and a public kiosk image of store s1, decide as the full one.
        let public = image::Scope { audience: image::Audience::Public, ..Default::default() };
        let kiosk = image::Scope {
            audience: image::Audience::Public,
            store: cat.get("stores").map(|_| "s1".to_string()),
            channel: Some(unisono::channel::Channel::Kiosk),
        };
        for scope in [public, kiosk] {
            let bytes = image::compile_scoped(&c, &m, &k, offers.as_deref(), &scope).unwrap();
            let scoped = Engine::from_image(&bytes).unwrap();
            prop_assert_eq!(scoped.scope(), &scope);
            public_matches_full(&json_engine, &scoped, &cat)?;
        }
    }
}

struct Sample {
    bytes: Vec<u8>,
    catalog: Value,
    decisions: Vec<String>,
}

fn sample() -> &'static Sample {
    static S: OnceLock<Sample> = OnceLock::new();
    S.get_or_init(|| {
        let dir = "examples/sample";
        let c = read(&format!("{dir}/catalog.json"));
        let bytes = image::compile(
            &c,
            &read(&format!("{dir}/model.json")),
            &read(&format!("{dir}/config.json")),
            Some(&read(&format!("{dir}/offers.json"))),
        )
        .unwrap();
        let catalog: Value = serde_json::from_str(&c).unwrap();
        let decisions = decisions(&Engine::from_image(&bytes).unwrap(), &catalog);
        Sample {
            bytes,
            catalog,
            decisions,
        }
    })
}

/// Loading never panics; an error is the image's, coded; an engine that loads decides.
fn load_checked(bytes: &[u8]) -> Option<Engine> {
    match Engine::from_image(bytes) {
        Ok(e) => Some(e),
        Err(e) => {
            assert_eq!(e.document, "image", "{e}");
            assert!(!e.message.is_empty());
            None
        }
    }
}

/// Table entry `i`'s field at byte `field` (8: offset, 16: length) set to `value`.
fn set_u64(bytes: &mut [u8], at: usize, value: u64) {
    if let Some(slot) = bytes.get_mut(at..at + 8) {
        slot.copy_from_slice(&value.to_le_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_truncated_image_is_refused(cut in 0usize..100_000) {
        let s = sample();
        let len = cut % s.bytes.len();
        let e = Engine::from_image(&s.bytes[..len]).err().unwrap();
        prop_assert_eq!(e.document, "image");
    }

    /// Flipped bytes anywhere: refused by the checksums, or (only in padding, which no
    /// checksum covers and nothing reads) the same decisions.
    #[test]
    fn flipped_bytes_are_refused_or_harmless(flips in prop::collection::vec((any::<usize>(), 1u8..=255), 1..4)) {
        let s = sample();
        let mut bytes = s.bytes.clone();
        for (at, x) in &flips {
            let n = bytes.len();
            bytes[at % n] ^= x;
        }
        if let Some(e) = load_checked(&bytes) {
            prop_assert_eq!(decisions(&e, &s.catalog), s.decisions.clone());
        }
    }

    /// The same flips with the checksums and id recomputed, so they reach the decoders: a
    /// hostile image. Loading and deciding must not panic.
    #[test]
    fn resealed_flips_never_panic(flips in prop::collection::vec((any::<usize>(), 1u8..=255), 1..6)) {
        let s = sample();
        let mut bytes = s.bytes.clone();
        for (at, x) in &flips {
            let n = bytes.len();
            bytes[at % n] ^= x;
        }
        format::reseal(&mut bytes);
        if let Some(e) = load_checked(&bytes) {
            decisions(&e, &s.catalog);
        }
    }

    /// Section table edits, resealed: offsets and lengths out of range, overlapping, huge,
    /// unaligned; kinds repeated or unknown; counts past the table.
    #[test]
    fn hostile_section_tables_are_refused(
        entry in 0usize..9,
        field in 0usize..5,
        value in prop_oneof![Just(0u64), Just(u64::MAX), Just(1u64 << 40), 0u64..200_000, Just(64), Just(1)],
    ) {
        let s = sample();
        let mut bytes = s.bytes.clone();
        let at = format::HEADER_LEN + entry * format::ENTRY_LEN;
        match field {
            0 => bytes[at..at + 4].copy_from_slice(&(value as u32).to_le_bytes()),
            1 => bytes[at + 4..at + 8].copy_from_slice(&(value as u32).to_le_bytes()),
            2 => set_u64(&mut bytes, at + 8, value),
            3 => set_u64(&mut bytes, at + 16, value),
            _ => bytes[16..20].copy_from_slice(&(value as u32).to_le_bytes()),
        }
        format::reseal(&mut bytes);
        if let Some(e) = load_checked(&bytes) {
            decisions(&e, &s.catalog);
        }
    }
}

/// Column counts that promise more than a section holds: the first words of every section (its
/// fixed fields and first columns' counts), each set in turn to a huge count and resealed, are
/// refused before anything is allocated (or, inside a string or a score, read as one), never a
/// panic or an allocation failure.
#[test]
fn huge_counts_are_refused() {
    let s = sample();
    let c = format::parse(&s.bytes).unwrap();
    let (mut tried, mut refused) = (0, 0);
    for x in &c.sections {
        let start = x.bytes.as_ptr() as usize - s.bytes.as_ptr() as usize;
        let end = start + x.bytes.len().saturating_sub(8);
        for at in (start..end).step_by(8).take(24) {
            for huge in [u64::MAX, (x.bytes.len() as u64) * 2] {
                let mut bytes = s.bytes.clone();
                set_u64(&mut bytes, at, huge);
                format::reseal(&mut bytes);
                // A word inside a string or a score may still read as a valid image.
                refused += usize::from(load_checked(&bytes).is_none());
                tried += 1;
            }
        }
    }
    assert!(tried > 200);
    assert!(refused * 10 > tried * 9, "{refused} of {tried} refused");
}

#[test]
fn the_sample_image_loads_with_its_manifest() {
    let s = sample();
    let l = image::load(&s.bytes).unwrap();
    assert_eq!(l.manifest.scope, image::Scope::default());
    assert_eq!(l.manifest.image_id.len(), 64);
    let json_engine = Engine::with_offers(
        &read("examples/sample/catalog.json"),
        &read("examples/sample/model.json"),
        &read("examples/sample/config.json"),
        Some(&read("examples/sample/offers.json")),
    )
    .unwrap();
    assert_eq!(l.manifest.catalog_hash, json_engine.catalog().content_hash);
    assert_eq!(l.manifest.model_version, json_engine.versions().model);
    // Every section starts 8-aligned and the header is what docs/image.md says.
    assert_eq!(&s.bytes[..8], &format::MAGIC);
    assert_eq!(
        u32::from_le_bytes(s.bytes[8..12].try_into().unwrap()),
        format::FORMAT_VERSION
    );
    let c = format::parse(&s.bytes).unwrap();
    for x in &c.sections {
        assert_eq!(
            (x.bytes.as_ptr() as usize - s.bytes.as_ptr() as usize) % 8,
            0
        );
    }
}

#[test]
fn wrong_magic_and_version_are_unsupported() {
    let s = sample();
    let mut bytes = s.bytes.clone();
    bytes[8] = 1; // format 1 (the first slice) had no audience scope
    let e = Engine::from_image(&bytes).err().unwrap();
    assert_eq!(
        (e.code.as_str(), e.path.as_str()),
        ("unsupported_schema", "format_version")
    );
    let e = Engine::from_image(br#"{"schema":"unisono.catalog/1"}"#)
        .err()
        .unwrap();
    assert_eq!(e.code.as_str(), "invalid_value");
    let mut bytes = s.bytes.clone();
    bytes[0] = b'{';
    let e = Engine::from_image(&bytes).err().unwrap();
    assert_eq!(
        (e.code.as_str(), e.path.as_str()),
        ("unsupported_schema", "magic")
    );
}

#[test]
fn a_flipped_section_byte_names_its_section() {
    let s = sample();
    let c = format::parse(&s.bytes).unwrap();
    for x in &c.sections {
        let at = x.bytes.as_ptr() as usize - s.bytes.as_ptr() as usize;
        let mut bytes = s.bytes.clone();
        bytes[at + x.bytes.len() / 2] ^= 0x40;
        let e = Engine::from_image(&bytes).err().unwrap();
        // The manifest is also under the image id, which is checked first.
        let want = if x.kind == image::KIND_MANIFEST {
            "image_id".to_string()
        } else {
            format!("sections[{}]", x.index)
        };
        assert_eq!((e.code.as_str(), e.path), ("checksum_mismatch", want));
    }
}

/// The sample's documents with every offer code made unique and searchable.
fn sample_with_secret_codes() -> [String; 4] {
    let mut offers: Value = serde_json::from_str(&read("examples/sample/offers.json")).unwrap();
    for o in offers["offers"].as_array_mut().unwrap() {
        let id = o["id"].as_str().unwrap().to_string();
        for c in o["content"].as_object_mut().unwrap().values_mut() {
            c["code"] = json!(format!("SECRET-{id}-7Q"));
        }
    }
    [
        read("examples/sample/catalog.json"),
        read("examples/sample/model.json"),
        read("examples/sample/config.json"),
        offers.to_string(),
    ]
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// A public image holds no code, no exact stock and, scoped to a store, no other store; the
/// full image holds them all.
#[test]
fn a_public_image_holds_nothing_private() {
    let [c, m, k, o] = sample_with_secret_codes();
    let full = image::compile(&c, &m, &k, Some(&o)).unwrap();
    assert!(contains(&full, "SECRET-"));
    let scope = image::Scope {
        audience: image::Audience::Public,
        store: Some("edi-princes".into()),
        channel: Some(unisono::channel::Channel::Kiosk),
    };
    let public = image::compile_scoped(&c, &m, &k, Some(&o), &scope).unwrap();
    assert!(!contains(&public, "SECRET-"));
    for other in ["lon-oxford", "man-arndale", "London Oxford Street"] {
        assert!(
            contains(&full, other) && !contains(&public, other),
            "{other}"
        );
    }
    // Stock as in (1) or out: no quantity survives (5.0 is the first item's stock there).
    let e = Engine::from_image(&public).unwrap();
    let stock: Vec<f64> = e
        .catalog()
        .items
        .iter()
        .flat_map(|it| it.availability.stores.iter().map(|(_, q)| q))
        .collect();
    assert!(!stock.is_empty() && stock.iter().all(|&q| q == 1.0));
}

/// A scoped image refuses a context outside its scope (another channel or store) with a coded
/// error naming it, and still decides afterwards; a store that is not in the catalog cannot be
/// compiled for.
#[test]
fn a_scoped_image_refuses_other_channels_and_stores() {
    let [c, m, k, o] = sample_with_secret_codes();
    let scope = image::Scope {
        audience: image::Audience::Public,
        store: Some("edi-princes".into()),
        channel: Some(unisono::channel::Channel::Kiosk),
    };
    let e =
        Engine::from_image(&image::compile_scoped(&c, &m, &k, Some(&o), &scope).unwrap()).unwrap();
    let profile = read("examples/sample/profiles/cust-anna.json");
    let ctx = |ch: &str, store: Option<&str>| {
        json!({"channel": ch, "placement": "home", "store": store, "now": "2026-11-23T12:00:00Z"})
            .to_string()
    };
    let web = e.decide_json(&profile, &ctx("web", None)).unwrap_err();
    assert_eq!(
        (web.code.as_str(), web.path.as_str()),
        ("unknown_reference", "channel")
    );
    let other = e
        .decide_json(&profile, &ctx("kiosk", Some("lon-oxford")))
        .unwrap_err();
    assert_eq!(
        (other.code.as_str(), other.path.as_str()),
        ("unknown_reference", "store")
    );
    let ok = e
        .decide_json(&profile, &ctx("kiosk", Some("edi-princes")))
        .unwrap();
    assert_eq!(ok.store.as_deref(), Some("edi-princes"));
    let bad = image::Scope {
        store: Some("nowhere".into()),
        ..scope
    };
    let err = image::compile_scoped(&c, &m, &k, Some(&o), &bad).unwrap_err();
    assert_eq!(
        (err.code.as_str(), err.path.as_str()),
        ("unknown_reference", "scope.store")
    );
}

/// The back end reveals a shown offer's code for the decision that showed it, and refuses a
/// stale decision id, an offer the decision does not show, and a public image.
#[test]
fn codes_are_revealed_only_for_shown_offers() {
    let [c, m, k, o] = sample_with_secret_codes();
    let full = Engine::with_offers(&c, &m, &k, Some(&o)).unwrap();
    let public = Engine::from_image(
        &image::compile_scoped(
            &c,
            &m,
            &k,
            Some(&o),
            &image::Scope {
                audience: image::Audience::Public,
                ..Default::default()
            },
        )
        .unwrap(),
    )
    .unwrap();
    let profile = read("examples/sample/profiles/cust-anna.json");
    let ctx = json!({"channel": "web", "placement": "product", "sku": "SO-CMP-0006", "now": "2026-11-23T12:00:00Z"}).to_string();
    let shown = public.decide_json(&profile, &ctx).unwrap();
    let first = shown
        .offers
        .first()
        .expect("the sample shows anna an offer");
    assert_eq!(first.content.code, None);
    let r = full
        .reveal_json(&profile, &ctx, &shown.decision_id, &first.id)
        .unwrap();
    assert_eq!(r.code, Some(format!("SECRET-{}-7Q", first.id)));
    let not_shown = shown
        .suppressed_offers
        .first()
        .expect("some offer is not shown");
    for (decision, offer, path) in [
        ("d-0", first.id.as_str(), "decisionId"),
        (shown.decision_id.as_str(), not_shown.id.as_str(), "offerId"),
    ] {
        let e = full
            .reveal_json(&profile, &ctx, decision, offer)
            .unwrap_err();
        assert_eq!((e.code.as_str(), e.path.as_str()), ("invalid_value", path));
    }
    let e = public
        .reveal_json(&profile, &ctx, &shown.decision_id, &first.id)
        .unwrap_err();
    assert_eq!(e.code.as_str(), "invalid_value");
}
