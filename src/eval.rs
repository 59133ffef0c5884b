//! Offline evaluation: a temporal leave-last-basket-out split, unisono's `decide` against
//! reference baselines, and the usual top-k metrics.
//!
//! Protocol (see docs/benchmark.md): users with at least `min_purchase_days` distinct purchase
//! days are test users; the items they bought on their last purchase day are the target; all
//! other events of all users train the model; each test user's profile is their own training
//! events and `now` is the first moment of their last purchase day. Two variants: `new` (items
//! bought before are neither recommended nor counted) and `repeat` (buying again counts).

use crate::builder::{self, PopEvent};
use crate::catalog::Catalog;
use crate::channel::Channel;
use crate::config::Config;
use crate::context::Context;
use crate::decide::Engine;
use crate::error;
use crate::model::{BuildParams, ModelDoc, Similarity};
use crate::profile::{Consents, Event, EventType, Profile};
use crate::time::{Timestamp, MS_PER_DAY};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One test user: their training history and the basket to predict.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub user: String,
    pub history: Vec<PopEvent>,
    pub target: BTreeSet<String>,
    pub now: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Split {
    pub train: Vec<PopEvent>,
    pub test: Vec<TestUser>,
}

fn day(t: Timestamp) -> i64 {
    t.0.div_euclid(MS_PER_DAY)
}

/// Hold out each eligible user's last purchase day. `skip_last` first drops that many of each
/// user's final purchase days entirely: 1 gives the validation split (predict the second-to-last
/// basket from what came before), so tuning never sees the test baskets.
pub fn split(events: &[PopEvent], min_purchase_days: usize, skip_last: usize) -> Split {
    let mut by_user: BTreeMap<&str, Vec<&PopEvent>> = BTreeMap::new();
    for e in events {
        by_user.entry(e.user.as_str()).or_default().push(e);
    }
    let mut train = Vec::new();
    let mut test = Vec::new();
    for (user, mut evs) in by_user {
        evs.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.sku.cmp(&b.sku)));
        let mut days: Vec<i64> = evs
            .iter()
            .filter(|e| e.kind == EventType::Purchase)
            .map(|e| day(e.ts))
            .collect();
        days.dedup();
        if days.len() < skip_last {
            continue;
        }
        // In range: 0 < skip_last <= days.len().
        let cutoff = if skip_last > 0 {
            days.get(days.len() - skip_last).copied()
        } else {
            None
        };
        let evs: Vec<&PopEvent> = evs
            .into_iter()
            .filter(|e| cutoff.is_none_or(|c| day(e.ts) < c))
            .collect();
        days.truncate(days.len() - skip_last);
        let Some(&last) = days.last() else { continue };
        if days.len() < min_purchase_days {
            train.extend(evs.into_iter().cloned());
            continue;
        }
        let (hist, rest): (Vec<&PopEvent>, Vec<&PopEvent>) =
            evs.into_iter().partition(|e| day(e.ts) < last);
        let target: BTreeSet<String> = rest
            .iter()
            .filter(|e| e.kind == EventType::Purchase)
            .map(|e| e.sku.clone())
            .collect();
        let now = rest
            .iter()
            .map(|e| e.ts)
            .min()
            .unwrap_or(Timestamp(last * MS_PER_DAY));
        let history: Vec<PopEvent> = hist.into_iter().cloned().collect();
        train.extend(history.iter().cloned());
        test.push(TestUser {
            user: user.to_string(),
            history,
            target,
            now,
        });
    }
    Split { train, test }
}

/// Metrics of one ranked list against one target set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct UserMetrics {
    pub hr10: f64,
    pub ndcg10: f64,
    pub recall20: f64,
    pub map10: f64,
}

