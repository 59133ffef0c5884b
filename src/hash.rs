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
                dst.copy_from_slice(&v.to_bits().to_le_bytes());
            }
            self.update(buf.get(..chunk.len() * 8).unwrap_or_default());
        }
    }

    pub fn hex(self) -> String {
        hex(&self.0.finalize())
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

/// SHA-256 (hex) of `serde_json::to_string(value)`, without building that string: the JSON is
/// written through a buffer straight into the hasher (serde_json writes token by token).
pub fn sha256_hex_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut hasher = Hasher::new();
    json_into(&mut hasher, value);
    hasher.hex()
}

/// Appends `serde_json::to_string(value)` to `hasher` (nothing if it cannot be serialized,
/// which the document types never are).
pub fn json_into<T: serde::Serialize + ?Sized>(hasher: &mut Hasher, value: &T) {
    use std::io::Write;
    let mut w = std::io::BufWriter::with_capacity(1 << 14, hasher);
    write_json(&mut w, value);
    let _ = w.flush();
}

/// `serde_json::to_writer` through a `dyn Write`: the artifacts are serialized to text and
/// into a hasher by one instantiation of their `Serialize` code instead of one per writer
/// type (it is the Wasm binary's size that counts here, not the virtual call per token).
pub fn write_json<T: serde::Serialize + ?Sized>(out: &mut dyn std::io::Write, value: &T) {
    let _ = serde_json::to_writer(out, value);
}

/// `serde_json::to_string` by [`write_json`].
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
