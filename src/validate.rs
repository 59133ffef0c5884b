//! Every problem in a document, not only the first: what an editor, a CI check or a CDP export
//! job wants to see before shipping a catalog or a batch of profiles.
//!
//! The loaders stop at the first error (a decision needs valid inputs, not a report). Here the
//! document is parsed as JSON once, then its top level and each element of its lists (profile
//! `events` and `cart`, catalog `items`, `offers`, config placements and rules) are checked one
//! by one **by the same loaders** — each element inside a minimal valid document of its kind —
//! so several bad elements are all reported, each with its full path (`events[3].ts`). The
//! document-level checks (duplicate skus, store and offer ids, unknown stores) follow. When
//! nothing was found, the whole document goes through its loader once more, so `valid` means
//! the engine accepts it. At most [`MAX_PROBLEMS`] are reported.

use crate::catalog::{Catalog, CATALOG_SCHEMA, MAX_ITEMS};
use crate::config::{Config, CONFIG_SCHEMA};
use crate::context::Context;
use crate::error::{self, Code, Error};
use crate::model::Model;
use crate::offers::{Offers, OFFERS_SCHEMA};
use crate::profile::{Profile, MAX_EVENTS, PROFILE_SCHEMA};
use serde_json::Value;
use std::collections::BTreeSet;

/// The documents `validate` knows.
pub const KINDS: [&str; 6] = ["profile", "catalog", "config", "context", "offers", "model"];
/// A report lists at most this many problems.
pub const MAX_PROBLEMS: usize = 100;

/// One problem: the same `code` and `path` a loader's error has, and its message.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub code: Code,
    /// JSON path inside the document (`events[3].ts`); empty for the whole document.
    pub path: String,
    pub message: String,
}

impl From<Error> for Problem {
    fn from(e: Error) -> Problem {
        Problem {
            code: e.code,
            path: e.path,
            message: e.message,
        }
    }
}

impl Problem {
    /// Bounded like an [`Error`]'s: a problem quotes ids and keys of the document.
    fn new(code: Code, path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            code,
            path: error::shorten(&path.into(), error::MAX_PATH),
            message: error::shorten(&message.into(), error::MAX_MESSAGE),
        }
    }
}

/// Every problem in `json`, a document of `kind` (one of [`KINDS`]); empty when it is valid.
pub fn validate(kind: &str, json: &str) -> Vec<Problem> {
    let Some(document) = KINDS.iter().copied().find(|k| *k == kind) else {
        let shown: String = kind.chars().take(40).collect();
        return vec![Problem::new(
            Code::InvalidValue,
            "",
            format!(
                "unknown document kind {shown:?} (expected profile, catalog, config, context, offers or model)"
            ),
        )];
    };
    // Not JSON: the loader says what and where.
    let Ok(value) = serde_json::from_str::<Value>(json) else {
        return match load(document, json) {
            Err(e) => vec![e.into()],
            Ok(()) => Vec::new(),
        };
    };
    if !value.is_object() {
        return vec![Problem::new(
            Code::InvalidType,
            "",
            format!("expected a JSON object, found {}", type_name(&value)),
        )];
    }
    let mut report = Report::default();
    match document {
        "profile" => profile(&value, &mut report),
        "catalog" => catalog(&value, &mut report),
        "config" => config(&value, &mut report),
        "offers" => offers(&value, &mut report),
        _ => {}
    }
    if report.problems.is_empty() {
        // The whole document through its loader (all a context or a model gets): what the
        // pieces could not show, such as a duplicate key, is still found.
        report.check(load(document, json));
    }
    report.problems.truncate(MAX_PROBLEMS);
    report.problems
}

/// `{"valid":bool,"problems":[{"code","path","message"}]}`: what the binding returns and
/// `unisono validate --json` prints.
pub fn report_json(problems: &[Problem]) -> String {
    let mut out = format!(r#"{{"valid":{},"problems":["#, problems.is_empty());
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out += &format!(
            r#"{{"code":"{}","path":{},"message":{}}}"#,
            p.code.as_str(),
            text(&p.path),
            text(&p.message)
        );
    }
    out + "]}"
}

