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
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::hint::black_box;

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
            if crate::import::is_too_deep(&e) {
                return error::too_deep("events", format!("line {}", i + 1));
            }
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

fn weight(params: &BuildParams, kind: &str) -> f64 {
    params.event_weights.get(kind).copied().unwrap_or(0.0)
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

/// A ranked candidate: (sku id, score).
trait Scored {
    fn key(&self) -> (u32, f64);
}

impl Scored for (u32, f64) {
    fn key(&self) -> (u32, f64) {
        *self
    }
}

/// A neighbour candidate; `name` is where its sku is in the slot name table. Carrying it
/// saves a lookup per kept neighbour.
#[derive(Debug, Clone)]
struct Partner {
    sku: u32,
    score: f64,
    name: (usize, usize),
}

/// An item in the pair loop: its sku id, weighted users, name in the slot name table and the
/// scored pairs waiting for its turn as anchor.
#[derive(Debug)]
struct Slot {
    sku: u32,
    users: f64,
    name: (usize, usize),
    pending: Vec<Partner>,
}

impl Scored for Partner {
    fn key(&self) -> (u32, f64) {
        (self.sku, self.score)
    }
}

/// Best first, ties by sku. Sku ids are ranks in sorted sku order, so comparing ids compares
/// skus; an id occurs once per list, so the order is total and every sort agrees on the result.
fn best_first<T: Scored>(a: &T, b: &T) -> Ordering {
    let (a, b) = (a.key(), b.key());
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

/// Keep the `n` best, in no particular order. The order is total, so the `n` best of a list
/// are the `n` best of the `n` best of any part of it plus the rest.
fn select_best<T: Scored>(v: &mut Vec<T>, n: usize) {
    if v.len() > n {
        if let Some(last) = n.checked_sub(1) {
            v.select_nth_unstable_by(last, best_first);
        }
        v.truncate(n);
    }
}

/// Keep the `n` best, best first: the list a full sort would give, without sorting the tail.
fn keep_best<T: Scored>(v: &mut Vec<T>, n: usize) {
    select_best(v, n);
    v.sort_unstable_by(best_first);
}

/// Keep the `n` best positive scores, best first, scaled so the best is 1.
fn top(mut v: Vec<(u32, f64)>, skus: &[&str], n: usize) -> Ranked {
    v.retain(|(_, s)| *s > 0.0);
    keep_best(&mut v, n);
    let max = v.first().map(|x| x.1).unwrap_or(1.0);
    v.into_iter()
        .map(|(i, s)| (sku_of(skus, i).to_string(), quantize(s / max)))
        .collect()
}

/// FxHash (rustc's hasher): several lookups per event, where SipHash was a large share of the
/// build. Tables using it are only looked up, never iterated, so their order cannot reach the
/// artifact. Not collision-resistant: ids crafted to collide slow the build down (never
/// change its result).
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(c.try_into().map(u64::from_le_bytes).unwrap_or(0));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(rest) {
                *w = *b;
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weakest; the table picks buckets with them.
        self.0.rotate_left(26)
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Keys up to this long are kept in the table itself.
const INLINE: usize = 16;

/// A table entry: the key's hash, id and length, and the key itself when it fits.
#[derive(Debug, Clone, Copy)]
struct Entry {
    hash: u64,
    id: u32,
    len: u32,
    key: [u8; INLINE],
}

impl Entry {
    const EMPTY: Entry = Entry {
        hash: 0,
        id: u32::MAX,
        len: 0,
        key: [0; INLINE],
    };
}

/// Dense ids for the distinct strings of a column, in first-seen order. An open-addressing
/// table (linear probing, at most half full) whose entries carry short keys inline: a lookup,
/// done for several columns of every event, then reads one cache line instead of chasing a
/// pointer to the key. Names are kept in one arena. Never iterated, so no order leaks out.
#[derive(Debug)]
struct Interner {
    table: Vec<Entry>,
    arena: String,
    /// Where each id's name ends in `arena`; it starts where the previous one's ends.
    ends: Vec<usize>,
}

impl Interner {
    fn new() -> Self {
        Interner {
            table: vec![Entry::EMPTY; 64],
            arena: String::new(),
            ends: Vec::new(),
        }
    }

    fn len(&self) -> u32 {
        self.ends.len() as u32
    }

    fn name(&self, id: u32) -> &str {
        let start = id
            .checked_sub(1)
            .and_then(|p| self.ends.get(p as usize))
            .copied()
            .unwrap_or(0);
        let end = self.ends.get(id as usize).copied().unwrap_or(start);
        self.arena.get(start..end).unwrap_or_default()
    }

    fn id(&mut self, s: &str) -> u32 {
        let mut h = FxHasher::default();
        h.write(s.as_bytes());
        let hash = h.finish();
        let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
        // The table's length is a power of two.
        let mask = self.table.len() - 1;
        let mut i = hash as usize & mask;
        while let Some(e) = self.table.get(i) {
            if e.id == u32::MAX {
                break;
            }
            if e.hash == hash && e.len == len {
                let same = match e.key.get(..s.len()) {
                    Some(inline) if s.len() <= INLINE => inline == s.as_bytes(),
                    _ => self.name(e.id) == s,
                };
                if same {
                    return e.id;
                }
            }
            i = (i + 1) & mask;
        }
        let id = self.len();
        self.arena.push_str(s);
        self.ends.push(self.arena.len());
        let mut key = [0; INLINE];
        for (k, b) in key.iter_mut().zip(s.as_bytes()) {
            *k = *b;
        }
        if let Some(e) = self.table.get_mut(i) {
            *e = Entry { hash, id, len, key };
        }
        if self.ends.len() * 2 > self.table.len() {
            self.grow();
        }
        id
    }

    fn grow(&mut self) {
        let size = self.table.len() * 2;
        let old = std::mem::replace(&mut self.table, vec![Entry::EMPTY; size]);
        let mask = self.table.len() - 1;
        for e in old.into_iter().filter(|e| e.id != u32::MAX) {
            let mut i = e.hash as usize & mask;
            while let Some(slot) = self.table.get_mut(i) {
                if slot.id == u32::MAX {
                    *slot = e;
                    break;
                }
                i = (i + 1) & mask;
            }
        }
    }

    /// The ids in name order.
    fn sorted(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..self.len()).collect();
        ids.sort_unstable_by(|&a, &b| self.name(a).cmp(self.name(b)));
        ids
    }
}

/// The inverse of an order: for each id, its position in `order`.
fn ranks(order: &[u32]) -> Vec<u32> {
    let mut rank = vec![0u32; order.len()];
    for (r, &id) in (0u32..).zip(order) {
        if let Some(slot) = rank.get_mut(id as usize) {
            *slot = r;
        }
    }
    rank
}

/// The channels in their `Ord` order; a channel's slot is [`channel_code`] − 1.
const CHANNELS: [Channel; 6] = [
    Channel::Web,
    Channel::App,
    Channel::Kiosk,
    Channel::Store,
    Channel::Email,
    Channel::CallCenter,
];

/// 0 for none, else 1 + the channel's slot in [`CHANNELS`] (exhaustive: a new channel fails
/// to compile here rather than vanish from the lists).
fn channel_code(c: Option<Channel>) -> u8 {
    match c {
        None => 0,
        Some(Channel::Web) => 1,
        Some(Channel::App) => 2,
        Some(Channel::Kiosk) => 3,
        Some(Channel::Store) => 4,
        Some(Channel::Email) => 5,
        Some(Channel::CallCenter) => 6,
    }
}

/// One event with its strings replaced by dense ids. `store` is 0 for none, else 1 + id.
#[derive(Debug, Clone, Copy, Default)]
struct Rec {
    ts: i64,
    item: u32,
    store: u32,
    kind: u32,
    channel: u8,
    purchase: bool,
}

/// Per item: customers who bought it, those who bought it on two or more days, and the gaps in
/// days between one customer's consecutive purchase days.
#[derive(Debug, Clone, Default)]
struct RepurchaseStats {
    buyers: u32,
    repeat_buyers: u32,
    gaps: Vec<f64>,
}

/// Co-occurrence of one partner with the current anchor; `anchor` says whether the rest is
/// from this anchor or stale, which spares clearing the array between anchors.
#[derive(Debug, Clone, Copy)]
struct Count {
    anchor: u32,
    support: u32,
    weighted: f64,
}

/// How many visits ahead the pair loop loads a basket.
const TOUCH_AHEAD: usize = 8;

/// One user as seen from one of their items: where their basket is, and their weight.
#[derive(Debug, Clone, Copy, Default)]
struct Visit {
    start: usize,
    end: usize,
    weight: f64,
}

/// `v[a..b]` of a prefix-sum table's `i`th range; empty when out of range (never, by
/// construction of the tables).
fn range<'a, T>(v: &'a [T], starts: &[usize], i: usize) -> &'a [T] {
    match (starts.get(i), starts.get(i + 1)) {
        (Some(&a), Some(&b)) => v.get(a..b).unwrap_or_default(),
        _ => &[],
    }
}

