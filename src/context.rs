//! The per-request context: where and when a decision is made.

use crate::catalog::Catalog;
use crate::channel::{Channel, Placement};
use crate::config::Config;
use crate::error::{self, Code, Error};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The per-request context (where and when). `now` is explicit: the engine never reads a
/// clock, so a decision can be replayed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Context {
    pub channel: Channel,
    /// One of the placements the config defines (`home` when absent).
    #[serde(default = "home")]
    pub placement: Placement,
    /// The product on screen (product placement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(max = 1000)))]
    pub sku: Option<String>,
    /// The physical store (required on kiosk and store channels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(max = 1000)))]
    pub locale: Option<String>,
    pub now: Timestamp,
    /// Overrides the placement's slot count.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::error::count_opt"
    )]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = crate::config::MAX_SLOTS)))]
    pub limit: Option<usize>,
}

fn home() -> Placement {
    Placement::Home
}

impl Context {
    pub fn from_json(text: &str, catalog: &Catalog) -> error::Result<Context> {
        crate::lean::read_context(text, |s| catalog.has_store(s))
    }

    /// [`Context::from_json`] through serde: the reference the hand-written reader
    /// (`crate::lean`) is tested against (`tests/lean_readers.rs`); nothing else calls it.
    pub fn from_json_serde(text: &str, catalog: &Catalog) -> error::Result<Context> {
        let c: Context = error::from_json("context", text)?;
        c.validate(catalog)?;
        Ok(c)
    }

    /// [`Context::from_json`], and the placement must be one `config` defines for the channel
    /// (what an engine checks before deciding).
    pub fn from_json_for(text: &str, catalog: &Catalog, config: &Config) -> error::Result<Context> {
        let c = Context::from_json(text, catalog)?;
        c.validate_placement(config)?;
        Ok(c)
    }

    /// A placement the config does not define is an `invalid_value` at `placement`, naming the
    /// defined ones and the closest: deciding for it would silently give nothing.
    pub fn validate_placement(&self, config: &Config) -> error::Result<()> {
        if config.defines(self.channel, self.placement) {
            return Ok(());
        }
        Err(Error::new(
            Code::InvalidValue,
            "context",
            "placement",
            config.undefined_placement(self.placement, Some(self.channel)),
        ))
    }

    pub fn validate(&self, catalog: &Catalog) -> error::Result<()> {
        self.validate_with(|s| catalog.has_store(s))
    }

    /// The checks of [`Context::validate`], with `known_store` saying whether a store exists
    /// (`crate::validate` checks a context on its own, without a catalog).
    pub fn validate_with(&self, known_store: impl Fn(&str) -> bool) -> error::Result<()> {
        let err = |code, path: &str, msg: String| Err(Error::new(code, "context", path, msg));
        match &self.store {
            None if self.channel.is_in_store() => {
                return err(
                    Code::MissingField,
                    "store",
                    format!(
                        "the {} channel needs the store it is in",
                        self.channel.as_str()
                    ),
                )
            }
            Some(s) if !known_store(s) => {
                return err(
                    Code::UnknownReference,
                    "store",
                    format!("unknown store {s:?}"),
                )
            }
            _ => {}
        }
        if let Some(l) = self.limit {
            if l == 0 || l > crate::config::MAX_SLOTS {
                return err(Code::InvalidValue, "limit", "must be 1..=100".into());
            }
        }
        for (name, v) in [("sku", &self.sku), ("locale", &self.locale)] {
            if v.as_ref().is_some_and(|s| s.len() > 1000) {
                return err(Code::TooLarge, name, "at most 1000 bytes".into());
            }
        }
        Ok(())
    }
}
