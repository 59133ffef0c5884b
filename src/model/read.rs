//! The `unisono.model/2` reader: a JSON reader for exactly this document, so its columns go
//! straight from the text into `Vec<u32>` (a digit loop per entry, no per-entry deserializer
//! calls) and an error names its JSON path precisely, without serde's path tracking and without
//! a second generic deserializer in the Wasm binary. Fields shared with v1 (`params`, `stats`,
//! `as_of`) are delegated to serde, through the instantiations the v1 reader has anyway.

use super::{
    Column, ModelDocV2, NeighboursV2, RankedV2, RankingsV2, RepurchaseV2, Scores, MAX_NEIGHBOURS,
};
use crate::channel::Channel;
use crate::error::{self, Code, Error};
use std::collections::{BTreeMap, BTreeSet};

type Result<T> = std::result::Result<T, Error>;

/// Parse a v2 document (its `schema` tag is checked by the caller, the content by
/// `ModelDocV2::check`).
pub(super) fn parse(text: &str) -> Result<ModelDocV2> {
    let mut r = Reader {
        text,
        pos: 0,
        depth: 0,
    };
    let doc = r.document()?;
    r.ws();
    if r.pos < text.len() {
        return Err(r.syntax("", "trailing characters"));
    }
    Ok(doc)
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
    /// Arrays and objects open around the current position (the document's object is 1).
    depth: usize,
}

/// Where [`Reader::skip`] is inside the containers it opened: for an error's path only.
enum Step {
    /// In an object, at the value of this key.
    Key(String),
    /// In an array, at this element.
    Index(usize),
}

/// `path` followed by `steps`: `params.a[3].b`.
fn path_of(path: &str, steps: &[Step]) -> String {
    let mut out = path.to_string();
    for step in steps {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out += &format!("[{i}]"),
        }
    }
    out
}

/// One JSON number as written.
enum Number {
    /// A non-negative integer below 2^32.
    Small(u32),
    /// An integer outside that range.
    Integer(f64),
    /// A number with a fraction or an exponent.
    Float(f64),
}

/// Where a value is: a field path and, inside an array, the element. Formatted only for an
/// error, so reading a column builds no strings.
#[derive(Clone, Copy)]
struct At<'p> {
    path: &'p str,
    index: Option<usize>,
}

impl<'p> At<'p> {
    fn field(path: &'p str) -> At<'p> {
        At { path, index: None }
    }

    fn element(path: &'p str, index: usize) -> At<'p> {
        At {
            path,
            index: Some(index),
        }
    }

    fn path(self) -> String {
        match self.index {
            Some(i) => format!("{}[{i}]", self.path),
            None => self.path.to_string(),
        }
    }
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

fn err(code: Code, path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::new(code, "model", path, message)
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    /// A JSON syntax error at the current position, with serde_json's line / column wording.
    fn syntax(&self, path: &str, what: &str) -> Error {
        let before = self.text.get(..self.pos).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        let what = if self.pos >= self.text.len() {
            "EOF while parsing a value"
        } else {
            what
        };
        err(
            Code::InvalidJson,
            path,
            format!("{what} at line {line} column {column}"),
        )
    }

    fn expect(&mut self, byte: u8, path: &str) -> Result<()> {
        self.ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax(path, &format!("expected `{}`", byte as char)))
        }
    }

    /// What the value at the current position is, for "invalid type" messages.
    fn kind(&mut self) -> &'static str {
        self.ws();
        match self.peek() {
            Some(b'{') => "a map",
            Some(b'[') => "a sequence",
            Some(b'"') => "a string",
            Some(b't' | b'f') => "a boolean",
            Some(b'n') => "null",
            _ => "a number",
        }
    }

