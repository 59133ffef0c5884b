//! Next-best-offer: eligibility, arbitration, cross-channel contact policy and holdouts,
//! decided on the device from the unified profile.
//!
//! For every offer, in this order, the first failing check explains why it is not shown:
//! `control_group`, `channel_not_allowed`, `out_of_window`, `no_consent`, `not_eligible`,
//! `suppressed`, `capped`, `holdout`; among the rest, arbitration by
//! score = propensity × context weight × value × lever (ties by offer id), then mutual-exclusion
//! groups (`excluded_by_group`) and the placement's offer slots (`outranked`). Caps,
//! suppression and `max_offers_per_day` count the profile's offer events from every channel, in
//! their own window of the most recent [`MAX_CONTACT_EVENTS`] offer events up to `now`, whatever
//! the browsing history and with or without consent. Eligibility rules and propensity read the
//! browsing window (`affinity.max_events`); without personalization consent they are not read
//! at all (`no_consent`, propensity 0.5), so browsing never changes which offers show.

use crate::catalog::Catalog;
use crate::channel::{Channel, Placement};
use crate::config::Config;
use crate::context::Context;
use crate::decide::HistoryIndex;
use crate::error::{self, Code, Error};
use crate::hash::IdHasher;
use crate::itemset::ItemSet;
use crate::profile::{Event, EventType, Profile, Window};
use crate::rules::{Env, Rule};
use crate::time::{Timestamp, MS_PER_DAY};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub const OFFERS_SCHEMA: &str = "unisono.offers/1";
/// At most this many offers in a catalogue, refused while reading (every decision scores each).
pub const MAX_OFFERS: usize = 10_000;

/// The same words on every channel, per locale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Content {
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cta: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Targets {
    #[serde(default)]
    pub skus: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
}

/// At most `max` impressions of this offer within `days`, across all channels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Cap {
    #[serde(deserialize_with = "crate::error::count")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub max: u32,
    #[cfg_attr(feature = "schema", schemars(extend("exclusiveMinimum" = 0)))]
    pub days: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Suppress {
    /// Never again once redeemed.
    pub after_redeemed: bool,
    /// Not again for this many days after a dismissal.
    pub dismissed_cooldown_days: f64,
    /// Stop after this many impressions without a click.
    #[serde(deserialize_with = "crate::error::count_opt")]
    pub max_impressions_without_click: Option<u32>,
}

impl Default for Suppress {
    fn default() -> Self {
        Suppress {
            after_redeemed: true,
            dismissed_cooldown_days: 30.0,
            max_impressions_without_click: None,
        }
    }
}

/// One offer: content per locale, where and when it may show, who is eligible, how it ranks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OfferDef {
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 200)))]
    pub id: String,
    pub name: String,
    /// Locale → content; the decision picks the context's, the profile's, or the first.
    #[cfg_attr(feature = "schema", schemars(extend("minProperties" = 1)))]
    pub content: BTreeMap<String, Content>,
    /// Where it may show; empty = every channel / placement.
    #[serde(default)]
    pub channels: Vec<Channel>,
    #[serde(default)]
    pub placements: Vec<Placement>,
    #[serde(default)]
    pub valid_from: Option<Timestamp>,
    #[serde(default)]
    pub valid_to: Option<Timestamp>,
    /// JsonLogic over the profile (see `rules`). Absent = everyone.
    #[serde(default)]
    pub eligibility: Option<Value>,
    #[serde(default = "one")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0)))]
    pub value: f64,
    /// Priority lever, a plain multiplier.
    #[serde(default = "one")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0)))]
    pub lever: f64,
    /// Categories / skus whose affinity is the propensity.
    #[serde(default)]
    pub targets: Targets,
    /// Mutual-exclusion group: only the best offer of a group is shown.
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = 100)))]
    pub holdout_percent: f64,
    #[serde(default)]
    pub caps: Vec<Cap>,
    #[serde(default)]
    pub suppress: Suppress,
    /// Needs marketing consent (false = a service message).
    #[serde(default = "yes")]
    pub marketing: bool,
    /// Shown only when nothing else is.
    #[serde(default)]
    pub fallback: bool,
    /// Multipliers by channel or placement name (`{"kiosk": 1.2, "product": 0.8}`).
    #[serde(default)]
    pub context_weights: BTreeMap<String, f64>,
}

