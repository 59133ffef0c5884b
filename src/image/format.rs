//! The container: a fixed header, a section table, and 8-byte aligned sections each with its own
//! xxh3-64 checksum; plus the column codec the sections are written in. Nothing here knows what
//! a section means (that is `write.rs` / `read.rs`).

use super::{err, section_name, KIND_MANIFEST, MAX_IMAGE_BYTES, MAX_SECTIONS};
use crate::error::{self, Code};

/// The first 8 bytes of every image. Like PNG's: a non-ASCII first byte, then CR LF, ^Z and LF,
/// so a transfer that rewrites line endings or stops at ^Z is caught before anything else.
pub const MAGIC: [u8; 8] = [0x89, b'U', b'N', b'I', b'\r', b'\n', 0x1a, b'\n'];
/// The container and section layout this reader reads; any other is `unsupported_schema`.
pub const FORMAT_VERSION: u32 = 2;
pub const HEADER_LEN: usize = 64;
pub const ENTRY_LEN: usize = 32;
/// Every section and every column inside one starts at a multiple of this: a later runtime
/// reads `u32` / `f64` columns in place.
pub const ALIGN: usize = 8;
/// Table entry flag: a reader that does not know the section's kind may skip it (a later slice
/// adds sections an older runtime can ignore). Without it, an unknown kind is refused.
pub const FLAG_OPTIONAL: u32 = 1;

/// xxh3-64 of a section's bytes, as the table stores it.
pub fn checksum(bytes: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(bytes)
}

