//! Synthetic event streams with a known answer: planted uplift per offer and channel, a
//! cross-channel effect (an email offer that raises store purchases), a zero effect, an
//! optional sample-ratio bug, and recommendation impressions with planted click and purchase
//! rates. Seeded ([`SplitMix64`]): the same seed gives the same stream, byte for byte.
//!
//! How customers behave (per customer, independently):
//! - one `view` somewhere in the period (every customer is in the stream), `filler_views` more;
//! - per channel, with probability `base[channel]`, one purchase at a random time;
//! - per offer, outside the universal control, eligible with probability `eligible`; an eligible
//!   customer in the offer's holdout sees nothing (as the engine decides); one in treatment gets
//!   an impression on the offer's channel (a second one the same day with probability 0.3), a
//!   click with probability 0.3, and per channel, with probability `effect[channel]`, an extra
//!   purchase there within the window (redeeming the offer with probability 0.5);
//! - `recs` recommendation impressions: clicked (a `view` of the item) with the strategy's
//!   rate, bought after a click with probability `buy_after_click`; each follow-up is on
//!   another channel with probability `other_channel`.
//!
//! A basket is a price from [`PRICES`] times a quantity of 1 to 3, so an extra purchase is worth
//! [`MEAN_BASKET`] on average, and the planted revenue uplift per customer of an offer on a
//! channel (treatment against holdout) is exactly `eligible × effect[channel] × MEAN_BASKET`
//! ([`Spec::truth`]).

use super::stats::SplitMix64;
use super::{Kind, StreamEvent};
use crate::channel::Channel;
use crate::config::Strategy;
use crate::error;
use crate::offers::bucket;
use crate::time::{write_rfc3339, Timestamp, MS_PER_DAY};

pub const PRICES: [f64; 5] = [10.0, 20.0, 35.0, 50.0, 85.0];
/// Mean price (40) × mean quantity (2).
pub const MEAN_BASKET: f64 = 80.0;

#[derive(Debug, Clone, PartialEq)]
pub struct SynthOffer {
    pub id: &'static str,
    /// Where it is shown.
    pub channel: Channel,
    pub holdout_percent: f64,
    pub eligible: f64,
    /// Extra purchase probability per channel (order of [`Channel::ALL`]) for a customer shown
    /// the offer.
    pub effect: [f64; 6],
    /// The planted sample-ratio bug: this share of the offer's holdout customers is lost from
    /// the stream (all their events), as a logging bug would lose them.
    pub srm_drop: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub customers: usize,
    pub days: u32,
    pub start: Timestamp,
    pub window_days: f64,
    pub control_group_percent: f64,
    pub base: [f64; 6],
    pub offers: Vec<SynthOffer>,
    pub recs: u32,
    pub rec_click: Vec<(Strategy, f64)>,
    pub buy_after_click: f64,
    pub other_channel: f64,
    pub filler_views: u32,
}

const WEB: usize = 0;
const APP: usize = 1;
const STORE: usize = 3;

impl Spec {
    /// The standard stream: four offers (two direct effects, one cross-channel, one zero),
    /// three strategies, no bug.
    pub fn standard(customers: usize) -> Spec {
        let effect = |k: usize, p: f64| {
            let mut e = [0.0; 6];
            if let Some(x) = e.get_mut(k) {
                *x = p;
            }
            e
        };
        Spec {
            customers,
            days: 28,
            start: Timestamp(1_793_491_200_000), // 2026-11-01T00:00:00Z
            window_days: 7.0,
            control_group_percent: 5.0,
            base: [0.30, 0.25, 0.05, 0.20, 0.0, 0.0],
            offers: vec![
                SynthOffer {
                    id: "A10",
                    channel: Channel::Web,
                    holdout_percent: 50.0,
                    eligible: 0.6,
                    effect: effect(WEB, 0.10),
                    srm_drop: 0.0,
                },
                SynthOffer {
                    id: "B20",
                    channel: Channel::App,
                    holdout_percent: 20.0,
                    eligible: 0.5,
                    effect: effect(APP, 0.08),
                    srm_drop: 0.0,
                },
                SynthOffer {
                    id: "XMAIL",
                    channel: Channel::Email,
                    holdout_percent: 30.0,
                    eligible: 0.8,
                    effect: effect(STORE, 0.10),
                    srm_drop: 0.0,
                },
                SynthOffer {
                    id: "ZERO",
                    channel: Channel::Web,
                    holdout_percent: 50.0,
                    eligible: 0.7,
                    effect: [0.0; 6],
                    srm_drop: 0.0,
                },
            ],
            recs: 3,
            rec_click: vec![
                (Strategy::ContinueJourney, 0.30),
                (Strategy::Personalized, 0.20),
                (Strategy::Popular, 0.10),
            ],
            buy_after_click: 0.30,
            other_channel: 0.40,
            filler_views: 0,
        }
    }

