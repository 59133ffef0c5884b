//! The unified customer profile: one id, every channel's events, consents and traits.

use crate::channel::{normalize_name, Channel};
use crate::error::{self, tagged, Code, Error};
use crate::time::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

pub const PROFILE_SCHEMA: &str = "unisono.profile/1";

/// What happened. Segment ("Product Viewed") and GA4 (`view_item`) names are accepted as
/// aliases; other names are kept as `Other` and ignored by the strategies, because a CDP export
/// carries many event types that say nothing about products. Reading a document, a name one
/// edit from a known one (`veiw`) is refused as a typo ([`crate::channel::event_type_typo`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventType {
    View,
    AddToCart,
    RemoveFromCart,
    Purchase,
    Search,
    StoreVisit,
    OfferImpression,
    OfferClick,
    OfferRedeemed,
    OfferDismissed,
    Other(String),
}

impl EventType {
    pub fn parse(s: &str) -> EventType {
        match normalize_name(s).as_str() {
            "view" | "product_viewed" | "view_item" | "product_clicked" | "select_item" => {
                EventType::View
            }
            "add_to_cart" | "product_added" | "added_to_cart" | "cart" => EventType::AddToCart,
            "remove_from_cart" | "product_removed" => EventType::RemoveFromCart,
            "purchase" | "order_completed" | "purchased" | "order" => EventType::Purchase,
            "search" | "products_searched" | "view_search_results" => EventType::Search,
            "store_visit" | "store_visited" => EventType::StoreVisit,
            "offer_impression" | "promotion_viewed" | "view_promotion" => {
                EventType::OfferImpression
            }
            "offer_click" | "promotion_clicked" | "select_promotion" => EventType::OfferClick,
            "offer_redeemed" | "coupon_applied" => EventType::OfferRedeemed,
            "offer_dismissed" | "promotion_dismissed" => EventType::OfferDismissed,
            _ => EventType::Other(s.to_string()),
        }
    }

    /// An offer contact (impression, click, redemption, dismissal): contact history, which
    /// caps and suppression count in their own window ([`Profile::contact_window`]).
    pub fn is_contact(&self) -> bool {
        matches!(
            self,
            EventType::OfferImpression
                | EventType::OfferClick
                | EventType::OfferRedeemed
                | EventType::OfferDismissed
        )
    }

    pub fn as_str(&self) -> &str {
        match self {
            EventType::View => "view",
            EventType::AddToCart => "add_to_cart",
            EventType::RemoveFromCart => "remove_from_cart",
            EventType::Purchase => "purchase",
            EventType::Search => "search",
            EventType::StoreVisit => "store_visit",
            EventType::OfferImpression => "offer_impression",
            EventType::OfferClick => "offer_click",
            EventType::OfferRedeemed => "offer_redeemed",
            EventType::OfferDismissed => "offer_dismissed",
            EventType::Other(s) => s,
        }
    }
}

impl Serialize for EventType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim().is_empty() || s.len() > 100 {
            return Err(serde::de::Error::custom(tagged(
                Code::InvalidValue,
                "event type must be a non-empty name of at most 100 bytes",
            )));
        }
        let kind = EventType::parse(&s);
        // A custom name one edit from a known one is a typo, not a new event type.
        if let (EventType::Other(_), Some(near)) = (&kind, crate::channel::event_type_typo(&s)) {
            let shown: String = s.chars().take(40).collect();
            return Err(serde::de::Error::custom(tagged(
                Code::InvalidValue,
                format!("unknown event type {shown:?} (did you mean {near:?}?)"),
            )));
        }
        Ok(kind)
    }
}

