//! Importers for what retailers already have: Segment / RudderStack calls and GA4
//! BigQuery-export events (NDJSON, one JSON object per line) become `unisono.profile/1`
//! documents plus a population-events file for the model builder; a product CSV becomes a
//! `unisono.catalog/1` document.
//!
//! The field-by-field mapping is documented in `examples/cdp/README.md`. In short:
//!
//! - **Who.** A line belongs to its `userId` (GA4: `user_id`). A line with only an
//!   `anonymousId` (`user_pseudo_id`) joins the user that id was seen with on any line
//!   (identify, alias `previousId`, any call carrying both); an anonymous id seen with two or
//!   more users (a shared device) stays a profile of its own, so nobody's browsing lands in
//!   somebody else's profile. The anonymous ids a user was seen with are kept as
//!   `identifiers` (`segment_anonymous_id` / `ga4_user_pseudo_id`).
//! - **Order.** Every profile's events are sorted by time, then by input line, then by position
//!   in the line (an order's products in order), so the output never depends on the input's
//!   order except between lines with the same timestamp. Profiles and identifiers are sorted.
//!   Traits and consents: the latest line (same order) that sets one wins.
//! - **Privacy.** Only `tier`, `locale`, `preferred_store` and `lifetime_value` are taken from
//!   traits; email, name, phone, address and everything else are not copied. Consents are
//!   absent (= not given) unless the input records them.
//! - **Lines with nothing to use** (page / screen / group calls, non-commerce track events,
//!   GA4 `session_start`, GA4 rows without any id such as consent mode's cookieless pings, …)
//!   are counted as skipped; they still link identities and carry consent. A line that is not what the format says (bad JSON, a product without an id, a
//!   bad time, a negative price) is an error naming the line and the JSON path inside it:
//!   `events: line 12.properties.products[1].price: must be ≥ 0`.

use crate::catalog::{Availability, Catalog, Item, Store, CATALOG_SCHEMA};
use crate::channel::{normalize_name, Channel};
use crate::error::{self, Code, Error};
use crate::profile::{
    validate_event, CartLine, Consents, Event, EventType, Identifier, Profile, Traits, MAX_EVENTS,
    MAX_STRING, PROFILE_SCHEMA,
};
use crate::time::{parse_rfc3339, Timestamp};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The document name errors carry for event imports (as the model builder's).
const EVENTS: &str = "events";
/// Latest GA4 timestamp accepted: 9999-12-31T23:59:59.999999Z in microseconds.
const MAX_MICROS: i64 = 253_402_300_799_999_999;

/// Where the NDJSON comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Segment or RudderStack calls (`track`, `identify`, `alias`, `page`, …).
    Segment,
    /// GA4 BigQuery export rows (`event_name`, `event_timestamp`, `items`, …).
    Ga4,
}

impl Source {
    pub fn parse(s: &str) -> Option<Source> {
        match s {
            "segment" | "rudderstack" => Some(Source::Segment),
            "ga4" => Some(Source::Ga4),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Segment => "segment",
            Source::Ga4 => "ga4",
        }
    }

    /// The identifier type recorded for a linked anonymous id.
    pub fn anonymous_id_type(self) -> &'static str {
        match self {
            Source::Segment => "segment_anonymous_id",
            Source::Ga4 => "ga4_user_pseudo_id",
        }
    }
}

/// The result of importing an event export.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub source: Source,
    /// One profile per resolved id, by id.
    pub profiles: BTreeMap<String, Profile>,
    /// Non-blank input lines.
    pub lines: usize,
    /// Events in the profiles.
    pub events: usize,
    /// Rows in [`Imported::events_ndjson`] (events with a sku).
    pub model_events: usize,
    /// Lines that gave no event and were not identify / alias calls.
    pub skipped: usize,
    /// Oldest events left out of profiles that would exceed [`MAX_EVENTS`].
    pub dropped: usize,
    /// Profiles whose id is an anonymous id (no user id known for them).
    pub anonymous: usize,
    events_ndjson: String,
}

impl Imported {
    /// Population events for `unisono build-model` / `buildModel`, one JSON object per line:
    /// `{"user_id","sku","ts","type","channel","store"?}`, sorted like the profiles' events.
    pub fn events_ndjson(&self) -> &str {
        &self.events_ndjson
    }

    /// The one-line summary the CLI prints.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: {} users ({} anonymous), {} events ({} for the model), {} of {} lines skipped",
            self.source.as_str(),
            self.profiles.len(),
            self.anonymous,
            self.events,
            self.model_events,
            self.skipped,
            self.lines
        );
        if self.dropped > 0 {
            s.push_str(&format!(
                ", {} oldest events dropped (at most {MAX_EVENTS} per profile)",
                self.dropped
            ));
        }
        s
    }
}

/// A profile as the files hold it: pretty-printed JSON with a final newline.
pub fn profile_json(p: &Profile) -> String {
    serde_json::to_string_pretty(p).unwrap_or_default() + "\n"
}

/// A file name for a profile id: the id itself when it is a plain name (letters, digits,
/// `-`, `_`, `.`, `@`; not starting with `.`; at most 120 bytes), else the id with other
/// characters replaced by `_` plus a hash of the id, so two ids never share a file and no id
/// escapes the directory.
pub fn profile_file_name(id: &str) -> String {
    let plain = !id.is_empty()
        && id.len() <= 120
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if plain {
        return format!("{id}.json");
    }
    let cleaned: String = id
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let hash = crate::hash::sha256_hex(id.as_bytes());
    format!("{cleaned}-{}.json", &hash[..12])
}

