// validate(kind, document) through the built package: every problem of a document with its code
// and path, never a throw, and `valid` exactly when the engine accepts the document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unisono, sample, sampleEngine, catalogObj } from './helpers.mjs';

const { Engine, validate } = unisono;
const now = sample.scenarios.now;
const anna = sample.profile('cust-anna');
const found = (report) => report.problems.map((p) => [p.code, p.path]);

test('a profile with three bad events: three problems, each with its path', () => {
  const ev = (more) => ({ type: 'view', sku: 'HK-COF-0001', channel: 'app', ts: now, ...more });
  const profile = {
    ...anna,
    events: [ev({}), ev({ ts: 'yesterday' }), ev({ channel: 'tv' }), ev({}), ev({ sku: undefined })],
  };
  const report = validate('profile', profile);
  assert.equal(report.valid, false);
  assert.deepEqual(found(report), [
    ['invalid_time', 'events[1].ts'],
    ['invalid_value', 'events[2].channel'],
    ['missing_field', 'events[4].sku'],
  ]);
  for (const p of report.problems) assert.equal(typeof p.message, 'string');
  // The same problems from the JSON text.
  assert.deepEqual(validate('profile', JSON.stringify(profile)), report);
  // The engine throws the first of them.
  assert.throws(() => sampleEngine().decide(profile, { channel: 'web', now }), { code: 'invalid_time', path: 'events[1].ts' });
});

test('every sample document is valid', () => {
  for (const [kind, doc] of [['catalog', sample.catalog], ['model', sample.model], ['config', sample.config], ['offers', sample.offers]]) {
    assert.deepEqual(validate(kind, doc), { valid: true, problems: [] }, kind);
  }
  for (const id of sample.scenarios.customers.map((c) => c.profile)) {
    assert.deepEqual(validate('profile', sample.profile(id)), { valid: true, problems: [] }, id);
  }
  assert.equal(validate('context', { channel: 'kiosk', store: 'lon-oxford', now }).valid, true);
});

test('catalog: bad items, duplicate skus, unknown stores, all at once', () => {
  const cat = structuredClone(catalogObj);
  cat.items[1].price = -1;
  cat.items[2].sku = cat.items[0].sku;
  cat.items[3].availability = { stores: { atlantis: 2 } };
  const report = validate('catalog', cat);
  assert.deepEqual(found(report), [
    ['invalid_value', 'items[1].price'],
    ['unknown_reference', 'items[3].availability.stores.atlantis'],
    ['duplicate', 'items[2].sku'],
  ]);
  assert.throws(() => new Engine(cat, sample.model, sample.config), { code: 'invalid_value', path: 'items[1].price' });
});

test('offers: each rule is compiled, each bad one reported', () => {
  const offers = JSON.parse(sample.offers);
  offers.offers[0].eligibility = { magic: [] };
  offers.offers[4].eligibility = { and: [{ '==': [1, 1] }, { '>=': [{ event_count: { typo: 1 } }, 1] }] };
  const report = validate('offers', offers);
  assert.equal(report.problems.length, 2, JSON.stringify(report));
  assert.equal(report.problems[0].path, 'offers[0].eligibility.magic');
  assert.match(report.problems[1].path, /^offers\[4\]\.eligibility\.and\[1\]/);
});

test('not a document, or not a known kind: a problem, never a throw', () => {
  assert.deepEqual(found(validate('profile', 'not json')), [['invalid_json', '']]);
  assert.deepEqual(found(validate('profile', [1, 2])), [['invalid_type', '']]);
  assert.deepEqual(found(validate('profile', undefined)), [['missing_field', '']]);
  assert.deepEqual(found(validate('profile', 10n)), [['invalid_json', '']]);
  const cyclic = {};
  cyclic.self = cyclic;
  assert.deepEqual(found(validate('profile', cyclic)), [['invalid_json', '']]);
  assert.deepEqual(found(validate('basket', {})), [['invalid_value', '']]);
});

test('at most 100 problems', () => {
  const events = Array.from({ length: 300 }, () => ({ type: 'view', channel: 'web', ts: 'soon' }));
  const report = validate('profile', { ...anna, events });
  assert.equal(report.problems.length, 100);
  assert.equal(report.problems.at(-1).path, 'events[99].ts');
});

// The loader's error is always among validate's problems, and valid ⇔ the engine accepts.
const broken = [
  ['profile', { ...anna, id: '' }],
  ['profile', { ...anna, consents: { tracking: true } }],
  ['profile', { ...anna, cart: [{ sku: 'A', quantity: 0 }] }],
  ['profile', '{"schema":"unisono.profile/1","id":"x","events":['],
  ['profile', { ...anna, events: [{ type: 'view', sku: 'A', channel: 'web', ts: now, price: 'free' }] }],
  ['config', { ...JSON.parse(sample.config), affinity: { half_life_days: -1 } }],
  ['config', { schema: 'unisono.config/1', placements: { home: { slots: 0, strategies: [] } } }],
  ['offers', { ...JSON.parse(sample.offers), control_group_percent: 101 }],
  ['model', { ...JSON.parse(sample.model), version: 'edited' }],
  ['catalog', { ...catalogObj, items: [] }],
  ['catalog', { ...catalogObj, schema: 'unisono.catalog/2' }],
];

for (const [kind, doc] of broken) {
  test(`validate agrees with the engine: ${kind} ${JSON.stringify(doc).slice(0, 60)}…`, () => {
    const load = {
      profile: () => sampleEngine().decide(doc, { channel: 'web', now }),
      config: () => new Engine(sample.catalog, sample.model, doc),
      offers: () => new Engine(sample.catalog, sample.model, sample.config, doc),
      model: () => new Engine(sample.catalog, doc, sample.config),
      catalog: () => new Engine(doc, sample.model, sample.config),
    }[kind];
    let thrown;
    try {
      load();
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown, 'the engine refuses it');
    const report = validate(kind, doc);
    assert.equal(report.valid, false);
    assert.ok(report.problems.some((p) => p.code === thrown.code && p.path === thrown.path),
      `${thrown.message} [${thrown.code}] not in ${JSON.stringify(report.problems)}`);
  });
}