/// One thing the customer did, on any channel.
/// Unknown keys are ignored: CDP exports carry extra properties per event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "ProfileEvent"))]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: EventType,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "error::short_opt::<_, MAX_STRING>"
    )]
    #[cfg_attr(feature = "schema", schemars(length(max = 1000)))]
    pub sku: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "error::short_opt::<_, MAX_STRING>"
    )]
    #[cfg_attr(feature = "schema", schemars(length(max = 1000)))]
    pub category: Option<String>,
    pub channel: Channel,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "error::short_opt::<_, MAX_STRING>"
    )]
    #[cfg_attr(feature = "schema", schemars(length(max = 1000)))]
    pub store: Option<String>,
    pub ts: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(range(max = MAX_QUANTITY), extend("exclusiveMinimum" = 0))
    )]
    pub quantity: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0)))]
    pub price: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "error::short_opt::<_, MAX_STRING>"
    )]
    #[cfg_attr(feature = "schema", schemars(length(max = 1000)))]
    pub offer: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "error::short_opt::<_, MAX_STRING>"
    )]
    #[cfg_attr(feature = "schema", schemars(length(max = 1000)))]
    pub query: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Identifier {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// Consents as recorded by the consent platform. Absent means "not given".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Consents {
    #[serde(default)]
    pub personalization: bool,
    #[serde(default)]
    pub marketing: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Traits {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_store: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime_value: Option<f64>,
    /// Free-form attributes. Ordered, so hashing and output never depend on input key order.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CartLine {
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 1000)))]
    #[serde(deserialize_with = "error::short::<_, MAX_STRING>")]
    pub sku: String,
    #[serde(default = "one")]
    #[cfg_attr(
        feature = "schema",
        schemars(range(max = MAX_QUANTITY), extend("exclusiveMinimum" = 0))
    )]
    pub quantity: f64,
}

fn one() -> f64 {
    1.0
}

/// The unified profile document (`"schema": "unisono.profile/1"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[cfg_attr(feature = "schema", schemars(extend("const" = PROFILE_SCHEMA)))]
    pub schema: String,
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 1000)))]
    #[serde(deserialize_with = "error::short::<_, MAX_STRING>")]
    pub id: String,
    #[serde(default, deserialize_with = "error::at_most::<_, _, MAX_IDENTIFIERS>")]
    pub identifiers: Vec<Identifier>,
    #[serde(default)]
    pub consents: Consents,
    #[serde(default)]
    pub traits: Traits,
    #[serde(default, deserialize_with = "error::at_most::<_, _, MAX_SEGMENTS>")]
    pub segments: Vec<String>,
    #[serde(default)]
    pub cart: Vec<CartLine>,
    #[serde(default, deserialize_with = "bounded_events")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Vec<Event>", length(max = 100_000))
    )]
    pub events: Vec<Event>,
}

/// Reads at most [`MAX_EVENTS`] events and stops at the next one: a million-event profile is
/// rejected after reading the first 100,001, not after parsing all of them.
fn bounded_events<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Event>, D::Error> {
    struct Bounded;
    impl<'de> serde::de::Visitor<'de> for Bounded {
        type Value = Vec<Event>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of events")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Vec<Event>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(e) = seq.next_element()? {
                if out.len() == MAX_EVENTS {
                    return Err(serde::de::Error::custom(crate::error::tagged(
                        Code::TooLarge,
                        format!("at most {MAX_EVENTS} events per profile (keep the most recent)"),
                    )));
                }
                out.push(e);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Bounded)
}

/// Limits that keep a decision's work bounded whatever the profile holds.
pub const MAX_EVENTS: usize = 100_000;
/// At most this many segments and identifiers in a profile, refused while reading.
pub const MAX_SEGMENTS: usize = 100_000;
pub const MAX_IDENTIFIERS: usize = 100_000;
/// How many events beyond the one over [`MAX_EVENTS`] `track` drops at once (1 %).
pub const TRACK_DROP_BATCH: usize = 1_000;
pub const MAX_STRING: usize = 1_000;
/// Largest quantity of an event or a cart line. A cart line adds up its `add_to_cart` events
/// and stops at this bound, so a tracked profile never holds a quantity it would refuse to
/// import (a sum past f64::MAX would be exported as `null`).
pub const MAX_QUANTITY: f64 = 1e9;

/// Why a quantity is refused (`None`: it is fine).
fn bad_quantity(q: f64) -> Option<(Code, &'static str)> {
    if !(q.is_finite() && q > 0.0) {
        Some((Code::InvalidValue, "must be > 0"))
    } else if q > MAX_QUANTITY {
        Some((Code::TooLarge, "at most 1e9"))
    } else {
        None
    }
}