/// Import a Segment / RudderStack or GA4 NDJSON export.
pub fn import_events(text: &str, source: Source) -> error::Result<Imported> {
    let mut records = Vec::new();
    let mut lines = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = if i == 0 {
            raw.trim_start_matches('\u{feff}')
        } else {
            raw
        };
        if raw.trim().is_empty() {
            continue;
        }
        lines += 1;
        let obj = parse_line(line, raw)?;
        records.push(match source {
            Source::Segment => segment_record(line, &obj)?,
            Source::Ga4 => ga4_record(line, &obj)?,
        });
    }
    Ok(assemble(source, records, lines))
}

// ---------------------------------------------------------------------------------------------
// One line, whatever the source, before identities are resolved.

#[derive(Debug, Default)]
struct TraitUpdate {
    tier: Option<String>,
    locale: Option<String>,
    preferred_store: Option<String>,
    lifetime_value: Option<f64>,
}

#[derive(Debug, Default)]
struct ConsentUpdate {
    personalization: Option<bool>,
    marketing: Option<bool>,
}

#[derive(Debug)]
struct Record {
    line: usize,
    ts: Timestamp,
    user: Option<String>,
    anon: Option<String>,
    events: Vec<Event>,
    traits: TraitUpdate,
    consent: ConsentUpdate,
    /// identify / alias: useful without events.
    identity: bool,
}

fn path_at(line: usize, path: &str) -> String {
    if path.is_empty() {
        format!("line {line}")
    } else {
        format!("line {line}.{path}")
    }
}

fn fail(line: usize, path: &str, code: Code, msg: impl Into<String>) -> Error {
    Error::new(code, EVENTS, path_at(line, path), msg)
}

fn join(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

fn parse_line(line: usize, raw: &str) -> error::Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(raw.trim()) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(fail(
            line,
            "",
            Code::InvalidType,
            "expected a JSON object on every line",
        )),
        Err(e) if is_too_deep(&e) => Err(error::too_deep(EVENTS, path_at(line, ""))),
        Err(e) => {
            // serde_json counts lines inside the text it was given: one line here.
            let full = e.to_string();
            let msg = full.split(" at line ").next().unwrap_or(&full);
            Err(fail(
                line,
                "",
                Code::InvalidJson,
                format!("{msg} at column {}", e.column()),
            ))
        }
    }
}

/// serde_json's recursion limit ([`error::MAX_DEPTH`]): the line nests too deep.
pub(crate) fn is_too_deep(e: &serde_json::Error) -> bool {
    e.classify() == serde_json::error::Category::Syntax
        && e.to_string().starts_with("recursion limit exceeded")
}

/// A string (a number is taken as its text); absent, null and blank are `None`.
fn opt_str(
    line: usize,
    base: &str,
    m: &Map<String, Value>,
    key: &str,
) -> error::Result<Option<String>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else if s.len() > MAX_STRING {
                Err(fail(
                    line,
                    &join(base, key),
                    Code::TooLarge,
                    "at most 1000 bytes",
                ))
            } else {
                Ok(Some(s.to_string()))
            }
        }
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(fail(
            line,
            &join(base, key),
            Code::InvalidType,
            "expected a string",
        )),
    }
}

/// A finite number (a numeric string is accepted); absent and null are `None`.
fn opt_num(
    line: usize,
    base: &str,
    m: &Map<String, Value>,
    key: &str,
) -> error::Result<Option<f64>> {
    let bad = |code, msg: &str| Err(fail(line, &join(base, key), code, msg));
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x.is_finite() => Ok(Some(x)),
            _ => bad(Code::InvalidValue, "must be a finite number"),
        },
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => match s.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => bad(Code::InvalidValue, "not a number"),
        },
        Some(_) => bad(Code::InvalidType, "expected a number"),
    }
}

fn opt_obj<'a>(
    line: usize,
    base: &str,
    m: &'a Map<String, Value>,
    key: &str,
) -> error::Result<Option<&'a Map<String, Value>>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(fail(
            line,
            &join(base, key),
            Code::InvalidType,
            "expected an object",
        )),
    }
}

fn opt_array<'a>(
    line: usize,
    base: &str,
    m: &'a Map<String, Value>,
    key: &str,
) -> error::Result<Option<&'a Vec<Value>>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(fail(
            line,
            &join(base, key),
            Code::InvalidType,
            "expected an array",
        )),
    }
}

fn as_obj<'a>(line: usize, path: &str, v: &'a Value) -> error::Result<&'a Map<String, Value>> {
    match v {
        Value::Object(o) => Ok(o),
        _ => Err(fail(line, path, Code::InvalidType, "expected an object")),
    }
}

fn required(line: usize, path: &str, v: Option<String>, what: &str) -> error::Result<String> {
    v.ok_or_else(|| fail(line, path, Code::MissingField, what.to_string()))
}

/// Where the fields of one product live in the source's format.
struct ProductKeys {
    /// Tried in order; the first present is the sku.
    sku: &'static [&'static str],
    category: &'static str,
}

const SEGMENT_PRODUCT: ProductKeys = ProductKeys {
    sku: &["sku", "product_id"],
    category: "category",
};

const GA4_ITEM: ProductKeys = ProductKeys {
    sku: &["item_id"],
    category: "item_category",
};

struct Where {
    channel: Channel,
    store: Option<String>,
    ts: Timestamp,
}

fn bare_event(kind: EventType, at: &Where) -> Event {
    Event {
        kind,
        sku: None,
        category: None,
        channel: at.channel,
        store: at.store.clone(),
        ts: at.ts,
        quantity: None,
        price: None,
        offer: None,
        query: None,
    }
}

/// Check an event as the profile parser will; a problem is reported at `base` in the line.
fn checked(line: usize, base: &str, e: Event) -> error::Result<Event> {
    validate_event(&e, EVENTS, "")
        .map_err(|err| fail(line, &join(base, &err.path), err.code, err.message))?;
    Ok(e)
}

