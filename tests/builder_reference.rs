//! The builder must give byte-identical models to the map-based builder it replaced (models
//! are sealed with a checksum and compared across runtimes). That builder is kept here
//! verbatim as the oracle, and both build the same generated populations: ties in time, sku
//! and score, zero and negative event weights, unknown event types, stores, long skus (past
//! the interner's inline keys), heavy users (past `max_items_per_user`), every similarity.
//! Scores are quantized to four digits, so this catches a wrong sum or tie-break, not a sum
//! added in another order (which may differ in the last bit): the new builder keeps the order
//! by construction.

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use unisono::builder::{self, PopEvent};
use unisono::channel::Channel;
use unisono::error::{self, Code, Error};
use unisono::model::MODEL_SCHEMA;
use unisono::model::{
    BuildParams, BuildStats, ModelDoc, Ranked, Rankings, Repurchase, Similarity, UserWeighting,
};
use unisono::profile::EventType;
use unisono::time::{Timestamp, MS_PER_DAY};

/// (item, event type, channel, store): the unit a user counts once in popularity.
type PopKey<'a> = (u32, &'a str, Option<Channel>, Option<&'a str>);

fn weight(params: &BuildParams, kind: &EventType) -> f64 {
    params
        .event_weights
        .get(kind.as_str())
        .copied()
        .unwrap_or(0.0)
}

/// Four significant digits: enough to rank by (ties then break by sku), a quarter smaller
/// artifact than full precision. `libm` keeps it bit-identical on every runtime.
fn quantize(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 0.0;
    }
    let exp = 3 - libm::floor(libm::log10(x)) as i32;
    // Powers of ten up to 1e22 are exact doubles; build them by multiplication.
    let pow10 = |k: i32| (0..k.clamp(0, 22)).fold(1.0f64, |acc, _| acc * 10.0);
    if exp >= 0 {
        libm::round(x * pow10(exp)) / pow10(exp)
    } else {
        libm::round(x / pow10(-exp)) * pow10(-exp)
    }
}

/// The sku of dense id `i`. Ids are positions in `skus` (assigned from it in [`build`]), so
/// the empty fallback is never taken.
fn sku_of<'a>(skus: &[&'a str], i: u32) -> &'a str {
    skus.get(i as usize).copied().unwrap_or_default()
}

/// Sort best first with ties by sku, keep `n`, scale so the best is 1.
fn top(scores: HashMap<u32, f64>, skus: &[&str], n: usize) -> Ranked {
    let mut v: Vec<(u32, f64)> = scores.into_iter().filter(|(_, s)| *s > 0.0).collect();
    v.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| sku_of(skus, a.0).cmp(sku_of(skus, b.0)))
    });
    v.truncate(n);
    let max = v.first().map(|x| x.1).unwrap_or(1.0);
    v.into_iter()
        .map(|(i, s)| (sku_of(skus, i).to_string(), quantize(s / max)))
        .collect()
}

/// Per item: customers who bought it, those who bought it on two or more days, and the gaps in
/// days between one customer's consecutive purchase days.
#[derive(Debug, Clone, Default)]
struct RepurchaseStats {
    buyers: u32,
    repeat_buyers: u32,
    gaps: Vec<f64>,
}

/// Progress callback: (events processed, total) — the CLI draws a bar with it.
type Progress<'a> = &'a mut dyn FnMut(&str, usize, usize);

