//! JSON text written by hand, byte for byte as serde_json writes it: strings escaped the same
//! way (`\"`, `\\`, `\b \f \n \r \t`, `\u00XX` for the other control characters; `/` and
//! non-ASCII as they are), doubles in the same shortest round-trip form (the `zmij` crate
//! serde_json itself calls), integers in decimal. `canonical` is [`crate::hash::Canonical`]:
//! a zero is never written `-0.0`.

use crate::profile::Event;
use crate::time::{write_rfc3339, Timestamp};

/// A JSON string literal.
pub fn string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        // `i` is an ASCII byte, so both cuts are on character boundaries.
        out.push_str(s.get(start..i).unwrap_or_default());
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(
                HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
            ));
            out.push(char::from(
                HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
            ));
        } else {
            out.push_str(short);
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// A double; `null` when it is not finite (serde_json's choice).
pub fn float(out: &mut String, v: f64, canonical: bool) {
    if !v.is_finite() {
        out.push_str("null");
        return;
    }
    let v = if canonical { v + 0.0 } else { v };
    out.push_str(zmij::Buffer::new().format_finite(v));
}

pub fn int<I: itoa::Integer>(out: &mut String, v: I) {
    out.push_str(itoa::Buffer::new().format(v));
}

pub fn bool(out: &mut String, v: bool) {
    out.push_str(if v { "true" } else { "false" });
}

/// A time as RFC 3339, quoted (its text never needs escaping).
pub fn time(out: &mut String, t: Timestamp) {
    let mut buf = [0u8; 24];
    let n = write_rfc3339(t, &mut buf);
    out.push('"');
    out.push_str(std::str::from_utf8(buf.get(..n).unwrap_or_default()).unwrap_or_default());
    out.push('"');
}

/// `,"name":` (`name` is a field name: never escaped).
pub fn key(out: &mut String, name: &str) {
    out.push_str(",\"");
    out.push_str(name);
    out.push_str("\":");
}

pub fn opt_string(out: &mut String, name: &str, v: &Option<String>) {
    if let Some(s) = v {
        key(out, name);
        string(out, s);
    }
}

pub fn opt_float(out: &mut String, name: &str, v: Option<f64>, canonical: bool) {
    if let Some(x) = v {
        key(out, name);
        float(out, x, canonical);
    }
}

/// A list, each element written by `each`.
pub fn list<T>(out: &mut String, items: &[T], mut each: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
    out.push(']');
}

/// An event as `serde_json::to_string` writes it (`canonical`: as the decision and the
/// digests write it).
pub fn event(out: &mut String, e: &Event, canonical: bool) {
    out.push_str("{\"type\":");
    string(out, e.kind.as_str());
    opt_string(out, "sku", &e.sku);
    opt_string(out, "category", &e.category);
    key(out, "channel");
    string(out, e.channel.as_str());
    opt_string(out, "store", &e.store);
    key(out, "ts");
    time(out, e.ts);
    opt_float(out, "quantity", e.quantity, canonical);
    opt_float(out, "price", e.price, canonical);
    opt_string(out, "offer", &e.offer);
    opt_string(out, "query", &e.query);
    out.push('}');
}

/// [`event`] into a new string.
pub fn event_json(e: &Event, canonical: bool) -> String {
    let mut out = String::with_capacity(128);
    event(&mut out, e, canonical);
    out
}
