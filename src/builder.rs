//! Builds the model artifact from population events (CSV or NDJSON).
//!
//! Co-occurrence is counted per user over distinct items (SAR-style), normalised by the chosen
//! similarity and pruned to the top K per item. Everything that reaches the artifact is sorted,
//! so the same events give the same bytes on every runtime.

use crate::channel::Channel;
use crate::error::{self, Code, Error};
use crate::model::MODEL_SCHEMA;
use crate::model::{
    BuildParams, BuildStats, ModelDoc, Ranked, Rankings, Repurchase, Similarity, UserWeighting,
};
use crate::profile::EventType;
use crate::time::{parse_rfc3339, Timestamp, MS_PER_DAY};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// (item, event type, channel, store): the unit a user counts once in popularity.
type PopKey<'a> = (u32, &'a str, Option<Channel>, Option<&'a str>);

/// One population event: who did what to which sku, when and where.
#[derive(Debug, Clone, PartialEq)]
pub struct PopEvent {
    pub user: String,
    pub sku: String,
    pub ts: Timestamp,
    pub kind: EventType,
    pub channel: Option<Channel>,
    pub store: Option<String>,
}

/// Input formats for population events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ndjson,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }
}

/// Parse a whole events text. Errors name the line (1-based, as an editor shows it).
pub fn parse_events(text: &str, format: Format) -> error::Result<Vec<PopEvent>> {
    match format {
        Format::Csv => parse_csv(text),
        Format::Ndjson => parse_ndjson(text),
    }
}

fn line_err(line: usize, field: &str, code: Code, msg: impl Into<String>) -> Error {
    Error::new(code, "events", format!("line {line}.{field}"), msg)
}

fn make_event(
    line: usize,
    user: &str,
    sku: &str,
    ts: &str,
    kind: Option<&str>,
    channel: Option<&str>,
    store: Option<&str>,
) -> error::Result<PopEvent> {
    if user.is_empty() {
        return Err(line_err(
            line,
            "user_id",
            Code::MissingField,
            "empty user id",
        ));
    }
    if sku.is_empty() {
        return Err(line_err(line, "sku", Code::MissingField, "empty sku"));
    }
    let ts = parse_rfc3339(ts).ok_or_else(|| {
        line_err(
            line,
            "ts",
            Code::InvalidTime,
            format!("not an RFC 3339 time: {ts:?}"),
        )
    })?;
    let kind = EventType::parse(kind.filter(|k| !k.is_empty()).unwrap_or("purchase"));
    let channel = match channel.filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(Channel::parse(c).ok_or_else(|| {
            line_err(
                line,
                "channel",
                Code::InvalidValue,
                format!("unknown channel {c:?}"),
            )
        })?),
    };
    Ok(PopEvent {
        user: user.to_string(),
        sku: sku.to_string(),
        ts,
        kind,
        channel,
        store: store.filter(|s| !s.is_empty()).map(str::to_string),
    })
}

/// Split one CSV record (RFC 4180 quoting, no embedded newlines).
pub fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn parse_csv(text: &str) -> error::Result<Vec<PopEvent>> {
    let mut lines = text.lines().enumerate();
    let header = match lines.next() {
        Some((_, h)) => split_csv(h.trim_start_matches('\u{feff}')),
        None => return Ok(Vec::new()),
    };
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.trim()));
    let user = find(&["user_id", "userId", "user", "customer_id"]);
    let sku = find(&["sku", "item_id", "product_id", "itemId", "productId"]);
    let ts = find(&["ts", "timestamp", "time", "event_time"]);
    let (Some(user), Some(sku), Some(ts)) = (user, sku, ts) else {
        return Err(Error::new(
            Code::MissingField,
            "events",
            "line 1",
            "the CSV header needs user_id, sku and ts columns",
        ));
    };
    let kind = find(&["type", "event", "event_type"]);
    let channel = find(&["channel"]);
    let store = find(&["store", "store_id"]);
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cols = split_csv(line);
        let col = |c: Option<usize>| c.and_then(|c| cols.get(c)).map(|s| s.trim());
        out.push(make_event(
            i + 1,
            col(Some(user)).unwrap_or(""),
            col(Some(sku)).unwrap_or(""),
            col(Some(ts)).unwrap_or(""),
            col(kind),
            col(channel),
            col(store),
        )?);
    }
    Ok(out)
}

