//! Engine configuration: per channel and placement, how many slots and which strategies blend
//! with which weights; plus business rules (boost / bury / pin, category caps).

use crate::channel::{Channel, Placement};
use crate::error::{self, Code, Error};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const CONFIG_SCHEMA: &str = "unisono.config/1";

/// The recommendation strategies. Each yields candidates with a score and a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Items viewed or carted on any channel and not bought since.
    ContinueJourney,
    /// Neighbours of the current product and the cart.
    BoughtTogether,
    /// Time-decayed affinity over the profile × item-item similarity (SAR).
    Personalized,
    /// The customer's own repeat purchases, timed by the population's repurchase cycle.
    BuyAgain,
    /// Time-decayed popularity for this store, else this channel, else everyone.
    Trending,
    /// Popularity for this store, else this channel, else everyone.
    Popular,
    /// Catalog look-alikes of the product on screen and the cart (category, brand, title
    /// words): works for items the population has not bought yet.
    SimilarItems,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::ContinueJourney => "continue_journey",
            Strategy::BoughtTogether => "bought_together",
            Strategy::Personalized => "personalized",
            Strategy::BuyAgain => "buy_again",
            Strategy::Trending => "trending",
            Strategy::Popular => "popular",
            Strategy::SimilarItems => "similar_items",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StrategyWeight {
    pub strategy: Strategy,
    #[serde(default = "one")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0)))]
    pub weight: f64,
    /// Drop items the customer already bought from this strategy's candidates. Defaults to
    /// true for every strategy except `buy_again`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_purchased: Option<bool>,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PlacementConfig {
    #[serde(deserialize_with = "crate::error::count")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = MAX_SLOTS)))]
    pub slots: usize,
    pub strategies: Vec<StrategyWeight>,
    /// How many offers this placement shows (0 = none).
    #[serde(default = "one_offer", deserialize_with = "crate::error::count")]
    #[cfg_attr(feature = "schema", schemars(range(max = crate::error::MAX_COUNT)))]
    pub offers: usize,
}

fn one_offer() -> usize {
    1
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// Keyed by placement name: a built-in one (`home`, `product`, `cart`, `checkout`) or a
    /// custom one (`search`); a name only this channel defines is valid only on this channel.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(extend("propertyNames" = { "pattern": crate::schema::PLACEMENT_PATTERN })))]
    pub placements: BTreeMap<String, PlacementConfig>,
}

/// Which items a rule applies to; every given condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Match {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// Matches any level of the item's category path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

/// Whether a rule scoped to `channels` / `placements` (empty = everywhere) applies here.
pub fn in_scope(
    channels: &[Channel],
    placements: &[Placement],
    channel: Channel,
    placement: Placement,
) -> bool {
    (channels.is_empty() || channels.contains(&channel))
        && (placements.is_empty() || placements.contains(&placement))
}

/// Multiply matching items' scores: > 1 boosts, < 1 buries, 0 removes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BoostRule {
    #[serde(rename = "match")]
    pub when: Match,
    #[cfg_attr(feature = "schema", schemars(range(min = 0)))]
    pub factor: f64,
    /// Where the rule applies; empty = every channel / placement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placements: Vec<Placement>,
}

/// Put a sku at a 1-based position when it is eligible here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PinRule {
    pub sku: String,
    #[serde(deserialize_with = "crate::error::count")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = MAX_SLOTS)))]
    pub position: usize,
    /// Where the rule applies; empty = every channel / placement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placements: Vec<Placement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    /// At most this many recommendations per category (at `category_level`, 0 = top).
    #[serde(deserialize_with = "crate::error::count_opt")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = crate::error::MAX_COUNT)))]
    pub max_per_category: Option<usize>,
    #[serde(deserialize_with = "crate::error::count")]
    #[cfg_attr(feature = "schema", schemars(range(max = crate::error::MAX_COUNT)))]
    pub category_level: usize,
    pub boost: Vec<BoostRule>,
    pub pin: Vec<PinRule>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            max_per_category: Some(3),
            category_level: 2,
            boost: Vec::new(),
            pin: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Affinity {
    /// An event's weight halves every `half_life_days`.
    #[cfg_attr(feature = "schema", schemars(extend("exclusiveMinimum" = 0)))]
    pub half_life_days: f64,
    /// Weight per event type (`view`, `add_to_cart`, `purchase`, …); others count 0.
    pub event_weights: BTreeMap<String, f64>,
    /// Only the most recent events count (bounds the work of one decision).
    #[serde(deserialize_with = "crate::error::count")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 100_000)))]
    pub max_events: usize,
    /// "Continue your journey" looks back this many days.
    #[cfg_attr(feature = "schema", schemars(extend("exclusiveMinimum" = 0)))]
    pub journey_window_days: f64,
    /// …and favours what was looked at most recently: a touch's weight halves this often.
    #[cfg_attr(feature = "schema", schemars(extend("exclusiveMinimum" = 0)))]
    pub journey_half_life_days: f64,
}

