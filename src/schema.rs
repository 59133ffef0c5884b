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

/// Segment / GA4 names [`EventType::parse`] maps to each canonical type.
pub use crate::channel::EVENT_TYPE_ALIASES;

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

/// The aliases as listed, and every name (canonical too) in upper case and capitalised, as CDPs
/// write them (`POS`, `Web`): a closed set, so `'kisok'` does not compile.
fn channel_alias_ts() -> String {
    let aliases = ts_union(
        CHANNEL_ALIASES
            .iter()
            .flat_map(|(c, names)| names.iter().copied().filter(move |n| *n != c.as_str())),
    );
    let all = ts_union(CHANNEL_ALIASES.iter().flat_map(|(_, n)| n.iter().copied()));
    format!("{aliases} | Uppercase<{all}> | Capitalize<{all}>")
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
            "tsType": channel_alias_ts(),
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

/// What a placement is named: [`crate::channel::is_placement_name`].
pub const PLACEMENT_PATTERN: &str = r"^[a-z0-9_]{1,64}$";

/// A TypeScript union of string literals: `'a' | 'b'`.
fn ts_union<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = names.into_iter().map(|n| format!("'{n}'")).collect();
    quoted.join(" | ")
}

// `tsType` (read by json-schema-to-typescript, an annotation to validators) types an open name
// as its known values plus `(string & {})`: editors complete the known ones, any name compiles.
impl JsonSchema for Placement {
    fn schema_name() -> Cow<'static, str> {
        "Placement".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "unisono::Placement".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let built_in: Vec<&str> = Placement::BUILT_IN.iter().map(|p| p.as_str()).collect();
        json_schema!({
            "description": "Where on a channel the decision is shown: a placement the config defines. The default config defines `home`, `product`, `cart` and `checkout`; a config may define any other name (`search`, `order_confirmation`): `a-z`, `0-9` and `_`, at most 64 bytes. A context naming a placement its config does not define is an `invalid_value` at `placement`.",
            "type": "string",
            "pattern": PLACEMENT_PATTERN,
            "examples": built_in,
            "tsType": format!("{} | (string & {{}})", ts_union(built_in.iter().copied())),
        })
    }
}

/// The canonical event types: the `EventType` definition of every schema.
struct EventTypeName;

impl JsonSchema for EventTypeName {
    fn schema_name() -> Cow<'static, str> {
        "EventType".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "unisono::EventType".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let canonical: Vec<&str> = EVENT_TYPE_ALIASES.iter().map(|(c, _)| *c).collect();
        json_schema!({
            "description": "The event types the strategies and offers read. This canonical name is what the engine writes.",
            "type": "string",
            "enum": canonical,
        })
    }
}

/// Segment and GA4 names read as a canonical type.
struct EventTypeAlias;

impl JsonSchema for EventTypeAlias {
    fn schema_name() -> Cow<'static, str> {
        "EventTypeAlias".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "unisono::EventTypeAlias".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = EVENT_TYPE_ALIASES
            .iter()
            .flat_map(|(_, a)| a.iter().copied())
            .collect();
        let listed: Vec<String> = EVENT_TYPE_ALIASES
            .iter()
            .map(|(c, names)| format!("{c}: {}", names.join(", ")))
            .collect();
        json_schema!({
            "description": format!(
                "A Segment or GA4 name read as its canonical type, with case, spaces, hyphens and dots ignored (`Product Viewed` is `product_viewed`, read as `view`) — {}.",
                listed.join("; ")
            ),
            "type": "string",
            "enum": names,
        })
    }
}

/// The TypeScript type of a custom event name: two or more words, or a capitalised name. The
/// intersection keeps the known names in the union: without it TypeScript folds `'add_to_cart'`
/// into `${string}_${string}` and editors stop completing it.
const CUSTOM_EVENT_TS: &str = "(`${string} ${string}` | `${string}_${string}` | `${string}-${string}` | `${string}.${string}` | `${string}:${string}` | `${'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'N' | 'O' | 'P' | 'Q' | 'R' | 'S' | 'T' | 'U' | 'V' | 'W' | 'X' | 'Y' | 'Z'}${string}`) & { readonly __customEventType?: never }";