fn parse_ndjson(text: &str) -> error::Result<Vec<PopEvent>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| {
            line_err(i + 1, "", Code::InvalidJson, e.to_string())
                .with_path(format!("line {}", i + 1))
        })?;
        let get = |names: &[&str]| -> Option<String> {
            names.iter().find_map(|n| match v.get(n)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        out.push(make_event(
            i + 1,
            &get(&["user_id", "userId", "user", "customer_id"]).unwrap_or_default(),
            &get(&["sku", "item_id", "product_id", "itemId", "productId"]).unwrap_or_default(),
            &get(&["ts", "timestamp", "time", "event_time"]).unwrap_or_default(),
            get(&["type", "event", "event_type"]).as_deref(),
            get(&["channel"]).as_deref(),
            get(&["store", "store_id"]).as_deref(),
        )?);
    }
    Ok(out)
}

impl Error {
    fn with_path(mut self, path: String) -> Error {
        self.path = path;
        self
    }
}

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
pub type Progress<'a> = &'a mut dyn FnMut(&str, usize, usize);

/// Build a sealed model artifact from population events.
pub fn build(
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

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "user_id,sku,ts,type,channel,store\n\
        u1,A,2026-01-01T00:00:00Z,purchase,web,\n\
        u1,B,2026-01-01T00:00:00Z,purchase,web,\n\
        u2,A,2026-01-02T00:00:00Z,purchase,store,s1\n\
        u2,B,2026-01-02T00:00:00Z,view,app,\n\
        u3,A,2026-01-03T00:00:00Z,purchase,web,\n\
        u3,C,2026-01-03T00:00:00Z,purchase,web,\n\
        u3,A,2026-01-13T00:00:00Z,purchase,web,\n";

    #[test]
    fn builds_neighbours_popularity_and_cycles() {
        let ev = parse_events(CSV, Format::Csv).unwrap();
        assert_eq!(ev.len(), 7);
        let m = build(&ev, &BuildParams::default(), "", &mut |_, _, _| {}).unwrap();
        // A and B co-occur for 2 users (support 2); A–C only once: pruned.
        assert_eq!(m.neighbours["A"][0].0, "B");
        assert!(!m.neighbours.contains_key("C"));
        assert_eq!(m.popularity.global[0].0, "A");
        assert_eq!(m.popularity.stores["s1"][0].0, "A");
        assert_eq!(m.repurchase["A"].cycle_days, 10.0);
        assert!(m.version.starts_with("m-"));
        assert_eq!(m.checksum, m.compute_checksum());
    }

    #[test]
    fn input_order_does_not_change_the_artifact() {
        let ev = parse_events(CSV, Format::Csv).unwrap();
        let mut rev = ev.clone();
        rev.reverse();
        let p = BuildParams::default();
        let a = build(&ev, &p, "", &mut |_, _, _| {}).unwrap();
        let b = build(&rev, &p, "", &mut |_, _, _| {}).unwrap();
        assert_eq!(a.to_json(), b.to_json());
    }

    #[test]
    fn ndjson_and_errors() {
        let ok = r#"{"userId":"u1","sku":"A","timestamp":"2026-01-01T00:00:00Z","event":"Order Completed"}"#;
        let ev = parse_events(ok, Format::Ndjson).unwrap();
        assert_eq!(ev[0].kind, EventType::Purchase);
        let bad = "user_id,sku,ts\nu1,A,2026-01-01\n";
        let e = parse_events(bad, Format::Csv).unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (Code::InvalidTime, "line 2.ts"));
        assert_eq!(split_csv(r#"a,"b,""c""",d"#), ["a", "b,\"c\"", "d"]);
    }
}