pub fn user_metrics(ranked: &[String], target: &BTreeSet<String>) -> UserMetrics {
    if target.is_empty() {
        return UserMetrics::default();
    }
    let rel: Vec<bool> = ranked.iter().take(20).map(|s| target.contains(s)).collect();
    let hits10 = rel.iter().take(10).filter(|r| **r).count();
    let dcg: f64 = rel
        .iter()
        .take(10)
        .enumerate()
        .filter(|(_, r)| **r)
        .map(|(i, _)| 1.0 / libm::log2(i as f64 + 2.0))
        .sum();
    let ideal: f64 = (0..target.len().min(10))
        .map(|i| 1.0 / libm::log2(i as f64 + 2.0))
        .sum();
    let mut ap = 0.0;
    let mut seen = 0usize;
    for (i, r) in rel.iter().take(10).enumerate() {
        if *r {
            seen += 1;
            ap += seen as f64 / (i as f64 + 1.0);
        }
    }
    UserMetrics {
        hr10: if hits10 > 0 { 1.0 } else { 0.0 },
        ndcg10: dcg / ideal,
        recall20: rel.iter().filter(|r| **r).count() as f64 / target.len() as f64,
        map10: ap / target.len().min(10) as f64,
    }
}

/// A recommender under evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// unisono's `decide` with the given config.
    Unisono,
    /// Most bought items overall (distinct buyers).
    Popularity,
    /// Item-kNN: Σ cosine(i, j) over the items the user bought.
    ItemKnn,
    /// The user's own most-bought items (the "buy again" reference).
    Replay,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Unisono => "unisono",
            Method::Popularity => "popularity",
            Method::ItemKnn => "item_knn",
            Method::Replay => "replay",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    New,
    Repeat,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodReport {
    pub method: Method,
    pub variant: Variant,
    pub users: usize,
    pub hr10: f64,
    pub ndcg10: f64,
    pub recall20: f64,
    pub map10: f64,
    pub coverage10: f64,
    /// Microseconds per recommendation (unisono: one full `decide`).
    pub us_per_user_p50: f64,
    pub us_per_user_p99: f64,
    /// HR/NDCG per cut-off 1..=20 (for the plot).
    pub ndcg_at: Vec<f64>,
    pub hr_at: Vec<f64>,
}

/// The catalog for an interaction log that has none: every sku, titled by itself unless a
/// title is given, available everywhere.
pub fn catalog_json(skus: &BTreeMap<String, (String, f64)>) -> String {
    let items: Vec<serde_json::Value> = skus
        .iter()
        .map(|(sku, (title, price))| serde_json::json!({"sku": sku, "title": if title.is_empty() { sku } else { title }, "price": price}))
        .collect();
    serde_json::json!({"schema": "unisono.catalog/1", "version": "eval", "items": items})
        .to_string()
}

/// Everything one evaluation needs, prepared once per split.
pub struct Prepared {
    /// The config as given (repeat purchases allowed where the config allows them).
    pub engine: Engine,
    /// The same config with `exclude_purchased` on every strategy: how a retailer configures
    /// "new items only".
    pub engine_new: Engine,
    pub model: ModelDoc,
    pub model_json: String,
    knn: HashMap<String, Vec<(String, f64)>>,
    popularity: Vec<String>,
    n_items: usize,
}

