// The JS boundary (issue 15, classes 2, 3, 9 and 11): whatever a caller passes, and in whatever
// order it calls, every failure is a coded `UnisonoError` (never a WebAssembly.RuntimeError, a
// TypeError from the glue or "recursive use of an object"), and afterwards the same engine
// answers the golden decision byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unisono, sample, sampleEngine, pkgDir } from './helpers.mjs';

const { Engine, Session, UnisonoError, validate, buildModel } = unisono;
const now = sample.scenarios.now;
const anna = JSON.stringify(sample.profile('cust-anna'));
const ctx = JSON.stringify({ channel: 'web', now });
const event = JSON.stringify({ type: 'view', sku: 'HK-COF-0001', channel: 'app', ts: now });

/** Every way a caller can get an argument's type wrong. */
const WRONG = [
  ['undefined', undefined], ['null', null], ['a number', 42], ['NaN', NaN], ['a boolean', true],
  ['a BigInt', 10n], ['a symbol', Symbol('s')], ['a function', () => 1], ['a Buffer', Buffer.from(anna)],
  ['a Uint8Array', new Uint8Array(4)], ['an ArrayBuffer', new ArrayBuffer(4)], ['a Map', new Map([['a', 1]])],
  ['a Date', new Date(0)], ['an array', [1, 2]], ['an empty object', {}],
];
/** Values that are not even text, for parameters that take a JSON string only. */
const NOT_STRING = WRONG.filter(([, v]) => typeof v !== 'string');

