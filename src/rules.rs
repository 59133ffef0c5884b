//! Eligibility rules: a JsonLogic subset with a few documented operators for event queries.
//!
//! Rules are parsed and checked when the engine loads (an unknown operator or a malformed
//! argument is an error with the offer's JSON path), never at decision time. Evaluation is
//! total: a missing variable is `null`, comparisons with `null` are false.
//!
//! Standard operators: `var`, `==`, `!=`, `<`, `<=`, `>`, `>=` (numbers or strings), `and`,
//! `or`, `!`, `!!`, `in` (value in array, or substring in string), `if` is not supported.
//! Custom operators (arguments are one object):
//! - `event_count`: `{"type"?, "sku"?, "category"?, "channel"?, "store"?, "offer"?,
//!   "within_days"?}` → number of matching profile events in the window before `now`.
//! - `viewed_not_bought`: `{"sku"?, "category"?, "within_hours"?}` → true if a matching item
//!   was viewed (any channel) in the window and not purchased after that view.
//! - `cart_contains`: `{"sku"?, "category"?}` → true if a cart line matches.
//! - `in_segment`: `"name"` → true if the profile has that segment.
//!
//! `var` reads from `{id, traits: {tier, preferred_store, locale, lifetime_value, attributes},
//! segments, consents: {personalization, marketing}, cart: {count, skus}, context: {channel,
//! placement, store, locale}}`, with dotted paths (`traits.lifetime_value`).

use crate::catalog::Catalog;
use crate::channel::{Channel, Placement};
use crate::error::{Code, Error};
use crate::profile::{EventType, Profile, Window};
use crate::time::Timestamp;
use serde_json::Value;
use std::collections::BTreeSet;

/// Rules nest at most this deep (bounds evaluation and stack use).
pub const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Lit(Value),
    Var(Vec<String>, Box<Rule>),
    Cmp(CmpOp, Box<Rule>, Box<Rule>),
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
    Truthy(Box<Rule>),
    In(Box<Rule>, Box<Rule>),
    EventCount(EventQuery),
    ViewedNotBought(ItemQuery, f64),
    CartContains(ItemQuery),
    InSegment(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemQuery {
    pub sku: Option<String>,
    pub category: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    pub kind: Option<EventType>,
    pub item: ItemQuery,
    pub channel: Option<Channel>,
    pub store: Option<String>,
    pub offer: Option<String>,
    pub within_days: Option<f64>,
}

fn bad(path: &str, msg: impl Into<String>) -> Error {
    Error::new(Code::InvalidValue, "offers", path, msg)
}

impl Rule {
    /// Parse a JsonLogic value. `path` is the rule's JSON path, used in errors.
    pub fn parse(v: &Value, path: &str) -> Result<Rule, Error> {
        Rule::parse_at(v, path, 0)
    }

    fn parse_at(v: &Value, path: &str, depth: usize) -> Result<Rule, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::new(
                Code::TooLarge,
                "offers",
                path,
                format!("rules nest at most {MAX_DEPTH} deep"),
            ));
        }
        let Value::Object(map) = v else {
            return match v {
                // A literal list (`{"in": [x, ["gold", "platinum"]]}`); rules inside lists
                // are not supported.
                Value::Array(a) if a.iter().any(Value::is_object) => {
                    Err(bad(path, "a list may hold values only, not rules"))
                }
                _ => Ok(Rule::Lit(v.clone())),
            };
        };
        if map.len() != 1 {
            return Err(bad(path, "a rule is an object with exactly one operator"));
        }
        let Some((op, arg)) = map.iter().next() else {
            return Err(bad(path, "empty rule"));
        };
        let here = format!("{path}.{op}");
        let args: Vec<&Value> = match arg {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        let sub = |i: usize| -> Result<Box<Rule>, Error> {
            let v = args
                .get(i)
                .ok_or_else(|| bad(&here, format!("{op} needs {} arguments", i + 1)))?;
            Ok(Box::new(Rule::parse_at(
                v,
                &format!("{here}[{i}]"),
                depth + 1,
            )?))
        };
        let two = |op: &str| -> Result<(), Error> {
            if args.len() == 2 {
                Ok(())
            } else {
                Err(bad(&here, format!("{op} takes 2 arguments")))
            }
        };
        let list = |args: &[&Value]| -> Result<Vec<Rule>, Error> {
            args.iter()
                .enumerate()
                .map(|(i, a)| Rule::parse_at(a, &format!("{here}[{i}]"), depth + 1))
                .collect()
        };
        Ok(match op.as_str() {
            "var" => {
                let name = args
                    .first()
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| bad(&here, "var needs a path string"))?;
                let default = match args.get(1) {
                    Some(d) => Box::new(Rule::parse_at(d, &format!("{here}[1]"), depth + 1)?),
                    None => Box::new(Rule::Lit(Value::Null)),
                };
                Rule::Var(
                    name.split('.')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                    default,
                )
            }
            "==" | "===" | "!=" | "!==" | "<" | "<=" | ">" | ">=" => {
                two(op)?;
                let cmp = match op.as_str() {
                    "==" | "===" => CmpOp::Eq,
                    "!=" | "!==" => CmpOp::Ne,
                    "<" => CmpOp::Lt,
                    "<=" => CmpOp::Le,
                    ">" => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                Rule::Cmp(cmp, sub(0)?, sub(1)?)
            }
            "and" => Rule::And(list(&args)?),
            "or" => Rule::Or(list(&args)?),
            "!" => Rule::Not(sub(0)?),
            "!!" => Rule::Truthy(sub(0)?),
            "in" => {
                two(op)?;
                Rule::In(sub(0)?, sub(1)?)
            }
            "event_count" => Rule::EventCount(event_query(arg, &here)?),
            "viewed_not_bought" => {
                let q = event_query(arg, &here)?;
                let hours = arg
                    .get("within_hours")
                    .map(|h| h.as_f64().filter(|h| *h > 0.0 && h.is_finite()));
                let hours = match hours {
                    None => 24.0 * 30.0,
                    Some(Some(h)) => h,
                    Some(None) => {
                        return Err(bad(&format!("{here}.within_hours"), "must be a number > 0"))
                    }
                };
                Rule::ViewedNotBought(q.item, hours)
            }
            "cart_contains" => Rule::CartContains(event_query(arg, &here)?.item),
            "in_segment" => Rule::InSegment(
                arg.as_str()
                    .ok_or_else(|| bad(&here, "in_segment takes a segment name"))?
                    .to_string(),
            ),
            _ => return Err(bad(&here, format!("unknown operator {op:?}"))),
        })
    }
}

