//! Measured ROI: the uplift of offers and recommendations per channel, from the retailer's own
//! event stream, with confidence intervals. docs/measure.md says what the report claims and what
//! it cannot claim.
//!
//! One pass over the events ([`Measure::push`], fed by [`stream::read`] or directly) keeps a
//! fixed-size state per customer and nothing per event, so memory grows with customers, not with
//! the length of the stream. [`Measure::finish`] then recomputes every customer's universal
//! control and holdout assignments with the engine's own function ([`crate::offers::bucket`]),
//! including customers who were never shown anything, and compares the groups (`fold`).
//!
//! Per customer the stream must be in time order (a stream sorted by time, or grouped by
//! customer and sorted by time within each, as the importers write it): attribution windows are
//! followed as the events go by. An event earlier than the customer's previous one is an error
//! naming its line.

pub mod fold;
pub mod html;
pub mod report;
pub mod stats;
pub mod stream;
pub mod synth;

use crate::channel::Channel;
use crate::config::Strategy;
use crate::error::{self, Code, Error};
use crate::hash::StrMap;
use crate::offers::{bucket, Offers};
use crate::profile::EventType;
use crate::time::{Timestamp, MS_PER_DAY};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SETTINGS_SCHEMA: &str = "unisono.measure/1";
/// Attribution window (days) when neither the settings nor `--window-days` give one.
pub const DEFAULT_WINDOW_DAYS: f64 = 7.0;
/// Fewer customers than this in either group of a comparison: "not enough data" (no estimate).
pub const DEFAULT_MIN_CUSTOMERS: u64 = 100;
/// The most recent recommendation impressions followed per customer; an older one still in its
/// window is counted with what it got so far when a newer one pushes it out.
pub const REC_SLOTS: usize = 16;
/// Impression times kept per customer and offer to check the offer's caps: a cap with `max`
/// at or above this is not checked (documented in docs/measure.md).
pub const CAP_TRACK: usize = 8;
/// Offers with a daily cumulative curve (the first by id that have a holdout), plus the whole
/// programme against the universal control.
pub const MAX_CURVES: usize = 20;
/// Hash batches of customers for the curves' intervals (batch means).
pub const BATCHES: usize = 20;
/// Distinct placement names followed; more are counted as `other`.
pub const MAX_PLACEMENTS: usize = 64;
/// Longest customer id, sku, offer id or placement name read from the stream (as a profile's).
pub const MAX_FIELD: usize = crate::profile::MAX_STRING;

/// What a measurement reads besides the events: `--config` (`unisono.measure/1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default = "schema_tag")]
    pub schema: String,
    /// How long after an impression a click, redemption or purchase is attributed to it.
    #[serde(default = "default_window")]
    pub window_days: f64,
    /// Below this many customers in either group a comparison says "not enough data".
    #[serde(default = "default_min")]
    pub min_customers: u64,
    /// Offer impressions allowed per customer per UTC day on a channel (`{"email": 1}`).
    #[serde(default)]
    pub contact_caps_per_day: BTreeMap<String, u32>,
    /// At most this many channels on which one customer sees one offer.
    #[serde(default)]
    pub max_channels_per_offer: Option<u32>,
}

fn schema_tag() -> String {
    SETTINGS_SCHEMA.into()
}
fn default_window() -> f64 {
    DEFAULT_WINDOW_DAYS
}
fn default_min() -> u64 {
    DEFAULT_MIN_CUSTOMERS
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            schema: schema_tag(),
            window_days: DEFAULT_WINDOW_DAYS,
            min_customers: DEFAULT_MIN_CUSTOMERS,
            contact_caps_per_day: BTreeMap::new(),
            max_channels_per_offer: None,
        }
    }
}

impl Settings {
    pub fn from_json(text: &str) -> error::Result<Settings> {
        let s: Settings = error::from_json("settings", text)?;
        if s.schema != SETTINGS_SCHEMA {
            return Err(Error::new(
                Code::UnsupportedSchema,
                "settings",
                "schema",
                format!("expected {SETTINGS_SCHEMA:?}"),
            ));
        }
        s.check()?;
        Ok(s)
    }

