//! The JS face of the engine (Wasm only). Thin on purpose: inputs arrive as JS objects or
//! JSON strings and are parsed by the same Rust code as natively, so a decision is the same
//! bytes in Node, in a browser and in the native CLI. Errors become real JS `Error`s with
//! `code`, `path` and `document` properties.

use crate::builder::{self, Format};
use crate::error::{Code, Error};
use crate::model::BuildParams;
use wasm_bindgen::prelude::*;

fn js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("UnisonoError");
    let set = |k: &str, v: &str| {
        let _ = js_sys::Reflect::set(&err, &JsValue::from_str(k), &JsValue::from_str(v));
    };
    set("code", e.code.as_str());
    set("path", &e.path);
    set("document", e.document);
    err.into()
}

/// A JS object or a JSON string → JSON text. Objects go through `JSON.stringify`, so what
/// Rust parses is exactly what a JSON export of the object would contain.
fn to_text(document: &'static str, v: &JsValue) -> Result<String, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    if v.is_undefined() || v.is_null() {
        return Err(js_error(&Error::new(
            Code::MissingField,
            document,
            "",
            "no document given",
        )));
    }
    match js_sys::JSON::stringify(v) {
        Ok(s) => s.as_string().ok_or_else(|| {
            js_error(&Error::new(
                Code::InvalidJson,
                document,
                "",
                "not representable as JSON",
            ))
        }),
        Err(_) => Err(js_error(&Error::new(
            Code::InvalidJson,
            document,
            "",
            "not representable as JSON (cycle or BigInt?)",
        ))),
    }
}

fn doc_name(name: &str) -> &'static str {
    match name {
        "catalog" => "catalog",
        "model" => "model",
        _ => "config",
    }
}

fn parse_out(json: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(json)
}

/// The personalization engine: build it once from catalog, model and config (objects or JSON
/// strings), then call `decide(profile, context)` for every request on every channel.
#[wasm_bindgen]
pub struct Engine {
    inner: crate::decide::Engine,
    /// The artifacts' texts, so `reload` can replace some and rebuild from the rest.
    sources: Sources,
}

#[derive(Clone)]
struct Sources {
    catalog: String,
    model: String,
    config: String,
    offers: Option<String>,
}

impl Sources {
    fn build(&self) -> Result<crate::decide::Engine, JsValue> {
        crate::decide::Engine::with_offers(
            &self.catalog,
            &self.model,
            &self.config,
            self.offers.as_deref(),
        )
        .map_err(|e| js_error(&e))
    }
}