function assertCoded(fn, what) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, `${what}: throws`);
  assert.ok(caught instanceof UnisonoError, `${what}: a UnisonoError, got ${caught?.name}: ${caught?.message}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, 'UnisonoError');
  for (const k of ['code', 'path', 'document']) assert.equal(typeof caught[k], 'string', `${what}: .${k}`);
  assert.notEqual(caught.code, 'internal', `${what}: ${caught.message}`);
  assert.ok(caught.message.length > 0 && caught.message.length <= 1000, `${what}: a short message`);
  return caught;
}

/** Each call that can fail, with a slot for the argument under test. */
function calls(engine, session) {
  return [
    ['new Engine(catalog)', (v) => new Engine(v, sample.model, sample.config)],
    ['new Engine(model)', (v) => new Engine(sample.catalog, v, sample.config)],
    ['new Engine(config)', (v) => new Engine(sample.catalog, sample.model, v)],
    ['new Engine(…, offers?)', (v) => new Engine(sample.catalog, sample.model, sample.config, v)],
    ['engine.decide(profile)', (v) => engine.decide(v, ctx)],
    ['engine.decide(…, context)', (v) => engine.decide(anna, v)],
    ['engine.decideJson(profile)', (v) => engine.decideJson(v, ctx)],
    ['engine.decideJson(…, context)', (v) => engine.decideJson(anna, v)],
    ['engine.track(profile)', (v) => engine.track(v, event)],
    ['engine.track(…, event)', (v) => engine.track(anna, v)],
    ['engine.decideSession(session)', (v) => engine.decideSession(v, ctx)],
    ['engine.decideSession(…, context)', (v) => engine.decideSession(session, v)],
    ['engine.decideSessionJson(session)', (v) => engine.decideSessionJson(v, ctx)],
    ['engine.decideSessionJson(…, context)', (v) => engine.decideSessionJson(session, v)],
    ['engine.reload(artifacts)', (v) => engine.reload(v)],
    ['engine.reload({model})', (v) => (v === undefined ? engine.reload({ model: 'x' }) : engine.reload({ model: v }))],
    ['engine.reveal(profile)', (v) => engine.reveal(v, ctx, 'd-0', 'X')],
    ['engine.reveal(…, context)', (v) => engine.reveal(anna, v, 'd-0', 'X')],
    ['engine.reveal(…, decisionId)', (v) => engine.reveal(anna, ctx, v, 'X')],
    ['engine.reveal(…, offerId)', (v) => engine.reveal(anna, ctx, 'd-0', v)],
    ['Engine.fromImage(bytes)', (v) => Engine.fromImage(v)],
    ['new Session(profile)', (v) => new Session(v)],
    ['session.track(event)', (v) => session.track(v)],
    ['buildModel(events)', (v) => buildModel(v, 'csv')],
    ['buildModel(…, format)', (v) => buildModel('user_id,sku,ts\n', v)],
    ['buildModel(…, params?)', (v) => buildModel('user_id,sku,ts\nu1,A,2026-01-01T00:00:00Z\n', 'csv', v)],
  ];
}

test('a wrong JS type to any method is a coded UnisonoError, and the engine answers as before', () => {
  const engine = sampleEngine();
  const session = new Session(anna);
  const golden = engine.decideJson(anna, ctx);
  const goldenSession = engine.decideSessionJson(session, ctx);
  let n = 0;
  for (const [name, call] of calls(engine, session)) {
    const strict = /Json\(|buildModel\((events|…, format)/.test(name);
    // Absent is fine for an optional parameter (the `?` ones).
    const values = (strict ? NOT_STRING : WRONG).filter(([, v]) => !(name.includes('?') && (v === undefined || v === null)));
    for (const [label, v] of values) {
      let threw = true;
      try {
        call(v);
        threw = false;
      } catch (e) {
        assert.ok(e instanceof UnisonoError, `${name} with ${label}: ${e?.name}: ${e?.message}`);
        assert.notEqual(e.code, 'internal', `${name} with ${label}: ${e.message}`);
      }
      // An empty object or an array is a valid JSON text for a document parameter: the engine
      // may reject it (coded, above) but never accept a non-document type silently.
      if (!threw) assert.ok(['an empty object', 'a Map', 'a Date', 'an array'].includes(label), `${name} accepted ${label}`);
      n++;
      assert.equal(engine.decideJson(anna, ctx), golden, `after ${name} with ${label}`);
      assert.equal(engine.decideSessionJson(session, ctx), goldenSession, `after ${name} with ${label}`);
    }
  }
  assert.ok(n > 250, `${n} cases`);
});

test('methods of a freed object, or called on another object, are coded errors', () => {
  const engine = sampleEngine();
  const session = new Session(anna);
  session.free();
  session.free(); // twice is fine
  assert.equal(assertCoded(() => session.track(event), 'freed session.track').code, 'invalid_state');
  assert.equal(assertCoded(() => session.id, 'freed session.id').code, 'invalid_state');
  assert.equal(assertCoded(() => session.toJSON(), 'freed session.toJSON').code, 'invalid_state');
  assert.equal(assertCoded(() => engine.decideSession(session, ctx), 'decideSession(freed)').code, 'invalid_state');
  // Another object as `this`, or as the session.
  for (const [name, m] of Object.entries({
    decide: () => Engine.prototype.decide.call({}, anna, ctx),
    decideJson: () => Engine.prototype.decideJson.call(new Session(anna), anna, ctx),
    versions: () => Object.getOwnPropertyDescriptor(Engine.prototype, 'versions').get.call({}),
    reload: () => Engine.prototype.reload.call(null, {}),
    sessionTrack: () => Session.prototype.track.call(engine, event),
    sessionOfEngine: () => engine.decideSession(engine, ctx),
    sessionOfObject: () => engine.decideSession({ __wbg_ptr: 8 }, ctx),
  })) {
    assert.equal(assertCoded(m, name).code, 'invalid_type', name);
  }
  const golden = engine.decideJson(anna, ctx);
  engine.free();
  engine.free();
  for (const [name, m] of Object.entries({
    decide: () => engine.decide(anna, ctx),
    decideJson: () => engine.decideJson(anna, ctx),
    track: () => engine.track(anna, event),
    versions: () => engine.versions,
    reload: () => engine.reload({}),
  })) {
    assert.equal(assertCoded(m, `freed engine.${name}`).code, 'invalid_state', name);
  }
  assert.equal(sampleEngine().decideJson(anna, ctx), golden, 'a new engine answers as the freed one did');
});

test('caller code that throws, re-enters or frees in the middle of a call', () => {
  const engine = sampleEngine();
  const golden = engine.decideJson(anna, ctx);
  const throwing = { get schema() { throw new Error('getter'); } };
  const reentrant = { toJSON: () => (engine.decide(anna, ctx), engine.reload({}), JSON.parse(anna)) };
  const cases = [
    ['a throwing getter', () => engine.decide(throwing, ctx), 'invalid_json'],
    ['a throwing toJSON', () => engine.decide({ toJSON() { throw new Error('x'); } }, ctx), 'invalid_json'],
    ['a revoked Proxy', () => engine.decide((() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })(), ctx), 'invalid_json'],
    ['reload: an unknown key', () => engine.reload({ modle: sample.model }), 'invalid_value'],
    ['reload: a throwing getter', () => engine.reload({ get model() { throw new Error('x'); } }), 'invalid_value'],
    ['reload: a Proxy whose ownKeys throws', () => engine.reload(new Proxy({}, { ownKeys() { throw new Error('x'); } })), 'invalid_value'],
    ['reload: an array', () => engine.reload([sample.model]), 'invalid_type'],
  ];
  for (const [name, call, code] of cases) {
    assert.equal(assertCoded(call, name).code, code, name);
    assert.equal(engine.decideJson(anna, ctx), golden, `after ${name}`);
  }
  // Re-entry from a toJSON: the inner calls run to completion before the outer one enters Wasm.
  assert.equal(engine.decide(reentrant, JSON.parse(ctx)).decisionId, JSON.parse(golden).decisionId);
  // A toJSON that frees the engine it is an argument of.
  const doomed = sampleEngine();
  assert.equal(assertCoded(() => doomed.decide({ toJSON: () => (doomed.free(), JSON.parse(anna)) }, ctx), 'freed mid-call').code, 'invalid_state');
  const doomedReload = sampleEngine();
  assert.equal(assertCoded(() => doomedReload.reload({ get config() { doomedReload.free(); return sample.config; } }), 'freed by reload getter').code, 'invalid_state');
  const session = new Session(anna);
  assert.equal(assertCoded(() => engine.decideSession(session, { toJSON: () => (session.free(), JSON.parse(ctx)) }), 'session freed mid-call').code, 'invalid_state');
  assert.equal(engine.decideJson(anna, ctx), golden);
});

/** A small deterministic PRNG (mulberry32), so every run tries the same inputs. */
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random corruption of a JSON text: a cut, a flipped byte, deep nesting, a spliced value. */
function mutate(text, r) {
  const at = Math.floor(r() * text.length);
  const pick = Math.floor(r() * 7);
  const depth = [10, 127, 128, 129, 5000, 200000][Math.floor(r() * 6)];
  const nest = (open, close) => open.repeat(depth) + close.repeat(depth);
  switch (pick) {
    case 0: return text.slice(0, at);
    case 1: return text.slice(0, at) + String.fromCharCode(Math.floor(r() * 128)) + text.slice(at + 1);
    case 2: return text.replace(/:\s*("[^"]*"|-?\d[\d.eE+-]*|true|false|null)/, `:${nest('[', ']')}`);
    case 3: return text.replace(/:\s*("[^"]*"|-?\d[\d.eE+-]*|true|false|null)/, `:${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
    case 4: return text.slice(0, at) + ['1e400', '-0', '"\\ud800"', '18446744073709551616', '"x"', '[]', '{}', 'null'][Math.floor(r() * 8)] + text.slice(at);
    case 5: return text.replace(/"(\w+)":/g, (m, k) => (r() < 0.1 ? `"${k}":1,"${k}":` : m));
    default: return nest('[', ']');
  }
}

