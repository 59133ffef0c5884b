//! Channels and placements: where a decision is shown.

use crate::error::{tagged, Code};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A touchpoint of the retailer. Aliases cover what customer data platforms export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    Web,
    App,
    Kiosk,
    /// Point of sale in a physical store.
    Store,
    Email,
    CallCenter,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Web,
        Channel::App,
        Channel::Kiosk,
        Channel::Store,
        Channel::Email,
        Channel::CallCenter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::App => "app",
            Channel::Kiosk => "kiosk",
            Channel::Store => "store",
            Channel::Email => "email",
            Channel::CallCenter => "call_center",
        }
    }

    /// The phrase a reason text uses: "viewed on the kiosk".
    pub fn phrase(self) -> &'static str {
        match self {
            Channel::Web => "on the web shop",
            Channel::App => "in the app",
            Channel::Kiosk => "on the kiosk",
            Channel::Store => "in store",
            Channel::Email => "from an email",
            Channel::CallCenter => "with our call centre",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        let n = normalize_name(s);
        Some(match n.as_str() {
            "web" | "website" | "web_shop" | "webshop" | "online" | "desktop" => Channel::Web,
            "app" | "mobile" | "mobile_app" | "ios" | "android" | "webview" => Channel::App,
            "kiosk" | "in_store_kiosk" => Channel::Kiosk,
            "store" | "pos" | "in_store" | "retail" | "shop" => Channel::Store,
            "email" | "e_mail" | "newsletter" => Channel::Email,
            "call_center" | "call_centre" | "callcenter" | "phone" => Channel::CallCenter,
            _ => return None,
        })
    }

    /// Channels that are physically inside one store: recommendations there must be in stock.
    pub fn is_in_store(self) -> bool {
        matches!(self, Channel::Kiosk | Channel::Store)
    }
}

/// Lower-case, spaces/hyphens to underscores: "Product Viewed" → "product_viewed".
pub fn normalize_name(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

impl Serialize for Channel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Channel::parse(&s).ok_or_else(|| {
            let shown: String = s.chars().take(40).collect();
            serde::de::Error::custom(tagged(
                Code::InvalidValue,
                format!(
                    "unknown channel {shown:?} (expected web, app, kiosk, store, email, call_center)"
                ),
            ))
        })
    }
}

/// Where on a channel the recommendations appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    Home,
    Product,
    Cart,
    Checkout,
}

impl Placement {
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::Home => "home",
            Placement::Product => "product",
            Placement::Cart => "cart",
            Placement::Checkout => "checkout",
        }
    }
}

// By hand (as for Channel) so a number is an `invalid_type`, not a JSON syntax error.
impl<'de> Deserialize<'de> for Placement {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "home" => Placement::Home,
            "product" => Placement::Product,
            "cart" => Placement::Cart,
            "checkout" => Placement::Checkout,
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(serde::de::Error::custom(tagged(
                    Code::InvalidValue,
                    format!("unknown placement {shown:?} (expected home, product, cart, checkout)"),
                )));
            }
        })
    }
}