fn one() -> f64 {
    1.0
}
fn yes() -> bool {
    true
}

/// The offer catalogue (`"schema": "unisono.offers/1"`): next-best offers with eligibility
/// rules, contact policy and holdouts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "Offers"))]
#[serde(deny_unknown_fields)]
pub struct OffersDoc {
    #[cfg_attr(feature = "schema", schemars(extend("const" = OFFERS_SCHEMA)))]
    pub schema: String,
    #[serde(default)]
    pub version: String,
    /// Share of customers (0–100) in the universal control group: no offers at all.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = 100)))]
    pub control_group_percent: f64,
    /// At most this many different offers per customer per 24 hours, across channels.
    #[serde(default, deserialize_with = "crate::error::count_opt")]
    #[cfg_attr(feature = "schema", schemars(range(max = crate::error::MAX_COUNT)))]
    pub max_offers_per_day: Option<usize>,
    #[serde(deserialize_with = "error::at_most::<_, _, MAX_OFFERS>")]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_OFFERS)))]
    pub offers: Vec<OfferDef>,
    /// Optional `"sha256:<hex>"` of the document's canonical form (`unisono seal` writes it);
    /// when present the engine verifies it at load and rejects a mismatch.
    #[serde(default, skip_serializing)]
    pub checksum: Option<String>,
}

/// A loaded catalogue: documents with their rules parsed.
#[derive(Debug, Clone)]
pub struct Offers {
    pub doc: OffersDoc,
    rules: Vec<Option<Compiled>>,
}

/// Longest rule text a decision quotes, in bytes: every decision carries the explanation of
/// each offer, so a rule holding a 100 KB string must not put 100 KB into each of them.
pub const MAX_RULE_TEXT: usize = 300;

/// A rule as a decision quotes it: its JSON, shortened to [`MAX_RULE_TEXT`].
fn rule_text(rule: &Value) -> String {
    crate::error::shorten(&rule.to_string(), MAX_RULE_TEXT)
}

/// An eligibility rule with its explanations rendered at load: serializing the rule's JSON on
/// every decision was 40 % of an empty-profile decision.
#[derive(Debug, Clone)]
struct Compiled {
    rule: Rule,
    /// `rule matched: <rule>`
    matched: String,
    /// `condition not met: <rule>`
    not_met: String,
    /// `condition not met: <clause>` per clause of a top-level `and` array.
    clause_not_met: Vec<String>,
}

impl Compiled {
    fn new(rule: Rule, src: &Value) -> Compiled {
        let clause_not_met = match src.get("and") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|c| format!("condition not met: {}", rule_text(c)))
                .collect(),
            _ => Vec::new(),
        };
        let text = rule_text(src);
        Compiled {
            rule,
            matched: format!("rule matched: {text}"),
            not_met: format!("condition not met: {text}"),
            clause_not_met,
        }
    }

    /// Why the rule failed: the first failing clause of a top-level `and`, else the rule.
    fn not_met(&self, failing: Option<usize>) -> &str {
        failing
            .and_then(|i| self.clause_not_met.get(i))
            .unwrap_or(&self.not_met)
    }
}

impl Offers {
    pub fn empty() -> Offers {
        Offers {
            doc: OffersDoc {
                schema: OFFERS_SCHEMA.into(),
                version: String::new(),
                control_group_percent: 0.0,
                max_offers_per_day: None,
                offers: Vec::new(),
                checksum: None,
            },
            rules: Vec::new(),
        }
    }

