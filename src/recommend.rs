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
use crate::decide::HistoryIndex;
use crate::itemset::ItemSet;
use crate::model::Model;
use crate::profile::{EventType, Profile, Window};
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

/// The profile as the strategies see it. Empty when personalization consent is missing.
pub struct ProfileView {
    items: BTreeMap<u32, ItemHistory>,
    /// Bought / with affinity, one bit per catalog item: the per-candidate checks of the
    /// hottest loops (10k neighbours for 200 anchors) are one memory read each.
    purchased: Vec<u64>,
    affinity: Vec<u64>,
    cart: Vec<u32>,
    pub personalized: bool,
}

impl ProfileView {
    /// `index`, when given, is the profile's [`HistoryIndex`] (a `Session` keeps one): it
    /// lists the purchases up to `now` without a pass over the events.
    pub fn new(
        profile: &Profile,
        window: &Window,
        index: Option<&HistoryIndex>,
        ctx: &Context,
        catalog: &Catalog,
        config: &Config,
    ) -> Self {
        let mut view = ProfileView {
            items: BTreeMap::new(),
            purchased: Vec::new(),
            affinity: Vec::new(),
            cart: Vec::new(),
            personalized: false,
        };
        if !profile.consents.personalization {
            return view;
        }
        view.personalized = true;
        let a = &config.affinity;
        for ((e, item), &w) in window.iter().zip(&window.weights) {
            let Some(item) = item else {
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
            if w != 0.0 {
                let age = e.ts.days_until(ctx.now);
                let c = w * libm::exp2(-age / a.half_life_days);
                h.affinity = saturate(h.affinity + c);
                if h.strongest.as_ref().is_none_or(|(best, _)| c > *best) {
                    h.strongest = Some((c, e.kind.clone()));
                }
            }
        }
        view.purchased = vec![0; catalog.len().div_ceil(64)];
        view.affinity = vec![0; catalog.len().div_ceil(64)];
        for (&i, h) in &view.items {
            if h.last_purchase.is_some() {
                set_bit(&mut view.purchased, i);
            }
            if h.affinity > 0.0 {
                set_bit(&mut view.affinity, i);
            }
        }
        // `exclude_purchased` holds for every purchase up to `now`, not only those in the
        // window: from the index, a catalog lookup per purchased sku; without one, one pass over
        // the events before the window (the tail of the events up to `now`, `Profile::window`),
        // a catalog lookup per purchase.
        match index {
            Some(ix) => {
                for sku in ix.purchased_up_to(ctx.now) {
                    if let Some(i) = catalog.get(sku) {
                        set_bit(&mut view.purchased, i);
                    }
                }
            }
            None => {
                let past = profile.up_to(ctx.now);
                let older = past
                    .get(..past.len().saturating_sub(window.events.len()))
                    .unwrap_or_default();
                for e in older.iter().filter(|e| e.kind == EventType::Purchase) {
                    if let Some(i) = e.sku.as_deref().and_then(|s| catalog.get(s)) {
                        set_bit(&mut view.purchased, i);
                    }
                }
            }
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

    #[inline(always)]
    fn purchased(&self, item: u32) -> bool {
        bit(&self.purchased, item)
    }

    #[inline(always)]
    fn has_affinity(&self, item: u32) -> bool {
        bit(&self.affinity, item)
    }
}

/// `x` kept finite: ±infinity becomes ±f64::MAX, NaN 0. Config weights, boosts and model
/// scores are each finite but unbounded, so their sums and products can overflow; a score of
/// infinity would be dropped as non-finite, or written `null` in a decision. Finite values
/// pass unchanged, so every decision that never overflowed keeps its bytes.
#[inline(always)]
pub(crate) fn saturate(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(-f64::MAX, f64::MAX)
    }
}

/// Rounded to 6 decimals for output; a number too large for that (× 1e6 would overflow)
/// is already far past any decimal.
pub(crate) fn round6(x: f64) -> f64 {
    let r = libm::round(x * 1e6) / 1e6;
    if r.is_finite() {
        r
    } else {
        saturate(x)
    }
}

fn set_bit(set: &mut [u64], item: u32) {
    if let Some(w) = set.get_mut(item as usize / 64) {
        *w |= 1u64 << (item % 64);
    }
}

#[inline(always)]
fn bit(set: &[u64], item: u32) -> bool {
    set.get(item as usize / 64)
        .is_some_and(|w| w >> (item % 64) & 1 == 1)
}

/// Everything a strategy may read.
pub struct Inputs<'a> {
    pub catalog: &'a Catalog,
    pub content: &'a ContentIndex,
    pub model: &'a Model,
    pub config: &'a Config,
    pub ctx: &'a Context,
    pub view: &'a ProfileView,
    pub boosts: &'a Boosts,
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

/// Per-item scratch space, one slot per catalog item, reused across decisions: a generation
/// stamp says which slots are live, so forgetting everything is O(1) and a decision touches
/// only the items it looks at (no hash map, nothing cleared, nothing allocated per candidate).
pub struct Scratch {
    stamp: Vec<u32>,
    slot: Vec<u32>,
    gen: u32,
}

// `inline(always)` on the few helpers the 10k-neighbour loops call: the Wasm build is
// optimized for size (opt-level "z"), which otherwise leaves each of them a call.
impl Scratch {
    pub fn new(items: usize) -> Scratch {
        Scratch {
            stamp: vec![0; items],
            slot: vec![0; items],
            gen: 0,
        }
    }

    /// Forget every mark. Precedes each use (generation 0 is never live).
    fn reset(&mut self) {
        self.gen = self.gen.wrapping_add(1);
        if self.gen == 0 {
            self.stamp.fill(0);
            self.gen = 1;
        }
    }

    #[inline(always)]
    fn get(&self, item: u32) -> Option<usize> {
        let i = item as usize;
        if self.stamp.get(i) == Some(&self.gen) {
            self.slot.get(i).map(|&s| s as usize)
        } else {
            None
        }
    }

    /// Mark `item` with `value`; false for an item outside the catalog (only possible for an
    /// inconsistent engine), which callers then skip.
    #[inline(always)]
    fn set(&mut self, item: u32, value: usize) -> bool {
        let i = item as usize;
        match (self.stamp.get_mut(i), self.slot.get_mut(i)) {
            (Some(s), Some(v)) => {
                *s = self.gen;
                *v = value as u32;
                true
            }
            _ => false,
        }
    }
}

/// One strategy's candidates: each item once, with its best raw score and why, in order of
/// discovery. Nothing reads that order into an output (see `recommend`).
struct Candidates(Vec<(u32, f64, Why)>);

/// Collects a strategy's candidates, keeping the best score per item (the first on ties).
struct Collect<'s> {
    marks: &'s mut Scratch,
    list: Vec<(u32, f64, Why)>,
}

impl<'s> Collect<'s> {
    fn new(marks: &'s mut Scratch) -> Self {
        marks.reset();
        Collect {
            marks,
            list: Vec::new(),
        }
    }