fn pad_len(len: usize) -> usize {
    (ALIGN - len % ALIGN) % ALIGN
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Sections in the order they are added (kinds unique: the writer's own code adds them).
#[derive(Default)]
pub struct ImageWriter {
    sections: Vec<(u32, u32, Vec<u8>)>,
}

impl ImageWriter {
    pub fn add(&mut self, kind: u32, flags: u32, bytes: Vec<u8>) {
        self.sections.push((kind, flags, bytes));
    }

    /// The image: header, table, then each section padded with zeros to [`ALIGN`]. The image
    /// id is SHA-256 over the header's first 32 bytes, the table and the manifest section.
    pub fn finish(self) -> Vec<u8> {
        let table_end = HEADER_LEN + ENTRY_LEN * self.sections.len();
        let mut offset = table_end;
        let mut table = Vec::with_capacity(ENTRY_LEN * self.sections.len());
        for (kind, flags, bytes) in &self.sections {
            table.extend_from_slice(&kind.to_le_bytes());
            table.extend_from_slice(&flags.to_le_bytes());
            table.extend_from_slice(&(offset as u64).to_le_bytes());
            table.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            table.extend_from_slice(&checksum(bytes).to_le_bytes());
            offset += bytes.len() + pad_len(bytes.len());
        }
        let mut out = Vec::with_capacity(offset);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(HEADER_LEN as u32).to_le_bytes());
        out.extend_from_slice(&(self.sections.len() as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(offset as u64).to_le_bytes());
        let manifest = self
            .sections
            .iter()
            .find(|s| s.0 == KIND_MANIFEST)
            .map_or(&[][..], |s| s.2.as_slice());
        out.extend_from_slice(&image_id(&out, &table, manifest));
        out.extend_from_slice(&table);
        for (_, _, bytes) in &self.sections {
            out.extend_from_slice(bytes);
            out.resize(out.len() + pad_len(bytes.len()), 0);
        }
        out
    }
}

fn image_id(head: &[u8], table: &[u8], manifest: &[u8]) -> [u8; 32] {
    let mut h = crate::hash::Hasher::new();
    h.update(head.get(..32).unwrap_or_default());
    h.update(table);
    h.update(manifest);
    h.digest()
}

/// One section's bytes, built column by column. A column starts at a multiple of [`ALIGN`]
/// (from the section's start) with its element count as a u64, then the elements,
/// little-endian: so the data itself is aligned for its type.
#[derive(Default)]
pub struct Out(Vec<u8>);

impl Out {
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    fn align(&mut self) {
        let n = pad_len(self.0.len());
        self.0.resize(self.0.len() + n, 0);
    }

    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub fn i64(&mut self, v: i64) {
        self.align();
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn count(&mut self, n: usize) {
        self.align();
        self.0.extend_from_slice(&(n as u64).to_le_bytes());
    }

    pub fn u32s(&mut self, values: impl ExactSizeIterator<Item = u32>) {
        self.count(values.len());
        for v in values {
            self.0.extend_from_slice(&v.to_le_bytes());
        }
    }

    pub fn f64s(&mut self, values: impl ExactSizeIterator<Item = f64>) {
        self.count(values.len());
        for v in values {
            self.0.extend_from_slice(&v.to_bits().to_le_bytes());
        }
    }

    pub fn bytes(&mut self, bytes: &[u8]) {
        self.count(bytes.len());
        self.0.extend_from_slice(bytes);
    }
}

/// Recompute the table's checksums and the image id of an edited image, wherever its header
/// and table are still readable: for tests and fuzzing, so that an edit reaches the decoders
/// instead of stopping at the checksums. Never needed to use an image.
pub fn reseal(image: &mut [u8]) {
    let count = le_u32(image, 16).unwrap_or(0) as usize;
    for i in 0..count.min(MAX_SECTIONS) {
        let at = HEADER_LEN + i * ENTRY_LEN;
        let (Some(offset), Some(len)) = (le_u64(image, at + 8), le_u64(image, at + 16)) else {
            return;
        };
        let range = usize::try_from(offset)
            .ok()
            .and_then(|o| Some(o..o.checked_add(usize::try_from(len).ok()?)?));
        let Some(sum) = range.and_then(|r| image.get(r)).map(checksum) else {
            continue;
        };
        if let Some(slot) = image.get_mut(at + 24..at + 32) {
            slot.copy_from_slice(&sum.to_le_bytes());
        }
    }
    let table_end = HEADER_LEN + ENTRY_LEN * count.min(MAX_SECTIONS);
    let manifest = (0..count.min(MAX_SECTIONS)).find_map(|i| {
        let at = HEADER_LEN + i * ENTRY_LEN;
        (le_u32(image, at)? == KIND_MANIFEST).then_some(())?;
        let o = usize::try_from(le_u64(image, at + 8)?).ok()?;
        let l = usize::try_from(le_u64(image, at + 16)?).ok()?;
        image.get(o..o.checked_add(l)?)
    });
    let id = image_id(
        image.get(..HEADER_LEN).unwrap_or_default(),
        image.get(HEADER_LEN..table_end).unwrap_or_default(),
        manifest.unwrap_or_default(),
    );
    if let Some(slot) = image.get_mut(32..64) {
        slot.copy_from_slice(&id);
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

/// A section whose bounds and checksum were verified.
#[derive(Debug, Clone, Copy)]
pub struct Section<'a> {
    pub kind: u32,
    pub flags: u32,
    /// Its position in the table (for error paths: `sections[3]`).
    pub index: usize,
    pub bytes: &'a [u8],
}

/// A verified container: every section inside the image, aligned, not overlapping, checksum
/// matching; the image id matching the header, table and manifest.
#[derive(Debug)]
pub struct Container<'a> {
    pub id: [u8; 32],
    pub sections: Vec<Section<'a>>,
}

fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

fn le_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(b.try_into().ok()?))
}

/// Check the header, the table and every section's checksum. Nothing of a section is read
/// before this returns.
pub fn parse(image: &[u8]) -> error::Result<Container<'_>> {
    let header = image.get(..HEADER_LEN).ok_or_else(|| {
        err(
            Code::InvalidValue,
            "",
            format!("{} bytes: shorter than the header", image.len()),
        )
    })?;
    if header.get(..8) != Some(&MAGIC[..]) {
        return Err(err(
            Code::UnsupportedSchema,
            "magic",
            "not a unisono engine image (wrong magic bytes)",
        ));
    }
    let field = |at| le_u32(header, at).unwrap_or(u32::MAX);
    let version = field(8);
    if version != FORMAT_VERSION {
        return Err(err(
            Code::UnsupportedSchema,
            "format_version",
            format!("image format {version}; this engine reads format {FORMAT_VERSION} (compile the image again with this version)"),
        ));
    }
    if field(12) as usize != HEADER_LEN || field(20) != 0 {
        return Err(err(
            Code::UnsupportedSchema,
            "header",
            "unknown header length or flags",
        ));
    }
    let count = field(16) as usize;
    if count > MAX_SECTIONS {
        return Err(err(
            Code::TooLarge,
            "section_count",
            format!("{count} sections: at most {MAX_SECTIONS}"),
        ));
    }
    let declared = le_u64(header, 24).unwrap_or(u64::MAX);
    if declared > MAX_IMAGE_BYTES {
        return Err(err(
            Code::TooLarge,
            "length",
            format!("at most {MAX_IMAGE_BYTES} bytes"),
        ));
    }
    if declared != image.len() as u64 {
        return Err(err(
            Code::InvalidValue,
            "length",
            format!(
                "the header says {declared} bytes, the image has {} (truncated or padded)",
                image.len()
            ),
        ));
    }
    let table_end = HEADER_LEN + ENTRY_LEN * count;
    let table = image.get(HEADER_LEN..table_end).ok_or_else(|| {
        err(
            Code::InvalidValue,
            "sections",
            "the section table runs past the end",
        )
    })?;
    let mut sections: Vec<Section> = Vec::with_capacity(count);
    let mut sums = Vec::with_capacity(count);
    let mut end = table_end;
    for i in 0..count {
        let path = format!("sections[{i}]");
        let at = i * ENTRY_LEN;
        let (kind, flags) = (
            le_u32(table, at).unwrap_or(0),
            le_u32(table, at + 4).unwrap_or(0),
        );
        let (offset, len, sum) = (
            le_u64(table, at + 8).unwrap_or(u64::MAX),
            le_u64(table, at + 16).unwrap_or(u64::MAX),
            le_u64(table, at + 24).unwrap_or(0),
        );
        if flags & !FLAG_OPTIONAL != 0 {
            return Err(err(Code::UnsupportedSchema, path, "unknown section flags"));
        }
        if sections.iter().any(|s| s.kind == kind) {
            return Err(err(
                Code::Duplicate,
                path,
                format!("a second {} section", section_name(kind)),
            ));
        }
        let start = usize::try_from(offset).ok().filter(|&o| o >= end);
        let stop = start.and_then(|s| s.checked_add(usize::try_from(len).ok()?));
        let bytes = match (start, stop) {
            (Some(s), Some(e)) if s % ALIGN == 0 => image.get(s..e),
            _ => None,
        };
        let Some(bytes) = bytes else {
            return Err(err(
                Code::InvalidValue,
                path,
                format!("offset {offset} and length {len}: outside the image, unaligned, or overlapping the table or the previous section"),
            ));
        };
        end = stop.unwrap_or(usize::MAX);
        sections.push(Section {
            kind,
            flags,
            index: i,
            bytes,
        });
        sums.push(sum);
    }
    let manifest = sections
        .iter()
        .find(|s| s.kind == KIND_MANIFEST)
        .map_or(&[][..], |s| s.bytes);
    let id = image_id(header, table, manifest);
    if header.get(32..64) != Some(&id[..]) {
        return Err(err(
            Code::ChecksumMismatch,
            "image_id",
            "the header, section table or manifest do not match the image id (corrupted)",
        ));
    }
    for (s, &sum) in sections.iter().zip(&sums) {
        if checksum(s.bytes) != sum {
            return Err(err(
                Code::ChecksumMismatch,
                format!("sections[{}]", s.index),
                format!(
                    "the {} section does not match its checksum (corrupted)",
                    section_name(s.kind)
                ),
            ));
        }
    }
    Ok(Container { id, sections })
}

