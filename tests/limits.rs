//! Bounded work (issue 15, class 8): every list limit is enforced while the list is read, and
//! SECURITY.md's *Limits* table states the constants the code has.

use unisono::catalog::{Catalog, MAX_ITEMS, MAX_STORES};
use unisono::error::{Code, Error};
use unisono::offers::{Offers, MAX_OFFERS};
use unisono::profile::{Profile, MAX_EVENTS, MAX_IDENTIFIERS, MAX_SEGMENTS};

/// 10 MB that is not JSON: a reader that reaches it says `invalid_json`.
fn garbage() -> String {
    "x".repeat(10_000_000)
}

/// `n` copies of `element`, comma-separated.
fn list(element: &str, n: usize) -> String {
    let mut out = String::with_capacity((element.len() + 1) * n);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        out.push_str(element);
    }
    out
}

/// Each list at its limit + 1 element, followed by 10 MB of garbage: `too_large` at the list's
/// path, not `invalid_json` — the reader stopped at the element too many instead of reading
/// the rest (and without the garbage, the same answer).
#[test]
fn each_list_is_refused_at_one_past_its_limit_while_it_is_read() {
    type Read = fn(&str) -> Result<(), Error>;
    let profile: Read = |t| Profile::from_json(t).map(drop);
    let catalog: Read = |t| Catalog::from_json(t).map(drop);
    let offers: Read = |t| Offers::from_json(t).map(drop);
    let model: Read = |t| unisono::model::parse(t).map(drop);
    let event = r#"{"type":"view","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z"}"#;
    let cases: Vec<(&str, Read, String, usize, String, &str)> = vec![
        (
            "profile events",
            profile,
            r#"{"schema":"unisono.profile/1","id":"c","events":["#.into(),
            MAX_EVENTS,
            event.into(),
            "events",
        ),
        (
            "profile segments",
            profile,
            r#"{"schema":"unisono.profile/1","id":"c","segments":["#.into(),
            MAX_SEGMENTS,
            r#""vip""#.into(),
            "segments",
        ),
        (
            "profile identifiers",
            profile,
            r#"{"schema":"unisono.profile/1","id":"c","identifiers":["#.into(),
            MAX_IDENTIFIERS,
            r#"{"type":"email","value":"v"}"#.into(),
            "identifiers",
        ),
        (
            "catalog items",
            catalog,
            r#"{"schema":"unisono.catalog/1","items":["#.into(),
            MAX_ITEMS,
            r#"{"sku":"A","title":"t","price":1}"#.into(),
            "items",
        ),
        (
            "catalog stores",
            catalog,
            r#"{"schema":"unisono.catalog/1","stores":["#.into(),
            MAX_STORES,
            r#"{"id":"s"}"#.into(),
            "stores",
        ),
        (
            "offers",
            offers,
            r#"{"schema":"unisono.offers/1","offers":["#.into(),
            MAX_OFFERS,
            r#"{"id":"o","name":"n","content":{"en":{"title":"t"}}}"#.into(),
            "offers",
        ),
        (
            "model skus",
            model,
            r#"{"schema":"unisono.model/2","skus":["#.into(),
            unisono::model::MAX_MODEL_SKUS,
            r#""a""#.into(),
            "skus",
        ),
    ];
    for (name, read, head, max, element, path) in cases {
        let items = list(&element, max + 1);
        for tail in [format!(",{}", garbage()), "]}".to_string()] {
            let e = read(&format!("{head}{items}{tail}")).unwrap_err();
            assert_eq!(
                (e.code, e.path.as_str()),
                (Code::TooLarge, path),
                "{name}: {e}"
            );
        }
    }
}