fn event_query(arg: &Value, path: &str) -> Result<EventQuery, Error> {
    let Value::Object(m) = arg else {
        return Err(bad(path, "takes an object argument"));
    };
    let s = |k: &str| -> Result<Option<String>, Error> {
        match m.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(&format!("{path}.{k}"), "must be a string")),
        }
    };
    for k in m.keys() {
        if ![
            "type",
            "sku",
            "category",
            "channel",
            "store",
            "offer",
            "within_days",
            "within_hours",
        ]
        .contains(&k.as_str())
        {
            return Err(bad(&format!("{path}.{k}"), "unknown key"));
        }
    }
    let channel = match s("channel")? {
        None => None,
        Some(c) => Some(
            Channel::parse(&c).ok_or_else(|| bad(&format!("{path}.channel"), "unknown channel"))?,
        ),
    };
    let within_days = match m.get("within_days") {
        None => None,
        Some(v) => Some(
            v.as_f64()
                .filter(|d| *d > 0.0 && d.is_finite())
                .ok_or_else(|| bad(&format!("{path}.within_days"), "must be a number > 0"))?,
        ),
    };
    Ok(EventQuery {
        kind: s("type")?.map(|t| EventType::parse(&t)),
        item: ItemQuery {
            sku: s("sku")?,
            category: s("category")?,
        },
        channel,
        store: s("store")?,
        offer: s("offer")?,
        within_days,
    })
}

/// What a rule can see at decision time.
pub struct Env<'a> {
    pub profile: &'a Profile,
    /// The decision's event window (`Profile::window`), items resolved.
    pub window: &'a Window<'a>,
    pub catalog: &'a Catalog,
    pub data: Value,
    pub now: Timestamp,
}

