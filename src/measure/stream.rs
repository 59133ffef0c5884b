//! Reading an event stream line by line: NDJSON (profile events with a customer id, or the
//! importers' `events.ndjson`) or CSV with a header. One line is held at a time; a line longer
//! than [`MAX_LINE`] is refused, so memory does not depend on the input.

use super::{Kind, Measure, StreamEvent};
use crate::channel::Channel;
use crate::error::{self, Code, Error};
use crate::time::parse_rfc3339;
use serde::Deserialize;
use std::borrow::Cow;
use std::io::{BufRead, Read};

/// Longest line read, in bytes.
pub const MAX_LINE: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Csv,
}

impl Format {
    /// By the file name: `.csv` (also `.csv.gz`) is CSV, anything else NDJSON.
    pub fn from_path(path: &str) -> Format {
        let p = path.strip_suffix(".gz").unwrap_or(path);
        if p.ends_with(".csv") {
            Format::Csv
        } else {
            Format::Ndjson
        }
    }
}

/// One NDJSON line. Unknown keys are ignored (exports carry many); the customer id may be
/// named as the importers and the model builder name it.
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(
        borrow,
        default,
        alias = "userId",
        alias = "customer_id",
        alias = "profile_id",
        alias = "user"
    )]
    user_id: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type", alias = "event", alias = "event_type")]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    channel: Option<Cow<'a, str>>,
    #[serde(borrow, alias = "timestamp", alias = "time", alias = "event_time")]
    ts: Cow<'a, str>,
    #[serde(borrow, default, alias = "item_id", alias = "product_id")]
    sku: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "offer_id")]
    offer: Option<Cow<'a, str>>,
    #[serde(default)]
    price: Option<f64>,
    #[serde(default)]
    quantity: Option<f64>,
    #[serde(borrow, default)]
    strategy: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    placement: Option<Cow<'a, str>>,
}

/// Fields of one event as text, before they are checked.
struct Raw<'a> {
    user: &'a str,
    kind: &'a str,
    channel: &'a str,
    ts: &'a str,
    sku: Option<&'a str>,
    offer: Option<&'a str>,
    price: Option<f64>,
    quantity: Option<f64>,
    strategy: Option<&'a str>,
    placement: Option<&'a str>,
}

fn err(line: usize, field: &str, code: Code, msg: impl Into<String>) -> Error {
    let path = if field.is_empty() {
        format!("line {line}")
    } else {
        format!("line {line}.{field}")
    };
    Error::new(code, "events", path, msg)
}

fn event<'a>(r: &Raw<'a>, line: usize) -> error::Result<StreamEvent<'a>> {
    let kind = Kind::parse(r.kind).map_err(|m| err(line, "type", Code::InvalidValue, m))?;
    if r.channel.is_empty() {
        return Err(err(
            line,
            "channel",
            Code::MissingField,
            "every event needs a channel",
        ));
    }
    // The canonical names without `Channel::parse`'s normalising copy (one per event).
    let exact = Channel::ALL
        .iter()
        .copied()
        .find(|c| c.as_str() == r.channel);
    let channel = exact.or_else(|| Channel::parse(r.channel)).ok_or_else(|| {
        err(
            line,
            "channel",
            Code::InvalidValue,
            format!("unknown channel {:?}", crate::error::shorten(r.channel, 40)),
        )
    })?;
    let ts = parse_rfc3339(r.ts).ok_or_else(|| {
        err(
            line,
            "ts",
            Code::InvalidTime,
            format!(
                "not an RFC 3339 time: {:?}",
                crate::error::shorten(r.ts, 40)
            ),
        )
    })?;
    let strategy = match r.strategy.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            super::STRATEGIES
                .iter()
                .copied()
                .find(|x| x.as_str() == s)
                .ok_or_else(|| {
                    err(
                        line,
                        "strategy",
                        Code::InvalidValue,
                        format!("unknown strategy {:?}", crate::error::shorten(s, 40)),
                    )
                })?,
        ),
    };
    Ok(StreamEvent {
        customer: r.user,
        kind,
        channel,
        ts,
        sku: r.sku.filter(|s| !s.is_empty()),
        offer: r.offer.filter(|s| !s.is_empty()),
        price: r.price,
        quantity: r.quantity,
        strategy,
        placement: r.placement.filter(|s| !s.is_empty()),
    })
}

/// Read every event of `input` into `m`. Returns the number of lines read (blank lines
/// included, as line numbers count them).
pub fn read(input: impl BufRead, format: Format, m: &mut Measure) -> error::Result<usize> {
    match format {
        Format::Ndjson => read_ndjson(input, m),
        Format::Csv => read_csv(input, m),
    }
}

/// The next line into `buf` (without its line end); `false` at the end of the input.
fn next_line(input: &mut impl BufRead, buf: &mut String, line: usize) -> error::Result<bool> {
    buf.clear();
    let n = input
        .by_ref()
        .take(MAX_LINE as u64 + 1)
        .read_line(buf)
        .map_err(|e| err(line, "", Code::Io, e.to_string()))?;
    if n > MAX_LINE {
        return Err(err(
            line,
            "",
            Code::TooLarge,
            format!("a line is at most {MAX_LINE} bytes"),
        ));
    }
    while buf.ends_with('\n') || buf.ends_with('\r') {
        buf.pop();
    }
    Ok(n > 0)
}