    /// [`Spec::standard`] plus an offer `SRM` (shown in the app, no effect) whose holdout loses
    /// a quarter of its customers from the stream.
    pub fn with_srm_bug(customers: usize) -> Spec {
        let mut s = Spec::standard(customers);
        s.offers.push(SynthOffer {
            id: "SRM",
            channel: Channel::App,
            holdout_percent: 50.0,
            eligible: 0.5,
            effect: [0.0; 6],
            srm_drop: 0.25,
        });
        s
    }

    /// The planted revenue uplift per customer (treatment against holdout) of `offer` on
    /// `channel` (`None`: all channels).
    pub fn truth(&self, offer: &str, channel: Option<Channel>) -> f64 {
        let Some(o) = self.offers.iter().find(|o| o.id == offer) else {
            return 0.0;
        };
        let effect: f64 = match channel {
            Some(c) => o.effect.get(super::ch(c)).copied().unwrap_or(0.0),
            None => o.effect.iter().fold(0.0, |a, b| a + b),
        };
        o.eligible * effect * MEAN_BASKET
    }

    /// The offers document the stream was "decided" with (`unisono.offers/1`).
    pub fn offers_json(&self) -> String {
        let offers: Vec<serde_json::Value> = self
            .offers
            .iter()
            .map(|o| {
                serde_json::json!({
                    "id": o.id,
                    "name": format!("synthetic offer {}", o.id),
                    "content": { "en-GB": { "title": o.id } },
                    "channels": [o.channel.as_str()],
                    "holdout_percent": o.holdout_percent,
                    "caps": [{ "max": 2, "days": 1 }],
                })
            })
            .collect();
        serde_json::json!({
            "schema": crate::offers::OFFERS_SCHEMA,
            "version": "synthetic",
            "control_group_percent": self.control_group_percent,
            "max_offers_per_day": 3,
            "offers": offers,
        })
        .to_string()
    }
}

/// One generated event (owned until the customer's events are sorted).
#[derive(Debug, Clone)]
struct Ev {
    ts: i64,
    kind: Kind,
    channel: Channel,
    sku: Option<String>,
    offer: Option<&'static str>,
    price: Option<f64>,
    quantity: Option<f64>,
    strategy: Option<Strategy>,
}

impl Ev {
    fn new(ts: i64, kind: Kind, channel: Channel) -> Ev {
        Ev {
            ts,
            kind,
            channel,
            sku: None,
            offer: None,
            price: None,
            quantity: None,
            strategy: None,
        }
    }

    fn sku(mut self, sku: Option<String>) -> Ev {
        self.sku = sku;
        self
    }

    fn offer(mut self, id: &'static str) -> Ev {
        self.offer = Some(id);
        self
    }
}

const CHANNELS: [Channel; 4] = [Channel::Web, Channel::App, Channel::Kiosk, Channel::Store];

struct Gen<'a> {
    spec: &'a Spec,
    rng: SplitMix64,
    events: Vec<Ev>,
    next_sku: u32,
}