impl<'a> Env<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        profile: &'a Profile,
        window: &'a Window<'a>,
        catalog: &'a Catalog,
        now: Timestamp,
        channel: Channel,
        placement: Placement,
        store: Option<&str>,
        locale: Option<&str>,
    ) -> Env<'a> {
        let t = &profile.traits;
        let data = serde_json::json!({
            "id": profile.id,
            "traits": {
                "tier": t.tier, "preferred_store": t.preferred_store, "locale": t.locale,
                "lifetime_value": t.lifetime_value, "attributes": t.attributes,
            },
            "segments": profile.segments,
            "consents": {"personalization": profile.consents.personalization, "marketing": profile.consents.marketing},
            "cart": {"count": profile.cart.len(), "skus": profile.cart.iter().map(|l| l.sku.clone()).collect::<Vec<_>>()},
            "context": {"channel": channel.as_str(), "placement": placement.as_str(), "store": store, "locale": locale},
        });
        Env {
            profile,
            window,
            catalog,
            data,
            now,
        }
    }

    fn item_matches(
        &self,
        sku: Option<&str>,
        item: Option<u32>,
        category: Option<&str>,
        q: &ItemQuery,
    ) -> bool {
        if let Some(want) = &q.sku {
            if sku != Some(want.as_str()) {
                return false;
            }
        }
        if let Some(want) = &q.category {
            let in_catalog =
                item.is_some_and(|i| self.catalog.item(i).category.iter().any(|c| c == want));
            if !(in_catalog || category == Some(want.as_str())) {
                return false;
            }
        }
        true
    }

    fn count(&self, q: &EventQuery) -> usize {
        let since = q.within_days.map(|d| self.now.days_before(d).0);
        self.window
            .iter()
            .filter(|(e, _)| since.is_none_or(|s| e.ts.0 >= s))
            .filter(|(e, _)| q.kind.as_ref().is_none_or(|k| *k == e.kind))
            .filter(|(e, _)| q.channel.is_none_or(|c| c == e.channel))
            .filter(|(e, _)| q.store.as_ref().is_none_or(|s| e.store.as_ref() == Some(s)))
            .filter(|(e, _)| q.offer.as_ref().is_none_or(|o| e.offer.as_ref() == Some(o)))
            .filter(|&(e, item)| {
                self.item_matches(e.sku.as_deref(), item, e.category.as_deref(), &q.item)
            })
            .count()
    }

    /// A matching view in the window with no purchase of the same sku at or after it. One
    /// backwards pass remembering what was bought later keeps this linear in the events.
    fn viewed_not_bought(&self, q: &ItemQuery, hours: f64) -> bool {
        let since = self.now.hours_before(hours).0;
        let mut bought_later: BTreeSet<&str> = BTreeSet::new();
        for (e, item) in self.window.iter().rev() {
            match e.kind {
                EventType::Purchase => {
                    if let Some(sku) = e.sku.as_deref() {
                        bought_later.insert(sku);
                    }
                }
                EventType::View => {
                    if e.ts.0 < since {
                        // Older views are out of the window and events are in time order.
                        return false;
                    }
                    let bought = e.sku.as_deref().is_some_and(|s| bought_later.contains(s));
                    if !bought
                        && self.item_matches(e.sku.as_deref(), item, e.category.as_deref(), q)
                    {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }

    pub fn eval(&self, r: &Rule) -> Value {
        match r {
            Rule::Lit(v) => v.clone(),
            Rule::Var(path, default) => {
                let mut cur = &self.data;
                for p in path {
                    cur = match cur {
                        Value::Object(m) => m.get(p).unwrap_or(&Value::Null),
                        Value::Array(a) => p
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| a.get(i))
                            .unwrap_or(&Value::Null),
                        _ => &Value::Null,
                    };
                }
                if cur.is_null() {
                    self.eval(default)
                } else {
                    cur.clone()
                }
            }
            Rule::Cmp(op, a, b) => Value::Bool(compare(*op, &self.eval(a), &self.eval(b))),
            Rule::And(rs) => Value::Bool(rs.iter().all(|r| truthy(&self.eval(r)))),
            Rule::Or(rs) => Value::Bool(rs.iter().any(|r| truthy(&self.eval(r)))),
            Rule::Not(r) => Value::Bool(!truthy(&self.eval(r))),
            Rule::Truthy(r) => Value::Bool(truthy(&self.eval(r))),
            Rule::In(needle, hay) => {
                let (n, h) = (self.eval(needle), self.eval(hay));
                Value::Bool(match (&n, &h) {
                    (_, Value::Array(a)) => a.iter().any(|x| loose_eq(x, &n)),
                    (Value::String(n), Value::String(h)) => h.contains(n.as_str()),
                    _ => false,
                })
            }
            Rule::EventCount(q) => Value::from(self.count(q) as u64),
            Rule::ViewedNotBought(q, hours) => Value::Bool(self.viewed_not_bought(q, *hours)),
            Rule::CartContains(q) => Value::Bool(self.profile.cart.iter().any(|l| {
                let item = self.catalog.get(&l.sku);
                self.item_matches(Some(&l.sku), item, None, q)
            })),
            Rule::InSegment(s) => Value::Bool(self.profile.segments.iter().any(|x| x == s)),
        }
    }

    /// Evaluate; when false, say which condition failed: `Some(Some(i))` for clause `i` of a
    /// top-level `and`, `Some(None)` for the whole rule. The caller holds the clauses' texts
    /// (rendered once at load), so a decision never re-serializes a rule.
    pub fn failing(&self, r: &Rule) -> Option<Option<usize>> {
        if truthy(&self.eval(r)) {
            return None;
        }
        if let Rule::And(rs) = r {
            if let Some(i) = rs.iter().position(|sub| !truthy(&self.eval(sub))) {
                return Some(Some(i));
            }
        }
        Some(None)
    }
}

pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(_) => true,
    }
}

fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn compare(op: CmpOp, a: &Value, b: &Value) -> bool {
    let ord = match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .zip(y.as_f64())
            .and_then(|(x, y)| x.partial_cmp(&y)),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    };
    match op {
        CmpOp::Eq => loose_eq(a, b),
        CmpOp::Ne => !loose_eq(a, b),
        CmpOp::Lt => ord == Some(std::cmp::Ordering::Less),
        CmpOp::Le => matches!(
            ord,
            Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
        ),
        CmpOp::Gt => ord == Some(std::cmp::Ordering::Greater),
        CmpOp::Ge => matches!(
            ord,
            Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog() -> Catalog {
        Catalog::from_json(
            r#"{"schema":"unisono.catalog/1","items":[
            {"sku":"S1","title":"Shoe","category":["Fashion","Shoes"],"price":50}]}"#,
        )
        .unwrap()
    }

    fn profile() -> Profile {
        Profile::from_json(
            r#"{"schema":"unisono.profile/1","id":"c","segments":["vip"],
            "consents":{"personalization":true},
            "traits":{"tier":"gold","lifetime_value":750},
            "cart":[{"sku":"S1"}],
            "events":[
              {"type":"purchase","sku":"S1","channel":"store","store":"A","ts":"2026-01-10T10:00:00Z"},
              {"type":"view","sku":"S1","channel":"app","ts":"2026-01-19T10:00:00Z"}]}"#,
        )
        .unwrap()
    }

    fn eval(rule: serde_json::Value) -> bool {
        let (c, p) = (catalog(), profile());
        let now = crate::time::parse_rfc3339("2026-01-20T00:00:00Z").unwrap();
        let w = Window::resolve(p.window(now, 100_000), |s| c.get(s), |_| 1.0);
        let env = Env::new(
            &p,
            &w,
            &c,
            now,
            Channel::Kiosk,
            Placement::Home,
            Some("A"),
            None,
        );
        truthy(&env.eval(&Rule::parse(&rule, "r").unwrap()))
    }

    #[test]
    fn evaluates_profile_and_event_conditions() {
        assert!(eval(json!({"==": [{"var": "traits.tier"}, "gold"]})));
        assert!(eval(json!({">=": [{"var": "traits.lifetime_value"}, 500]})));
        assert!(
            !eval(json!({">": [{"var": "traits.missing"}, 0]})),
            "null compares false"
        );
        assert!(eval(
            json!({"in": [{"var": "context.channel"}, ["kiosk", "store"]]})
        ));
        assert!(eval(json!({"in_segment": "vip"})));
        assert!(eval(
            json!({">=": [{"event_count": {"type": "purchase", "category": "Shoes", "within_days": 30}}, 1]})
        ));
        assert!(!eval(
            json!({">=": [{"event_count": {"type": "purchase", "within_days": 5}}, 1]})
        ));
        assert!(eval(json!({"==": [{"event_count": {"store": "A"}}, 1]})));
        // Viewed after the purchase and not bought since.
        assert!(eval(
            json!({"viewed_not_bought": {"sku": "S1", "within_hours": 24}})
        ));
        assert!(!eval(
            json!({"viewed_not_bought": {"sku": "S1", "within_hours": 1}})
        ));
        assert!(eval(json!({"cart_contains": {"category": "Fashion"}})));
        assert!(eval(
            json!({"and": [{"!": {"in_segment": "x"}}, {"or": [false, {"!!": [1]}]}]})
        ));
    }

    #[test]
    fn malformed_rules_fail_at_parse_with_a_path() {
        let cases = [
            (json!({"nope": 1}), "r.nope"),
            (json!({"==": [1]}), "r.=="),
            (json!({"a": 1, "b": 2}), "r"),
            (
                json!({"and": [{"event_count": {"when": 1}}]}),
                "r.and[0].event_count.when",
            ),
            (
                json!({"event_count": {"channel": "fax"}}),
                "r.event_count.channel",
            ),
            (json!({"var": 5}), "r.var"),
        ];
        for (rule, path) in cases {
            let e = Rule::parse(&rule, "r").unwrap_err();
            assert_eq!(e.path, path, "{rule}");
        }
    }
}

