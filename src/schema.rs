//! JSON Schemas of the documents, derived from the Rust types that parse them (feature
//! `schema`, native only: the Wasm package never contains this module or schemars).
//!
//! [`documents`] gives `schemas/<name>.schema.json` (draft 2020-12); `tests/schemas.rs` checks
//! the committed files against it (`UNISONO_BLESS=1` rewrites them) and validates every sample
//! document with them, and `scripts/gen-types.mjs` turns them into `src/types.d.ts`.
//!
//! A schema describes the shape the parser accepts: types, required fields, enums, aliases and
//! the numeric and length limits. What needs the whole document (unique skus, known stores,
//! eligibility-rule syntax, the model checksum, byte lengths) is checked by the loaders and
//! reported, all at once, by [`crate::validate`].

use crate::channel::{Channel, Placement};
use crate::profile::EventType;
use crate::time::Timestamp;
use schemars::generate::SchemaSettings;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// `$id` of `schemas/<name>.schema.json` is `<BASE_URL><name>-1.json` (format version 1).
pub const BASE_URL: &str = "https://unisono.dev/schemas/";

/// Every spelling [`Channel::parse`] accepts, after its normalisation (trimmed, lower case,
/// spaces, hyphens and dots as `_`). Keep in sync with `Channel::parse` (a test checks each
/// entry parses to its channel).
pub const CHANNEL_ALIASES: &[(Channel, &[&str])] = &[
    (
        Channel::Web,
        &["web", "website", "web_shop", "webshop", "online", "desktop"],
    ),
    (
        Channel::App,
        &["app", "mobile", "mobile_app", "ios", "android", "webview"],
    ),
    (Channel::Kiosk, &["kiosk", "in_store_kiosk"]),
    (
        Channel::Store,
        &["store", "pos", "in_store", "retail", "shop"],
    ),
    (Channel::Email, &["email", "e_mail", "newsletter"]),
    (
        Channel::CallCenter,
        &["call_center", "call_centre", "callcenter", "phone"],
    ),
];

/// Segment / GA4 names [`EventType::parse`] maps to each canonical type (same normalisation as
/// channels). Keep in sync with `EventType::parse` (a test checks each entry).
pub const EVENT_TYPE_ALIASES: &[(&str, &[&str])] = &[
    (
        "view",
        &[
            "product_viewed",
            "view_item",
            "product_clicked",
            "select_item",
        ],
    ),
    ("add_to_cart", &["product_added", "added_to_cart", "cart"]),
    ("remove_from_cart", &["product_removed"]),
    ("purchase", &["order_completed", "purchased", "order"]),
    ("search", &["products_searched", "view_search_results"]),
    ("store_visit", &["store_visited"]),
    ("offer_impression", &["promotion_viewed", "view_promotion"]),
    ("offer_click", &["promotion_clicked", "select_promotion"]),
    ("offer_redeemed", &["coupon_applied"]),
    ("offer_dismissed", &["promotion_dismissed"]),
];

/// What [`crate::time::parse_rfc3339`] accepts, as far as a regular expression can say (the
/// day is checked against the month by the parser).
const TIME_PATTERN: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";

impl JsonSchema for Timestamp {
    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "unisono::Timestamp".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An RFC 3339 time: `YYYY-MM-DDTHH:MM:SS`, an optional fraction (`.123`), then `Z` or an offset (`+01:00`); years 0000–9999, a space may stand for `T`. The engine writes UTC, with milliseconds only when non-zero: `2026-11-23T12:00:00Z`.",
            "type": "string",
            "minLength": 20,
            "maxLength": 40,
            "pattern": TIME_PATTERN,
        })
    }
}

/// A catalog item's stock: read and written as the JSON object a `BTreeMap<String, f64>` is.
impl JsonSchema for crate::catalog::Stock {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Stock".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        BTreeMap::<String, f64>::json_schema(generator)
    }
}

/// A model score column: JSON numbers (integers as the builder writes them), each standing
/// for number ÷ 10^`decimals`.
impl JsonSchema for crate::model::Scores {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Scores".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "array",
            "items": { "type": "number" },
        })
    }
}

/// The canonical channel names: the `Channel` definition of every schema.
struct ChannelName;

