//! Hashes for checksums and decision ids. SHA-256: the same bytes on every runtime, and a
//! well-known function an auditor can recompute.

use sha2::{Digest, Sha256};

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    let mut s = String::with_capacity(64);
    for &b in digest {
        s.push(hex_digit(b >> 4));
        s.push(hex_digit(b & 15));
    }
    s
}

/// SHA-256 fed piece by piece: a document serialized straight into it ([`sha256_hex_json`]) or
/// binary columns ([`Hasher::u32s`]), so no copy of the whole text is ever built to be hashed.
#[derive(Clone, Default)]
pub struct Hasher(Sha256);

impl Hasher {
    pub fn new() -> Hasher {
        Hasher::default()
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// A column of integers: its length (u64), then each value (u32), little-endian.
    pub fn u32s(&mut self, values: &[u32]) {
        self.update(&(values.len() as u64).to_le_bytes());
        let mut buf = [0u8; 4096];
        for chunk in values.chunks(buf.len() / 4) {
            for (dst, v) in buf.chunks_exact_mut(4).zip(chunk) {
                dst.copy_from_slice(&v.to_le_bytes());
            }
            self.update(buf.get(..chunk.len() * 4).unwrap_or_default());
        }
    }

    /// A column of numbers: its length (u64), then each value's IEEE-754 bits (u64),
    /// little-endian.
    pub fn f64s(&mut self, values: &[f64]) {
        self.update(&(values.len() as u64).to_le_bytes());
        let mut buf = [0u8; 4096];
        for chunk in values.chunks(buf.len() / 8) {
            for (dst, v) in buf.chunks_exact_mut(8).zip(chunk) {
                // `+ 0.0` turns -0 into 0: the sign of a zero is lost in a JS round trip.
                dst.copy_from_slice(&(v + 0.0).to_bits().to_le_bytes());
            }
            self.update(buf.get(..chunk.len() * 8).unwrap_or_default());
        }
    }

    pub fn hex(self) -> String {
        hex(&self.0.finalize())
    }

    pub fn digest(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// serde_json's compact JSON with every zero written `0.0`, never `-0.0`.
///
/// What is hashed (content hashes, checksums, decision ids) must be the same for a document
/// given as JSON text and as a JS object, which reaches the engine through `JSON.stringify`:
/// that writes -0 as `0`. Everything else serde_json writes is already canonical for the
/// engine's types: struct fields in declaration order, maps sorted by key (`BTreeMap`, and
/// `serde_json::Value` without `preserve_order`), a typed `f64` as the shortest text that
/// reads back to the same double however it was spelled (`1`, `1.0`, `1e0` are all `1.0`).
/// Numbers inside free-form `Value`s are put in one form at load by [`canonical_numbers`].
#[derive(Clone, Copy, Default)]
pub struct Canonical;

impl serde_json::ser::Formatter for Canonical {
    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        serde_json::ser::CompactFormatter.write_f64(w, value + 0.0)
    }

    fn write_f32<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        value: f32,
    ) -> std::io::Result<()> {
        serde_json::ser::CompactFormatter.write_f32(w, value + 0.0)
    }
}

/// Puts every number in a free-form JSON value (an eligibility rule, profile attributes) in
/// the one form a JS round trip gives it: a whole number within ±2^53 is an integer (`1.0`,
/// `1e0`, `-0` become `1`, `1`, `0`), anything else the double it reads as (an integer beyond
/// 2^53 is only that precise in JS, and the engine compares numbers as doubles anyway).
/// Iterative: a value nested thousands deep costs no stack.
pub fn canonical_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Number(n) => *n = canonical_number(n),
            Value::Array(a) => stack.extend(a.iter_mut()),
            Value::Object(m) => stack.extend(m.values_mut()),
            _ => {}
        }
    }
}

