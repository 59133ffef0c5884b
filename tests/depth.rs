//! Deep nesting in every document reader (issue 15, class 1): a generated table over every
//! document kind × every field a deep value can reach × depths around the limit and far past
//! it, for both `[` and `{` nesting. Past the limit the answer is `too_large` at the path of the
//! first level too many (never a stack overflow, which aborts this test binary); at the limit a
//! free-form field still loads.

use unisono::builder::{self, Format};
use unisono::catalog::Catalog;
use unisono::config::Config;
use unisono::error::{Code, Error, MAX_DEPTH};
use unisono::import::{self, Source};
use unisono::model::{self, Model};
use unisono::offers::Offers;
use unisono::profile::Profile;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/");

fn sample(name: &str) -> String {
    std::fs::read_to_string(format!("{SAMPLE}{name}")).unwrap()
}

fn v1_model() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/conformance/v1/artifacts/ties/model.json"
    ))
    .unwrap()
}

/// A value of `depth` nested arrays (`[[…]]`) or objects (`{"a":{"a":…1}}`).
fn nest(depth: usize, open: char) -> String {
    if open == '[' {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    } else {
        format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
    }
}

/// The path of level `k` (1-based) of [`nest`] below `field`.
fn nested_path(field: &str, k: usize, open: char) -> String {
    let step = if open == '[' { "[0]" } else { ".a" };
    format!("{field}{}", step.repeat(k - 1))
}

/// Paths may be shortened around a `…` (keys of free-form maps are part of them).
fn same_path(got: &str, want: &str) -> bool {
    match got.split_once('…') {
        None => got == want,
        Some((head, tail)) => want.starts_with(head) && want.ends_with(tail),
    }
}

/// What a row's reader answers at or under the limit.
#[derive(Debug, Clone, Copy)]
enum Within {
    /// Loads (a free-form field takes any JSON).
    Loads,
    /// A typed field: refused, with this code, whatever the depth (the reader stops at the
    /// first wrong type, before the nesting).
    Refused(Code),
}

/// Reads the document with a value at the row's field.
type Reader = Box<dyn Fn(&str) -> Result<(), Error>>;

/// One reader and one field a deep value can reach.
struct Row {
    name: &'static str,
    /// The document with `value` at the field.
    read: Reader,
    /// The field's JSON path.
    field: &'static str,
    /// Arrays and objects around the field (the document's own object is one).
    around: usize,
    /// Under the limit, per nesting kind (`[`, `{`).
    within: [Within; 2],
    /// Past the limit: `too_large` at the level too many, or (typed fields read by serde,
    /// which refuse the first wrong type) the `Within` code again.
    past_is_too_large: bool,
}

fn with(text: &str, at: &str, insert: &str) -> String {
    assert!(text.contains(at), "the fixture has {at}");
    text.replacen(at, &format!("{at}{insert}"), 1)
}

