//! unisono: one personalization decision, every channel.
//!
//! The core is plain Rust (no wasm-bindgen types): [`decide::Engine`] is built once from a
//! catalog, a model artifact and a config, then answers `decide(profile, context)` with the
//! same recommendations on every channel. The `binding` module, compiled only for Wasm, is the
//! thin JS face of it.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod builder;
pub mod catalog;
pub mod channel;
pub mod config;
pub mod content;
pub mod context;
pub mod datasets;
pub mod decide;
pub mod error;
pub mod eval;
pub mod hash;
pub mod image;
pub mod import;
pub mod itemset;
/// The device runtime's serde-free readers (profile, context, event) and decision writer.
pub mod lean;
// Measured ROI from the event stream (docs/measure.md): an authoring tool (the CLI and the
// `unisono/tools` entry), never part of a decision.
#[cfg(feature = "tools")]
pub mod measure;
pub mod model;
pub mod offers;
pub mod profile;
pub mod recommend;
pub mod reveal;
pub mod rules;
#[cfg(feature = "schema")]
pub mod schema;
pub mod seal;
pub mod time;
pub mod validate;

#[cfg(target_arch = "wasm32")]
mod binding;

pub use decide::{Decision, Engine};
pub use error::{Code, Error};