fn canonical_number(n: &serde_json::Number) -> serde_json::Number {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    let Some(f) = n.as_f64() else {
        return n.clone();
    };
    if f.fract() == 0.0 && f.abs() <= EXACT {
        // Exact conversions: |f| ≤ 2^53 and whole.
        if f >= 0.0 {
            serde_json::Number::from(f as u64)
        } else {
            serde_json::Number::from(f as i64)
        }
    } else {
        serde_json::Number::from_f64(f).unwrap_or_else(|| n.clone())
    }
}

/// SHA-256 (hex) of [`to_json`]`(value)`, without building that string: the JSON is
/// written through a buffer straight into the hasher (serde_json writes token by token).
pub fn sha256_hex_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut hasher = Hasher::new();
    json_into(&mut hasher, value);
    hasher.hex()
}

/// Appends [`to_json`]`(value)` to `hasher` (nothing if it cannot be serialized, which the
/// document types never are).
pub fn json_into<T: serde::Serialize + ?Sized>(hasher: &mut Hasher, value: &T) {
    use std::io::Write;
    let mut w = std::io::BufWriter::with_capacity(1 << 14, hasher);
    write_json(&mut w, value);
    let _ = w.flush();
}

/// The [`Canonical`] JSON of `value` through a `dyn Write`: the artifacts are serialized to
/// text and into a hasher by one instantiation of their `Serialize` code instead of one per
/// writer type (it is the Wasm binary's size that counts here, not the virtual call per token).
pub fn write_json<T: serde::Serialize + ?Sized>(out: &mut dyn std::io::Write, value: &T) {
    let mut ser = serde_json::Serializer::with_formatter(out, Canonical);
    let _ = value.serialize(&mut ser);
}

/// The [`Canonical`] JSON of `value`, for an output that is compared byte for byte (a
/// decision): static dispatch, unlike [`to_json`], as it is on every decision's path.
pub fn to_canonical_string<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::with_capacity(1024);
    canonical_into(&mut out, value);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends the [`Canonical`] JSON of `value` to `out`, by static dispatch: for what is
/// serialized per event (a profile's digest hashes every event; through `dyn Write` that was
/// 1.5x slower at 100k events).
pub fn canonical_into<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let mut ser = serde_json::Serializer::with_formatter(out, Canonical);
    let _ = value.serialize(&mut ser);
}

/// The [`Canonical`] JSON of `value` as a string (by [`write_json`]).
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    write_json(&mut out, value);
    String::from_utf8(out).unwrap_or_default()
}

/// Check an artifact's declared `"sha256:<hex>"` (or bare hex) against its content hash.
pub fn verify_declared(
    document: &'static str,
    declared: Option<&str>,
    actual_hex: &str,
) -> crate::error::Result<()> {
    let Some(d) = declared else {
        return Ok(());
    };
    let hex = d.strip_prefix("sha256:").unwrap_or(d);
    if hex.eq_ignore_ascii_case(actual_hex) {
        return Ok(());
    }
    Err(crate::error::Error::new(
        crate::error::Code::ChecksumMismatch,
        document,
        "checksum",
        format!("the content's SHA-256 is sha256:{actual_hex}: the document was changed after sealing (or sealed by another engine version)"),
    ))
}

/// Lowercase hex digit of a nibble (`n` is always `< 16` here).
fn hex_digit(n: u8) -> char {
    char::from_digit(u32::from(n), 16).unwrap_or('0')
}

/// A fixed multiplicative hasher (FxHash-like) for item ids and skus in the per-decision maps: much
/// cheaper than SipHash, and seedless, so it never depends on the runtime's randomness (the
/// maps are still never iterated into an output).
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl core::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.mix(u64::from(b));
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }
}

impl IdHasher {
    fn mix(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// `HashMap<String, V>` with [`IdHasher`] (sku lookups; never iterated into an output).
pub type StrMap<V> = std::collections::HashMap<String, V, core::hash::BuildHasherDefault<IdHasher>>;

/// `HashMap<u32, V>` with [`IdHasher`].
pub type IdMap<V> = std::collections::HashMap<u32, V, core::hash::BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    #[test]
    fn known_vector() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