impl Gen<'_> {
    fn day_ms(&mut self, max_days: f64) -> i64 {
        (self.rng.unit() * max_days.max(0.0) * MS_PER_DAY as f64) as i64
    }

    fn other(&mut self, c: Channel) -> Channel {
        if !self.rng.chance(self.spec.other_channel) {
            return c;
        }
        let pick = CHANNELS
            .iter()
            .copied()
            .filter(|x| *x != c)
            .collect::<Vec<_>>();
        pick.get(self.rng.below(pick.len() as u64) as usize)
            .copied()
            .unwrap_or(c)
    }

    fn push(&mut self, ev: Ev) {
        self.events.push(ev);
    }

    fn purchase(&mut self, ts: i64, channel: Channel, sku: Option<String>) {
        let price = PRICES
            .get(self.rng.below(PRICES.len() as u64) as usize)
            .copied()
            .unwrap_or(0.0);
        let quantity = (1 + self.rng.below(3)) as f64;
        let sku = sku.or_else(|| {
            self.next_sku += 1;
            Some(format!("p{}", self.next_sku))
        });
        let mut e = Ev::new(ts, Kind::Purchase, channel).sku(sku);
        e.price = Some(price);
        e.quantity = Some(quantity);
        self.push(e);
    }

    fn offers(&mut self, id: &str, control: bool) -> bool {
        let spec = self.spec;
        let window = spec.window_days;
        let mut dropped = false;
        for o in &spec.offers {
            if control {
                continue;
            }
            let held = f64::from(bucket(id, o.id)) < o.holdout_percent;
            if held && o.srm_drop > 0.0 && self.rng.chance(o.srm_drop) {
                dropped = true;
            }
            if !self.rng.chance(o.eligible) || held {
                continue;
            }
            let t = self.day_ms(f64::from(spec.days) - window);
            self.push(Ev::new(t, Kind::OfferImpression, o.channel).offer(o.id));
            if self.rng.chance(0.3) {
                let t2 = t + self.day_ms(0.01);
                self.push(Ev::new(t2, Kind::OfferImpression, o.channel).offer(o.id));
            }
            if self.rng.chance(0.3) {
                self.push(Ev::new(t + 60_000, Kind::OfferClick, o.channel).offer(o.id));
            }
            for (k, c) in Channel::ALL.iter().enumerate() {
                let p = o.effect.get(k).copied().unwrap_or(0.0);
                if p > 0.0 && self.rng.chance(p) {
                    let at = t + 120_000 + self.day_ms(window - 0.01);
                    self.purchase(at, *c, None);
                    if self.rng.chance(0.5) {
                        self.push(Ev::new(at, Kind::OfferRedeemed, *c).offer(o.id));
                    }
                }
            }
        }
        dropped
    }

    fn recs(&mut self) {
        let spec = self.spec;
        for k in 0..spec.recs {
            let (strategy, click) = spec
                .rec_click
                .get(self.rng.below(spec.rec_click.len() as u64) as usize)
                .copied()
                .unwrap_or((Strategy::Popular, 0.0));
            let shown_on = CHANNELS
                .get(self.rng.below(CHANNELS.len() as u64) as usize)
                .copied()
                .unwrap_or(Channel::Web);
            let t = self.day_ms(f64::from(spec.days) - spec.window_days);
            let sku = format!("r{k}");
            let mut e = Ev::new(t, Kind::RecImpression, shown_on).sku(Some(sku.clone()));
            e.strategy = Some(strategy);
            self.push(e);
            if !self.rng.chance(click) {
                continue;
            }
            let seen = t + 60_000 + self.day_ms(2.0);
            let c = self.other(shown_on);
            self.push(Ev::new(seen, Kind::View, c).sku(Some(sku.clone())));
            if self.rng.chance(spec.buy_after_click) {
                let c = self.other(shown_on);
                let at = seen + 60_000 + self.day_ms(3.0);
                self.purchase(at, c, Some(sku));
            }
        }
    }

    /// One customer's events, sorted by time; empty when the customer is lost (the SRM bug).
    fn customer(&mut self, id: &str) {
        let spec = self.spec;
        self.events.clear();
        self.next_sku = 0;
        let days = f64::from(spec.days);
        for _ in 0..=spec.filler_views {
            let t = self.day_ms(days);
            let c = CHANNELS
                .get(self.rng.below(CHANNELS.len() as u64) as usize)
                .copied()
                .unwrap_or(Channel::Web);
            let sku = format!("v{}", self.rng.below(500));
            self.push(Ev::new(t, Kind::View, c).sku(Some(sku)));
        }
        for (k, c) in Channel::ALL.iter().enumerate() {
            if self.rng.chance(spec.base.get(k).copied().unwrap_or(0.0)) {
                let t = self.day_ms(days);
                self.purchase(t, *c, None);
            }
        }
        let control = f64::from(bucket(id, "universal-control")) < spec.control_group_percent;
        let dropped = self.offers(id, control);
        self.recs();
        if dropped {
            self.events.clear();
        }
        self.events.sort_by_key(|e| e.ts);
    }
}

