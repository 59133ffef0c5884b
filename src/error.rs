//! One error type for every operation: a stable machine-readable `code`, the JSON `path` of
//! the offending value (`events[3].ts`) and a human sentence. The binding turns it into a JS
//! `Error` with `code` and `path` properties; the CLI prints it.

use std::fmt;

/// Stable error codes. They are part of the public API: UIs and tests match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// The text is not JSON (or not UTF-8).
    InvalidJson,
    /// A value has the wrong JSON type (string where a number belongs, …).
    InvalidType,
    /// A required field is absent.
    MissingField,
    /// A value has the right type but is not allowed (unknown channel, negative price, …).
    InvalidValue,
    /// A timestamp is not RFC 3339.
    InvalidTime,
    /// The document's `schema` tag is missing or names another format or version.
    UnsupportedSchema,
    /// The same sku (or id) appears twice where it must be unique.
    Duplicate,
    /// A reference to something that does not exist (a store, a placement, …).
    UnknownReference,
    /// An input exceeds a documented limit.
    TooLarge,
    /// An artifact's checksum does not match its content.
    ChecksumMismatch,
    /// The catalog has no items.
    EmptyCatalog,
    /// Reading or writing a file failed (CLI only).
    Io,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidJson => "invalid_json",
            Code::InvalidType => "invalid_type",
            Code::MissingField => "missing_field",
            Code::InvalidValue => "invalid_value",
            Code::InvalidTime => "invalid_time",
            Code::UnsupportedSchema => "unsupported_schema",
            Code::Duplicate => "duplicate",
            Code::UnknownReference => "unknown_reference",
            Code::TooLarge => "too_large",
            Code::ChecksumMismatch => "checksum_mismatch",
            Code::EmptyCatalog => "empty_catalog",
            Code::Io => "io",
        }
    }
}

/// An error with a code, the document it concerns and a JSON path inside it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct Error {
    pub code: Code,
    /// Which input: `profile`, `context`, `catalog`, `model`, `config`, `events`.
    pub document: &'static str,
    /// JSON path inside the document, e.g. `events[3].ts`; empty for the whole document.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.document, self.message)
        } else {
            write!(f, "{}: {}: {}", self.document, self.path, self.message)
        }
    }
}

impl Error {
    pub fn new(
        code: Code,
        document: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error {
            code,
            document,
            path: shorten(&path.into(), MAX_PATH),
            message: shorten(&plain_types(&message.into()), MAX_MESSAGE),
        }
    }
}

/// Longest error message, in bytes: a message quotes the offending value, and a 100 KB string
/// must not make a 100 KB error (logs, UIs and `validate` reports repeat it).
pub const MAX_MESSAGE: usize = 512;
/// Longest error path, in bytes (keys of free-form maps are part of the path).
pub const MAX_PATH: usize = 256;

/// `text` if it fits `max` bytes, else its head and tail around `…`: the tail keeps what a
/// message ends with (`…, expected a channel`), the head what it is about.
pub fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let budget = max.saturating_sub('…'.len_utf8());
    let mut head = budget * 3 / 5;
    while !text.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = text.len() - (budget - head);
    while !text.is_char_boundary(tail) {
        tail += 1;
    }
    let (start, end) = (text.get(..head), text.get(tail..));
    format!("{}…{}", start.unwrap_or_default(), end.unwrap_or_default())
}

/// serde names Rust types in what it expected (`expected usize`, `expected struct Profile`);
/// a document's author wants JSON words, and `usize` is not even the same type in Wasm.
fn plain_types(msg: &str) -> String {
    const WORDS: [(&str, &str); 13] = [
        ("usize", "a non-negative integer"),
        ("u64", "a non-negative integer"),
        ("u32", "a non-negative integer"),
        ("u16", "a non-negative integer"),
        ("u8", "a non-negative integer"),
        ("isize", "an integer"),
        ("i64", "an integer"),
        ("i32", "an integer"),
        ("i16", "an integer"),
        ("i8", "an integer"),
        ("f64", "a number"),
        ("f32", "a number"),
        ("struct ", "an object"),
    ];
    const KEY: &str = "expected ";
    if !msg.contains(KEY) {
        return msg.to_string();
    }
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find(KEY) {
        let (before, after) = rest.split_at(i + KEY.len());
        out.push_str(before);
        rest = after;
        for (word, plain) in WORDS {
            let Some(tail) = rest.strip_prefix(word) else {
                continue;
            };
            // `struct Name`: drop the name too; a bare type must end at a word boundary.
            let tail = if word.ends_with(' ') {
                tail.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
            } else if tail.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            } else {
                tail
            };
            out.push_str(plain);
            rest = tail;
            break;
        }
    }
    out.push_str(rest);
    out
}

/// Largest count a document may give (`slots`, `k`, caps, …): the same bound natively and in
/// Wasm, where `usize` is 32 bits, so a document valid on one is valid on the other.
pub const MAX_COUNT: u64 = u32::MAX as u64;