pub fn prepare(
    split: &Split,
    catalog: &str,
    params: &BuildParams,
    config: &Config,
) -> error::Result<Prepared> {
    let model = builder::build(&split.train, params, "", &mut |_, _, _| {})?;
    let model_json = model.to_json();
    let config_json = serde_json::to_string(config).unwrap_or_default();
    let engine = Engine::new(catalog, &model_json, &config_json)?;
    let mut no_repeats = config.clone();
    let overrides = no_repeats
        .channels
        .values_mut()
        .flat_map(|c| c.placements.values_mut());
    for pc in no_repeats.placements.values_mut().chain(overrides) {
        for sw in &mut pc.strategies {
            sw.exclude_purchased = Some(true);
        }
    }
    let no_repeats = serde_json::to_string(&no_repeats).unwrap_or_default();
    let engine_new = Engine::new(catalog, &model_json, &no_repeats)?;
    // Reference item-kNN: purchases only, cosine, no support threshold, 100 neighbours.
    let purchases: Vec<PopEvent> = split
        .train
        .iter()
        .filter(|e| e.kind == EventType::Purchase)
        .cloned()
        .collect();
    let knn_params = BuildParams {
        similarity: Similarity::Cosine,
        k: 100,
        min_support: 1,
        max_items_per_user: 1000,
        shrinkage: 0.0,
        user_weighting: crate::model::UserWeighting::None,
        ..BuildParams::default()
    };
    let knn_model = builder::build(&purchases, &knn_params, "", &mut |_, _, _| {})?;
    let mut buyers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in &purchases {
        buyers
            .entry(e.sku.as_str())
            .or_default()
            .insert(e.user.as_str());
    }
    let mut pop: Vec<(usize, &str)> = buyers.iter().map(|(s, u)| (u.len(), *s)).collect();
    pop.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let n_items = Catalog::from_json(catalog).map(|c| c.len()).unwrap_or(1);
    Ok(Prepared {
        engine,
        engine_new,
        model,
        model_json,
        knn: knn_model.neighbours.into_iter().collect(),
        popularity: pop
            .into_iter()
            .take(200)
            .map(|(_, s)| s.to_string())
            .collect(),
        n_items,
    })
}

/// The profile a channel would hold for this user: their training events.
pub fn profile_of(u: &TestUser) -> Profile {
    let mut p = Profile::anonymous();
    p.id = u.user.clone();
    p.consents = Consents {
        personalization: true,
        marketing: false,
    };
    p.events = u
        .history
        .iter()
        .map(|e| Event {
            kind: e.kind.clone(),
            sku: Some(e.sku.clone()),
            category: None,
            channel: e.channel.unwrap_or(Channel::Web),
            store: None,
            ts: e.ts,
            quantity: None,
            price: None,
            offer: None,
            query: None,
        })
        .collect();
    p
}

fn bought(u: &TestUser) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for e in u.history.iter().filter(|e| e.kind == EventType::Purchase) {
        *m.entry(e.sku.as_str()).or_insert(0) += 1;
    }
    m
}

/// Top 20 for one user by one method.
pub fn recommend_for(p: &Prepared, method: Method, variant: Variant, u: &TestUser) -> Vec<String> {
    let own = bought(u);
    let allowed = |s: &str| variant == Variant::Repeat || !own.contains_key(s);
    match method {
        Method::Unisono => {
            let ctx = Context {
                channel: Channel::Web,
                placement: crate::channel::Placement::Home,
                sku: None,
                store: None,
                locale: None,
                now: u.now,
                limit: Some(20),
            };
            let engine = if variant == Variant::New {
                &p.engine_new
            } else {
                &p.engine
            };
            engine
                .decide(&profile_of(u), &ctx)
                .recommendations
                .into_iter()
                .map(|r| r.sku)
                .filter(|s| allowed(s))
                .collect()
        }
        Method::Popularity => p
            .popularity
            .iter()
            .filter(|s| allowed(s))
            .take(20)
            .cloned()
            .collect(),
        Method::Replay => {
            let mut v: Vec<(&str, usize)> = own.iter().map(|(s, n)| (*s, *n)).collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let mut out: Vec<String> = v.into_iter().take(20).map(|(s, _)| s.to_string()).collect();
            for s in &p.popularity {
                if out.len() >= 20 {
                    break;
                }
                if !out.contains(s) {
                    out.push(s.clone());
                }
            }
            out
        }
        Method::ItemKnn => {
            let mut scores: BTreeMap<&str, f64> = BTreeMap::new();
            for i in own.keys() {
                for (j, s) in p.knn.get(*i).into_iter().flatten() {
                    *scores.entry(j.as_str()).or_insert(0.0) += s;
                }
            }
            let mut v: Vec<(&str, f64)> = scores.into_iter().filter(|(s, _)| allowed(s)).collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            let mut out: Vec<String> = v.into_iter().take(20).map(|(s, _)| s.to_string()).collect();
            for s in &p.popularity {
                if out.len() >= 20 {
                    break;
                }
                if allowed(s) && !out.contains(s) {
                    out.push(s.clone());
                }
            }
            out
        }
    }
}