#[wasm_bindgen]
impl Engine {
    /// Parse and validate the catalog, the model artifact (checksum verified), the config and
    /// (optional) the offer catalogue, whose eligibility rules are checked here.
    /// Throws an `Error` with `code`, `path` and `document` when one is invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(
        catalog: &JsValue,
        model: &JsValue,
        config: &JsValue,
        offers: &JsValue,
    ) -> Result<Engine, JsValue> {
        let (c, m, k) = (
            to_text("catalog", catalog)?,
            to_text("model", model)?,
            to_text("config", config)?,
        );
        let o = if offers.is_undefined() || offers.is_null() {
            None
        } else {
            Some(to_text("offers", offers)?)
        };
        let sources = Sources {
            catalog: c,
            model: m,
            config: k,
            offers: o,
        };
        Ok(Engine {
            inner: sources.build()?,
            sources,
        })
    }

    /// Atomically replace some artifacts: `{catalog?, model?, config?, offers?}` (objects or
    /// JSON strings). Everything is validated (model checksum included) before the switch; on
    /// any error this throws and the engine keeps serving the previous artifacts. Returns the
    /// new `versions`.
    pub fn reload(&mut self, artifacts: &JsValue) -> Result<JsValue, JsValue> {
        let mut next = self.sources.clone();
        let get = |name: &str| js_sys::Reflect::get(artifacts, &JsValue::from_str(name)).ok();
        let present = |v: &Option<JsValue>| v.as_ref().is_some_and(|v| !v.is_undefined());
        if !artifacts.is_object() {
            return Err(js_error(&Error::new(
                Code::InvalidType,
                "artifacts",
                "",
                "reload takes an object {catalog?, model?, config?, offers?}",
            )));
        }
        for (name, slot) in [
            ("catalog", &mut next.catalog),
            ("model", &mut next.model),
            ("config", &mut next.config),
        ] {
            let v = get(name);
            if present(&v) {
                *slot = to_text(doc_name(name), v.as_ref().unwrap_or(&JsValue::UNDEFINED))?;
            }
        }
        let offers = get("offers");
        if present(&offers) {
            let v = offers.unwrap_or(JsValue::UNDEFINED);
            next.offers = if v.is_null() {
                None
            } else {
                Some(to_text("offers", &v)?)
            };
        }
        let inner = next.build()?;
        self.inner = inner;
        self.sources = next;
        self.versions()
    }

    /// Decide for one profile in one context. Returns
    /// `{decisionId, stateId, channel, placement, recommendations, offers, versions, …}`.
    pub fn decide(&self, profile: &JsValue, context: &JsValue) -> Result<JsValue, JsValue> {
        let json =
            self.decide_json(&to_text("profile", profile)?, &to_text("context", context)?)?;
        parse_out(&json)
    }

    /// Like `decide`, with JSON strings in and the canonical decision JSON string out.
    #[wasm_bindgen(js_name = decideJson)]
    pub fn decide_json(&self, profile: &str, context: &str) -> Result<String, JsValue> {
        self.inner
            .decide_json(profile, context)
            .map(|d| d.to_json())
            .map_err(|e| js_error(&e))
    }

    /// Record an event on the device: returns `{profile, event}` — the updated profile (event
    /// appended in time order, cart updated by add / remove / purchase) to pass to the next
    /// `decide` on any channel, and the canonical event to export to the data platform.
    pub fn track(&self, profile: &JsValue, event: &JsValue) -> Result<JsValue, JsValue> {
        let mut p = crate::profile::Profile::from_json(&to_text("profile", profile)?)
            .map_err(|e| js_error(&e))?;
        let e = p
            .track(&to_text("event", event)?)
            .map_err(|e| js_error(&e))?;
        let event = serde_json::to_string(&e).unwrap_or_default();
        parse_out(&format!(
            "{{\"profile\":{},\"event\":{event}}}",
            p.to_json()
        ))
    }

    /// `{engine, catalog, model, config}` versions this engine serves.
    #[wasm_bindgen(getter)]
    pub fn versions(&self) -> Result<JsValue, JsValue> {
        parse_out(&serde_json::to_string(self.inner.versions()).unwrap_or_default())
    }
}

/// Build a model artifact (JSON string) from population events: `format` is `"csv"` or
/// `"ndjson"`; `params` (optional) overrides the build parameters, e.g. `{k: 20}`.
#[wasm_bindgen(js_name = buildModel)]
pub fn build_model(
    events: &str,
    format: &str,
    params: &JsValue,
    version: Option<String>,
) -> Result<String, JsValue> {
    let fmt = Format::parse(format).ok_or_else(|| {
        js_error(&Error::new(
            Code::InvalidValue,
            "params",
            "format",
            "format must be \"csv\" or \"ndjson\"",
        ))
    })?;
    let params: BuildParams = if params.is_undefined() || params.is_null() {
        BuildParams::default()
    } else {
        crate::error::from_json("params", &to_text("params", params)?).map_err(|e| js_error(&e))?
    };
    let events = builder::parse_events(events, fmt).map_err(|e| js_error(&e))?;
    let doc = builder::build(
        &events,
        &params,
        version.as_deref().unwrap_or(""),
        &mut |_, _, _| {},
    )
    .map_err(|e| js_error(&e))?;
    Ok(doc.to_json())
}

/// The engine's version (the crate version).
#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    crate::decide::ENGINE_VERSION.to_string()
}

/// Bytes of Wasm linear memory in use by this instance (it only grows; watch it stay flat).
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) as f64) * 65536.0
}
