//! The recommendation strategies and their blending.
//!
//! Each strategy turns (profile history, context, model) into candidates: an item, a raw score
//! and one reason. Blending scales each strategy's scores to [0, 1], weights them per placement
//! and adds them up, so an item two strategies agree on rises. Everything iterates ordered maps
//! or sorted vectors, and ties break by sku.

use crate::catalog::Catalog;
use crate::channel::{Channel, Placement};
use crate::config::{in_scope, Config, Strategy};
use crate::content::ContentIndex;
use crate::context::Context;
use crate::hash::IdMap;
use crate::model::Model;
use crate::profile::{EventType, Profile};
use crate::time::{Timestamp, MS_PER_DAY};
use serde::Serialize;
use std::collections::BTreeMap;

/// Why an item is recommended: a stable code for UIs that localise, the facts behind it, and
/// an English sentence for UIs that don't.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    pub code: &'static str,
    pub text: String,
    /// The item that led here (the viewed product, the basket item, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_ago: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

impl Reason {
    fn new(code: &'static str, text: String) -> Reason {
        Reason {
            code,
            text,
            sku: None,
            channel: None,
            store: None,
            at: None,
            days_ago: None,
            count: None,
        }
    }
}

/// One recommended item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Recommendation {
    pub sku: String,
    pub title: String,
    pub score: f64,
    /// The strategy that contributed most.
    pub strategy: Strategy,
    /// Reasons of every contributing strategy, strongest first.
    pub reasons: Vec<Reason>,
}

/// What one customer did with one item, condensed from the profile.
#[derive(Debug, Clone, Default)]
struct ItemHistory {
    /// Latest view / cart / remove: (time, channel, what).
    last_touch: Option<(Timestamp, Channel, EventType)>,
    touches: u32,
    last_purchase: Option<Timestamp>,
    purchase_days: Vec<i64>,
    affinity: f64,
    /// Event type with the largest affinity contribution, for the reason text.
    strongest: Option<(f64, EventType)>,
}

const PURCHASED: u8 = 1;
const AFFINITY: u8 = 2;

/// The profile as the strategies see it. Empty when personalization consent is missing.
pub struct ProfileView {
    items: BTreeMap<u32, ItemHistory>,
    /// Per known item: PURCHASED | AFFINITY bits, for the per-candidate checks (a hash lookup
    /// instead of a tree walk in the hottest loops).
    flags: IdMap<u8>,
    cart: Vec<u32>,
    pub personalized: bool,
}

impl ProfileView {
    pub fn new(profile: &Profile, ctx: &Context, catalog: &Catalog, config: &Config) -> Self {
        let mut view = ProfileView {
            items: BTreeMap::new(),
            flags: IdMap::default(),
            cart: Vec::new(),
            personalized: false,
        };
        if !profile.consents.personalization {
            return view;
        }
        view.personalized = true;
        let a = &config.affinity;
        for e in profile.window(ctx.now, a.max_events) {
            let Some(item) = e.sku.as_deref().and_then(|s| catalog.get(s)) else {
                continue;
            };
            let h = view.items.entry(item).or_default();
            match e.kind {
                EventType::View | EventType::AddToCart | EventType::RemoveFromCart => {
                    h.last_touch = Some((e.ts, e.channel, e.kind.clone()));
                    h.touches += 1;
                }
                EventType::Purchase => {
                    h.last_purchase = Some(e.ts);
                    let day = e.ts.0.div_euclid(MS_PER_DAY);
                    if h.purchase_days.last() != Some(&day) {
                        h.purchase_days.push(day);
                    }
                }
                _ => {}
            }
            let w = a.event_weights.get(e.kind.as_str()).copied().unwrap_or(0.0);
            if w != 0.0 {
                let age = e.ts.days_until(ctx.now);
                let c = w * libm::exp2(-age / a.half_life_days);
                h.affinity += c;
                if h.strongest.as_ref().is_none_or(|(best, _)| c > *best) {
                    h.strongest = Some((c, e.kind.clone()));
                }
            }
        }
        view.flags.reserve(view.items.len());
        for (&i, h) in &view.items {
            let f = (u8::from(h.last_purchase.is_some()) * PURCHASED)
                | (u8::from(h.affinity > 0.0) * AFFINITY);
            view.flags.insert(i, f);
        }
        view.cart = profile
            .cart
            .iter()
            .filter_map(|l| catalog.get(&l.sku))
            .collect();
        view.cart.sort_unstable();
        view.cart.dedup();
        view
    }

