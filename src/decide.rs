//! The engine: built once from catalog + model + config, then one pure `decide` per request.

use crate::catalog::Catalog;
use crate::channel::{Channel, Placement};
use crate::config::Config;
use crate::content::ContentIndex;
use crate::context::Context;
use crate::error::{self, Error};
use crate::hash::{sha256_hex, Hasher};
use crate::model::Model;
use crate::offers::{Assignments, NotShown, Offers, ShownOffer, TargetIndex};
use crate::profile::{Event, EventType};
use crate::profile::{Profile, Window};
use crate::recommend::{recommend, Boosts, Inputs, ProfileView, Recommendation, Scratch};
use crate::time::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Versions of everything a decision was made from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Versions {
    pub engine: String,
    pub catalog: String,
    pub model: String,
    pub config: String,
    pub offers: String,
}

/// One decision, identical on every channel that asks with the same inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// The canonical decision JSON: never `-0` (a `-0` in a JSON text and the `0` a JS
    /// object sends are the same input, so they give the same bytes).
    pub fn to_json(&self) -> String {
        crate::lean::decision::write(self)
    }

    /// [`Decision::to_json`] through serde: the reference the hand-written writer
    /// (`crate::lean::decision`) is tested against; nothing else calls it.
    pub fn to_json_serde(&self) -> String {
        crate::hash::to_canonical_string(self)
    }

    /// This decision as a public engine image decides it ([`crate::image::scope`]): offer
    /// codes removed, rule quotes in explanations cut to their lead. A back end that decides
    /// on its full image applies this before sending a decision to a customer's device.
    pub fn make_public(&mut self) {
        use crate::image::scope::public_text;
        for o in &mut self.offers {
            o.content.code = None;
            for r in &mut o.reasons {
                r.text = public_text(&r.text).to_string();
            }
        }
        for n in &mut self.suppressed_offers {
            n.detail = public_text(&n.detail).to_string();
        }
    }
}