impl Default for Affinity {
    fn default() -> Self {
        Affinity {
            half_life_days: 30.0,
            event_weights: [
                ("view", 1.0),
                ("add_to_cart", 3.0),
                ("remove_from_cart", 0.5),
                ("purchase", 5.0),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            max_events: 2_000,
            journey_window_days: 30.0,
            journey_half_life_days: 3.0,
        }
    }
}

/// How "buy again" ranks a customer's past purchases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct BuyAgain {
    /// A purchase day's weight halves every `half_life_days`.
    #[cfg_attr(feature = "schema", schemars(extend("exclusiveMinimum" = 0)))]
    pub half_life_days: f64,
    /// 0 = ignore timing, 1 = rank only by how due the item is by its repurchase cycle.
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = 1)))]
    pub cycle_weight: f64,
    /// Added to the population's repurchase rate, so items nobody else re-buys still count.
    #[cfg_attr(feature = "schema", schemars(range(min = 0)))]
    pub repurchase_prior: f64,
}

impl Default for BuyAgain {
    fn default() -> Self {
        BuyAgain {
            half_life_days: 90.0,
            cycle_weight: 0.3,
            repurchase_prior: 0.1,
        }
    }
}

/// The config document (`"schema": "unisono.config/1"`). Every section has defaults, so
/// `{"schema": "unisono.config/1"}` is a complete config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[cfg_attr(feature = "schema", schemars(extend("const" = CONFIG_SCHEMA)))]
    pub schema: String,
    #[serde(default)]
    pub version: String,
    /// Optional `"sha256:<hex>"` of the document's canonical form (`unisono seal` writes it);
    /// when present the engine verifies it at load and rejects a mismatch.
    #[serde(default, skip_serializing)]
    pub checksum: Option<String>,
    #[serde(default)]
    pub affinity: Affinity,
    /// Keyed by placement name: `a-z`, `0-9` and `_`, at most 64 bytes. Every name defined here
    /// (or under `channels`) is a placement a context may name. Absent, the four built-in
    /// placements (`home`, `product`, `cart`, `checkout`) with their default strategies; a map
    /// given here replaces them, so list the built-in ones you keep. String keys (checked at
    /// load) keep error paths readable.
    #[serde(default = "default_placements")]
    #[cfg_attr(feature = "schema", schemars(extend("propertyNames" = { "pattern": crate::schema::PLACEMENT_PATTERN })))]
    pub placements: BTreeMap<String, PlacementConfig>,
    /// Per-channel overrides of `placements`, keyed by channel name.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(extend("propertyNames" = { "enum": ["web", "app", "kiosk", "store", "email", "call_center"] })))]
    pub channels: BTreeMap<String, ChannelConfig>,
    #[serde(default)]
    pub buy_again: BuyAgain,
    #[serde(default)]
    pub rules: Rules,
}

fn sw(strategy: Strategy, weight: f64) -> StrategyWeight {
    StrategyWeight {
        strategy,
        weight,
        exclude_purchased: None,
    }
}

