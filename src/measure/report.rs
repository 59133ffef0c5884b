//! The report (`unisono.measure-report/1`, docs/measure.md documents every field) and its three
//! renderings: a terminal table, JSON, and a self-contained HTML page with inline SVG charts (no
//! script, no external font, image or style sheet).

use serde::Serialize;
use std::fmt::Write;

pub const REPORT_SCHEMA: &str = "unisono.measure-report/1";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub method: Method,
    pub stream: StreamSummary,
    pub offers: OffersSection,
    pub recommendations: RecSection,
    pub guardrails: Guardrails,
    /// One line per raised guardrail (`srm: WINTER10`, …); empty when all is well.
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Method {
    pub confidence: f64,
    pub interval: &'static str,
    pub relative: &'static str,
    pub rates: &'static str,
    pub srm_test: &'static str,
    pub srm_p: f64,
    pub curve: &'static str,
    pub window_days: f64,
    pub min_customers: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreamSummary {
    pub events: u64,
    pub customers: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub days: u64,
    pub purchases: u64,
    pub purchases_without_price: u64,
    pub revenue: f64,
    pub recommendation_impressions: u64,
    pub offer_events_unknown_offer: u64,
}

/// An estimate with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

impl Interval {
    pub fn new(estimate: f64, low: f64, high: f64) -> Interval {
        Interval {
            estimate: round(estimate),
            low: round(low),
            high: round(high),
        }
    }

    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// Six decimals: enough for revenue per customer and rates, and stable text.
pub fn round(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e6).round() / 1e6 + 0.0
    } else {
        x
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OffersSection {
    pub control_group_percent: f64,
    /// Every customer outside the universal control against the universal control.
    pub programme: Option<Comparison>,
    pub items: Vec<OfferReport>,
}

/// One randomised comparison: `treatment` against `control` (`holdout` or
/// `universal_control`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub control: &'static str,
    pub customers_treatment: u64,
    pub customers_control: u64,
    pub metrics: Vec<Metric>,
    /// Revenue uplift per customer × treatment customers.
    pub incremental_revenue: Option<Interval>,
    /// Cumulative revenue uplift per customer, day by day (batch-means intervals).
    pub curve: Vec<CurvePoint>,
}

impl Comparison {
    pub fn metric(&self, metric: &str, channel: &str) -> Option<&Metric> {
        self.metrics
            .iter()
            .find(|m| m.metric == metric && m.channel == channel)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    /// `revenue` (per customer), `conversion` (share of customers with a purchase) or
    /// `redemption` (share who redeemed the offer).
    pub metric: &'static str,
    /// `all` or a channel: revenue / purchases on that channel.
    pub channel: &'static str,
    /// `ok`, `not_enough_data` (fewer than `min_customers` in a group) or `no_variation`.
    pub status: &'static str,
    pub treatment_mean: f64,
    pub control_mean: f64,
    pub absolute: Option<Interval>,
    pub relative: Option<Interval>,
    pub p_value: Option<f64>,
    pub significant: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Days since the stream's first day (0-based).
    pub day: u32,
    /// That day, `YYYY-MM-DD` (UTC).
    pub date: String,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferReport {
    pub id: String,
    pub name: String,
    pub holdout_percent: f64,
    /// The share the hash gives: buckets 0–99 below `holdout_percent`.
    pub effective_holdout_share: f64,
    pub channels_allowed: Vec<&'static str>,
    pub exposure: Vec<Exposure>,
    pub vs_holdout: Option<Comparison>,
    pub vs_control: Option<Comparison>,
}

/// Descriptive, not causal: what happened after impressions on one channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exposure {
    pub channel: &'static str,
    pub impressions: u64,
    pub clicks: u64,
    pub redemptions: u64,
    pub dismissals: u64,
    /// Customers with an impression on this channel.
    pub customers: u64,
    /// Of those, customers who bought within the window after an impression here.
    pub attributed_purchasers: u64,
    /// Of those, customers who bought (or redeemed) on another channel.
    pub cross_channel: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecSection {
    pub total: RecRow,
    pub by_strategy_channel: Vec<RecRow>,
    pub by_placement: Vec<RecRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecRow {
    pub strategy: Option<&'static str>,
    pub channel: Option<&'static str>,
    pub placement: Option<String>,
    pub impressions: u64,
    pub clicks: u64,
    pub click_rate: Option<Interval>,
    pub purchases: u64,
    pub purchase_rate: Option<Interval>,
    pub revenue: f64,
    pub cross_channel_purchases: u64,
    pub journeys: u64,
    pub journeys_other_channel: u64,
    /// Share of journeys (impressions followed by a view, cart or purchase of the item) that
    /// continued on another channel.
    pub other_channel_share: Option<Interval>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guardrails {
    pub contact_pressure: Vec<PressureRow>,
    pub max_offers_per_day: Option<usize>,
    pub customer_days_over_daily_offer_limit: u64,
    pub caps: Vec<CapRow>,
    pub srm: Vec<SrmRow>,
    pub holdout_exposed: Vec<LeakRow>,
    pub channels: Vec<ChannelRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PressureRow {
    pub channel: &'static str,
    pub cap_per_day: Option<u32>,
    pub customer_days: u64,
    pub contacts: u64,
    pub mean_per_day: f64,
    pub max_per_day: u64,
    pub customer_days_over_cap: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapRow {
    pub offer: String,
    pub caps: Vec<String>,
    pub impressions_over_cap: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SrmRow {
    /// `universal_control` or an offer id (its holdout among customers outside the control).
    pub group: String,
    pub expected_share: f64,
    pub observed_share: f64,
    pub customers: u64,
    pub chi_square: f64,
    pub p_value: f64,
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeakRow {
    pub offer: String,
    pub holdout_customers_exposed: u64,
    pub control_customers_exposed: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelRow {
    pub offer: String,
    pub customers_on_disallowed_channels: u64,
    pub customers_over_max_channels: u64,
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn offer(&self, id: &str) -> Option<&OfferReport> {
        self.offers.items.iter().find(|o| o.id == id)
    }
}

fn money(x: f64) -> String {
    format!("{x:.2}")
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// `+1.23 [0.45, 2.01]` (or the status when there is no estimate).
fn cell(m: &Metric, as_pct: bool) -> String {
    let f = |x: f64| if as_pct { pct(x) } else { money(x) };
    match &m.absolute {
        Some(a) => format!(
            "{}{} [{}, {}]{}",
            if a.estimate >= 0.0 { "+" } else { "" },
            f(a.estimate),
            f(a.low),
            f(a.high),
            if m.significant { " *" } else { "" }
        ),
        None => m.status.replace('_', " "),
    }
}

impl Report {
    /// The terminal table.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let s = &self.stream;
        let _ = writeln!(
            o,
            "unisono measure — {} events, {} customers, {} to {} ({} days)",
            s.events,
            s.customers,
            s.first.as_deref().unwrap_or("-"),
            s.last.as_deref().unwrap_or("-"),
            s.days
        );
        let _ = writeln!(
            o,
            "{} purchases ({} without a price), revenue {}; window {} days; 95% Welch intervals; * = interval excludes 0",
            s.purchases,
            s.purchases_without_price,
            money(s.revenue),
            self.method.window_days,
            );
        self.text_offers(&mut o);
        self.text_recs(&mut o);
        self.text_guardrails(&mut o);
        o
    }

    fn text_offers(&self, o: &mut String) {
        let _ = writeln!(
            o,
            "\nOFFERS (randomised: treatment vs holdout, and vs the universal control of {}%)",
            self.offers.control_group_percent
        );
        let _ = writeln!(
            o,
            "{:<14} {:<10} {:>8} {:>8}  {:<32} {:<30} {:<26}",
            "offer", "vs", "n treat", "n ctrl", "revenue/customer", "conversion", "redemption"
        );
        let mut rows: Vec<(&str, &Comparison)> = Vec::new();
        if let Some(p) = &self.offers.programme {
            rows.push(("(all offers)", p));
        }
        for it in &self.offers.items {
            for c in it.vs_holdout.iter().chain(it.vs_control.iter()) {
                rows.push((&it.id, c));
            }
        }
        for (id, c) in rows {
            let get = |m: &str| c.metric(m, "all");
            let _ = writeln!(
                o,
                "{:<14} {:<10} {:>8} {:>8}  {:<32} {:<30} {:<26}",
                crate::error::shorten(id, 14),
                if c.control == "holdout" {
                    "holdout"
                } else {
                    "control"
                },
                c.customers_treatment,
                c.customers_control,
                get("revenue").map(|m| cell(m, false)).unwrap_or_default(),
                get("conversion").map(|m| cell(m, true)).unwrap_or_default(),
                get("redemption").map(|m| cell(m, true)).unwrap_or_default(),
            );
        }
        for it in &self.offers.items {
            for c in it.vs_holdout.iter() {
                let by_channel: Vec<String> = c
                    .metrics
                    .iter()
                    .filter(|m| m.metric == "revenue" && m.channel != "all" && m.absolute.is_some())
                    .map(|m| format!("{} {}", m.channel, cell(m, false)))
                    .collect();
                if !by_channel.is_empty() {
                    let _ = writeln!(
                        o,
                        "  {} revenue by channel: {}",
                        it.id,
                        by_channel.join("; ")
                    );
                }
                if let Some(inc) = &c.incremental_revenue {
                    let _ = writeln!(
                        o,
                        "  {} incremental revenue: {} [{}, {}]",
                        it.id,
                        money(inc.estimate),
                        money(inc.low),
                        money(inc.high)
                    );
                }
            }
        }
    }

    fn text_recs(&self, o: &mut String) {
        let r = &self.recommendations;
        let _ = writeln!(
            o,
            "\nRECOMMENDATIONS (observational: what followed an impression within the window)"
        );
        if r.total.impressions == 0 {
            let _ = writeln!(o, "no recommendation_impression events in the stream");
            return;
        }
        let _ = writeln!(
            o,
            "{:<18} {:<12} {:>8} {:>16} {:>16} {:>12} {:>14}",
            "strategy",
            "channel",
            "shown",
            "click rate",
            "purchase rate",
            "cross-ch buys",
            "other-channel"
        );
        for row in std::iter::once(&r.total).chain(&r.by_strategy_channel) {
            let rate = |i: &Option<Interval>| i.map(|i| pct(i.estimate)).unwrap_or_default();
            let _ = writeln!(
                o,
                "{:<18} {:<12} {:>8} {:>16} {:>16} {:>12} {:>14}",
                row.strategy.unwrap_or("(all)"),
                row.channel.unwrap_or("(all)"),
                row.impressions,
                rate(&row.click_rate),
                rate(&row.purchase_rate),
                row.cross_channel_purchases,
                rate(&row.other_channel_share),
            );
        }
    }

    fn text_guardrails(&self, o: &mut String) {
        let g = &self.guardrails;
        let _ = writeln!(o, "\nGUARDRAILS");
        for p in &g.contact_pressure {
            let _ = writeln!(
                o,
                "contact pressure {:<12} {:>8} customer-days, mean {:.2}/day, max {}, cap {}, over cap {}",
                p.channel,
                p.customer_days,
                p.mean_per_day,
                p.max_per_day,
                p.cap_per_day.map_or("-".into(), |c| c.to_string()),
                p.customer_days_over_cap
            );
        }
        for s in &g.srm {
            let _ = writeln!(
                o,
                "sample ratio {:<18} expected {:.3}, observed {:.3} of {}, chi² {:.2}, p {:.4}{}",
                s.group,
                s.expected_share,
                s.observed_share,
                s.customers,
                s.chi_square,
                s.p_value,
                if s.flagged { "  ← MISMATCH" } else { "" }
            );
        }
        if self.flags.is_empty() {
            let _ = writeln!(o, "no guardrail raised");
        } else {
            for f in &self.flags {
                let _ = writeln!(o, "FLAG {f}");
            }
        }
    }
}
