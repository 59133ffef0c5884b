//! A hand-written JSON pull reader for the device runtime: the profile, context and event
//! readers ask it for the next value of the type they expect, as serde asks serde_json.
//!
//! It reproduces what the serde readers answer, byte position for byte position: which inputs
//! are accepted, the numbers they read (`float_roundtrip`: correctly rounded doubles; integers
//! past `u64` read as doubles; `-0` a double), the first error in document order and its
//! code, path and message (serde_json's syntax messages with their line and column). The
//! differential tests (`tests/lean_readers.rs`, `fuzz/fuzz_targets/lean_readers.rs`) hold it to
//! that. Nothing recurses: free-form values and skipped values are read with an explicit stack.

use crate::error::{Code, Error, MAX_DEPTH};

/// Why reading stopped, before the document and the path are attached.
#[derive(Debug)]
enum Why {
    /// A syntax error (serde_json's words) at the byte its line and column are counted to.
    Syntax(&'static str, usize),
    /// A container nested past [`MAX_DEPTH`].
    TooDeep,
    /// A value of the wrong type or outside its rules, in serde's words.
    Data(Code, String),
}

/// One step of a JSON path.
#[derive(Debug)]
enum Seg {
    Key(String),
    Index(usize),
    /// Inside an object, before its next key was read: serde_path_to_error writes `?`, and
    /// `error::clean_path` cuts one trailing `.?` (a real key named `?` keeps its own).
    Unread,
}

/// A failed read: why, and the path to the value, innermost step first (each reader adds its
/// own step as the failure passes through it, so a successful read never builds a path).
#[derive(Debug)]
pub struct Fail {
    why: Why,
    steps: Vec<Seg>,
}

pub type Res<T> = Result<T, Fail>;

impl Fail {
    pub fn data(code: Code, message: impl Into<String>) -> Fail {
        Fail {
            why: Why::Data(code, message.into()),
            steps: Vec::new(),
        }
    }

    /// The failure happened inside the value at `key`.
    pub fn key(mut self, key: &str) -> Fail {
        self.steps.push(Seg::Key(key.to_owned()));
        self
    }

    /// The failure happened inside element `index`.
    pub fn index(mut self, index: usize) -> Fail {
        self.steps.push(Seg::Index(index));
        self
    }

    /// The [`Error`] the serde readers give, for `document` read from `text`.
    pub fn into_error(self, document: &'static str, text: &str) -> Error {
        let path = clean_path(&render(&self.steps));
        match self.why {
            Why::TooDeep => crate::error::too_deep(document, path),
            Why::Syntax(what, at) => {
                let (line, column) = line_column(text.as_bytes(), at);
                let message = format!("{what} at line {line} column {column}");
                Error::new(Code::InvalidJson, document, path, message)
            }
            Why::Data(code, message) => Error::new(code, document, path, message),
        }
    }
}

/// serde_path_to_error's rendering: keys joined by `.`, indices as `[i]`.
fn render(steps: &[Seg]) -> String {
    let mut out = String::new();
    for (i, seg) in steps.iter().rev().enumerate() {
        match seg {
            Seg::Key(k) => {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Unread => {
                if i > 0 {
                    out.push('.');
                }
                out.push('?');
            }
            Seg::Index(n) => {
                out.push('[');
                out.push_str(itoa::Buffer::new().format(*n));
                out.push(']');
            }
        }
    }
    out
}

/// What `error::clean_path` does to serde_path_to_error's path (a key literally named `?` or
/// `.` is indistinguishable from its "unread key" or "root" mark, so it is cut the same way).
fn clean_path(p: &str) -> String {
    let p = p.strip_suffix(".?").unwrap_or(p);
    if p == "." || p == "?" {
        return String::new();
    }
    crate::error::shorten(p, crate::error::MAX_PATH)
}

/// serde_json's position of byte `at`: lines from 1, columns in bytes from the line's start.
fn line_column(text: &[u8], at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or(text);
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let lines = before.iter().take(start).filter(|&&b| b == b'\n').count();
    (lines + 1, at.saturating_sub(start))
}

/// A JSON number as serde_json classifies it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Num {
    pub fn as_f64(self) -> f64 {
        match self {
            Num::U64(v) => v as f64,
            Num::I64(v) => v as f64,
            Num::F64(v) => v,
        }
    }

    /// How serde names this number in an "invalid type" message.
    pub fn unexpected(self) -> String {
        match self {
            Num::U64(v) => format!("integer `{v}`"),
            Num::I64(v) => format!("integer `{v}`"),
            Num::F64(v) => format!("floating point `{}`", float_text(v)),
        }
    }
}

/// serde_json's text of a double in messages (the same shortest form it writes).
pub fn float_text(v: f64) -> String {
    zmij::Buffer::new().format(v).to_string()
}

/// Where the characters of a string read last are: in the text, or unescaped in the scratch.
#[derive(Clone, Copy)]
enum Span {
    Text(usize, usize),
    Scratch,
}

/// The reader: a position in the text and serde_json's remaining nesting budget.
pub struct Reader<'a> {
    text: &'a str,
    at: usize,
    depth: usize,
    scratch: Vec<u8>,
}