impl Profile {
    /// Parse and validate a profile document, then put it in canonical order (events sorted by
    /// time, segments sorted) so that the order of the input never changes a decision.
    pub fn from_json(text: &str) -> error::Result<Profile> {
        crate::lean::read_profile(text)
    }

    /// [`Profile::from_json`] through serde: the reference the hand-written reader
    /// (`crate::lean`) is tested against (`tests/lean_readers.rs`); nothing else calls it.
    pub fn from_json_serde(text: &str) -> error::Result<Profile> {
        let mut p: Profile = error::from_json("profile", text)?;
        p.validate()?;
        p.canonicalize();
        Ok(p)
    }

    pub(crate) fn validate(&self) -> error::Result<()> {
        let err = |code, path: String, msg: &str| Err(Error::new(code, "profile", path, msg));
        if self.schema != PROFILE_SCHEMA {
            return err(
                Code::UnsupportedSchema,
                "schema".into(),
                &format!("expected {PROFILE_SCHEMA:?}"),
            );
        }
        if self.id.is_empty() || self.id.len() > MAX_STRING {
            return err(Code::InvalidValue, "id".into(), "must be 1 to 1000 bytes");
        }
        if self.events.len() > MAX_EVENTS {
            return err(
                Code::TooLarge,
                "events".into(),
                &format!("at most {MAX_EVENTS} events per profile (keep the most recent)"),
            );
        }
        if let Some(v) = self.traits.lifetime_value {
            if !v.is_finite() {
                return err(
                    Code::InvalidValue,
                    "traits.lifetime_value".into(),
                    "must be finite",
                );
            }
        }
        for (i, line) in self.cart.iter().enumerate() {
            if line.sku.is_empty() || line.sku.len() > MAX_STRING {
                return err(
                    Code::InvalidValue,
                    format!("cart[{i}].sku"),
                    "must be 1 to 1000 bytes",
                );
            }
            if let Some((code, msg)) = bad_quantity(line.quantity) {
                return err(code, format!("cart[{i}].quantity"), msg);
            }
        }
        for (i, e) in self.events.iter().enumerate() {
            validate_event(e, "profile", &format!("events[{i}]"))?;
        }
        Ok(())
    }

    fn canonicalize(&mut self) {
        self.segments.sort();
        self.segments.dedup();
        // `1.0` and `1` are one number (a JS object sends `1`): one spelling for ids and rules.
        for v in self.traits.attributes.values_mut() {
            crate::hash::canonical_numbers(v);
        }
        // Stable sort by time, then by the event's own content: two exports of the same history
        // in different orders become the same profile.
        // Only events sharing a timestamp need their content as a key, so only those runs are
        // serialized (usually none).
        self.events.sort_by_key(|e| e.ts);
        let mut start = 0;
        while start < self.events.len() {
            let ts = self.events.get(start).map(|e| e.ts);
            let len = self
                .events
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|e| Some(e.ts) == ts)
                .count();
            if len > 1 {
                if let Some(run) = self.events.get_mut(start..start + len) {
                    run.sort_by_cached_key(|e| serde_json::to_string(e).unwrap_or_default());
                }
            }
            start += len.max(1);
        }
    }

    /// An empty profile for an anonymous visitor.
    pub fn anonymous() -> Profile {
        Profile {
            schema: PROFILE_SCHEMA.to_string(),
            id: "anonymous".to_string(),
            identifiers: Vec::new(),
            consents: Consents::default(),
            traits: Traits::default(),
            segments: Vec::new(),
            cart: Vec::new(),
            events: Vec::new(),
        }
    }
}

