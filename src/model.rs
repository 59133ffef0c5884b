//! The model artifact: what the population taught us, small enough for a kiosk.
//!
//! A JSON document with item-item neighbours, popularity and trending lists (global, per
//! channel, per store) and per-item repurchase cycles. It carries the parameters it was built
//! with and a SHA-256 checksum of its content, verified at load.
//!
//! Two formats are read. `unisono.model/2` ([`ModelDocV2`], what `build-model` and `buildModel`
//! write) names each sku once, in a sorted `skus` table, and everything else by its index in
//! that table: the neighbours are three flat integer columns (a row length per sku, the
//! neighbour indices, the scores), scores are integers scaled by `10^decimals`. It loads without
//! one allocation per entry, and its checksum is computed over the decoded columns instead of a
//! re-serialization of the document. `unisono.model/1` ([`ModelDoc`], a sku string per
//! neighbour) is still read; it is also the builder's in-memory output, converted to v2 when
//! written ([`ModelDoc::to_artifact`]).

use crate::catalog::Catalog;
use crate::channel::Channel;
use crate::error::{self, Code, Error};
use crate::hash::{self, Hasher};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;

/// The schema tag of [`ModelDoc`] (the v1 artifact, and the builder's output).
pub const MODEL_SCHEMA: &str = "unisono.model/1";
/// The schema tag of [`ModelDocV2`], the format artifacts are written in.
pub const MODEL_SCHEMA_V2: &str = "unisono.model/2";
/// At most this many skus in a v2 `skus` table.
pub const MAX_MODEL_SKUS: usize = 2_000_000;
/// At most this many neighbour entries in a model (1M items × 50 neighbours).
pub const MAX_NEIGHBOURS: usize = 50_000_000;
/// `decimals` is at most 22: 10^22 is the largest power of ten a double holds exactly, which is
/// what makes `integer / 10^decimals` the same double as parsing the decimal.
pub const MAX_DECIMALS: u32 = 22;

/// 10^0 … 10^22, all exact doubles.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

fn pow10(decimals: u32) -> f64 {
    POW10
        .get(decimals as usize)
        .copied()
        .unwrap_or(f64::INFINITY)
}

/// How item-item co-occurrence counts become a similarity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Similarity {
    /// c / (n_i + n_j − c): symmetric, penalises very popular partners.
    Jaccard,
    /// c / (n_i · n_j) · N: surprise of seeing both; favours niche partners.
    Lift,
    /// c / √(n_i · n_j).
    Cosine,
}

/// How much each user's co-occurrences count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserWeighting {
    /// Every user counts 1.
    None,
    /// BM25 length normalisation (b = 0.75): users with more items than average count less.
    Bm25,
}

/// The parameters a model was built with; stored in the artifact so a model can be rebuilt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct BuildParams {
    pub similarity: Similarity,
    /// Neighbours kept per item.
    #[serde(deserialize_with = "crate::error::count")]
    #[cfg_attr(feature = "schema", schemars(range(max = crate::error::MAX_COUNT)))]
    pub k: usize,
    /// Minimum number of users who interacted with both items.
    #[serde(deserialize_with = "crate::error::count")]
    pub min_support: u32,
    /// Similarity × support / (support + shrinkage): 0 = off.
    pub shrinkage: f64,
    /// Weight of each user's co-occurrences.
    pub user_weighting: UserWeighting,
    /// Only a user's most recent distinct items count for co-occurrence (bounds the quadratic
    /// pair count for heavy users).
    #[serde(deserialize_with = "crate::error::count")]
    #[cfg_attr(feature = "schema", schemars(range(max = crate::error::MAX_COUNT)))]
    pub max_items_per_user: usize,
    /// Half-life of the trending lists, in days, counted back from the newest event.
    pub trending_half_life_days: f64,
    /// Entries kept per popularity / trending list.
    #[serde(deserialize_with = "crate::error::count")]
    #[cfg_attr(feature = "schema", schemars(range(max = crate::error::MAX_COUNT)))]
    pub top_n: usize,
    /// Weight of each event type in popularity and trending.
    pub event_weights: BTreeMap<String, f64>,
}