/// Deserialize a count: a non-negative JSON integer up to [`MAX_COUNT`]. Negative is
/// `invalid_value`, a fraction `invalid_type`, above the bound (2^32, 2^53, 1e21) `too_large`,
/// with the same message on every platform.
pub(crate) fn count<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u64>,
{
    d.deserialize_any(CountVisitor)
        .and_then(|v| T::try_from(v).map_err(|_| serde::de::Error::custom(above(v))))
}

/// [`count`] for an optional field (`null` or absent = none); pair with `#[serde(default)]`.
pub(crate) fn count_opt<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u64>,
{
    struct Opt<T>(std::marker::PhantomData<T>);
    impl<'de, T: TryFrom<u64>> serde::de::Visitor<'de> for Opt<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a non-negative integer or null")
        }
        fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: serde::Deserializer<'de>>(
            self,
            d: D2,
        ) -> std::result::Result<Self::Value, D2::Error> {
            count(d).map(Some)
        }
    }
    d.deserialize_option(Opt(std::marker::PhantomData))
}

fn above(v: impl fmt::Display) -> String {
    tagged(
        Code::TooLarge,
        format!("integer `{v}` is too large: at most {MAX_COUNT}"),
    )
}

struct CountVisitor;

impl serde::de::Visitor<'_> for CountVisitor {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a non-negative integer")
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<u64, E> {
        if v > MAX_COUNT {
            return Err(E::custom(above(v)));
        }
        Ok(v)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<u64, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Signed(v), &self)),
        }
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<u64, E> {
        // Integers beyond u64 arrive as floats (`1e21`, or JSON.stringify of 2^70): an
        // integral float is still "too large", not "not an integer".
        let integral = v.is_finite() && v.fract() == 0.0;
        if integral && v < 0.0 {
            Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
        } else if integral && v > MAX_COUNT as f64 {
            Err(E::custom(above(v)))
        } else {
            Err(E::invalid_type(serde::de::Unexpected::Float(v), &self))
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Arrays and objects nest at most this deep in any document, the document's own object being
/// level 1: serde_json's own limit (it refuses the 128th level), which the hand-written readers
/// (the model reader, the catalog scanner) apply too. A deeper document is `too_large` at the
/// path of the first level too many. Measured in Wasm, a free-form value at this depth takes
/// about 66 KB of the 1 MB stack (tests/depth.rs, pkg-tests/depth.test.mjs).
pub const MAX_DEPTH: usize = 127;

/// The error for a value nested deeper than [`MAX_DEPTH`], at `path`.
pub fn too_deep(document: &'static str, path: impl Into<String>) -> Error {
    Error::new(
        Code::TooLarge,
        document,
        path,
        format!("arrays and objects nest at most {MAX_DEPTH} levels deep"),
    )
}

/// serde_json's recursion limit: a syntax error to serde, `too_large` to a document's author.
fn depth_exceeded(document: &'static str, e: Error, inner: &serde_json::Error) -> Error {
    if inner.classify() == serde_json::error::Category::Syntax
        && inner.to_string().starts_with("recursion limit exceeded")
    {
        too_deep(document, e.path)
    } else {
        e
    }
}

/// Deserialize a list of at most `MAX` elements, refused at element `MAX + 1` while it is read
/// (`too_large`, at the list's path): a ten-million-item list costs `MAX + 1` elements of work
/// and memory, not ten million. Use as `#[serde(deserialize_with = "error::at_most::<_, _, N>")]`.
pub(crate) fn at_most<'de, D, T, const MAX: usize>(d: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    struct Bounded<T, const MAX: usize>(std::marker::PhantomData<T>);
    impl<'de, T: serde::Deserialize<'de>, const MAX: usize> serde::de::Visitor<'de>
        for Bounded<T, MAX>
    {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> std::result::Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(e) = seq.next_element()? {
                if out.len() == MAX {
                    return Err(serde::de::Error::custom(tagged(
                        Code::TooLarge,
                        format!("at most {MAX} elements"),
                    )));
                }
                out.push(e);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Bounded::<T, MAX>(std::marker::PhantomData))
}

/// A string of at most `MAX` bytes, refused (`too_large`) before it is copied: serde_json hands
/// an unescaped string over in place, so a 10 MB value costs no 10 MB allocation. Use as
/// `#[serde(deserialize_with = "error::short::<_, MAX>")]` (`short_opt` for an `Option`).
pub(crate) fn short<'de, D, const MAX: usize>(d: D) -> std::result::Result<String, D::Error>
where
    D: serde::Deserializer<'de>,
{
    d.deserialize_str(Short::<MAX>)
}

/// [`short`] for an optional field (`null` or absent is `None`).
pub(crate) fn short_opt<'de, D, const MAX: usize>(
    d: D,
) -> std::result::Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Text<const MAX: usize>(String);
    impl<'de, const MAX: usize> serde::Deserialize<'de> for Text<MAX> {
        fn deserialize<D2: serde::Deserializer<'de>>(
            d: D2,
        ) -> std::result::Result<Self, D2::Error> {
            short::<_, MAX>(d).map(Text)
        }
    }
    <Option<Text<MAX>> as serde::Deserialize>::deserialize(d).map(|t| t.map(|t| t.0))
}