fn rows() -> Vec<Row> {
    let catalog = sample("catalog.json");
    let model_v2 = sample("model.json");
    let model_v1 = v1_model();
    let config = sample("config.json");
    // The first offer's rule replaced by a placeholder for the value.
    let mut offers: serde_json::Value = serde_json::from_str(&sample("offers.json")).unwrap();
    offers["offers"][0]["eligibility"] = "VALUE".into();
    let offers = offers.to_string();
    let profile = r#"{"schema":"unisono.profile/1","id":"c1","traits":{"attributes":{"x":VALUE}},"events":[{"type":"view","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z"}]}"#;
    let cat = Catalog::from_json(&catalog).unwrap();
    let cat2 = cat.clone();
    let ok = |r: Result<(), Error>| r;
    let (m2, m2b, m2c, m1) = (
        model_v2.clone(),
        model_v2.clone(),
        model_v2.clone(),
        model_v1.clone(),
    );
    let catalog_b = catalog.clone();
    vec![
        Row {
            name: "profile traits.attributes",
            read: Box::new(move |v| ok(Profile::from_json(&profile.replace("VALUE", v)).map(drop))),
            field: "traits.attributes.x",
            around: 3,
            within: [Within::Loads; 2],
            past_is_too_large: true,
        },
        Row {
            name: "validate profile traits.attributes",
            read: Box::new(move |v| {
                let problems = unisono::validate::validate("profile", &profile.replace("VALUE", v));
                match problems.first() {
                    None => Ok(()),
                    Some(p) => Err(Error::new(p.code, "profile", p.path.clone(), "")),
                }
            }),
            field: "traits.attributes.x",
            around: 3,
            within: [Within::Loads; 2],
            past_is_too_large: true,
        },
        Row {
            name: "offers eligibility",
            read: Box::new(move |v| {
                Offers::from_json(&offers.replacen("\"VALUE\"", v, 1)).map(drop)
            }),
            field: "offers[0].eligibility",
            around: 3,
            // A list of lists is a literal; `{"a":…}` is an unknown operator.
            within: [Within::Loads, Within::Refused(Code::InvalidValue)],
            past_is_too_large: true,
        },
        Row {
            name: "model v2 params (hand-written reader)",
            read: Box::new(move |v| {
                Model::from_json(&with(&m2, "\"params\":{", &format!("\"x\":{v},")), &cat).map(drop)
            }),
            field: "params.x",
            around: 2,
            within: [Within::Refused(Code::InvalidValue); 2],
            past_is_too_large: true,
        },
        Row {
            name: "model v2 stats (hand-written reader)",
            read: Box::new(move |v| {
                model::parse(&with(&m2b, "\"stats\":{", &format!("\"x\":{v},"))).map(drop)
            }),
            field: "stats.x",
            around: 2,
            within: [Within::Refused(Code::InvalidValue); 2],
            past_is_too_large: true,
        },
        Row {
            name: "model v2 as_of (hand-written reader)",
            read: Box::new(move |v| {
                let text = m2c.replacen(
                    "\"as_of\":\"2026-11-22T23:59:44Z\"",
                    &format!("\"as_of\":{v}"),
                    1,
                );
                assert_ne!(text, m2c);
                model::parse(&text).map(drop)
            }),
            field: "as_of",
            around: 1,
            within: [Within::Refused(Code::InvalidType); 2],
            past_is_too_large: true,
        },
        Row {
            name: "model v1 params (serde)",
            read: Box::new(move |v| {
                Model::from_json(&with(&m1, "\"params\":{", &format!("\"x\":{v},")), &cat2)
                    .map(drop)
            }),
            field: "params.x",
            around: 2,
            within: [Within::Refused(Code::InvalidValue); 2],
            past_is_too_large: false,
        },
        Row {
            name: "catalog item category (whole text)",
            read: Box::new(move |v| {
                let text = catalog.replacen("\"category\": [", &format!("\"category\": [{v},"), 1);
                Catalog::from_json(&text).map(drop)
            }),
            field: "items[0].category[0]",
            around: 4,
            within: [Within::Refused(Code::InvalidType); 2],
            past_is_too_large: false,
        },
        Row {
            name: "catalog item category (pieces scanner)",
            read: Box::new(move |v| {
                let text =
                    catalog_b.replacen("\"category\": [", &format!("\"category\": [{v},"), 1);
                let mut rest = text.as_str();
                let pieces = Catalog::from_pieces(&mut |buf| {
                    let cut = rest.len().min(4096);
                    let cut = (cut..=rest.len())
                        .find(|&c| rest.is_char_boundary(c))
                        .unwrap();
                    buf.push_str(&rest[..cut]);
                    rest = &rest[cut..];
                    cut > 0
                });
                // The scanner gives up on anything unusual; the whole text then says why.
                match pieces {
                    Some(r) => r.map(drop),
                    None => Catalog::from_json(&text).map(drop),
                }
            }),
            field: "items[0].category[0]",
            around: 4,
            within: [Within::Refused(Code::InvalidType); 2],
            past_is_too_large: false,
        },
        Row {
            name: "config",
            read: Box::new(move |v| {
                Config::from_json(&with(&config, "{", &format!("\"x\":{v},"))).map(drop)
            }),
            field: "x",
            around: 1,
            within: [Within::Refused(Code::InvalidValue); 2],
            past_is_too_large: false,
        },
        Row {
            name: "import segment properties",
            read: Box::new(|v| {
                let line = format!(
                    r#"{{"type":"track","event":"Product Viewed","userId":"u1","timestamp":"2026-01-01T00:00:00Z","properties":{{"sku":"A","x":{v}}}}}"#
                );
                import::import_events(&line, Source::Segment).map(drop)
            }),
            field: "line 1",
            around: 2,
            within: [Within::Loads; 2],
            past_is_too_large: true,
        },
        Row {
            name: "build events ndjson",
            read: Box::new(|v| {
                let line = format!(
                    r#"{{"user_id":"u1","sku":"A","ts":"2026-01-01T00:00:00Z","type":"view","x":{v}}}"#
                );
                builder::parse_events(&line, Format::Ndjson).map(drop)
            }),
            field: "line 1",
            around: 1,
            within: [Within::Loads; 2],
            past_is_too_large: true,
        },
    ]
}

