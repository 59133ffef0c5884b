//! The model artifact: what the population taught us, small enough for a kiosk.
//!
//! A JSON document (`"schema": "unisono.model/1"`) with item-item neighbours, popularity and
//! trending lists (global, per channel, per store) and per-item repurchase cycles. It carries the
//! parameters it was built with and a SHA-256 checksum of its content, verified at load.

use crate::catalog::Catalog;
use crate::channel::Channel;
use crate::error::{self, Code, Error};
use crate::hash;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MODEL_SCHEMA: &str = "unisono.model/1";

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
    pub k: usize,
    /// Minimum number of users who interacted with both items.
    pub min_support: u32,
    /// Similarity × support / (support + shrinkage): 0 = off.
    pub shrinkage: f64,
    /// Weight of each user's co-occurrences.
    pub user_weighting: UserWeighting,
    /// Only a user's most recent distinct items count for co-occurrence (bounds the quadratic
    /// pair count for heavy users).
    pub max_items_per_user: usize,
    /// Half-life of the trending lists, in days, counted back from the newest event.
    pub trending_half_life_days: f64,
    /// Entries kept per popularity / trending list.
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

/// The model artifact (`"schema": "unisono.model/1"`), as `unisono build-model` and
/// `buildModel` write it; its checksum is verified at load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "Model"))]
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

impl ModelDoc {
    /// SHA-256 of the document with an empty checksum field.
    pub fn compute_checksum(&self) -> String {
        let mut copy = self.clone();
        copy.checksum.clear();
        let text = serde_json::to_string(&copy).unwrap_or_default();
        format!("sha256:{}", hash::sha256_hex(text.as_bytes()))
    }

    /// Seal the document: fill the checksum (and a version if none was given).
    pub fn seal(mut self) -> ModelDoc {
        self.checksum.clear();
        let sum = self.compute_checksum();
        if self.version.is_empty() {
            self.version = format!("m-{}", &sum[7..19]);
            self.checksum = self.compute_checksum();
        } else {
            self.checksum = sum;
        }
        self
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A model resolved against a catalog: skus become dense catalog indices; entries for skus the
/// catalog does not have are dropped (the model may be older or newer than the catalog).
#[derive(Debug, Clone)]
pub struct Model {
    pub version: String,
    pub checksum: String,
    pub as_of: Option<Timestamp>,
    pub neighbours: Vec<Vec<(u32, f64)>>,
    pub popularity: ResolvedRankings,
    pub trending: ResolvedRankings,
    pub repurchase: Vec<Option<Repurchase>>,
}

#[derive(Debug, Clone, Default)]
pub struct ResolvedRankings {
    pub global: Vec<(u32, f64)>,
    pub channels: BTreeMap<Channel, Vec<(u32, f64)>>,
    pub stores: BTreeMap<String, Vec<(u32, f64)>>,
}

impl Model {
    pub fn from_json(text: &str, catalog: &Catalog) -> error::Result<Model> {
        let doc: ModelDoc = error::from_json("model", text)?;
        Model::from_doc(doc, catalog)
    }

    pub fn from_doc(doc: ModelDoc, catalog: &Catalog) -> error::Result<Model> {
        if doc.schema != MODEL_SCHEMA {
            return Err(Error::new(
                Code::UnsupportedSchema,
                "model",
                "schema",
                format!("expected {MODEL_SCHEMA:?}"),
            ));
        }
        let expected = doc.compute_checksum();
        if doc.checksum != expected {
            return Err(Error::new(
                Code::ChecksumMismatch,
                "model",
                "checksum",
                "the artifact's content does not match its checksum (corrupted or edited)",
            ));
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
        let resolve = |list: &Ranked| -> Vec<(u32, f64)> {
            list.iter()
                .filter(|(_, s)| s.is_finite())
                .filter_map(|(sku, s)| catalog.get(sku).map(|i| (i, *s)))
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
        // Both tables have one slot per catalog item, so every `catalog.get` index has a slot.
        let mut neighbours = vec![Vec::new(); catalog.len()];
        for (sku, list) in &doc.neighbours {
            if let Some(slot) = catalog
                .get(sku)
                .and_then(|i| neighbours.get_mut(i as usize))
            {
                *slot = resolve(list);
            }
        }
        let mut repurchase = vec![None; catalog.len()];
        for (sku, r) in &doc.repurchase {
            if let Some(slot) = catalog
                .get(sku)
                .and_then(|i| repurchase.get_mut(i as usize))
            {
                if r.rate.is_finite() && r.cycle_days.is_finite() {
                    *slot = Some(r.clone());
                }
            }
        }
        Ok(Model {
            version: doc.version.clone(),
            checksum: doc.checksum.clone(),
            as_of: doc.as_of,
            neighbours,
            popularity: rankings(&doc.popularity),
            trending: rankings(&doc.trending),
            repurchase,
        })
    }
}
