//! From the per-customer state to the report: recompute each customer's assignments with the
//! engine's hash, fold outcomes into per-group moments, and compare the groups.

use super::report::*;
use super::stats::{self, Moments};
use super::{ch, Customer, Measure, RecCounts, STRATEGIES};
use crate::channel::Channel;
use crate::offers::bucket;
use crate::time::{format_rfc3339, Timestamp, MS_PER_DAY};

/// Outcomes per customer: revenue (all, then per channel), conversion (all, then per channel).
const OUTCOMES: usize = 14;
/// Plus redemption of the offer, for an offer's groups.
const METRICS: usize = OUTCOMES + 1;
const TREATMENT: usize = 0;
const HOLDOUT: usize = 1;
const CONTROL: usize = 2;

type Groups = [[Moments; METRICS]; 3];

/// The share of customers the hash puts below `percent`: buckets 0–99 with `b < percent`
/// (a 2.5 % holdout holds buckets 0, 1 and 2: 3 %).
pub fn effective_share(percent: f64) -> f64 {
    (0..100u32).filter(|b| f64::from(*b) < percent).count() as f64 / 100.0
}

fn outcomes(c: &Customer) -> [f64; OUTCOMES] {
    let mut y = [0.0; OUTCOMES];
    let n = c.revenue.len();
    let mut set = |k: usize, v: f64| {
        if let Some(x) = y.get_mut(k) {
            *x = v;
        }
    };
    set(0, c.revenue.iter().fold(0.0, |a, b| a + b));
    set(
        n + 1,
        f64::from(u8::from(c.purchases.iter().any(|p| *p > 0))),
    );
    for (k, (r, p)) in c.revenue.iter().zip(c.purchases).enumerate() {
        set(1 + k, *r);
        set(n + 2 + k, f64::from(u8::from(p > 0)));
    }
    y
}

/// Per offer: what the fold accumulates besides the groups' moments.
#[derive(Default, Clone)]
struct OfferFold {
    customers: [u64; 6],
    attributed: [u64; 6],
    cross: [u64; 6],
    leak_holdout: u64,
    leak_control: u64,
    disallowed: u64,
    over_channels: u64,
    /// Customers outside the universal control, and of them in the holdout (SRM).
    eligible: u64,
    held: u64,
}

