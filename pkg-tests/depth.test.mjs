// Deep nesting through the built package (issue 15, class 1): every document × every field a
// deep value reaches × depths around the limit and far past it, `[` and `{`. Past the limit
// the answer is a coded `too_large` at the path of the level too many; and after each case the
// SAME engine gives the golden decision byte for byte and a new Engine still loads: a stack
// overflow in Wasm would trap the instance (or throw a RangeError through Wasm frames) and
// break every engine in the page — the poison check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unisono, sample, sampleEngine } from './helpers.mjs';

// The document's own object is level 1 (src/error.rs MAX_DEPTH, SECURITY.md "Limits").
const MAX_DEPTH = 127;

const nest = (d, open) =>
  open === '[' ? '['.repeat(d) + ']'.repeat(d) : '{"a":'.repeat(d) + '1' + '}'.repeat(d);
const levelPath = (field, k, open) => field + (open === '[' ? '[0]' : '.a').repeat(k - 1);
// Paths may be shortened around a `…`.
function samePath(got, want) {
  const i = got.indexOf('…');
  if (i < 0) return got === want;
  return want.startsWith(got.slice(0, i)) && want.endsWith(got.slice(i + 1));
}

const ctx = JSON.stringify({ channel: 'web', placement: 'home', now: sample.scenarios.now });
const anna = sample.profile('cust-anna');
const annaText = JSON.stringify(anna);
const withPlaceholder = (text, set) => {
  const doc = JSON.parse(text);
  set(doc);
  const out = JSON.stringify(doc);
  return (v) => out.replace('"__VALUE__"', v);
};
const profileWith = withPlaceholder(annaText, (p) => {
  p.traits.attributes = { ...(p.traits.attributes ?? {}), x: '__VALUE__' };
});
const offersWith = withPlaceholder(sample.offers, (o) => {
  o.offers[0].eligibility = '__VALUE__';
});
// The model text is kept as written (its checksum covers the decoded content).
const modelWith = (field) => (v) => {
  const text = sample.model.replace(`"${field}":{`, `"${field}":{"x":${v},`);
  assert.notEqual(text, sample.model);
  return text;
};
const engineWith = (over) => () =>
  new unisono.Engine(
    over.catalog ?? sample.catalog,
    over.model ?? sample.model,
    over.config ?? sample.config,
    over.offers ?? sample.offers,
  );

// [name, field path, arrays/objects around the field, run(valueText), under-the-limit
// answer per `[` / `{` ('ok' or a code)]
const rows = [
  ['decideJson profile traits.attributes', 'traits.attributes.x', 3,
    (e, v) => e.decideJson(profileWith(v), ctx), ['ok', 'ok']],
  ['Session profile traits.attributes', 'traits.attributes.x', 3,
    (e, v) => new unisono.Session(profileWith(v)).free(), ['ok', 'ok']],
  ['validate profile traits.attributes', 'traits.attributes.x', 3,
    (e, v) => {
      const r = unisono.validate('profile', profileWith(v));
      if (!r.valid) throw Object.assign(new Error(r.problems[0].message), r.problems[0]);
    }, ['ok', 'ok']],
  ['Engine offers eligibility', 'offers[0].eligibility', 3,
    (e, v) => engineWith({ offers: offersWith(v) })().free(), ['ok', 'invalid_value']],
  ['Engine model params', 'params.x', 2,
    (e, v) => engineWith({ model: modelWith('params')(v) })().free(), ['invalid_value', 'invalid_value']],
  ['Engine model stats', 'stats.x', 2,
    (e, v) => engineWith({ model: modelWith('stats')(v) })().free(), ['invalid_value', 'invalid_value']],
  ['reload model params', 'params.x', 2,
    (e, v) => e.reload({ model: modelWith('params')(v) }), ['invalid_value', 'invalid_value']],
  ['buildModel ndjson events', 'line 1', 1,
    (e, v) => unisono.buildModel(
      `{"user_id":"u1","sku":"A","ts":"2026-01-01T00:00:00Z","type":"view","x":${v}}\n`, 'ndjson'),
    ['ok', 'ok']],
];

const golden = (() => {
  const e = sampleEngine();
  const d = e.decideJson(annaText, ctx);
  e.free();
  return d;
})();

for (const [name, field, around, run, within] of rows) {
  test(`deep nesting: ${name}`, () => {
    const engine = sampleEngine();
    const limit = MAX_DEPTH - around;
    for (const [kind, open] of ['[', '{'].entries()) {
      for (const depth of [limit - 1, limit, limit + 1, 10_000, 1_000_000]) {
        const label = `${name} ${open} depth ${depth} (limit ${limit})`;
        let got = 'ok';
        try {
          run(engine, nest(depth, open));
        } catch (e) {
          assert.ok(!(e instanceof WebAssembly.RuntimeError), `${label}: trapped: ${e.message}`);
          assert.ok(!(e instanceof RangeError), `${label}: stack overflow: ${e.message}`);
          assert.equal(typeof e.code, 'string', `${label}: uncoded ${e}`);
          got = e;
        }
        if (depth <= limit) {
          assert.equal(got === 'ok' ? 'ok' : got.code, within[kind], `${label}: ${got.message ?? ''}`);
        } else {
          assert.notEqual(got, 'ok', `${label}: accepted`);
          assert.equal(got.code, 'too_large', `${label}: ${got.message}`);
          const want = field.startsWith('line ') ? field : levelPath(field, limit + 1, open);
          assert.ok(samePath(got.path, want), `${label}: path ${got.path} vs ${want}`);
        }
        // The poison check: the same engine, byte for byte, and a new one.
        assert.equal(engine.decideJson(annaText, ctx), golden, `${label}: the engine changed`);
        const fresh = sampleEngine();
        assert.equal(fresh.decideJson(annaText, ctx), golden, `${label}: a new engine differs`);
        fresh.free();
      }
    }
    engine.free();
  });
}

test('deep nesting: values the readers ignore cost no stack at any depth', () => {
  const engine = sampleEngine();
  for (const open of ['[', '{']) {
    const p = JSON.parse(annaText);
    p.events[0].extra = '__VALUE__';
    const text = JSON.stringify(p).replace('"__VALUE__"', nest(1_000_000, open));
    assert.equal(engine.decideJson(text, ctx), golden);
  }
  engine.free();
});