/// Check one event; `prefix` is its JSON path (`events[3]`, or empty for a lone event).
pub fn validate_event(e: &Event, document: &'static str, prefix: &str) -> error::Result<()> {
    let path = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    };
    let err = |code, name: &str, msg: &str| Err(Error::new(code, document, path(name), msg));
    for (name, v) in [
        ("sku", &e.sku),
        ("category", &e.category),
        ("store", &e.store),
    ]
    .into_iter()
    .chain([("offer", &e.offer), ("query", &e.query)])
    {
        if v.as_ref().is_some_and(|s| s.len() > MAX_STRING) {
            return err(Code::TooLarge, name, "at most 1000 bytes");
        }
    }
    if let Some((code, msg)) = e.quantity.and_then(bad_quantity) {
        return err(code, "quantity", msg);
    }
    if e.price.is_some_and(|p| !(p.is_finite() && p >= 0.0)) {
        return err(Code::InvalidValue, "price", "must be ≥ 0");
    }
    let needs_sku = matches!(
        e.kind,
        EventType::View | EventType::AddToCart | EventType::RemoveFromCart
    );
    if needs_sku && e.sku.as_deref().unwrap_or("").is_empty() {
        return err(
            Code::MissingField,
            "sku",
            &format!("a {} event needs a sku", e.kind.as_str()),
        );
    }
    let needs_offer = e.kind.is_contact();
    if needs_offer && e.offer.as_deref().unwrap_or("").is_empty() {
        return err(
            Code::MissingField,
            "offer",
            &format!("an {} event needs an offer id", e.kind.as_str()),
        );
    }
    Ok(())
}

impl Event {
    /// One event document read through serde and checked as `track` checks it: the reference
    /// the hand-written reader (`crate::lean::read_event`) is tested against; nothing else
    /// calls it.
    pub fn from_json_serde(text: &str) -> error::Result<Event> {
        let e: Event = error::from_json("event", text)?;
        validate_event(&e, "event", "")?;
        Ok(e)
    }
}

impl Profile {
    /// Record one event on the device, in real time: the event joins the history and the cart
    /// follows add / remove / purchase, so the next decision on any channel reflects it. Past
    /// [`MAX_EVENTS`], the oldest [`TRACK_DROP_BATCH`] + 1 events drop out at once (see
    /// [`Profile::track_with`]). Returns the canonical event, ready to export.
    pub fn track(&mut self, event_json: &str) -> error::Result<Event> {
        self.track_with(event_json, |_| {}).map(|(e, _)| e)
    }

