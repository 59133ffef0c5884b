//! Channels and placements (where a decision is shown) and the vocabulary of names around them:
//! normalisation, the event-type aliases, and the "did you mean" for a near miss.

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

/// Where on a channel the recommendations appear: one of the four built-in placements (the
/// default config defines them) or any other name a config defines (`search`,
/// `order_confirmation`, …). Which names a context may use depends on the config
/// ([`crate::config::Config::defines`]); this type only guarantees a well-formed name.
///
/// Kept `Copy` like [`Channel`] (a custom name is held inline, not on the heap), so contexts
/// and decisions pass it around as before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Placement {
    Home,
    Product,
    Cart,
    Checkout,
    /// A name the config defines; never one of the four above (parsing maps those to their
    /// variant), so equal names are equal values.
    Custom(PlacementName),
}

/// The longest placement name, in bytes.
pub const MAX_PLACEMENT_LEN: usize = 64;

/// A custom placement's name: 1 to [`MAX_PLACEMENT_LEN`] bytes of `a-z`, `0-9` and `_`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlacementName {
    len: u8,
    bytes: [u8; MAX_PLACEMENT_LEN],
}

impl PlacementName {
    fn as_str(&self) -> &str {
        self.bytes
            .get(..usize::from(self.len))
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl Placement {
    /// The placements every config has unless its `placements` map replaces them.
    pub const BUILT_IN: [Placement; 4] = [
        Placement::Home,
        Placement::Product,
        Placement::Cart,
        Placement::Checkout,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            Placement::Home => "home",
            Placement::Product => "product",
            Placement::Cart => "cart",
            Placement::Checkout => "checkout",
            Placement::Custom(name) => name.as_str(),
        }
    }

    /// A well-formed placement name, exactly as written (no case folding: the name in a context
    /// is the name in the config). The error says why, with the name it probably meant.
    pub fn parse(s: &str) -> Result<Placement, String> {
        if let Some(p) = Placement::BUILT_IN.iter().find(|p| p.as_str() == s) {
            return Ok(*p);
        }
        if is_placement_name(s) {
            let mut bytes = [0u8; MAX_PLACEMENT_LEN];
            for (to, from) in bytes.iter_mut().zip(s.bytes()) {
                *to = from;
            }
            let len = u8::try_from(s.len()).unwrap_or(0);
            return Ok(Placement::Custom(PlacementName { len, bytes }));
        }
        let shown: String = s.chars().take(40).collect();
        let normalized = normalize_name(s);
        let hint = if is_placement_name(&normalized) {
            format!(" (did you mean {normalized:?}?)")
        } else {
            String::new()
        };
        Err(format!(
            "invalid placement name {shown:?}: 1 to {MAX_PLACEMENT_LEN} bytes of a-z, 0-9 and _{hint}"
        ))
    }
}

/// `[a-z0-9_]{1,64}`: what a placement is named (the schema's `PLACEMENT_PATTERN`).
pub fn is_placement_name(s: &str) -> bool {
    (1..=MAX_PLACEMENT_LEN).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Serialize for Placement {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

// By hand (as for Channel) so a number is an `invalid_type`, not a JSON syntax error.
impl<'de> Deserialize<'de> for Placement {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Placement::parse(&s).map_err(|m| serde::de::Error::custom(tagged(Code::InvalidValue, m)))
    }
}

/// Edit distance with adjacent transpositions (optimal string alignment) between two short
/// names, in bytes: `veiw`→`view` is 1. Names past 128 bytes are never close to anything.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 128 || b.len() > 128 {
        return usize::MAX;
    }
    // Three rows of the dynamic-programming table: two back (for transpositions), one back, this.
    let mut two: Vec<usize> = vec![0; b.len() + 1];
    let mut one: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len() + 1];
    let mut prev_ca = None;
    for (i, &ca) in a.iter().enumerate() {
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        let mut prev_cb = None;
        for (j, &cb) in b.iter().enumerate() {
            let at = |r: &[usize], k: usize| r.get(k).copied().unwrap_or(usize::MAX / 2);
            let cost = usize::from(ca != cb);
            let mut d = (at(&one, j) + cost)
                .min(at(&one, j + 1) + 1)
                .min(at(&row, j) + 1);
            if prev_ca == Some(cb) && prev_cb == Some(ca) && ca != cb {
                d = d.min(at(&two, j.saturating_sub(1)) + 1);
            }
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = d;
            }
            prev_cb = Some(cb);
        }
        prev_ca = Some(ca);
        std::mem::swap(&mut two, &mut one);
        std::mem::swap(&mut one, &mut row);
    }
    one.last().copied().unwrap_or(0)
}