    pub fn from_json(text: &str) -> error::Result<Offers> {
        let mut doc: OffersDoc = error::from_json("offers", text)?;
        let err = |code, path: String, msg: String| Err(Error::new(code, "offers", path, msg));
        if doc.schema != OFFERS_SCHEMA {
            return err(
                Code::UnsupportedSchema,
                "schema".into(),
                format!("expected {OFFERS_SCHEMA:?}"),
            );
        }
        if !(0.0..=100.0).contains(&doc.control_group_percent) {
            return err(
                Code::InvalidValue,
                "control_group_percent".into(),
                "must be 0..=100".into(),
            );
        }
        // One spelling of each number, as a JS object gives it (`-0` is `0`, and `1.0` and
        // `1` in a rule are one number): for the hash, and for the texts decisions show.
        doc.control_group_percent += 0.0;
        for o in &mut doc.offers {
            if let Some(rule) = o.eligibility.as_mut() {
                crate::hash::canonical_numbers(rule);
            }
            for x in [&mut o.value, &mut o.lever, &mut o.holdout_percent] {
                *x += 0.0;
            }
            for w in o.context_weights.values_mut() {
                *w += 0.0;
            }
        }
        let mut ids = BTreeSet::new();
        let mut rules = Vec::new();
        for (i, o) in doc.offers.iter().enumerate() {
            let p = |f: &str| format!("offers[{i}].{f}");
            if o.id.is_empty() || o.id.len() > 200 {
                return err(Code::InvalidValue, p("id"), "must be 1 to 200 bytes".into());
            }
            if !ids.insert(o.id.clone()) {
                return err(Code::Duplicate, p("id"), format!("offer {:?} twice", o.id));
            }
            if o.content.is_empty() {
                return err(
                    Code::MissingField,
                    p("content"),
                    format!("offer {:?} needs content for at least one locale", o.id),
                );
            }
            for (name, v) in [("value", o.value), ("lever", o.lever)] {
                if !(v.is_finite() && v >= 0.0) {
                    return err(
                        Code::InvalidValue,
                        p(name),
                        "must be a finite number ≥ 0".into(),
                    );
                }
            }
            if !(0.0..=100.0).contains(&o.holdout_percent) {
                return err(
                    Code::InvalidValue,
                    p("holdout_percent"),
                    "must be 0..=100".into(),
                );
            }
            for (j, c) in o.caps.iter().enumerate() {
                if c.max == 0 || !(c.days.is_finite() && c.days > 0.0) {
                    return err(
                        Code::InvalidValue,
                        format!("offers[{i}].caps[{j}]"),
                        "max ≥ 1 and days > 0".into(),
                    );
                }
            }
            for (k, w) in &o.context_weights {
                let known = Channel::parse(k).is_some() || Placement::parse(k).is_ok();
                if !(known && w.is_finite() && *w >= 0.0) {
                    return err(
                        Code::InvalidValue,
                        format!("offers[{i}].context_weights.{k}"),
                        "a channel or placement name with a weight ≥ 0".into(),
                    );
                }
            }
            if let (Some(a), Some(b)) = (o.valid_from, o.valid_to) {
                if b < a {
                    return err(
                        Code::InvalidValue,
                        p("valid_to"),
                        "ends before valid_from".into(),
                    );
                }
            }
            rules.push(match &o.eligibility {
                None => None,
                Some(v) => Some(Compiled::new(Rule::parse(v, &p("eligibility"))?, v)),
            });
        }
        // Stable order by id: ties and explanations never depend on file order.
        let mut paired: Vec<(OfferDef, Option<Compiled>)> = std::mem::take(&mut doc.offers)
            .into_iter()
            .zip(rules)
            .collect();
        paired.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let (offers, rules): (Vec<_>, Vec<_>) = paired.into_iter().unzip();
        doc.offers = offers;
        let loaded = Offers { doc, rules };
        crate::hash::verify_declared(
            "offers",
            loaded.doc.checksum.as_deref(),
            &loaded.content_hash(),
        )?;
        Ok(loaded)
    }

    /// What a public image holds (see [`crate::image::scope`]): no offer codes, and rule
    /// explanations without the rule's text. Idempotent.
    pub fn make_public(&mut self) {
        for o in &mut self.doc.offers {
            for c in o.content.values_mut() {
                c.code = None;
            }
        }
        for c in self.rules.iter_mut().flatten() {
            for t in std::iter::once(&mut c.matched)
                .chain(std::iter::once(&mut c.not_met))
                .chain(c.clause_not_met.iter_mut())
            {
                *t = crate::image::scope::public_text(t).to_string();
            }
        }
    }

    /// SHA-256 of the canonical form (offers sorted by id, no checksum,
    /// [`crate::hash::Canonical`] numbers; rules' numbers were made canonical at load).
    pub fn content_hash(&self) -> String {
        crate::hash::sha256_hex_json(&self.doc)
    }
}