impl Measure {
    /// The report. Customers are folded in the order they first appeared, so the same stream
    /// gives the same bytes.
    pub fn finish(mut self) -> Report {
        for i in 0..self.customers.len() {
            self.flush_day(i);
            let recs = self
                .customers
                .get_mut(i)
                .map(|c| std::mem::take(&mut c.recs))
                .unwrap_or_default();
            for s in &recs {
                self.count_rec(s);
            }
        }
        let mut names = vec![String::new(); self.customers.len()];
        for (id, i) in std::mem::take(&mut self.ids) {
            if let Some(n) = names.get_mut(i as usize) {
                *n = id;
            }
        }
        let n_offers = self.offers.doc.offers.len();
        let mut groups: Vec<Groups> = vec![[[Moments::default(); METRICS]; 3]; n_offers];
        let mut folds = vec![OfferFold::default(); n_offers];
        let mut programme = [[Moments::default(); METRICS]; 3];
        let curves = self.curve_offers.len() + 1;
        let mut batch_n = vec![0u64; curves * 3 * super::BATCHES];
        let allowed: Vec<u8> = self
            .offers
            .doc
            .offers
            .iter()
            .map(|o| {
                if o.channels.is_empty() {
                    u8::MAX
                } else {
                    o.channels.iter().fold(0u8, |m, c| m | 1 << ch(*c))
                }
            })
            .collect();
        let max_channels = self.settings.max_channels_per_offer;
        let cg = self.offers.doc.control_group_percent;
        let mut control_count = 0u64;
        for (c, id) in self.customers.iter().zip(&names) {
            let y = outcomes(c);
            let control = f64::from(bucket(id, "universal-control")) < cg;
            control_count += u64::from(control);
            let prog_arm = if control { CONTROL } else { TREATMENT };
            for (m, v) in programme.get_mut(prog_arm).into_iter().flatten().zip(y) {
                m.push(v);
            }
            for k in 0..curves {
                let arm = ((c.arms >> (2 * k)) & 3) as usize;
                if let Some(n) =
                    batch_n.get_mut((k * 3 + arm) * super::BATCHES + usize::from(c.batch))
                {
                    *n += 1;
                }
            }
            for (o, def) in self.offers.doc.offers.iter().enumerate() {
                let held = f64::from(bucket(id, &def.id)) < def.holdout_percent;
                let arm = if control {
                    CONTROL
                } else if held {
                    HOLDOUT
                } else {
                    TREATMENT
                };
                let state = c.offers.iter().find(|s| s.offer as usize == o);
                let redeemed = state.is_some_and(|s| s.redeemed);
                if let Some(g) = groups.get_mut(o).and_then(|g| g.get_mut(arm)) {
                    for (m, v) in g.iter_mut().zip(y) {
                        m.push(v);
                    }
                    if let Some(m) = g.get_mut(OUTCOMES) {
                        m.push(f64::from(u8::from(redeemed)));
                    }
                }
                let Some(f) = folds.get_mut(o) else {
                    continue;
                };
                if !control {
                    f.eligible += 1;
                    f.held += u64::from(held);
                }
                let Some(s) = state else {
                    continue;
                };
                for k in 0..6 {
                    let bit = 1u8 << k;
                    if let (Some(a), Some(b), Some(x)) = (
                        f.customers.get_mut(k),
                        f.attributed.get_mut(k),
                        f.cross.get_mut(k),
                    ) {
                        *a += u64::from(s.imp_mask & bit != 0);
                        *b += u64::from(s.attributed & bit != 0);
                        *x += u64::from(s.cross & bit != 0);
                    }
                }
                if s.imp_mask != 0 {
                    f.leak_control += u64::from(control);
                    f.leak_holdout += u64::from(held && !control);
                }
                let allow = allowed.get(o).copied().unwrap_or(u8::MAX);
                f.disallowed += u64::from(s.imp_mask & !allow != 0);
                f.over_channels +=
                    u64::from(max_channels.is_some_and(|m| s.imp_mask.count_ones() > m));
            }
        }
        let ctx = Ctx::new(&self, batch_n);
        let items = self.offer_reports(&groups, &folds, &ctx);
        let programme_cmp = if cg > 0.0 {
            let mut p = ctx.compare(&programme, CONTROL, false);
            p.curve = ctx.curve(self.curve_offers.len(), CONTROL, &p);
            Some(p)
        } else {
            None
        };
        let guardrails = self.guardrails(&folds, control_count);
        let flags = flags(&guardrails);
        Report {
            schema: REPORT_SCHEMA,
            method: Method {
                confidence: stats::CONFIDENCE,
                interval: "welch",
                relative: "delta_method",
                rates: "wilson",
                srm_test: "chi_square_1df",
                srm_p: stats::SRM_P,
                curve: "batch_means_20",
                window_days: self.settings.window_days,
                min_customers: self.settings.min_customers,
            },
            stream: self.summary(),
            offers: OffersSection {
                control_group_percent: cg,
                programme: programme_cmp,
                items,
            },
            recommendations: self.rec_section(),
            guardrails,
            flags,
        }
    }

    fn summary(&self) -> StreamSummary {
        let s = &self.stats;
        let days = match (s.first, s.last) {
            (Some(f), Some(l)) => {
                (l.0.div_euclid(MS_PER_DAY) - f.0.div_euclid(MS_PER_DAY) + 1) as u64
            }
            _ => 0,
        };
        StreamSummary {
            events: s.events,
            customers: self.customers.len() as u64,
            first: s.first.map(format_rfc3339),
            last: s.last.map(format_rfc3339),
            days,
            purchases: s.purchases,
            purchases_without_price: s.purchases_without_price,
            revenue: round(s.revenue),
            recommendation_impressions: s.recommendation_impressions,
            offer_events_unknown_offer: s.offer_events_unknown_offer,
        }
    }