#[cfg(test)]
mod viewed_not_bought_tests {
    use super::*;

    fn holds(events: &str, now: &str) -> bool {
        let c = Catalog::from_json(
            r#"{"schema":"unisono.catalog/1","items":[
            {"sku":"S1","title":"Shoe","category":["Fashion","Shoes"],"price":50},
            {"sku":"S2","title":"Boot","category":["Fashion","Shoes"],"price":80}]}"#,
        )
        .unwrap();
        let p = Profile::from_json(&format!(
            r#"{{"schema":"unisono.profile/1","id":"c","consents":{{"personalization":true}},"events":{events}}}"#
        ))
        .unwrap();
        let now = crate::time::parse_rfc3339(now).unwrap();
        let w = Window::resolve(p.window(now, 100_000), |s| c.get(s), |_| 1.0);
        let env = Env::new(&p, &w, &c, now, Channel::Web, Placement::Home, None, None);
        let rule = Rule::parse(
            &serde_json::json!({"viewed_not_bought": {"category": "Shoes", "within_hours": 48}}),
            "r",
        )
        .unwrap();
        truthy(&env.eval(&rule))
    }

    /// The linear rewrite (one backwards pass) against the shapes the quadratic one handled:
    /// many views then one purchase of the same sku, a view of another sku, a view after the
    /// purchase, and views outside the window.
    #[test]
    fn hostile_and_ordinary_histories() {
        let views = |sku: &str, n: usize| -> Vec<String> {
            (0..n)
                .map(|i| format!(r#"{{"type":"view","sku":"{sku}","channel":"web","ts":"2026-01-19T{:02}:{:02}:00Z"}}"#, i / 60 % 24, i % 60))
                .collect()
        };
        let buy = |sku: &str, ts: &str| {
            format!(r#"{{"type":"purchase","sku":"{sku}","channel":"web","ts":"{ts}"}}"#)
        };
        let now = "2026-01-20T12:00:00Z";
        let mut many = views("S1", 5_000);
        many.push(buy("S1", "2026-01-20T01:00:00Z"));
        assert!(
            !holds(&format!("[{}]", many.join(",")), now),
            "every view was followed by its purchase"
        );
        many.push(views("S2", 1).remove(0));
        assert!(
            holds(&format!("[{}]", many.join(",")), now),
            "another shoe viewed, not bought"
        );
        let after = [buy("S1", "2026-01-19T00:00:00Z"), views("S1", 1).remove(0)];
        assert!(
            holds(&format!("[{}]", after.join(",")), now),
            "viewed again after buying"
        );
        assert!(
            !holds(
                &format!("[{}]", views("S1", 3).join(",")),
                "2026-01-25T00:00:00Z"
            ),
            "views outside the window"
        );
    }
}