    pub fn check(&self) -> error::Result<()> {
        let bad =
            |path: String, msg: &str| Err(Error::new(Code::InvalidValue, "settings", path, msg));
        if !(self.window_days.is_finite() && self.window_days > 0.0 && self.window_days <= 366.0) {
            return bad("window_days".into(), "must be > 0 and at most 366");
        }
        if self.min_customers < 2 {
            return bad("min_customers".into(), "must be at least 2");
        }
        for k in self.contact_caps_per_day.keys() {
            if Channel::parse(k).is_none() {
                return bad(format!("contact_caps_per_day.{k}"), "not a channel name");
            }
        }
        Ok(())
    }

    fn caps(&self) -> [Option<u32>; 6] {
        let mut out = [None; 6];
        for (k, v) in &self.contact_caps_per_day {
            if let Some(o) = Channel::parse(k).and_then(|c| out.get_mut(ch(c))) {
                *o = Some(*v);
            }
        }
        out
    }
}

/// What an event is, for the measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    View,
    AddToCart,
    Purchase,
    OfferImpression,
    OfferClick,
    OfferRedeemed,
    OfferDismissed,
    /// `recommendation_impression`: a recommended item was shown (sku, strategy, placement).
    RecImpression,
    /// Anything else (searches, store visits, custom types): the customer is counted, nothing
    /// more.
    Other,
}

impl Kind {
    /// The profile's event types and aliases, plus `recommendation_impression`
    /// (`rec_impression`). `Err` with a suggestion for a name one edit from a known one.
    pub fn parse(s: &str) -> Result<Kind, String> {
        Ok(match s {
            "view" => Kind::View,
            "purchase" => Kind::Purchase,
            "add_to_cart" => Kind::AddToCart,
            "offer_impression" => Kind::OfferImpression,
            "recommendation_impression" | "rec_impression" => Kind::RecImpression,
            _ => {
                let n = crate::channel::normalize_name(s);
                if n == "recommendation_impression" || n == "rec_impression" {
                    return Ok(Kind::RecImpression);
                }
                match EventType::parse(s) {
                    EventType::View => Kind::View,
                    EventType::AddToCart => Kind::AddToCart,
                    EventType::Purchase => Kind::Purchase,
                    EventType::OfferImpression => Kind::OfferImpression,
                    EventType::OfferClick => Kind::OfferClick,
                    EventType::OfferRedeemed => Kind::OfferRedeemed,
                    EventType::OfferDismissed => Kind::OfferDismissed,
                    EventType::Other(_) => {
                        if let Some(near) = crate::channel::event_type_typo(s) {
                            let shown: String = s.chars().take(40).collect();
                            return Err(format!(
                                "unknown event type {shown:?} (did you mean {near:?}?)"
                            ));
                        }
                        Kind::Other
                    }
                    _ => Kind::Other,
                }
            }
        })
    }

    fn is_offer(self) -> bool {
        matches!(
            self,
            Kind::OfferImpression | Kind::OfferClick | Kind::OfferRedeemed | Kind::OfferDismissed
        )
    }
}

/// Every strategy, in the order the report lists them.
pub const STRATEGIES: [Strategy; 7] = [
    Strategy::ContinueJourney,
    Strategy::BoughtTogether,
    Strategy::Personalized,
    Strategy::BuyAgain,
    Strategy::Trending,
    Strategy::Popular,
    Strategy::SimilarItems,
];

/// One event of the stream, borrowed from its line.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamEvent<'a> {
    pub customer: &'a str,
    pub kind: Kind,
    pub channel: Channel,
    pub ts: Timestamp,
    pub sku: Option<&'a str>,
    pub offer: Option<&'a str>,
    pub price: Option<f64>,
    pub quantity: Option<f64>,
    pub strategy: Option<Strategy>,
    pub placement: Option<&'a str>,
}