const EOF_VALUE: &str = "EOF while parsing a value";
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const INVALID_NUMBER: &str = "invalid number";
const EXPECTED_VALUE: &str = "expected value";
const TRAILING_COMMA: &str = "trailing comma";
const TRAILING: &str = "trailing characters";
const KEY_STRING: &str = "key must be a string";
const INVALID_ESCAPE: &str = "invalid escape";
const LONE_SURROGATE: &str = "lone leading surrogate in hex escape";
const CONTROL: &str = "control character (\\u0000-\\u001F) found while parsing a string";

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            at: 0,
            // serde_json refuses the level that takes its budget of 128 to zero.
            depth: MAX_DEPTH + 1,
            scratch: Vec::new(),
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn eat(&mut self) {
        self.at += 1;
    }

    /// serde_json's `error`: at the current byte.
    fn error<T>(&self, what: &'static str) -> Res<T> {
        Err(self.fail(what, self.at))
    }

    /// serde_json's `peek_error`: one past the current byte (the byte just peeked).
    fn peek_error<T>(&self, what: &'static str) -> Res<T> {
        Err(self.fail(what, (self.at + 1).min(self.bytes().len())))
    }

    fn fail(&self, what: &'static str, at: usize) -> Fail {
        Fail {
            why: Why::Syntax(what, at),
            steps: Vec::new(),
        }
    }

    /// The next byte that is not JSON whitespace, not consumed.
    pub fn ws(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.eat();
        }
        self.peek()
    }

    /// Nothing but whitespace may follow the document.
    pub fn end(&mut self) -> Res<()> {
        match self.ws() {
            Some(_) => self.peek_error(TRAILING),
            None => Ok(()),
        }
    }

    fn ident(&mut self, rest: &[u8]) -> Res<()> {
        for &want in rest {
            match self.next() {
                None => return self.error(EOF_VALUE),
                Some(b) if b != want => return self.error("expected ident"),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// One more level of arrays and objects (serde_json's `check_recursion`).
    fn enter(&mut self) -> Res<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 0 {
            return Err(Fail {
                why: Why::TooDeep,
                steps: Vec::new(),
            });
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_add(1);
    }

    // ---- strings -------------------------------------------------------------------------

    /// A string's characters after its opening quote (consumed by the caller), unescaped.
    fn string(&mut self) -> Res<Span> {
        self.scratch.clear();
        let mut start = self.at;
        loop {
            self.skip_plain();
            let Some(b) = self.peek() else {
                return self.error(EOF_STRING);
            };
            match b {
                b'"' => {
                    let span = if self.scratch.is_empty() {
                        Span::Text(start, self.at)
                    } else {
                        self.copy_to_scratch(start, self.at);
                        Span::Scratch
                    };
                    self.eat();
                    return Ok(span);
                }
                b'\\' => {
                    self.copy_to_scratch(start, self.at);
                    self.eat();
                    self.escape()?;
                    start = self.at;
                }
                _ => {
                    self.eat();
                    return self.error(CONTROL);
                }
            }
        }
    }

    /// Past the bytes a string holds as they are (not `"`, `\` or a control character).
    fn skip_plain(&mut self) {
        let rest = self.bytes().get(self.at..).unwrap_or_default();
        let n = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(rest.len());
        self.at += n;
    }

    fn copy_to_scratch(&mut self, from: usize, to: usize) {
        let part = self.text.as_bytes().get(from..to).unwrap_or_default();
        self.scratch.extend_from_slice(part);
    }

    fn escape(&mut self) -> Res<()> {
        let Some(c) = self.next() else {
            return self.error(EOF_STRING);
        };
        let plain = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => return self.unicode_escape(),
            _ => return self.error(INVALID_ESCAPE),
        };
        self.scratch.push(plain);
        Ok(())
    }

    fn hex4(&mut self) -> Res<u16> {
        let Some(digits) = self.bytes().get(self.at..self.at + 4) else {
            self.at = self.bytes().len();
            return self.error(EOF_STRING);
        };
        self.at += 4;
        let mut n: u16 = 0;
        for &d in digits {
            let Some(v) = (d as char).to_digit(16) else {
                return self.error(INVALID_ESCAPE);
            };
            n = n.wrapping_mul(16).wrapping_add(v as u16);
        }
        Ok(n)
    }

    /// `\uXXXX`, and its low surrogate when it is a high one: a lone surrogate is refused.
    fn unicode_escape(&mut self) -> Res<()> {
        let n = self.hex4()?;
        if (0xDC00..=0xDFFF).contains(&n) {
            return self.error(LONE_SURROGATE);
        }
        let code = if (0xD800..=0xDBFF).contains(&n) {
            for want in [b'\\', b'u'] {
                match self.peek() {
                    None => return self.error(EOF_STRING),
                    Some(b) => {
                        self.eat();
                        if b != want {
                            return self.error("unexpected end of hex escape");
                        }
                    }
                }
            }
            let low = self.hex4()?;
            if !(0xDC00..=0xDFFF).contains(&low) {
                return self.error(LONE_SURROGATE);
            }
            0x1_0000 + ((u32::from(n) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
        } else {
            u32::from(n)
        };
        let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
        let mut buf = [0u8; 4];
        self.scratch
            .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        Ok(())
    }

    fn text_of(&self, span: Span) -> &str {
        match span {
            Span::Text(from, to) => self.text.get(from..to).unwrap_or_default(),
            // Only whole characters are ever pushed, so this is always UTF-8.
            Span::Scratch => std::str::from_utf8(&self.scratch).unwrap_or_default(),
        }
    }

    fn span_len(&self, span: Span) -> usize {
        match span {
            Span::Text(from, to) => to.saturating_sub(from),
            Span::Scratch => self.scratch.len(),
        }
    }

    // ---- numbers -------------------------------------------------------------------------

    /// A number whose sign (if any) was consumed, as serde_json's `parse_integer` reads it.
    fn number(&mut self, positive: bool) -> Res<Num> {
        let start = if positive {
            self.at
        } else {
            self.at.saturating_sub(1)
        };
        let mut zero = true;
        match self.next() {
            None => return self.error(EOF_VALUE),
            Some(b'0') => {
                if let Some(b'0'..=b'9') = self.peek() {
                    return self.peek_error(INVALID_NUMBER);
                }
            }
            Some(b'1'..=b'9') => {
                zero = false;
                self.digits();
            }
            Some(_) => return self.error(INVALID_NUMBER),
        }
        let mut fraction = false;
        if self.peek() == Some(b'.') {
            self.eat();
            let from = self.at;
            zero &= self.digits_all_zero();
            if self.at == from {
                return match self.peek() {
                    Some(_) => self.peek_error(INVALID_NUMBER),
                    None => self.peek_error(EOF_VALUE),
                };
            }
            fraction = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            if self.exponent(zero)? {
                return Ok(Num::F64(if positive { 0.0 } else { -0.0 }));
            }
        } else if !fraction {
            return self.integer(positive, start);
        }
        let text = self.text.get(start..self.at).unwrap_or_default();
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Num::F64(v)),
            _ => self.error("number out of range"),
        }
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.eat();
        }
    }

    fn digits_all_zero(&mut self) -> bool {
        let mut zero = true;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            zero &= d == b'0';
            self.eat();
        }
        zero
    }

    /// Past `e[+-]digits`. True when the exponent overflows an `i32` towards zero (serde_json
    /// then reads ±0 without rounding the digits); past it the other way, out of range.
    fn exponent(&mut self, zero: bool) -> Res<bool> {
        self.eat();
        let positive = match self.peek() {
            Some(b'+') => {
                self.eat();
                true
            }
            Some(b'-') => {
                self.eat();
                false
            }
            _ => true,
        };
        let mut exp: i32 = match self.next() {
            None => return self.error(EOF_VALUE),
            Some(d @ b'0'..=b'9') => i32::from(d - b'0'),
            Some(_) => return self.error(INVALID_NUMBER),
        };
        while let Some(d @ b'0'..=b'9') = self.peek() {
            self.eat();
            match exp
                .checked_mul(10)
                .and_then(|e| e.checked_add(i32::from(d - b'0')))
            {
                Some(e) => exp = e,
                None if !zero && positive => return self.error("number out of range"),
                None => {
                    self.digits();
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// An integer literal from `start` to here: `u64`, a negative `i64`, else a double.
    fn integer(&self, positive: bool, start: usize) -> Res<Num> {
        let text = self.text.get(start..self.at).unwrap_or_default();
        let digits = text.strip_prefix('-').unwrap_or(text);
        Ok(match digits.parse::<u64>() {
            Ok(v) if positive => Num::U64(v),
            Ok(v) => {
                let neg = (v as i64).wrapping_neg();
                if neg >= 0 {
                    Num::F64(-(v as f64))
                } else {
                    Num::I64(neg)
                }
            }
            Err(_) => match text.parse::<f64>() {
                Ok(v) if v.is_finite() => Num::F64(v),
                _ => return self.error("number out of range"),
            },
        })
    }

    // ---- typed values --------------------------------------------------------------------

    /// serde_json's `peek_invalid_type`: read the value that is not what was `expected`, to
    /// name it (its own syntax errors come first).
    pub fn invalid_type<T>(&mut self, expected: &str) -> Res<T> {
        let found = match self.peek() {
            Some(b'n') => {
                self.eat();
                self.ident(b"ull")?;
                "null".to_string()
            }
            Some(b't') => {
                self.eat();
                self.ident(b"rue")?;
                "boolean `true`".to_string()
            }
            Some(b'f') => {
                self.eat();
                self.ident(b"alse")?;
                "boolean `false`".to_string()
            }
            Some(b'-') => {
                self.eat();
                self.number(false)?.unexpected()
            }
            Some(b'0'..=b'9') => self.number(true)?.unexpected(),
            Some(b'"') => {
                self.eat();
                let span = self.string()?;
                format!("string {:?}", self.text_of(span))
            }
            Some(b'[') => "sequence".to_string(),
            Some(b'{') => "map".to_string(),
            _ => return self.peek_error(EXPECTED_VALUE),
        };
        Err(type_error(&found, expected))
    }

    /// The next value's first byte, or serde_json's error at the end of the text.
    fn start(&mut self) -> Res<u8> {
        match self.ws() {
            Some(b) => Ok(b),
            None => self.peek_error(EOF_VALUE),
        }
    }

    /// A string at most `max` bytes long (else `too_large`), refused before it is copied.
    pub fn string_max(&mut self, max: usize) -> Res<String> {
        if self.start()? != b'"' {
            return self.invalid_type("a string");
        }
        self.eat();
        let span = self.string()?;
        if self.span_len(span) > max {
            return Err(Fail::data(Code::TooLarge, format!("at most {max} bytes")));
        }
        Ok(self.text_of(span).to_owned())
    }

    /// A string of any length.
    pub fn string_value(&mut self) -> Res<String> {
        self.string_max(usize::MAX)
    }

    /// A string where it lies (no copy): for names parsed on the spot.
    pub fn str_here(&mut self) -> Res<&str> {
        if self.start()? != b'"' {
            return self.invalid_type("a string");
        }
        self.eat();
        let span = self.string()?;
        Ok(self.text_of(span))
    }

    /// `null` (None) or what `read` reads (serde's `Option`).
    pub fn option<T>(&mut self, read: impl FnOnce(&mut Self) -> Res<T>) -> Res<Option<T>> {
        if self.ws() == Some(b'n') {
            self.eat();
            self.ident(b"ull")?;
            return Ok(None);
        }
        read(self).map(Some)
    }

    pub fn boolean(&mut self) -> Res<bool> {
        match self.start()? {
            b't' => {
                self.eat();
                self.ident(b"rue")?;
                Ok(true)
            }
            b'f' => {
                self.eat();
                self.ident(b"alse")?;
                Ok(false)
            }
            _ => self.invalid_type("a boolean"),
        }
    }

    /// A JSON number as a double (an `f64` field).
    pub fn float(&mut self) -> Res<f64> {
        match self.start()? {
            b'-' => {
                self.eat();
                Ok(self.number(false)?.as_f64())
            }
            b'0'..=b'9' => Ok(self.number(true)?.as_f64()),
            _ => self.invalid_type("a number"),
        }
    }

    /// Any value, as serde's `deserialize_any` hands it to a visitor that takes only numbers
    /// (`error::count`): the number, or the error naming what was found instead.
    pub fn any_number(&mut self, expected: &str) -> Res<Num> {
        let b = self.start()?;
        match b {
            b'-' => {
                self.eat();
                self.number(false)
            }
            b'0'..=b'9' => self.number(true),
            b'[' | b'{' => {
                // serde_json enters the container before the visitor refuses it.
                self.enter()?;
                self.leave();
                let found = if b == b'[' { "sequence" } else { "map" };
                Err(type_error(found, expected))
            }
            _ => self.invalid_type(expected),
        }
    }

    // ---- lists and objects ---------------------------------------------------------------

    /// serde_json's `has_next_element`.
    fn next_element(&mut self, first: bool) -> Res<bool> {
        match self.ws() {
            None => self.peek_error(EOF_LIST),
            Some(b']') => Ok(false),
            Some(_) if first => Ok(true),
            Some(b',') => {
                self.eat();
                match self.ws() {
                    Some(b']') => self.peek_error(TRAILING_COMMA),
                    Some(_) => Ok(true),
                    None => self.peek_error(EOF_VALUE),
                }
            }
            Some(_) => self.peek_error("expected `,` or `]`"),
        }
    }

    /// serde_json's `end_seq`, after the visitor is done with the elements.
    fn end_list(&mut self) -> Res<()> {
        match self.ws() {
            Some(b']') => {
                self.eat();
                Ok(())
            }
            Some(b',') => {
                self.eat();
                match self.ws() {
                    Some(b']') => self.peek_error(TRAILING_COMMA),
                    _ => self.peek_error(TRAILING),
                }
            }
            Some(_) => self.peek_error(TRAILING),
            None => self.peek_error(EOF_LIST),
        }
    }

    /// serde_json's `has_next_key`, then the key itself; a failure is at the unread key.
    fn next_key(&mut self, first: bool) -> Res<Option<Span>> {
        self.key_at(first).map_err(|mut f| {
            f.steps.push(Seg::Unread);
            f
        })
    }

    fn key_at(&mut self, first: bool) -> Res<Option<Span>> {
        let more = match self.ws() {
            None => return self.peek_error(EOF_OBJECT),
            Some(b'}') => false,
            Some(b'"') if first => true,
            Some(_) if first => return self.peek_error(KEY_STRING),
            Some(b',') => {
                self.eat();
                match self.ws() {
                    Some(b'"') => true,
                    Some(b'}') => return self.peek_error(TRAILING_COMMA),
                    Some(_) => return self.peek_error(KEY_STRING),
                    None => return self.peek_error(EOF_VALUE),
                }
            }
            Some(_) => return self.peek_error("expected `,` or `}`"),
        };
        if !more {
            return Ok(None);
        }
        self.eat();
        self.string().map(Some)
    }

    fn colon(&mut self) -> Res<()> {
        match self.ws() {
            Some(b':') => {
                self.eat();
                Ok(())
            }
            Some(_) => self.peek_error("expected `:`"),
            None => self.peek_error(EOF_OBJECT),
        }
    }

    /// The closing `}` the key loop stopped at.
    fn end_object(&mut self) -> Res<()> {
        match self.ws() {
            Some(b'}') => {
                self.eat();
                Ok(())
            }
            Some(b',') => self.peek_error(TRAILING_COMMA),
            Some(_) => self.peek_error(TRAILING),
            None => self.peek_error(EOF_OBJECT),
        }
    }

    /// A list (serde's `deserialize_seq`): `element` reads each one; past `max` elements the
    /// list is refused with `too_large` and `over`, after reading the element one too many.
    pub fn list<T>(
        &mut self,
        expected: &str,
        max: usize,
        over: &str,
        mut element: impl FnMut(&mut Self) -> Res<T>,
    ) -> Res<Vec<T>> {
        let mut out = Vec::new();
        self.elements(expected, max, over, &mut |r| {
            out.push(element(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// [`Reader::list`] without its element type: one copy for every list.
    fn elements(
        &mut self,
        expected: &str,
        max: usize,
        over: &str,
        each: &mut dyn FnMut(&mut Self) -> Res<()>,
    ) -> Res<()> {
        if self.start()? != b'[' {
            return self.invalid_type(expected);
        }
        self.enter()?;
        self.eat();
        let mut n = 0;
        while self.next_element(n == 0)? {
            each(self).map_err(|f| f.index(n))?;
            if n == max {
                return Err(Fail::data(Code::TooLarge, over));
            }
            n += 1;
        }
        self.end_list()?;
        self.leave();
        Ok(())
    }

    /// An object's entries in document order, each value read by `value` (serde's
    /// `deserialize_map`, for free-form maps).
    pub fn map<T>(&mut self, mut value: impl FnMut(&mut Self) -> Res<T>) -> Res<Vec<(String, T)>> {
        if self.start()? != b'{' {
            return self.invalid_type("a map");
        }
        self.enter()?;
        self.eat();
        let mut out = Vec::new();
        while let Some(span) = self.next_key(out.is_empty())? {
            let key = self.text_of(span).to_owned();
            self.colon()?;
            match value(self) {
                Ok(v) => out.push((key, v)),
                Err(f) => return Err(f.key(&key)),
            }
        }
        self.end_object()?;
        self.leave();
        Ok(out)
    }

    /// A struct, as serde derive reads one: an object, or an array of its fields in order.
    pub fn record(&mut self, rec: &mut dyn Record) -> Res<()> {
        match self.start()? {
            b'{' => {
                self.enter()?;
                self.eat();
                self.record_object(rec)?;
                self.end_object()?;
            }
            b'[' => {
                self.enter()?;
                self.eat();
                self.record_array(rec)?;
                self.end_list()?;
            }
            _ => return self.invalid_type("an object"),
        }
        self.leave();
        Ok(())
    }

    fn record_object(&mut self, rec: &mut dyn Record) -> Res<()> {
        let shape = rec.shape();
        let fields = shape.fields;
        // Which fields were read: a bit each (a record has at most 64 fields).
        let mut seen: u64 = 0;
        let mut first = true;
        while let Some(span) = self.next_key(first)? {
            first = false;
            let found = fields.iter().position(|f| *f == self.text_of(span));
            let Some(i) = found.filter(|&i| i < 64) else {
                let key = self.text_of(span).to_owned();
                if shape.deny_unknown {
                    let msg = unknown_field(&key, fields);
                    return Err(Fail::data(Code::InvalidValue, msg).key(&key));
                }
                self.colon()?;
                self.skip().map_err(|f| f.key(&key))?;
                continue;
            };
            let name = fields.get(i).copied().unwrap_or_default();
            if seen & (1 << i) != 0 {
                let msg = format!("duplicate field `{name}`");
                return Err(Fail::data(Code::InvalidValue, msg).key(name));
            }
            seen |= 1 << i;
            self.colon()?;
            rec.field(i, self).map_err(|f| f.key(name))?;
        }
        let missing = (0..fields.len().min(64))
            .find(|&i| shape.required & (1 << i) != 0 && seen & (1 << i) == 0);
        if let Some(name) = missing.and_then(|i| fields.get(i)) {
            let msg = format!("missing field `{name}`");
            return Err(Fail::data(Code::MissingField, msg).key(name));
        }
        Ok(())
    }

    fn record_array(&mut self, rec: &mut dyn Record) -> Res<()> {
        let shape = rec.shape();
        let n = shape.fields.len();
        let mut read = 0;
        for i in 0..n {
            if self.next_element(read == 0)? {
                rec.field(i, self).map_err(|f| f.index(i))?;
                read += 1;
            } else if shape.required & (1 << i.min(63)) != 0 {
                let msg = format!("invalid length {i}, expected an object with {n} elements");
                return Err(Fail::data(Code::InvalidValue, msg));
            }
        }
        Ok(())
    }
}

/// The fields of a struct as serde derive reads it: JSON names in declaration order (at most
/// 64), whether unknown keys are refused (`deny_unknown_fields`), and which fields must be
/// present (a bit per field; the others have defaults).
pub struct Shape {
    pub fields: &'static [&'static str],
    pub deny_unknown: bool,
    pub required: u64,
}

/// A struct a [`Reader::record`] fills, field by field. Object-safe, so one copy of the
/// record reading serves every struct (the `.wasm` size counts).
pub trait Record {
    fn shape(&self) -> &'static Shape;
    /// Read field `i` at the reader's position.
    fn field(&mut self, i: usize, r: &mut Reader) -> Res<()>;
}

fn type_error(found: &str, expected: &str) -> Fail {
    Fail::data(
        Code::InvalidType,
        format!("invalid type: {found}, expected {expected}"),
    )
}

/// serde's message for a key a struct does not have.
fn unknown_field(key: &str, fields: &[&str]) -> String {
    let quoted: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
    let expected = match quoted.as_slice() {
        [] => return format!("unknown field `{key}`, there are no fields"),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        all => format!("one of {}", all.join(", ")),
    };
    format!("unknown field `{key}`, expected {expected}")
}

// Free-form values and skipped values: read with a stack of open containers, never by
// recursion.
mod values;
