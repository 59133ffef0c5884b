import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unisono, sample, sampleEngine } from './helpers.mjs';

const { Engine, buildModel } = unisono;
const now = '2026-11-23T12:00:00Z';
const base = sample.profile('cust-anna');
const engine = sampleEngine();
const ctx = { channel: 'web', now };

function expectError(fn, code, path, document) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, 'throws a real Error');
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.path, path, caught.message);
  if (document) assert.equal(caught.document, document);
  assert.ok(caught.message.length > 0);
}

const withEvent = (ev) => ({ ...base, events: [...base.events, ev] });
const n = base.events.length;
const profileCases = [
  ['malformed JSON', '{"schema": "unisono.profile/1", "id": ', 'invalid_json', 'id'],
  ['not JSON at all', 'hello', 'invalid_json', ''],
  ['not an object', '[1,2,3]', 'invalid_type', ''],
  ['wrong schema', { ...base, schema: 'unisono.profile/9' }, 'unsupported_schema', 'schema'],
  ['missing id', (({ id, ...rest }) => rest)(base), 'missing_field', 'id'],
  ['id is a number', { ...base, id: 42 }, 'invalid_type', 'id'],
  ['bad timestamp', withEvent({ type: 'view', sku: 'X', channel: 'web', ts: 'yesterday' }), 'invalid_time', `events[${n}].ts`],
  ['timestamp without zone', withEvent({ type: 'view', sku: 'X', channel: 'web', ts: '2026-11-20T10:00:00' }), 'invalid_time', `events[${n}].ts`],
  ['unknown channel', withEvent({ type: 'view', sku: 'X', channel: 'fax', ts: now }), 'invalid_value', `events[${n}].channel`],
  ['view without sku', withEvent({ type: 'view', channel: 'web', ts: now }), 'missing_field', `events[${n}].sku`],
  ['negative quantity', withEvent({ type: 'purchase', sku: 'X', channel: 'web', ts: now, quantity: -2 }), 'invalid_value', `events[${n}].quantity`],
  ['price as string', withEvent({ type: 'purchase', sku: 'X', channel: 'web', ts: now, price: '12' }), 'invalid_type', `events[${n}].price`],
  ['consent not a bool', { ...base, consents: { personalization: 'yes' } }, 'invalid_type', 'consents.personalization'],
  ['unknown top-level key', { ...base, extra: 1 }, 'invalid_value', 'extra'],
  ['cart quantity zero', { ...base, cart: [{ sku: 'X', quantity: 0 }] }, 'invalid_value', 'cart[0].quantity'],
  ['undefined profile', undefined, 'missing_field', ''],
];

for (const [name, profile, code, path] of profileCases) {
  test(`profile error: ${name}`, () => {
    expectError(() => engine.decide(profile, ctx), code, path, 'profile');
  });
}

const contextCases = [
  ['missing now', { channel: 'web' }, 'missing_field', 'now'],
  ['bad now', { channel: 'web', now: '23/11/2026' }, 'invalid_time', 'now'],
  ['unknown placement', { channel: 'web', now, placement: 'footer' }, 'invalid_value', 'placement'],
  ['kiosk without store', { channel: 'kiosk', now }, 'missing_field', 'store'],
  ['unknown store', { channel: 'kiosk', now, store: 'nowhere' }, 'unknown_reference', 'store'],
  ['limit zero', { channel: 'web', now, limit: 0 }, 'invalid_value', 'limit'],
  ['limit negative', { channel: 'web', now, limit: -1 }, 'invalid_value', 'limit'],
];
for (const [name, context, code, path] of contextCases) {
  test(`context error: ${name}`, () => {
    expectError(() => engine.decide(base, context), code, path, 'context');
  });
}

test('artifact errors at load: catalog, model, config', () => {
  const cat = JSON.parse(sample.catalog);
  const dup = { ...cat, items: [...cat.items, cat.items[0]] };
  expectError(() => new Engine(dup, sample.model, sample.config), 'duplicate', `items[${cat.items.length}].sku`, 'catalog');
  const negPrice = { ...cat, items: cat.items.map((it, i) => (i === 2 ? { ...it, price: -1 } : it)) };
  expectError(() => new Engine(negPrice, sample.model, sample.config), 'invalid_value', 'items[2].price', 'catalog');
  expectError(() => new Engine({ ...cat, items: [] }, sample.model, sample.config), 'empty_catalog', 'items', 'catalog');
  const model = JSON.parse(sample.model);
  model.stats.events += 1;
  expectError(() => new Engine(sample.catalog, model, sample.config), 'checksum_mismatch', 'checksum', 'model');
  expectError(() => new Engine(sample.catalog, '{"schema":', sample.config), 'invalid_json', 'schema', 'model');
  const cfg = JSON.parse(sample.config);
  cfg.placements.home.slots = 0;
  expectError(() => new Engine(sample.catalog, sample.model, cfg), 'invalid_value', 'placements.home.slots', 'config');
  cfg.placements.home.slots = 4;
  cfg.placements.home.strategies[0].strategy = 'magic';
  expectError(() => new Engine(sample.catalog, sample.model, cfg), 'invalid_value', 'placements.home.strategies[0].strategy', 'config');
  expectError(() => buildModel('user_id,sku,ts\nu1,A,not-a-time\n', 'csv'), 'invalid_time', 'line 2.ts');
  expectError(() => buildModel('', 'xml'), 'invalid_value', 'format');
});

test('absurd inputs do not trap the instance', () => {
  const deep = '['.repeat(10000) + ']'.repeat(10000);
  expectError(() => engine.decide(deep, ctx), 'invalid_type', '', 'profile');
  const deepInside = JSON.stringify({ ...base, traits: { attributes: { a: 0 } } }).replace('"a":0', `"a":${'['.repeat(5000)}${']'.repeat(5000)}`);
  let deepErr;
  try { engine.decide(deepInside, ctx); } catch (e) { deepErr = e; }
  assert.equal(deepErr.code, 'too_large'); // the nesting limit (127 levels), SECURITY.md *Limits*
  assert.ok(deepErr.path.startsWith('traits.attributes.a[0]') && deepErr.path.length <= 256, deepErr.path); // MAX_PATH
  const cycle = { ...base };
  cycle.self = cycle;
  expectError(() => engine.decide(cycle, ctx), 'invalid_json', '', 'profile');
  const hugeId = { ...base, id: 'x'.repeat(2_000_000) };
  expectError(() => engine.decide(hugeId, ctx), 'too_large', 'id', 'profile'); // refused before it is copied
  const unknownSkus = { ...base, events: [{ type: 'view', sku: 'NO-SUCH-SKU', channel: 'app', ts: now }], cart: [{ sku: 'GHOST' }] };
  const d = engine.decide(unknownSkus, { channel: 'web', placement: 'product', sku: 'ALSO-GHOST', now });
  assert.ok(d.recommendations.length > 0, 'unknown skus are ignored, popular items still come back');
});

test('the engine keeps answering after every error', () => {
  const good = engine.decideJson(JSON.stringify(base), JSON.stringify(ctx));
  for (const [, profile] of profileCases) {
    try { engine.decide(profile, ctx); } catch { /* expected */ }
  }
  assert.equal(engine.decideJson(JSON.stringify(base), JSON.stringify(ctx)), good);
});