/// Reads one section's columns in order; every read is bounds-checked and a column's count is
/// checked against its limit and the bytes left before anything is allocated.
pub struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Error path prefix: the section's name.
    name: &'static str,
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8], name: &'static str) -> Cursor<'a> {
        Cursor { bytes, at: 0, name }
    }

    fn truncated(&self, what: &str) -> error::Error {
        err(
            Code::InvalidValue,
            format!("{}.{what}", self.name),
            "the section ends inside this field (truncated)",
        )
    }

    fn take(&mut self, n: usize, what: &str) -> error::Result<&'a [u8]> {
        let end = self.at.checked_add(n).ok_or_else(|| self.truncated(what))?;
        let b = self
            .bytes
            .get(self.at..end)
            .ok_or_else(|| self.truncated(what))?;
        self.at = end;
        Ok(b)
    }

    fn align(&mut self, what: &str) -> error::Result<()> {
        let n = pad_len(self.at);
        self.take(n, what).map(|_| ())
    }

    pub fn u32(&mut self, what: &str) -> error::Result<u32> {
        let b = self.take(4, what)?;
        Ok(le_u32(b, 0).unwrap_or_default())
    }

    pub fn i64(&mut self, what: &str) -> error::Result<i64> {
        self.align(what)?;
        let b = self.take(8, what)?;
        Ok(le_u64(b, 0).unwrap_or_default() as i64)
    }

    /// A column's element count: at most `max`, and its `size`-byte elements inside the section.
    fn count(&mut self, size: usize, max: usize, what: &str) -> error::Result<usize> {
        self.align(what)?;
        let b = self.take(8, what)?;
        let n = le_u64(b, 0).unwrap_or(u64::MAX);
        let n = usize::try_from(n)
            .ok()
            .filter(|&n| n <= max)
            .ok_or_else(|| {
                err(
                    Code::TooLarge,
                    format!("{}.{what}", self.name),
                    format!("{n} entries: at most {max}"),
                )
            })?;
        let left = self.bytes.len().saturating_sub(self.at);
        if n.checked_mul(size).is_none_or(|total| total > left) {
            return Err(self.truncated(what));
        }
        Ok(n)
    }

    pub fn u32s(&mut self, max: usize, what: &str) -> error::Result<Vec<u32>> {
        let n = self.count(4, max, what)?;
        let b = self.take(n * 4, what)?;
        Ok(b.chunks_exact(4)
            .map(|c| le_u32(c, 0).unwrap_or_default())
            .collect())
    }

    pub fn f64s(&mut self, max: usize, what: &str) -> error::Result<Vec<f64>> {
        let n = self.count(8, max, what)?;
        let b = self.take(n * 8, what)?;
        Ok(b.chunks_exact(8)
            .map(|c| f64::from_bits(le_u64(c, 0).unwrap_or_default()))
            .collect())
    }

    pub fn bytes(&mut self, max: usize, what: &str) -> error::Result<&'a [u8]> {
        let n = self.count(1, max, what)?;
        self.take(n, what)
    }

    /// Nothing may follow the last column (a section's length excludes the padding after it).
    pub fn finish(self) -> error::Result<()> {
        if self.at != self.bytes.len() {
            return Err(err(
                Code::InvalidValue,
                format!("{}.end", self.name),
                format!(
                    "{} unexpected bytes after the last column",
                    self.bytes.len() - self.at
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_round_trip_aligned() {
        let mut o = Out::default();
        o.u32(7);
        o.f64s([1.5, -0.0].into_iter());
        o.u32s([3, 4, 5].into_iter());
        o.bytes(b"abc");
        let bytes = o.into_bytes();
        assert_eq!((bytes.len() - 3) % ALIGN, 0);
        let mut c = Cursor::new(&bytes, "t");
        assert_eq!(c.u32("a").unwrap(), 7);
        let f = c.f64s(10, "f").unwrap();
        assert_eq!(f[1].to_bits(), (-0.0f64).to_bits());
        assert_eq!(c.u32s(10, "u").unwrap(), vec![3, 4, 5]);
        assert_eq!(c.bytes(10, "b").unwrap(), b"abc");
        c.finish().unwrap();
    }

    #[test]
    fn counts_past_the_section_are_refused_before_allocating() {
        let mut o = Out::default();
        o.u32s([1].into_iter());
        let mut bytes = o.into_bytes();
        bytes[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        let e = Cursor::new(&bytes, "t").u32s(usize::MAX, "u").unwrap_err();
        assert_eq!(e.code, Code::InvalidValue);
        let e = Cursor::new(&bytes, "t").u32s(10, "u").unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (Code::TooLarge, "t.u"));
    }
}
