// The package's public JS API: a thin layer over the wasm-bindgen glue (scripts/package.mjs
// wraps it into the web entry unisono.js and the CommonJS entry node.cjs).
//
// Why a layer at all: the generated glue trusts its caller. Given a number where it expects a
// string, a freed object or another class's object, it throws untyped errors or passes a null
// pointer into Wasm; and any exception that unwinds through Wasm frames (a trap, a stack
// overflow) leaves the instance's shadow-stack pointer where it was, so every later call on
// EVERY object of the instance fails. Here, all caller code (getters, toJSON, Proxies) runs
// before Wasm is entered, every argument is checked, every failure becomes a `UnisonoError`
// with `code`, `path` and `document`, and an exception that escapes Wasm puts the stack pointer
// back, so the instance stays usable.

/** What the API throws: a real `Error` with a stable code, the JSON path and the document. */
export class UnisonoError extends Error {
  constructor(code, path, document, message) {
    super(message);
    this.name = 'UnisonoError';
    this.code = code;
    this.path = path;
    this.document = document;
  }
}

/** Error messages quote at most this much of a caller's value. */
const QUOTE = 200;

function isBytes(v) {
  return ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
}

function describe(v) {
  if (v === null) return 'null';
  try {
    if (Array.isArray(v)) return 'an array';
    if (isBytes(v)) return 'bytes (a Buffer or typed array)';
    if (v instanceof Map || v instanceof Set) return `a ${v.constructor.name}`;
  } catch {
    return 'a revoked Proxy';
  }
  if (v === undefined) return 'undefined';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function fail(code, path, document, message) {
  const where = path ? `${document}: ${path}` : document;
  return new UnisonoError(code, path, document, `${where}: ${message}`);
}

/**
 * A JSON text as a JS string, refused if it holds a lone surrogate: copying it into Wasm
 * (UTF-8) would turn one into U+FFFD, a different document, while `JSON.stringify` of an object
 * escapes it (`"\ud800"`), which the engine refuses as `invalid_json`. Same code both ways.
 */
function wellFormed(document, text) {
  const ok = typeof text.isWellFormed === 'function'
    ? text.isWellFormed()
    : !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
  if (!ok) throw fail('invalid_json', '', document, 'a lone surrogate (U+D800–U+DFFF) is not text: the JSON cannot be read as UTF-8');
  return text;
}

/** A document given as a JSON string or a plain object → its JSON text. */
function documentText(document, v) {
  if (typeof v === 'string') return wellFormed(document, v);
  if (v === undefined || v === null) throw fail('missing_field', '', document, 'no document given');
  if (typeof v === 'bigint') throw fail('invalid_json', '', document, 'not representable as JSON (a BigInt)');
  let text;
  try {
    if (typeof v !== 'object' || isBytes(v)) {
      throw fail('invalid_type', '', document, `expected a JSON string or an object, got ${describe(v)}`);
    }
    text = JSON.stringify(v);
  } catch (e) {
    if (e instanceof UnisonoError) throw e;
    const why = String(e?.message ?? e).slice(0, QUOTE);
    throw fail('invalid_json', '', document, `not representable as JSON (a cycle, a BigInt, a revoked Proxy or a throwing getter?): ${why}`);
  }
  if (typeof text !== 'string') throw fail('invalid_json', '', document, 'not representable as JSON');
  return text;
}

/** A parameter that must be a JSON string (the `…Json` methods). */
function jsonText(document, v) {
  if (typeof v === 'string') return wellFormed(document, v);
  throw fail('invalid_type', '', document, `expected a JSON string, got ${describe(v)}`);
}

function optionalText(document, v) {
  return v === undefined || v === null ? null : documentText(document, v);
}

/**
 * The API over one glue module. `instance()` returns the Wasm instance's exports once it is
 * initialised (undefined before); `ready()` initialises it (the web entry's `init`); `build` is
 * `'device'` (engines from images only) or `'tools'` (also from JSON documents, and the
 * authoring functions).
 */
export function createApi(glue, instance, ready = async () => {}, build = 'tools') {
  // Calls into Wasm in progress: only the outermost one may reset the stack pointer.
  let active = 0;

  const stackPointer = () => instance()?.__stack_pointer;

  function enter(document, call) {
    const exports = instance();
    if (!exports) throw fail('invalid_state', '', document, 'the Wasm module is not initialised: `await init()` first');
    const sp = active === 0 ? stackPointer()?.value : undefined;
    active++;
    try {
      return call();
    } catch (e) {
      throw thrown(e, document, sp);
    } finally {
      active--;
    }
  }

  /** Whatever a glue call threw → a UnisonoError; repairs the instance after a foreign throw. */
  function thrown(e, document, sp) {
    if (e instanceof UnisonoError) return e;
    if (e?.name === 'UnisonoError' && typeof e.code === 'string') {
      return new UnisonoError(e.code, e.path ?? '', e.document ?? document, e.message);
    }
    // A trap or a stack overflow escaped the Rust code, which never throws on purpose: unwinding
    // skipped the functions' epilogues, so put the shadow stack back where the call began.
    if (sp !== undefined) stackPointer().value = sp;
    const why = String(e?.message ?? e).slice(0, QUOTE);
    return fail('internal', '', document, `internal error, the call was abandoned: ${why}`);
  }

  /** The glue object behind `self`, or a coded error for a freed or foreign receiver. */
  function live(self, has, get, what) {
    if (self === null || typeof self !== 'object' || !has(self)) {
      throw fail('invalid_type', '', what.toLowerCase(), `not a unisono ${what} (a method called on another object?)`);
    }
    const g = get(self);
    if (!g) throw fail('invalid_state', '', what.toLowerCase(), `this ${what} was freed`);
    return g;
  }

  /** The glue Session behind a Session (module-private, for `decideSession`). */
  let unwrapSession;

  class Session {
    #glue = null;

    static {
      unwrapSession = (s) => live(s, (x) => #glue in x, (x) => x.#glue, 'Session');
    }

    /** Parse and validate a profile (object or JSON string) into a session. */
    constructor(profile) {
      const text = documentText('profile', profile);
      this.#glue = enter('profile', () => new glue.Session(text));
    }

    /** Record an event on the device (same rules as `engine.track`); returns the canonical event. */
    track(event) {
      const text = documentText('event', event);
      const g = unwrapSession(this);
      return enter('event', () => g.track(text));
    }

    /** The customer id. */
    get id() {
      const g = unwrapSession(this);
      return enter('session', () => g.id);
    }

    /** The current profile as a plain object (for storage or export). */
    toJSON() {
      const g = unwrapSession(this);
      return enter('session', () => g.toJSON());
    }

    /** Release the session's Wasm memory now (a FinalizationRegistry also does once it is collected). */
    free() {
      if (!(#glue in this) || !this.#glue) return;
      const g = this.#glue;
      this.#glue = null;
      g.free();
    }
  }

  const SOURCES = ['catalog', 'model', 'config', 'offers'];
  /** Passed to the Engine constructor by `fromImage` only (module-private: callers cannot). */
  const FROM_GLUE = Symbol('unisono.fromGlue');

  /** An engine image's bytes as a Uint8Array (a Buffer is one), else a coded error. */
  function imageBytes(v) {
    let tag;
    try {
      tag = Object.prototype.toString.call(v);
      if (tag === '[object Uint8Array]') return v;
      if (tag === '[object ArrayBuffer]') return new Uint8Array(v);
    } catch (e) {
      throw fail('invalid_type', '', 'image', `its bytes could not be read: ${String(e?.message ?? e).slice(0, QUOTE)}`);
    }
    throw fail('invalid_type', '', 'image', `expected the image's bytes as a Uint8Array or an ArrayBuffer, got ${describe(v)}`);
  }

  class Engine {
    #glue = null;
    /** The artifacts' JSON texts (JS strings), so `reload` can replace some and rebuild from the rest. */
    #sources = null;

    static #unwrap(e) {
      return live(e, (x) => #glue in x, (x) => x.#glue, 'Engine');
    }

    static #build(s) {
      return enter('catalog', () => new glue.Engine(s.catalog, s.model, s.config, s.offers));
    }

    /** Build the engine from catalog, model, config and (optional) offers: objects or JSON strings. */
    constructor(catalog, model, config, offers) {
      if (catalog === FROM_GLUE) {
        this.#glue = model;
        return;
      }
      if (build !== 'tools') {
        throw fail('invalid_state', '', 'catalog', "this is the device runtime, which decides from compiled engine images: `await Engine.load(url)` or `Engine.fromImage(bytes)` (compile them with `unisono compile` or `compile` from 'unisono/tools'); to build an engine from JSON documents, import Engine from 'unisono/tools'");
      }
      const sources = {
        catalog: documentText('catalog', catalog),
        model: documentText('model', model),
        config: documentText('config', config),
        offers: optionalText('offers', offers),
      };
      this.#glue = Engine.#build(sources);
      this.#sources = sources;
    }

    /**
     * Load a compiled engine image (`unisono compile`): a Uint8Array (or Buffer) or an
     * ArrayBuffer. Decides as the engine built from the same documents; `reload` of JSON
     * documents is refused on it (`invalid_state`): load the next image instead.
     */
    static fromImage(bytes) {
      const view = imageBytes(bytes);
      return new Engine(FROM_GLUE, enter('image', () => glue.Engine.fromImage(view)));
    }

    /**
     * Load an engine image asynchronously from a URL, a `Response` (or a promise of one) or
     * bytes; initialises the Wasm module first if needed. Works in pages, workers, Node and
     * edge runtimes.
     */
    static async load(source) {
      const [bytes] = await Promise.all([(async () => imageFrom(await source))(), ready()]);
      return Engine.fromImage(bytes);
    }

    /**
     * Atomically replace some artifacts `{catalog?, model?, config?, offers?}`; everything is
     * validated before the switch, and on any error the engine keeps serving the previous ones.
     */
    reload(artifacts) {
      Engine.#unwrap(this);
      if (this.#sources === null) {
        throw fail('invalid_state', '', 'artifacts', 'this engine was loaded from an image, which JSON documents cannot be merged into: load the next image with Engine.fromImage');
      }
      const kind = describe(artifacts);
      if (kind !== 'an object') {
        throw fail('invalid_type', '', 'artifacts', `reload takes an object {catalog?, model?, config?, offers?}, got ${kind}`);
      }
      const next = { ...this.#sources };
      let keys;
      try {
        keys = Object.keys(artifacts);
      } catch (e) {
        throw fail('invalid_value', '', 'artifacts', `its keys could not be read: ${String(e?.message ?? e).slice(0, QUOTE)}`);
      }
      for (const key of keys) {
        if (!SOURCES.includes(key)) {
          throw fail('invalid_value', key.slice(0, QUOTE), 'artifacts', 'unknown artifact (expected catalog, model, config or offers)');
        }
        let v;
        try {
          v = artifacts[key];
        } catch (e) {
          throw fail('invalid_value', key, 'artifacts', `reading it threw: ${String(e?.message ?? e).slice(0, QUOTE)}`);
        }
        if (v === undefined) continue;
        next[key] = key === 'offers' ? optionalText('offers', v) : documentText(key, v);
      }
      // Checked again: a getter of `artifacts` may have freed this engine.
      const old = Engine.#unwrap(this);
      const built = Engine.#build(next);
      this.#glue = built;
      this.#sources = next;
      old.free();
      return this.versions;
    }

    /** Decide for one profile in one context (objects or JSON strings). */
    decide(profile, context) {
      const p = documentText('profile', profile);
      const c = documentText('context', context);
      const g = Engine.#unwrap(this);
      return enter('profile', () => g.decide(p, c));
    }

    /** Like `decide`, with JSON strings in and the canonical decision JSON string out. */
    decideJson(profile, context) {
      const p = jsonText('profile', profile);
      const c = jsonText('context', context);
      const g = Engine.#unwrap(this);
      return enter('profile', () => g.decideJson(p, c));
    }

    /** Decide for a `Session` in one context. */
    decideSession(session, context) {
      const c = documentText('context', context);
      const s = unwrapSession(session);
      const g = Engine.#unwrap(this);
      return enter('context', () => g.decideSession(s, c));
    }

    /** Like `decideSession`, with a context JSON string in and the decision JSON string out. */
    decideSessionJson(session, context) {
      const c = jsonText('context', context);
      const s = unwrapSession(session);
      const g = Engine.#unwrap(this);
      return enter('context', () => g.decideSessionJson(s, c));
    }

    /** Record an event: returns `{profile, event}`. */
    track(profile, event) {
      const p = documentText('profile', profile);
      const e = documentText('event', event);
      const g = Engine.#unwrap(this);
      return enter('event', () => g.track(p, e));
    }

    /** `{audience, store, channel}`: what this engine's image was compiled for. */
    get scope() {
      const g = Engine.#unwrap(this);
      return enter('engine', () => g.scope);
    }

    /**
     * The code of an offer shown in a decision (back ends, full image): decides again and
     * reveals only if the decision id matches and the decision shows the offer.
     */
    reveal(profile, context, decisionId, offerId) {
      const p = documentText('profile', profile);
      const c = documentText('context', context);
      for (const [path, v] of [['decisionId', decisionId], ['offerId', offerId]]) {
        if (typeof v !== 'string') throw fail('invalid_type', path, 'reveal', `expected a string, got ${describe(v)}`);
        wellFormed('reveal', v);
      }
      const g = Engine.#unwrap(this);
      return enter('reveal', () => g.reveal(p, c, decisionId, offerId));
    }

    /** `{engine, catalog, model, config, offers}` versions this engine serves. */
    get versions() {
      const g = Engine.#unwrap(this);
      return enter('engine', () => g.versions);
    }

    /** Release the engine's Wasm memory now (a FinalizationRegistry also does once it is collected). */
    free() {
      if (!(#glue in this) || !this.#glue) return;
      const g = this.#glue;
      this.#glue = null;
      this.#sources = null;
      g.free();
    }
  }

  if (typeof Symbol.dispose === 'symbol') {
    for (const C of [Engine, Session]) C.prototype[Symbol.dispose] = C.prototype.free;
  }

  /** An image source (URL, Response, bytes) → its bytes. */
  async function imageFrom(source) {
    if (typeof source === 'string' || source instanceof URL) {
      if (typeof fetch !== 'function') throw fail('invalid_value', 'source', 'image', 'this runtime has no fetch: pass the bytes or a Response');
      let response;
      try {
        response = await fetch(source);
      } catch (e) {
        throw fail('invalid_value', 'source', 'image', `fetching ${String(source).slice(0, QUOTE)} failed: ${String(e?.message ?? e).slice(0, QUOTE)}`);
      }
      return imageFrom(response);
    }
    if (typeof Response === 'function' && source instanceof Response) {
      if (!source.ok) throw fail('invalid_value', 'source', 'image', `${String(source.url).slice(0, QUOTE) || 'the response'}: HTTP ${source.status}`);
      try {
        return new Uint8Array(await source.arrayBuffer());
      } catch (e) {
        throw fail('invalid_value', 'source', 'image', `reading the response failed: ${String(e?.message ?? e).slice(0, QUOTE)}`);
      }
    }
    return imageBytes(source);
  }

  function compile(catalog, model, config, offers, options) {
    const texts = [
      documentText('catalog', catalog),
      documentText('model', model),
      documentText('config', config),
      optionalText('offers', offers),
      optionalText('options', options),
    ];
    return enter('catalog', () => glue.compile(...texts));
  }

  function measure(events, format, offers, settings) {
    const ev = jsonText('events', events);
    if (typeof format !== 'string') throw fail('invalid_type', 'format', 'params', `format must be "csv" or "ndjson", got ${describe(format)}`);
    const o = optionalText('offers', offers);
    const st = optionalText('settings', settings);
    return enter('events', () => glue.measure(ev, format, o, st));
  }

  function buildModel(events, format, params, version) {
    const ev = jsonText('events', events);
    if (typeof format !== 'string') throw fail('invalid_type', 'format', 'params', `format must be "csv" or "ndjson", got ${describe(format)}`);
    const p = optionalText('params', params);
    if (version !== undefined && version !== null && typeof version !== 'string') {
      throw fail('invalid_type', 'version', 'params', `version must be a string, got ${describe(version)}`);
    }
    return enter('events', () => glue.buildModel(ev, format, p, version ?? null));
  }

  /** Every problem of a document. Never throws: a problem report for any input. */
  function validate(kind, document) {
    const report = (code, message) => ({ valid: false, problems: [{ code, path: '', message }] });
    if (typeof kind !== 'string') return report('invalid_type', `validate: kind must be a string, got ${describe(kind)}`);
    let text;
    try {
      text = documentText(kind.slice(0, QUOTE), document);
    } catch (e) {
      return report(e.code, e.message.slice(kind.length + 2));
    }
    try {
      return enter(kind, () => glue.validate(kind, text));
    } catch (e) {
      return report(e.code ?? 'internal', String(e?.message ?? e).slice(0, 2 * QUOTE));
    }
  }

  const engineVersion = () => enter('engine', () => glue.engineVersion());
  const wasmMemoryBytes = () => enter('engine', () => glue.wasmMemoryBytes());

  // The authoring functions are in the tools build (`unisono/tools`) only.
  if (build === 'tools') {
    return { Engine, Session, UnisonoError, buildModel, compile, measure, validate, engineVersion, wasmMemoryBytes };
  }
  return { Engine, Session, UnisonoError, engineVersion, wasmMemoryBytes };
}