    fn invalid_type(&mut self, path: &str, expected: &str) -> Error {
        let found = self.kind();
        if found == "a number" && !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return self.syntax(path, "expected value");
        }
        err(
            Code::InvalidType,
            path,
            format!("invalid type: {found}, expected {expected}"),
        )
    }

    /// An object's members: `f(reader, key)` reads each value. Keys are unescaped; a repeated
    /// key is an error, as for serde's derived structs.
    /// (`f` is a `dyn`: one copy of this loop in the binary for the dozen objects.)
    fn object(
        &mut self,
        path: &str,
        expected: &str,
        f: &mut dyn FnMut(&mut Self, &str) -> Result<()>,
    ) -> Result<()> {
        self.ws();
        if self.peek() != Some(b'{') {
            return Err(self.invalid_type(path, expected));
        }
        self.enter(path)?;
        self.members(path, f)?;
        self.depth -= 1;
        Ok(())
    }

    /// Past an opening `[` or `{` at `path`: one level deeper, if the limit allows.
    fn enter(&mut self, path: &str) -> Result<()> {
        if self.depth >= error::MAX_DEPTH {
            return Err(error::too_deep("model", path));
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    /// [`Reader::object`] after its `{`. Keys seen are in a set: a map of a million stores
    /// costs a million lookups, not a million scans.
    fn members(
        &mut self,
        path: &str,
        f: &mut dyn FnMut(&mut Self, &str) -> Result<()>,
    ) -> Result<()> {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.syntax(path, "key must be a string"));
            }
            let key = self.string(path)?;
            if seen.contains(key.as_str()) {
                return Err(err(
                    Code::InvalidValue,
                    join(path, &key),
                    format!("duplicate field `{key}`"),
                ));
            }
            self.expect(b':', &join(path, &key))?;
            f(self, &key)?;
            seen.insert(key);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.syntax(path, "expected `,` or `}`")),
            }
        }
    }

    /// An array's elements: `f(reader, index)` reads each.
    fn array(
        &mut self,
        path: &str,
        expected: &str,
        f: impl FnMut(&mut Self, usize) -> Result<()>,
    ) -> Result<()> {
        self.ws();
        if self.peek() != Some(b'[') {
            return Err(self.invalid_type(path, expected));
        }
        self.enter(path)?;
        self.elements(path, f)?;
        self.depth -= 1;
        Ok(())
    }

    /// [`Reader::array`] after its `[`.
    fn elements(
        &mut self,
        path: &str,
        mut f: impl FnMut(&mut Self, usize) -> Result<()>,
    ) -> Result<()> {
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut i = 0;
        loop {
            f(self, i)?;
            i += 1;
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.syntax(&format!("{path}[{i}]"), "expected `,` or `]`")),
            }
        }
    }

    /// A JSON string (the reader is at its opening quote or before whitespace).
    fn string(&mut self, path: &str) -> Result<String> {
        self.ws();
        if self.peek() != Some(b'"') {
            return Err(self.invalid_type(path, "a string"));
        }
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        let mut escaped = false;
        loop {
            match bytes.get(i) {
                None => {
                    self.pos = i;
                    return Err(self.syntax(path, "EOF while parsing a string"));
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    i += 2;
                }
                Some(&c) if c < 0x20 => {
                    self.pos = i;
                    return Err(self.syntax(
                        path,
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ));
                }
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        let raw = self.text.get(start..=i).unwrap_or_default();
        if !escaped {
            return Ok(raw
                .get(1..raw.len().saturating_sub(1))
                .unwrap_or_default()
                .to_string());
        }
        serde_json::from_str::<String>(raw).map_err(|e| {
            err(
                Code::InvalidJson,
                path,
                format!("{}", e)
                    .split(" at line ")
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
    }

    /// One JSON number, classified the way serde_json hands it to a visitor.
    fn number(&mut self, at: At, expected: &str) -> Result<Number> {
        self.ws();
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = start;
        let negative = bytes.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let digits = |i: &mut usize| {
            let from = *i;
            while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i - from
        };
        let int_start = i;
        let int_len = digits(&mut i);
        if int_len == 0 {
            return Err(if negative {
                self.pos = i;
                self.syntax(&at.path(), "invalid number")
            } else {
                self.invalid_type(&at.path(), expected)
            });
        }
        if int_len > 1 && bytes.get(int_start) == Some(&b'0') {
            self.pos = int_start + 1;
            return Err(self.syntax(&at.path(), "invalid number"));
        }
        let mut float = false;
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            float = true;
            if digits(&mut i) == 0 {
                self.pos = i;
                return Err(self.syntax(&at.path(), "invalid number"));
            }
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            float = true;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                self.pos = i;
                return Err(self.syntax(&at.path(), "invalid number"));
            }
        }
        self.pos = i;
        let token = self.text.get(start..i).unwrap_or_default();
        if !float && !negative && int_len <= 10 {
            if let Ok(v) = token.parse::<u32>() {
                return Ok(Number::Small(v));
            }
        }
        // serde_json's parser (correctly rounded, `float_roundtrip`): the one v1 uses, and
        // `str::parse` would add core's own tables to the Wasm binary.
        let v: f64 = serde_json::from_str(token)
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| err(Code::InvalidJson, at.path(), "number out of range"))?;
        Ok(if float {
            Number::Float(v)
        } else {
            Number::Integer(v)
        })
    }

    /// A non-negative integer below 2^32 (an index, a length, `decimals`).
    /// The same codes and words as `error::count` (no Rust type names).
    fn u32(&mut self, at: At) -> Result<u32> {
        match self.number(at, "a non-negative integer")? {
            Number::Small(v) => Ok(v),
            Number::Integer(v) if v < 0.0 => Err(err(
                Code::InvalidValue,
                at.path(),
                format!("invalid value: integer `{v}`, expected a non-negative integer"),
            )),
            Number::Integer(v) => Err(err(
                Code::TooLarge,
                at.path(),
                format!(
                    "integer `{v}` is too large: at most {}",
                    crate::error::MAX_COUNT
                ),
            )),
            Number::Float(v) => Err(err(
                Code::InvalidType,
                at.path(),
                format!("invalid type: floating point `{v}`, expected a non-negative integer"),
            )),
        }
    }

    fn f64(&mut self, at: At) -> Result<f64> {
        Ok(match self.number(at, "a number")? {
            Number::Small(v) => f64::from(v),
            Number::Integer(v) | Number::Float(v) => v,
        })
    }

    /// A column of indices. `expected` (from `lengths`) sizes it when known, reserved in
    /// steps so a `lengths` promising more than the text holds reserves nothing unused.
    fn u32s(&mut self, path: &str, expected: usize) -> Result<Vec<u32>> {
        let mut v: Vec<u32> = Vec::new();
        self.array(path, "an array of indices", |r, i| {
            super::reserve_more(&mut v, expected);
            if i >= MAX_NEIGHBOURS {
                return Err(too_many(path));
            }
            let x = match r.plain_u32() {
                Some(x) => x,
                None => r.u32(At::element(path, i))?,
            };
            v.push(x);
            Ok(())
        })?;
        Ok(v)
    }

    /// The common case of a column entry, inline: plain digits (no sign, fraction, exponent or
    /// leading zero) below 2^32, followed by `,`, `]` or whitespace. Anything else is left to
    /// [`Reader::number`].
    fn plain_u32(&mut self) -> Option<u32> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut p = start;
        let mut x: u64 = 0;
        while let Some(&d) = bytes.get(p).filter(|d| d.is_ascii_digit()) {
            x = x * 10 + u64::from(d - b'0');
            p += 1;
            if p - start > 10 {
                return None;
            }
        }
        let len = p - start;
        let plain = len > 0
            && (len == 1 || bytes.get(start) != Some(&b'0'))
            && matches!(
                bytes.get(p),
                Some(b',' | b']' | b' ' | b'\n' | b'\r' | b'\t')
            );
        let x = u32::try_from(x).ok().filter(|_| plain)?;
        self.pos = p;
        Some(x)
    }

    fn f64s(&mut self, path: &str) -> Result<Vec<f64>> {
        let mut v = Vec::new();
        self.array(path, "an array of numbers", |r, i| {
            if i >= MAX_NEIGHBOURS {
                return Err(too_many(path));
            }
            v.push(r.f64(At::element(path, i))?);
            Ok(())
        })?;
        Ok(v)
    }

    /// A score column: integers below 2^32 as such; any other number makes it a column of
    /// doubles (see [`Scores`]).
    fn scores(&mut self, path: &str, expected: usize) -> Result<Scores> {
        let mut fixed: Vec<u32> = Vec::new();
        let mut float: Option<Vec<f64>> = None;
        self.array(path, "an array of numbers", |r, i| {
            if i >= MAX_NEIGHBOURS {
                return Err(too_many(path));
            }
            let n = match r.plain_u32() {
                Some(x) => Number::Small(x),
                None => r.number(At::element(path, i), "a number")?,
            };
            let x = match n {
                Number::Small(v) if float.is_none() => {
                    super::reserve_more(&mut fixed, expected);
                    fixed.push(v);
                    return Ok(());
                }
                Number::Small(v) => f64::from(v),
                Number::Integer(v) | Number::Float(v) => v,
            };
            let column = float.get_or_insert_with(|| {
                let mut f = Vec::with_capacity(fixed.capacity());
                f.extend(fixed.drain(..).map(f64::from));
                f
            });
            super::reserve_more(column, expected);
            column.push(x);
            Ok(())
        })?;
        Ok(match float {
            // A whole number written as `5000.0` is the integer 5000: the column's form
            // depends on the values only.
            Some(values) => Scores::from_values(values),
            None => Scores(Column::Fixed(fixed)),
        })
    }

    /// A value handed to serde (the types v1 parses too), its errors' paths under `path`.
    fn delegate<T: serde::de::DeserializeOwned>(&mut self, path: &str) -> Result<T> {
        self.ws();
        let start = self.pos;
        self.skip(path)?;
        let raw = self.text.get(start..self.pos).unwrap_or_default();
        error::from_json::<T>("model", raw).map_err(|mut e| {
            e.path = join(path, &e.path);
            if e.path.ends_with('.') {
                e.path.pop();
            }
            e
        })
    }

    /// Past one JSON value of any kind (its validity is the delegate's to check). A loop over
    /// an explicit stack, not recursion, so no nesting reaches the (1 MB, in Wasm) stack; a
    /// value nested past [`error::MAX_DEPTH`] is `too_large` as soon as the level too many
    /// opens. Paths are built for an error only. Repeated keys are left to the delegate, as
    /// serde's maps and structs decide them.
    fn skip(&mut self, path: &str) -> Result<()> {
        let mut open: Vec<Step> = Vec::new();
        let at = |open: &[Step]| path_of(path, open);
        loop {
            // One value; a container is entered and its first member read by the next turn.
            self.ws();
            match self.peek() {
                Some(open_byte @ (b'{' | b'[')) => {
                    if self.depth + open.len() >= error::MAX_DEPTH {
                        return Err(error::too_deep("model", at(&open)));
                    }
                    self.pos += 1;
                    self.ws();
                    let close = if open_byte == b'{' { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                    } else if open_byte == b'{' {
                        let key = self.key(&at(&open))?;
                        open.push(Step::Key(key));
                        continue;
                    } else {
                        open.push(Step::Index(0));
                        continue;
                    }
                }
                Some(b'"') => drop(
                    self.string("")
                        .map_err(|e| Error::new(e.code, e.document, at(&open), e.message))?,
                ),
                Some(b'-' | b'0'..=b'9') => {
                    self.number(At::field(""), "a value")
                        .map_err(|e| Error::new(e.code, e.document, at(&open), e.message))?;
                }
                _ => {
                    let literal = ["true", "false", "null"].into_iter().find(|literal| {
                        self.text
                            .get(self.pos..)
                            .is_some_and(|t| t.starts_with(literal))
                    });
                    match literal {
                        Some(literal) => self.pos += literal.len(),
                        None => return Err(self.syntax(&at(&open), "expected value")),
                    }
                }
            }
            // The value is complete: close what it completes, or move to the next member.
            loop {
                self.ws();
                let next = match (open.last(), self.peek()) {
                    (None, _) => return Ok(()),
                    (Some(Step::Index(_)), Some(b']')) | (Some(Step::Key(_)), Some(b'}')) => {
                        self.pos += 1;
                        open.pop();
                        continue;
                    }
                    (Some(Step::Index(i)), Some(b',')) => Step::Index(i + 1),
                    (Some(Step::Key(_)), Some(b',')) => {
                        self.pos += 1;
                        open.pop();
                        let key = self.key(&at(&open))?;
                        open.push(Step::Key(key));
                        break;
                    }
                    (Some(Step::Index(_)), _) => {
                        return Err(self.syntax(&at(&open), "expected `,` or `]`"))
                    }
                    (Some(Step::Key(_)), _) => {
                        open.pop();
                        return Err(self.syntax(&at(&open), "expected `,` or `}`"));
                    }
                };
                self.pos += 1;
                if let Some(top) = open.last_mut() {
                    *top = next;
                }
                break;
            }
        }
    }

    /// An object key and its colon (for [`Reader::skip`]; `path` is the object's).
    fn key(&mut self, path: &str) -> Result<String> {
        self.ws();
        if self.peek() != Some(b'"') {
            return Err(self.syntax(path, "key must be a string"));
        }
        let key = self.string(path)?;
        self.expect(b':', &join(path, &key))?;
        Ok(key)
    }

    fn ranked(&mut self, path: &str) -> Result<RankedV2> {
        let mut out = RankedV2::default();
        self.object(path, "struct RankedV2", &mut |r, key| {
            let p = join(path, key);
            match key {
                "items" => out.items = r.u32s(&p, 0)?,
                "scores" => out.scores = r.scores(&p, 0)?,
                _ => return Err(unknown(&p, key, &["items", "scores"])),
            }
            Ok(())
        })?;
        Ok(out)
    }

    fn rankings(&mut self, path: &str) -> Result<RankingsV2> {
        let mut out = RankingsV2::default();
        self.object(path, "struct RankingsV2", &mut |r, key| {
            let p = join(path, key);
            match key {
                "global" => out.global = r.ranked(&p)?,
                "channels" => {
                    let mut channels = BTreeMap::new();
                    r.object(&p, "a map", &mut |r, name| {
                        let q = join(&p, name);
                        let channel = Channel::parse(name).ok_or_else(|| {
                            err(
                                Code::InvalidValue,
                                q.clone(),
                                format!("unknown channel {name:?} (expected web, app, kiosk, store, email, call_center)"),
                            )
                        })?;
                        channels.insert(channel, r.ranked(&q)?);
                        Ok(())
                    })?;
                    out.channels = channels;
                }
                "stores" => {
                    let mut stores = BTreeMap::new();
                    r.object(&p, "a map", &mut |r, id| {
                        stores.insert(id.to_string(), r.ranked(&join(&p, id))?);
                        Ok(())
                    })?;
                    out.stores = stores;
                }
                _ => return Err(unknown(&p, key, &["global", "channels", "stores"])),
            }
            Ok(())
        })?;
        Ok(out)
    }

    fn document(&mut self) -> Result<ModelDocV2> {
        let mut schema = None;
        let mut version = None;
        let mut params = None;
        let mut stats = None;
        let mut as_of = None;
        let mut skus = None;
        let mut decimals = 0;
        let mut neighbours = None;
        let mut popularity = None;
        let mut trending = None;
        let mut repurchase = RepurchaseV2::default();
        let mut checksum = String::new();
        self.object("", "struct ModelV2", &mut |r, key| {
            match key {
                "schema" => schema = Some(r.string(key)?),
                "version" => version = Some(r.string(key)?),
                "params" => params = Some(r.delegate(key)?),
                "stats" => stats = Some(r.delegate(key)?),
                "as_of" => as_of = r.delegate(key)?,
                "skus" => {
                    let mut v = Vec::new();
                    r.array(key, "an array of skus", |r, i| {
                        if i >= super::MAX_MODEL_SKUS {
                            return Err(err(
                                Code::TooLarge,
                                "skus",
                                format!("at most {} skus", super::MAX_MODEL_SKUS),
                            ));
                        }
                        v.push(r.string(&format!("skus[{i}]"))?);
                        Ok(())
                    })?;
                    skus = Some(v);
                }
                "decimals" => decimals = r.u32(At::field(key))?,
                "neighbours" => neighbours = Some(r.neighbours(key)?),
                "popularity" => popularity = Some(r.rankings(key)?),
                "trending" => trending = Some(r.rankings(key)?),
                "repurchase" => {
                    r.object(key, "struct RepurchaseV2", &mut |r, col| {
                        let p = join(key, col);
                        match col {
                            "items" => repurchase.items = r.u32s(&p, 0)?,
                            "rate" => repurchase.rate = r.scores(&p, 0)?,
                            "cycle_days" => repurchase.cycle_days = r.f64s(&p)?,
                            _ => return Err(unknown(&p, col, &["items", "rate", "cycle_days"])),
                        }
                        Ok(())
                    })?;
                }
                "checksum" => checksum = r.string(key)?,
                _ => return Err(unknown(key, key, &FIELDS)),
            }
            Ok(())
        })?;
        let missing = |field: &str| {
            err(
                Code::MissingField,
                field,
                format!("missing field `{field}`"),
            )
        };
        Ok(ModelDocV2 {
            schema: schema.ok_or_else(|| missing("schema"))?,
            version: version.ok_or_else(|| missing("version"))?,
            params: params.ok_or_else(|| missing("params"))?,
            stats: stats.ok_or_else(|| missing("stats"))?,
            as_of,
            skus: skus.ok_or_else(|| missing("skus"))?,
            decimals,
            neighbours: neighbours.ok_or_else(|| missing("neighbours"))?,
            popularity: popularity.ok_or_else(|| missing("popularity"))?,
            trending: trending.ok_or_else(|| missing("trending"))?,
            repurchase,
            checksum,
        })
    }

    fn neighbours(&mut self, path: &str) -> Result<NeighboursV2> {
        let (mut lengths, mut items, mut scores) = (None, None, None);
        let mut expected = 0usize;
        self.object(path, "struct NeighboursV2", &mut |r, key| {
            let p = join(path, key);
            match key {
                "lengths" => {
                    let l = r.u32s(&p, 0)?;
                    expected = l.iter().fold(0usize, |a, &n| a.saturating_add(n as usize));
                    lengths = Some(l);
                }
                "items" => items = Some(r.u32s(&p, expected)?),
                "scores" => scores = Some(r.scores(&p, expected)?),
                _ => return Err(unknown(&p, key, &["lengths", "items", "scores"])),
            }
            Ok(())
        })?;
        let missing = |f: &str| {
            err(
                Code::MissingField,
                join(path, f),
                format!("missing field `{f}`"),
            )
        };
        Ok(NeighboursV2 {
            lengths: lengths.ok_or_else(|| missing("lengths"))?,
            items: items.ok_or_else(|| missing("items"))?,
            scores: scores.ok_or_else(|| missing("scores"))?,
        })
    }
}

const FIELDS: [&str; 12] = [
    "schema",
    "version",
    "params",
    "stats",
    "as_of",
    "skus",
    "decimals",
    "neighbours",
    "popularity",
    "trending",
    "repurchase",
    "checksum",
];

fn unknown(path: &str, key: &str, expected: &[&str]) -> Error {
    let mut msg = format!("unknown field `{key}`, expected one of ");
    for (i, f) in expected.iter().enumerate() {
        msg += if i == 0 { "`" } else { ", `" };
        msg += f;
        msg += "`";
    }
    err(Code::InvalidValue, path, msg)
}

fn too_many(path: &str) -> Error {
    err(
        Code::TooLarge,
        path,
        format!("at most {MAX_NEIGHBOURS} entries"),
    )
}
