//! The JS face of the engine (Wasm only). Thin on purpose: inputs arrive as JS objects or
//! JSON strings and are parsed by the same Rust code as natively, so a decision is the same
//! bytes in Node, in a browser and in the native CLI. Errors become real JS `Error`s with
//! `code`, `path` and `document` properties.
//!
//! Two builds come from this file. The device build (no features) decides from engine images:
//! `Engine.fromImage`, `decide`, `track`, `Session`, `reveal`. The tools build (`--features
//! tools`, the package's `unisono/tools` entry, for Node back ends and back-office pages) adds
//! what authors artifacts: the JSON constructor, `compile`, `buildModel`,
//! `validate`. Everything a device page must not download sits behind `cfg(feature = "tools")`.

#[cfg(feature = "tools")]
use crate::builder::{self, Format};
use crate::error::{Code, Error};
#[cfg(feature = "tools")]
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
    Ok(String::from(&to_js_text(document, v)?))
}

/// The same text as a JS string, which stays in the JS heap until it is read (the catalog in
/// pieces), so the artifacts' texts do not sit in Wasm memory all at once.
fn to_js_text(document: &'static str, v: &JsValue) -> Result<js_sys::JsString, JsValue> {
    if v.is_string() {
        return Ok(js_sys::JsString::from(v.clone()));
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
        Ok(s) if s.is_string() => Ok(s),
        Ok(_) => Err(js_error(&Error::new(
            Code::InvalidJson,
            document,
            "",
            "not representable as JSON",
        ))),
        Err(_) => Err(js_error(&Error::new(
            Code::InvalidJson,
            document,
            "",
            "not representable as JSON (cycle or BigInt?)",
        ))),
    }
}

#[cfg(feature = "tools")]
/// Copies a JS string into Wasm a piece at a time: 64k UTF-16 units, never ending a piece
/// between the two halves of a surrogate pair.
fn js_pieces(s: &js_sys::JsString) -> impl FnMut(&mut String) -> bool + '_ {
    const PIECE: u32 = 1 << 16;
    let len = s.length();
    let mut at = 0u32;
    move |buf: &mut String| {
        if at >= len {
            return false;
        }
        let mut end = at.saturating_add(PIECE).min(len);
        if end < len && (0xD800..0xDC00).contains(&(s.char_code_at(end - 1) as u32)) {
            end -= 1;
        }
        buf.push_str(&String::from(s.slice(at, end)));
        at = end;
        true
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
}

/// Copies one text at a time into Wasm and drops it once parsed (the catalog's in pieces), so
/// no text is in Wasm memory together with the catalog's items.
#[cfg(feature = "tools")]
fn build(
    catalog: &js_sys::JsString,
    model: &js_sys::JsString,
    config: &js_sys::JsString,
    offers: Option<&js_sys::JsString>,
) -> Result<crate::decide::Engine, JsValue> {
    let err = |e: Error| js_error(&e);
    // The model is parsed first and its text dropped, so that text is never in memory together
    // with the catalog's items; a catalog error still wins over a model error, as in
    // `Engine::with_offers`.
    let parsed_model = crate::model::parse(&String::from(model));
    // The catalog, the largest text, is read in pieces; only a document the piecewise reader
    // cannot vouch for is copied whole, for the exact error.
    let catalog = match crate::catalog::Catalog::from_pieces(&mut js_pieces(catalog)) {
        Some(read) => read,
        None => crate::catalog::Catalog::from_json(&String::from(catalog)),
    }
    .map_err(err)?;
    let parsed_model = parsed_model.map_err(err)?;
    let resolved = crate::model::Model::resolve(parsed_model, &catalog).map_err(err)?;
    let config = crate::config::Config::from_json(&String::from(config)).map_err(err)?;
    let offers = match offers {
        Some(t) => crate::offers::Offers::from_json(&String::from(t)).map_err(err)?,
        None => crate::offers::Offers::empty(),
    };
    Ok(crate::decide::Engine::from_parts(
        catalog, resolved, config, offers,
    ))
}

