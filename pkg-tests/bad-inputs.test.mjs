// A table of malformed inputs through the built package: each gives its documented error code
// and JSON path (or a documented graceful behaviour), and the engine answers correctly after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unisono, sample, sampleEngine } from './helpers.mjs';

const { Engine } = unisono;
const engine = sampleEngine();
const now = sample.scenarios.now;
const base = sample.profile('cust-anna');
const ctx = { channel: 'web', now };
const golden = engine.decideJson(JSON.stringify(base), JSON.stringify(ctx));
const ev = (more) => ({ ...base, events: [{ type: 'view', sku: 'HK-COF-0001', channel: 'app', ts: now, ...more }] });
const raw = (text) => text; // a JSON text passed as is

// [name, profile, context, code, path] — code null = documented graceful acceptance.
const cases = [
  ['profile: number', 42, ctx, 'invalid_type', ''],
  ['profile: string that is not JSON', 'hello', ctx, 'invalid_json', ''],
  ['profile: truncated JSON', raw('{"schema":"unisono.profile/1","id":"x","events":['), ctx, 'invalid_json', 'events'],
  ['profile: trailing garbage', raw('{"schema":"unisono.profile/1","id":"x"} x'), ctx, 'invalid_json', ''],
  ['profile: schema missing', (({ schema, ...r }) => r)(base), ctx, 'missing_field', 'schema'],
  ['profile: schema wrong type', { ...base, schema: 1 }, ctx, 'invalid_type', 'schema'],
  ['profile: id empty', { ...base, id: '' }, ctx, 'invalid_value', 'id'],
  ['profile: identifiers not a list', { ...base, identifiers: {} }, ctx, 'invalid_type', 'identifiers'],
  ['profile: consents wrong type', { ...base, consents: 'yes' }, ctx, 'invalid_type', 'consents'],
  // serde reads an empty list as a struct with every field defaulted: no consent given.
  ['profile: consents as an empty list = none given', { ...base, consents: [] }, ctx, null, null],
  ['profile: unknown consent', { ...base, consents: { tracking: true } }, ctx, 'invalid_value', 'consents.tracking'],
  ['profile: lifetime value string', { ...base, traits: { lifetime_value: 'lots' } }, ctx, 'invalid_type', 'traits.lifetime_value'],
  ['profile: segments not strings', { ...base, segments: [1] }, ctx, 'invalid_type', 'segments[0]'],
  ['profile: cart sku missing', { ...base, cart: [{ quantity: 1 }] }, ctx, 'missing_field', 'cart[0].sku'],
  ['profile: cart quantity negative', { ...base, cart: [{ sku: 'A', quantity: -3 }] }, ctx, 'invalid_value', 'cart[0].quantity'],
  ['profile: events not a list', { ...base, events: {} }, ctx, 'invalid_type', 'events'],
  ['event: type missing', ev({ type: undefined }), ctx, 'missing_field', 'events[0].type'],
  ['event: type empty', ev({ type: '' }), ctx, 'invalid_value', 'events[0].type'],
  ['event: channel missing', ev({ channel: undefined }), ctx, 'missing_field', 'events[0].channel'],
  ['event: channel unknown', ev({ channel: 'tv' }), ctx, 'invalid_value', 'events[0].channel'],
  ['event: ts missing', ev({ ts: undefined }), ctx, 'missing_field', 'events[0].ts'],
  ['event: ts date only', ev({ ts: '2026-11-23' }), ctx, 'invalid_time', 'events[0].ts'],
  ['event: ts no zone', ev({ ts: '2026-11-23T10:00:00' }), ctx, 'invalid_time', 'events[0].ts'],
  ['event: ts bad zone', ev({ ts: '2026-11-23T10:00:00+25:00' }), ctx, 'invalid_time', 'events[0].ts'],
  ['event: ts 30 February', ev({ ts: '2026-02-30T10:00:00Z' }), ctx, 'invalid_time', 'events[0].ts'],
  ['event: ts number', ev({ ts: 1763900000 }), ctx, 'invalid_type', 'events[0].ts'],
  ['event: ts with text', ev({ ts: 'yesterday at noon' }), ctx, 'invalid_time', 'events[0].ts'],
  ['event: quantity zero', ev({ quantity: 0 }), ctx, 'invalid_value', 'events[0].quantity'],
  ['event: quantity negative', ev({ quantity: -1 }), ctx, 'invalid_value', 'events[0].quantity'],
  ['event: price negative', ev({ price: -0.01 }), ctx, 'invalid_value', 'events[0].price'],
  // JSON.stringify writes NaN and Infinity as null, and null means "absent" for optional fields.
  ['event: price NaN (JSON null = absent)', ev({ price: NaN }), ctx, null, null],
  ['event: price Infinity (JSON null = absent)', ev({ price: Infinity }), ctx, null, null],
  ['event: price as text NaN', ev({ price: 'NaN' }), ctx, 'invalid_type', 'events[0].price'],
  ['event: price huge literal', raw(JSON.stringify(ev({})).replace('"ts"', '"price":1e400,"ts"')), ctx, 'invalid_json', 'events[0].price'],
  ['event: sku 10 MB', ev({ sku: 'x'.repeat(10_000_000) }), ctx, 'too_large', 'events[0].sku'],
  ['event: query 2 KB', ev({ type: 'search', sku: undefined, query: 'q'.repeat(2000) }), ctx, 'too_large', 'events[0].query'],
  ['event: view without sku', ev({ sku: undefined }), ctx, 'missing_field', 'events[0].sku'],
  ['event: offer click without offer', ev({ type: 'offer_click', sku: undefined }), ctx, 'missing_field', 'events[0].offer'],
  ['event: unknown type kept and ignored', ev({ type: 'Checkout Started' }), ctx, null, null],
  ['event: unknown sku ignored', ev({ sku: 'NO-SUCH' }), ctx, null, null],
  ['event: future event ignored', ev({ ts: '2030-01-01T00:00:00Z' }), ctx, null, null],
  ['profile: 100,001 events', { ...base, events: Array.from({ length: 100_001 }, (_, i) => ({ type: 'view', sku: 'HK-COF-0001', channel: 'web', ts: now })) }, ctx, 'too_large', 'events'],
  ['profile: __proto__ key', raw('{"schema":"unisono.profile/1","id":"x","__proto__":{"polluted":true}}'), ctx, 'invalid_value', '__proto__'],
  ['profile: __proto__ in attributes kept as data', raw('{"schema":"unisono.profile/1","id":"x","traits":{"attributes":{"__proto__":{"a":1},"constructor":1}}}'), ctx, null, null],
  ['profile: lone surrogate in id', raw('{"schema":"unisono.profile/1","id":"\\ud800"}'), ctx, 'invalid_json', 'id'],
  ['profile: duplicate key', raw('{"schema":"unisono.profile/1","id":"a","id":"b"}'), ctx, 'invalid_value', 'id'],
  ['profile: deep nesting in attributes', raw(`{"schema":"unisono.profile/1","id":"x","traits":{"attributes":{"a":${'['.repeat(200)}${']'.repeat(200)}}}}`), ctx, 'too_large', null],
  ['context: not an object', base, [], 'invalid_type', ''],
  ['context: channel missing', base, { now }, 'missing_field', 'channel'],
  ['context: now not a string', base, { channel: 'web', now: 0 }, 'invalid_type', 'now'],
  ['context: now without zone', base, { channel: 'web', now: '2026-11-23 12:00' }, 'invalid_time', 'now'],
  ['context: placement number', base, { channel: 'web', now, placement: 1 }, 'invalid_type', 'placement'],
  ['context: store on web unknown', base, { channel: 'web', now, store: 'atlantis' }, 'unknown_reference', 'store'],
  ['context: limit 101', base, { channel: 'web', now, limit: 101 }, 'invalid_value', 'limit'],
  ['context: limit fractional', base, { channel: 'web', now, limit: 2.5 }, 'invalid_type', 'limit'],
  ['context: sku 2 KB', base, { channel: 'web', now, placement: 'product', sku: 's'.repeat(2000) }, 'too_large', 'sku'],
  ['context: unknown key', base, { channel: 'web', now, colour: 'red' }, 'invalid_value', 'colour'],
  ['context: unknown sku is graceful', base, { channel: 'web', now, placement: 'product', sku: 'GHOST' }, null, null],
];