fn read_ndjson(mut input: impl BufRead, m: &mut Measure) -> error::Result<usize> {
    let mut buf = String::new();
    let mut line = 0;
    while next_line(&mut input, &mut buf, line + 1)? {
        line += 1;
        if buf.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(&buf).map_err(|e| {
            let code = if e.is_data() {
                Code::InvalidType
            } else {
                Code::InvalidJson
            };
            let code = if e.to_string().starts_with("missing field") {
                Code::MissingField
            } else {
                code
            };
            err(line, "", code, e.to_string())
        })?;
        let user = l.user_id.as_deref().unwrap_or("");
        if user.is_empty() {
            return Err(err(
                line,
                "user_id",
                Code::MissingField,
                "every event needs a customer id (user_id)",
            ));
        }
        let raw = Raw {
            user,
            kind: &l.kind,
            channel: l.channel.as_deref().unwrap_or(""),
            ts: &l.ts,
            sku: l.sku.as_deref(),
            offer: l.offer.as_deref(),
            price: l.price,
            quantity: l.quantity,
            strategy: l.strategy.as_deref(),
            placement: l.placement.as_deref(),
        };
        m.push(&event(&raw, line)?, line)?;
    }
    Ok(line)
}

/// Column positions of a CSV header.
struct Columns {
    user: usize,
    kind: usize,
    channel: usize,
    ts: usize,
    sku: Option<usize>,
    offer: Option<usize>,
    price: Option<usize>,
    quantity: Option<usize>,
    strategy: Option<usize>,
    placement: Option<usize>,
}

fn columns(header: &str) -> error::Result<Columns> {
    let names: Vec<String> = crate::builder::split_csv(header.trim_start_matches('\u{feff}'))
        .into_iter()
        .map(|s| s.trim().to_string())
        .collect();
    let find = |alts: &[&str]| names.iter().position(|h| alts.contains(&h.as_str()));
    let need = |alts: &[&str]| {
        find(alts).ok_or_else(|| {
            err(
                1,
                "",
                Code::MissingField,
                format!(
                    "the CSV header needs a {} column",
                    alts.first().copied().unwrap_or("")
                ),
            )
        })
    };
    Ok(Columns {
        user: need(&["user_id", "userId", "customer_id", "profile_id", "user"])?,
        kind: need(&["type", "event", "event_type"])?,
        channel: need(&["channel"])?,
        ts: need(&["ts", "timestamp", "time", "event_time"])?,
        sku: find(&["sku", "item_id", "product_id"]),
        offer: find(&["offer", "offer_id"]),
        price: find(&["price"]),
        quantity: find(&["quantity"]),
        strategy: find(&["strategy"]),
        placement: find(&["placement"]),
    })
}

fn number(s: Option<&str>, line: usize, field: &str) -> error::Result<Option<f64>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse::<f64>().map(Some).map_err(|_| {
            err(
                line,
                field,
                Code::InvalidType,
                format!("not a number: {:?}", crate::error::shorten(v, 40)),
            )
        }),
    }
}

fn read_csv(mut input: impl BufRead, m: &mut Measure) -> error::Result<usize> {
    let mut buf = String::new();
    if !next_line(&mut input, &mut buf, 1)? {
        return Ok(0);
    }
    let cols = columns(&buf)?;
    let mut line = 1;
    let mut fields: Vec<(usize, usize)> = Vec::new();
    let mut quoted: Vec<String> = Vec::new();
    while next_line(&mut input, &mut buf, line + 1)? {
        line += 1;
        if buf.trim().is_empty() {
            continue;
        }
        // Plain lines are cut in place; a line with quotes goes through the RFC 4180 splitter.
        let has_quotes = buf.contains('"');
        if has_quotes {
            quoted = crate::builder::split_csv(&buf);
        } else {
            fields.clear();
            let mut start = 0;
            for (i, b) in buf.bytes().enumerate() {
                if b == b',' {
                    fields.push((start, i));
                    start = i + 1;
                }
            }
            fields.push((start, buf.len()));
        }
        let col = |c: Option<usize>| -> Option<&str> {
            let c = c?;
            if has_quotes {
                quoted.get(c).map(|s| s.trim())
            } else {
                fields
                    .get(c)
                    .and_then(|&(a, b)| buf.get(a..b))
                    .map(str::trim)
            }
        };
        let raw = Raw {
            user: col(Some(cols.user)).unwrap_or(""),
            kind: col(Some(cols.kind)).unwrap_or(""),
            channel: col(Some(cols.channel)).unwrap_or(""),
            ts: col(Some(cols.ts)).unwrap_or(""),
            sku: col(cols.sku),
            offer: col(cols.offer),
            price: number(col(cols.price), line, "price")?,
            quantity: number(col(cols.quantity), line, "quantity")?,
            strategy: col(cols.strategy),
            placement: col(cols.placement),
        };
        if raw.user.is_empty() {
            return Err(err(
                line,
                "user_id",
                Code::MissingField,
                "every event needs a customer id (user_id)",
            ));
        }
        m.push(&event(&raw, line)?, line)?;
    }
    Ok(line)
}