#[wasm_bindgen]
impl Engine {
    /// Parse and validate the catalog, the model artifact (checksum verified), the config and
    /// (optional) the offer catalogue, whose eligibility rules are checked here.
    /// Throws a `UnisonoError` with `code`, `path` and `document` when one is invalid.
    #[cfg(feature = "tools")]
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Catalog | string")] catalog: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Model | string")] model: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Config | string")] config: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Offers | string | null")] offers: &JsValue,
    ) -> Result<Engine, JsValue> {
        let (c, m, k) = (
            to_js_text("catalog", catalog)?,
            to_js_text("model", model)?,
            to_js_text("config", config)?,
        );
        let o = if offers.is_undefined() || offers.is_null() {
            None
        } else {
            Some(to_js_text("offers", offers)?)
        };
        Ok(Engine {
            inner: build(&c, &m, &k, o.as_ref())?,
        })
    }

    /// Load a compiled engine image (`unisono compile`; docs/image.md): its bytes as a
    /// `Uint8Array`, from a file or a fetch. Checked (format version, bounds, every section's
    /// checksum) and decoded without parsing JSON; decides exactly as the engine built from the
    /// same documents. Throws a `UnisonoError` (document `image`) for a truncated, corrupted or
    /// foreign image. Such an engine has no JSON documents: `reload` throws `invalid_state`,
    /// load the next image with `Engine.fromImage`.
    #[wasm_bindgen(js_name = fromImage)]
    pub fn from_image(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &[u8],
    ) -> Result<Engine, JsValue> {
        crate::decide::Engine::from_image(bytes)
            .map(|inner| Engine { inner })
            .map_err(|e| js_error(&e))
    }

    /// Decide for one profile in one context. Returns
    /// `{decisionId, stateId, channel, placement, recommendations, offers, versions, …}`.
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn decide(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Profile | string")] profile: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Context | string")] context: &JsValue,
    ) -> Result<JsValue, JsValue> {
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
    #[wasm_bindgen(unchecked_return_type = "Tracked")]
    pub fn track(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Profile | string")] profile: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "ProfileEvent | string")] event: &JsValue,
    ) -> Result<JsValue, JsValue> {
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
    #[wasm_bindgen(getter, unchecked_return_type = "Versions")]
    pub fn versions(&self) -> Result<JsValue, JsValue> {
        parse_out(&serde_json::to_string(self.inner.versions()).unwrap_or_default())
    }

    /// What the engine image was compiled for: `{audience: 'full' | 'public', store, channel}`
    /// (`store` / `channel` null when the image serves every one). An engine built from JSON
    /// documents is `full` and unscoped.
    #[wasm_bindgen(getter, unchecked_return_type = "ImageScope")]
    pub fn scope(&self) -> Result<JsValue, JsValue> {
        let s = self.inner.scope();
        let json = serde_json::json!({
            "audience": s.audience.as_str(),
            "store": s.store,
            "channel": s.channel.map(|c| c.as_str()),
        });
        parse_out(&json.to_string())
    }

    /// The code of offer `offerId` as shown in decision `decisionId` (back ends, on the full
    /// image): decides again for `profile` and `context` and returns
    /// `{decisionId, offerId, locale, code}` only if that gives the same decision and it shows
    /// the offer; otherwise throws `invalid_value` (at `decisionId` or `offerId`). A public
    /// image holds no codes and refuses. Pass the back end's own copy of the profile, never
    /// one the device sent.
    #[wasm_bindgen(unchecked_return_type = "Revealed")]
    pub fn reveal(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Profile | string")] profile: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Context | string")] context: &JsValue,
        #[wasm_bindgen(js_name = decisionId)] decision_id: &str,
        #[wasm_bindgen(js_name = offerId)] offer_id: &str,
    ) -> Result<JsValue, JsValue> {
        let r = self
            .inner
            .reveal_json(
                &to_text("profile", profile)?,
                &to_text("context", context)?,
                decision_id,
                offer_id,
            )
            .map_err(|e| js_error(&e))?;
        parse_out(&serde_json::to_string(&r).unwrap_or_default())
    }
}

// `compile` (the image writer, ~19 KB of gzip'd Wasm) is authoring, not deciding: only the
// tools build (`--features tools`) exports it.
/// Compile the authoring documents into an engine image (the bytes `Engine.fromImage` and
/// `Engine.load` take): `options.audience` `'full'` (default; back ends) or `'public'` (no
/// offer codes nor rule texts: for customers' devices), `options.store` and `options.channel`
/// to keep only one store's or channel's data (a kiosk). Deterministic: the same documents and
/// options give the same bytes. Throws the documents' own errors, as `new Engine` does.
#[cfg(feature = "tools")]
#[wasm_bindgen]
pub fn compile(
    #[wasm_bindgen(unchecked_param_type = "Catalog | string")] catalog: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Model | string")] model: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Config | string")] config: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Offers | string | null")] offers: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CompileOptions | null")] options: &JsValue,
) -> Result<Vec<u8>, JsValue> {
    let scope = compile_scope(options)?;
    let offers = if offers.is_undefined() || offers.is_null() {
        None
    } else {
        Some(to_text("offers", offers)?)
    };
    crate::image::compile_scoped(
        &to_text("catalog", catalog)?,
        &to_text("model", model)?,
        &to_text("config", config)?,
        offers.as_deref(),
        &scope,
    )
    .map_err(|e| js_error(&e))
}