    /// [`Profile::track`], calling `dropped` with each event that leaves the history at the
    /// cap (a `Session` subtracts them from its digest instead of re-hashing the profile).
    /// Also returns where the event was inserted, before any drop (a `Session` shifts its
    /// index of the history by one there instead of rebuilding it).
    ///
    /// Dropping one event per `track` at the cap would move the whole history every time
    /// (O(n) per event); dropping a batch makes a long-running session O(1) amortised per
    /// event, in time order. A full profile therefore holds between
    /// `MAX_EVENTS - TRACK_DROP_BATCH` and `MAX_EVENTS` events.
    pub fn track_with(
        &mut self,
        event_json: &str,
        mut dropped: impl FnMut(&Event),
    ) -> error::Result<(Event, usize)> {
        let e = crate::lean::read_event(event_json)?;
        if let Some(sku) = e.sku.clone() {
            let qty = e.quantity.unwrap_or(1.0);
            match e.kind {
                EventType::AddToCart => match self.cart.iter_mut().find(|l| l.sku == sku) {
                    Some(line) => line.quantity = (line.quantity + qty).min(MAX_QUANTITY),
                    None => self.cart.push(CartLine { sku, quantity: qty }),
                },
                EventType::RemoveFromCart | EventType::Purchase => {
                    self.cart.retain(|l| l.sku != sku)
                }
                _ => {}
            }
        }
        // Insert where `canonicalize` would put it (events are already canonical): by time, then
        // by content among equal times. Only equal-time neighbours are serialized; an event
        // newer than every other (the usual case) is a push.
        let at = match self.events.last() {
            Some(last) if last.ts >= e.ts => {
                let key = serde_json::to_string(&e).unwrap_or_default();
                self.events.partition_point(|x| {
                    x.ts < e.ts
                        || (x.ts == e.ts && serde_json::to_string(x).unwrap_or_default() <= key)
                })
            }
            _ => self.events.len(),
        };
        self.events.insert(at, e.clone());
        if self.events.len() > MAX_EVENTS {
            let excess = self.events.len() - MAX_EVENTS + TRACK_DROP_BATCH;
            for old in self.events.drain(..excess.min(self.events.len())) {
                dropped(&old);
            }
        }
        Ok((e, at))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The browsing window a decision at `now` reads: the most recent `max` events up to `now`
    /// (events are kept in time order). Strategies, offer rules and propensity read this same
    /// window, so their work is bounded whatever the profile's length, and a replay at an
    /// earlier `now` gives the earlier decision. Contact history has its own window
    /// ([`Profile::contact_window`]), and `exclude_purchased` reads every purchase up to `now`.
    pub fn window(&self, now: Timestamp, max: usize) -> &[Event] {
        let past = self.up_to(now);
        past.get(past.len().saturating_sub(max)..)
            .unwrap_or_default()
    }

    /// Every event up to `now` (events are kept in time order).
    pub fn up_to(&self, now: Timestamp) -> &[Event] {
        let past = self.events.partition_point(|e| e.ts <= now);
        self.events.get(..past).unwrap_or_default()
    }

    /// The contact history a decision at `now` reads: the most recent `max` offer events
    /// (impressions, clicks, redemptions, dismissals, with an offer id) up to `now`, in time
    /// order. Counted apart from [`Profile::window`], so no number of views or purchases pushes
    /// an impression out and resets a cap. One backwards pass, stopping at the `max`-th.
    pub fn contact_window(&self, now: Timestamp, max: usize) -> Vec<&Event> {
        let mut out: Vec<&Event> = self
            .up_to(now)
            .iter()
            .rev()
            .filter(|e| e.is_offer_contact())
            .take(max)
            .collect();
        out.reverse();
        out
    }
}

impl Event {
    /// Counted in [`Profile::contact_window`]: an offer event with its offer id.
    pub fn is_offer_contact(&self) -> bool {
        self.kind.is_contact() && self.offer.is_some()
    }
}

/// A decision's event window ([`Profile::window`]) with each event's catalog item and
/// affinity weight looked up once: recommendations, offer propensity and rules all read it,
/// and a sku lookup (hash plus string compare) per event per reader was a tenth of a decision.
pub struct Window<'a> {
    pub events: &'a [Event],
    /// Parallel to `events`: the catalog index of the event's sku, if the catalog has it.
    pub items: Vec<Option<u32>>,
    /// Parallel to `events`: the weight of the event's type (`affinity.event_weights`).
    pub weights: Vec<f64>,
}