impl Default for BuildParams {
    fn default() -> Self {
        BuildParams {
            similarity: Similarity::Jaccard,
            k: 50,
            min_support: 2,
            shrinkage: 0.0,
            user_weighting: UserWeighting::Bm25,
            max_items_per_user: 300,
            trending_half_life_days: 7.0,
            top_n: 200,
            event_weights: [("view", 1.0), ("add_to_cart", 3.0), ("purchase", 5.0)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }
}

/// `[sku, score]` pairs, best first, ties by sku.
pub type Ranked = Vec<(String, f64)>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Rankings {
    #[serde(default)]
    pub global: Ranked,
    #[serde(default)]
    pub channels: BTreeMap<Channel, Ranked>,
    #[serde(default)]
    pub stores: BTreeMap<String, Ranked>,
}

/// How customers re-buy an item: learned from the population, used by "buy again".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Repurchase {
    /// Share of the item's buyers who bought it on two or more days.
    pub rate: f64,
    /// Median days between two purchase days of the same buyer.
    pub cycle_days: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BuildStats {
    pub events: u64,
    pub users: u64,
    pub items: u64,
    pub pairs: u64,
}

/// The model artifact in its first format (`"schema": "unisono.model/1"`, a sku string per
/// neighbour): still read. Also the builder's output in memory, written as `unisono.model/2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "ModelV1Document"))]
#[serde(deny_unknown_fields)]
pub struct ModelDoc {
    #[cfg_attr(feature = "schema", schemars(extend("const" = MODEL_SCHEMA)))]
    pub schema: String,
    /// A name for humans and for `versions.model`; defaults to the checksum prefix.
    pub version: String,
    pub params: BuildParams,
    pub stats: BuildStats,
    /// The newest event the model saw (trending is relative to it).
    pub as_of: Option<Timestamp>,
    pub neighbours: BTreeMap<String, Ranked>,
    pub popularity: Rankings,
    pub trending: Rankings,
    #[serde(default)]
    pub repurchase: BTreeMap<String, Repurchase>,
    #[serde(default)]
    pub checksum: String,
}

/// [`ModelDoc`] with an empty checksum, field for field: the same JSON, without a copy of
/// the document.
#[derive(Serialize)]
struct UnsealedV1<'a> {
    schema: &'a str,
    version: &'a str,
    params: &'a BuildParams,
    stats: &'a BuildStats,
    as_of: &'a Option<Timestamp>,
    neighbours: &'a BTreeMap<String, Ranked>,
    popularity: &'a Rankings,
    trending: &'a Rankings,
    repurchase: &'a BTreeMap<String, Repurchase>,
    checksum: &'a str,
}

impl ModelDoc {
    /// SHA-256 of the document's JSON with an empty checksum field.
    pub fn compute_checksum(&self) -> String {
        let unsealed = UnsealedV1 {
            schema: &self.schema,
            version: &self.version,
            params: &self.params,
            stats: &self.stats,
            as_of: &self.as_of,
            neighbours: &self.neighbours,
            popularity: &self.popularity,
            trending: &self.trending,
            repurchase: &self.repurchase,
            checksum: "",
        };
        format!("sha256:{}", hash::sha256_hex_json(&unsealed))
    }