impl JsonSchema for ChannelName {
    fn schema_name() -> Cow<'static, str> {
        "Channel".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "unisono::Channel".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
        json_schema!({
            "description": "A touchpoint of the retailer: `web`, `app`, `kiosk`, `store` (point of sale in a physical store), `email`, `call_center`. This canonical name is what the engine writes.",
            "type": "string",
            "enum": names,
        })
    }
}

/// Any spelling of a channel the parser accepts (documents may use CDP names such as `POS`).
struct ChannelAlias;

/// `web_shop` → `^\s*([wW][eE][bB][ ._-][sS][hH][oO][pP]|…)\s*$`: what `normalize_name` maps to
/// one of `names`.
fn normalized_pattern<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let alternatives: Vec<String> = names
        .into_iter()
        .map(|name| {
            name.chars()
                .map(|c| match c {
                    '_' => "[ ._-]".to_string(),
                    c if c.is_ascii_alphabetic() => {
                        format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
                    }
                    c => c.to_string(),
                })
                .collect()
        })
        .collect();
    format!(r"^\s*({})\s*$", alternatives.join("|"))
}

impl JsonSchema for ChannelAlias {
    fn schema_name() -> Cow<'static, str> {
        "ChannelAlias".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "unisono::ChannelAlias".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let listed: Vec<String> = CHANNEL_ALIASES
            .iter()
            .map(|(c, names)| format!("{}: {}", c.as_str(), names.join(", ")))
            .collect();
        let pattern =
            normalized_pattern(CHANNEL_ALIASES.iter().flat_map(|(_, n)| n.iter().copied()));
        json_schema!({
            "description": format!(
                "Another spelling of a channel, as customer data platforms export it. Case, surrounding spaces, and spaces, hyphens or dots for `_` do not matter (`POS`, `Call Centre`). Accepted names — {}.",
                listed.join("; ")
            ),
            "type": "string",
            "pattern": pattern,
        })
    }
}

// Inlined: where a document is read, a channel is `Channel | ChannelAlias`; where the engine
// writes one (the decision), it is the canonical `Channel`.
impl JsonSchema for Channel {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Channel".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "unisono::ChannelField".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let canonical = generator.subschema_for::<ChannelName>();
        if generator.contract().is_serialize() {
            canonical
        } else {
            let alias = generator.subschema_for::<ChannelAlias>();
            json_schema!({ "anyOf": [canonical, alias] })
        }
    }
}

impl JsonSchema for Placement {
    fn schema_name() -> Cow<'static, str> {
        "Placement".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "unisono::Placement".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Where on a channel the decision is shown (exactly these names).",
            "type": "string",
            "enum": ["home", "product", "cart", "checkout"],
        })
    }
}

impl JsonSchema for EventType {
    fn schema_name() -> Cow<'static, str> {
        "EventType".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "unisono::EventType".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let canonical: Vec<&str> = EVENT_TYPE_ALIASES.iter().map(|(c, _)| *c).collect();
        let listed: Vec<String> = EVENT_TYPE_ALIASES
            .iter()
            .map(|(c, names)| format!("{c}: {}", names.join(", ")))
            .collect();
        json_schema!({
            "description": format!(
                "What happened: one of the canonical types, or any other name of 1 to 100 bytes. Segment and GA4 names are read as their canonical type, with case, spaces, hyphens and dots ignored (`Product Viewed` is `view`) — {}. Other names are kept and ignored by the strategies.",
                listed.join("; ")
            ),
            "anyOf": [
                { "type": "string", "enum": canonical },
                { "type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S" },
            ],
        })
    }
}

/// The seven documents: `(name, schema)`, in the order of the README. Input documents
/// describe what the parser reads; `decision` describes what the engine writes.
pub fn documents() -> Vec<(&'static str, Value)> {
    let read = SchemaSettings::draft2020_12;
    let mut docs = vec![
        root::<crate::profile::Profile>("profile", read()),
        root::<crate::catalog::CatalogDoc>("catalog", read()),
        root::<crate::config::Config>("config", read()),
        root::<crate::context::Context>("context", read()),
        root::<crate::offers::OffersDoc>("offers", read()),
        root::<crate::model::ModelArtifact>("model", read()),
    ];
    // Definitions of the input documents: one name, one schema, in every file.
    let mut known: BTreeMap<String, Value> = BTreeMap::new();
    for (_, doc) in &docs {
        for (name, def) in defs(doc) {
            known.entry(name.clone()).or_insert_with(|| def.clone());
        }
    }
    let (_, mut decision) = root::<crate::decide::Decision>("decision", read().for_serialize());
    // An optional field of the decision is left out when empty (`skip_serializing_if`), never
    // written as null: the conformance decisions are validated against this in tests/schemas.rs.
    drop_null_from_optional(&mut decision);
    // A type written differently than it is read (an event with its canonical channel, offer
    // content with every field) gets its own name: `<Name>Output`.
    let renames: Vec<(String, String)> = defs(&decision)
        .iter()
        .filter(|(name, def)| known.get(*name).is_some_and(|k| k != *def))
        .map(|(name, _)| ((*name).clone(), format!("{name}Output")))
        .collect();
    for (from, to) in &renames {
        rename_def(&mut decision, from, to);
    }
    docs.push(("decision", decision));
    docs
}

