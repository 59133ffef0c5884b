//! Hashes for checksums and decision ids. SHA-256: the same bytes on every runtime, and a
//! well-known function an auditor can recompute.

use sha2::{Digest, Sha256};

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push(hex_digit(b >> 4));
        s.push(hex_digit(b & 15));
    }
    s
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