    fn offer_reports(&self, groups: &[Groups], folds: &[OfferFold], ctx: &Ctx) -> Vec<OfferReport> {
        let mut out = Vec::new();
        for (o, def) in self.offers.doc.offers.iter().enumerate() {
            let (Some(g), Some(f)) = (groups.get(o), folds.get(o)) else {
                continue;
            };
            let counts = self.counts.get(o).copied().unwrap_or_default();
            let exposure = Channel::ALL
                .iter()
                .zip(counts)
                .enumerate()
                .filter(|(k, (_, n))| {
                    n.impressions + n.clicks + n.redemptions + n.dismissals > 0
                        || f.customers.get(*k).is_some_and(|c| *c > 0)
                })
                .map(|(k, (c, n))| Exposure {
                    channel: c.as_str(),
                    impressions: n.impressions,
                    clicks: n.clicks,
                    redemptions: n.redemptions,
                    dismissals: n.dismissals,
                    customers: f.customers.get(k).copied().unwrap_or(0),
                    attributed_purchasers: f.attributed.get(k).copied().unwrap_or(0),
                    cross_channel: f.cross.get(k).copied().unwrap_or(0),
                })
                .collect();
            let vs_holdout = (def.holdout_percent > 0.0).then(|| {
                let mut c = ctx.compare(g, HOLDOUT, true);
                if let Some(k) = self.curve_offers.iter().position(|x| *x as usize == o) {
                    c.curve = ctx.curve(k, HOLDOUT, &c);
                }
                c
            });
            let vs_control = (self.offers.doc.control_group_percent > 0.0)
                .then(|| ctx.compare(g, CONTROL, true));
            out.push(OfferReport {
                id: def.id.clone(),
                name: def.name.clone(),
                holdout_percent: def.holdout_percent,
                effective_holdout_share: effective_share(def.holdout_percent),
                channels_allowed: def.channels.iter().map(|c| c.as_str()).collect(),
                exposure,
                vs_holdout,
                vs_control,
            });
        }
        out
    }

    fn rec_section(&self) -> RecSection {
        let mut total = RecCounts::default();
        let mut by = Vec::new();
        for (s, row) in self.rec.iter().enumerate() {
            for (c, n) in row.iter().enumerate() {
                if n.impressions == 0 {
                    continue;
                }
                merge(&mut total, n);
                let strategy = STRATEGIES.get(s).map_or("unknown", |x| x.as_str());
                by.push(rec_row(
                    n,
                    Some(strategy),
                    Channel::ALL.get(c).map(|c| c.as_str()),
                    None,
                ));
            }
        }
        let mut by_placement: Vec<RecRow> = self
            .placements
            .iter()
            .zip(&self.placement_counts)
            .map(|(p, n)| rec_row(n, None, None, Some(p.clone())))
            .collect();
        by_placement.sort_by(|a, b| a.placement.cmp(&b.placement));
        RecSection {
            total: rec_row(&total, None, None, None),
            by_strategy_channel: by,
            by_placement,
        }
    }

