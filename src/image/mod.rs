//! Engine images: the catalog, the resolved model, the config and the offers compiled into one
//! versioned binary file that an [`Engine`](crate::decide::Engine) loads without parsing JSON or
//! hashing the catalog (`Engine::from_image`, `unisono compile`). docs/image.md has the byte
//! layout and the versioning policy.
//!
//! The container ([`format`]): a 64-byte header (magic, format version, section count, length,
//! image id), a table of `(kind, flags, offset, length, xxh3-64)` entries, then 8-byte aligned
//! sections. Each section is checksummed on its own, so a section is content-addressed by its
//! checksum and can later be shipped apart from the others (shards); the image id is SHA-256
//! over the header, the table and the small manifest only, never over the bulk.
//!
//! Inside a section, data is in columns (`u64` count, then little-endian `u32` / `f64` values,
//! each column 8-byte aligned) and every string is a `u32` id into one interned string table:
//! the layout a later runtime reads in place. This first slice still decodes the columns into
//! the engine's existing heap structures ([`crate::catalog::Catalog`], [`crate::model::Model`]),
//! so it saves the JSON parse and the catalog hash but not the per-string allocations.
//!
//! Config and offers are stored as their canonical JSON text and parsed at load: they are small.
//! Compiling them (rules against interned ids, explanation templates) is the next slice's work;
//! so is the zero-copy runtime. An image has an audience and a scope ([`scope`]): a `public`
//! image holds no offer codes nor rule texts, a store- or channel-scoped one only that store's
//! or channel's data.
//!
//! An image is never trusted: every offset, length, count and index is checked, every section's
//! checksum is verified before it is read, and a truncated, corrupted or hostile image is a
//! coded [`Error`](crate::error::Error) (document `image`), never a panic. The checksums catch
//! accidents (a truncated download, a flipped bit), not forgery: an image is exactly as
//! trustworthy as whoever compiled it.

pub mod format;
mod read;
pub mod scope;
// The compiler is an authoring tool; the device runtime only reads images.
#[cfg(feature = "tools")]
mod write;

pub use read::{load, Loaded, Manifest};
pub use scope::{Audience, Scope};
#[cfg(feature = "tools")]
pub use write::{compile, compile_parts, compile_parts_scoped, compile_scoped};

use crate::error::{Code, Error};

/// Section kinds (the table's `kind`). Their numbers are part of the format.
pub const KIND_MANIFEST: u32 = 1;
pub const KIND_STRINGS: u32 = 2;
pub const KIND_STORES: u32 = 3;
pub const KIND_ITEMS: u32 = 4;
pub const KIND_NEIGHBOURS: u32 = 5;
pub const KIND_RANKINGS: u32 = 6;
pub const KIND_REPURCHASE: u32 = 7;
pub const KIND_CONFIG: u32 = 8;
pub const KIND_OFFERS: u32 = 9;

/// Item flag: `availability.channels` is listed (else every channel).
pub(crate) const ITEM_CHANNELS_LISTED: u32 = 1;

/// Score column kinds in the neighbours section.
pub(crate) const SCORES_FIXED: u32 = 0;
pub(crate) const SCORES_FLOAT: u32 = 1;

/// Which rankings a list belongs to, and its scope.
pub(crate) const SCOPE_GLOBAL: u32 = 0;
pub(crate) const SCOPE_CHANNEL: u32 = 1;
pub(crate) const SCOPE_STORE: u32 = 2;

/// At most this many sections in an image.
pub const MAX_SECTIONS: usize = 64;
/// At most this many bytes in an image (the format's offsets are 64-bit; a device holds less).
pub const MAX_IMAGE_BYTES: u64 = 1 << 32;
/// At most this many strings in the string table (every item has ~10; 1M items).
pub const MAX_STRINGS: usize = 50_000_000;
/// At most this many bytes of strings.
pub const MAX_STRING_BYTES: usize = 1 << 31;

pub(crate) fn section_name(kind: u32) -> &'static str {
    match kind {
        KIND_MANIFEST => "manifest",
        KIND_STRINGS => "strings",
        KIND_STORES => "stores",
        KIND_ITEMS => "items",
        KIND_NEIGHBOURS => "neighbours",
        KIND_RANKINGS => "rankings",
        KIND_REPURCHASE => "repurchase",
        KIND_CONFIG => "config",
        KIND_OFFERS => "offers",
        _ => "unknown",
    }
}

pub(crate) fn err(code: Code, path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::new(code, "image", path, message)
}

/// A channel's code in an image (part of the format: never renumber).
pub(crate) fn channel_code(c: crate::channel::Channel) -> u32 {
    use crate::channel::Channel::*;
    match c {
        Web => 0,
        App => 1,
        Kiosk => 2,
        Store => 3,
        Email => 4,
        CallCenter => 5,
    }
}

pub(crate) fn channel_from_code(code: u32) -> Option<crate::channel::Channel> {
    crate::channel::Channel::ALL
        .into_iter()
        .find(|&c| channel_code(c) == code)
}