/// Progress callback: (events processed, total) — the CLI draws a bar with it.
pub type Progress<'a> = &'a mut dyn FnMut(&str, usize, usize);

/// Build a sealed model artifact from population events.
///
/// Strings are interned to dense ids once and events grouped per user by a counting sort; the
/// sums then run in the order the map-based builder used (users by id, each user's events by
/// time then sku, input order within), so every float comes out bit for bit the same.
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
    // Users are ranked by id: the order their sums are accumulated in.
    let mut user_ids = Interner::new();
    let mut ev_user: Vec<u32> = events.iter().map(|e| user_ids.id(&e.user)).collect();
    let user_rank = ranks(&user_ids.sorted());
    drop(user_ids);
    let total_users = user_rank.len();
    // Counting sort by user: `user_start[u]..user_start[u + 1]` are user u's events in `recs`.
    let mut user_start = vec![0usize; total_users + 1];
    for u in &mut ev_user {
        *u = user_rank.get(*u as usize).copied().unwrap_or(0);
        if let Some(n) = user_start.get_mut(*u as usize + 1) {
            *n += 1;
        }
    }
    drop(user_rank);
    for i in 1..user_start.len() {
        let prev = user_start.get(i - 1).copied().unwrap_or(0);
        if let Some(n) = user_start.get_mut(i) {
            *n += prev;
        }
    }
    let mut skus_seen = Interner::new();
    let mut kinds = Interner::new();
    let mut stores = Interner::new();
    let mut recs = vec![Rec::default(); events.len()];
    let mut cursor = user_start.clone();
    for (e, &u) in events.iter().zip(&ev_user) {
        let rec = Rec {
            ts: e.ts.0,
            item: skus_seen.id(&e.sku),
            store: e.store.as_deref().map_or(0, |s| stores.id(s) + 1),
            kind: kinds.id(e.kind.as_str()),
            channel: channel_code(e.channel),
            purchase: e.kind == EventType::Purchase,
        };
        if let Some(c) = cursor.get_mut(u as usize) {
            if let Some(slot) = recs.get_mut(*c) {
                *slot = rec;
            }
            *c += 1;
        }
    }
    drop(cursor);
    drop(ev_user);
    // Sku ids follow sorted sku order so ties resolve by sku everywhere by comparing ids.
    let sku_order = skus_seen.sorted();
    let sku_rank = ranks(&sku_order);
    let skus: Vec<&str> = sku_order.iter().map(|&id| skus_seen.name(id)).collect();
    drop(sku_order);
    for r in &mut recs {
        r.item = sku_rank.get(r.item as usize).copied().unwrap_or(0);
    }
    drop(sku_rank);
    let kind_weight: Vec<f64> = (0..kinds.len())
        .map(|id| weight(params, kinds.name(id)))
        .collect();
    let store_names: Vec<&str> = (0..stores.len()).map(|id| stores.name(id)).collect();

    let as_of = events.iter().map(|e| e.ts).max();
    let now = as_of.unwrap_or(Timestamp(0));
    let half_life_ms = params.trending_half_life_days * MS_PER_DAY as f64;
    let max_items = params.max_items_per_user.max(1);

    let n_items = skus.len();
    let mut sums = Sums {
        items: vec![ItemRow::default(); n_items],
        channel_seen: [false; 6],
        stores: FxMap::default(),
    };
    let mut repurchase_stats = vec![RepurchaseStats::default(); n_items];
    // Baskets as one table: user u's items are `basket_items[basket_start[u]..basket_start[u+1]]`.
    let mut basket_items: Vec<u32> = Vec::new();
    let mut basket_start: Vec<usize> = Vec::with_capacity(total_users + 1);
    basket_start.push(0);
    // Scratch reused across users.
    let mut touched: Vec<u32> = Vec::new();
    let mut recent: Vec<(i64, u32)> = Vec::new();
    let mut pop_keys: Vec<(u64, u64, u32)> = Vec::new();
    let mut first: Vec<bool> = Vec::new();
    let mut days: Vec<(u32, i64)> = Vec::new();

    for u in 0..total_users {
        if u % 4096 == 0 {
            progress("users", u, total_users);
        }
        let (a, b) = (
            user_start.get(u).copied().unwrap_or(0),
            user_start.get(u + 1).copied().unwrap_or(0),
        );
        let evs = recs.get_mut(a..b).unwrap_or_default();
        // Stable: events of one timestamp and sku keep their input order.
        evs.sort_by_key(|r| (r.ts, r.item));
        let weight_of = |r: &Rec| kind_weight.get(r.kind as usize).copied().unwrap_or(0.0);
        // Per (item, type, channel, store) the user counts once for popularity: one person
        // refreshing a page a hundred times is not popularity. Sorting the keys with their
        // positions marks each key's first event.
        pop_keys.clear();
        for (pos, r) in evs.iter().enumerate() {
            if weight_of(r) <= 0.0 {
                continue;
            }
            pop_keys.push((
                (u64::from(r.item) << 32) | u64::from(r.kind),
                (u64::from(r.store) << 8) | u64::from(r.channel),
                pos as u32,
            ));
        }
        pop_keys.sort_unstable();
        first.clear();
        first.resize(evs.len(), false);
        let mut prev = None;
        for &(k1, k2, pos) in &pop_keys {
            if prev != Some((k1, k2)) {
                prev = Some((k1, k2));
                if let Some(f) = first.get_mut(pos as usize) {
                    *f = true;
                }
            }
        }
        touched.clear();
        days.clear();
        let stamp = u as u32 + 1;
        for (k, (r, &is_first)) in evs.iter().zip(&first).enumerate() {
            // Item rows are cache misses; loading one a few events ahead overlaps them.
            if let Some(ahead) = evs.get(k + TOUCH_AHEAD) {
                black_box(sums.items.get(ahead.item as usize).map(|row| row.seen_by));
            }
            let w = weight_of(r);
            if w <= 0.0 {
                continue;
            }
            let decay = libm::exp2(-((now.0 - r.ts) as f64) / half_life_ms);
            let trend = w * decay;
            if let Some(row) = sums.items.get_mut(r.item as usize) {
                if row.seen_by != stamp {
                    row.seen_by = stamp;
                    touched.push(r.item);
                }
                row.last_ts = r.ts;
                row.global.add(w, trend, is_first);
                if let Some(c) = (r.channel as usize).checked_sub(1) {
                    if let Some(t) = row.channels.get_mut(c) {
                        t.add(w, trend, is_first);
                    }
                    if let Some(seen) = sums.channel_seen.get_mut(c) {
                        *seen = true;
                    }
                }
            }
            if r.store != 0 {
                let key = (u64::from(r.store) << 32) | u64::from(r.item);
                sums.stores.entry(key).or_default().add(w, trend, is_first);
            }
            if r.purchase {
                days.push((r.item, r.ts.div_euclid(MS_PER_DAY)));
            }
        }
        // Distinct purchase days per item.
        days.sort_unstable();
        days.dedup();
        for item_days in days.chunk_by(|x, y| x.0 == y.0) {
            let Some(stats) = item_days
                .first()
                .and_then(|d| repurchase_stats.get_mut(d.0 as usize))
            else {
                continue;
            };
            stats.buyers += 1;
            if item_days.len() >= 2 {
                stats.repeat_buyers += 1;
                let gaps = item_days
                    .iter()
                    .zip(item_days.iter().skip(1))
                    .map(|(x, y)| (y.1 - x.1) as f64);
                stats.gaps.extend(gaps);
            }
        }
        // The most recent distinct items only (ties by id), sorted by id for the pair loop.
        if touched.len() > max_items {
            recent.clear();
            recent.extend(touched.iter().map(|&i| {
                let ts = sums.items.get(i as usize).map_or(0, |row| row.last_ts);
                (ts, i)
            }));
            recent.select_nth_unstable_by(max_items - 1, |x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
            touched.clear();
            touched.extend(recent.iter().take(max_items).map(|&(_, i)| i));
        }
        touched.sort_unstable();
        basket_items.extend_from_slice(&touched);
        basket_start.push(basket_items.len());
    }
    progress("users", total_users, total_users);
    drop(recs);

    // BM25-style length normalisation: a user with many items says less about each pair.
    let avg_len = basket_items.len() as f64 / total_users.max(1) as f64;
    let user_weight: Vec<f64> = (0..total_users)
        .map(|u| match params.user_weighting {
            UserWeighting::None => 1.0,
            UserWeighting::Bm25 => {
                let len = range(&basket_items, &basket_start, u).len();
                1.0 / (0.25 + 0.75 * len as f64 / avg_len.max(1.0))
            }
        })
        .collect();
    // The pair loop works in slots: items ordered by how many baskets hold them, so the
    // entries it touches most share cache lines. Slots never leave the loop: scores, ties and
    // output use sku ids.
    let mut holders = vec![0u32; n_items];
    for &i in &basket_items {
        if let Some(n) = holders.get_mut(i as usize) {
            *n += 1;
        }
    }
    let mut slot_sku: Vec<u32> = (0u32..).take(n_items).collect();
    slot_sku.sort_unstable_by_key(|&i| (Reverse(holders.get(i as usize).copied()), i));
    drop(holders);
    let mut sku_slot = vec![0u32; n_items];
    for (p, &i) in (0u32..).zip(&slot_sku) {
        if let Some(x) = sku_slot.get_mut(i as usize) {
            *x = p;
        }
    }
    for i in &mut basket_items {
        *i = sku_slot.get(*i as usize).copied().unwrap_or(0);
    }
    drop(sku_slot);
    // Each basket in slot order: the pair loop reads the part before the anchor.
    for u in 0..total_users {
        if let (Some(&a), Some(&b)) = (basket_start.get(u), basket_start.get(u + 1)) {
            if let Some(items) = basket_items.get_mut(a..b) {
                items.sort_unstable();
            }
        }
    }
    // Per slot: its sku, weighted users (summed in user order) and name; and its users in user
    // order, each with where their basket is and their weight, so the pair loop reads them in
    // sequence.
    let mut slot_names = String::new();
    let mut slots: Vec<Slot> = Vec::with_capacity(n_items);
    for &i in &slot_sku {
        let start = slot_names.len();
        slot_names.push_str(sku_of(&skus, i));
        slots.push(Slot {
            sku: i,
            users: 0.0,
            name: (start, slot_names.len()),
            pending: Vec::new(),
        });
    }
    drop(slot_sku);
    let mut slot_start = vec![0usize; n_items + 1];
    for (u, &w) in user_weight.iter().enumerate() {
        for &p in range(&basket_items, &basket_start, u) {
            if let Some(x) = slots.get_mut(p as usize) {
                x.users += w;
            }
            if let Some(n) = slot_start.get_mut(p as usize + 1) {
                *n += 1;
            }
        }
    }
    for i in 1..slot_start.len() {
        let prev = slot_start.get(i - 1).copied().unwrap_or(0);
        if let Some(n) = slot_start.get_mut(i) {
            *n += prev;
        }
    }
    let mut slot_visits = vec![Visit::default(); basket_items.len()];
    let mut cursor = slot_start.clone();
    for (u, &weight) in user_weight.iter().enumerate() {
        let (Some(&start), Some(&end)) = (basket_start.get(u), basket_start.get(u + 1)) else {
            continue;
        };
        for &p in basket_items.get(start..end).unwrap_or_default() {
            if let Some(c) = cursor.get_mut(p as usize) {
                if let Some(x) = slot_visits.get_mut(*c) {
                    *x = Visit { start, end, weight };
                }
                *c += 1;
            }
        }
    }
    drop(cursor);

    // Co-occurrence one anchor item at a time into a dense accumulator instead of a map of all
    // pairs. The anchor's users are walked in user order, the order the pair sums always had,
    // so (support, weighted count) come out the same. Each pair is counted once, at its less
    // popular item (the later slot), over partners in earlier slots: the hot end of the
    // accumulator. Its score goes to the anchor's row and waits in the partner's `pending`
    // list, whose turn comes later as anchors go from the last slot down.
    let n_users = total_users.max(1) as f64;
    let mut acc = vec![
        Count {
            anchor: u32::MAX,
            support: 0,
            weighted: 0.0,
        };
        n_items
    ];
    // Partners whose support reached the minimum: most never do, and are never read again.
    let mut supported: Vec<u32> = Vec::new();
    let min_support = params.min_support.max(1);
    // Pending lists are cut back to the k best when they reach this (see `select_best`).
    let prune_at = params.k.saturating_mul(2);
    let mut pairs = 0u64;
    let mut lists: Vec<(u32, Ranked)> = Vec::new();
    for p in (0..slots.len()).rev() {
        let Some(anchor) = slots.get_mut(p) else {
            continue;
        };
        let (i, users_i, name_p) = (anchor.sku, anchor.users, anchor.name);
        let mut row = std::mem::take(&mut anchor.pending);
        let p = p as u32;
        let visits = range(&slot_visits, &slot_start, p as usize);
        for (k, v) in visits.iter().enumerate() {
            // Each basket is a cache miss; loading one a few visits ahead overlaps them.
            if let Some(ahead) = visits.get(k + TOUCH_AHEAD) {
                black_box(basket_items.get(ahead.start).copied());
            }
            for &q in basket_items.get(v.start..v.end).unwrap_or_default() {
                if q >= p {
                    break;
                }
                if let Some(a) = acc.get_mut(q as usize) {
                    if a.anchor == p {
                        a.support += 1;
                        a.weighted += v.weight;
                    } else {
                        // As `0.0 + weight`: weights are positive, never -0.0.
                        *a = Count {
                            anchor: p,
                            support: 1,
                            weighted: v.weight,
                        };
                    }
                    if a.support == min_support {
                        supported.push(q);
                    }
                }
            }
        }
        for &q in &supported {
            let Some(&Count {
                support,
                weighted: c,
                ..
            }) = acc.get(q as usize)
            else {
                continue;
            };
            let Some(partner) = slots.get_mut(q as usize) else {
                continue;
            };
            let (j, users_j) = (partner.sku, partner.users);
            // The lower sku id first, as when each pair was scored once in sku order.
            let (ni, nj) = if i < j {
                (users_i, users_j)
            } else {
                (users_j, users_i)
            };
            // Shrinkage pulls pairs seen by few users towards 0.
            let shrink = f64::from(support) / (f64::from(support) + params.shrinkage);
            let score = shrink
                * match params.similarity {
                    Similarity::Jaccard => c / (ni + nj - c),
                    Similarity::Lift => c * n_users / (ni * nj),
                    Similarity::Cosine => c / libm::sqrt(ni * nj),
                };
            if score.is_finite() && score > 0.0 {
                pairs += 1;
                partner.pending.push(Partner {
                    sku: i,
                    score,
                    name: name_p,
                });
                if partner.pending.len() >= prune_at {
                    select_best(&mut partner.pending, params.k);
                }
                row.push(Partner {
                    sku: j,
                    score,
                    name: partner.name,
                });
            }
        }
        supported.clear();
        if row.is_empty() {
            continue;
        }
        keep_best(&mut row, params.k);
        // The names are misses too: load them all before the allocations that copy them.
        for x in &row {
            black_box(slot_names.as_bytes().get(x.name.0).copied());
        }
        let list = row
            .into_iter()
            .map(|x| {
                let name = slot_names.get(x.name.0..x.name.1).unwrap_or_default();
                (name.to_string(), quantize(x.score))
            })
            .collect();
        lists.push((i, list));
    }
    drop(slots);
    // In sku order, so the map is built in one pass.
    lists.sort_unstable_by_key(|x| x.0);
    let neighbours: BTreeMap<String, Ranked> = lists
        .into_iter()
        .map(|(i, list)| (sku_of(&skus, i).to_string(), list))
        .collect();

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

    let (popularity, trending) = sums.finish(&skus, &store_names, params.top_n);
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
        popularity,
        trending,
        repurchase,
        checksum: String::new(),
    };
    Ok(doc.seal())
}