/// One product event from the object at `base` (`properties`, `properties.products[2]`,
/// `items[0]`).
fn product_event(
    line: usize,
    base: &str,
    obj: &Map<String, Value>,
    keys: &ProductKeys,
    kind: EventType,
    at: &Where,
) -> error::Result<Event> {
    let mut sku = None;
    for k in keys.sku {
        sku = opt_str(line, base, obj, k)?;
        if sku.is_some() {
            break;
        }
    }
    let last = keys.sku.last().copied().unwrap_or("sku");
    let sku = required(
        line,
        &join(base, last),
        sku,
        &format!("a product needs {}", keys.sku.join(" or ")),
    )?;
    let quantity = opt_num(line, base, obj, "quantity")?;
    if quantity.is_some_and(|q| q <= 0.0) {
        return Err(fail(
            line,
            &join(base, "quantity"),
            Code::InvalidValue,
            "must be > 0",
        ));
    }
    let price = opt_num(line, base, obj, "price")?;
    if price.is_some_and(|p| p < 0.0) {
        return Err(fail(
            line,
            &join(base, "price"),
            Code::InvalidValue,
            "must be ≥ 0",
        ));
    }
    let mut e = bare_event(kind, at);
    e.sku = Some(sku);
    e.category = opt_str(line, base, obj, keys.category)?;
    e.quantity = quantity;
    e.price = price;
    checked(line, base, e)
}

// ---------------------------------------------------------------------------------------------
// Segment / RudderStack.

/// Consent categories (`context.consent.categoryPreferences`, matched case-insensitively)
/// that grant each unisono consent. When several are present, all must be true.
pub const PERSONALIZATION_CATEGORIES: &[&str] =
    &["personalization", "personalisation", "functional"];
pub const MARKETING_CATEGORIES: &[&str] = &["marketing", "advertising", "targeting"];

fn segment_record(line: usize, m: &Map<String, Value>) -> error::Result<Record> {
    let call = required(
        line,
        "type",
        opt_str(line, "", m, "type")?,
        "a call needs a type",
    )?;
    let ts = segment_ts(line, m)?;
    let user = opt_str(line, "", m, "userId")?;
    let mut anon = opt_str(line, "", m, "anonymousId")?;
    let context = opt_obj(line, "", m, "context")?;
    let consent = match context {
        Some(c) => segment_consent(line, c)?,
        None => ConsentUpdate::default(),
    };
    let mut rec = Record {
        line,
        ts,
        user,
        anon: None,
        events: Vec::new(),
        traits: TraitUpdate::default(),
        consent,
        identity: false,
    };
    match normalize_name(&call).as_str() {
        "track" => rec.events = segment_track(line, m, context, ts)?,
        "identify" => {
            rec.identity = true;
            if let Some(t) = opt_obj(line, "", m, "traits")? {
                rec.traits = segment_traits(line, t)?;
            }
        }
        "alias" => {
            rec.identity = true;
            // `previousId` (usually the anonymous id) becomes linked to `userId`.
            if let Some(prev) = opt_str(line, "", m, "previousId")? {
                anon = Some(prev);
            }
            if rec.user.is_none() {
                return Err(fail(
                    line,
                    "userId",
                    Code::MissingField,
                    "an alias call needs a userId",
                ));
            }
        }
        _ => {} // page, screen, group: identities and consent only
    }
    rec.anon = anon;
    if rec.user.is_none() && rec.anon.is_none() {
        return Err(fail(
            line,
            "userId",
            Code::MissingField,
            "a call needs a userId or an anonymousId",
        ));
    }
    Ok(rec)
}

fn segment_ts(line: usize, m: &Map<String, Value>) -> error::Result<Timestamp> {
    for key in ["timestamp", "originalTimestamp", "sentAt", "receivedAt"] {
        match m.get(key) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => {
                return parse_rfc3339(s.trim()).ok_or_else(|| {
                    let shown: String = s.chars().take(40).collect();
                    fail(
                        line,
                        key,
                        Code::InvalidTime,
                        format!("not an RFC 3339 time: {shown:?}"),
                    )
                })
            }
            Some(_) => {
                return Err(fail(
                    line,
                    key,
                    Code::InvalidType,
                    "expected an RFC 3339 time string",
                ))
            }
        }
    }
    Err(fail(
        line,
        "timestamp",
        Code::MissingField,
        "a call needs a timestamp (or originalTimestamp, sentAt, receivedAt)",
    ))
}

fn segment_consent(line: usize, context: &Map<String, Value>) -> error::Result<ConsentUpdate> {
    let Some(consent) = opt_obj(line, "context", context, "consent")? else {
        return Ok(ConsentUpdate::default());
    };
    let base = "context.consent";
    let Some(prefs) = opt_obj(line, base, consent, "categoryPreferences")? else {
        return Ok(ConsentUpdate::default());
    };
    // As Segment does: an empty set of preferences withdraws every category.
    if prefs.is_empty() {
        return Ok(ConsentUpdate {
            personalization: Some(false),
            marketing: Some(false),
        });
    }
    let mut out = ConsentUpdate::default();
    for (key, v) in prefs {
        let granted = match v {
            Value::Bool(b) => *b,
            Value::Null => continue,
            _ => {
                return Err(fail(
                    line,
                    &format!("{base}.categoryPreferences.{key}"),
                    Code::InvalidType,
                    "expected true or false",
                ))
            }
        };
        let name = normalize_name(key);
        for (cats, slot) in [
            (PERSONALIZATION_CATEGORIES, &mut out.personalization),
            (MARKETING_CATEGORIES, &mut out.marketing),
        ] {
            if cats.contains(&name.as_str()) {
                *slot = Some(slot.unwrap_or(true) && granted);
            }
        }
    }
    Ok(out)
}