fn default_placements() -> BTreeMap<String, PlacementConfig> {
    use Strategy::*;
    let pc = |slots, strategies| PlacementConfig {
        slots,
        strategies,
        offers: 1,
    };
    [
        (
            Placement::Home,
            pc(
                8,
                vec![
                    sw(BuyAgain, 3.0),
                    sw(ContinueJourney, 1.0),
                    sw(Personalized, 0.8),
                    sw(BoughtTogether, 0.6),
                    sw(Trending, 0.1),
                    sw(Popular, 0.05),
                ],
            ),
        ),
        (
            Placement::Product,
            pc(
                6,
                vec![
                    sw(BoughtTogether, 1.0),
                    sw(SimilarItems, 0.5),
                    sw(Personalized, 0.4),
                    sw(ContinueJourney, 0.3),
                    sw(Popular, 0.1),
                ],
            ),
        ),
        (
            Placement::Cart,
            pc(
                4,
                vec![
                    sw(BoughtTogether, 1.0),
                    sw(SimilarItems, 0.2),
                    sw(BuyAgain, 0.5),
                    sw(Personalized, 0.3),
                    sw(Popular, 0.1),
                ],
            ),
        ),
        (
            Placement::Checkout,
            pc(
                3,
                vec![
                    sw(BoughtTogether, 1.0),
                    sw(BuyAgain, 0.6),
                    sw(Trending, 0.1),
                ],
            ),
        ),
    ]
    .into_iter()
    .map(|(p, c)| (p.as_str().to_string(), c))
    .collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            schema: CONFIG_SCHEMA.to_string(),
            version: String::new(),
            checksum: None,
            affinity: Affinity::default(),
            placements: default_placements(),
            channels: BTreeMap::new(),
            buy_again: BuyAgain::default(),
            rules: Rules::default(),
        }
    }
}

pub const MAX_SLOTS: usize = 100;

impl Config {
    pub fn from_json(text: &str) -> error::Result<Config> {
        let c: Config = error::from_json("config", text)?;
        c.validate()?;
        crate::hash::verify_declared("config", c.checksum.as_deref(), &c.content_hash())?;
        Ok(c)
    }

    /// SHA-256 of the canonical form (struct key order, defaults filled in, no checksum,
    /// [`crate::hash::Canonical`] numbers).
    pub fn content_hash(&self) -> String {
        crate::hash::sha256_hex_json(self)
    }

    /// The placement config for a channel: the channel's override, else the default.
    pub fn placement(&self, channel: Channel, placement: Placement) -> Option<&PlacementConfig> {
        self.channels
            .get(channel.as_str())
            .and_then(|c| c.placements.get(placement.as_str()))
            .or_else(|| self.placements.get(placement.as_str()))
    }

    /// Whether a context on `channel` may name `placement`: the config (its `placements`, or
    /// the built-in four when it has none, plus the channel's own overrides) defines it.
    pub fn defines(&self, channel: Channel, placement: Placement) -> bool {
        self.placement(channel, placement).is_some()
    }