#[test]
fn deep_nesting_in_every_reader_is_a_coded_error_at_its_path() {
    let mut checked = 0;
    for row in rows() {
        let limit = MAX_DEPTH - row.around;
        for (kind, open) in ['[', '{'].into_iter().enumerate() {
            for depth in [limit - 1, limit, limit + 1, 10_000, 1_000_000] {
                let got = (row.read)(&nest(depth, open));
                let case = format!("{} {open} depth {depth} (limit {limit})", row.name);
                if depth <= limit {
                    match (row.within[kind], &got) {
                        (Within::Loads, Ok(())) => {}
                        (Within::Refused(code), Err(e)) if e.code == code => {}
                        _ => panic!("{case}: expected {:?}, got {got:?}", row.within[kind]),
                    }
                } else if row.past_is_too_large {
                    let e = got.expect_err(&case);
                    let want = row_path(&row, limit + 1, open);
                    assert_eq!(e.code, Code::TooLarge, "{case}: {e}");
                    assert!(
                        same_path(&e.path, &want),
                        "{case}: path {} vs {want}",
                        e.path
                    );
                } else {
                    let Within::Refused(code) = row.within[kind] else {
                        panic!("{case}: a typed row refuses")
                    };
                    assert_eq!(got.map_err(|e| e.code), Err(code), "{case}");
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, rows().len() * 2 * 5);
}

/// Where a row reports the level too many: NDJSON readers name the line only.
fn row_path(row: &Row, k: usize, open: char) -> String {
    if row.field.starts_with("line ") {
        row.field.to_string()
    } else {
        nested_path(row.field, k, open)
    }
}

#[test]
fn values_the_readers_ignore_are_skipped_without_recursion() {
    // Unknown keys of an event are ignored (CDP exports carry extra properties): serde_json
    // skips them in a loop, so any depth costs no stack and is not an error.
    for open in ['[', '{'] {
        let v = nest(1_000_000, open);
        let text = format!(
            r#"{{"schema":"unisono.profile/1","id":"c1","events":[{{"type":"view","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z","extra":{v}}}]}}"#
        );
        assert_eq!(Profile::from_json(&text).unwrap().events.len(), 1);
    }
}

#[test]
fn a_document_nested_a_million_deep_at_its_root_is_refused() {
    for open in ['[', '{'] {
        let v = nest(1_000_000, open);
        for r in [
            Profile::from_json(&v).map(drop),
            Catalog::from_json(&v).map(drop),
            Config::from_json(&v).map(drop),
            Offers::from_json(&v).map(drop),
            model::parse(&v).map(drop),
        ] {
            let e = r.unwrap_err();
            assert!(
                matches!(
                    e.code,
                    Code::TooLarge
                        | Code::InvalidType
                        | Code::InvalidValue
                        | Code::MissingField
                        | Code::UnsupportedSchema
                ),
                "{open}: {e}"
            );
        }
    }
}
