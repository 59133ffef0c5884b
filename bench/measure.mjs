// The Wasm half of the benchmark, shared by Node and the browser page: engine load, linear
// memory, and `decide` latency through the three ways of handing a profile to the engine.
//   object  — engine.decide(profileObject, contextObject): JSON.stringify in JS, parse in Wasm,
//             decision parsed back to an object (the convenient path);
//   json    — engine.decideJson(profileText, contextText) → decision text;
//   session — a Session parsed once (kept inside Wasm, updated by track), then
//             engine.decideSession(session, context) → decision object (the documented default).
// No Node APIs here: the browser page imports this file too.
// `load` (optional) builds the engine, e.g. `() => Engine.fromImage(bytes)` for the image path;
// `paths` (optional) limits which of the three ways are timed (the image runs time `session`).

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];

function time(iters, f) {
  const warm = Math.ceil(iters / 10);
  for (let i = 0; i < warm; i++) f();
  const v = new Float64Array(iters);
  for (let i = 0; i < iters; i++) {
    const t = performance.now();
    f();
    v[i] = (performance.now() - t) * 1000;
  }
  v.sort();
  return { p50_us: +percentile(v, 0.5).toFixed(1), p99_us: +percentile(v, 0.99).toFixed(1) };
}

export function measure(pkg, texts, { profileSizes, itersFor, load, paths = ['object', 'json', 'session'] }) {
  const { Engine, Session, wasmMemoryBytes } = pkg;
  load ??= () => new Engine(texts.catalog, texts.model, texts.config, texts.offers);
  const loads = [];
  let engine;
  for (let i = 0; i < 3; i++) {
    engine?.free();
    const t = performance.now();
    engine = load();
    loads.push(performance.now() - t);
  }
  loads.sort((a, b) => a - b);
  const memoryAfterLoad = wasmMemoryBytes();
  const context = { channel: 'web', placement: 'home', now: '2026-11-23T12:00:00Z' };
  const contextText = JSON.stringify(context);
  const decide = {};
  let sample;
  for (const p of profileSizes) {
    const text = texts.profiles[p];
    const object = JSON.parse(text);
    const session = new Session(text);
    const iters = itersFor(p);
    const same = engine.decideJson(text, contextText) === engine.decideSessionJson(session, contextText);
    if (!same) throw new Error(`session and JSON paths disagree for the ${p}-event profile`);
    const ways = {
      object: () => engine.decide(object, context),
      json: () => engine.decideJson(text, contextText),
      session: () => engine.decideSession(session, context),
    };
    decide[p] = Object.fromEntries(paths.map((w) => [w, time(iters, ways[w])]));
    // The 200-event decision as text: run.mjs checks the image engine reproduces the JSON one.
    if (p === 200) sample = engine.decideSessionJson(session, contextText);
    session.free();
  }
  const result = {
    load_ms: +loads[1].toFixed(1),
    wasm_memory_mb_after_load: +(memoryAfterLoad / 1048576).toFixed(1),
    wasm_memory_mb_after_decides: +(wasmMemoryBytes() / 1048576).toFixed(1),
    decide,
    decision_200: sample,
  };
  engine.free();
  return result;
}

export const itersFor = (p) => (p >= 2000 ? 300 : 2000);
export const PROFILE_SIZES = [0, 20, 200, 2000];