/// `{audience?, store?, channel?}` → a scope; unknown keys and values are `invalid_value`.
#[cfg(feature = "tools")]
fn compile_scope(options: &JsValue) -> Result<crate::image::Scope, JsValue> {
    use crate::image::{Audience, Scope};
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Options {
        audience: Option<String>,
        store: Option<String>,
        channel: Option<String>,
    }
    if options.is_undefined() || options.is_null() {
        return Ok(Scope::default());
    }
    let o: Options = crate::error::from_json("options", &to_text("options", options)?)
        .map_err(|e| js_error(&e))?;
    let bad =
        |path: &str, msg: String| js_error(&Error::new(Code::InvalidValue, "options", path, msg));
    let audience = match o.audience.as_deref() {
        None => Audience::Full,
        Some(a) => Audience::parse(a)
            .ok_or_else(|| bad("audience", format!("{a:?}: expected 'full' or 'public'")))?,
    };
    let channel = match o.channel.as_deref() {
        None => None,
        Some(c) => Some(
            crate::channel::Channel::parse(c)
                .ok_or_else(|| bad("channel", format!("unknown channel {c:?}")))?,
        ),
    };
    Ok(Scope {
        audience,
        store: o.store,
        channel,
    })
}

/// A customer's profile kept inside the engine between decisions, the fast path for a page or
/// kiosk that decides repeatedly for the same customer: the profile is parsed and hashed once,
/// `track` updates it in place, and `engine.decideSession(session, context)` skips both steps.
/// Free it with `session.free()` when the customer leaves (a FinalizationRegistry also frees
/// it once garbage-collected).
#[wasm_bindgen]
pub struct Session {
    inner: crate::decide::Session,
}

#[wasm_bindgen]
impl Session {
    /// Parse and validate a profile (object or JSON string) into a session.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Profile | string")] profile: &JsValue,
    ) -> Result<Session, JsValue> {
        crate::decide::Session::from_json(&to_text("profile", profile)?)
            .map(|inner| Session { inner })
            .map_err(|e| js_error(&e))
    }

    /// Record an event on the device (same rules as `engine.track`); returns the canonical
    /// event to export to the data platform. The next decision reflects it.
    #[wasm_bindgen(unchecked_return_type = "ProfileEventOutput")]
    pub fn track(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ProfileEvent | string")] event: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let e = self
            .inner
            .track(&to_text("event", event)?)
            .map_err(|e| js_error(&e))?;
        parse_out(&serde_json::to_string(&e).unwrap_or_default())
    }

    /// The customer id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.profile().id.clone()
    }

    /// The current profile as a plain object (for storage or export); `JSON.stringify(session)`
    /// gives its JSON.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Profile")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        parse_out(&self.inner.profile().to_json())
    }
}

#[wasm_bindgen]
impl Engine {
    /// Decide for a `Session` in one context: the same decision as `decide(profile, context)`
    /// with the session's profile, without re-reading the profile.
    #[wasm_bindgen(js_name = decideSession, unchecked_return_type = "Decision")]
    pub fn decide_session(
        &self,
        session: &Session,
        #[wasm_bindgen(unchecked_param_type = "Context | string")] context: &JsValue,
    ) -> Result<JsValue, JsValue> {
        parse_out(&self.decide_session_json(session, &to_text("context", context)?)?)
    }

    /// Like `decideSession`, with a context JSON string in and the decision JSON string out.
    #[wasm_bindgen(js_name = decideSessionJson)]
    pub fn decide_session_json(&self, session: &Session, context: &str) -> Result<String, JsValue> {
        let ctx = crate::decide::parse_context(&self.inner, context).map_err(|e| js_error(&e))?;
        Ok(self.inner.decide_session(&session.inner, &ctx).to_json())
    }
}

/// Build a model artifact (a `unisono.model/2` JSON string) from population events: `format`
/// is `"csv"` or `"ndjson"`; `params` (optional) overrides the build parameters, e.g. `{k: 20}`.
#[cfg(feature = "tools")]
#[wasm_bindgen(js_name = buildModel)]
pub fn build_model(
    events: &str,
    #[wasm_bindgen(unchecked_param_type = "'csv' | 'ndjson' | 'jsonl'")] format: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "BuildParams | string | null")] params: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | null")] version: Option<String>,
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
    Ok(doc.to_artifact(version.as_deref().unwrap_or("")).to_json())
}