/// The builder as it was before the rewrite for speed (commit 9a646ad), verbatim.
pub fn reference_build(
    events: &[PopEvent],
    params: &BuildParams,
    version: &str,
    progress: Progress<'_>,
) -> error::Result<ModelDoc> {
    if params.k == 0 || params.k > 1000 {
        return Err(Error::new(
            Code::InvalidValue,
            "params",
            "k",
            "k must be 1..=1000",
        ));
    }
    if !(params.trending_half_life_days.is_finite() && params.trending_half_life_days > 0.0) {
        return Err(Error::new(
            Code::InvalidValue,
            "params",
            "trending_half_life_days",
            "must be > 0",
        ));
    }
    // Dense ids; sku ids follow sorted sku order so ties resolve by sku everywhere.
    let mut sku_set: BTreeMap<&str, u32> = events.iter().map(|e| (e.sku.as_str(), 0)).collect();
    for (i, v) in sku_set.values_mut().enumerate() {
        *v = i as u32;
    }
    let skus: Vec<&str> = sku_set.keys().copied().collect();
    let mut users: BTreeMap<&str, Vec<&PopEvent>> = BTreeMap::new();
    for e in events {
        users.entry(e.user.as_str()).or_default().push(e);
    }
    let as_of = events.iter().map(|e| e.ts).max();
    let now = as_of.unwrap_or(Timestamp(0));
    let half_life_ms = params.trending_half_life_days * MS_PER_DAY as f64;

    let n_items = skus.len();
    // (users, weighted users) per item and per pair.
    let mut item_users = vec![(0u32, 0.0f64); n_items];
    let mut pair_counts: HashMap<u64, (u32, f64)> = HashMap::new();
    let mut baskets: Vec<Vec<u32>> = Vec::with_capacity(users.len());
    let mut pop = Acc::default();
    let mut trend = Acc::default();
    let mut repurchase_stats = vec![RepurchaseStats::default(); n_items];

    let total_users = users.len();
    for (done, evs) in users.values_mut().enumerate() {
        if done % 4096 == 0 {
            progress("users", done, total_users);
        }
        // Stable: events of one timestamp and sku keep their input order.
        evs.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.sku.cmp(&b.sku)));
        // Per (item, type, channel, store) the user counts once for popularity: one person
        // refreshing a page a hundred times is not popularity.
        let mut seen: BTreeSet<PopKey> = BTreeSet::new();
        let mut last_seen: BTreeMap<u32, Timestamp> = BTreeMap::new();
        let mut purchase_days: BTreeMap<u32, Vec<i64>> = BTreeMap::new();
        for e in evs.iter() {
            let Some(&item) = sku_set.get(e.sku.as_str()) else {
                continue;
            };
            let w = weight(params, &e.kind);
            if w <= 0.0 {
                continue;
            }
            last_seen.insert(item, e.ts);
            let decay = libm::exp2(-((now.0 - e.ts.0) as f64) / half_life_ms);
            trend.add(item, e.channel, e.store.as_deref(), w * decay);
            if seen.insert((item, e.kind.as_str(), e.channel, e.store.as_deref())) {
                pop.add(item, e.channel, e.store.as_deref(), w);
            }
            if e.kind == EventType::Purchase {
                let day = e.ts.0.div_euclid(MS_PER_DAY);
                let days = purchase_days.entry(item).or_default();
                if days.last() != Some(&day) {
                    days.push(day);
                }
            }
        }
        for (item, days) in purchase_days {
            // `item` comes from `sku_set`, whose ids are 0..n_items.
            let Some(stats) = repurchase_stats.get_mut(item as usize) else {
                continue;
            };
            stats.buyers += 1;
            if days.len() >= 2 {
                stats.repeat_buyers += 1;
                let gaps = days
                    .iter()
                    .zip(days.iter().skip(1))
                    .map(|(a, b)| (b - a) as f64);
                stats.gaps.extend(gaps);
            }
        }
        // The most recent distinct items only, sorted by id for the pair loop.
        let mut recent: Vec<(Timestamp, u32)> =
            last_seen.into_iter().map(|(i, t)| (t, i)).collect();
        recent.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        recent.truncate(params.max_items_per_user.max(1));
        let mut items: Vec<u32> = recent.into_iter().map(|(_, i)| i).collect();
        items.sort_unstable();
        baskets.push(items);
    }
    progress("users", total_users, total_users);

    // BM25-style length normalisation: a user with many items says less about each pair.
    let avg_len = baskets.iter().map(Vec::len).sum::<usize>() as f64 / baskets.len().max(1) as f64;
    for items in &baskets {
        let w = match params.user_weighting {
            UserWeighting::None => 1.0,
            UserWeighting::Bm25 => 1.0 / (0.25 + 0.75 * items.len() as f64 / avg_len.max(1.0)),
        };
        // Every pair (i, j) with i before j: `rest` is what follows `i`.
        let mut rest = items.as_slice();
        while let Some((&i, tail)) = rest.split_first() {
            rest = tail;
            // Basket items are dense ids from `sku_set`: always in range.
            if let Some(u) = item_users.get_mut(i as usize) {
                u.0 += 1;
                u.1 += w;
            }
            for &j in tail {
                let e = pair_counts
                    .entry((u64::from(i) << 32) | u64::from(j))
                    .or_insert((0, 0.0));
                e.0 += 1;
                e.1 += w;
            }
        }
    }

    let n_users = total_users.max(1) as f64;
    let mut rows: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n_items];
    let mut pairs = 0u64;
    // Weighted users of an item; pair ids are basket items, all < n_items.
    let users_of = |k: u32| item_users.get(k as usize).map_or(0.0, |u| u.1);
    for (&key, &(support, c)) in &pair_counts {
        if support < params.min_support {
            continue;
        }
        let (i, j) = ((key >> 32) as u32, (key & 0xffff_ffff) as u32);
        let (ni, nj) = (users_of(i), users_of(j));
        // Shrinkage pulls pairs seen by few users towards 0.
        let shrink = f64::from(support) / (f64::from(support) + params.shrinkage);
        let s = shrink
            * match params.similarity {
                Similarity::Jaccard => c / (ni + nj - c),
                Similarity::Lift => c * n_users / (ni * nj),
                Similarity::Cosine => c / libm::sqrt(ni * nj),
            };
        if s.is_finite() && s > 0.0 {
            if let Some(row) = rows.get_mut(i as usize) {
                row.push((j, s));
            }
            if let Some(row) = rows.get_mut(j as usize) {
                row.push((i, s));
            }
            pairs += 1;
        }
    }
    let mut neighbours = BTreeMap::new();
    for (&sku, mut row) in skus.iter().zip(rows) {
        if row.is_empty() {
            continue;
        }
        row.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| sku_of(&skus, a.0).cmp(sku_of(&skus, b.0)))
        });
        row.truncate(params.k);
        let list = row
            .into_iter()
            .map(|(j, s)| (sku_of(&skus, j).to_string(), quantize(s)))
            .collect();
        neighbours.insert(sku.to_string(), list);
    }

    let mut repurchase = BTreeMap::new();
    for (&sku, stats) in skus.iter().zip(&mut repurchase_stats) {
        if stats.buyers < 2 || stats.gaps.is_empty() {
            continue;
        }
        stats.gaps.sort_by(f64::total_cmp);
        let Some(&median) = stats.gaps.get(stats.gaps.len() / 2) else {
            continue; // not empty (checked above): the middle exists
        };
        let rate = f64::from(stats.repeat_buyers) / f64::from(stats.buyers);
        repurchase.insert(
            sku.to_string(),
            Repurchase {
                rate: quantize(rate),
                cycle_days: median.max(1.0),
            },
        );
    }

    let doc = ModelDoc {
        schema: MODEL_SCHEMA.to_string(),
        version: version.to_string(),
        params: params.clone(),
        stats: BuildStats {
            events: events.len() as u64,
            users: total_users as u64,
            items: n_items as u64,
            pairs,
        },
        as_of,
        neighbours,
        popularity: pop.finish(&skus, params.top_n),
        trending: trend.finish(&skus, params.top_n),
        repurchase,
        checksum: String::new(),
    };
    Ok(doc.seal())
}