struct Short<const MAX: usize>;

impl<'de, const MAX: usize> serde::de::Visitor<'de> for Short<MAX> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<String, E> {
        if v.len() > MAX {
            return Err(E::custom(tagged(
                Code::TooLarge,
                format!("at most {MAX} bytes"),
            )));
        }
        Ok(v.to_owned())
    }
}

/// Deserialize a JSON document, keeping the path of the first problem.
pub fn from_json<T: serde::de::DeserializeOwned>(document: &'static str, text: &str) -> Result<T> {
    // serde also accepts a struct written as an array; a document must be an object.
    if text.trim_start().starts_with('[') {
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Err(e) => depth_exceeded(document, from_serde(document, String::new(), &e), &e),
            Ok(_) => Error::new(
                Code::InvalidType,
                document,
                "",
                "expected a JSON object, found an array",
            ),
        });
    }
    let mut de = serde_json::Deserializer::from_str(text);
    // Recursion in serde_json is limited ([`MAX_DEPTH`]), so deep nesting is an error, not a
    // stack overflow; values it ignores (unknown event keys) are skipped in a loop, not
    // recursively.
    let value: T = deserialize(document, &mut de)?;
    de.end()
        .map_err(|e| from_serde(document, String::new(), &e))?;
    Ok(value)
}

/// With the tools, an error names its JSON path (serde_path_to_error).
#[cfg(feature = "tools")]
fn deserialize<'de, T: serde::Deserialize<'de>>(
    document: &'static str,
    de: &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
) -> Result<T> {
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = clean_path(&e.path().to_string());
        depth_exceeded(document, from_serde(document, path, e.inner()), e.inner())
    })
}

/// The device runtime reads with serde only the config and offers sections of an engine image,
/// which the compiler checked with paths; a section that still fails (a hostile image) is
/// reported at the section, and the ~130 KB of path tracking stay out of the device `.wasm`.
/// Profiles, contexts and events have their own readers with paths (`crate::lean`).
#[cfg(not(feature = "tools"))]
fn deserialize<'de, T: serde::Deserialize<'de>>(
    document: &'static str,
    de: &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
) -> Result<T> {
    T::deserialize(de)
        .map_err(|e| depth_exceeded(document, from_serde(document, String::new(), &e), &e))
}

/// Deserialize from an already parsed JSON value (used for nested documents).
pub fn from_value<T: serde::de::DeserializeOwned>(
    document: &'static str,
    value: serde_json::Value,
) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = clean_path(&e.path().to_string());
        from_serde(document, path, e.inner())
    })
}

/// serde_path_to_error writes `.` for the root; very deep paths are cut to stay readable.
/// A syntax error right after a comma (`{"a":1,}`) is at a key not read yet, which it writes
/// `?`: the error is in the object itself.
fn clean_path(p: &str) -> String {
    let p = p.strip_suffix(".?").unwrap_or(p);
    if p == "." || p == "?" {
        return String::new();
    }
    shorten(p, MAX_PATH)
}

fn from_serde(document: &'static str, path: String, e: &serde_json::Error) -> Error {
    use serde_json::error::Category;
    let full = e.to_string();
    // serde_json appends " at line L column C"; keep it for syntax errors only.
    let msg = match e.classify() {
        // The last one: a quoted value may contain the words too.
        Category::Data => full
            .rsplit_once(" at line ")
            .map_or(full.as_str(), |(m, _)| m)
            .to_string(),
        _ => full.clone(),
    };
    let code = match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => Code::InvalidJson,
        Category::Data => {
            if msg.starts_with("missing field") {
                Code::MissingField
            } else if msg.starts_with("invalid type") {
                Code::InvalidType
            } else if let Some(code) = tagged_code(&msg) {
                code
            } else {
                Code::InvalidValue
            }
        }
    };
    let msg = strip_tag(&msg);
    // serde reports a missing field at its parent; point at the field itself.
    let names_field = code == Code::MissingField || msg.starts_with("duplicate field");
    let path = match (names_field, msg.split('`').nth(1)) {
        (true, Some(field)) if path.is_empty() => field.to_string(),
        (true, Some(field)) => format!("{path}.{field}"),
        _ => path,
    };
    Error::new(code, document, path, msg)
}

/// Custom deserializers signal a specific code with a `[code] ` prefix (serde errors carry
/// only a message).
pub(crate) fn tagged(code: Code, msg: impl fmt::Display) -> String {
    format!("[{}] {}", code.as_str(), msg)
}

fn tagged_code(msg: &str) -> Option<Code> {
    let rest = msg.strip_prefix('[')?;
    let end = rest.find(']')?;
    let tag = &rest[..end];
    [
        Code::InvalidTime,
        Code::InvalidValue,
        Code::TooLarge,
        Code::UnsupportedSchema,
    ]
    .into_iter()
    .find(|c| c.as_str() == tag)
}

fn strip_tag(msg: &str) -> String {
    if tagged_code(msg).is_some() {
        if let Some(i) = msg.find("] ") {
            return msg[i + 2..].to_string();
        }
    }
    msg.to_string()
}