/// Popularity and trending score of one item in one list.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    pop: f64,
    trend: f64,
}

impl Tally {
    fn add(&mut self, w: f64, trend: f64, first: bool) {
        self.trend += trend;
        if first {
            self.pop += w;
        }
    }
}

/// What the user loop keeps per item, side by side so that an event touches one place: the
/// user (+1) who saw it last and when, and its scores globally and per channel slot.
#[derive(Debug, Clone, Copy, Default)]
struct ItemRow {
    seen_by: u32,
    last_ts: i64,
    global: Tally,
    channels: [Tally; 6],
}

/// Popularity and trending sums: per item (dense) and per store and item (sparse: stores ×
/// items can be large). Each sum adds the same terms in the same order as the map-based sums
/// did. A (store, item) or channel gets a trending term exactly when it gets a popularity term
/// (the user's first event of its kind there), so one table holds both lists' keys.
struct Sums {
    items: Vec<ItemRow>,
    channel_seen: [bool; 6],
    /// Keyed by (store code << 32 | item).
    stores: FxMap<u64, Tally>,
}

impl Sums {
    /// (popularity, trending).
    fn finish(self, skus: &[&str], store_names: &[&str], n: usize) -> (Rankings, Rankings) {
        let items = &self.items;
        let lists = |f: &dyn Fn(&ItemRow) -> Tally| -> (Ranked, Ranked) {
            let (pop, trend) = items
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let t = f(row);
                    ((i as u32, t.pop), (i as u32, t.trend))
                })
                .unzip();
            (top(pop, skus, n), top(trend, skus, n))
        };
        let (pop_global, trend_global) = lists(&|row| row.global);
        let (mut pop, mut trend) = (
            Rankings {
                global: pop_global,
                ..Rankings::default()
            },
            Rankings {
                global: trend_global,
                ..Rankings::default()
            },
        );
        for (c, (&channel, &seen)) in CHANNELS.iter().zip(&self.channel_seen).enumerate() {
            if seen {
                let (p, t) = lists(&|row| row.channels.get(c).copied().unwrap_or_default());
                pop.channels.insert(channel, p);
                trend.channels.insert(channel, t);
            }
        }
        let mut by_store: Vec<(u32, u32, Tally)> = self
            .stores
            .into_iter()
            .map(|(k, t)| ((k >> 32) as u32, (k & 0xffff_ffff) as u32, t))
            .collect();
        // Grouping only: `top` orders each store's list totally.
        by_store.sort_unstable_by_key(|x| x.0);
        for g in by_store.chunk_by(|x, y| x.0 == y.0) {
            let Some(name) = g
                .first()
                .and_then(|x| (x.0 as usize).checked_sub(1))
                .and_then(|s| store_names.get(s))
            else {
                continue;
            };
            let p = g.iter().map(|&(_, i, t)| (i, t.pop)).collect();
            let t = g.iter().map(|&(_, i, t)| (i, t.trend)).collect();
            pop.stores.insert(name.to_string(), top(p, skus, n));
            trend.stores.insert(name.to_string(), top(t, skus, n));
        }
        (pop, trend)
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
