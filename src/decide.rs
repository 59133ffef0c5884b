//! The engine: built once from catalog + model + config, then one pure `decide` per request.

use crate::catalog::Catalog;
use crate::channel::{Channel, Placement};
use crate::config::Config;
use crate::content::ContentIndex;
use crate::context::Context;
use crate::error::{self, Error};
use crate::hash::sha256_hex;
use crate::model::Model;
use crate::offers::{Assignments, NotShown, Offers, ShownOffer};
use crate::profile::Event;
use crate::profile::Profile;
use crate::recommend::{recommend, Inputs, ProfileView, Recommendation};
use crate::time::Timestamp;
use serde::Serialize;

pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Versions of everything a decision was made from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Versions {
    pub engine: String,
    pub catalog: String,
    pub model: String,
    pub config: String,
    pub offers: String,
}

/// One decision, identical on every channel that asks with the same inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Hash of every input of this decision (profile, context, artifact versions): replaying
    /// the same inputs gives the same id, for audit.
    pub decision_id: String,
    /// Hash of the channel-independent inputs only (profile, `now`, artifact versions): equal
    /// on every channel for the same customer at the same moment.
    pub state_id: String,
    pub profile_id: String,
    pub channel: Channel,
    pub placement: Placement,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    pub now: Timestamp,
    /// False when the profile gave no personalization consent: only non-personal strategies
    /// (popular, trending, the product on screen) were used.
    pub personalized: bool,
    pub recommendations: Vec<Recommendation>,
    /// The offers to show, best first, with content for the locale and why.
    pub offers: Vec<ShownOffer>,
    /// Every offer not shown, with the reason code (`not_eligible`, `capped`, `holdout`, …).
    pub suppressed_offers: Vec<NotShown>,
    /// Control-group and holdout assignments (FNV-1a 32 of "customer:key" mod 100).
    pub assignments: Assignments,
    /// `offer_impression` events for the caller to append to the profile (`track`) and send to
    /// its data platform, so caps hold on the next decision on any channel.
    pub impressions: Vec<Event>,
    pub versions: Versions,
}

impl Decision {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

pub struct Engine {
    catalog: Catalog,
    content: ContentIndex,
    model: Model,
    config: Config,
    offers: Offers,
    versions: Versions,
    /// Content hashes of the artifacts, folded into every decision id.
    fingerprint: String,
}

impl Engine {
    /// Parse and validate all three artifacts. This is the expensive step; do it once.
    pub fn new(catalog_json: &str, model_json: &str, config_json: &str) -> error::Result<Engine> {
        Engine::with_offers(catalog_json, model_json, config_json, None)
    }

    /// Like `new`, plus an offer catalogue (`unisono.offers/1`); its rules are checked here.
    pub fn with_offers(
        catalog_json: &str,
        model_json: &str,
        config_json: &str,
        offers_json: Option<&str>,
    ) -> error::Result<Engine> {
        let catalog = Catalog::from_json(catalog_json)?;
        let model = Model::from_json(model_json, &catalog)?;
        let config = Config::from_json(config_json)?;
        let offers = match offers_json {
            Some(t) => Offers::from_json(t)?,
            None => Offers::empty(),
        };
        Ok(Engine::from_parts(catalog, model, config, offers))
    }

    fn from_parts(catalog: Catalog, model: Model, config: Config, offers: Offers) -> Engine {
        let catalog_hash = catalog.content_hash.clone();
        let offers_hash = sha256_hex(
            serde_json::to_string(&offers.doc)
                .unwrap_or_default()
                .as_bytes(),
        );
        let config_hash = sha256_hex(
            serde_json::to_string(&config)
                .unwrap_or_default()
                .as_bytes(),
        );
        let or_hash = |v: &str, h: &str| {
            if v.is_empty() {
                format!("h-{}", &h[..12])
            } else {
                v.to_string()
            }
        };
        let versions = Versions {
            engine: ENGINE_VERSION.to_string(),
            catalog: or_hash(&catalog.version, &catalog_hash),
            model: model.version.clone(),
            config: or_hash(&config.version, &config_hash),
            offers: or_hash(&offers.doc.version, &offers_hash),
        };
        let fingerprint = format!(
            "{ENGINE_VERSION}|{catalog_hash}|{}|{config_hash}|{offers_hash}",
            model.checksum
        );
        let content = ContentIndex::build(&catalog);
        Engine {
            catalog,
            content,
            model,
            config,
            offers,
            versions,
            fingerprint,
        }
    }

    pub fn versions(&self) -> &Versions {
        &self.versions
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Parse a profile and a context, then decide.
    pub fn decide_json(&self, profile_json: &str, context_json: &str) -> error::Result<Decision> {
        let profile = Profile::from_json(profile_json)?;
        let ctx = Context::from_json(context_json, &self.catalog)?;
        Ok(self.decide(&profile, &ctx))
    }

    /// The decision: a pure function of (catalog, model, config, profile, context).
    pub fn decide(&self, profile: &Profile, ctx: &Context) -> Decision {
        let view = ProfileView::new(profile, ctx, &self.catalog, &self.config);
        let inputs = Inputs {
            catalog: &self.catalog,
            content: &self.content,
            model: &self.model,
            config: &self.config,
            ctx,
            view: &view,
        };
        let recommendations = recommend(&inputs);
        let offer_slots = self
            .config
            .placement(ctx.channel, ctx.placement)
            .map(|p| p.offers)
            .unwrap_or(0);
        let outcome = crate::offers::decide(
            &self.offers,
            profile,
            ctx,
            &self.catalog,
            &self.config,
            offer_slots,
        );
        // The profile was canonicalised at parse time, so its serialization is canonical.
        let profile_canon = serde_json::to_string(profile).unwrap_or_default();
        let ctx_canon = serde_json::to_string(ctx).unwrap_or_default();
        let state =
            sha256_hex(format!("{}|{}|{}", self.fingerprint, ctx.now.0, profile_canon).as_bytes());
        let decision = sha256_hex(format!("{state}|{ctx_canon}").as_bytes());
        Decision {
            decision_id: format!("d-{}", &decision[..32]),
            state_id: format!("s-{}", &state[..32]),
            profile_id: profile.id.clone(),
            channel: ctx.channel,
            placement: ctx.placement,
            store: ctx.store.clone(),
            now: ctx.now,
            personalized: view.personalized,
            recommendations,
            offers: outcome.shown,
            suppressed_offers: outcome.not_shown,
            assignments: outcome.assignments,
            impressions: outcome.impressions,
            versions: self.versions.clone(),
        }
    }
}

/// Validate a context against this engine's catalog (exposed for callers holding a parsed
/// profile).
pub fn parse_context(engine: &Engine, text: &str) -> Result<Context, Error> {
    Context::from_json(text, &engine.catalog)
}