/// Evaluate one method in one variant over all test users.
pub fn evaluate(
    p: &Prepared,
    split: &Split,
    method: Method,
    variant: Variant,
    clock: &mut dyn FnMut() -> f64,
) -> MethodReport {
    let mut sums = UserMetrics::default();
    let mut ndcg_at = vec![0.0; 20];
    let mut hr_at = vec![0.0; 20];
    let mut users = 0usize;
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let mut times = Vec::new();
    for u in &split.test {
        let target: BTreeSet<String> = match variant {
            Variant::Repeat => u.target.clone(),
            Variant::New => {
                let own = bought(u);
                u.target
                    .iter()
                    .filter(|s| !own.contains_key(s.as_str()))
                    .cloned()
                    .collect()
            }
        };
        if target.is_empty() {
            continue;
        }
        let t0 = clock();
        let ranked = recommend_for(p, method, variant, u);
        times.push((clock() - t0) * 1e6);
        let m = user_metrics(&ranked, &target);
        sums.hr10 += m.hr10;
        sums.ndcg10 += m.ndcg10;
        sums.recall20 += m.recall20;
        sums.map10 += m.map10;
        // Cut-offs k = 1..=20, one slot each in `ndcg_at` / `hr_at`.
        for (k, (ndcg, hr)) in (1..).zip(ndcg_at.iter_mut().zip(hr_at.iter_mut())) {
            let top: Vec<String> = ranked.iter().take(k).cloned().collect();
            let hits = top.iter().filter(|s| target.contains(*s)).count();
            let dcg: f64 = top
                .iter()
                .enumerate()
                .filter(|(_, s)| target.contains(*s))
                .map(|(i, _)| 1.0 / libm::log2(i as f64 + 2.0))
                .sum();
            let ideal: f64 = (0..target.len().min(k))
                .map(|i| 1.0 / libm::log2(i as f64 + 2.0))
                .sum();
            *ndcg += dcg / ideal;
            *hr += if hits > 0 { 1.0 } else { 0.0 };
        }
        covered.extend(ranked.into_iter().take(10));
        users += 1;
    }
    times.sort_by(f64::total_cmp);
    let pct = |q: f64| {
        times
            .get(((times.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let n = users.max(1) as f64;
    MethodReport {
        method,
        variant,
        users,
        hr10: sums.hr10 / n,
        ndcg10: sums.ndcg10 / n,
        recall20: sums.recall20 / n,
        map10: sums.map10 / n,
        coverage10: covered.len() as f64 / p.n_items.max(1) as f64,
        us_per_user_p50: pct(0.5),
        us_per_user_p99: pct(0.99),
        ndcg_at: ndcg_at.into_iter().map(|x| x / n).collect(),
        hr_at: hr_at.into_iter().map(|x| x / n).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(xs: &[&str]) -> BTreeSet<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    fn list(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn metrics_match_hand_computation() {
        // Target {a, b}; ranking hits at ranks 2 and 4.
        let m = user_metrics(&list(&["x", "a", "y", "b", "z"]), &set(&["a", "b"]));
        assert_eq!(m.hr10, 1.0);
        let dcg = 1.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let idcg = 1.0 + 1.0 / 3f64.log2();
        assert!((m.ndcg10 - dcg / idcg).abs() < 1e-12);
        assert!((m.map10 - (0.5 + 0.5) / 2.0).abs() < 1e-12);
        assert_eq!(m.recall20, 1.0);
        // A miss.
        let m = user_metrics(&list(&["x", "y"]), &set(&["a"]));
        assert_eq!(
            (m.hr10, m.ndcg10, m.recall20, m.map10),
            (0.0, 0.0, 0.0, 0.0)
        );
        // A hit at rank 11 counts for recall@20 but not for the @10 metrics.
        let mut r: Vec<String> = (0..10).map(|i| format!("n{i}")).collect();
        r.push("a".into());
        let m = user_metrics(&r, &set(&["a", "b"]));
        assert_eq!((m.hr10, m.recall20), (0.0, 0.5));
    }

    fn ev(user: &str, sku: &str, day: i64) -> PopEvent {
        PopEvent {
            user: user.into(),
            sku: sku.into(),
            ts: Timestamp(day * MS_PER_DAY + 3_600_000),
            kind: EventType::Purchase,
            channel: None,
            store: None,
        }
    }

    #[test]
    fn end_to_end_on_a_tiny_generated_log() {
        // 40 users: everyone buys "a" then "b" on later days; half of them also re-buy "a"
        // on their last day. Test users (3 purchase days) must get "b" (new) and "a" (repeat).
        let mut events = Vec::new();
        for u in 0..40 {
            let user = format!("u{u:02}");
            events.push(ev(&user, "a", 1));
            events.push(ev(&user, "x", 2));
            if u % 2 == 0 {
                events.push(ev(&user, "a", 3));
                events.push(ev(&user, "b", 3));
            } else {
                events.push(ev(&user, "b", 3));
                events.push(ev(&user, "c", 3));
            }
        }
        let skus: BTreeMap<String, (String, f64)> = ["a", "b", "c", "x"]
            .iter()
            .map(|s| (s.to_string(), (String::new(), 1.0)))
            .collect();
        let catalog = catalog_json(&skus);
        // Hold out day 3 for the first 10 users only; the rest train the model.
        let s = split(&events, 3, 0);
        assert_eq!(s.test.len(), 40);
        let split = Split {
            train: s.train.clone(),
            test: s.test[..10].to_vec(),
        };
        let mut train = split.train.clone();
        for t in &s.test[10..] {
            train.extend(events.iter().filter(|e| e.user == t.user).cloned());
        }
        let split = Split {
            train,
            test: split.test,
        };
        let p = prepare(
            &split,
            &catalog,
            &BuildParams {
                min_support: 1,
                ..BuildParams::default()
            },
            &Config::default(),
        )
        .unwrap();
        let mut clock = || 0.0;
        let new = evaluate(&p, &split, Method::Unisono, Variant::New, &mut clock);
        assert_eq!(new.users, 10);
        assert_eq!(new.hr10, 1.0, "b always follows a and x");
        let rep = evaluate(&p, &split, Method::Unisono, Variant::Repeat, &mut clock);
        assert_eq!(rep.hr10, 1.0);
        // Buy-again puts "a" first for every user: the 5 re-buyers hit at rank 1.
        let firsts: Vec<String> = split
            .test
            .iter()
            .map(|u| recommend_for(&p, Method::Unisono, Variant::Repeat, u)[0].clone())
            .collect();
        assert!(firsts.iter().all(|f| f == "a"), "{firsts:?}");
        let pop = evaluate(&p, &split, Method::Popularity, Variant::New, &mut clock);
        assert_eq!(pop.users, 10);
    }

    #[test]
    fn split_holds_out_the_last_purchase_day() {
        let events = vec![
            ev("u1", "a", 1),
            ev("u1", "b", 2),
            ev("u1", "a", 3),
            ev("u1", "c", 3),
            ev("u2", "a", 1),
            ev("u2", "b", 2),
        ];
        let s = split(&events, 3, 0);
        assert_eq!(s.test.len(), 1);
        assert_eq!(s.test[0].target, set(&["a", "c"]));
        assert_eq!(s.test[0].history.len(), 2);
        assert_eq!(s.train.len(), 4, "u1's first two days and all of u2");
        // Validation: drop the last day, then hold out day 2 — u1 has only 2 days left.
        assert_eq!(split(&events, 3, 1).test.len(), 0);
        assert_eq!(split(&events, 2, 1).test[0].target, set(&["b"]));
    }
}