test('property: after any failing call (bad inputs, corrupted artifacts, failed reloads) the same engine answers byte for byte', () => {
  const engine = sampleEngine();
  const session = new Session(anna);
  const golden = engine.decideJson(anna, ctx);
  const goldenSession = engine.decideSessionJson(session, ctx);
  const r = rng(15);
  const docs = { profile: anna, context: ctx, event, catalog: sample.catalog, model: sample.model, config: sample.config, offers: sample.offers };
  let failed = 0;
  for (let i = 0; i < 600; i++) {
    const kind = Object.keys(docs)[i % 7];
    const bad = mutate(docs[kind], r);
    const attempt = {
      profile: () => (i % 2 ? engine.decideJson(bad, ctx) : new Session(bad)),
      context: () => (i % 2 ? engine.decideJson(anna, bad) : engine.decideSessionJson(session, bad)),
      event: () => (i % 2 ? engine.track(anna, bad) : new Session(anna).track(bad)),
      catalog: () => engine.reload({ catalog: bad }),
      model: () => engine.reload({ model: bad }),
      config: () => (i % 2 ? engine.reload({ config: bad }) : new Engine(sample.catalog, sample.model, bad)),
      offers: () => engine.reload({ offers: bad }),
    }[kind];
    let accepted = false;
    try {
      attempt();
      accepted = true;
    } catch (e) {
      failed++;
      assert.ok(e instanceof UnisonoError, `${kind} #${i}: ${e?.name}: ${e?.message}`);
      assert.notEqual(e.code, 'internal', `${kind} #${i}: ${e.message}`);
      assert.ok(e.message.length <= 1000, `${kind} #${i}: message of ${e.message.length} chars`);
    }
    const report = validate(kind === 'event' ? 'profile' : kind, bad);
    assert.equal(typeof report.valid, 'boolean');
    // Some corruptions are still valid artifacts (a changed title, say): put the originals back.
    if (accepted && ['catalog', 'model', 'config', 'offers'].includes(kind)) {
      engine.reload({ catalog: sample.catalog, model: sample.model, config: sample.config, offers: sample.offers });
    }
    assert.ok(engine.decideJson(anna, ctx) === golden, `${kind} #${i}: the same decision after the failure`);
    assert.ok(engine.decideSessionJson(session, ctx) === goldenSession, `${kind} #${i}: the session too`);
  }
  assert.ok(failed > 300, `${failed} of 600 corruptions failed`);
  assert.equal(sampleEngine().decideJson(anna, ctx), golden, 'and a new engine');
});