fn segment_traits(line: usize, t: &Map<String, Value>) -> error::Result<TraitUpdate> {
    let s = |keys: &[&str]| -> error::Result<Option<String>> {
        for k in keys {
            if let Some(v) = opt_str(line, "traits", t, k)? {
                return Ok(Some(v));
            }
        }
        Ok(None)
    };
    let mut lifetime_value = None;
    for k in ["lifetime_value", "lifetimeValue"] {
        if let Some(v) = opt_num(line, "traits", t, k)? {
            lifetime_value = Some(v);
            break;
        }
    }
    Ok(TraitUpdate {
        tier: s(&["tier"])?,
        locale: s(&["locale"])?,
        preferred_store: s(&["preferred_store", "preferredStore"])?,
        lifetime_value,
    })
}

/// `properties.channel` (a unisono channel name or alias: `kiosk`, `pos`, …), else the call's
/// `channel` / `context.channel`: `browser` / `web` / `server` → web, `mobile` / `app` → app.
fn segment_channel(
    line: usize,
    m: &Map<String, Value>,
    props: &Map<String, Value>,
    context: Option<&Map<String, Value>>,
) -> error::Result<Channel> {
    if let Some(c) = opt_str(line, "properties", props, "channel")? {
        return Channel::parse(&c).ok_or_else(|| {
            fail(
                line,
                "properties.channel",
                Code::InvalidValue,
                format!("unknown channel {c:?}"),
            )
        });
    }
    let (path, value) = match opt_str(line, "", m, "channel")? {
        Some(c) => ("channel", Some(c)),
        None => match context {
            Some(ctx) => ("context.channel", opt_str(line, "context", ctx, "channel")?),
            None => ("context.channel", None),
        },
    };
    let Some(c) = value else {
        return Ok(Channel::Web);
    };
    match normalize_name(&c).as_str() {
        "browser" | "web" | "server" => Ok(Channel::Web),
        "mobile" | "app" => Ok(Channel::App),
        _ => Channel::parse(&c).ok_or_else(|| {
            fail(
                line,
                path,
                Code::InvalidValue,
                format!("unknown channel {c:?} (browser, server, mobile or a unisono channel)"),
            )
        }),
    }
}