/// Uplift of offers and recommendations per channel from an event stream (docs/measure.md):
/// `events` is the CSV or NDJSON text of profile events (with `user_id`), `format` `"csv"` or
/// `"ndjson"`; `offers` (optional) the catalogue whose control group and holdouts were in force;
/// `settings` (optional) a `unisono.measure/1` document. Returns the report (the `--json`
/// schema of `unisono measure`, docs/measure.md) and, as `html`, the self-contained HTML report.
#[cfg(feature = "tools")]
#[wasm_bindgen(unchecked_return_type = "MeasureResult")]
pub fn measure(
    events: &str,
    #[wasm_bindgen(unchecked_param_type = "'csv' | 'ndjson' | 'jsonl'")] format: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "Offers | string | null")] offers: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MeasureSettings | string | null")]
    settings: &JsValue,
) -> Result<JsValue, JsValue> {
    use crate::measure::stream::{self, Format};
    use crate::measure::{Measure, Settings};
    let err = |e: Error| js_error(&e);
    let format = match format {
        "csv" => Format::Csv,
        "ndjson" | "jsonl" => Format::Ndjson,
        _ => {
            return Err(err(Error::new(
                Code::InvalidValue,
                "params",
                "format",
                "format must be \"csv\" or \"ndjson\"",
            )))
        }
    };
    let absent = |v: &JsValue| v.is_undefined() || v.is_null();
    let offers = if absent(offers) {
        None
    } else {
        Some(crate::offers::Offers::from_json(&to_text("offers", offers)?).map_err(err)?)
    };
    let settings = if absent(settings) {
        Settings::default()
    } else {
        Settings::from_json(&to_text("settings", settings)?).map_err(err)?
    };
    let mut m = Measure::new(offers.as_ref(), settings).map_err(err)?;
    stream::read(events.as_bytes(), format, &mut m).map_err(err)?;
    let report = m.finish();
    let html = serde_json::to_string(&report.to_html()).unwrap_or_default();
    parse_out(&format!(
        "{{\"report\":{},\"html\":{html}}}",
        report.to_json()
    ))
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

// ---------------------------------------------------------------------------------------------
// Types and validation (issue 8). The documents' TypeScript types (src/types.d.ts, generated
// from the JSON Schemas by scripts/gen-types.mjs) and the API's own go into every .d.ts of the
// package. Exports name them with `unchecked_param_type` / `unchecked_optional_param_type` /
// `unchecked_return_type` wherever they take or return a JS object, as above: a new export
// follows the same pattern (pkg-tests/types.test.mjs fails on an `any` in a public signature).

#[wasm_bindgen(typescript_custom_section)]
const TS_DOCUMENT_TYPES: &str = include_str!("types.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const TS_API_TYPES: &str = r#"
/** The artifacts `engine.reload` replaces (objects or JSON strings); absent ones are kept, `offers: null` removes the offers. */
export interface Artifacts {
  catalog?: Catalog | string;
  model?: Model | string;
  config?: Config | string;
  offers?: Offers | string | null;
}

/** What `engine.track` returns: the updated profile and the canonical event to export. */
export interface Tracked {
  profile: Profile;
  event: ProfileEventOutput;
}

/** @deprecated renamed `ProfileEventOutput` (the input event is `ProfileEvent`; no `Event` type is exported, so the DOM's `Event` is never shadowed). */
export type EventOutput = ProfileEventOutput;

/** The stable error codes (`error.code`, `problem.code`). `invalid_state`: a method of a freed object, or a call before `init()`; `internal`: a fault inside the engine (a bug: please report it), after which the engine still answers. */
export type ErrorCode =
  | 'invalid_json' | 'invalid_type' | 'missing_field' | 'invalid_value' | 'invalid_time'
  | 'unsupported_schema' | 'duplicate' | 'unknown_reference' | 'too_large'
  | 'checksum_mismatch' | 'empty_catalog' | 'invalid_state' | 'internal';

/** What the API throws: a real `Error` (`instanceof UnisonoError`) with the code, the JSON path and the document. */
export declare class UnisonoError extends Error {
  private constructor();
  readonly name: 'UnisonoError';
  readonly code: ErrorCode;
  /** JSON path inside the document (`events[3].ts`); empty for the whole document. */
  readonly path: string;
  /** `catalog`, `model`, `config`, `offers`, `profile`, `context`, `event`, `events`, `artifacts`, `engine`, `session`, … */
  readonly document: string;
}

export interface Engine {
  /**
   * Atomically replace some artifacts: `{catalog?, model?, config?, offers?}` (objects or JSON
   * strings). Everything is validated (model checksum included) before the switch; on any error
   * this throws and the engine keeps serving the previous artifacts. An unknown key, or a key
   * whose getter throws, is an error. Returns the new `versions`. An engine loaded with
   * `Engine.fromImage` has no JSON documents to merge with: it throws `invalid_state` (load the
   * next image with `Engine.fromImage` instead).
   */
  reload(artifacts: Artifacts): Versions;
}

export declare namespace Engine {
  /**
   * Load an engine image asynchronously: from a URL (fetched; relative URLs resolve against the
   * page), a `Response` (or a promise of one, e.g. `fetch(...)`, read as it streams in), or the
   * bytes. Works in pages, Web Workers, Node and edge runtimes; a failed fetch is a
   * `UnisonoError` (`invalid_value` at `source`, document `image`).
   */
  function load(source: ImageSource): Promise<Engine>;
}

/** `compile` options: who the image is for, and the store / channel it is scoped to. */
export interface CompileOptions {
  /** `'full'` (default): everything, for back ends. `'public'`: no offer codes, no rule texts, stock as in/out only: for customers' devices. */
  audience?: 'full' | 'public';
  /** Keep only this store's stock and rankings (a kiosk's image); contexts for other stores are refused. */
  store?: string;
  /** Keep only this channel's rankings; contexts on other channels are refused. */
  channel?: Channel;
}

/** `engine.scope`: what the engine's image was compiled for (`null`: every store / channel). */
export interface ImageScope {
  audience: 'full' | 'public';
  store: string | null;
  channel: Channel | null;
}

/** What `engine.reveal` returns: the code of an offer as shown in one decision. */
export interface Revealed {
  decisionId: string;
  offerId: string;
  locale: string;
  /** Absent when the shown content has no code (a service message). */
  code?: string | null;
}

/** What `Engine.load` accepts: a URL (fetched), a `Response` (read), or the image's bytes. */
export type ImageSource = string | URL | Response | Uint8Array | ArrayBuffer | Promise<Response>;

/** `measure`'s settings (`unisono.measure/1`, docs/measure.md): attribution window, minimum sample, caps. */
export interface MeasureSettings {
  schema?: 'unisono.measure/1';
  window_days?: number;
  min_customers?: number;
  [setting: string]: unknown;
}

/** What `measure` returns: the report (the schema of `unisono measure --json`, docs/measure.md) and the self-contained HTML report. */
export interface MeasureResult {
  report: { [section: string]: unknown };
  html: string;
}

/** The documents `validate` checks. */
export type DocumentKind = 'profile' | 'catalog' | 'config' | 'context' | 'offers' | 'model';

/** One problem of a document, with the code and path its loader would throw. */
export interface Problem {
  code: ErrorCode;
  path: string;
  message: string;
}

/** What `validate` returns: `valid` is true when the engine accepts the document. */
export interface ValidationReport {
  valid: boolean;
  problems: Problem[];
}
"#;

/// Every problem of a document (object or JSON string), not only the first: each list element
/// (`events[i]`, `items[i]`, `offers[i]`, …) is checked on its own, so several are reported,
/// each with its `code` and JSON `path`; then duplicates and unknown references. At most 100.
/// Never throws: `{valid: true, problems: []}` when the engine accepts the document. `kind` is
/// `profile`, `catalog`, `config`, `context` (checked without a catalog: any store), `offers` or
/// `model`.
#[cfg(feature = "tools")]
#[wasm_bindgen(unchecked_return_type = "ValidationReport")]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "DocumentKind")] kind: &str,
    #[wasm_bindgen(unchecked_param_type = "unknown")] document: &JsValue,
) -> Result<JsValue, JsValue> {
    use crate::validate::{report_json, validate, Problem};
    let one = |code: Code, message: &str| {
        report_json(&[Problem {
            code,
            path: String::new(),
            message: message.to_string(),
        }])
    };
    let report = if let Some(text) = document.as_string() {
        report_json(&validate(kind, &text))
    } else if document.is_undefined() || document.is_null() {
        one(Code::MissingField, "no document given")
    } else {
        match js_sys::JSON::stringify(document)
            .ok()
            .and_then(|s| s.as_string())
        {
            Some(text) => report_json(&validate(kind, &text)),
            None => one(
                Code::InvalidJson,
                "not representable as JSON (cycle or BigInt?)",
            ),
        }
    };
    parse_out(&report)
}