    /// Seal the document: fill the checksum (and a version if none was given).
    pub fn seal(mut self) -> ModelDoc {
        self.checksum.clear();
        let sum = self.compute_checksum();
        if self.version.is_empty() {
            self.version = version_from(&sum);
            self.checksum = self.compute_checksum();
        } else {
            self.checksum = sum;
        }
        self
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The artifact as `build-model` and `buildModel` write it: `unisono.model/2`, sealed.
    /// `version` names it; empty names it after its v2 checksum (the builder's default name
    /// hashes the v1 text, so it is not carried over).
    pub fn to_artifact(&self, version: &str) -> ModelDocV2 {
        let mut v2 = self.to_v2();
        v2.version = version.to_string();
        v2.seal()
    }

    /// The same content in the v2 layout (unsealed: `checksum` empty, `version` kept).
    pub fn to_v2(&self) -> ModelDocV2 {
        let rankings = [&self.popularity, &self.trending];
        // Every sku named anywhere, sorted, numbered in that order.
        let named = self
            .neighbours
            .iter()
            .flat_map(|(sku, list)| std::iter::once(sku).chain(list.iter().map(|(s, _)| s)))
            .chain(
                rankings
                    .into_iter()
                    .flat_map(ranked_lists)
                    .flatten()
                    .map(|(s, _)| s),
            )
            .chain(self.repurchase.keys());
        let mut index: BTreeMap<&str, u32> = BTreeMap::new();
        for s in named {
            index.insert(s, 0);
        }
        for (i, v) in index.values_mut().enumerate() {
            *v = i as u32;
        }
        let skus: Vec<&str> = index.keys().copied().collect();
        let at = |s: &str| index.get(s).copied().unwrap_or_default();

        // One scale for every score: the fewest decimals at which each is an exact integer.
        let all_scores = || {
            self.neighbours
                .values()
                .chain(rankings.into_iter().flat_map(ranked_lists))
                .flat_map(|l| l.iter().map(|(_, s)| *s))
                .chain(self.repurchase.values().map(|r| r.rate))
        };
        let decimals = fixed_decimals(all_scores);
        let column = |values: Vec<f64>| match decimals {
            // Every score is exact at `d` decimals (`fixed_decimals` checked each one).
            Some(d) => Scores(Column::Fixed(
                values
                    .iter()
                    .map(|&x| to_fixed(x, d).unwrap_or_default())
                    .collect(),
            )),
            None => Scores::from_values(values),
        };

        let mut lengths = Vec::with_capacity(skus.len());
        let mut items = Vec::new();
        let mut scores = Vec::new();
        for sku in &skus {
            let list = self.neighbours.get(*sku).map_or(&[][..], Vec::as_slice);
            lengths.push(list.len() as u32);
            for (s, score) in list {
                items.push(at(s));
                scores.push(*score);
            }
        }
        let ranked = |list: &Ranked| RankedV2 {
            items: list.iter().map(|(s, _)| at(s)).collect(),
            scores: column(list.iter().map(|(_, s)| *s).collect()),
        };
        let rankings_v2 = |r: &Rankings| {
            let mut v2 = RankingsV2 {
                global: ranked(&r.global),
                ..RankingsV2::default()
            };
            for (c, l) in &r.channels {
                v2.channels.insert(*c, ranked(l));
            }
            for (s, l) in &r.stores {
                v2.stores.insert(s.clone(), ranked(l));
            }
            v2
        };
        ModelDocV2 {
            schema: MODEL_SCHEMA_V2.to_string(),
            version: self.version.clone(),
            params: self.params.clone(),
            stats: self.stats.clone(),
            as_of: self.as_of,
            skus: skus.iter().map(|s| s.to_string()).collect(),
            decimals: decimals.unwrap_or(0),
            neighbours: NeighboursV2 {
                lengths,
                items,
                scores: column(scores),
            },
            popularity: rankings_v2(&self.popularity),
            trending: rankings_v2(&self.trending),
            repurchase: RepurchaseV2 {
                items: self.repurchase.keys().map(|s| at(s)).collect(),
                rate: column(self.repurchase.values().map(|r| r.rate).collect()),
                cycle_days: self.repurchase.values().map(|r| r.cycle_days).collect(),
            },
            checksum: String::new(),
        }
    }
}

fn ranked_lists(r: &Rankings) -> impl Iterator<Item = &Ranked> {
    std::iter::once(&r.global)
        .chain(r.channels.values())
        .chain(r.stores.values())
}

/// `m-` and 12 hex digits of a `sha256:` checksum.
fn version_from(checksum: &str) -> String {
    format!("m-{}", checksum.get(7..19).unwrap_or_default())
}

/// Whether `x` is written as an integer in a [`Scores`] column: a non-negative whole number
/// that fits 32 bits. −0 is 0 here: a model passed as a JS object reaches the engine through
/// `JSON.stringify`, which writes −0 as `0`, and must keep its checksum.
fn is_fixed(x: f64) -> bool {
    x >= 0.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX)
}

/// `x · 10^decimals` as the integer it exactly stands for, if there is one: dividing it by
/// 10^decimals gives back `x` bit for bit.
fn to_fixed(x: f64, decimals: u32) -> Option<u32> {
    let p = pow10(decimals);
    let m = (x * p).round();
    (x >= 0.0 && m <= f64::from(u32::MAX) && (m / p).to_bits() == x.to_bits()).then_some(m as u32)
}

/// The fewest decimals at which every score is an exact 32-bit integer, if any: the builder
/// rounds scores to four significant digits, so this is the exponent of the smallest one.
fn fixed_decimals<I: Iterator<Item = f64>>(scores: impl Fn() -> I) -> Option<u32> {
    let mut decimals = 0;
    for x in scores() {
        decimals = decimals.max((0..=MAX_DECIMALS).find(|&d| to_fixed(x, d).is_some())?);
    }
    // A score exact at fewer decimals is almost always exact at more; check, not assume.
    scores()
        .all(|x| to_fixed(x, decimals).is_some())
        .then_some(decimals)
}

// ---------------------------------------------------------------------------------------------
// unisono.model/2

mod read;

/// The model artifact (`"schema": "unisono.model/2"`), as `unisono build-model` and
/// `buildModel` write it. Every sku appears once, in `skus`; everything else refers to an item
/// by its index there. Every score is a number whose value is that number ÷ 10^`decimals`
/// (integers, as written by the builder). Its checksum is verified at load.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "ModelV2Document"))]
#[serde(deny_unknown_fields)]
pub struct ModelDocV2 {
    #[cfg_attr(feature = "schema", schemars(extend("const" = MODEL_SCHEMA_V2)))]
    pub schema: String,
    /// A name for humans and for `versions.model`; defaults to the checksum prefix.
    pub version: String,
    pub params: BuildParams,
    pub stats: BuildStats,
    /// The newest event the model saw (trending is relative to it).
    pub as_of: Option<Timestamp>,
    /// Every sku the model names, once, sorted (byte order); the other fields refer to an item
    /// by its index in this list.
    #[cfg_attr(feature = "schema", schemars(length(max = 2_000_000)))]
    pub skus: Vec<String>,
    /// Every score below is written as a number whose value is that number ÷ 10^`decimals`.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(max = 22)))]
    pub decimals: u32,
    pub neighbours: NeighboursV2,
    pub popularity: RankingsV2,
    pub trending: RankingsV2,
    #[serde(default)]
    pub repurchase: RepurchaseV2,
    /// `"sha256:<hex>"` of the content: the other fields but `skus` and `neighbours` as JSON,
    /// then the sku table and the neighbour columns in binary (README: "Model artifact").
    #[serde(default)]
    pub checksum: String,
}

/// Item-item neighbours in three columns. Item `skus[i]` has `lengths[i]` neighbours, best
/// first; they follow those of items `0..i` in `items` (indices into `skus`) and `scores`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[cfg_attr(feature = "schema", schemars(rename = "NeighbourColumns"))]
pub struct NeighboursV2 {
    /// Neighbours per item of `skus` (same length as `skus`).
    pub lengths: Vec<u32>,
    /// Every item's neighbours, one after the other, as indices into `skus`.
    pub items: Vec<u32>,
    /// The score of each entry of `items`.
    pub scores: Scores,
}

/// A ranked list: `items` (indices into `skus`), best first, and their `scores`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", schemars(rename = "RankedColumns"))]
pub struct RankedV2 {
    #[serde(default)]
    pub items: Vec<u32>,
    #[serde(default)]
    pub scores: Scores,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", schemars(rename = "RankingColumns"))]
pub struct RankingsV2 {
    #[serde(default)]
    pub global: RankedV2,
    #[serde(default)]
    pub channels: BTreeMap<Channel, RankedV2>,
    #[serde(default)]
    pub stores: BTreeMap<String, RankedV2>,
}

/// Repurchase cycles in columns: for each of `items` (ascending indices into `skus`), the
/// share of its buyers who bought it on two or more days (`rate`, a score) and the median
/// days between two purchase days of the same buyer (`cycle_days`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", schemars(rename = "RepurchaseColumns"))]
pub struct RepurchaseV2 {
    #[serde(default)]
    pub items: Vec<u32>,
    #[serde(default)]
    pub rate: Scores,
    #[serde(default)]
    pub cycle_days: Vec<f64>,
}

/// A column of scores: JSON numbers, each standing for number ÷ 10^`decimals`. Held as 32-bit
/// integers when every number is one (what the builder writes), else as doubles; which of the
/// two depends only on the numbers, so both serialization and checksum are canonical.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores(Column);

#[derive(Debug, Clone, PartialEq)]
enum Column {
    Fixed(Vec<u32>),
    Float(Vec<f64>),
}

impl Default for Scores {
    fn default() -> Self {
        Scores(Column::Fixed(Vec::new()))
    }
}

impl Scores {
    /// The numbers as given.
    pub fn from_values(values: Vec<f64>) -> Scores {
        if values.iter().all(|&x| is_fixed(x)) {
            Scores(Column::Fixed(
                values.into_iter().map(|x| x as u32).collect(),
            ))
        } else {
            Scores(Column::Float(values))
        }
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Column::Fixed(v) => v.len(),
            Column::Float(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th number as written (before the ÷ 10^`decimals`).
    pub fn number(&self, i: usize) -> Option<f64> {
        match &self.0 {
            Column::Fixed(v) => v.get(i).map(|&x| f64::from(x)),
            Column::Float(v) => v.get(i).copied(),
        }
    }

    /// The values (number ÷ `scale`), in order.
    fn values(&self, scale: f64) -> impl Iterator<Item = f64> + '_ {
        (0..self.len()).filter_map(move |i| self.number(i).map(|x| x / scale))
    }

    fn hash_into(&self, h: &mut Hasher) {
        match &self.0 {
            Column::Fixed(v) => {
                h.update(b"u");
                h.u32s(v);
            }
            Column::Float(v) => {
                h.update(b"f");
                h.f64s(v);
            }
        }
    }
}

impl Serialize for Scores {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Column::Fixed(v) => v.serialize(s),
            Column::Float(v) => v.serialize(s),
        }
    }
}

/// Capacity to reserve for a column when its length is known from `lengths` (read first in
/// the order the builder writes). Grown by at most this much at a time, so a `lengths` that
/// promises more than the text holds cannot make the reader reserve memory it never fills.
const RESERVE_STEP: usize = 1 << 20;

fn reserve_more<T>(v: &mut Vec<T>, expected: usize) {
    if v.len() == v.capacity() && expected > v.len() {
        v.reserve_exact((expected - v.len()).min(RESERVE_STEP));
    }
}

/// What the checksum covers besides `skus` and `neighbours`, in this order, as JSON.
#[derive(Serialize)]
struct HeadV2<'a> {
    schema: &'a str,
    version: &'a str,
    params: &'a BuildParams,
    stats: &'a BuildStats,
    as_of: &'a Option<Timestamp>,
    decimals: u32,
    popularity: &'a RankingsV2,
    trending: &'a RankingsV2,
    repurchase: &'a RepurchaseV2,
}