/// Index of a channel in per-channel arrays (the order of [`Channel::ALL`]).
pub fn ch(c: Channel) -> usize {
    match c {
        Channel::Web => 0,
        Channel::App => 1,
        Channel::Kiosk => 2,
        Channel::Store => 3,
        Channel::Email => 4,
        Channel::CallCenter => 5,
    }
}

fn day_of(ts: Timestamp) -> i64 {
    ts.0.div_euclid(MS_PER_DAY)
}

/// Event counts of one offer on one channel.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OfferCounts {
    pub impressions: u64,
    pub clicks: u64,
    pub redemptions: u64,
    pub dismissals: u64,
}

/// One customer's contact with one offer.
#[derive(Debug, Clone, Default)]
struct OfferState {
    offer: u32,
    /// Channels with an impression (bit = [`ch`]).
    imp_mask: u8,
    last_imp: Option<(i64, u8)>,
    /// By impression channel: a purchase within the window after an impression there.
    attributed: u8,
    /// By impression channel: that purchase (or a redemption) was on another channel.
    cross: u8,
    redeemed: bool,
    recent: [i64; CAP_TRACK],
    recent_len: u8,
}

/// A recommendation impression followed for its window.
#[derive(Debug, Clone, Copy)]
struct RecSlot {
    sku: u64,
    ts: i64,
    strategy: u8,
    channel: u8,
    placement: u16,
    flags: u8,
    revenue: f64,
}

const CLICKED: u8 = 1;
const PURCHASED: u8 = 2;
const JOURNEY: u8 = 4;
const OTHER_CHANNEL: u8 = 8;
const CROSS_PURCHASE: u8 = 16;

/// Everything kept per customer: fixed size, plus the offers it was contacted with and at most
/// [`REC_SLOTS`] recommendation impressions.
#[derive(Debug, Clone, Default)]
struct Customer {
    last_ts: i64,
    revenue: [f64; 6],
    purchases: [u32; 6],
    offers: Vec<OfferState>,
    recs: Vec<RecSlot>,
    day: i64,
    day_contacts: [u16; 6],
    day_offers: Vec<u32>,
    /// Two bits per curve: 0 treatment, 1 holdout, 2 universal control.
    arms: u64,
    batch: u8,
}

/// Recommendation counts of one group (strategy × channel, or placement).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RecCounts {
    pub impressions: u64,
    pub clicks: u64,
    pub purchases: u64,
    pub revenue: f64,
    pub cross_channel_purchases: u64,
    pub journeys: u64,
    pub journeys_other_channel: u64,
}

impl RecCounts {
    fn add(&mut self, s: &RecSlot) {
        self.impressions += 1;
        self.clicks += u64::from(s.flags & CLICKED != 0);
        self.purchases += u64::from(s.flags & PURCHASED != 0);
        self.revenue += s.revenue;
        self.cross_channel_purchases += u64::from(s.flags & CROSS_PURCHASE != 0);
        self.journeys += u64::from(s.flags & JOURNEY != 0);
        self.journeys_other_channel += u64::from(s.flags & OTHER_CHANNEL != 0);
    }
}

/// Contact pressure on one channel: customer-days with at least one offer impression there.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pressure {
    pub customer_days: u64,
    pub contacts: u64,
    pub max_per_day: u64,
    pub over_cap: u64,
}

/// The measurement in progress: feed it events, then [`Measure::finish`].
pub struct Measure {
    settings: Settings,
    caps: [Option<u32>; 6],
    offers: Offers,
    offer_index: StrMap<u32>,
    /// Offers with a curve, by index into `offers.doc.offers`.
    curve_offers: Vec<u32>,
    ids: StrMap<u32>,
    customers: Vec<Customer>,
    counts: Vec<[OfferCounts; 6]>,
    cap_violations: Vec<u64>,
    rec: [[RecCounts; 6]; 8],
    placements: Vec<String>,
    placement_counts: Vec<RecCounts>,
    pressure: [Pressure; 6],
    daily_limit_over: u64,
    /// Day → revenue by [curve][arm][batch].
    daily: BTreeMap<i64, Vec<f64>>,
    stats: StreamStats,
}