/// FNV-1a, 32 bit, over the UTF-8 bytes of `"{customer id}:{key}"`; bucket = hash mod 100.
/// Any system can recompute an assignment from this line.
pub fn bucket(customer: &str, key: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in customer
        .bytes()
        .chain(std::iter::once(b':'))
        .chain(key.bytes())
    {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % 100
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScoreParts {
    pub propensity: f64,
    pub context_weight: f64,
    pub value: f64,
    pub lever: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OfferReason {
    pub code: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ShownOffer {
    pub id: String,
    pub name: String,
    pub score: f64,
    pub score_parts: ScoreParts,
    pub locale: String,
    pub content: Content,
    pub reasons: Vec<OfferReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotShown {
    pub id: String,
    pub code: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Assignments {
    pub control_group: bool,
    /// Offers this customer is held out of (assignment reported even when not otherwise shown).
    pub holdouts: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub shown: Vec<ShownOffer>,
    pub not_shown: Vec<NotShown>,
    pub assignments: Assignments,
    pub impressions: Vec<Event>,
}

use crate::recommend::{round6, saturate};

/// propensity × context weight × value × lever, each product kept finite (the factors are
/// finite but unbounded).
fn score_of(p: &ScoreParts) -> f64 {
    saturate(saturate(saturate(p.propensity * p.context_weight) * p.value) * p.lever)
}

/// How many offer events (impressions, clicks, redemptions, dismissals) a decision reads: the
/// most recent this many up to `now` ([`Profile::contact_window`]). Contact history is counted
/// apart from the browsing window (`affinity.max_events`), so views and purchases never push an
/// impression out and reset a cap, and it applies with or without personalization consent
/// (whether an offer was already shown is not personalization). At a few offers per visit this
/// is years of contacts, while the work per decision stays bounded.
pub const MAX_CONTACT_EVENTS: usize = 10_000;

/// Offer events for one offer, from every channel, up to `now`.
struct OfferHistory {
    impressions: Vec<Timestamp>,
    last_click: Option<Timestamp>,
    redeemed: bool,
    last_dismissed: Option<Timestamp>,
}

fn history<'a>(events: &[&'a Event]) -> BTreeMap<&'a str, OfferHistory> {
    let mut m: BTreeMap<&str, OfferHistory> = BTreeMap::new();
    for e in events.iter().copied() {
        let Some(id) = e.offer.as_deref() else {
            continue;
        };
        let h = m.entry(id).or_insert(OfferHistory {
            impressions: Vec::new(),
            last_click: None,
            redeemed: false,
            last_dismissed: None,
        });
        match e.kind {
            EventType::OfferImpression => h.impressions.push(e.ts),
            EventType::OfferClick => h.last_click = Some(e.ts),
            EventType::OfferRedeemed => h.redeemed = true,
            EventType::OfferDismissed => h.last_dismissed = Some(e.ts),
            _ => {}
        }
    }
    m
}

/// Per offer (in catalogue order), the catalog items its targets cover, by sku or by any level
/// of the category path: worked out once per engine, so propensity tests one bit per event
/// instead of comparing strings for every event of every offer.
pub struct TargetIndex(Vec<ItemSet>);

type ByName<'a> =
    std::collections::HashMap<&'a str, Vec<usize>, core::hash::BuildHasherDefault<IdHasher>>;

impl TargetIndex {
    pub fn new(offers: &Offers, catalog: &Catalog) -> TargetIndex {
        let (mut by_sku, mut by_category): (ByName, ByName) = Default::default();
        for (k, o) in offers.doc.offers.iter().enumerate() {
            for sku in &o.targets.skus {
                by_sku.entry(sku.as_str()).or_insert_with(Vec::new).push(k);
            }
            for c in &o.targets.categories {
                by_category
                    .entry(c.as_str())
                    .or_insert_with(Vec::new)
                    .push(k);
            }
        }
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); offers.doc.offers.len()];
        for (i, it) in catalog.items.iter().enumerate() {
            let hits = by_sku
                .get(it.sku.as_str())
                .into_iter()
                .chain(
                    it.category
                        .iter()
                        .filter_map(|c| by_category.get(c.as_str())),
                )
                .flatten();
            for &k in hits {
                if let Some(l) = lists.get_mut(k) {
                    if l.last() != Some(&(i as u32)) {
                        l.push(i as u32);
                    }
                }
            }
        }
        TargetIndex(
            lists
                .into_iter()
                .map(|l| ItemSet::from_sorted(l, catalog.len()))
                .collect(),
        )
    }
}

/// Time-decayed affinity of the profile to the offer's targets, mapped to a propensity in
/// [0.1, 1): 0.1 + 0.9·(1 − e^(−affinity)). No targets, or no personalization consent: 0.5.
fn propensity(o: &OfferDef, covered: Option<&ItemSet>, weighted: Option<&[Weighted]>) -> f64 {
    let Some(weighted) = weighted else {
        return 0.5;
    };
    if o.targets.skus.is_empty() && o.targets.categories.is_empty() {
        return 0.5;
    }
    let mut affinity = 0.0;
    for (e, item, contribution) in weighted {
        // A catalog item covers its own sku and category path; an event for an unknown sku
        // can still hit by its sku or its own category field.
        let hit = match item {
            Some(i) => covered.is_some_and(|c| c.contains(*i)),
            None => e.sku.as_ref().is_some_and(|s| o.targets.skus.contains(s)),
        } || e
            .category
            .as_ref()
            .is_some_and(|c| o.targets.categories.contains(c));
        if hit {
            affinity = saturate(affinity + contribution);
        }
    }
    // Negative event weights can make the affinity negative, and e^(−affinity) overflow.
    saturate(0.1 + 0.9 * (1.0 - libm::exp(-affinity)))
}

/// An event that counts towards propensity: its catalog item and its time-decayed weight,
/// computed once per decision rather than once per offer.
type Weighted<'a> = (&'a Event, Option<u32>, f64);