/// Any other event name: kept and ignored by the strategies.
struct CustomEventType;

impl JsonSchema for CustomEventType {
    fn schema_name() -> Cow<'static, str> {
        "CustomEventType".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "unisono::CustomEventType".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Any other event name of 1 to 100 bytes (`Checkout Started`, `session_start`): kept in the profile and ignored by the strategies — except a name one edit from a known type or alias (`veiw`, `purchse`, `add_to_card`), which is refused as a typo (`invalid_value`, with a \"did you mean\"). In TypeScript a custom name has two or more words (joined by a space, `_`, `-`, `.` or `:`) or starts with a capital letter, so a one-word typo such as `'veiw'` does not compile.",
            "type": "string",
            "minLength": 1,
            "maxLength": 100,
            "pattern": r"\S",
            "tsType": CUSTOM_EVENT_TS,
        })
    }
}

// Inlined like `Channel`: read, an event type is canonical, an alias or a custom name; written,
// it is canonical or the custom name as read.
impl JsonSchema for EventType {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "EventType".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "unisono::EventTypeField".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let canonical = generator.subschema_for::<EventTypeName>();
        if generator.contract().is_serialize() {
            json_schema!({ "anyOf": [canonical, {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "tsType": "(string & {})",
            }] })
        } else {
            let alias = generator.subschema_for::<EventTypeAlias>();
            let custom = generator.subschema_for::<CustomEventType>();
            json_schema!({ "anyOf": [canonical, alias, custom] })
        }
    }
}

/// `Reason.code` in a decision: the strategy that gave the reason, or `pinned`.
pub const REASON_CODES: &[&str] = &[
    "continue_journey",
    "bought_together",
    "personalized",
    "buy_again",
    "trending",
    "popular",
    "similar_items",
    "pinned",
];

/// `OfferReason.code`: why a shown offer is shown.
pub const OFFER_REASON_CODES: &[&str] = &["eligible", "score", "fallback"];

/// `NotShown.code`: the first check an offer failed (docs/concepts.md lists them in order).
pub const SUPPRESSION_CODES: &[&str] = &[
    "control_group",
    "channel_not_allowed",
    "out_of_window",
    "no_consent",
    "not_eligible",
    "suppressed",
    "capped",
    "holdout",
    "excluded_by_group",
    "outranked",
];

/// The code unions of the decision: `(definition that has a code, code type, codes, doc)`.
const CODE_UNIONS: &[(&str, &str, &[&str], &str)] = &[
    ("Reason", "ReasonCode", REASON_CODES, "Why an item is recommended: the strategy behind the reason, or `pinned` (a pin rule put it there). Stable: UIs key their own wording on it."),
    ("OfferReason", "OfferReasonCode", OFFER_REASON_CODES, "Why an offer is shown: `eligible` (its rule matched, or it has none), `score` (how it ranked), `fallback` (shown because nothing else was)."),
    ("NotShown", "SuppressionCode", SUPPRESSION_CODES, "Why an offer is not shown: the first check it failed, in the order `control_group`, `channel_not_allowed`, `out_of_window`, `no_consent`, `not_eligible`, `suppressed`, `capped`, `holdout`, then `excluded_by_group` (another offer of its group ranked higher) or `outranked` (below the placement's offer slots)."),
];

/// `code` of each definition in [`CODE_UNIONS`] refers to a definition listing its codes.
fn add_code_unions(decision: &mut Value) {
    let Some(defs) = decision.get_mut("$defs").and_then(Value::as_object_mut) else {
        return;
    };
    for (owner, name, codes, doc) in CODE_UNIONS {
        let Some(code) = defs
            .get_mut(*owner)
            .and_then(|d| d.get_mut("properties"))
            .and_then(|p| p.get_mut("code"))
        else {
            continue;
        };
        *code = serde_json::json!({ "$ref": format!("#/$defs/{name}") });
        defs.insert(
            (*name).to_string(),
            serde_json::json!({ "description": doc, "type": "string", "enum": codes }),
        );
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
    add_code_unions(&mut decision);
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