    fn guardrails(&self, folds: &[OfferFold], control_count: u64) -> Guardrails {
        let contact_pressure = Channel::ALL
            .iter()
            .zip(self.pressure)
            .zip(self.caps)
            .filter(|((_, p), _)| p.customer_days > 0)
            .map(|((c, p), cap)| PressureRow {
                channel: c.as_str(),
                cap_per_day: cap,
                customer_days: p.customer_days,
                contacts: p.contacts,
                mean_per_day: round(p.contacts as f64 / p.customer_days as f64),
                max_per_day: p.max_per_day,
                customer_days_over_cap: p.over_cap,
            })
            .collect();
        let mut srm = Vec::new();
        let total = self.customers.len() as u64;
        let cg = self.offers.doc.control_group_percent;
        if cg > 0.0 {
            srm.push(srm_row(
                "universal_control",
                control_count,
                total,
                effective_share(cg),
            ));
        }
        let mut caps = Vec::new();
        let mut holdout_exposed = Vec::new();
        let mut channels = Vec::new();
        for ((def, f), over) in self
            .offers
            .doc
            .offers
            .iter()
            .zip(folds)
            .zip(&self.cap_violations)
        {
            if def.holdout_percent > 0.0 {
                let share = effective_share(def.holdout_percent);
                srm.push(srm_row(&def.id, f.held, f.eligible, share));
            }
            if !def.caps.is_empty() {
                caps.push(CapRow {
                    offer: def.id.clone(),
                    caps: def
                        .caps
                        .iter()
                        .map(|c| format!("{} in {} days", c.max, c.days))
                        .collect(),
                    impressions_over_cap: *over,
                });
            }
            if f.leak_holdout + f.leak_control > 0 {
                holdout_exposed.push(LeakRow {
                    offer: def.id.clone(),
                    holdout_customers_exposed: f.leak_holdout,
                    control_customers_exposed: f.leak_control,
                });
            }
            if f.disallowed + f.over_channels > 0 {
                channels.push(ChannelRow {
                    offer: def.id.clone(),
                    customers_on_disallowed_channels: f.disallowed,
                    customers_over_max_channels: f.over_channels,
                });
            }
        }
        Guardrails {
            contact_pressure,
            max_offers_per_day: self.offers.doc.max_offers_per_day,
            customer_days_over_daily_offer_limit: self.daily_limit_over,
            caps,
            srm,
            holdout_exposed,
            channels,
        }
    }
}

fn merge(a: &mut RecCounts, b: &RecCounts) {
    a.impressions += b.impressions;
    a.clicks += b.clicks;
    a.purchases += b.purchases;
    a.revenue += b.revenue;
    a.cross_channel_purchases += b.cross_channel_purchases;
    a.journeys += b.journeys;
    a.journeys_other_channel += b.journeys_other_channel;
}

fn rate(k: u64, n: u64) -> Option<Interval> {
    stats::wilson(k, n).map(|(p, l, h)| Interval::new(p, l, h))
}

fn rec_row(
    n: &RecCounts,
    strategy: Option<&'static str>,
    channel: Option<&'static str>,
    placement: Option<String>,
) -> RecRow {
    RecRow {
        strategy,
        channel,
        placement,
        impressions: n.impressions,
        clicks: n.clicks,
        click_rate: rate(n.clicks, n.impressions),
        purchases: n.purchases,
        purchase_rate: rate(n.purchases, n.impressions),
        revenue: round(n.revenue),
        cross_channel_purchases: n.cross_channel_purchases,
        journeys: n.journeys,
        journeys_other_channel: n.journeys_other_channel,
        other_channel_share: rate(n.journeys_other_channel, n.journeys),
    }
}

fn srm_row(group: &str, observed: u64, of: u64, share: f64) -> SrmRow {
    let (x2, p) =
        stats::srm_chi2(observed, of.saturating_sub(observed), share).unwrap_or((0.0, 1.0));
    SrmRow {
        group: group.to_string(),
        expected_share: share,
        observed_share: if of == 0 {
            0.0
        } else {
            round(observed as f64 / of as f64)
        },
        customers: of,
        chi_square: round(x2),
        p_value: p,
        flagged: p < stats::SRM_P,
    }
}

fn flags(g: &Guardrails) -> Vec<String> {
    let mut out = Vec::new();
    for s in g.srm.iter().filter(|s| s.flagged) {
        out.push(format!(
            "srm: {} (expected {:.3} of customers, observed {:.3}, p = {:.2e})",
            s.group, s.expected_share, s.observed_share, s.p_value
        ));
    }
    for l in &g.holdout_exposed {
        out.push(format!(
            "holdout_exposed: {} ({} holdout and {} control customers saw it)",
            l.offer, l.holdout_customers_exposed, l.control_customers_exposed
        ));
    }
    for c in &g.channels {
        out.push(format!(
            "channels: {} ({} customers on channels it does not allow, {} on more channels than allowed)",
            c.offer, c.customers_on_disallowed_channels, c.customers_over_max_channels
        ));
    }
    for c in g.caps.iter().filter(|c| c.impressions_over_cap > 0) {
        out.push(format!(
            "caps: {} ({} impressions beyond its caps)",
            c.offer, c.impressions_over_cap
        ));
    }
    for p in g
        .contact_pressure
        .iter()
        .filter(|p| p.customer_days_over_cap > 0)
    {
        out.push(format!(
            "contact_pressure: {} ({} customer-days over {} per day)",
            p.channel,
            p.customer_days_over_cap,
            p.cap_per_day.unwrap_or(0)
        ));
    }
    if g.customer_days_over_daily_offer_limit > 0 {
        out.push(format!(
            "max_offers_per_day: {} customer-days over the catalogue's limit",
            g.customer_days_over_daily_offer_limit
        ));
    }
    out
}