    #[inline(always)]
    fn offer(&mut self, item: u32, score: f64, why: Why) {
        if !(score.is_finite() && score > 0.0) {
            return;
        }
        match self.marks.get(item) {
            Some(at) => {
                if let Some(e) = self.list.get_mut(at) {
                    if e.1 < score {
                        *e = (item, score, why);
                    }
                }
            }
            None => {
                if self.marks.set(item, self.list.len()) {
                    self.list.push((item, score, why));
                }
            }
        }
    }

    fn done(self) -> Candidates {
        Candidates(self.list)
    }
}

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

/// Sum scores per item from several anchors, remembering the strongest anchor.
struct PerAnchor<'s> {
    marks: &'s mut Scratch,
    /// (item, sum, strongest anchor, its contribution)
    list: Vec<(u32, f64, u32, f64)>,
}

impl<'s> PerAnchor<'s> {
    fn new(marks: &'s mut Scratch) -> Self {
        marks.reset();
        PerAnchor {
            marks,
            list: Vec::new(),
        }
    }

    #[inline(always)]
    fn add(&mut self, item: u32, anchor: u32, c: f64) {
        let at = match self.marks.get(item) {
            Some(at) => at,
            None => {
                if !self.marks.set(item, self.list.len()) {
                    return;
                }
                self.list.push((item, 0.0, anchor, 0.0));
                self.list.len() - 1
            }
        };
        let c = saturate(c);
        if let Some(e) = self.list.get_mut(at) {
            e.1 = saturate(e.1 + c);
            // Anchors arrive in a deterministic order; strictly greater keeps the first on ties.
            if c > e.3 {
                e.2 = anchor;
                e.3 = c;
            }
        }
    }

    fn into_candidates(self, why: impl Fn(u32) -> Why) -> Candidates {
        Candidates(
            self.list
                .into_iter()
                .filter(|&(_, score, _, _)| score.is_finite() && score > 0.0)
                .map(|(item, score, anchor, _)| (item, score, why(anchor)))
                .collect(),
        )
    }
}