/// The closest of `names` to `s`, when at most `max` edits away (ties: the first listed).
pub fn closest<'a>(
    s: &str,
    names: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Option<&'a str> {
    names
        .into_iter()
        .map(|n| (edit_distance(s, n), n))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Segment / GA4 names [`crate::profile::EventType::parse`] maps to each canonical type (same normalisation as
/// channels). Keep in sync with `EventType::parse` (`schema::tests` checks each entry).
pub const EVENT_TYPE_ALIASES: &[(&str, &[&str])] = &[
    (
        "view",
        &[
            "product_viewed",
            "view_item",
            "product_clicked",
            "select_item",
        ],
    ),
    ("add_to_cart", &["product_added", "added_to_cart", "cart"]),
    ("remove_from_cart", &["product_removed"]),
    ("purchase", &["order_completed", "purchased", "order"]),
    ("search", &["products_searched", "view_search_results"]),
    ("store_visit", &["store_visited"]),
    ("offer_impression", &["promotion_viewed", "view_promotion"]),
    ("offer_click", &["promotion_clicked", "select_promotion"]),
    ("offer_redeemed", &["coupon_applied"]),
    ("offer_dismissed", &["promotion_dismissed"]),
];

/// The known event-type name (canonical or alias) one edit away from `name` (after
/// normalisation), when `name` is not itself known: `veiw` → `view`, `purchse` → `purchase`,
/// `add_to_card` → `add_to_cart`. Such a name is a typo, refused where an event is read; a
/// name further from every known one is a custom event type (`Checkout Started`, `login`).
///
/// One edit, not two: real CDP names sit two edits from known ones (Segment's
/// `Product Reviewed` is two from `product_viewed`).
pub fn event_type_typo(name: &str) -> Option<&'static str> {
    let n = normalize_name(name);
    let known = EVENT_TYPE_ALIASES.iter().flat_map(|(canonical, aliases)| {
        std::iter::once(*canonical).chain(aliases.iter().copied())
    });
    if known.clone().any(|k| k == n) {
        return None;
    }
    known
        .into_iter()
        .find(|k| one_edit_apart(n.as_bytes(), k.as_bytes()))
}