/// A value as JSON text.
fn text<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[derive(Default)]
struct Report {
    problems: Vec<Problem>,
}

impl Report {
    fn full(&self) -> bool {
        self.problems.len() >= MAX_PROBLEMS
    }

    /// Once: a top-level check and an element's check may find the same problem.
    fn push(&mut self, p: Problem) {
        if !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }

    fn check(&mut self, r: error::Result<()>) {
        if let Err(e) = r {
            self.push(e.into());
        }
    }

    /// Check each element of the list `name` (at JSON pointer `pointer`) alone, through the
    /// loader, as the only element of `{prefix}[element]{suffix}` (a minimal valid document);
    /// paths `name[0]…` become `name[i]…`.
    fn elements(
        &mut self,
        document: &str,
        doc: &Value,
        (pointer, name): (&str, &str),
        prefix: &str,
        suffix: &str,
    ) {
        let Some(list) = doc.pointer(pointer).and_then(Value::as_array) else {
            return;
        };
        let first = format!("{name}[0]");
        for (i, element) in list.iter().enumerate() {
            if self.full() {
                return;
            }
            if let Err(e) = load(document, &format!("{prefix}[{}]{suffix}", text(element))) {
                let mut p = Problem::from(e);
                p.path = error::shorten(
                    &rebase(&p.path, &first, &format!("{name}[{i}]")),
                    error::MAX_PATH,
                );
                self.push(p);
            }
        }
    }

    /// Each element of the list `name` whose string `key` appeared before: `duplicate`, with
    /// the loader's message (`{what} "id" {twice}`).
    fn duplicates(&mut self, doc: &Value, name: &str, key: &str, what: &str, twice: &str) {
        let mut seen = BTreeSet::new();
        let list = doc.get(name).and_then(Value::as_array);
        for (i, e) in list.into_iter().flatten().enumerate() {
            if let Some(id) = e.get(key).and_then(Value::as_str) {
                if !seen.insert(id) {
                    self.push(Problem::new(
                        Code::Duplicate,
                        format!("{name}[{i}].{key}"),
                        format!("{what} {id:?} {twice}"),
                    ));
                }
            }
        }
    }
}