/// What comparisons need from the measurement.
struct Ctx<'a> {
    min: u64,
    /// Channels with any purchase: per-channel metrics only for those.
    channels: [bool; 6],
    daily: &'a std::collections::BTreeMap<i64, Vec<f64>>,
    first_day: Option<i64>,
    last_day: Option<i64>,
    batch_n: Vec<u64>,
}

impl<'a> Ctx<'a> {
    fn new(m: &'a Measure, batch_n: Vec<u64>) -> Ctx<'a> {
        let mut channels = [false; 6];
        for c in &m.customers {
            for (k, n) in c.purchases.iter().enumerate() {
                if let Some(b) = channels.get_mut(k) {
                    *b |= *n > 0;
                }
            }
        }
        Ctx {
            min: m.settings.min_customers,
            channels,
            daily: &m.daily,
            first_day: m.stats.first.map(|t| t.0.div_euclid(MS_PER_DAY)),
            last_day: m.stats.last.map(|t| t.0.div_euclid(MS_PER_DAY)),
            batch_n,
        }
    }

    /// Treatment against `control` (HOLDOUT or CONTROL) on every outcome; `redemption` too for
    /// an offer.
    fn compare(&self, g: &Groups, control: usize, offer: bool) -> Comparison {
        let (Some(t), Some(c)) = (g.get(TREATMENT), g.get(control)) else {
            return empty_comparison(control);
        };
        let mut metrics = Vec::new();
        let n_ch = Channel::ALL.len();
        for k in 0..METRICS {
            let (metric, channel) = match k {
                0 => ("revenue", "all"),
                k if k <= n_ch => ("revenue", channel_name(k - 1)),
                k if k == n_ch + 1 => ("conversion", "all"),
                k if k < OUTCOMES => ("conversion", channel_name(k - n_ch - 2)),
                _ => ("redemption", "all"),
            };
            if metric == "redemption" && !offer {
                continue;
            }
            let ch_ix = Channel::ALL.iter().position(|c| c.as_str() == channel);
            if ch_ix.is_some_and(|i| !self.channels.get(i).copied().unwrap_or(false)) {
                continue;
            }
            if let (Some(a), Some(b)) = (c.get(k), t.get(k)) {
                metrics.push(self.metric(metric, channel, a, b));
            }
        }
        let (nt, nc) = (t.first().map_or(0, |m| m.n), c.first().map_or(0, |m| m.n));
        let incremental_revenue = metrics
            .iter()
            .find(|m| m.metric == "revenue" && m.channel == "all")
            .and_then(|m| m.absolute)
            .map(|a| {
                let n = nt as f64;
                Interval::new(a.estimate * n, a.low * n, a.high * n)
            });
        Comparison {
            control: if control == HOLDOUT {
                "holdout"
            } else {
                "universal_control"
            },
            customers_treatment: nt,
            customers_control: nc,
            metrics,
            incremental_revenue,
            curve: Vec::new(),
        }
    }

    fn metric(
        &self,
        metric: &'static str,
        channel: &'static str,
        a: &Moments,
        b: &Moments,
    ) -> Metric {
        let mut m = Metric {
            metric,
            channel,
            status: "ok",
            treatment_mean: round(b.mean),
            control_mean: round(a.mean),
            absolute: None,
            relative: None,
            p_value: None,
            significant: false,
        };
        if a.n < self.min || b.n < self.min {
            m.status = "not_enough_data";
            return m;
        }
        let Some(w) = stats::welch(a, b) else {
            m.status = "not_enough_data";
            return m;
        };
        if w.se == 0.0 {
            m.status = "no_variation";
            return m;
        }
        m.absolute = Some(Interval::new(w.diff, w.low, w.high));
        m.relative = stats::relative(a, b, &w).map(|(r, l, h)| Interval::new(r, l, h));
        m.p_value = Some(w.p);
        m.significant = w.low > 0.0 || w.high < 0.0;
        m
    }

    /// Cumulative revenue uplift per customer, day by day, for curve `k` (treatment against
    /// `control`). The interval: the same difference in each of the [`super::BATCHES`] hash
    /// batches of customers, whose spread gives the standard error (batch means, t with
    /// BATCHES − 1 degrees of freedom). Empty when the comparison has no estimate.
    fn curve(&self, k: usize, control: usize, cmp: &Comparison) -> Vec<CurvePoint> {
        use super::BATCHES;
        let ok = cmp
            .metric("revenue", "all")
            .is_some_and(|m| m.absolute.is_some());
        let (Some(first), Some(last)) = (self.first_day, self.last_day) else {
            return Vec::new();
        };
        let n = |arm: usize, b: usize| {
            self.batch_n
                .get((k * 3 + arm) * BATCHES + b)
                .copied()
                .unwrap_or(0)
        };
        if !ok || (0..BATCHES).any(|b| n(TREATMENT, b) == 0 || n(control, b) == 0) {
            return Vec::new();
        }
        let (nt, nc): (u64, u64) = (
            (0..BATCHES).map(|b| n(TREATMENT, b)).sum(),
            (0..BATCHES).map(|b| n(control, b)).sum(),
        );
        let q = stats::t_quantile(0.975, (BATCHES - 1) as f64);
        let mut cum_t = [0.0; BATCHES];
        let mut cum_c = [0.0; BATCHES];
        let mut out = Vec::new();
        let days = (last - first + 1).max(1);
        // At most ~400 points: a multi-year stream is drawn week by week.
        let step = (days + 399) / 400;
        for day in first..=last {
            if let Some(row) = self.daily.get(&day) {
                for b in 0..BATCHES {
                    let v =
                        |arm: usize| row.get((k * 3 + arm) * BATCHES + b).copied().unwrap_or(0.0);
                    if let (Some(t), Some(c)) = (cum_t.get_mut(b), cum_c.get_mut(b)) {
                        *t += v(TREATMENT);
                        *c += v(control);
                    }
                }
            }
            if (day - first) % step != 0 && day != last {
                continue;
            }
            let total_t: f64 = cum_t.iter().fold(0.0, |a, b| a + b);
            let total_c: f64 = cum_c.iter().fold(0.0, |a, b| a + b);
            let estimate = total_t / nt as f64 - total_c / nc as f64;
            let per_batch: Vec<f64> = (0..BATCHES)
                .map(|b| {
                    cum_t.get(b).copied().unwrap_or(0.0) / n(TREATMENT, b) as f64
                        - cum_c.get(b).copied().unwrap_or(0.0) / n(control, b) as f64
                })
                .collect();
            let se = Moments::from_slice(&per_batch).sd() / libm::sqrt(BATCHES as f64);
            out.push(CurvePoint {
                day: (day - first) as u32,
                date: format_rfc3339(Timestamp(day * MS_PER_DAY))
                    .get(..10)
                    .unwrap_or("")
                    .to_string(),
                estimate: round(estimate),
                low: round(estimate - q * se),
                high: round(estimate + q * se),
            });
        }
        out
    }
}

fn channel_name(k: usize) -> &'static str {
    Channel::ALL.get(k).map_or("unknown", |c| c.as_str())
}

fn empty_comparison(control: usize) -> Comparison {
    Comparison {
        control: if control == HOLDOUT {
            "holdout"
        } else {
            "universal_control"
        },
        customers_treatment: 0,
        customers_control: 0,
        metrics: Vec::new(),
        incremental_revenue: None,
        curve: Vec::new(),
    }
}