/// Generate the stream of `spec` for `seed`, customer after customer (each customer's events in
/// time order), handing each event to `sink` with its 1-based position.
pub fn generate(
    spec: &Spec,
    seed: u64,
    mut sink: impl FnMut(&StreamEvent, usize) -> error::Result<()>,
) -> error::Result<()> {
    let mut g = Gen {
        spec,
        rng: SplitMix64::new(seed),
        events: Vec::new(),
        next_sku: 0,
    };
    let mut n = 0;
    for i in 0..spec.customers {
        let id = format!("s{seed}-c{i:07}");
        g.customer(&id);
        for e in &g.events {
            n += 1;
            sink(
                &StreamEvent {
                    customer: &id,
                    kind: e.kind,
                    channel: e.channel,
                    ts: Timestamp(spec.start.0 + e.ts),
                    sku: e.sku.as_deref(),
                    offer: e.offer,
                    price: e.price,
                    quantity: e.quantity,
                    strategy: e.strategy,
                    placement: e.strategy.map(|_| "home"),
                },
                n,
            )?;
        }
    }
    Ok(())
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::View => "view",
        Kind::AddToCart => "add_to_cart",
        Kind::Purchase => "purchase",
        Kind::OfferImpression => "offer_impression",
        Kind::OfferClick => "offer_click",
        Kind::OfferRedeemed => "offer_redeemed",
        Kind::OfferDismissed => "offer_dismissed",
        Kind::RecImpression => "recommendation_impression",
        Kind::Other => "other",
    }
}

/// One event as an NDJSON line (ids and skus here never need escaping).
pub fn ndjson_line(e: &StreamEvent, out: &mut Vec<u8>) {
    use std::io::Write;
    let mut ts = [0u8; 24];
    let n = write_rfc3339(e.ts, &mut ts);
    let ts = std::str::from_utf8(ts.get(..n).unwrap_or_default()).unwrap_or("");
    let _ = write!(
        out,
        r#"{{"user_id":"{}","type":"{}","channel":"{}","ts":"{}""#,
        e.customer,
        kind_name(e.kind),
        e.channel.as_str(),
        ts
    );
    for (k, v) in [
        ("sku", e.sku),
        ("offer", e.offer),
        ("placement", e.placement),
    ] {
        if let Some(v) = v {
            let _ = write!(out, r#","{k}":"{v}""#);
        }
    }
    if let Some(s) = e.strategy {
        let _ = write!(out, r#","strategy":"{}""#, s.as_str());
    }
    for (k, v) in [("price", e.price), ("quantity", e.quantity)] {
        if let Some(v) = v {
            let _ = write!(out, r#","{k}":{v}"#);
        }
    }
    out.extend_from_slice(b"}\n");
}

/// The stream as NDJSON into `out`; returns the number of events.
pub fn write_ndjson(spec: &Spec, seed: u64, out: &mut impl std::io::Write) -> error::Result<usize> {
    let mut buf = Vec::with_capacity(1 << 16);
    let mut count = 0;
    let io = |e: std::io::Error| error::Error::new(error::Code::Io, "events", "", e.to_string());
    generate(spec, seed, |e, n| {
        ndjson_line(e, &mut buf);
        count = n;
        if buf.len() > 1 << 16 {
            out.write_all(&buf).map_err(io)?;
            buf.clear();
        }
        Ok(())
    })?;
    out.write_all(&buf).map_err(io)?;
    Ok(count)
}