const artifactCases = [
  ['catalog: not JSON', () => new Engine('nope', sample.model, sample.config), 'invalid_json', ''],
  ['catalog: NaN price (null)', () => new Engine(withItem({ price: null }), sample.model, sample.config), 'invalid_type', 'items[0].price'],
  ['catalog: negative stock', () => new Engine(withItem({ availability: { stores: { 'lon-oxford': -1 } } }), sample.model, sample.config), 'invalid_value', 'items[0].availability.stores.lon-oxford'],
  ['catalog: unknown store', () => new Engine(withItem({ availability: { stores: { moon: 1 } } }), sample.model, sample.config), 'unknown_reference', 'items[0].availability.stores.moon'],
  ['catalog: unknown channel', () => new Engine(withItem({ availability: { channels: ['tv'] } }), sample.model, sample.config), 'invalid_value', 'items[0].availability.channels[0]'],
  ['catalog: title missing', () => new Engine(withItem({ title: undefined }), sample.model, sample.config), 'missing_field', 'items[0].title'],
  ['model: wrong schema', () => new Engine(sample.catalog, { ...JSON.parse(sample.model), schema: 'unisono.model/0' }, sample.config), 'unsupported_schema', 'schema'],
  ['config: unknown strategy', () => new Engine(sample.catalog, sample.model, { schema: 'unisono.config/1', placements: { home: { slots: 3, strategies: [{ strategy: 'psychic' }] } } }), 'invalid_value', 'placements.home.strategies[0].strategy'],
  ['config: unknown channel override', () => new Engine(sample.catalog, sample.model, { schema: 'unisono.config/1', channels: { tv: {} } }), 'invalid_value', 'channels.tv'],
  ['config: negative weight', () => new Engine(sample.catalog, sample.model, { schema: 'unisono.config/1', placements: { home: { slots: 3, strategies: [{ strategy: 'popular', weight: -1 }] } } }), 'invalid_value', 'placements.home.strategies[0].weight'],
];