/// A map too large is refused while it is read too: an item's stock names at most
/// `MAX_STORES` stores.
#[test]
fn an_items_stock_is_refused_at_one_past_the_store_limit() {
    let stock: Vec<String> = (0..=MAX_STORES).map(|i| format!(r#""s{i}":1"#)).collect();
    let text = format!(
        r#"{{"schema":"unisono.catalog/1","items":[{{"sku":"A","title":"t","price":1,"availability":{{"stores":{{{},{}"#,
        stock.join(","),
        garbage()
    );
    let e = Catalog::from_json(&text).unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (Code::TooLarge, "items[0].availability.stores"),
        "{e}"
    );
}

/// 100,000 keys in reverse order, where a reader once inserted each in a sorted vector or
/// scanned the keys seen: quadratic, minutes. These only have to finish in the normal run.
#[test]
fn large_maps_read_in_linear_time() {
    let n = 100_000;
    // An item stocked in 100k stores, listed in reverse order.
    let stock: Vec<String> = (0..n).rev().map(|i| format!(r#""s{i:06}":1"#)).collect();
    let text = format!(
        r#"{{"schema":"unisono.catalog/1","items":[{{"sku":"A","title":"t","price":1,"availability":{{"stores":{{{}}}}}}}]}}"#,
        stock.join(",")
    );
    let c = Catalog::from_json(&text).unwrap();
    assert_eq!(c.items[0].availability.stores.len(), n);
    assert_eq!(c.items[0].stock_in("s000000"), 1.0);

    // A v2 model's per-store rankings with 100k stores (each key checked for repeats).
    let stores: Vec<String> = (0..n)
        .rev()
        .map(|i| format!(r#""s{i:06}":{{"items":[],"scores":[]}}"#))
        .collect();
    let model = format!(
        r#"{{"schema":"unisono.model/2","popularity":{{"stores":{{{}}}}}}}"#,
        stores.join(",")
    );
    let e = unisono::model::parse(&model).unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (Code::MissingField, "version"),
        "{e}"
    );

    // An import adding 100k different skus to one cart, then buying them in reverse order.
    let mut lines = String::new();
    for i in 0..n {
        lines += &format!(
            "{{\"type\":\"track\",\"event\":\"Product Added\",\"userId\":\"u\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"properties\":{{\"sku\":\"k{i}\"}}}}\n"
        );
    }
    for i in (0..n / 2).rev() {
        lines += &format!(
            "{{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u\",\"timestamp\":\"2026-01-02T00:00:00Z\",\"properties\":{{\"sku\":\"k{i}\"}}}}\n"
        );
    }
    let imported =
        unisono::import::import_events(&lines, unisono::import::Source::Segment).unwrap();
    let p: Profile = imported.profiles.into_values().next().unwrap();
    assert_eq!(p.cart.len(), n / 2);
    assert_eq!(
        p.cart[0].sku,
        format!("k{}", n / 2),
        "the cart keeps the order of the adds"
    );
}

/// SECURITY.md's *Limits* table: each row names a constant (`` `NAME` ``) and its value; the
/// value must be the constant's, and every constant below must have a row.
#[test]
fn the_documented_limits_are_the_constants_in_the_code() {
    let constants: &[(&str, usize)] = &[
        ("MAX_EVENTS", MAX_EVENTS),
        ("MAX_SEGMENTS", MAX_SEGMENTS),
        ("MAX_IDENTIFIERS", MAX_IDENTIFIERS),
        ("MAX_STRING", unisono::profile::MAX_STRING),
        ("MAX_ITEMS", MAX_ITEMS),
        ("MAX_STORES", MAX_STORES),
        ("MAX_OFFERS", MAX_OFFERS),
        ("MAX_MODEL_SKUS", unisono::model::MAX_MODEL_SKUS),
        ("MAX_NEIGHBOURS", unisono::model::MAX_NEIGHBOURS),
        ("error::MAX_DEPTH", unisono::error::MAX_DEPTH),
        ("rules::MAX_DEPTH", unisono::rules::MAX_DEPTH),
        ("MAX_SLOTS", unisono::config::MAX_SLOTS),
        ("MAX_CONTACT_EVENTS", unisono::offers::MAX_CONTACT_EVENTS),
        ("MAX_COUNT", unisono::error::MAX_COUNT as usize),
        ("MAX_QUANTITY", unisono::profile::MAX_QUANTITY as usize),
        ("MAX_MESSAGE", unisono::error::MAX_MESSAGE),
        ("MAX_PATH", unisono::error::MAX_PATH),
        ("MAX_RULE_TEXT", unisono::offers::MAX_RULE_TEXT),
    ];
    let security =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/SECURITY.md")).unwrap();
    let section = security
        .split("\n## Limits\n")
        .nth(1)
        .expect("SECURITY.md has a `## Limits` section");
    let section = section.split("\n## ").next().unwrap();
    let mut seen = Vec::new();
    for row in section
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains('`'))
    {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | what | limit | constant | beyond it |
        let (Some(limit), Some(name)) = (cells.get(2), cells.get(3)) else {
            continue;
        };
        let Some(name) = name.strip_prefix('`').and_then(|n| n.strip_suffix('`')) else {
            continue;
        };
        let (_, value) = constants
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("SECURITY.md names an unknown constant {name}"));
        let documented: usize = limit
            .split_whitespace()
            .next()
            .unwrap()
            .replace(',', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}: {limit:?} does not start with a number"));
        assert_eq!(documented, *value, "SECURITY.md's {name}");
        seen.push(name.to_string());
    }
    for (name, _) in constants {
        assert!(
            seen.iter().any(|s| s == name),
            "SECURITY.md has no row for {name}"
        );
    }
}

/// The Wasm binding reads a catalog from the JS string in pieces: that reader stops at the item
/// one past the limit too (it hands the text back, and the whole-text reader, which stops at
/// the same item, says `too_large`), before the rest of the text has been asked for.
#[test]
fn the_catalog_pieces_reader_stops_at_one_past_the_item_limit() {
    let head = r#"{"schema":"unisono.catalog/1","items":["#;
    let items = list(r#"{"sku":"A","title":"t","price":1}"#, MAX_ITEMS + 1);
    let text = format!("{head}{items},{}", garbage());
    let mut rest = text.as_str();
    let mut asked = 0usize;
    let got = Catalog::from_pieces(&mut |buf| {
        let cut = rest.len().min(1 << 16);
        if cut == 0 {
            return false;
        }
        buf.push_str(&rest[..cut]);
        rest = &rest[cut..];
        asked += cut;
        true
    });
    assert!(got.is_none(), "the pieces reader gives up past the limit");
    assert!(
        asked < head.len() + items.len() + (1 << 17),
        "it stopped at the item too many ({asked} of {} bytes read)",
        text.len()
    );
    let e = Catalog::from_json(&text).unwrap_err();
    assert_eq!((e.code, e.path.as_str()), (Code::TooLarge, "items"), "{e}");
}