impl ModelDocV2 {
    /// Parse a v2 document (the JSON shape only; [`Model::from_v2`] checks the content).
    pub fn from_json(text: &str) -> error::Result<ModelDocV2> {
        match parse(text)? {
            Artifact::V2(doc) => Ok(*doc),
            Artifact::V1(_) => Err(unsupported()),
        }
    }

    /// `sha256:` and the SHA-256 of the content: the JSON of every field but `skus`,
    /// `neighbours` and `checksum` (in the order of [`ModelDocV2`]), a newline, then the
    /// table and the columns in binary, little-endian: the number of skus (u64) and each sku
    /// as its byte length (u32) and bytes; `lengths` and `items` as their length (u64) and
    /// values (u32); `scores` as `u` and the same for integers, or `f`, the length (u64)
    /// and each value's IEEE-754 bits (u64). One pass over the decoded columns: nothing is
    /// serialized to text but the small head.
    pub fn compute_checksum(&self) -> String {
        let mut h = Hasher::new();
        let head = HeadV2 {
            schema: &self.schema,
            version: &self.version,
            params: &self.params,
            stats: &self.stats,
            as_of: &self.as_of,
            decimals: self.decimals,
            popularity: &self.popularity,
            trending: &self.trending,
            repurchase: &self.repurchase,
        };
        hash::json_into(&mut h, &head);
        h.update(b"\n");
        h.update(&(self.skus.len() as u64).to_le_bytes());
        for sku in &self.skus {
            h.update(&(sku.len() as u32).to_le_bytes());
            h.update(sku.as_bytes());
        }
        h.u32s(&self.neighbours.lengths);
        h.u32s(&self.neighbours.items);
        self.neighbours.scores.hash_into(&mut h);
        format!("sha256:{}", h.hex())
    }

    /// Seal the document: fill the checksum (and a version if none was given).
    pub fn seal(mut self) -> ModelDocV2 {
        self.checksum.clear();
        if self.version.is_empty() {
            self.version = version_from(&self.compute_checksum());
        }
        self.checksum = self.compute_checksum();
        self
    }

    pub fn to_json(&self) -> String {
        hash::to_json(self)
    }