function withItem(patch) {
  const c = JSON.parse(sample.catalog);
  c.items[0] = { ...c.items[0], ...patch };
  return c;
}

function check(run, code, path) {
  if (code === null) {
    const d = run();
    assert.ok(Array.isArray(d.recommendations));
    return;
  }
  let err;
  try {
    run();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Error, 'throws an Error');
  assert.equal(err.code, code, err.message);
  if (path !== null) assert.equal(err.path, path, err.message);
}

for (const [name, profile, context, code, path] of cases) {
  test(`bad input: ${name}`, () => {
    check(() => engine.decide(profile, context), code, path);
    assert.equal(engine.decideJson(JSON.stringify(base), JSON.stringify(ctx)), golden, 'the engine answers as before');
  });
}

for (const [name, build, code, path] of artifactCases) {
  test(`bad artifact: ${name}`, () => check(build, code, path));
}

test('the matrix is big enough', () => assert.ok(cases.length + artifactCases.length >= 60));

test('prototype pollution keys do not leak into JS objects', () => {
  const d = engine.decide(raw('{"schema":"unisono.profile/1","id":"x","traits":{"attributes":{"__proto__":{"polluted":1}}}}'), ctx);
  assert.equal({}.polluted, undefined);
  assert.equal(Object.prototype.polluted, undefined);
  assert.ok(d.recommendations.length > 0);
});