pub struct Engine {
    catalog: Catalog,
    content: ContentIndex,
    model: Model,
    config: Config,
    offers: Offers,
    versions: Versions,
    /// SHA-256 already fed the artifacts' content hashes (`engine|catalog|model|config|offers|`),
    /// which every decision id starts with: a decision hashes only its own bytes.
    fingerprint: Hasher,
    boosts: Boosts,
    targets: TargetIndex,
    /// What the engine's image was compiled for (unscoped and full for JSON documents).
    scope: crate::image::Scope,
    /// Reused by every decision. A second thread deciding at the same moment gets a fresh one
    /// instead of waiting, so the engine stays shareable.
    scratch: std::sync::Mutex<Scratch>,
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
        let (catalog, model, config, offers) =
            parse_documents(catalog_json, model_json, config_json, offers_json)?;
        Ok(Engine::from_parts(catalog, model, config, offers))
    }

    /// Load a compiled engine image (`unisono compile`, [`crate::image`]): verified (format
    /// version, bounds, every section's checksum) and decoded, without parsing the catalog or
    /// the model as JSON nor hashing them again. Decides exactly as the engine built from the
    /// same documents. A truncated, corrupted or hostile image is a coded error (document
    /// `image`).
    pub fn from_image(image: &[u8]) -> error::Result<Engine> {
        let l = crate::image::load(image)?;
        let mut engine = Engine::from_parts_hashed(
            l.catalog,
            l.model,
            l.config,
            l.offers,
            l.manifest.config_hash,
            l.manifest.offers_hash,
        );
        engine.scope = l.manifest.scope;
        Ok(engine)
    }

    /// Assemble from parsed, validated artifacts (the model resolved against this catalog).
    pub fn from_parts(catalog: Catalog, model: Model, config: Config, offers: Offers) -> Engine {
        let offers_hash = offers.content_hash();
        let config_hash = config.content_hash();
        Engine::from_parts_hashed(catalog, model, config, offers, config_hash, offers_hash)
    }

    /// [`Engine::from_parts`] with the config's and the offers' content hashes already known
    /// (an image's manifest records them; the catalog's and the model's are fields of theirs).
    pub fn from_parts_hashed(
        catalog: Catalog,
        model: Model,
        config: Config,
        offers: Offers,
        config_hash: String,
        offers_hash: String,
    ) -> Engine {
        let catalog_hash = catalog.content_hash.clone();
        let or_hash = |v: &str, h: &str| {
            if v.is_empty() {
                format!("h-{}", h.get(..12).unwrap_or(h))
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
        let mut fingerprint = Hasher::new();
        fingerprint.update(
            format!(
                "{ENGINE_VERSION}|{catalog_hash}|{}|{config_hash}|{offers_hash}|",
                model.checksum
            )
            .as_bytes(),
        );
        let content = ContentIndex::build(&catalog);
        let boosts = Boosts::new(&catalog, &config);
        let targets = TargetIndex::new(&offers, &catalog);
        let scratch = std::sync::Mutex::new(Scratch::new(catalog.len()));
        Engine {
            boosts,
            targets,
            scope: crate::image::Scope::default(),
            scratch,
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

    /// The audience, store and channel of the image this engine was loaded from.
    pub fn scope(&self) -> &crate::image::Scope {
        &self.scope
    }

    /// Parse a context and check it against the catalog, the config and the image's scope:
    /// what every decision entry point does first.
    pub fn context(&self, text: &str) -> error::Result<Context> {
        let ctx = Context::from_json_for(text, &self.catalog, &self.config)?;
        self.scope.check(&ctx)?;
        Ok(ctx)
    }

    /// Parse a profile and a context, then decide.
    pub fn decide_json(&self, profile_json: &str, context_json: &str) -> error::Result<Decision> {
        let profile = Profile::from_json(profile_json)?;
        let ctx = self.context(context_json)?;
        Ok(self.decide(&profile, &ctx))
    }

    /// The decision: a pure function of (catalog, model, config, profile, context).
    pub fn decide(&self, profile: &Profile, ctx: &Context) -> Decision {
        self.decide_digested(profile, &profile_digest(profile), None, ctx)
    }

    /// Decide for a [`Session`]: the profile is already parsed, its digest cached and its
    /// history indexed, so only the decision itself is computed.
    pub fn decide_session(&self, session: &Session, ctx: &Context) -> Decision {
        self.decide_digested(&session.profile, &session.digest, Some(&session.index), ctx)
    }

    /// `index`, when given, is `profile`'s [`HistoryIndex`]; without it the contact window and
    /// the purchases are found by walking the events (a plain decision has just parsed them all).
    fn decide_digested(
        &self,
        profile: &Profile,
        digest: &str,
        index: Option<&HistoryIndex>,
        ctx: &Context,
    ) -> Decision {
        let a = &self.config.affinity;
        let window = Window::resolve(
            profile.window(ctx.now, a.max_events),
            |s| self.catalog.get(s),
            |kind| a.event_weights.get(kind.as_str()).copied().unwrap_or(0.0),
        );
        let view = ProfileView::new(profile, &window, index, ctx, &self.catalog, &self.config);
        let inputs = Inputs {
            catalog: &self.catalog,
            content: &self.content,
            model: &self.model,
            config: &self.config,
            ctx,
            view: &view,
            boosts: &self.boosts,
        };
        let recommendations = match self.scratch.try_lock() {
            Ok(mut scratch) => recommend(&inputs, &mut scratch),
            Err(_) => recommend(&inputs, &mut Scratch::new(self.catalog.len())),
        };
        let offer_slots = self
            .config
            .placement(ctx.channel, ctx.placement)
            .map(|p| p.offers)
            .unwrap_or(0);
        let outcome = crate::offers::decide(
            &self.offers,
            profile,
            &window,
            index,
            ctx,
            &self.targets,
            &self.catalog,
            &self.config,
            offer_slots,
        );
        let ctx_canon = crate::hash::to_json(ctx);
        let mut state = self.fingerprint.clone();
        state.update(format!("{}|{digest}", ctx.now.0).as_bytes());
        let state = state.hex();
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

/// The four authoring documents, parsed and validated (the model resolved against the catalog;
/// a catalog error wins over a model error): what an engine and an engine image are built from.
pub fn parse_documents(
    catalog_json: &str,
    model_json: &str,
    config_json: &str,
    offers_json: Option<&str>,
) -> error::Result<(Catalog, Model, Config, Offers)> {
    let catalog = Catalog::from_json(catalog_json)?;
    let model = Model::from_json(model_json, &catalog)?;
    let config = Config::from_json(config_json)?;
    let offers = match offers_json {
        Some(t) => Offers::from_json(t)?,
        None => Offers::empty(),
    };
    Ok((catalog, model, config, offers))
}

/// The profile's digest, folded into the decision ids: SHA-256 over the canonical JSON of
/// everything but the events, the event count, and the 128-bit wrapping sum of each event's
/// SHA-256 (its first 16 bytes). Events are canonically ordered (time, then content), so the
/// multiset determines the list, and the sum lets `Session::track` update the digest in O(1)
/// instead of re-hashing the whole history.
pub fn profile_digest(profile: &Profile) -> String {
    let sum = profile
        .events
        .iter()
        .fold(0u128, |acc, e| acc.wrapping_add(event_hash(e)));
    digest_from(profile, sum)
}

fn event_hash(e: &Event) -> u128 {
    let mut text = Vec::with_capacity(256);
    crate::hash::canonical_into(&mut text, e);
    let h = crate::hash::sha256(&text);
    let mut first = [0u8; 16];
    first.copy_from_slice(h.get(..16).unwrap_or(&[0; 16]));
    u128::from_be_bytes(first)
}

fn digest_from(p: &Profile, events_sum: u128) -> String {
    #[derive(Serialize)]
    struct Head<'a> {
        schema: &'a str,
        id: &'a str,
        identifiers: &'a [crate::profile::Identifier],
        consents: &'a crate::profile::Consents,
        traits: &'a crate::profile::Traits,
        segments: &'a [String],
        cart: &'a [crate::profile::CartLine],
    }
    let head = Head {
        schema: &p.schema,
        id: &p.id,
        identifiers: &p.identifiers,
        consents: &p.consents,
        traits: &p.traits,
        segments: &p.segments,
        cart: &p.cart,
    };
    // The JSON is self-delimiting and the two fields after it hold no `|`: unambiguous.
    let text = crate::hash::to_json(&head);
    sha256_hex(format!("{text}|{}|{events_sum:032x}", p.events.len()).as_bytes())
}

/// A customer's profile held by the engine's host between decisions: parsed once, updated in
/// place by `track`, its digest kept current. Deciding from a session skips parsing and hashing
/// the profile, the bulk of a decision's cost for long histories.
#[derive(Debug, Clone)]
pub struct Session {
    profile: Profile,
    events_sum: u128,
    digest: String,
    index: HistoryIndex,
}

impl Session {
    pub fn new(profile: Profile) -> Session {
        let events_sum = profile
            .events
            .iter()
            .fold(0u128, |acc, e| acc.wrapping_add(event_hash(e)));
        let digest = digest_from(&profile, events_sum);
        let index = HistoryIndex::new(&profile.events);
        Session {
            profile,
            events_sum,
            digest,
            index,
        }
    }

    pub fn from_json(text: &str) -> error::Result<Session> {
        Profile::from_json(text).map(Session::new)
    }

    /// Record one event (see [`Profile::track`]) and update the digest and the index: the new
    /// event's hash is added to the sum and, at the per-profile cap, the dropped events' hashes
    /// are subtracted, so the history is never re-hashed (O(1) amortised per event). The index
    /// takes the new event where it was inserted; the batch drop at the cap (once per
    /// [`crate::profile::TRACK_DROP_BATCH`] events) rebuilds it.
    pub fn track(&mut self, event_json: &str) -> error::Result<Event> {
        let mut sum = self.events_sum;
        let mut dropped = false;
        let (e, at) = self.profile.track_with(event_json, |old| {
            sum = sum.wrapping_sub(event_hash(old));
            dropped = true;
        })?;
        self.events_sum = sum.wrapping_add(event_hash(&e));
        self.digest = digest_from(&self.profile, self.events_sum);
        if dropped {
            self.index = HistoryIndex::new(&self.profile.events);
        } else {
            self.index.inserted(at, &e);
        }
        Ok(e)
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The index decisions read (equal to `HistoryIndex::new(&self.profile().events)`).
    pub fn index(&self) -> &HistoryIndex {
        &self.index
    }
}

/// What a decision reads beyond its browsing window, kept by a [`Session`] so that a decision
/// never walks the whole history: the positions of the offer events (contact history, which
/// caps and suppression read, [`Profile::contact_window`]) and each purchased sku's earliest
/// purchase (`exclude_purchased` covers every purchase up to `now`, and a sku has one up to
/// `now` exactly when its earliest is). Derived from the events alone, so a decision through
/// it is the decision [`Engine::decide`] makes by walking them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryIndex {
    /// Positions in the events of the offer contacts, ascending (so also in time order).
    contacts: Vec<usize>,
    first_purchase: BTreeMap<String, Timestamp>,
}

impl HistoryIndex {
    pub fn new(events: &[Event]) -> HistoryIndex {
        let mut index = HistoryIndex::default();
        for (i, e) in events.iter().enumerate() {
            index.inserted(i, e);
        }
        index
    }

    /// `e` now sits at `at` in the events, and the ones from `at` on moved up by one: O(1) for
    /// an event newer than the rest, O(contacts) for one inserted among them.
    fn inserted(&mut self, at: usize, e: &Event) {
        let k = self.contacts.partition_point(|&p| p < at);
        for p in self.contacts.get_mut(k..).unwrap_or_default() {
            *p = p.saturating_add(1);
        }
        if e.is_offer_contact() {
            self.contacts.insert(k, at);
        }
        if let (EventType::Purchase, Some(sku)) = (&e.kind, &e.sku) {
            self.first_purchase
                .entry(sku.clone())
                .and_modify(|t| *t = (*t).min(e.ts))
                .or_insert(e.ts);
        }
    }

    /// [`Profile::contact_window`] of the profile these `events` belong to, without a pass
    /// over them: a binary search for `now`, then the last `max` contacts before it.
    pub fn contact_window<'a>(
        &self,
        events: &'a [Event],
        now: Timestamp,
        max: usize,
    ) -> Vec<&'a Event> {
        let past = self
            .contacts
            .partition_point(|&p| events.get(p).is_some_and(|e| e.ts <= now));
        self.contacts
            .get(past.saturating_sub(max)..past)
            .unwrap_or_default()
            .iter()
            .filter_map(|&p| events.get(p))
            .collect()
    }

    /// The skus with a purchase at or before `now`, in sku order.
    pub fn purchased_up_to(&self, now: Timestamp) -> impl Iterator<Item = &str> {
        self.first_purchase
            .iter()
            .filter(move |(_, &t)| t <= now)
            .map(|(sku, _)| sku.as_str())
    }
}

/// Validate a context against this engine's catalog and config (exposed for callers holding a parsed
/// profile).
pub fn parse_context(engine: &Engine, text: &str) -> Result<Context, Error> {
    engine.context(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_digest_tracks_like_a_reparsed_profile() {
        let p = r#"{"schema":"unisono.profile/1","id":"c1","consents":{"personalization":true},
            "events":[{"type":"view","sku":"A","channel":"web","ts":"2026-01-02T00:00:00Z"},
                      {"type":"view","sku":"B","channel":"app","ts":"2026-01-02T00:00:00Z"}]}"#;
        let mut s = Session::from_json(p).unwrap();
        assert_eq!(s.digest(), profile_digest(s.profile()));
        for ev in [
            r#"{"type":"add_to_cart","sku":"C","channel":"kiosk","store":"s1","ts":"2026-01-01T00:00:00Z"}"#,
            r#"{"type":"view","sku":"AA","channel":"web","ts":"2026-01-02T00:00:00Z"}"#,
            r#"{"type":"purchase","sku":"C","channel":"store","ts":"2026-01-03T00:00:00Z"}"#,
        ] {
            s.track(ev).unwrap();
            let reparsed = Profile::from_json(&s.profile().to_json()).unwrap();
            assert_eq!(&reparsed, s.profile(), "track keeps the canonical order");
            assert_eq!(s.digest(), profile_digest(&reparsed));
        }
        let before = s.digest().to_string();
        s.track(r#"{"type":"view","sku":"Z","channel":"web","ts":"2026-01-04T00:00:00Z"}"#)
            .unwrap();
        assert_ne!(s.digest(), before);
    }

    /// At the per-profile cap the dropped events leave the digest by subtraction: it must stay
    /// the digest of the re-parsed profile, whether the new event is the newest, ties with
    /// others, or is older than everything kept (and so drops out at once).
    #[test]
    fn session_digest_at_the_event_cap() {
        use crate::profile::{MAX_EVENTS, TRACK_DROP_BATCH};
        let ts = |i: usize| {
            crate::time::format_rfc3339(crate::time::Timestamp(
                1_700_000_000_000 + (i as i64 / 3) * 1000,
            ))
        };
        let events: Vec<String> = (0..MAX_EVENTS)
            .map(|i| {
                format!(
                    r#"{{"type":"view","sku":"S{}","channel":"web","ts":"{}"}}"#,
                    i % 50,
                    ts(i)
                )
            })
            .collect();
        let text = format!(
            r#"{{"schema":"unisono.profile/1","id":"c1","events":[{}]}}"#,
            events.join(",")
        );
        let mut s = Session::from_json(&text).unwrap();
        assert_eq!(s.digest(), profile_digest(s.profile()));
        let tracked = [
            r#"{"type":"view","sku":"OLD","channel":"web","ts":"2000-01-01T00:00:00Z"}"#.into(),
            format!(
                r#"{{"type":"purchase","sku":"N","channel":"store","ts":"{}"}}"#,
                ts(MAX_EVENTS + 10)
            ),
            format!(
                r#"{{"type":"view","sku":"S0","channel":"app","ts":"{}"}}"#,
                ts(MAX_EVENTS + 10)
            ),
            format!(
                r#"{{"type":"view","sku":"MID","channel":"web","ts":"{}"}}"#,
                ts(MAX_EVENTS / 2)
            ),
        ];
        for (k, ev) in tracked.iter().enumerate() {
            s.track(ev).unwrap();
            let n = s.profile().events.len();
            assert!(
                (MAX_EVENTS - TRACK_DROP_BATCH..=MAX_EVENTS).contains(&n),
                "{k}: {n}"
            );
            let reparsed = Profile::from_json(&s.profile().to_json()).unwrap();
            assert_eq!(
                &reparsed,
                s.profile(),
                "{k}: track keeps the canonical order"
            );
            assert_eq!(s.digest(), profile_digest(&reparsed), "{k}");
        }
        assert_eq!(s.profile().events.len(), MAX_EVENTS - TRACK_DROP_BATCH + 3);
        assert!(
            s.profile()
                .events
                .iter()
                .all(|e| e.sku.as_deref() != Some("OLD")),
            "an event older than the kept history drops out"
        );
    }
}