impl<'a> Window<'a> {
    pub fn resolve(
        events: &'a [Event],
        lookup: impl Fn(&str) -> Option<u32>,
        weight: impl Fn(&EventType) -> f64,
    ) -> Window<'a> {
        let items = events
            .iter()
            .map(|e| e.sku.as_deref().and_then(&lookup))
            .collect();
        let weights = events.iter().map(|e| weight(&e.kind)).collect();
        Window {
            events,
            items,
            weights,
        }
    }

    /// Events with their catalog items.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&'a Event, Option<u32>)> + '_ {
        self.events.iter().zip(self.items.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(events: &str) -> error::Result<Profile> {
        Profile::from_json(&format!(
            r#"{{"schema":"unisono.profile/1","id":"c1","events":{events}}}"#
        ))
    }

    #[test]
    fn aliases_map_to_canonical_types() {
        let p = parse(
            r#"[{"type":"Product Viewed","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z"},
                {"type":"add_to_cart","sku":"A","channel":"mobile","ts":"2026-01-01T00:01:00Z"},
                {"type":"Order Completed","sku":"A","channel":"POS","ts":"2026-01-01T00:02:00Z"},
                {"type":"view_item","sku":"B","channel":"kiosk","ts":"2026-01-01T00:03:00Z"},
                {"type":"Identify","channel":"web","ts":"2026-01-01T00:04:00Z"}]"#,
        )
        .unwrap();
        let kinds: Vec<_> = p
            .events
            .iter()
            .map(|e| e.kind.as_str().to_string())
            .collect();
        assert_eq!(
            kinds,
            ["view", "add_to_cart", "purchase", "view", "Identify"]
        );
        assert_eq!(p.events[1].channel, Channel::App);
        assert_eq!(p.events[2].channel, Channel::Store);
    }

    #[test]
    fn bad_time_has_code_and_path() {
        let e = parse(
            r#"[{"type":"view","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z"},
                {"type":"view","sku":"A","channel":"web","ts":"yesterday"}]"#,
        )
        .unwrap_err();
        assert_eq!(e.code, Code::InvalidTime);
        assert_eq!(e.path, "events[1].ts");
    }

    #[test]
    fn errors_carry_codes() {
        let cases = [
            ("not json", Code::InvalidJson, ""),
            (
                r#"{"schema":"unisono.profile/1"}"#,
                Code::MissingField,
                "id",
            ),
            (
                r#"{"schema":"unisono.profile/9","id":"x"}"#,
                Code::UnsupportedSchema,
                "schema",
            ),
            (
                r#"{"schema":"unisono.profile/1","id":5}"#,
                Code::InvalidType,
                "id",
            ),
            (
                r#"{"schema":"unisono.profile/1","id":"x","events":[{"type":"view","sku":"A","channel":"fax","ts":"2026-01-01T00:00:00Z"}]}"#,
                Code::InvalidValue,
                "events[0].channel",
            ),
            (
                r#"{"schema":"unisono.profile/1","id":"x","cart":[{"sku":"A","quantity":-1}]}"#,
                Code::InvalidValue,
                "cart[0].quantity",
            ),
            (
                r#"{"schema":"unisono.profile/1","id":"x","events":[{"type":"view","channel":"web","ts":"2026-01-01T00:00:00Z"}]}"#,
                Code::MissingField,
                "events[0].sku",
            ),
            (
                r#"{"schema":"unisono.profile/1","id":"x","bogus":1}"#,
                Code::InvalidValue,
                "bogus",
            ),
        ];
        for (text, code, path) in cases {
            let e = Profile::from_json(text).unwrap_err();
            assert_eq!((e.code, e.path.as_str()), (code, path), "{text}: {e}");
        }
    }

    #[test]
    fn track_appends_in_order_and_updates_the_cart() {
        let mut p =
            parse(r#"[{"type":"view","sku":"A","channel":"web","ts":"2026-01-02T00:00:00Z"}]"#)
                .unwrap();
        let e = p
            .track(r#"{"type":"Product Added","sku":"B","channel":"kiosk","store":"s1","ts":"2026-01-01T00:00:00Z"}"#)
            .unwrap();
        assert_eq!(e.kind, EventType::AddToCart);
        assert_eq!(p.events[0].sku.as_deref(), Some("B"), "kept in time order");
        assert_eq!(p.cart.len(), 1);
        p.track(r#"{"type":"purchase","sku":"B","channel":"store","ts":"2026-01-03T00:00:00Z"}"#)
            .unwrap();
        assert!(p.cart.is_empty());
        let err = p
            .track(r#"{"type":"view","channel":"web","ts":"2026-01-03T00:00:00Z"}"#)
            .unwrap_err();
        assert_eq!(
            (err.code, err.document, err.path.as_str()),
            (Code::MissingField, "event", "sku")
        );
        assert_eq!(p.events.len(), 3, "a refused event changes nothing");
    }

    #[test]
    fn event_order_does_not_matter() {
        let a = parse(
            r#"[{"type":"view","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z"},
                {"type":"view","sku":"B","channel":"web","ts":"2026-01-01T00:00:00Z"}]"#,
        )
        .unwrap();
        let b = parse(
            r#"[{"type":"view","sku":"B","channel":"web","ts":"2026-01-01T00:00:00Z"},
                {"sku":"A","type":"view","channel":"web","ts":"2026-01-01T00:00:00Z"}]"#,
        )
        .unwrap();
        assert_eq!(a, b);
    }
}