fn segment_track(
    line: usize,
    m: &Map<String, Value>,
    context: Option<&Map<String, Value>>,
    ts: Timestamp,
) -> error::Result<Vec<Event>> {
    let name = required(
        line,
        "event",
        opt_str(line, "", m, "event")?,
        "a track call needs an event name",
    )?;
    let kind = EventType::parse(&name);
    if matches!(kind, EventType::Other(_)) {
        return Ok(Vec::new());
    }
    let empty = Map::new();
    let props = opt_obj(line, "", m, "properties")?.unwrap_or(&empty);
    let store = match opt_str(line, "properties", props, "store_id")? {
        Some(s) => Some(s),
        None => opt_str(line, "properties", props, "store")?,
    };
    let at = Where {
        channel: segment_channel(line, m, props, context)?,
        store,
        ts,
    };
    let has_sku = SEGMENT_PRODUCT.sku.iter().any(|k| {
        props
            .get(*k)
            .is_some_and(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
    });
    Ok(match kind {
        EventType::View | EventType::AddToCart | EventType::RemoveFromCart => {
            vec![product_event(
                line,
                "properties",
                props,
                &SEGMENT_PRODUCT,
                kind,
                &at,
            )?]
        }
        EventType::Purchase => match opt_array(line, "properties", props, "products")? {
            // One purchase per product line of the order.
            Some(list) => {
                let mut out = Vec::with_capacity(list.len());
                for (i, p) in list.iter().enumerate() {
                    let base = format!("properties.products[{i}]");
                    let obj = as_obj(line, &base, p)?;
                    out.push(product_event(
                        line,
                        &base,
                        obj,
                        &SEGMENT_PRODUCT,
                        EventType::Purchase,
                        &at,
                    )?);
                }
                out
            }
            None if has_sku => vec![product_event(
                line,
                "properties",
                props,
                &SEGMENT_PRODUCT,
                kind,
                &at,
            )?],
            None => Vec::new(),
        },
        EventType::Search => {
            let mut e = bare_event(kind, &at);
            e.query = opt_str(line, "properties", props, "query")?;
            vec![checked(line, "properties", e)?]
        }
        EventType::OfferImpression | EventType::OfferClick | EventType::OfferDismissed => {
            let offer = opt_str(line, "properties", props, "promotion_id")?;
            let mut e = bare_event(kind, &at);
            e.offer = Some(required(
                line,
                "properties.promotion_id",
                offer,
                "a promotion event needs a promotion_id",
            )?);
            vec![checked(line, "properties", e)?]
        }
        EventType::OfferRedeemed => {
            let offer = match opt_str(line, "properties", props, "coupon_id")? {
                Some(c) => Some(c),
                None => opt_str(line, "properties", props, "coupon_name")?,
            };
            let mut e = bare_event(kind, &at);
            e.offer = Some(required(
                line,
                "properties.coupon_id",
                offer,
                "a coupon event needs a coupon_id or coupon_name",
            )?);
            vec![checked(line, "properties", e)?]
        }
        EventType::StoreVisit => vec![checked(line, "properties", bare_event(kind, &at))?],
        EventType::Other(_) => Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// GA4 BigQuery export.

fn ga4_record(line: usize, m: &Map<String, Value>) -> error::Result<Record> {
    let name = required(
        line,
        "event_name",
        opt_str(line, "", m, "event_name")?,
        "a GA4 row needs an event_name",
    )?;
    let ts = ga4_ts(line, m)?;
    let user = opt_str(line, "", m, "user_id")?;
    let anon = opt_str(line, "", m, "user_pseudo_id")?;
    // Without either id (consent mode's cookieless pings) the row belongs to nobody: skipped.
    let params = ga4_params(line, m, "event_params")?;
    let props = ga4_params(line, m, "user_properties")?;
    let text =
        |map: &BTreeMap<String, (String, Value)>, key: &str| -> error::Result<Option<String>> {
            match map.get(key) {
                None | Some((_, Value::Null)) => Ok(None),
                Some((_, Value::String(s))) if s.trim().is_empty() => Ok(None),
                Some((_, Value::String(s))) if s.len() > MAX_STRING => Err(fail(
                    line,
                    &map_path(map, key),
                    Code::TooLarge,
                    "at most 1000 bytes",
                )),
                Some((_, Value::String(s))) => Ok(Some(s.trim().to_string())),
                Some((_, v)) => Ok(Some(v.to_string())),
            }
        };
    let lifetime_value = match props.get("lifetime_value") {
        None | Some((_, Value::Null)) => None,
        Some((path, v)) => {
            let x = match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            match x {
                Some(x) if x.is_finite() => Some(x),
                _ => {
                    return Err(fail(
                        line,
                        path,
                        Code::InvalidValue,
                        "lifetime_value must be a finite number",
                    ))
                }
            }
        }
    };
    let traits = TraitUpdate {
        tier: text(&props, "tier")?,
        locale: text(&props, "locale")?,
        preferred_store: text(&props, "preferred_store")?,
        lifetime_value,
    };
    let consent = match opt_obj(line, "", m, "privacy_info")? {
        None => ConsentUpdate::default(),
        Some(p) => ConsentUpdate {
            personalization: yes_no(line, p, "analytics_storage")?,
            marketing: yes_no(line, p, "ads_storage")?,
        },
    };
    let channel = match text(&params, "channel")? {
        Some(c) => Channel::parse(&c).ok_or_else(|| {
            fail(
                line,
                &map_path(&params, "channel"),
                Code::InvalidValue,
                format!("unknown channel {c:?}"),
            )
        })?,
        None => match opt_str(line, "", m, "platform")? {
            None => Channel::Web,
            Some(p) => Channel::parse(&p).ok_or_else(|| {
                fail(
                    line,
                    "platform",
                    Code::InvalidValue,
                    format!("unknown platform {p:?} (WEB, IOS, ANDROID)"),
                )
            })?,
        },
    };
    let at = Where {
        channel,
        store: text(&params, "store_id")?,
        ts,
    };
    let items = opt_array(line, "", m, "items")?;
    let kind = EventType::parse(&name);
    let mut events = Vec::new();
    match kind {
        EventType::View
        | EventType::AddToCart
        | EventType::RemoveFromCart
        | EventType::Purchase => {
            // One event per item; a row without items says nothing about products.
            for (i, it) in items.into_iter().flatten().enumerate() {
                let base = format!("items[{i}]");
                let obj = as_obj(line, &base, it)?;
                events.push(product_event(
                    line,
                    &base,
                    obj,
                    &GA4_ITEM,
                    kind.clone(),
                    &at,
                )?);
            }
        }
        EventType::Search => {
            let mut e = bare_event(kind, &at);
            e.query = text(&params, "search_term")?;
            events.push(checked(line, "event_params", e)?);
        }
        EventType::OfferImpression
        | EventType::OfferClick
        | EventType::OfferDismissed
        | EventType::OfferRedeemed => {
            let mut offer = text(&params, "promotion_id")?;
            if offer.is_none() {
                if let Some(first) = items.and_then(|v| v.first()) {
                    offer = opt_str(
                        line,
                        "items[0]",
                        as_obj(line, "items[0]", first)?,
                        "promotion_id",
                    )?;
                }
            }
            let mut e = bare_event(kind, &at);
            e.offer = Some(required(
                line,
                "event_params",
                offer,
                "a promotion event needs a promotion_id parameter (or items[0].promotion_id)",
            )?);
            events.push(checked(line, "event_params", e)?);
        }
        EventType::StoreVisit => events.push(checked(line, "", bare_event(kind, &at))?),
        EventType::Other(_) => {}
    }
    Ok(Record {
        line,
        ts,
        user,
        anon,
        events,
        traits,
        consent,
        identity: false,
    })
}

fn map_path(map: &BTreeMap<String, (String, Value)>, key: &str) -> String {
    map.get(key).map(|(p, _)| p.clone()).unwrap_or_default()
}

/// `event_timestamp`: microseconds since the epoch, a string or a number.
fn ga4_ts(line: usize, m: &Map<String, Value>) -> error::Result<Timestamp> {
    let bad = || {
        fail(
            line,
            "event_timestamp",
            Code::InvalidTime,
            "expected microseconds since 1970 (a whole number, as a string or a number)",
        )
    };
    let micros: i64 = match m.get("event_timestamp") {
        None | Some(Value::Null) => {
            return Err(fail(
                line,
                "event_timestamp",
                Code::MissingField,
                "a GA4 row needs an event_timestamp",
            ))
        }
        Some(Value::Number(n)) => n.as_i64().ok_or_else(bad)?,
        Some(Value::String(s)) => s.trim().parse().map_err(|_| bad())?,
        Some(_) => return Err(bad()),
    };
    if !(0..=MAX_MICROS).contains(&micros) {
        return Err(bad());
    }
    Ok(Timestamp(micros.div_euclid(1000)))
}

/// GA4's key/value arrays (`event_params`, `user_properties`): key → (path, scalar value).
/// The first occurrence of a key wins.
fn ga4_params(
    line: usize,
    m: &Map<String, Value>,
    field: &str,
) -> error::Result<BTreeMap<String, (String, Value)>> {
    let mut out = BTreeMap::new();
    for (i, p) in opt_array(line, "", m, field)?
        .into_iter()
        .flatten()
        .enumerate()
    {
        let base = format!("{field}[{i}]");
        let obj = as_obj(line, &base, p)?;
        let Some(key) = opt_str(line, &base, obj, "key")? else {
            continue;
        };
        let vpath = format!("{base}.value");
        let value = match obj.get("value") {
            None | Some(Value::Null) => Value::Null,
            Some(Value::Object(v)) => ["string_value", "int_value", "double_value", "float_value"]
                .iter()
                .find_map(|k| v.get(*k).filter(|x| !x.is_null()).cloned())
                .unwrap_or(Value::Null),
            Some(_) => {
                return Err(fail(line, &vpath, Code::InvalidType, "expected an object"));
            }
        };
        if matches!(value, Value::Array(_) | Value::Object(_)) {
            return Err(fail(
                line,
                &vpath,
                Code::InvalidType,
                "expected a scalar value",
            ));
        }
        out.entry(key).or_insert((vpath, value));
    }
    Ok(out)
}

/// GA4 consent: `"Yes"` / `"No"` (null = not recorded on this row).
fn yes_no(line: usize, p: &Map<String, Value>, key: &str) -> error::Result<Option<bool>> {
    match opt_str(line, "privacy_info", p, key)? {
        None => Ok(None),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "yes" | "true" | "granted" => Ok(Some(true)),
            "no" | "false" | "denied" => Ok(Some(false)),
            _ => Err(fail(
                line,
                &join("privacy_info", key),
                Code::InvalidValue,
                "expected \"Yes\" or \"No\"",
            )),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Identity resolution and profiles.

#[derive(Default)]
struct Acc {
    identifiers: BTreeSet<String>,
    consents: Consents,
    traits: Traits,
    events: Vec<Event>,
}

#[derive(Serialize)]
struct ModelRow<'a> {
    user_id: &'a str,
    sku: &'a str,
    ts: Timestamp,
    #[serde(rename = "type")]
    kind: &'a str,
    channel: Channel,
    #[serde(skip_serializing_if = "Option::is_none")]
    store: Option<&'a str>,
}

fn assemble(source: Source, mut records: Vec<Record>, lines: usize) -> Imported {
    // Which users each anonymous id was seen with.
    let mut links: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in &records {
        if let (Some(u), Some(a)) = (&r.user, &r.anon) {
            links.entry(a.clone()).or_default().insert(u.clone());
        }
    }
    let resolve = |r: &Record| -> (String, bool) {
        match (&r.user, &r.anon) {
            (Some(u), _) => (u.clone(), false),
            (None, Some(a)) => match links.get(a) {
                Some(users) if users.len() == 1 => match users.iter().next() {
                    Some(u) => (u.clone(), false),
                    None => (a.clone(), true),
                },
                _ => (a.clone(), true),
            },
            (None, None) => (String::new(), true),
        }
    };
    // Time order, input order on ties (records are in input order; the sort is stable).
    records.sort_by_key(|r| (r.ts, r.line));

    let mut accs: BTreeMap<String, Acc> = BTreeMap::new();
    let mut anonymous_ids: BTreeSet<String> = BTreeSet::new();
    let mut rows: Vec<(String, Event)> = Vec::new();
    let mut skipped = 0;
    for r in records {
        let (id, is_anon) = resolve(&r);
        if id.is_empty() {
            skipped += 1;
            continue;
        }
        if is_anon {
            anonymous_ids.insert(id.clone());
        }
        if r.events.is_empty() && !r.identity {
            skipped += 1;
        }
        let acc = accs.entry(id.clone()).or_default();
        if let Some(v) = r.consent.personalization {
            acc.consents.personalization = v;
        }
        if let Some(v) = r.consent.marketing {
            acc.consents.marketing = v;
        }
        let t = r.traits;
        if t.tier.is_some() {
            acc.traits.tier = t.tier;
        }
        if t.locale.is_some() {
            acc.traits.locale = t.locale;
        }
        if t.preferred_store.is_some() {
            acc.traits.preferred_store = t.preferred_store;
        }
        if t.lifetime_value.is_some() {
            acc.traits.lifetime_value = t.lifetime_value;
        }
        for e in r.events {
            if e.sku.is_some() {
                rows.push((id.clone(), e.clone()));
            }
            acc.events.push(e);
        }
    }
    for (anon, users) in &links {
        for u in users {
            if let Some(acc) = accs.get_mut(u) {
                acc.identifiers.insert(anon.clone());
            }
        }
    }

    let mut events = 0;
    let mut dropped = 0;
    let mut profiles = BTreeMap::new();
    for (id, acc) in accs {
        let mut evs = acc.events;
        // The cart as `track` would have left it, replaying the history in order.
        // Lines by sku in a map (a removed line leaves a hole): a scan of the cart per event
        // was quadratic for a history adding many different skus.
        let mut lines: Vec<Option<CartLine>> = Vec::new();
        let mut line_of: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &evs {
            let Some(sku) = &e.sku else { continue };
            match e.kind {
                EventType::AddToCart => {
                    let line = line_of.get(sku.as_str()).and_then(|&i| lines.get_mut(i));
                    match line.and_then(Option::as_mut) {
                        Some(l) => l.quantity += e.quantity.unwrap_or(1.0),
                        None => {
                            line_of.insert(sku, lines.len());
                            lines.push(Some(CartLine {
                                sku: sku.clone(),
                                quantity: e.quantity.unwrap_or(1.0),
                            }));
                        }
                    }
                }
                EventType::RemoveFromCart | EventType::Purchase => {
                    if let Some(slot) = line_of.remove(sku.as_str()).and_then(|i| lines.get_mut(i))
                    {
                        *slot = None;
                    }
                }
                _ => {}
            }
        }
        let cart: Vec<CartLine> = lines.into_iter().flatten().collect();
        if evs.len() > MAX_EVENTS {
            let excess = evs.len() - MAX_EVENTS;
            dropped += excess;
            evs.drain(..excess);
        }
        events += evs.len();
        let identifiers = acc
            .identifiers
            .into_iter()
            .map(|value| Identifier {
                kind: source.anonymous_id_type().to_string(),
                value,
            })
            .collect();
        let profile = Profile {
            schema: PROFILE_SCHEMA.to_string(),
            id: id.clone(),
            identifiers,
            consents: acc.consents,
            traits: acc.traits,
            segments: Vec::new(),
            cart,
            events: evs,
        };
        profiles.insert(id, profile);
    }

    let mut events_ndjson = String::new();
    for (user, e) in &rows {
        let row = ModelRow {
            user_id: user,
            sku: e.sku.as_deref().unwrap_or(""),
            ts: e.ts,
            kind: e.kind.as_str(),
            channel: e.channel,
            store: e.store.as_deref(),
        };
        if let Ok(s) = serde_json::to_string(&row) {
            events_ndjson.push_str(&s);
            events_ndjson.push('\n');
        }
    }
    Imported {
        source,
        anonymous: anonymous_ids.len(),
        profiles,
        lines,
        events,
        model_events: rows.len(),
        skipped,
        dropped,
        events_ndjson,
    }
}

// ---------------------------------------------------------------------------------------------
// CSV.

/// Split CSV text into records (RFC 4180: `,` separates, `"` quotes, `""` is a quote inside
/// quotes, quoted fields may hold commas and line breaks; CRLF or LF line ends; a leading BOM
/// is ignored). Each record comes with the line it starts on; blank lines are left out.
pub fn csv_records(text: &str, document: &'static str) -> error::Result<Vec<(usize, Vec<String>)>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut line = 1;
    let mut start = 1;
    let mut quoted = false;
    // True until a field gets a character other than a space: only then may a quote open it.
    let mut field_start = true;
    let mut chars = text.chars().peekable();
    let finish = |fields: &mut Vec<String>, out: &mut Vec<(usize, Vec<String>)>, start: usize| {
        let rec = std::mem::take(fields);
        if !matches!(rec.as_slice(), [only] if only.trim().is_empty()) {
            out.push((start, rec));
        }
    };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' | '\r' => {
                    line += 1;
                    cur.push('\n');
                }
                c => cur.push(c),
            }
            continue;
        }
        match c {
            '"' if field_start => {
                cur.clear();
                quoted = true;
                field_start = false;
            }
            ',' => {
                fields.push(std::mem::take(&mut cur));
                field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                fields.push(std::mem::take(&mut cur));
                finish(&mut fields, &mut out, start);
                line += 1;
                start = line;
                field_start = true;
            }
            ' ' => cur.push(' '),
            c => {
                cur.push(c);
                field_start = false;
            }
        }
    }
    if quoted {
        return Err(Error::new(
            Code::InvalidValue,
            document,
            format!("line {start}"),
            "a quoted field is not closed",
        ));
    }
    if !cur.is_empty() || !fields.is_empty() {
        fields.push(cur);
        finish(&mut fields, &mut out, start);
    }
    Ok(out)
}

/// What a CSV column holds.
#[derive(Debug, Clone, PartialEq)]
enum Col {
    Sku,
    Title,
    Category,
    Brand,
    Price,
    Image,
    Tags,
    Channels,
    Stock(String),
    Attribute(String),
}

/// Column names per field, the first present wins; any other column becomes an attribute.
const CSV_COLUMNS: &[(&[&str], Col)] = &[
    (&["sku", "id", "item_id", "product_id"], Col::Sku),
    (&["title", "name", "product_name"], Col::Title),
    (&["category", "category_path", "categories"], Col::Category),
    (&["brand"], Col::Brand),
    (&["price"], Col::Price),
    (&["image_url", "image", "image_link"], Col::Image),
    (&["tags"], Col::Tags),
    (&["channels"], Col::Channels),
];

/// A catalog converted from CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogCsv {
    /// The `unisono.catalog/1` document, pretty-printed, validated by the engine's parser.
    pub json: String,
    pub version: String,
    pub items: usize,
    pub stores: usize,
}