/// The window's weighted events, or `None` without personalization consent.
fn weighted_events<'a>(
    profile: &Profile,
    window: &Window<'a>,
    config: &Config,
    now: Timestamp,
) -> Option<Vec<Weighted<'a>>> {
    if !profile.consents.personalization {
        return None;
    }
    let a = &config.affinity;
    let mut out = Vec::new();
    for ((e, item), &w) in window.iter().zip(&window.weights) {
        if w == 0.0 {
            continue;
        }
        out.push((
            e,
            item,
            w * libm::exp2(-e.ts.days_until(now) / a.half_life_days),
        ));
    }
    Some(out)
}

fn plural(n: impl std::fmt::Display, one: &str, many: &str) -> String {
    let text = n.to_string();
    if text == "1" {
        format!("1 {one}")
    } else {
        format!("{text} {many}")
    }
}

fn days(ms: i64) -> String {
    let d = ms.div_euclid(MS_PER_DAY);
    match d {
        0 => "today".into(),
        1 => "1 day ago".into(),
        n => format!("{n} days ago"),
    }
}

/// What made an eligible offer eligible; rendered only for the offers shown.
#[derive(Clone, Copy)]
enum Why<'a> {
    Open,
    Matched(&'a str),
}

/// Decide the offers for one placement. `index`, when given, is the profile's
/// [`HistoryIndex`] (a `Session` keeps one), which finds the contact window without a pass over
/// the events.
#[allow(clippy::too_many_arguments)]
pub fn decide(
    offers: &Offers,
    profile: &Profile,
    window: &Window,
    index: Option<&HistoryIndex>,
    ctx: &Context,
    targets: &TargetIndex,
    catalog: &Catalog,
    config: &Config,
    slots: usize,
) -> Outcome {
    let mut out = Outcome::default();
    if offers.doc.offers.is_empty() {
        return out;
    }
    let now = ctx.now;
    let control =
        f64::from(bucket(&profile.id, "universal-control")) < offers.doc.control_group_percent;
    out.assignments.control_group = control;
    // Contact history in its own bounded window: browsing never resets a cap.
    let contacts = match index {
        Some(ix) => ix.contact_window(&profile.events, now, MAX_CONTACT_EVENTS),
        None => profile.contact_window(now, MAX_CONTACT_EVENTS),
    };
    let hist = history(&contacts);
    let weighted = weighted_events(profile, window, config, now);
    let env = Env::new(
        profile,
        window,
        catalog,
        now,
        ctx.channel,
        ctx.placement,
        ctx.store.as_deref(),
        ctx.locale.as_deref(),
    );
    // Distinct offers shown to this customer in the last 24 hours, on any channel.
    let shown_today: BTreeSet<&str> = hist
        .iter()
        .filter(|(_, h)| h.impressions.iter().any(|t| now.0 - t.0 < MS_PER_DAY))
        .map(|(id, _)| *id)
        .collect();
    let score_parts = |index: usize, o: &OfferDef| ScoreParts {
        propensity: round6(propensity(o, targets.0.get(index), weighted.as_deref())),
        context_weight: o
            .context_weights
            .iter()
            .filter(|(k, _)| {
                Channel::parse(k) == Some(ctx.channel) || k.as_str() == ctx.placement.as_str()
            })
            .fold(1.0, |acc, (_, w)| saturate(acc * w)),
        value: o.value,
        lever: o.lever,
    };
    let mut candidates: Vec<(f64, &OfferDef, ScoreParts, Why)> = Vec::new();
    let mut fallbacks: Vec<(usize, &OfferDef)> = Vec::new();
    for (i, o) in offers.doc.offers.iter().enumerate() {
        let no = |code: &'static str, detail: String| NotShown {
            id: o.id.clone(),
            code,
            detail,
        };
        let held_out = f64::from(bucket(&profile.id, &o.id)) < o.holdout_percent;
        if held_out {
            out.assignments.holdouts.push(o.id.clone());
        }
        let verdict: Result<Why, NotShown> = (|| {
            if control {
                return Err(no(
                    "control_group",
                    "in the universal control group: no offers".into(),
                ));
            }
            if !o.channels.is_empty() && !o.channels.contains(&ctx.channel) {
                return Err(no(
                    "channel_not_allowed",
                    format!("not offered on {}", ctx.channel.as_str()),
                ));
            }
            if !o.placements.is_empty() && !o.placements.contains(&ctx.placement) {
                return Err(no(
                    "channel_not_allowed",
                    format!("not offered on the {} placement", ctx.placement.as_str()),
                ));
            }
            if o.valid_from.is_some_and(|f| now < f) || o.valid_to.is_some_and(|t| now > t) {
                return Err(no("out_of_window", "outside its validity window".into()));
            }
            if o.marketing && !profile.consents.marketing {
                return Err(no(
                    "no_consent",
                    "marketing offer without marketing consent".into(),
                ));
            }
            if o.eligibility.is_some() && !profile.consents.personalization {
                return Err(no(
                    "no_consent",
                    "profile-based rule without personalization consent".into(),
                ));
            }
            let mut why = Why::Open;
            if o.eligibility.is_some() {
                // `from_json` compiles a rule for every condition, at the offer's index. One
                // missing (only possible by editing `doc` after loading) fails closed.
                let Some(c) = offers.rules.get(i).and_then(Option::as_ref) else {
                    return Err(no("not_eligible", "condition not compiled".into()));
                };
                if let Some(failing) = env.failing(&c.rule) {
                    return Err(no("not_eligible", c.not_met(failing).to_string()));
                }
                why = Why::Matched(&c.matched);
            }
            if let Some(h) = hist.get(o.id.as_str()) {
                if o.suppress.after_redeemed && h.redeemed {
                    return Err(no("suppressed", "already redeemed".into()));
                }
                if let Some(t) = h.last_dismissed {
                    if t.days_until(now) < o.suppress.dismissed_cooldown_days {
                        return Err(no("suppressed", format!("dismissed {}", days(now.0 - t.0))));
                    }
                }
                if let Some(n) = o.suppress.max_impressions_without_click {
                    let unclicked = h
                        .impressions
                        .iter()
                        .filter(|t| h.last_click.is_none_or(|c| **t > c))
                        .count();
                    if unclicked >= n as usize {
                        return Err(no(
                            "suppressed",
                            format!(
                                "{} without a click",
                                plural(unclicked, "impression", "impressions")
                            ),
                        ));
                    }
                }
                for c in &o.caps {
                    let since = now.days_before(c.days).0;
                    let n = h.impressions.iter().filter(|t| t.0 > since).count();
                    if n >= c.max as usize {
                        return Err(no(
                            "capped",
                            format!(
                                "{} in {} (cap {})",
                                plural(n, "impression", "impressions"),
                                plural(c.days, "day", "days"),
                                c.max
                            ),
                        ));
                    }
                }
            }
            // The fallback is the "nothing else" message: the daily limit does not apply to it.
            if let Some(limit) = offers.doc.max_offers_per_day.filter(|_| !o.fallback) {
                if shown_today.len() >= limit && !shown_today.contains(o.id.as_str()) {
                    return Err(no(
                        "capped",
                        format!("daily limit of {limit} offers reached"),
                    ));
                }
            }
            if held_out {
                return Err(no(
                    "holdout",
                    format!("held out ({}% holdout)", o.holdout_percent),
                ));
            }
            Ok(why)
        })();
        match verdict {
            Err(n) => out.not_shown.push(n),
            Ok(_) if o.fallback => fallbacks.push((i, o)),
            Ok(why) => {
                let parts = score_parts(i, o);
                let score = score_of(&parts);
                candidates.push((score, o, parts, why));
            }
        }
    }
    // Offers are sorted by id, so a stable sort by score breaks ties by id.
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut groups: BTreeSet<&str> = BTreeSet::new();
    for (score, o, parts, why) in candidates {
        if let Some(g) = &o.group {
            if !groups.insert(g.as_str()) {
                out.not_shown.push(NotShown {
                    id: o.id.clone(),
                    code: "excluded_by_group",
                    detail: format!(
                        "a better offer of group {} is shown",
                        crate::error::shorten(&format!("{g:?}"), MAX_RULE_TEXT)
                    ),
                });
                continue;
            }
        }
        if out.shown.len() >= slots {
            out.not_shown.push(NotShown {
                id: o.id.clone(),
                code: "outranked",
                detail: format!("score {} below the {slots} shown", round6(score)),
            });
            continue;
        }
        let reasons = vec![
            OfferReason {
                code: "eligible",
                text: match why {
                    Why::Open => "open to everyone".to_string(),
                    Why::Matched(t) => t.to_string(),
                },
            },
            OfferReason {
                code: "score",
                text: format!(
                    "propensity {} × context {} × value {} × lever {}",
                    parts.propensity, parts.context_weight, parts.value, parts.lever
                ),
            },
        ];
        out.shown
            .push(shown(o, ctx, profile, round6(score), parts, reasons));
    }
    if out.shown.is_empty() && !control {
        if let Some(&(i, o)) = fallbacks.first() {
            let parts = score_parts(i, o);
            let reasons = vec![OfferReason {
                code: "fallback",
                text: "nothing else applies".into(),
            }];
            let score = round6(score_of(&parts));
            out.shown
                .push(shown(o, ctx, profile, score, parts, reasons));
        }
    }
    for &(_, o) in fallbacks
        .iter()
        .filter(|&&(_, o)| !out.shown.iter().any(|s| s.id == o.id))
    {
        out.not_shown.push(NotShown {
            id: o.id.clone(),
            code: "outranked",
            detail: "fallback, not needed".into(),
        });
    }
    out.not_shown.sort_by(|a, b| a.id.cmp(&b.id));
    out.impressions = out
        .shown
        .iter()
        .map(|s| Event {
            kind: EventType::OfferImpression,
            sku: None,
            category: None,
            channel: ctx.channel,
            store: ctx.store.clone(),
            ts: now,
            quantity: None,
            price: None,
            offer: Some(s.id.clone()),
            query: None,
        })
        .collect();
    out
}

