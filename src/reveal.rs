//! Revealing an offer's code. A customer's device decides on a public image, which holds no
//! codes; when the customer takes an offer, the device asks the back end, which holds the full
//! image, for the code of that offer in that decision. The back end decides again from its own
//! copy of the profile and the context the device sent: decisions are pure functions, so the
//! same inputs give the same decision id, and the code is revealed only if that decision shows
//! the offer. A device can therefore not obtain the code of an offer it was not shown.

use crate::context::Context;
use crate::decide::Engine;
use crate::error::{Code, Error, Result};
use crate::image::Audience;
use crate::profile::Profile;
use serde::Serialize;

/// An offer's code for one decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Revealed {
    pub decision_id: String,
    pub offer_id: String,
    /// The locale whose content was shown (the code is that content's).
    pub locale: String,
    /// `None` when the shown content has no code (a service message).
    pub code: Option<String>,
}

impl Engine {
    /// The code of `offer_id` as shown in `decision_id`, deciding again for `profile` and
    /// `ctx`. Refused (`invalid_value`) on a public image, when these inputs decide another
    /// decision (the profile changed since, or the id is not this engine's), and when the
    /// decision does not show the offer.
    pub fn reveal(
        &self,
        profile: &Profile,
        ctx: &Context,
        decision_id: &str,
        offer_id: &str,
    ) -> Result<Revealed> {
        let refuse = |path: &str, message: String| {
            Err(Error::new(Code::InvalidValue, "reveal", path, message))
        };
        if self.scope().audience == Audience::Public {
            return refuse(
                "",
                "a public engine image holds no offer codes: reveal on the back end's full image"
                    .into(),
            );
        }
        let decision = self.decide(profile, ctx);
        if decision.decision_id != decision_id {
            return refuse(
                "decisionId",
                format!(
                    "this profile and context decide {}, not {decision_id}: the profile changed since, or the decision came from other documents",
                    decision.decision_id
                ),
            );
        }
        let Some(shown) = decision.offers.into_iter().find(|o| o.id == offer_id) else {
            return refuse(
                "offerId",
                format!("decision {decision_id} does not show offer {offer_id:?}"),
            );
        };
        Ok(Revealed {
            decision_id: decision.decision_id,
            offer_id: shown.id,
            locale: shown.locale,
            code: shown.content.code,
        })
    }

    /// [`Engine::reveal`] from the profile's and the context's JSON.
    pub fn reveal_json(
        &self,
        profile_json: &str,
        context_json: &str,
        decision_id: &str,
        offer_id: &str,
    ) -> Result<Revealed> {
        let profile = Profile::from_json(profile_json)?;
        let ctx = self.context(context_json)?;
        self.reveal(&profile, &ctx, decision_id, offer_id)
    }
}