fn continue_journey(inp: &Inputs, marks: &mut Scratch) -> Candidates {
    let mut out = Collect::new(marks);
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
        out.offer(item, score, why);
    }
    out.done()
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

fn bought_together(inp: &Inputs, marks: &mut Scratch) -> Candidates {
    let mut acc = PerAnchor::new(marks);
    for anchor in anchors(inp) {
        for (j, s) in inp.model.neighbours(anchor) {
            acc.add(j, anchor, s);
        }
    }
    acc.into_candidates(|anchor| Why::Together { anchor })
}

fn similar_items(inp: &Inputs, marks: &mut Scratch) -> Candidates {
    let mut acc = PerAnchor::new(marks);
    for anchor in anchors(inp) {
        for (j, s) in inp.content.similar(inp.catalog, anchor, 50) {
            acc.add(j, anchor, s);
        }
    }
    acc.into_candidates(|anchor| Why::Similar { anchor })
}

fn personalized(inp: &Inputs, marks: &mut Scratch) -> Candidates {
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
    let mut acc = PerAnchor::new(marks);
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
fn buy_again(inp: &Inputs, marks: &mut Scratch) -> Candidates {
    let mut out = Collect::new(marks);
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
        let score = saturate(frequency * saturate(cfg.repurchase_prior + rate) * timing);
        let why = Why::BuyAgain {
            last,
            days: h.purchase_days.len() as u32,
            cycle: own_cycle,
        };
        out.offer(item, score, why);
    }
    out.done()
}

/// Popular / trending: the store's list on in-store channels, else the channel's, with the
/// global list filling in at half weight so a sparse local list still fills the slots.
fn ranked(inp: &Inputs, marks: &mut Scratch, trending: bool) -> Candidates {
    let rankings = if trending {
        &inp.model.trending
    } else {
        &inp.model.popularity
    };
    let mut out = Collect::new(marks);
    let store_list = inp.ctx.store.as_ref().and_then(|s| rankings.stores.get(s));
    let local = match store_list {
        Some(l) => Some((l, true)),
        None => rankings.channels.get(&inp.ctx.channel).map(|l| (l, false)),
    };
    if let Some((list, store)) = local {
        for &(i, s) in list {
            out.offer(i, s, Why::Local { trending, store });
        }
    }
    for &(i, s) in &rankings.global {
        out.offer(i, 0.5 * s, Why::Global { trending });
    }
    out.done()
}