    fn purchased(&self, item: u32) -> bool {
        self.flags.get(&item).is_some_and(|f| f & PURCHASED != 0)
    }

    fn has_affinity(&self, item: u32) -> bool {
        self.flags.get(&item).is_some_and(|f| f & AFFINITY != 0)
    }
}

/// Everything a strategy may read.
pub struct Inputs<'a> {
    pub catalog: &'a Catalog,
    pub content: &'a ContentIndex,
    pub model: &'a Model,
    pub config: &'a Config,
    pub ctx: &'a Context,
    pub view: &'a ProfileView,
}

/// Why a candidate came up, without any text yet: reasons are rendered only for the few items
/// that make it to the screen, so the hot loops allocate nothing per candidate.
#[derive(Debug, Clone, Copy)]
enum Why {
    Journey {
        at: Timestamp,
        channel: Channel,
        cart: Touch,
        touches: u32,
    },
    Together {
        anchor: u32,
    },
    Similar {
        anchor: u32,
    },
    Personal {
        anchor: u32,
    },
    BuyAgain {
        last: Timestamp,
        days: u32,
        cycle: f64,
    },
    /// From the store's list (`store`), else the channel's.
    Local {
        trending: bool,
        store: bool,
    },
    Global {
        trending: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Touch {
    Viewed,
    Carted,
    Removed,
}

/// Per item: the best raw score of one strategy and why. A hash map is fine here: nothing
/// iterates it in hash order into an output (see `recommend`).
type Candidates = IdMap<(f64, Why)>;

/// Calendar days (UTC) between `at` and `now`: last night is "yesterday" even if it was less
/// than 24 hours ago.
fn days_ago(at: Timestamp, now: Timestamp) -> i64 {
    (now.0.div_euclid(MS_PER_DAY) - at.0.div_euclid(MS_PER_DAY)).max(0)
}

fn when(days: i64) -> String {
    match days {
        0 => "today".to_string(),
        1 => "yesterday".to_string(),
        n => format!("{n} days ago"),
    }
}

fn offer(c: &mut Candidates, item: u32, score: f64, why: Why) {
    if !(score.is_finite() && score > 0.0) {
        return;
    }
    match c.get(&item) {
        Some((s, _)) if *s >= score => {}
        _ => {
            c.insert(item, (score, why));
        }
    }
}

/// Sum scores per item from several anchors, remembering the strongest anchor.
#[derive(Default)]
struct PerAnchor(IdMap<(f64, u32, f64)>);

impl PerAnchor {
    fn add(&mut self, item: u32, anchor: u32, c: f64) {
        let e = self.0.entry(item).or_insert((0.0, anchor, 0.0));
        e.0 += c;
        // Anchors arrive in a deterministic order; strictly greater keeps the first on ties.
        if c > e.2 {
            e.1 = anchor;
            e.2 = c;
        }
    }

    fn into_candidates(self, why: impl Fn(u32) -> Why) -> Candidates {
        let mut out = Candidates::with_capacity_and_hasher(self.0.len(), Default::default());
        for (j, (score, anchor, _)) in self.0 {
            offer(&mut out, j, score, why(anchor));
        }
        out
    }
}

fn continue_journey(inp: &Inputs) -> Candidates {
    let mut out = Candidates::default();
    let a = &inp.config.affinity;
    for (&item, h) in &inp.view.items {
        let Some((ts, channel, kind)) = &h.last_touch else {
            continue;
        };
        if h.last_purchase.is_some_and(|p| p >= *ts) {
            continue; // bought since: the journey ended
        }
        let age = ts.days_until(inp.ctx.now);
        if age > a.journey_window_days {
            continue;
        }
        let touch = match kind {
            EventType::AddToCart => Touch::Carted,
            EventType::RemoveFromCart => Touch::Removed,
            _ => Touch::Viewed,
        };
        let strength = if touch == Touch::Carted { 2.0 } else { 1.0 };
        let repeat = 1.0 + 0.5 * libm::log(f64::from(h.touches.max(1)));
        let score = strength * repeat * libm::exp2(-age / a.journey_half_life_days);
        let why = Why::Journey {
            at: *ts,
            channel: *channel,
            cart: touch,
            touches: h.touches,
        };
        offer(&mut out, item, score, why);
    }
    out
}

/// The product on screen (context) and, with consent, the cart: the anchors of the
/// item-to-item strategies.
fn anchors(inp: &Inputs) -> Vec<u32> {
    let mut anchors: Vec<u32> = inp
        .ctx
        .sku
        .as_deref()
        .and_then(|s| inp.catalog.get(s))
        .into_iter()
        .collect();
    if inp.view.personalized {
        anchors.extend(inp.view.cart.iter().copied());
    }
    anchors.sort_unstable();
    anchors.dedup();
    anchors
}

fn bought_together(inp: &Inputs) -> Candidates {
    let mut acc = PerAnchor::default();
    for anchor in anchors(inp) {
        for (j, s) in inp.model.neighbours(anchor) {
            acc.add(j, anchor, s);
        }
    }
    acc.into_candidates(|anchor| Why::Together { anchor })
}

fn similar_items(inp: &Inputs) -> Candidates {
    let mut acc = PerAnchor::default();
    for anchor in anchors(inp) {
        for (j, s) in inp.content.similar(inp.catalog, anchor, 50) {
            acc.add(j, anchor, s);
        }
    }
    acc.into_candidates(|anchor| Why::Similar { anchor })
}

fn personalized(inp: &Inputs) -> Candidates {
    // Strongest anchors first; cap them so a huge history stays cheap.
    let mut anchors: Vec<(f64, u32)> = inp
        .view
        .items
        .iter()
        .filter(|(_, h)| h.affinity > 0.0)
        .map(|(&i, h)| (h.affinity, i))
        .collect();
    anchors.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    anchors.truncate(200);
    let mut acc = PerAnchor::default();
    for &(aff, anchor) in &anchors {
        for (j, s) in inp.model.neighbours(anchor) {
            if inp.view.has_affinity(j) {
                continue; // already known to the customer: other strategies' business
            }
            acc.add(j, anchor, aff * s);
        }
    }
    acc.into_candidates(|anchor| Why::Personal { anchor })
}

/// Recency-weighted purchase frequency (each purchase day counts, halving every
/// `half_life_days`) × how much the population re-buys this item × how due it is by the
/// customer's own rhythm (or the population's cycle for a single purchase).
fn buy_again(inp: &Inputs) -> Candidates {
    let mut out = Candidates::default();
    let cfg = &inp.config.buy_again;
    let today = inp.ctx.now.0.div_euclid(MS_PER_DAY);
    for (&item, h) in &inp.view.items {
        let (Some(last), Some(&last_day)) = (h.last_purchase, h.purchase_days.last()) else {
            continue;
        };
        let n = h.purchase_days.len() as f64;
        let (rate, cycle) = match inp.model.repurchase(item) {
            Some(r) => (r.rate, r.cycle_days),
            None => (0.0, 30.0),
        };
        let own_cycle = match h.purchase_days.as_slice() {
            [first, _, ..] => (last_day - first) as f64 / (n - 1.0),
            _ => cycle,
        };
        let frequency: f64 = h
            .purchase_days
            .iter()
            .map(|&d| libm::exp2(-((today - d).max(0) as f64) / cfg.half_life_days))
            .sum();
        let age = (today - last_day).max(0) as f64 + 1.0;
        let due = (age / (own_cycle + 1.0)).min((own_cycle + 1.0) / age);
        let timing = 1.0 - cfg.cycle_weight + cfg.cycle_weight * due;
        let score = frequency * (cfg.repurchase_prior + rate) * timing;
        let why = Why::BuyAgain {
            last,
            days: h.purchase_days.len() as u32,
            cycle: own_cycle,
        };
        offer(&mut out, item, score, why);
    }
    out
}

/// Popular / trending: the store's list on in-store channels, else the channel's, with the
/// global list filling in at half weight so a sparse local list still fills the slots.
fn ranked(inp: &Inputs, trending: bool) -> Candidates {
    let rankings = if trending {
        &inp.model.trending
    } else {
        &inp.model.popularity
    };
    let mut out = Candidates::default();
    let store_list = inp.ctx.store.as_ref().and_then(|s| rankings.stores.get(s));
    let local = match store_list {
        Some(l) => Some((l, true)),
        None => rankings.channels.get(&inp.ctx.channel).map(|l| (l, false)),
    };
    if let Some((list, store)) = local {
        for &(i, s) in list {
            offer(&mut out, i, s, Why::Local { trending, store });
        }
    }
    for &(i, s) in &rankings.global {
        offer(&mut out, i, 0.5 * s, Why::Global { trending });
    }
    out
}

fn run(strategy: Strategy, inp: &Inputs) -> Candidates {
    match strategy {
        Strategy::ContinueJourney => continue_journey(inp),
        Strategy::BoughtTogether => bought_together(inp),
        Strategy::Personalized => personalized(inp),
        Strategy::BuyAgain => buy_again(inp),
        Strategy::Trending => ranked(inp, true),
        Strategy::Popular => ranked(inp, false),
        Strategy::SimilarItems => similar_items(inp),
    }
}

/// The sentence and facts a UI shows for one reason.
fn render(inp: &Inputs, why: Why) -> Reason {
    let now = inp.ctx.now;
    let title = |i: u32| inp.catalog.item(i).title.as_str();
    let anchored = |code, text: String, anchor: u32| {
        let mut r = Reason::new(code, text);
        r.sku = Some(inp.catalog.item(anchor).sku.clone());
        r
    };
    match why {
        Why::Journey {
            at,
            channel,
            cart,
            touches,
        } => {
            let d = days_ago(at, now);
            let verb = match cart {
                Touch::Carted => "Added to your basket",
                Touch::Removed => "Removed from your basket",
                Touch::Viewed => "Viewed",
            };
            let mut r = Reason::new(
                "continue_journey",
                format!("{verb} {} {}", channel.phrase(), when(d)),
            );
            r.channel = Some(channel);
            r.at = Some(at);
            r.days_ago = Some(d);
            r.count = Some(touches);
            r
        }
        Why::Together { anchor } => anchored(
            "bought_together",
            format!("Often chosen with {}", title(anchor)),
            anchor,
        ),
        Why::Similar { anchor } => anchored(
            "similar_items",
            format!("Similar to {}", title(anchor)),
            anchor,
        ),
        Why::Personal { anchor } => {
            let verb = match inp
                .view
                .items
                .get(&anchor)
                .and_then(|h| h.strongest.as_ref())
            {
                Some((_, EventType::Purchase)) => "bought",
                Some((_, EventType::AddToCart)) => "added to your basket",
                _ => "viewed",
            };
            anchored(
                "personalized",
                format!("Because you {verb} {}", title(anchor)),
                anchor,
            )
        }
        Why::BuyAgain { last, days, cycle } => {
            let d = days_ago(last, now);
            let text = if days >= 2 {
                format!(
                    "You buy this about every {} days, last {}",
                    libm::round(cycle).max(1.0),
                    when(d)
                )
            } else {
                format!("Bought {}", when(d))
            };
            let mut r = Reason::new("buy_again", text);
            r.at = Some(last);
            r.days_ago = Some(d);
            r.count = Some(days);
            r
        }
        Why::Global { trending } => {
            let (code, text) = if trending {
                ("trending", "Trending this week")
            } else {
                ("popular", "Popular right now")
            };
            Reason::new(code, text.to_string())
        }
        Why::Local { trending, store } => {
            let (code, word) = if trending {
                ("trending", "Trending")
            } else {
                ("popular", "Popular")
            };
            let mut r = match inp.ctx.store.as_ref().filter(|_| store) {
                Some(s) => Reason::new(code, format!("{word} at {}", inp.catalog.store_name(s))),
                None => Reason::new(code, format!("{word} {}", inp.ctx.channel.phrase())),
            };
            r.store = inp.ctx.store.clone();
            r.channel = Some(inp.ctx.channel);
            r
        }
    }
}

/// Whether an item may be shown here at all (channel, store stock, not on screen, not in cart).
fn eligible(inp: &Inputs, item: u32) -> bool {
    let it = inp.catalog.item(item);
    if !it.sold_on(inp.ctx.channel) {
        return false;
    }
    if inp.ctx.channel.is_in_store() {
        if let Some(store) = &inp.ctx.store {
            if it.stock_in(store) <= 0.0 {
                return false;
            }
        }
    }
    if inp.ctx.sku.as_deref() == Some(it.sku.as_str()) {
        return false;
    }
    inp.view.cart.binary_search(&item).is_err()
}

fn boost_factor(inp: &Inputs, item: u32) -> f64 {
    let it = inp.catalog.item(item);
    let (ch, pl) = (inp.ctx.channel, inp.ctx.placement);
    let mut f = 1.0;
    for b in &inp.config.rules.boost {
        if !in_scope(&b.channels, &b.placements, ch, pl) {
            continue;
        }
        let m = &b.when;
        let hit = m.sku.as_ref().is_none_or(|s| *s == it.sku)
            && m.tag.as_ref().is_none_or(|t| it.tags.contains(t))
            && m.brand
                .as_ref()
                .is_none_or(|x| it.brand.as_ref() == Some(x))
            && m.category.as_ref().is_none_or(|c| it.category.contains(c))
            && m.attributes
                .iter()
                .all(|(k, v)| it.attributes.get(k) == Some(v));
        if hit {
            f *= b.factor;
        }
    }
    f
}

/// One strategy's candidates, scaled to [0, 1] and weighted.
struct Ran {
    strategy: Strategy,
    weight: f64,
    max: f64,
    exclude_purchased: bool,
    cands: Candidates,
}

impl Ran {
    /// This strategy's weighted part for `item`, if it proposed it and may.
    fn part(&self, inp: &Inputs, item: u32) -> Option<(f64, Why)> {
        let (raw, why) = self.cands.get(&item)?;
        if self.exclude_purchased && inp.view.purchased(item) {
            return None;
        }
        Some((self.weight * raw / self.max, *why))
    }
}

/// Run the placement's strategies, blend, apply the business rules and pick the slots.
pub fn recommend(inp: &Inputs) -> Vec<Recommendation> {
    let (ch, pl) = (inp.ctx.channel, inp.ctx.placement);
    let Some(pc) = inp.config.placement(ch, pl) else {
        return Vec::new();
    };
    let slots = inp.ctx.limit.unwrap_or(pc.slots);
    let mut ran: Vec<Ran> = Vec::new();
    for sw in pc.strategies.iter().filter(|sw| sw.weight > 0.0) {
        let cands = run(sw.strategy, inp);
        let max = cands.values().map(|(s, _)| *s).fold(0.0, f64::max);
        if max > 0.0 {
            let exclude_purchased = sw
                .exclude_purchased
                .unwrap_or(sw.strategy != Strategy::BuyAgain);
            ran.push(Ran {
                strategy: sw.strategy,
                weight: sw.weight,
                max,
                exclude_purchased,
                cands,
            });
        }
    }
    // Totals in strategy order (so every float sum is done in the same order everywhere),
    // then one sort by (score, sku): hash-map order never reaches the output.
    let mut total: IdMap<f64> = IdMap::default();
    for r in &ran {
        for &item in r.cands.keys() {
            if let Some((part, _)) = r.part(inp, item) {
                *total.entry(item).or_insert(0.0) += part;
            }
        }
    }
    let mut ranked: Vec<(f64, u32)> = total
        .into_iter()
        .map(|(item, s)| (s * boost_factor(inp, item), item))
        .filter(|(s, _)| *s > 0.0 && s.is_finite())
        .collect();
    // Best first; catalog indices follow sku order, so the id is the tie-break by sku.
    let order = |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    // Only the head is ever read: select it, sort it, and sort the rest only if eligibility
    // and the category cap consume the whole head (a total order, so the result is the same
    // as one full sort).
    let head = (slots * 8).max(32);
    let mut sorted_all = ranked.len() <= head;
    if sorted_all {
        ranked.sort_by(order);
    } else {
        ranked.select_nth_unstable_by(head, order);
        if let Some(h) = ranked.get_mut(..head) {
            h.sort_by(order);
        }
    }

    // Eligibility and the category cap, greedy in rank order.
    let rules = &inp.config.rules;
    let mut per_cat: BTreeMap<&str, usize> = BTreeMap::new();
    let mut chosen: Vec<(f64, u32)> = Vec::with_capacity(slots);
    let mut at = 0;
    while chosen.len() < slots {
        if at == head && !sorted_all {
            if let Some(rest) = ranked.get_mut(head..) {
                rest.sort_by(order);
            }
            sorted_all = true;
        }
        let Some(&entry) = ranked.get(at) else {
            break;
        };
        at += 1;
        if !eligible(inp, entry.1) {
            continue;
        }
        let cat = inp.catalog.item(entry.1).category_at(rules.category_level);
        // Uncategorised items are not capped: they share no category.
        if let Some(cap) = rules.max_per_category.filter(|_| !cat.is_empty()) {
            let n = per_cat.entry(cat).or_insert(0);
            if *n >= cap {
                continue;
            }
            *n += 1;
        }
        chosen.push(entry);
    }

    let mut recs: Vec<Recommendation> = chosen
        .into_iter()
        .map(|(s, i)| to_rec(inp, &ran, i, s))
        .collect();
    apply_pins(inp, &mut recs, slots, ch, pl);
    recs
}

fn to_rec(inp: &Inputs, ran: &[Ran], item: u32, score: f64) -> Recommendation {
    // Strongest part first; equal parts keep config order (stable sort).
    let mut parts: Vec<(f64, Strategy, Why)> = ran
        .iter()
        .filter_map(|r| r.part(inp, item).map(|(p, w)| (p, r.strategy, w)))
        .collect();
    parts.sort_by(|x, y| y.0.total_cmp(&x.0));
    // Reasons of minor contributors would only be noise on screen.
    let best = parts.first().map(|p| p.0).unwrap_or(0.0);
    parts.retain(|p| p.0 >= 0.25 * best);
    let it = inp.catalog.item(item);
    Recommendation {
        sku: it.sku.clone(),
        title: it.title.clone(),
        score: libm::round(score * 1e6) / 1e6,
        strategy: parts.first().map(|p| p.1).unwrap_or(Strategy::Popular),
        reasons: parts.into_iter().map(|(_, _, w)| render(inp, w)).collect(),
    }
}

fn apply_pins(
    inp: &Inputs,
    recs: &mut Vec<Recommendation>,
    slots: usize,
    ch: Channel,
    pl: Placement,
) {
    let mut pins: Vec<_> = inp
        .config
        .rules
        .pin
        .iter()
        .filter(|p| in_scope(&p.channels, &p.placements, ch, pl))
        .collect();
    pins.sort_by(|a, b| a.position.cmp(&b.position).then_with(|| a.sku.cmp(&b.sku)));
    for p in pins {
        let Some(item) = inp.catalog.get(&p.sku) else {
            continue;
        };
        if !eligible(inp, item) {
            continue;
        }
        let existing = recs.iter().position(|r| r.sku == p.sku);
        let rec = match existing {
            Some(i) => recs.remove(i),
            None => Recommendation {
                sku: p.sku.clone(),
                title: inp.catalog.item(item).title.clone(),
                score: 0.0,
                strategy: Strategy::Popular,
                reasons: Vec::new(),
            },
        };
        let mut rec = rec;
        rec.reasons
            .insert(0, Reason::new("pinned", "Featured".to_string()));
        let at = (p.position - 1).min(recs.len());
        recs.insert(at, rec);
        recs.truncate(slots);
    }
}