/// Totals of the stream itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StreamStats {
    pub events: u64,
    pub purchases: u64,
    pub purchases_without_price: u64,
    pub revenue: f64,
    pub offer_events_unknown_offer: u64,
    pub recommendation_impressions: u64,
    #[serde(skip)]
    pub first: Option<Timestamp>,
    #[serde(skip)]
    pub last: Option<Timestamp>,
}

impl Measure {
    /// `offers`: the catalogue whose control group and holdouts were in force (none: nothing
    /// to compare, the offers section is empty).
    pub fn new(offers: Option<&Offers>, settings: Settings) -> error::Result<Measure> {
        settings.check()?;
        let offers = offers.cloned().unwrap_or_else(Offers::empty);
        let offer_index = offers
            .doc
            .offers
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), i as u32))
            .collect();
        let curve_offers = offers
            .doc
            .offers
            .iter()
            .enumerate()
            .filter(|(_, o)| o.holdout_percent > 0.0)
            .map(|(i, _)| i as u32)
            .take(MAX_CURVES)
            .collect();
        let n = offers.doc.offers.len();
        Ok(Measure {
            caps: settings.caps(),
            settings,
            offers,
            offer_index,
            curve_offers,
            ids: StrMap::default(),
            customers: Vec::new(),
            counts: vec![[OfferCounts::default(); 6]; n],
            cap_violations: vec![0; n],
            rec: [[RecCounts::default(); 6]; 8],
            placements: Vec::new(),
            placement_counts: Vec::new(),
            pressure: [Pressure::default(); 6],
            daily_limit_over: 0,
            daily: BTreeMap::new(),
            stats: StreamStats::default(),
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn window_ms(&self) -> i64 {
        (self.settings.window_days * MS_PER_DAY as f64) as i64
    }

    /// The customer's index, created (with its curve assignments) on first sight.
    fn customer(&mut self, id: &str) -> usize {
        if let Some(&i) = self.ids.get(id) {
            return i as usize;
        }
        let i = self.customers.len();
        let control =
            f64::from(bucket(id, "universal-control")) < self.offers.doc.control_group_percent;
        let mut arms = 0u64;
        for (k, &o) in self.curve_offers.iter().enumerate() {
            let arm = match self.offers.doc.offers.get(o as usize) {
                _ if control => 2,
                Some(d) if f64::from(bucket(id, &d.id)) < d.holdout_percent => 1,
                _ => 0,
            };
            arms |= arm << (2 * k);
        }
        // The programme's curve (all offers against the universal control) comes last.
        arms |= u64::from(if control { 2u8 } else { 0 }) << (2 * self.curve_offers.len());
        self.customers.push(Customer {
            last_ts: i64::MIN,
            day: i64::MIN,
            arms,
            batch: (bucket(id, "measure-batch") as usize % BATCHES) as u8,
            ..Customer::default()
        });
        self.ids.insert(id.to_string(), i as u32);
        i
    }

    /// Add one event. `line` (1-based) names it in errors.
    pub fn push(&mut self, e: &StreamEvent, line: usize) -> error::Result<()> {
        let at = |field: &str| format!("line {line}.{field}");
        let bad = |code, field: &str, msg: String| Err(Error::new(code, "events", at(field), msg));
        if e.customer.is_empty() || e.customer.len() > MAX_FIELD {
            return bad(
                Code::InvalidValue,
                "user_id",
                "must be 1 to 1000 bytes".into(),
            );
        }
        for (name, v) in [
            ("sku", e.sku),
            ("offer", e.offer),
            ("placement", e.placement),
        ] {
            if v.is_some_and(|s| s.len() > MAX_FIELD) {
                return bad(Code::TooLarge, name, "at most 1000 bytes".into());
            }
        }
        if e.kind.is_offer() && e.offer.unwrap_or("").is_empty() {
            return bad(
                Code::MissingField,
                "offer",
                "an offer event needs an offer id".into(),
            );
        }
        if e.kind == Kind::RecImpression && e.sku.unwrap_or("").is_empty() {
            return bad(
                Code::MissingField,
                "sku",
                "a recommendation_impression needs the recommended sku".into(),
            );
        }
        if e.price.is_some_and(|p| !(p.is_finite() && p >= 0.0)) {
            return bad(
                Code::InvalidValue,
                "price",
                "must be a finite number ≥ 0".into(),
            );
        }
        if e.quantity
            .is_some_and(|q| !(q.is_finite() && q > 0.0 && q <= crate::profile::MAX_QUANTITY))
        {
            return bad(
                Code::InvalidValue,
                "quantity",
                "must be > 0 and at most 1e9".into(),
            );
        }
        let i = self.customer(e.customer);
        let last = self.customers.get(i).map_or(i64::MIN, |c| c.last_ts);
        if e.ts.0 < last {
            return bad(
                Code::InvalidValue,
                "ts",
                format!(
                    "earlier than customer {:?}'s previous event ({}): the stream must be in time order per customer (sorted by time, or by customer then time)",
                    crate::error::shorten(e.customer, 80),
                    crate::time::format_rfc3339(Timestamp(last))
                ),
            );
        }
        self.stats.events += 1;
        self.stats.first = Some(self.stats.first.map_or(e.ts, |f| f.min(e.ts)));
        self.stats.last = Some(self.stats.last.map_or(e.ts, |l| l.max(e.ts)));
        if let Some(c) = self.customers.get_mut(i) {
            c.last_ts = e.ts.0;
        }
        match e.kind {
            Kind::Purchase => self.purchase(i, e),
            Kind::View | Kind::AddToCart => self.follow_up(i, e, 0.0),
            k if k.is_offer() => self.offer_event(i, e),
            Kind::RecImpression => self.rec_impression(i, e),
            _ => {}
        }
        Ok(())
    }

    fn purchase(&mut self, i: usize, e: &StreamEvent) {
        let revenue = e.price.unwrap_or(0.0) * e.quantity.unwrap_or(1.0);
        self.stats.purchases += 1;
        self.stats.purchases_without_price += u64::from(e.price.is_none());
        self.stats.revenue += revenue;
        let c_ix = ch(e.channel);
        let window = self.window_ms();
        let Some(c) = self.customers.get_mut(i) else {
            return;
        };
        if let (Some(r), Some(p)) = (c.revenue.get_mut(c_ix), c.purchases.get_mut(c_ix)) {
            *r += revenue;
            *p = p.saturating_add(1);
        }
        for o in &mut c.offers {
            if let Some((t, imp_ch)) = o.last_imp {
                if e.ts.0 - t <= window {
                    o.attributed |= 1 << imp_ch;
                    if usize::from(imp_ch) != c_ix {
                        o.cross |= 1 << imp_ch;
                    }
                }
            }
        }
        let (arms, batch) = (c.arms, usize::from(c.batch));
        if revenue != 0.0 {
            let curves = self.curve_offers.len() + 1;
            let row = self
                .daily
                .entry(day_of(e.ts))
                .or_insert_with(|| vec![0.0; curves * 3 * BATCHES]);
            for k in 0..curves {
                let arm = ((arms >> (2 * k)) & 3) as usize;
                if let Some(v) = row.get_mut((k * 3 + arm) * BATCHES + batch) {
                    *v += revenue;
                }
            }
        }
        self.follow_up(i, e, revenue);
    }

    /// A view, cart or purchase of a sku: the clicks, purchases and journeys of the
    /// recommendation impressions of that sku still in their window.
    fn follow_up(&mut self, i: usize, e: &StreamEvent, revenue: f64) {
        let Some(sku) = e.sku else {
            return;
        };
        let window = self.window_ms();
        let Some(c) = self.customers.get_mut(i) else {
            return;
        };
        if c.recs.is_empty() {
            return;
        }
        let h = sku_hash(sku);
        let c_ix = ch(e.channel) as u8;
        for s in c
            .recs
            .iter_mut()
            .filter(|s| s.sku == h && e.ts.0 - s.ts <= window)
        {
            s.flags |= JOURNEY;
            if c_ix != s.channel {
                s.flags |= OTHER_CHANNEL;
            }
            match e.kind {
                Kind::Purchase => {
                    if s.flags & PURCHASED == 0 {
                        s.revenue += revenue;
                    }
                    s.flags |= PURCHASED;
                    if c_ix != s.channel {
                        s.flags |= CROSS_PURCHASE;
                    }
                }
                Kind::View => s.flags |= CLICKED,
                _ => {}
            }
        }
    }

    fn rec_impression(&mut self, i: usize, e: &StreamEvent) {
        self.stats.recommendation_impressions += 1;
        let placement = self.placement(e.placement);
        let slot = RecSlot {
            sku: sku_hash(e.sku.unwrap_or("")),
            ts: e.ts.0,
            strategy: e
                .strategy
                .and_then(|s| STRATEGIES.iter().position(|x| *x == s))
                .unwrap_or(STRATEGIES.len()) as u8,
            channel: ch(e.channel) as u8,
            placement,
            flags: 0,
            revenue: 0.0,
        };
        let window = self.window_ms();
        let mut done = Vec::new();
        if let Some(c) = self.customers.get_mut(i) {
            // Slots past their window are complete: count them and free their place.
            let mut k = 0;
            while k < c.recs.len() {
                if c.recs.get(k).is_some_and(|s| e.ts.0 - s.ts > window) {
                    done.push(c.recs.swap_remove(k));
                } else {
                    k += 1;
                }
            }
            if c.recs.len() >= REC_SLOTS {
                let oldest = c
                    .recs
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, s)| s.ts)
                    .map(|(k, _)| k);
                if let Some(k) = oldest {
                    done.push(c.recs.swap_remove(k));
                }
            }
            c.recs.push(slot);
        }
        for s in &done {
            self.count_rec(s);
        }
    }

    fn count_rec(&mut self, s: &RecSlot) {
        if let Some(r) = self
            .rec
            .get_mut(usize::from(s.strategy))
            .and_then(|row| row.get_mut(usize::from(s.channel)))
        {
            r.add(s);
        }
        if let Some(p) = self.placement_counts.get_mut(usize::from(s.placement)) {
            p.add(s);
        }
    }

    /// The index of a placement name (`none` for an event without one, `other` past
    /// [`MAX_PLACEMENTS`] names).
    fn placement(&mut self, name: Option<&str>) -> u16 {
        let name = name.unwrap_or("none");
        if let Some(i) = self.placements.iter().position(|p| p == name) {
            return i as u16;
        }
        let name = if self.placements.len() >= MAX_PLACEMENTS {
            "other"
        } else {
            name
        };
        if let Some(i) = self.placements.iter().position(|p| p == name) {
            return i as u16;
        }
        self.placements.push(name.to_string());
        self.placement_counts.push(RecCounts::default());
        (self.placements.len() - 1) as u16
    }

    fn offer_event(&mut self, i: usize, e: &StreamEvent) {
        let Some(&o) = e.offer.and_then(|id| self.offer_index.get(id)) else {
            self.stats.offer_events_unknown_offer += 1;
            return;
        };
        let c_ix = ch(e.channel);
        let window = self.window_ms();
        if let Some(n) = self
            .counts
            .get_mut(o as usize)
            .and_then(|r| r.get_mut(c_ix))
        {
            match e.kind {
                Kind::OfferImpression => n.impressions += 1,
                Kind::OfferClick => n.clicks += 1,
                Kind::OfferRedeemed => n.redemptions += 1,
                _ => n.dismissals += 1,
            }
        }
        let Some(c) = self.customers.get_mut(i) else {
            return;
        };
        let k = match c.offers.iter().position(|s| s.offer == o) {
            Some(k) => k,
            None => {
                c.offers.push(OfferState {
                    offer: o,
                    recent: [i64::MIN; CAP_TRACK],
                    ..OfferState::default()
                });
                c.offers.len() - 1
            }
        };
        let Some(s) = c.offers.get_mut(k) else {
            return;
        };
        match e.kind {
            Kind::OfferImpression => {
                s.imp_mask |= 1 << c_ix;
                s.last_imp = Some((e.ts.0, c_ix as u8));
                // A ring of the latest impression times (CAP_TRACK divides 256).
                let at = usize::from(s.recent_len) % CAP_TRACK;
                if let Some(t) = s.recent.get_mut(at) {
                    *t = e.ts.0;
                }
                s.recent_len = s.recent_len.wrapping_add(1);
                self.check_caps(i, k, e);
                self.contact(i, o, e);
            }
            Kind::OfferRedeemed => {
                s.redeemed = true;
                if let Some((t, imp_ch)) = s.last_imp {
                    if e.ts.0 - t <= window && usize::from(imp_ch) != c_ix {
                        s.cross |= 1 << imp_ch;
                    }
                }
            }
            _ => {}
        }
    }

    /// Counts an impression beyond one of the offer's caps (`max` within `days`, any channel).
    fn check_caps(&mut self, i: usize, k: usize, e: &StreamEvent) {
        let Some(s) = self.customers.get(i).and_then(|c| c.offers.get(k)) else {
            return;
        };
        let Some(def) = self.offers.doc.offers.get(s.offer as usize) else {
            return;
        };
        let over = def.caps.iter().any(|cap| {
            let since = e.ts.days_before(cap.days).0;
            let n = s.recent.iter().filter(|t| **t > since).count();
            (cap.max as usize) < CAP_TRACK && n > cap.max as usize
        });
        if over {
            if let Some(v) = self.cap_violations.get_mut(s.offer as usize) {
                *v += 1;
            }
        }
    }

    /// Contact pressure: offer impressions per customer, UTC day and channel.
    fn contact(&mut self, i: usize, offer: u32, e: &StreamEvent) {
        let day = day_of(e.ts);
        let flush_needed = self.customers.get(i).is_some_and(|c| c.day != day);
        if flush_needed {
            self.flush_day(i);
            if let Some(c) = self.customers.get_mut(i) {
                c.day = day;
            }
        }
        if let Some(c) = self.customers.get_mut(i) {
            if let Some(n) = c.day_contacts.get_mut(ch(e.channel)) {
                *n = n.saturating_add(1);
            }
            if !c.day_offers.contains(&offer) {
                c.day_offers.push(offer);
            }
        }
    }

    fn flush_day(&mut self, i: usize) {
        let Some(c) = self.customers.get_mut(i) else {
            return;
        };
        for (k, n) in c.day_contacts.iter_mut().enumerate() {
            if *n == 0 {
                continue;
            }
            if let Some(p) = self.pressure.get_mut(k) {
                p.customer_days += 1;
                p.contacts += u64::from(*n);
                p.max_per_day = p.max_per_day.max(u64::from(*n));
                if self
                    .caps
                    .get(k)
                    .copied()
                    .flatten()
                    .is_some_and(|cap| u32::from(*n) > cap)
                {
                    p.over_cap += 1;
                }
            }
            *n = 0;
        }
        if let Some(limit) = self.offers.doc.max_offers_per_day {
            if c.day_offers.len() > limit {
                self.daily_limit_over += 1;
            }
        }
        c.day_offers.clear();
    }
}

/// A 64-bit FNV-1a of a sku: recommendation slots compare skus by hash (a collision between two
/// skus one customer saw within a window is ~2^-64).
fn sku_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