impl CatalogCsv {
    pub fn summary(&self) -> String {
        format!(
            "catalog {}: {} items, {} stores",
            self.version, self.items, self.stores
        )
    }
}

#[derive(Serialize)]
struct CatalogOut {
    schema: &'static str,
    version: String,
    stores: Vec<Store>,
    items: Vec<Item>,
}

/// Convert a product CSV to a catalog. Columns (header names case-insensitive): `sku`, `title`,
/// `price` (required); `category` (path levels separated by `>`, e.g. `Fashion > Footwear >
/// Boots`), `brand`, `image_url`, `tags` (`;`-separated), `channels` (`;`-separated channel
/// names; empty = every channel), `stock_<store id>` (units in that store; each such column
/// declares the store); any other column becomes a string attribute. `version` defaults to
/// `csv-` and the first 12 hex digits of the text's SHA-256.
pub fn catalog_from_csv(text: &str, version: Option<&str>) -> error::Result<CatalogCsv> {
    const DOC: &str = "catalog";
    let err = |line: usize, field: &str, code, msg: String| {
        Error::new(code, DOC, path_at(line, field), msg)
    };
    let records = csv_records(text, DOC)?;
    let mut rows = records.into_iter();
    let Some((hline, header)) = rows.next() else {
        return Err(Error::new(
            Code::EmptyCatalog,
            DOC,
            "",
            "the CSV is empty (a header and at least one row are needed)",
        ));
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let mut seen = BTreeSet::new();
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(err(
                hline,
                "",
                Code::InvalidValue,
                format!("column {} has no name", i + 1),
            ));
        }
        if !seen.insert(n.to_ascii_lowercase()) {
            return Err(err(
                hline,
                "",
                Code::Duplicate,
                format!("column {n:?} appears twice"),
            ));
        }
    }
    let mut cols: Vec<Col> = names.iter().map(|n| Col::Attribute(n.clone())).collect();
    for (aliases, col) in CSV_COLUMNS {
        let found = aliases
            .iter()
            .find_map(|a| names.iter().position(|n| normalize_name(n) == *a));
        // `cols` has one entry per name, so a position in `names` is one in `cols`.
        if let Some(slot) = found.and_then(|i| cols.get_mut(i)) {
            *slot = col.clone();
        }
    }
    let mut stores = Vec::new();
    for (n, col) in names.iter().zip(cols.iter_mut()) {
        if !matches!(col, Col::Attribute(_)) {
            continue;
        }
        let lower = n.to_ascii_lowercase();
        // The prefix is ASCII, so it has the same length in `n` as in `lower`.
        let store = ["stock_", "stock:"].iter().find_map(|p| {
            lower
                .strip_prefix(p)
                .and_then(|_| n.get(p.len()..))
                .map(|rest| rest.trim().to_string())
        });
        if let Some(id) = store.filter(|s| !s.is_empty()) {
            stores.push(Store {
                id: id.clone(),
                name: id.clone(),
                city: None,
            });
            *col = Col::Stock(id);
        }
    }
    for need in [Col::Sku, Col::Title, Col::Price] {
        if !cols.contains(&need) {
            return Err(err(
                hline,
                "",
                Code::MissingField,
                "the CSV header needs sku, title and price columns".into(),
            ));
        }
    }

    let mut items = Vec::new();
    let mut lines = Vec::new();
    let mut skus: BTreeMap<String, usize> = BTreeMap::new();
    for (line, fields) in rows {
        if fields.len() > names.len() {
            return Err(err(
                line,
                "",
                Code::InvalidValue,
                format!(
                    "{} fields but the header has {} columns",
                    fields.len(),
                    names.len()
                ),
            ));
        }
        let mut item = Item {
            sku: String::new(),
            title: String::new(),
            category: Vec::new(),
            brand: None,
            price: 0.0,
            tags: Vec::new(),
            attributes: BTreeMap::new(),
            image: None,
            availability: Availability::default(),
        };
        let mut price = None;
        for (i, col) in cols.iter().enumerate() {
            let value = fields.get(i).map(|s| s.trim()).unwrap_or("");
            let name = names.get(i).map(String::as_str).unwrap_or("");
            match col {
                Col::Sku => item.sku = value.to_string(),
                Col::Title => item.title = value.to_string(),
                Col::Category => {
                    item.category = value
                        .split('>')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                }
                Col::Brand => item.brand = Some(value.to_string()).filter(|s| !s.is_empty()),
                Col::Image => item.image = Some(value.to_string()).filter(|s| !s.is_empty()),
                Col::Price if value.is_empty() => {}
                Col::Price => match value.parse::<f64>() {
                    Ok(p) if p.is_finite() && p >= 0.0 => price = Some(p),
                    _ => {
                        return Err(err(
                            line,
                            name,
                            Code::InvalidValue,
                            format!("price must be a number ≥ 0, got {value:?}"),
                        ))
                    }
                },
                Col::Tags => {
                    for t in value.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                        if !item.tags.iter().any(|x| x == t) {
                            item.tags.push(t.to_string());
                        }
                    }
                }
                Col::Channels if value.is_empty() => {}
                Col::Channels => {
                    let mut list = Vec::new();
                    for c in value
                        .split([';', ','])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                    {
                        let ch = Channel::parse(c).ok_or_else(|| {
                            err(
                                line,
                                name,
                                Code::InvalidValue,
                                format!("unknown channel {c:?}"),
                            )
                        })?;
                        if !list.contains(&ch) {
                            list.push(ch);
                        }
                    }
                    item.availability.channels = Some(list);
                }
                Col::Stock(_) if value.is_empty() => {}
                Col::Stock(store) => match value.parse::<f64>() {
                    Ok(q) if q.is_finite() && q >= 0.0 => {
                        item.availability.stores.insert(store, q);
                    }
                    _ => {
                        return Err(err(
                            line,
                            name,
                            Code::InvalidValue,
                            format!("stock must be a number ≥ 0, got {value:?}"),
                        ))
                    }
                },
                Col::Attribute(_) if value.is_empty() => {}
                Col::Attribute(key) => {
                    item.attributes.insert(key.clone(), value.to_string());
                }
            }
        }
        let col_name = |c: &Col| {
            cols.iter()
                .position(|x| x == c)
                .and_then(|i| names.get(i))
                .cloned()
                .unwrap_or_default()
        };
        if item.sku.is_empty() || item.sku.len() > 200 {
            return Err(err(
                line,
                &col_name(&Col::Sku),
                if item.sku.is_empty() {
                    Code::MissingField
                } else {
                    Code::InvalidValue
                },
                "a sku of 1 to 200 bytes is needed".into(),
            ));
        }
        if let Some(first) = skus.insert(item.sku.clone(), line) {
            return Err(err(
                line,
                &col_name(&Col::Sku),
                Code::Duplicate,
                format!("sku {:?} is already on line {first}", item.sku),
            ));
        }
        if item.title.is_empty() {
            return Err(err(
                line,
                &col_name(&Col::Title),
                Code::MissingField,
                "a title is needed".into(),
            ));
        }
        item.price = price.ok_or_else(|| {
            err(
                line,
                &col_name(&Col::Price),
                Code::MissingField,
                "a price is needed".into(),
            )
        })?;
        items.push(item);
        lines.push(line);
    }
    let version = match version {
        Some(v) => v.to_string(),
        None => format!("csv-{}", &crate::hash::sha256_hex(text.as_bytes())[..12]),
    };
    let doc = CatalogOut {
        schema: CATALOG_SCHEMA,
        version: version.clone(),
        stores,
        items,
    };
    let json = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    // The engine's own parser has the last word; its `items[i]` paths point back at lines.
    Catalog::from_json(&json).map_err(|mut e| {
        if let Some(rest) = e.path.strip_prefix("items[") {
            if let Some((idx, tail)) = rest.split_once(']') {
                if let Some(line) = idx.parse::<usize>().ok().and_then(|i| lines.get(i)) {
                    e.path = format!("line {line}{tail}");
                }
            }
        }
        e
    })?;
    Ok(CatalogCsv {
        json,
        version,
        items: doc.items.len(),
        stores: doc.stores.len(),
    })
}