#[derive(Default)]
struct Acc {
    global: HashMap<u32, f64>,
    channels: BTreeMap<Channel, HashMap<u32, f64>>,
    stores: BTreeMap<String, HashMap<u32, f64>>,
}

impl Acc {
    fn add(&mut self, item: u32, channel: Option<Channel>, store: Option<&str>, w: f64) {
        *self.global.entry(item).or_insert(0.0) += w;
        if let Some(c) = channel {
            *self
                .channels
                .entry(c)
                .or_default()
                .entry(item)
                .or_insert(0.0) += w;
        }
        if let Some(s) = store {
            if !self.stores.contains_key(s) {
                self.stores.insert(s.to_string(), HashMap::new());
            }
            if let Some(m) = self.stores.get_mut(s) {
                *m.entry(item).or_insert(0.0) += w;
            }
        }
    }

    fn finish(self, skus: &[&str], n: usize) -> Rankings {
        Rankings {
            global: top(self.global, skus, n),
            channels: self
                .channels
                .into_iter()
                .map(|(c, m)| (c, top(m, skus, n)))
                .collect(),
            stores: self
                .stores
                .into_iter()
                .map(|(s, m)| (s, top(m, skus, n)))
                .collect(),
        }
    }
}

const KINDS: [&str; 6] = [
    "view",
    "add_to_cart",
    "purchase",
    "search",
    "click",
    "wishlist",
];
const CHANNELS: [Option<Channel>; 4] = [
    None,
    Some(Channel::Web),
    Some(Channel::App),
    Some(Channel::Store),
];