fn shown(
    o: &OfferDef,
    ctx: &Context,
    profile: &Profile,
    score: f64,
    parts: ScoreParts,
    reasons: Vec<OfferReason>,
) -> ShownOffer {
    let wanted = [ctx.locale.as_deref(), profile.traits.locale.as_deref()];
    let (locale, content) = wanted
        .iter()
        .flatten()
        .find_map(|l| o.content.get_key_value(*l))
        .or_else(|| o.content.iter().next())
        .map(|(l, c)| (l.clone(), c.clone()))
        .unwrap_or_else(|| {
            (
                String::new(),
                Content {
                    title: o.name.clone(),
                    body: String::new(),
                    image: None,
                    cta: None,
                    code: None,
                },
            )
        });
    ShownOffer {
        id: o.id.clone(),
        name: o.name.clone(),
        score,
        score_parts: parts,
        locale,
        content,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_bucket_is_reproducible() {
        // FNV-1a 32 of "a" is 0xe40c292c (standard test vector).
        let mut h: u32 = 0x811c_9dc5;
        h ^= u32::from(b'a');
        h = h.wrapping_mul(0x0100_0193);
        assert_eq!(h, 0xe40c_292c);
        assert_eq!(bucket("cust-1", "X"), bucket("cust-1", "X"));
        assert!(bucket("cust-1", "X") < 100);
    }
}