    /// Everything the JSON types alone do not guarantee: the table sorted and unique, every
    /// index inside it, the columns of one list equally long, every score finite.
    fn check(&self) -> error::Result<()> {
        let err = |code, path: String, msg: String| Err(Error::new(code, "model", path, msg));
        if self.decimals > MAX_DECIMALS {
            return err(
                Code::InvalidValue,
                "decimals".into(),
                format!("at most {MAX_DECIMALS}"),
            );
        }
        let n = self.skus.len();
        if n > MAX_MODEL_SKUS {
            return err(
                Code::TooLarge,
                "skus".into(),
                format!("at most {MAX_MODEL_SKUS} skus"),
            );
        }
        let mut previous: Option<&str> = None;
        for (i, sku) in self.skus.iter().enumerate() {
            if sku.is_empty() || sku.len() > 200 {
                return err(
                    Code::InvalidValue,
                    format!("skus[{i}]"),
                    "must be 1 to 200 bytes".into(),
                );
            }
            match previous.map(|p| p.cmp(sku.as_str())) {
                Some(std::cmp::Ordering::Equal) => {
                    return err(
                        Code::Duplicate,
                        format!("skus[{i}]"),
                        format!("sku {sku:?} appears twice"),
                    )
                }
                Some(std::cmp::Ordering::Greater) => {
                    return err(
                        Code::InvalidValue,
                        format!("skus[{i}]"),
                        "the skus must be sorted (byte order)".into(),
                    )
                }
                _ => previous = Some(sku),
            }
        }
        let nb = &self.neighbours;
        if nb.lengths.len() != n {
            return err(
                Code::InvalidValue,
                "neighbours.lengths".into(),
                format!(
                    "has {} entries: one per sku ({n}) expected",
                    nb.lengths.len()
                ),
            );
        }
        let total: u64 = nb.lengths.iter().map(|&l| u64::from(l)).sum();
        if total != nb.items.len() as u64 {
            return err(
                Code::InvalidValue,
                "neighbours.items".into(),
                format!(
                    "has {} entries but the lengths add up to {total}",
                    nb.items.len()
                ),
            );
        }
        let scale = pow10(self.decimals);
        check_list(&nb.items, &nb.scores, n, scale, "neighbours")?;
        for (name, r) in [
            ("popularity", &self.popularity),
            ("trending", &self.trending),
        ] {
            check_list(
                &r.global.items,
                &r.global.scores,
                n,
                scale,
                &format!("{name}.global"),
            )?;
            for (c, l) in &r.channels {
                let path = format!("{name}.channels.{}", c.as_str());
                check_list(&l.items, &l.scores, n, scale, &path)?;
            }
            for (s, l) in &r.stores {
                check_list(&l.items, &l.scores, n, scale, &format!("{name}.stores.{s}"))?;
            }
        }
        let rp = &self.repurchase;
        check_list(&rp.items, &rp.rate, n, scale, "repurchase")
            .map_err(|e| e.renamed("repurchase.scores", "repurchase.rate"))?;
        if rp.cycle_days.len() != rp.items.len() {
            return err(
                Code::InvalidValue,
                "repurchase.cycle_days".into(),
                format!(
                    "has {} entries: one per item ({}) expected",
                    rp.cycle_days.len(),
                    rp.items.len()
                ),
            );
        }
        if let Some(i) = rp.cycle_days.iter().position(|d| !d.is_finite()) {
            return err(
                Code::InvalidValue,
                format!("repurchase.cycle_days[{i}]"),
                "must be finite".into(),
            );
        }
        if let Some(i) = rp
            .items
            .windows(2)
            .position(|w| w.first() >= w.get(1))
            .map(|i| i + 1)
        {
            return err(
                Code::InvalidValue,
                format!("repurchase.items[{i}]"),
                "the items must be ascending, each once".into(),
            );
        }
        Ok(())
    }
}

/// One list of a v2 document: as many scores as items, every index inside the table, every
/// score finite.
fn check_list(
    items: &[u32],
    scores: &Scores,
    skus: usize,
    scale: f64,
    path: &str,
) -> error::Result<()> {
    if scores.len() != items.len() {
        return Err(Error::new(
            Code::InvalidValue,
            "model",
            format!("{path}.scores"),
            format!(
                "has {} entries: one per item ({}) expected",
                scores.len(),
                items.len()
            ),
        ));
    }
    if let Some((i, x)) = items.iter().enumerate().find(|(_, &x)| x as usize >= skus) {
        return Err(Error::new(
            Code::UnknownReference,
            "model",
            format!("{path}.items[{i}]"),
            format!("index {x} is outside the skus table ({skus} skus)"),
        ));
    }
    if let Some(i) = scores.values(scale).position(|s| !s.is_finite()) {
        return Err(Error::new(
            Code::InvalidValue,
            "model",
            format!("{path}.scores[{i}]"),
            "score must be finite",
        ));
    }
    Ok(())
}

impl Error {
    fn renamed(mut self, from: &str, to: &str) -> Error {
        if let Some(rest) = self.path.strip_prefix(from) {
            self.path = format!("{to}{rest}");
        }
        self
    }
}

/// The model artifact: `unisono.model/2` (what `unisono build-model` and `buildModel` write)
/// or `unisono.model/1` (still read). Its checksum is verified at load.
#[cfg(feature = "schema")]
#[derive(schemars::JsonSchema)]
#[schemars(rename = "Model", untagged)]
#[allow(dead_code)]
pub enum ModelArtifact {
    V2(Box<ModelDocV2>),
    V1(Box<ModelDoc>),
}

// ---------------------------------------------------------------------------------------------
// Loading

/// A parsed model artifact of either format.
#[derive(Debug, Clone, PartialEq)]
pub enum Artifact {
    V1(Box<ModelDoc>),
    V2(Box<ModelDocV2>),
}