fn rebase(path: &str, from: &str, to: &str) -> String {
    match path.strip_prefix(from) {
        Some(rest) if rest.is_empty() || rest.starts_with(['.', '[']) => format!("{to}{rest}"),
        _ => path.to_string(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `doc` as JSON text, with each of `fields` (JSON pointers) that holds a value of the JSON
/// type of `with` replaced by `with` (any other value stays, for the loader to report).
fn with_replaced(doc: &Value, fields: &[&str], with: &Value) -> String {
    let mut top = doc.clone();
    for f in fields {
        if let Some(slot) = top.pointer_mut(f) {
            if std::mem::discriminant(slot) == std::mem::discriminant(with) {
                *slot = with.clone();
            }
        }
    }
    text(&top)
}

fn load(document: &str, text: &str) -> error::Result<()> {
    match document {
        "profile" => Profile::from_json(text).map(drop),
        "catalog" => Catalog::from_json(text).map(drop),
        "config" => Config::from_json(text).map(drop),
        "offers" => Offers::from_json(text).map(drop),
        "context" => {
            // On its own: every check but "the store is in the catalog".
            let c: Context = error::from_json("context", text)?;
            c.validate_with(|_| true)
        }
        _ => {
            // Format, checksum and scores: resolving skus needs no real catalog.
            let catalog = Catalog::from_json(
                r#"{"schema":"unisono.catalog/1","items":[{"sku":"-","title":"-","price":0}]}"#,
            )?;
            Model::from_json(text, &catalog).map(drop)
        }
    }
}

fn profile(doc: &Value, r: &mut Report) {
    r.check(load(
        "profile",
        &with_replaced(doc, &["/events", "/cart"], &Value::Array(Vec::new())),
    ));
    if doc["events"]
        .as_array()
        .is_some_and(|e| e.len() > MAX_EVENTS)
    {
        r.push(Problem::new(
            Code::TooLarge,
            "events",
            format!("at most {MAX_EVENTS} events per profile (keep the most recent)"),
        ));
    }
    let prefix = format!(r#"{{"schema":"{PROFILE_SCHEMA}","id":"validate","#);
    r.elements(
        "profile",
        doc,
        ("/events", "events"),
        &format!(r#"{prefix}"events":"#),
        "}",
    );
    r.elements(
        "profile",
        doc,
        ("/cart", "cart"),
        &format!(r#"{prefix}"cart":"#),
        "}",
    );
}

fn catalog(doc: &Value, r: &mut Report) {
    // The top level with one placeholder item: stores, schema, version and unknown fields.
    let placeholder =
        serde_json::from_str(r#"[{"sku":"-","title":"-","price":0}]"#).unwrap_or(Value::Null);
    r.check(load(
        "catalog",
        &with_replaced(doc, &["/items"], &placeholder),
    ));
    match doc["items"].as_array().map(Vec::len) {
        Some(0) => r.push(Problem::new(
            Code::EmptyCatalog,
            "items",
            "the catalog has no items",
        )),
        Some(n) if n > MAX_ITEMS => r.push(Problem::new(
            Code::TooLarge,
            "items",
            format!("at most {MAX_ITEMS} items"),
        )),
        _ => {}
    }
    r.duplicates(doc, "stores", "id", "store", "twice");
    // Each item with the stores the document lists, so stock in an unknown store is reported.
    let ids: BTreeSet<&str> = doc["stores"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("id")?.as_str())
        .filter(|id| !id.is_empty())
        .collect();
    let mut prefix = format!(r#"{{"schema":"{CATALOG_SCHEMA}","stores":["#);
    for (i, id) in ids.into_iter().enumerate() {
        prefix += &format!(r#"{}{{"id":{}}}"#, if i > 0 { "," } else { "" }, text(id));
    }
    r.elements(
        "catalog",
        doc,
        ("/items", "items"),
        &(prefix + r#"],"items":"#),
        "}",
    );
    r.duplicates(doc, "items", "sku", "sku", "appears twice");
}

fn offers(doc: &Value, r: &mut Report) {
    r.check(load(
        "offers",
        &with_replaced(doc, &["/offers"], &Value::Array(Vec::new())),
    ));
    r.elements(
        "offers",
        doc,
        ("/offers", "offers"),
        &format!(r#"{{"schema":"{OFFERS_SCHEMA}","offers":"#),
        "}",
    );
    r.duplicates(doc, "offers", "id", "offer", "twice");
}

fn config(doc: &Value, r: &mut Report) {
    let top = with_replaced(
        doc,
        &["/placements", "/channels"],
        &Value::Object(Default::default()),
    );
    let top: Value = serde_json::from_str(&top).unwrap_or(Value::Null);
    r.check(load(
        "config",
        &with_replaced(
            &top,
            &["/rules/boost", "/rules/pin"],
            &Value::Array(Vec::new()),
        ),
    ));
    // Each placement and each channel's overrides alone: their paths already name them.
    for section in ["placements", "channels"] {
        for (key, v) in doc[section].as_object().into_iter().flatten() {
            if r.full() {
                return;
            }
            r.check(load(
                "config",
                &format!(
                    r#"{{"schema":"{CONFIG_SCHEMA}","{section}":{{{}:{}}}}}"#,
                    text(key),
                    text(v)
                ),
            ));
        }
    }
    let prefix = format!(r#"{{"schema":"{CONFIG_SCHEMA}","rules":{{"#);
    r.elements(
        "config",
        doc,
        ("/rules/boost", "rules.boost"),
        &format!(r#"{prefix}"boost":"#),
        "}}",
    );
    r.elements(
        "config",
        doc,
        ("/rules/pin", "rules.pin"),
        &format!(r#"{prefix}"pin":"#),
        "}}",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebase_only_replaces_a_whole_prefix() {
        assert_eq!(
            rebase("events[0].ts", "events[0]", "events[7]"),
            "events[7].ts"
        );
        assert_eq!(rebase("events[0]", "events[0]", "events[7]"), "events[7]");
        assert_eq!(rebase("events[01]", "events[0]", "events[7]"), "events[01]");
        assert_eq!(rebase("id", "events[0]", "events[7]"), "id");
    }
}