fn root<T: JsonSchema>(name: &'static str, settings: SchemaSettings) -> (&'static str, Value) {
    let mut schema = settings.into_generator().into_root_schema_for::<T>();
    schema.insert(
        "$id".to_string(),
        Value::String(format!("{BASE_URL}{name}-1.json")),
    );
    (name, schema.to_value())
}

/// In every object schema, a property that is not required loses its `null` alternative.
fn drop_null_from_optional(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let required: Vec<String> = m
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            if let Some(props) = m.get_mut("properties").and_then(Value::as_object_mut) {
                for (name, prop) in props.iter_mut() {
                    if !required.contains(name) {
                        drop_null(prop);
                    }
                }
            }
            m.values_mut().for_each(drop_null_from_optional);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_null_from_optional),
        _ => {}
    }
}

/// `{"type": ["string", "null"]}` → `{"type": "string"}`; `{"anyOf": [S, {"type": "null"}]}` → S.
fn drop_null(prop: &mut Value) {
    let null = Value::from("null");
    if let Some(Value::Array(types)) = prop.get_mut("type") {
        types.retain(|t| *t != null);
        if types.len() == 1 {
            let only = types.remove(0);
            prop["type"] = only;
        }
    }
    let is_null = |s: &Value| s.get("type") == Some(&null);
    let single = match prop.get_mut("anyOf") {
        Some(Value::Array(options)) if options.iter().any(is_null) => {
            options.retain(|s| !is_null(s));
            (options.len() == 1).then(|| options.remove(0))
        }
        _ => None,
    };
    if let (Some(only), Some(m)) = (single, prop.as_object_mut()) {
        m.remove("anyOf");
        if let Value::Object(inner) = only {
            m.extend(inner);
        }
    }
}

fn defs(doc: &Value) -> Vec<(&String, &Value)> {
    doc.get("$defs")
        .and_then(Value::as_object)
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

fn rename_def(doc: &mut Value, from: &str, to: &str) {
    if let Some(defs) = doc.get_mut("$defs").and_then(Value::as_object_mut) {
        if let Some(def) = defs.remove(from) {
            defs.insert(to.to_string(), def);
        }
    }
    let (old, new) = (format!("#/$defs/{from}"), format!("#/$defs/{to}"));
    rewrite_refs(doc, &old, &new);
}

fn rewrite_refs(v: &mut Value, old: &str, new: &str) {
    match v {
        Value::Object(m) => {
            if m.get("$ref").and_then(Value::as_str) == Some(old) {
                m.insert("$ref".to_string(), Value::String(new.to_string()));
            }
            m.values_mut().for_each(|x| rewrite_refs(x, old, new));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_refs(x, old, new)),
        _ => {}
    }
}

/// Pretty JSON with a final newline: the committed form of a schema.
pub fn to_pretty(doc: &Value) -> String {
    let mut s = serde_json::to_string_pretty(doc).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_aliases_parse_to_their_channel() {
        for (channel, names) in CHANNEL_ALIASES {
            assert!(names.contains(&channel.as_str()));
            for n in *names {
                assert_eq!(Channel::parse(n), Some(*channel), "{n}");
            }
        }
        assert_eq!(CHANNEL_ALIASES.len(), Channel::ALL.len());
    }

    #[test]
    fn event_type_aliases_parse_to_their_type() {
        for (canonical, names) in EVENT_TYPE_ALIASES {
            assert_eq!(EventType::parse(canonical).as_str(), *canonical);
            for n in *names {
                assert_eq!(EventType::parse(n).as_str(), *canonical, "{n}");
            }
        }
    }
}