/// The `schema` of a model document, read from its start when it is the first key (as every
/// writer puts it) instead of parsing the whole text twice.
fn schema_of(text: &str) -> error::Result<String> {
    let t = text.trim_start().strip_prefix('{').map(str::trim_start);
    let t = t
        .and_then(|t| t.strip_prefix("\"schema\""))
        .map(str::trim_start);
    let t = t.and_then(|t| t.strip_prefix(':')).map(str::trim_start);
    let tag = t
        .and_then(|t| t.strip_prefix('"'))
        .and_then(|t| t.get(..t.find('"')?));
    match tag {
        Some(tag) if !tag.contains('\\') => Ok(tag.to_string()),
        _ => {
            // Anywhere else (or escaped): the whole document, for the tag or the JSON error.
            #[derive(Deserialize)]
            struct Probe {
                schema: String,
            }
            error::from_json::<Probe>("model", text).map(|p| p.schema)
        }
    }
}

/// Parse a model artifact of either format (nothing is checked but the JSON shape).
pub fn parse(text: &str) -> error::Result<Artifact> {
    match schema_of(text)?.as_str() {
        MODEL_SCHEMA_V2 => read::parse(text).map(|d| Artifact::V2(Box::new(d))),
        MODEL_SCHEMA => error::from_json("model", text).map(|d| Artifact::V1(Box::new(d))),
        _ => Err(unsupported()),
    }
}

fn unsupported() -> Error {
    Error::new(
        Code::UnsupportedSchema,
        "model",
        "schema",
        format!("expected {MODEL_SCHEMA_V2:?} (or {MODEL_SCHEMA:?})"),
    )
}

fn checksum_mismatch() -> Error {
    Error::new(
        Code::ChecksumMismatch,
        "model",
        "checksum",
        "the artifact's content does not match its checksum (corrupted or edited)",
    )
}

/// A model resolved against a catalog: skus become dense catalog indices; entries for skus the
/// catalog does not have are dropped (the model may be older or newer than the catalog).
#[derive(Debug, Clone)]
pub struct Model {
    pub version: String,
    pub checksum: String,
    pub as_of: Option<Timestamp>,
    neighbours: Neighbours,
    pub popularity: ResolvedRankings,
    pub trending: ResolvedRankings,
    /// Items with a repurchase cycle (ascending catalog indices) and their cycles.
    repurchase_items: Vec<u32>,
    repurchase: Vec<Repurchase>,
}

#[derive(Debug, Clone, Default)]
pub struct ResolvedRankings {
    pub global: Vec<(u32, f64)>,
    pub channels: BTreeMap<Channel, Vec<(u32, f64)>>,
    pub stores: BTreeMap<String, Vec<(u32, f64)>>,
}

/// Every catalog item's neighbours in flat columns (two allocations for the whole table,
/// instead of one vector per item).
#[derive(Debug, Clone, Default)]
struct Neighbours {
    /// Catalog item `i`'s neighbours are entries `offsets[i]..offsets[i + 1]`; one more
    /// offset than catalog items.
    offsets: Vec<u32>,
    items: Vec<u32>,
    scores: ScoreColumn,
}

/// Scores as loaded: the integers of a v2 column with their scale, divided on read (4 bytes an
/// entry instead of 8; the division is the one parsing the decimal would do, so the double is
/// the same), or doubles.
#[derive(Debug, Clone)]
enum ScoreColumn {
    Fixed { values: Vec<u32>, scale: f64 },
    Float(Vec<f64>),
}

impl Default for ScoreColumn {
    fn default() -> Self {
        ScoreColumn::Float(Vec::new())
    }
}

/// The neighbours of one item, best first: (catalog index, score).
#[derive(Debug, Clone)]
pub struct NeighbourIter<'a> {
    items: std::slice::Iter<'a, u32>,
    scores: ScoreIter<'a>,
}

