//! The device runtime's readers and writer, without serde: a hand-written JSON reader
//! ([`json`]) under the profile, context and event readers, and the decision written directly
//! ([`decision`]). They give the serde readers' values and errors (code, document, path and
//! message) and serde_json's bytes; `tests/lean_readers.rs` and the `lean_readers` fuzz target
//! compare the two on generated and corrupted documents.
//!
//! The profile's free-form `traits.attributes` are still `serde_json::Value`s (the `Profile`
//! type holds them): this module builds them by hand but keeps that data type.

pub mod context;
pub mod decision;
pub mod event;
pub mod json;
pub mod profile;
pub mod write;

pub use context::{read_context, read_context_unchecked};
pub use event::read_event;
pub use profile::read_profile;

use crate::error::{self, Code, Error};
use json::{Reader, Res};

/// Read a whole document with `read` (its root value), as `error::from_json` does: a document
/// that is an array is refused once its syntax is checked, and nothing may follow the value.
fn document<T>(
    document: &'static str,
    text: &str,
    read: impl FnOnce(&mut Reader) -> Res<T>,
) -> error::Result<T> {
    let mut r = Reader::new(text);
    if text.trim_start().starts_with('[') {
        return Err(match r.skip().and_then(|()| r.end()) {
            Err(f) => f.into_error(document, text),
            Ok(()) => Error::new(
                Code::InvalidType,
                document,
                "",
                "expected a JSON object, found an array",
            ),
        });
    }
    let value = read(&mut r).map_err(|f| f.into_error(document, text))?;
    r.end().map_err(|f| f.into_error(document, text))?;
    Ok(value)
}
