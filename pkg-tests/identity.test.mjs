// Canonical identity through the built package: the same artifacts, profile and context given
// as JSON text, as JS objects, with keys in another order, catalog stores in another order,
// `-0` for `0` and other spellings of the same numbers give the same `versions`, `decisionId`,
// `stateId` and decision bytes. Lone surrogates are invalid JSON whichever way they arrive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unisono, sample, readJson } from './helpers.mjs';

const { Engine, Session } = unisono;

/// A deterministic shuffle (so a failure can be replayed).
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

/// A deep copy with every object's keys in a random order.
function reorder(value, rand) {
  if (Array.isArray(value)) return value.map((v) => reorder(v, rand));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return Object.fromEntries(keys.map((k) => [k, reorder(value[k], rand)]));
}

const shuffled = (list, rand) => {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

// Fields (and map keys) whose numbers are doubles: there `-0` and `1.0` may be written. An
// integer field (an index, `slots`) takes integers only, as text and as an object alike.
const FLOAT_KEYS = new Set(['price', 'weight', 'value', 'lever', 'lifetime_value', 'quantity',
  'factor', 'half_life_days', 'holdout_percent', 'control_group_percent', 'days', 'shrinkage',
  'journey_window_days', 'journey_half_life_days', 'trending_half_life_days', 'cycle_weight',
  'repurchase_prior', 'view', 'add_to_cart', 'remove_from_cart', 'purchase',
  'lon-oxford', 'man-arndale', 'edi-princes']);

/// JSON text with the same numbers spelled otherwise: zeros of double fields as `-0`, their
/// whole numbers as `N.0`, every fraction with an exponent (`2.5` → `25E-1`).
function respelledNumbers(value) {
  return JSON.stringify(value, (k, v) => {
    if (typeof v !== 'number') return v;
    if (Number.isInteger(v) && !FLOAT_KEYS.has(k)) return v;
    return `@@${v}@@`;
  }).replace(/"@@(-?[0-9.e+-]+)@@"/g, (_, n) => {
    const x = Number(n);
    if (x === 0) return '-0';
    if (Number.isInteger(x) && Math.abs(x) < 1e15) return `${x}.0`;
    const [m, e] = x.toExponential().split('e');
    const digits = m.replace('.', '');
    return `${digits}E${Number(e) - (digits.replace('-', '').length - 1)}`;
  });
}

const customers = sample.scenarios.customers.map((c) => c.profile);
const contexts = [
  { channel: 'web', placement: 'home', now: sample.scenarios.now },
  { channel: 'kiosk', placement: 'home', store: 'lon-oxford', now: sample.scenarios.now },
];

const artifacts = {
  catalog: JSON.parse(sample.catalog),
  model: JSON.parse(sample.model),
  config: JSON.parse(sample.config),
  offers: JSON.parse(sample.offers),
};

/// Every (customer, context) decision of an engine built from these four arguments (as
/// objects: `deepStrictEqual` tells -0 from 0), and its versions; `form` hands over the
/// profile and the context.
function decisions(catalog, model, config, offers, form) {
  const engine = new Engine(catalog, model, config, offers);
  try {
    const out = [];
    for (const id of customers) {
      for (const ctx of contexts) {
        const [p, c] = form(sample.profile(id), ctx);
        // Text in, the canonical text out (its bytes); an object in, an object out.
        out.push(typeof p === 'string' && typeof c === 'string'
          ? JSON.parse(engine.decideJson(p, c)) : engine.decide(p, c));
        const session = new Session(p);
        out.push(engine.decideSession(session, c));
        session.free();
      }
    }
    return { versions: engine.versions, out };
  } finally {
    engine.free();
  }
}

const asText = (p, c) => [JSON.stringify(p), JSON.stringify(c)];
const base = decisions(sample.catalog, sample.model, sample.config, sample.offers, asText);

test('JSON text, JS objects and reordered keys give the same versions, ids and bytes', () => {
  assert.ok(base.out.length >= 2 * customers.length * contexts.length);
  for (const d of base.out) {
    assert.match(d.decisionId, /^d-[0-9a-f]{32}$/);
    assert.match(d.stateId, /^s-[0-9a-f]{32}$/);
  }
  const objects = decisions(artifacts.catalog, artifacts.model, artifacts.config, artifacts.offers,
    (p, c) => [p, c]);
  assert.deepStrictEqual(objects, base, 'JS objects');
  for (const seed of [1, 2, 3]) {
    const rand = rng(seed);
    const reordered = decisions(
      reorder(artifacts.catalog, rand), reorder(artifacts.model, rand),
      reorder(artifacts.config, rand), reorder(artifacts.offers, rand),
      (p, c) => [reorder(p, rand), JSON.stringify(reorder(c, rand))],
    );
    assert.deepStrictEqual(reordered, base, `keys reordered (seed ${seed})`);
  }
});

test('catalog stores, items and offers in any order give the same ids', () => {
  const rand = rng(7);
  const catalog = { ...artifacts.catalog, stores: shuffled(artifacts.catalog.stores, rand).reverse(),
    items: shuffled(artifacts.catalog.items, rand) };
  const offers = { ...artifacts.offers, offers: shuffled(artifacts.offers.offers, rand) };
  const got = decisions(catalog, artifacts.model, artifacts.config, offers, asText);
  assert.deepStrictEqual(got, base);
});

test('-0 for 0, 1.0 for 1 and exponents give the same ids as the plain numbers', () => {
  const got = decisions(
    respelledNumbers(artifacts.catalog), respelledNumbers(artifacts.model),
    respelledNumbers(artifacts.config), respelledNumbers(artifacts.offers),
    (p, c) => [respelledNumbers(p), JSON.stringify(c)],
  );
  assert.deepStrictEqual(got, base);
  // A zero price spelled -0 in the text, 0 in the object: one catalog.
  const withZero = structuredClone(artifacts.catalog);
  withZero.items[0].price = 0;
  const text = JSON.stringify(withZero).replace('"price":0', '"price":-0');
  assert.ok(text.includes('"price":-0'));
  const versions = (catalog) => {
    const e = new Engine(catalog, sample.model, '{"schema":"unisono.config/1"}', null);
    const d = e.decideJson(JSON.stringify(sample.profile(customers[0])), JSON.stringify(contexts[0]));
    e.free();
    return JSON.parse(d).decisionId;
  };
  assert.equal(versions(text), versions(withZero));
  const negative = structuredClone(withZero);
  negative.items[0].price = -0;
  assert.equal(versions(negative), versions(withZero));
});

test('a different document gives a different decision id', () => {
  const changed = structuredClone(artifacts.catalog);
  changed.items[0].title += '!';
  const got = decisions(changed, artifacts.model, artifacts.config, artifacts.offers, asText);
  got.out.forEach((d, i) => assert.notEqual(d.decisionId, base.out[i].decisionId));
});

// Lone surrogates: `JSON.stringify` writes one as an escape (`"\ud800"`), which the engine
// rejects as `invalid_json`; a JSON text holding one raw (a JS string can) must be rejected the
// same way, not copied into Wasm as U+FFFD (a different document, with the ids of that one).
const lone = ['\ud800', '\udfff', 'a\udc00b', '\udc00\ud800'];
const raw = (text) => text.replace(/\\ud[89a-f][0-9a-f]{2}/g, (m) => String.fromCharCode(parseInt(m.slice(2), 16)));

function rejectsLoneSurrogates(tries) {
  const engine = new Engine(sample.catalog, sample.model, sample.config, sample.offers);
  try {
    for (const s of lone) {
      const profile = { ...sample.profile(customers[0]), id: `x${s}` };
      for (const [how, run] of Object.entries(tries(engine, profile, s))) {
        assert.throws(run, (e) => e.code === 'invalid_json', `${how}: ${JSON.stringify(s)}`);
      }
    }
  } finally {
    engine.free();
  }
}

test('lone surrogates in JS objects are invalid_json', () => {
  rejectsLoneSurrogates((engine, profile, s) => ({
    decide: () => engine.decide(profile, contexts[0]),
    'escaped text': () => engine.decideJson(JSON.stringify(profile), JSON.stringify(contexts[0])),
    session: () => new Session(profile),
    catalog: () => new Engine({ ...artifacts.catalog, version: s }, sample.model, sample.config),
    validate: () => {
      const r = unisono.validate('profile', profile);
      if (!r.valid) throw Object.assign(new Error('invalid'), { code: r.problems[0].code });
    },
  }));
});

test('lone surrogates written raw in a JSON text are invalid_json too, never U+FFFD', () => {
  rejectsLoneSurrogates((engine, profile, s) => {
    const text = raw(JSON.stringify(profile));
    assert.notEqual(text, JSON.stringify(profile));
    return {
      decideJson: () => engine.decideJson(text, JSON.stringify(contexts[0])),
      decide: () => engine.decide(text, contexts[0]),
      session: () => new Session(text),
      track: () => engine.track(text, { type: 'view', sku: 'X', channel: 'web', ts: sample.scenarios.now }),
      event: () => engine.track(sample.profile(customers[0]), raw(JSON.stringify({ type: 'view', sku: `X${s}`, channel: 'web', ts: sample.scenarios.now }))),
      catalog: () => new Engine(raw(JSON.stringify({ ...artifacts.catalog, version: s })), sample.model, sample.config),
      validate: () => {
        const r = unisono.validate('profile', text);
        if (!r.valid) throw Object.assign(new Error('invalid'), { code: r.problems[0].code });
      },
    };
  });
});