#[derive(Debug, Clone)]
enum ScoreIter<'a> {
    Fixed(std::slice::Iter<'a, u32>, f64),
    Float(std::slice::Iter<'a, f64>),
}

impl Iterator for NeighbourIter<'_> {
    type Item = (u32, f64);

    fn next(&mut self) -> Option<(u32, f64)> {
        let item = *self.items.next()?;
        let score = match &mut self.scores {
            ScoreIter::Fixed(it, scale) => f64::from(*it.next()?) / *scale,
            ScoreIter::Float(it) => *it.next()?,
        };
        Some((item, score))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl Model {
    /// Parse, verify (format, checksum, indices) and resolve a model of either format.
    pub fn from_json(text: &str, catalog: &Catalog) -> error::Result<Model> {
        Model::resolve(parse(text)?, catalog)
    }

    pub fn resolve(artifact: Artifact, catalog: &Catalog) -> error::Result<Model> {
        match artifact {
            Artifact::V1(doc) => Model::from_doc(*doc, catalog),
            Artifact::V2(doc) => Model::from_v2(*doc, catalog),
        }
    }

    /// The neighbours of catalog item `item`, best first. `Model` has a row per catalog item,
    /// so an index from the same catalog always has one (an empty one if the model has none).
    pub fn neighbours(&self, item: u32) -> NeighbourIter<'_> {
        let nb = &self.neighbours;
        let i = item as usize;
        let range = match (nb.offsets.get(i), nb.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        };
        NeighbourIter {
            items: nb.items.get(range.clone()).unwrap_or_default().iter(),
            scores: match &nb.scores {
                ScoreColumn::Fixed { values, scale } => {
                    ScoreIter::Fixed(values.get(range).unwrap_or_default().iter(), *scale)
                }
                ScoreColumn::Float(v) => ScoreIter::Float(v.get(range).unwrap_or_default().iter()),
            },
        }
    }

    /// How customers re-buy catalog item `item`, if the model learned it.
    pub fn repurchase(&self, item: u32) -> Option<&Repurchase> {
        let i = self.repurchase_items.binary_search(&item).ok()?;
        self.repurchase.get(i)
    }

    /// A v1 document: checked and resolved the way v1 always was.
    pub fn from_doc(doc: ModelDoc, catalog: &Catalog) -> error::Result<Model> {
        if doc.schema != MODEL_SCHEMA {
            return Err(unsupported());
        }
        if doc.checksum != doc.compute_checksum() {
            return Err(checksum_mismatch());
        }
        for (sku, list) in &doc.neighbours {
            for (j, (_, s)) in list.iter().enumerate() {
                if !s.is_finite() {
                    return Err(Error::new(
                        Code::InvalidValue,
                        "model",
                        format!("neighbours.{sku}[{j}]"),
                        "score must be finite",
                    ));
                }
            }
        }
        // `+ 0.0` reads -0 as 0, as the v2 reader and every content hash do: a v1 and a v2
        // artifact of the same model resolve to the same score bits.
        let resolve = |list: &Ranked| -> Vec<(u32, f64)> {
            list.iter()
                .filter(|(_, s)| s.is_finite())
                .filter_map(|(sku, s)| catalog.get(sku).map(|i| (i, *s + 0.0)))
                .collect()
        };
        let rankings = |r: &Rankings| ResolvedRankings {
            global: resolve(&r.global),
            channels: r.channels.iter().map(|(c, l)| (*c, resolve(l))).collect(),
            stores: r
                .stores
                .iter()
                .map(|(s, l)| (s.clone(), resolve(l)))
                .collect(),
        };
        // The map iterates in sku order, which is the catalog's: rows arrive by catalog index.
        let mut neighbours = Neighbours::default();
        let mut scores = Vec::new();
        for (sku, list) in &doc.neighbours {
            let Some(i) = catalog
                .get(sku)
                .filter(|&i| i as usize >= neighbours.offsets.len())
            else {
                continue;
            };
            fill_offsets(&mut neighbours.offsets, i as usize, neighbours.items.len());
            for (j, s) in resolve(list) {
                neighbours.items.push(j);
                scores.push(s);
            }
        }
        fill_offsets(
            &mut neighbours.offsets,
            catalog.len(),
            neighbours.items.len(),
        );
        neighbours.scores = ScoreColumn::Float(scores);
        // In sku order too, so by ascending catalog index (what `repurchase()` searches).
        let repurchase: Vec<(u32, Repurchase)> = doc
            .repurchase
            .iter()
            .filter(|(_, r)| r.rate.is_finite() && r.cycle_days.is_finite())
            .filter_map(|(sku, r)| catalog.get(sku).map(|i| (i, r.clone())))
            .collect();
        Ok(Model {
            version: doc.version.clone(),
            checksum: doc.checksum.clone(),
            as_of: doc.as_of,
            neighbours,
            popularity: rankings(&doc.popularity),
            trending: rankings(&doc.trending),
            repurchase_items: repurchase.iter().map(|(i, _)| *i).collect(),
            repurchase: repurchase.into_iter().map(|(_, r)| r).collect(),
        })
    }

    /// A v2 document: checked (structure, then checksum) and resolved in place: the neighbour
    /// columns are re-indexed from the model's table to the catalog and compacted where the
    /// catalog lacks an item, without a second copy.
    pub fn from_v2(doc: ModelDocV2, catalog: &Catalog) -> error::Result<Model> {
        if doc.schema != MODEL_SCHEMA_V2 {
            return Err(unsupported());
        }
        doc.check()?;
        if doc.checksum != doc.compute_checksum() {
            return Err(checksum_mismatch());
        }
        const NONE: u32 = u32::MAX;
        let to_catalog: Vec<u32> = doc
            .skus
            .iter()
            .map(|s| catalog.get(s).unwrap_or(NONE))
            .collect();
        let map = |i: u32| match to_catalog.get(i as usize) {
            Some(&c) if c != NONE => Some(c),
            _ => None,
        };
        let ModelDocV2 {
            version,
            checksum,
            as_of,
            skus,
            decimals,
            neighbours,
            popularity,
            trending,
            repurchase,
            ..
        } = doc;
        drop(skus);
        let scale = pow10(decimals);
        let NeighboursV2 {
            lengths,
            mut items,
            scores,
        } = neighbours;
        let mut scores = match scores.0 {
            Column::Fixed(values) => ScoreColumn::Fixed { values, scale },
            Column::Float(mut v) => {
                v.iter_mut().for_each(|x| *x /= scale);
                ScoreColumn::Float(v)
            }
        };
        // Both tables are sorted by sku, so rows arrive in catalog order and entries only ever
        // move towards the front: `write` never passes `read`.
        let mut offsets = Vec::with_capacity(catalog.len() + 1);
        let (mut read, mut write) = (0usize, 0usize);
        for (row, &len) in lengths.iter().enumerate() {
            let end = read + len as usize;
            if let Some(c) = map(row as u32).filter(|&c| c as usize >= offsets.len()) {
                fill_offsets(&mut offsets, c as usize, write);
                for k in read..end {
                    if let Some(j) = items.get(k).and_then(|&j| map(j)) {
                        if let Some(slot) = items.get_mut(write) {
                            *slot = j;
                        }
                        scores.copy_within(k, write);
                        write += 1;
                    }
                }
            }
            read = end;
        }
        fill_offsets(&mut offsets, catalog.len(), write);
        drop(lengths);
        items.truncate(write);
        scores.truncate(write);
        if items.capacity() > write + write / 8 {
            // Much of the model is not in this catalog: give the memory back.
            items.shrink_to_fit();
            scores.shrink_to_fit();
        }
        let list = |l: &RankedV2| -> Vec<(u32, f64)> {
            l.items
                .iter()
                .zip(l.scores.values(scale))
                .filter_map(|(&i, s)| map(i).map(|c| (c, s)))
                .collect()
        };
        let rankings = |r: &RankingsV2| ResolvedRankings {
            global: list(&r.global),
            channels: r.channels.iter().map(|(c, l)| (*c, list(l))).collect(),
            stores: r.stores.iter().map(|(s, l)| (s.clone(), list(l))).collect(),
        };
        let mut repurchase_items = Vec::new();
        let mut repurchase_values = Vec::new();
        for ((&i, rate), &cycle_days) in repurchase
            .items
            .iter()
            .zip(repurchase.rate.values(scale))
            .zip(&repurchase.cycle_days)
        {
            if let Some(c) = map(i) {
                repurchase_items.push(c);
                repurchase_values.push(Repurchase { rate, cycle_days });
            }
        }
        Ok(Model {
            version,
            checksum,
            as_of,
            neighbours: Neighbours {
                offsets,
                items,
                scores,
            },
            popularity: rankings(&popularity),
            trending: rankings(&trending),
            repurchase_items,
            repurchase: repurchase_values,
        })
    }
}

/// Extend `offsets` so that rows `..=row` start (or, past the last row, end) at `at`.
fn fill_offsets(offsets: &mut Vec<u32>, row: usize, at: usize) {
    if offsets.len() <= row {
        offsets.resize(row + 1, at as u32);
    }
}

impl ScoreColumn {
    /// Entry `from` copied to `to` (`to <= from`).
    fn copy_within(&mut self, from: usize, to: usize) {
        match self {
            ScoreColumn::Fixed { values, .. } => {
                if let Some(&v) = values.get(from) {
                    if let Some(slot) = values.get_mut(to) {
                        *slot = v;
                    }
                }
            }
            ScoreColumn::Float(values) => {
                if let Some(&v) = values.get(from) {
                    if let Some(slot) = values.get_mut(to) {
                        *slot = v;
                    }
                }
            }
        }
    }

    fn truncate(&mut self, len: usize) {
        match self {
            ScoreColumn::Fixed { values, .. } => values.truncate(len),
            ScoreColumn::Float(values) => values.truncate(len),
        }
    }

    fn shrink_to_fit(&mut self) {
        match self {
            ScoreColumn::Fixed { values, .. } => values.shrink_to_fit(),
            ScoreColumn::Float(values) => values.shrink_to_fit(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Engine images (crate::image): the resolved model, column for column.

/// The neighbour scores of a resolved model as an engine image stores them: the builder's
/// integers with their decimals (divided on read, as [`Model`] does), or doubles.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ImageScores<V32, V64> {
    Fixed { values: V32, decimals: u32 },
    Float(V64),
}

/// Everything a resolved [`Model`] holds, as columns: what [`crate::image`] writes (borrowed)
/// and reads back (owned). The reader checks every index and length before
/// [`Model::from_image_parts`]; the model itself never indexes without `.get()`.
#[derive(Debug, Clone)]
pub(crate) struct ImageParts<U32, F64, R> {
    pub version: String,
    pub checksum: String,
    pub as_of: Option<Timestamp>,
    /// One more than catalog items; row `i` is `offsets[i]..offsets[i + 1]` of `items`.
    pub offsets: U32,
    pub items: U32,
    pub scores: ImageScores<U32, F64>,
    pub popularity: R,
    pub trending: R,
    pub repurchase_items: U32,
    pub repurchase: Vec<Repurchase>,
}

impl Model {
    /// The model's columns, borrowed (for [`crate::image`]'s writer).
    #[cfg(feature = "tools")]
    pub(crate) fn image_parts(&self) -> ImageParts<&[u32], &[f64], &ResolvedRankings> {
        let nb = &self.neighbours;
        let scores = match &nb.scores {
            ScoreColumn::Fixed { values, scale } => {
                match (0..=MAX_DECIMALS).find(|&d| pow10(d).to_bits() == scale.to_bits()) {
                    Some(decimals) => ImageScores::Fixed {
                        values: values.as_slice(),
                        decimals,
                    },
                    // Never: `scale` is always a `pow10` of a checked `decimals`.
                    None => ImageScores::Float(&[][..]),
                }
            }
            ScoreColumn::Float(v) => ImageScores::Float(v.as_slice()),
        };
        ImageParts {
            version: self.version.clone(),
            checksum: self.checksum.clone(),
            as_of: self.as_of,
            offsets: &nb.offsets,
            items: &nb.items,
            scores,
            popularity: &self.popularity,
            trending: &self.trending,
            repurchase_items: &self.repurchase_items,
            repurchase: self.repurchase.clone(),
        }
    }

    /// A model from an image's checked columns (`decimals` ≤ [`MAX_DECIMALS`]).
    pub(crate) fn from_image_parts(p: ImageParts<Vec<u32>, Vec<f64>, ResolvedRankings>) -> Model {
        let scores = match p.scores {
            ImageScores::Fixed { values, decimals } => ScoreColumn::Fixed {
                values,
                scale: pow10(decimals),
            },
            ImageScores::Float(v) => ScoreColumn::Float(v),
        };
        Model {
            version: p.version,
            checksum: p.checksum,
            as_of: p.as_of,
            neighbours: Neighbours {
                offsets: p.offsets,
                items: p.items,
                scores,
            },
            popularity: p.popularity,
            trending: p.trending,
            repurchase_items: p.repurchase_items,
            repurchase: p.repurchase,
        }
    }
}
