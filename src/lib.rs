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

// What ends up where. The device runtime (`unisono_bg.wasm`, built with
// `--no-default-features`) is the modules below without a `tools` gate; the authoring tools
// (`feature = "tools"`, on by default: the CLI, the tests and `tools_bg.wasm`) add the gated
// ones. The device build compiling at all proves that no runtime module uses a tools module.

// Shared basics.
pub mod channel;
pub mod error;
pub mod hash;
pub mod itemset;
pub mod time;

// The documents as the engine holds them (their JSON readers serve the tools and the tests).
pub mod catalog;
pub mod config;
pub mod model;
pub mod offers;
pub mod profile;

// The device runtime: images in; profiles, contexts and events read, decisions written.
pub mod content;
pub mod context;
pub mod decide;
pub mod image;
/// The device runtime's serde-free readers (profile, context, event) and decision writer.
pub mod lean;
pub mod recommend;
pub mod reveal;
pub mod rules;

// The authoring tools.
#[cfg(feature = "tools")]
pub mod builder;
#[cfg(feature = "tools")]
pub mod datasets;
#[cfg(feature = "tools")]
pub mod eval;
#[cfg(feature = "tools")]
pub mod import;
// Measured ROI from the event stream (docs/measure.md), never part of a decision.
#[cfg(feature = "tools")]
pub mod measure;
#[cfg(feature = "schema")]
pub mod schema;
#[cfg(feature = "tools")]
pub mod seal;
#[cfg(feature = "tools")]
pub mod validate;

#[cfg(target_arch = "wasm32")]
mod binding;

pub use decide::{Decision, Engine};
pub use error::{Code, Error};