fn sku_name(i: usize) -> String {
    match i % 3 {
        0 => format!("S{i}"),
        1 => format!("SKU-{i:06}"),
        // Past the interner's 16 inline bytes.
        _ => format!("a-rather-long-sku-identifier-{i:04}"),
    }
}

fn event() -> impl Strategy<Value = PopEvent> {
    (
        0usize..12,
        0usize..60,
        0i64..6,
        0i64..4,
        0usize..6,
        0usize..4,
        0usize..4,
    )
        .prop_map(|(user, sku, day, ms, kind, channel, store)| PopEvent {
            user: format!("u{user}"),
            sku: sku_name(sku),
            // Few distinct times: plenty of ties in (ts, sku).
            ts: Timestamp(1_767_225_600_000 + day * 9 * MS_PER_DAY / 2 + ms * 1000),
            kind: EventType::parse(KINDS[kind]),
            channel: CHANNELS[channel],
            store: match store {
                0 | 1 => None,
                2 => Some("s1".to_string()),
                _ => Some("store-number-two".to_string()),
            },
        })
}

fn params() -> impl Strategy<Value = BuildParams> {
    (
        (
            0usize..3,
            1usize..6,
            0u32..4,
            prop_oneof![Just(0.0), Just(1.5)],
            any::<bool>(),
        ),
        (
            1usize..8,
            prop_oneof![Just(0.0001), Just(2.0), Just(7.0)],
            1usize..6,
        ),
        (
            prop_oneof![Just(0.0), Just(-1.0), Just(0.7)],
            prop_oneof![Just(0.0), Just(3.0)],
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (sim, k, min_support, shrinkage, bm25),
                (max_items, half_life, top_n),
                (view, search, click),
            )| {
                let mut p = BuildParams {
                    similarity: [Similarity::Jaccard, Similarity::Lift, Similarity::Cosine][sim],
                    k,
                    min_support,
                    shrinkage,
                    user_weighting: if bm25 {
                        UserWeighting::Bm25
                    } else {
                        UserWeighting::None
                    },
                    max_items_per_user: max_items,
                    trending_half_life_days: half_life,
                    top_n,
                    ..BuildParams::default()
                };
                p.event_weights.insert("view".into(), view);
                p.event_weights.insert("search".into(), search);
                if click {
                    p.event_weights.insert("click".into(), 0.3);
                }
                p
            },
        )
}

fn both(events: &[PopEvent], p: &BuildParams) -> (String, String) {
    let new = builder::build(events, p, "", &mut |_, _, _| {})
        .unwrap()
        .to_json();
    let old = reference_build(events, p, "", &mut |_, _, _| {})
        .unwrap()
        .to_json();
    (new, old)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn same_model_as_the_map_based_builder(
        events in prop::collection::vec(event(), 0..300),
        p in params(),
    ) {
        let (new, old) = both(&events, &p);
        prop_assert_eq!(new, old);
    }
}

#[test]
fn same_model_on_the_sample() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/events.csv");
    let text = std::fs::read_to_string(dir).unwrap();
    let events = builder::parse_events(&text, builder::Format::Csv).unwrap();
    for p in [
        BuildParams::default(),
        BuildParams {
            similarity: Similarity::Lift,
            min_support: 1,
            k: 3,
            max_items_per_user: 7,
            ..BuildParams::default()
        },
        BuildParams {
            similarity: Similarity::Cosine,
            user_weighting: UserWeighting::None,
            shrinkage: 2.0,
            ..BuildParams::default()
        },
    ] {
        let (new, old) = both(&events, &p);
        assert!(new == old, "models differ for {p:?}");
    }
}
