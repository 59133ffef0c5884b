//! Audiences: what one device's image may hold. The back end compiles the `full` image; a
//! device gets a `public` one (no offer codes, no rule texts in explanations, stock as in/out
//! only), optionally scoped to one store (a kiosk: no other store's stock or rankings) and one
//! channel (no other channel's rankings). An image decides exactly as the full image for every
//! context inside its scope, and refuses contexts outside it with a coded error; a public image's
//! decision is the full decision passed through [`crate::decide::Decision::make_public`].

use crate::channel::Channel;
use crate::context::Context;
use crate::error::{Code, Error};

/// Who an image is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Audience {
    /// Everything the documents hold: for back ends, which may reveal offer codes.
    #[default]
    Full,
    /// What may reach a customer's device.
    Public,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Full => "full",
            Audience::Public => "public",
        }
    }

    pub fn parse(s: &str) -> Option<Audience> {
        match s {
            "full" => Some(Audience::Full),
            "public" => Some(Audience::Public),
            _ => None,
        }
    }
}

/// The audience and the (optional) store and channel an image was compiled for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    pub audience: Audience,
    pub store: Option<String>,
    pub channel: Option<Channel>,
}

impl Scope {
    /// A context outside the scope would decide on data the image does not hold (another
    /// store's stock, another channel's rankings): refuse it rather than decide differently
    /// from the full image.
    pub fn check(&self, ctx: &Context) -> Result<(), Error> {
        if let Some(c) = self.channel {
            if ctx.channel != c {
                return Err(out_of_scope(
                    "channel",
                    format!(
                        "this engine image was compiled for the {} channel only; load the image for {}",
                        c.as_str(),
                        ctx.channel.as_str()
                    ),
                ));
            }
        }
        if let (Some(mine), Some(theirs)) = (&self.store, &ctx.store) {
            if mine != theirs {
                return Err(out_of_scope(
                    "store",
                    format!(
                        "this engine image was compiled for store {mine:?} only, not {theirs:?}"
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn out_of_scope(path: &str, message: String) -> Error {
    Error::new(Code::UnknownReference, "context", path, message)
}

/// Explanations that quote an eligibility rule, and what a public image says instead: the
/// rule's logic ships (the device evaluates it) but its text is for the retailer's eyes.
const RULE_QUOTES: [&str; 3] = [
    "rule matched",
    "condition not met",
    "condition not compiled",
];

/// `text` as a public image gives it: a rule quote cut to its lead (`rule matched: {…}` →
/// `rule matched`), any other text unchanged.
pub fn public_text(text: &str) -> &str {
    for lead in RULE_QUOTES {
        if let Some(rest) = text.strip_prefix(lead) {
            if rest.starts_with(": ") {
                return lead;
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rule_quotes_are_cut() {
        assert_eq!(public_text("rule matched: {\"a\":1}"), "rule matched");
        assert_eq!(
            public_text("condition not met: {\"in_segment\":\"x\"}"),
            "condition not met"
        );
        assert_eq!(
            public_text("condition not compiled: 1"),
            "condition not compiled"
        );
        assert_eq!(public_text("open to everyone"), "open to everyone");
        assert_eq!(public_text("rule matched"), "rule matched");
        assert_eq!(public_text("rule matchedX: y"), "rule matchedX: y");
        assert_eq!(public_text("dismissed 3 days ago"), "dismissed 3 days ago");
    }
}