/// `edit_distance(a, b) == 1`, in one pass and without allocating: every custom event type of
/// every profile read goes through it, so it must cost next to nothing.
fn one_edit_apart(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let same = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    let (Some(s_rest), Some(l_rest)) = (short.get(same..), long.get(same..)) else {
        return false;
    };
    match long.len() - short.len() {
        // One insertion: the rest after the common prefix lines up with one byte skipped.
        1 => l_rest.get(1..) == Some(s_rest),
        // One substitution, or one swap of neighbours, then the same rest.
        0 => match (s_rest, l_rest) {
            ([x0, x1, xs @ ..], [y0, y1, ys @ ..]) if x0 == y1 && x1 == y0 && xs == ys => true,
            ([_, xs @ ..], [_, ys @ ..]) => xs == ys,
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn edit_distance_counts_one_edit_of_each_kind() {
        assert_eq!(edit_distance("view", "view"), 0);
        assert_eq!(edit_distance("veiw", "view"), 1); // transposition
        assert_eq!(edit_distance("purchse", "purchase"), 1); // deletion
        assert_eq!(edit_distance("add_to_card", "add_to_cart"), 1); // substitution
        assert_eq!(edit_distance("views", "view"), 1); // insertion
        assert_eq!(edit_distance("product_reviewed", "product_viewed"), 2);
        assert_eq!(edit_distance("", "cart"), 4);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("abc", "ca"), 3);
    }

    fn word() -> impl Strategy<Value = String> {
        "[a-z_]{0,12}"
    }

    proptest! {
        // A metric's laws on random names, plus: one edit of each kind is distance ≤ 1.
        #[test]
        fn edit_distance_is_a_symmetric_bound(a in word(), b in word(), i in 0usize..13, c in "[a-z]") {
            prop_assert_eq!(edit_distance(&a, &b), edit_distance(&b, &a));
            prop_assert_eq!(edit_distance(&a, &a), 0);
            prop_assert!(edit_distance(&a, &b) <= a.len().max(b.len()));
            prop_assert!(edit_distance(&a, &b) >= a.len().abs_diff(b.len()));
            let at = i.min(a.len());
            let inserted = format!("{}{c}{}", &a[..at], &a[at..]);
            prop_assert_eq!(edit_distance(&a, &inserted), 1);
            if at + 1 < a.len() {
                let mut swapped = a.clone().into_bytes();
                swapped.swap(at, at + 1);
                let swapped = String::from_utf8(swapped).unwrap();
                prop_assert!(edit_distance(&a, &swapped) <= 1);
            }
        }

        // Every well-formed name parses to a placement that writes the same name back, and the
        // built-in names are their variants (never a `Custom` equal in text but not in value).
        #[test]
        fn placement_names_round_trip(name in "[a-z0-9_]{1,64}") {
            let p = Placement::parse(&name).unwrap();
            prop_assert_eq!(p.as_str(), name.as_str());
            prop_assert_eq!(matches!(p, Placement::Custom(_)), !["home", "product", "cart", "checkout"].contains(&name.as_str()));
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<Placement>(&json).unwrap(), p);
        }

        // Anything outside [a-z0-9_]{1,64} is refused, with the normalised name as a hint when
        // that one is well-formed.
        #[test]
        fn malformed_placement_names_are_refused(name in "[a-zA-Z0-9_ .-]{0,70}|.{0,10}") {
            let ok = (1..=64).contains(&name.len())
                && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            match Placement::parse(&name) {
                Ok(p) => { prop_assert!(ok); prop_assert_eq!(p.as_str(), name.as_str()); }
                Err(m) => {
                    prop_assert!(!ok);
                    let n = normalize_name(&name);
                    prop_assert_eq!(m.contains("did you mean"), is_placement_name(&n), "{}", m);
                }
            }
        }
    }

    #[test]
    fn placement_errors_are_coded_and_hint() {
        let e = serde_json::from_str::<Placement>("\"Order Confirmation\"").unwrap_err();
        assert!(
            e.to_string()
                .contains("did you mean \\\"order_confirmation\\\"")
                || e.to_string()
                    .contains("did you mean \"order_confirmation\""),
            "{e}"
        );
        assert!(Placement::parse(&"a".repeat(65)).is_err());
        assert!(Placement::parse("").is_err());
        assert_eq!(Placement::parse("home"), Ok(Placement::Home));
        assert_eq!(
            closest("serch", ["home", "search", "cart"], 2),
            Some("search")
        );
        assert_eq!(closest("footer", ["home", "search", "cart"], 2), None);
    }

    fn known_event_names() -> Vec<&'static str> {
        EVENT_TYPE_ALIASES
            .iter()
            .flat_map(|(c, a)| std::iter::once(*c).chain(a.iter().copied()))
            .collect()
    }

    /// Every one-edit variant of `name` (delete, transpose, substitute or insert a letter or `_`).
    fn one_edit(name: &str) -> Vec<String> {
        let b = name.as_bytes();
        let mut out = Vec::new();
        let alphabet = b"abcdefghijklmnopqrstuvwxyz_";
        for i in 0..=b.len() {
            for &c in alphabet {
                let mut v = b.to_vec();
                v.insert(i, c);
                out.push(v);
                if i < b.len() {
                    let mut v = b.to_vec();
                    v[i] = c;
                    out.push(v);
                }
            }
            if i < b.len() {
                let mut v = b.to_vec();
                v.remove(i);
                out.push(v);
            }
            if i + 1 < b.len() {
                let mut v = b.to_vec();
                v.swap(i, i + 1);
                out.push(v);
            }
        }
        out.into_iter()
            .map(|v| String::from_utf8(v).unwrap())
            .collect()
    }

    // The whole class, generated: every one-edit variant of every known event-type name is
    // refused with a suggestion (unless the variant is itself known), in any spelling a CDP
    // uses (case, spaces for `_`); the suggestion is one edit from it.
    #[test]
    fn every_one_edit_typo_of_a_known_event_type_is_refused() {
        let known = known_event_names();
        let mut checked = 0;
        for name in &known {
            for typo in one_edit(name) {
                let n = normalize_name(&typo);
                if known.contains(&n.as_str()) || n.is_empty() {
                    continue;
                }
                let near = event_type_typo(&typo).unwrap_or_else(|| panic!("{typo:?} passes"));
                assert_eq!(edit_distance(&n, near), 1, "{typo:?} → {near:?}");
                let spaced = typo.replace('_', " ").to_uppercase();
                if !known.contains(&normalize_name(&spaced).as_str()) {
                    assert!(event_type_typo(&spaced).is_some(), "{spaced:?} passes");
                }
                let json = serde_json::to_string(&typo).unwrap();
                let err = serde_json::from_str::<crate::profile::EventType>(&json).unwrap_err();
                assert!(
                    err.to_string().contains("[invalid_value]")
                        && err.to_string().contains("did you mean"),
                    "{err}"
                );
                checked += 1;
            }
        }
        assert!(checked > 5_000, "{checked}");
        for (typo, near) in [
            ("veiw", "view"),
            ("purchse", "purchase"),
            ("add_to_card", "add_to_cart"),
            ("Product Viewd", "product_viewed"),
        ] {
            assert_eq!(event_type_typo(typo), Some(near));
        }
    }

    // Real CDP names (examples/cdp/, the Segment e-commerce spec, GA4's automatic and
    // recommended events) are custom event types: kept, not refused.
    #[test]
    fn real_cdp_event_names_pass_through() {
        let names = [
            "Checkout Started",
            "Signed In",
            "Cart Viewed",
            "Checkout Step Viewed",
            "Checkout Step Completed",
            "Payment Info Entered",
            "Order Updated",
            "Order Refunded",
            "Order Cancelled",
            "Coupon Entered",
            "Coupon Denied",
            "Coupon Removed",
            "Product Added to Wishlist",
            "Product Removed from Wishlist",
            "Product Shared",
            "Cart Shared",
            "Product Reviewed",
            "Product List Viewed",
            "Product List Filtered",
            "session_start",
            "page_view",
            "login",
            "scroll",
            "first_open",
            "first_visit",
            "view_item_list",
            "view_cart",
            "begin_checkout",
            "add_payment_info",
            "add_shipping_info",
            "add_to_wishlist",
            "generate_lead",
            "refund",
            "share",
            "sign_up",
            "user_engagement",
            "click",
            "file_download",
            "video_start",
            "page",
            "screen",
        ];
        for n in names {
            assert_eq!(event_type_typo(n), None, "{n}");
            let kind =
                serde_json::from_str::<crate::profile::EventType>(&format!("{n:?}")).unwrap();
            assert_eq!(kind, crate::profile::EventType::Other(n.to_string()));
        }
        for n in known_event_names() {
            assert_eq!(event_type_typo(n), None, "{n}");
        }
    }

    proptest! {
        // The one-pass check agrees with the full distance (a small alphabet, so near pairs
        // are common).
        #[test]
        fn one_edit_apart_is_distance_one(a in "[ab_]{0,6}", b in "[ab_]{0,6}") {
            prop_assert_eq!(one_edit_apart(a.as_bytes(), b.as_bytes()), edit_distance(&a, &b) == 1);
        }

        // The rule exactly: refused iff the normalised name is unknown and one edit from a known.
        #[test]
        fn event_type_typo_is_one_edit_from_a_known_name(name in "[a-z_ ]{1,20}") {
            let n = normalize_name(&name);
            let known = known_event_names();
            let nearest = known.iter().map(|k| edit_distance(&n, k)).min().unwrap();
            prop_assert_eq!(event_type_typo(&name).is_some(), nearest == 1 && !known.contains(&n.as_str()));
        }
    }
}