    /// The placements a context on `channel` may name, in name order (for error messages).
    pub fn defined_placements(&self, channel: Channel) -> Vec<&str> {
        let mut names: Vec<&str> = self.placements.keys().map(String::as_str).collect();
        if let Some(c) = self.channels.get(channel.as_str()) {
            names.extend(c.placements.keys().map(String::as_str));
        }
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Every placement name the config defines, on any channel.
    fn any_channel_defines(&self, name: &str) -> bool {
        self.placements.contains_key(name)
            || self
                .channels
                .values()
                .any(|c| c.placements.contains_key(name))
    }

    fn validate(&self) -> error::Result<()> {
        let err = |code, path: String, msg: &str| Err(Error::new(code, "config", path, msg));
        if self.schema != CONFIG_SCHEMA {
            return err(
                Code::UnsupportedSchema,
                "schema".into(),
                "expected \"unisono.config/1\"",
            );
        }
        let a = &self.affinity;
        if !(a.half_life_days.is_finite() && a.half_life_days > 0.0) {
            return err(
                Code::InvalidValue,
                "affinity.half_life_days".into(),
                "must be > 0",
            );
        }
        if !(a.journey_window_days.is_finite() && a.journey_window_days > 0.0) {
            return err(
                Code::InvalidValue,
                "affinity.journey_window_days".into(),
                "must be > 0",
            );
        }
        if !(a.journey_half_life_days.is_finite() && a.journey_half_life_days > 0.0) {
            return err(
                Code::InvalidValue,
                "affinity.journey_half_life_days".into(),
                "must be > 0",
            );
        }
        if a.max_events == 0 || a.max_events > 100_000 {
            return err(
                Code::InvalidValue,
                "affinity.max_events".into(),
                "must be 1..=100000",
            );
        }
        let b = &self.buy_again;
        if !(b.half_life_days.is_finite() && b.half_life_days > 0.0) {
            return err(
                Code::InvalidValue,
                "buy_again.half_life_days".into(),
                "must be > 0",
            );
        }
        if !(0.0..=1.0).contains(&b.cycle_weight) {
            return err(
                Code::InvalidValue,
                "buy_again.cycle_weight".into(),
                "must be in 0..=1",
            );
        }
        if !(b.repurchase_prior.is_finite() && b.repurchase_prior >= 0.0) {
            return err(
                Code::InvalidValue,
                "buy_again.repurchase_prior".into(),
                "must be ≥ 0",
            );
        }
        for (k, w) in &a.event_weights {
            if !w.is_finite() {
                return err(
                    Code::InvalidValue,
                    format!("affinity.event_weights.{k}"),
                    "must be finite",
                );
            }
        }
        let check_placements =
            |prefix: &str, map: &BTreeMap<String, PlacementConfig>| -> error::Result<()> {
                for (p, pc) in map {
                    let base = format!("{prefix}placements.{p}");
                    if let Err(m) = Placement::parse(p) {
                        return Err(Error::new(Code::InvalidValue, "config", base, m));
                    }
                    if pc.slots == 0 || pc.slots > MAX_SLOTS {
                        return err(
                            Code::InvalidValue,
                            format!("{base}.slots"),
                            "must be 1..=100",
                        );
                    }
                    for (i, s) in pc.strategies.iter().enumerate() {
                        if !(s.weight.is_finite() && s.weight >= 0.0) {
                            return err(
                                Code::InvalidValue,
                                format!("{base}.strategies[{i}].weight"),
                                "must be a finite number ≥ 0",
                            );
                        }
                    }
                }
                Ok(())
            };
        check_placements("", &self.placements)?;
        for (c, cc) in &self.channels {
            if !Channel::ALL.iter().any(|x| x.as_str() == c) {
                return err(
                    Code::InvalidValue,
                    format!("channels.{c}"),
                    "unknown channel (expected web, app, kiosk, store, email, call_center)",
                );
            }
            check_placements(&format!("channels.{c}."), &cc.placements)?;
        }
        let scoped = self
            .rules
            .boost
            .iter()
            .enumerate()
            .map(|(i, b)| (format!("rules.boost[{i}]"), &b.placements))
            .chain(
                self.rules
                    .pin
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (format!("rules.pin[{i}]"), &p.placements)),
            );
        for (rule, placements) in scoped {
            for (j, p) in placements.iter().enumerate() {
                if !self.any_channel_defines(p.as_str()) {
                    return Err(Error::new(
                        Code::InvalidValue,
                        "config",
                        format!("{rule}.placements[{j}]"),
                        self.undefined_placement(*p, None),
                    ));
                }
            }
        }
        for (i, b) in self.rules.boost.iter().enumerate() {
            if !(b.factor.is_finite() && b.factor >= 0.0) {
                return err(
                    Code::InvalidValue,
                    format!("rules.boost[{i}].factor"),
                    "must be ≥ 0",
                );
            }
        }
        for (i, p) in self.rules.pin.iter().enumerate() {
            if p.position == 0 || p.position > MAX_SLOTS {
                return err(
                    Code::InvalidValue,
                    format!("rules.pin[{i}].position"),
                    "must be 1..=100",
                );
            }
        }
        if self.rules.max_per_category == Some(0) {
            return err(
                Code::InvalidValue,
                "rules.max_per_category".into(),
                "must be ≥ 1 or null",
            );
        }
        Ok(())
    }

    /// Why a context or rule may not name `placement`: what is defined, and the closest name.
    pub fn undefined_placement(&self, placement: Placement, channel: Option<Channel>) -> String {
        let name = placement.as_str();
        let defined: Vec<&str> = match channel {
            Some(c) => self.defined_placements(c),
            None => {
                let mut all: Vec<&str> = self.placements.keys().map(String::as_str).collect();
                all.extend(
                    self.channels
                        .values()
                        .flat_map(|c| c.placements.keys())
                        .map(String::as_str),
                );
                all.sort_unstable();
                all.dedup();
                all
            }
        };
        let hint = crate::channel::closest(name, defined.iter().copied(), 2)
            .map(|n| format!("did you mean {n:?}? "))
            .unwrap_or_default();
        let on = channel
            .map(|c| format!(" for the {} channel", c.as_str()))
            .unwrap_or_default();
        let mut listed: Vec<&str> = defined.iter().copied().take(12).collect();
        if defined.len() > listed.len() {
            listed.push("…");
        }
        format!(
            "placement {name:?} is not defined in the config{on} ({hint}defined: {})",
            listed.join(", ")
        )
    }
}