test('an exception thrown through Wasm frames leaves the instance usable', () => {
  // The engine reads the catalog from the JS string in pieces (String.prototype.slice and
  // charCodeAt, called from inside Rust). Making them throw part-way through a load is a JS
  // exception unwinding through Wasm frames, as a stack overflow would be: the Rust code
  // does not get to restore its shadow stack. Repeated, an instance without the API layer's
  // repair runs out of stack and traps for every engine in the process.
  const engine = sampleEngine();
  const session = new Session(anna);
  const golden = engine.decideJson(anna, ctx);
  const goldenSession = engine.decideSessionJson(session, ctx);
  const { slice, charCodeAt } = String.prototype;
  const instance = createRequire(import.meta.url)(new URL('tools-node_glue.cjs', pkgDir).pathname).__wasm;
  const sp = instance.__stack_pointer.value;
  let internal = 0;
  try {
    // Each interrupted load leaks the heap memory and JS references its frames held (about
    // 0.5 MB here), so this stops well before that adds up; the stack itself must not leak at all.
    for (let i = 0; i < 200; i++) {
      let calls = 0;
      const fault = i % 5; // after a varying number of pieces
      const boom = (f) => function (...args) {
        if (this.length === sample.catalog.length && calls++ >= fault) throw new Error('injected');
        return f.apply(this, args);
      };
      String.prototype.slice = boom(slice);
      if (i % 2) String.prototype.charCodeAt = boom(charCodeAt);
      try {
        if (i % 3) new Engine(sample.catalog, sample.model, sample.config, sample.offers);
        else engine.reload({ catalog: sample.catalog });
      } catch (e) {
        assert.ok(e instanceof UnisonoError, `#${i}: ${e?.name}: ${e?.message}`);
        if (e.code === 'internal') internal++;
        assert.equal(instance.__stack_pointer.value, sp, `#${i}: the shadow stack pointer is back where it was`);
      } finally {
        String.prototype.slice = slice;
        String.prototype.charCodeAt = charCodeAt;
      }
      if (i % 20 === 0) {
        assert.ok(engine.decideJson(anna, ctx) === golden, `#${i}: the same decision`);
        assert.ok(engine.decideSessionJson(session, ctx) === goldenSession, `#${i}: the same session decision`);
      }
    }
  } finally {
    String.prototype.slice = slice;
    String.prototype.charCodeAt = charCodeAt;
  }
  assert.ok(internal > 100, `${internal} loads were interrupted inside Wasm`);
  assert.ok(engine.decideJson(anna, ctx) === golden);
  assert.ok(sampleEngine().decideJson(anna, ctx) === golden, 'and a new engine');
});

test('engines and sessions dropped without free() are reclaimed (FinalizationRegistry)', () => {
  // A child process with --expose-gc: thousands of sessions with long histories, and engines,
  // are created and dropped, with the event loop turning as in a kiosk. Wasm memory must level off.
  // The device entry, as a kiosk runs it: engines from an image compiled by the tools.
  const image = join(mkdtempSync(join(tmpdir(), 'unisono-gc-')), 'engine.img');
  writeFileSync(image, unisono.compile(sample.catalog, sample.model, sample.config, sample.offers, { audience: 'public' }));
  const script = `
    import { Engine, Session, wasmMemoryBytes } from ${JSON.stringify(new URL('node.js', pkgDir).href)};
    import { readFileSync } from 'node:fs';
    const image = readFileSync(${JSON.stringify(image)});
    const dir = ${JSON.stringify(new URL('../examples/sample/', import.meta.url).href)};
    const read = (f) => readFileSync(new URL(f, dir), 'utf8');
    const p = JSON.parse(read('profiles/cust-anna.json'));
    const ev = p.events[0];
    p.events = Array.from({ length: 3000 }, (_, i) => ({ ...ev, ts: new Date(Date.parse(ev.ts) - i * 60000).toISOString() }));
    const profile = JSON.stringify(p);
    const tick = () => new Promise((ok) => setTimeout(ok, 0));
    const mb = () => wasmMemoryBytes() / 1048576;
    const marks = [];
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 100; i++) new Session(profile);
      Engine.fromImage(image);
      for (let k = 0; k < 3; k++) { globalThis.gc(); await tick(); }
      marks.push(mb());
    }
    console.log(JSON.stringify(marks));
  `;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  const marks = JSON.parse(out.trim().split('\n').at(-1));
  // 1,200 sessions of 3,000 events each, never freed, would need far more than this.
  assert.ok(marks.at(-1) <= marks[2] + 8, `Wasm memory kept growing: ${marks.map((m) => m.toFixed(0)).join(' → ')} MB`);
});