fn run(strategy: Strategy, inp: &Inputs, marks: &mut Scratch) -> Candidates {
    match strategy {
        Strategy::ContinueJourney => continue_journey(inp, marks),
        Strategy::BoughtTogether => bought_together(inp, marks),
        Strategy::Personalized => personalized(inp, marks),
        Strategy::BuyAgain => buy_again(inp, marks),
        Strategy::Trending => ranked(inp, marks, true),
        Strategy::Popular => ranked(inp, marks, false),
        Strategy::SimilarItems => similar_items(inp, marks),
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

/// Which catalog items each boost rule matches, worked out once per engine: matching compares
/// strings (tags, categories, attributes), far too slow to repeat for every candidate.
pub struct Boosts(Vec<ItemSet>);

impl Boosts {
    pub fn new(catalog: &Catalog, config: &Config) -> Boosts {
        let sets = config
            .rules
            .boost
            .iter()
            .map(|b| {
                let m = &b.when;
                let hits = catalog.items.iter().enumerate().filter(|(_, it)| {
                    m.sku.as_ref().is_none_or(|s| *s == it.sku)
                        && m.tag.as_ref().is_none_or(|t| it.tags.contains(t))
                        && m.brand
                            .as_ref()
                            .is_none_or(|x| it.brand.as_ref() == Some(x))
                        && m.category.as_ref().is_none_or(|c| it.category.contains(c))
                        && m.attributes
                            .iter()
                            .all(|(k, v)| it.attributes.get(k) == Some(v))
                });
                ItemSet::from_sorted(hits.map(|(i, _)| i as u32).collect(), catalog.len())
            })
            .collect();
        Boosts(sets)
    }

    /// The rules in scope here, as (items matched, factor), in config order.
    fn active<'a>(&'a self, inp: &Inputs<'a>) -> Vec<(&'a ItemSet, f64)> {
        let (ch, pl) = (inp.ctx.channel, inp.ctx.placement);
        inp.config
            .rules
            .boost
            .iter()
            .zip(&self.0)
            .filter(|(b, _)| in_scope(&b.channels, &b.placements, ch, pl))
            .map(|(b, set)| (set, b.factor))
            .collect()
    }
}

/// The product of the factors of the active rules matching `item`, in config order.
fn boost_factor(active: &[(&ItemSet, f64)], item: u32) -> f64 {
    let mut f = 1.0;
    for (set, factor) in active {
        if set.contains(item) {
            f = saturate(f * factor);
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
    /// This strategy's weighted part for a candidate (`item` with `raw` score), if it may.
    #[inline(always)]
    fn part(&self, inp: &Inputs, item: u32, raw: f64) -> Option<f64> {
        if self.exclude_purchased && inp.view.purchased(item) {
            return None;
        }
        let part = self.weight * raw / self.max;
        // raw ≤ max: dividing first cannot overflow (kept second, for the bytes of every
        // decision that did not overflow).
        Some(if part.is_finite() {
            part
        } else {
            saturate(self.weight * (raw / self.max))
        })
    }
}

/// Run the placement's strategies, blend, apply the business rules and pick the slots.
pub fn recommend(inp: &Inputs, marks: &mut Scratch) -> Vec<Recommendation> {
    let (ch, pl) = (inp.ctx.channel, inp.ctx.placement);
    let Some(pc) = inp.config.placement(ch, pl) else {
        return Vec::new();
    };
    let slots = inp.ctx.limit.unwrap_or(pc.slots);
    let mut ran: Vec<Ran> = Vec::new();
    for sw in pc.strategies.iter().filter(|sw| sw.weight > 0.0) {
        let cands = run(sw.strategy, inp, marks);
        let max = cands.0.iter().map(|c| c.1).fold(0.0, f64::max);
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
    // then one sort by (score, sku): discovery order never reaches the output.
    marks.reset();
    let mut total: Vec<(u32, f64)> = Vec::new();
    for r in &ran {
        for &(item, raw, _) in &r.cands.0 {
            let Some(part) = r.part(inp, item, raw) else {
                continue;
            };
            let at = match marks.get(item) {
                Some(at) => at,
                None => {
                    if !marks.set(item, total.len()) {
                        continue;
                    }
                    total.push((item, 0.0));
                    total.len() - 1
                }
            };
            if let Some(t) = total.get_mut(at) {
                t.1 = saturate(t.1 + part);
            }
        }
    }
    let active = inp.boosts.active(inp);
    let mut ranked: Vec<(f64, u32)> = total
        .into_iter()
        .map(|(item, s)| (saturate(s * boost_factor(&active, item)), item))
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

    // Each chosen item's parts, strategy by strategy (config order, as the totals).
    marks.reset();
    let mut parts: Vec<Vec<(f64, Strategy, Why)>> = vec![Vec::new(); chosen.len()];
    for (k, &(_, item)) in chosen.iter().enumerate() {
        marks.set(item, k);
    }
    for r in &ran {
        for &(item, raw, why) in &r.cands.0 {
            if let (Some(k), Some(p)) = (marks.get(item), r.part(inp, item, raw)) {
                if let Some(v) = parts.get_mut(k) {
                    v.push((p, r.strategy, why));
                }
            }
        }
    }
    let mut recs: Vec<Recommendation> = chosen
        .into_iter()
        .zip(parts)
        .map(|((s, i), p)| to_rec(inp, p, i, s))
        .collect();
    apply_pins(inp, &mut recs, slots, ch, pl);
    recs
}

fn to_rec(
    inp: &Inputs,
    mut parts: Vec<(f64, Strategy, Why)>,
    item: u32,
    score: f64,
) -> Recommendation {
    // Strongest part first; equal parts keep config order (stable sort).
    parts.sort_by(|x, y| y.0.total_cmp(&x.0));
    // Reasons of minor contributors would only be noise on screen.
    let best = parts.first().map(|p| p.0).unwrap_or(0.0);
    parts.retain(|p| p.0 >= 0.25 * best);
    let it = inp.catalog.item(item);
    Recommendation {
        sku: it.sku.clone(),
        title: it.title.clone(),
        score: round6(score),
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

#[cfg(test)]
mod scratch_tests {
    use super::Scratch;

    #[test]
    fn marks_are_forgotten_by_reset_and_across_the_generation_wrap() {
        let mut s = Scratch::new(4);
        s.reset();
        assert!(s.set(2, 7));
        assert!(!s.set(9, 1), "outside the catalog");
        assert_eq!((s.get(2), s.get(1), s.get(9)), (Some(7), None, None));
        s.reset();
        assert_eq!(s.get(2), None);
        s.set(3, 5);
        s.gen = u32::MAX;
        s.stamp[1] = u32::MAX;
        s.reset();
        assert_eq!((s.gen, s.get(1), s.get(3)), (1, None, None));
    }
}
