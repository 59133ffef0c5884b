import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unisono, sample, sampleEngine, catalogObj } from './helpers.mjs';

const { Engine, buildModel, engineVersion } = unisono;
const now = '2026-11-23T12:00:00Z';
const anna = sample.profile('cust-anna');

test('Engine is built from strings or objects and reports versions', () => {
  const a = sampleEngine();
  const b = new Engine(catalogObj, JSON.parse(sample.model), JSON.parse(sample.config), JSON.parse(sample.offers));
  assert.equal(engineVersion(), a.versions.engine);
  assert.deepEqual(a.versions, b.versions);
  assert.equal(a.versions.config, 'sample-config-1');
  assert.match(a.versions.model, /\S/);
  // Same inputs as objects or as strings: the same decision, byte for byte.
  const ctx = { channel: 'web', placement: 'home', now };
  assert.equal(JSON.stringify(a.decide(anna, ctx)), JSON.stringify(b.decide(JSON.stringify(anna), JSON.stringify(ctx))));
});

test('decide returns the documented shape', () => {
  const d = sampleEngine().decide(anna, { channel: 'app', now });
  for (const k of ['decisionId', 'stateId', 'profileId', 'channel', 'placement', 'now', 'personalized', 'recommendations', 'offers', 'suppressedOffers', 'assignments', 'impressions', 'versions']) {
    assert.ok(k in d, `missing ${k}`);
  }
  assert.match(d.decisionId, /^d-[0-9a-f]{32}$/);
  assert.match(d.stateId, /^s-[0-9a-f]{32}$/);
  assert.equal(d.channel, 'app');
  assert.equal(d.placement, 'home');
  assert.equal(d.offers.length, 2);
  for (const o of d.offers) {
    assert.equal(typeof o.id, 'string');
    assert.equal(typeof o.content.title, 'string');
    assert.ok(Number.isFinite(o.score));
    assert.deepEqual(Object.keys(o.scoreParts).sort(), ['context' + 'Weight', 'lever', 'propensity', 'value']);
  }
  assert.equal(d.impressions.length, d.offers.length);
  assert.ok(d.suppressedOffers.every((s) => typeof s.code === 'string' && typeof s.detail === 'string'));
  // Without an offer catalogue the engine still decides, with no offers.
  const plain = new Engine(sample.catalog, sample.model, sample.config).decide(anna, { channel: 'app', now });
  assert.deepEqual([plain.offers, plain.suppressedOffers, plain.impressions], [[], [], []]);
  assert.equal(d.recommendations.length, 8);
  for (const r of d.recommendations) {
    assert.equal(typeof r.sku, 'string');
    assert.equal(typeof r.title, 'string');
    assert.ok(Number.isFinite(r.score) && r.score > 0);
    assert.match(r.strategy, /^(continue_journey|bought_together|personalized|buy_again|trending|popular|similar_items)$/);
    assert.ok(r.reasons.length >= 1);
    for (const reason of r.reasons) {
      assert.equal(typeof reason.code, 'string');
      assert.ok(reason.text.length > 0);
    }
  }
  const skus = d.recommendations.map((r) => r.sku);
  assert.equal(new Set(skus).size, skus.length, 'no duplicates across strategies');
  const scores = d.recommendations.map((r) => r.score);
  assert.deepEqual([...scores].sort((x, y) => y - x), scores, 'sorted by score');
});

test('decisions are deterministic and ids mean what they say', () => {
  const e = sampleEngine();
  const web = { channel: 'web', now };
  const a = e.decideJson(JSON.stringify(anna), JSON.stringify(web));
  const b = e.decideJson(JSON.stringify(anna), JSON.stringify(web));
  assert.equal(a, b);
  // Event order and key order in the profile do not matter.
  const shuffled = { ...anna, events: [...anna.events].reverse() };
  const reordered = Object.fromEntries(Object.entries(shuffled).reverse());
  assert.equal(e.decideJson(JSON.stringify(reordered), JSON.stringify(web)), a);
  const app = e.decide(anna, { channel: 'app', now });
  const da = JSON.parse(a);
  assert.equal(app.stateId, da.stateId, 'state id is channel-independent');
  assert.notEqual(app.decisionId, da.decisionId, 'decision id covers the channel');
  const later = e.decide(anna, { channel: 'web', now: '2026-11-24T12:00:00Z' });
  assert.notEqual(later.stateId, da.stateId, 'state id covers now');
});

test('limit and placement are honoured', () => {
  const e = sampleEngine();
  assert.equal(e.decide(anna, { channel: 'web', now, limit: 3 }).recommendations.length, 3);
  const cart = e.decide(anna, { channel: 'web', placement: 'cart', now });
  assert.ok(cart.recommendations.length <= 4);
  const inCart = new Set(anna.cart.map((l) => l.sku));
  assert.ok(cart.recommendations.every((r) => !inCart.has(r.sku)), 'cart items are not recommended');
});

test('buildModel builds a loadable artifact from CSV and NDJSON', () => {
  const csv = [
    'user_id,sku,ts,type,channel,store',
    ...['u1', 'u2', 'u3'].flatMap((u, i) => [
      `${u},${catalogObj.items[0].sku},2026-11-0${i + 1}T10:00:00Z,purchase,web,`,
      `${u},${catalogObj.items[1].sku},2026-11-0${i + 1}T10:05:00Z,purchase,web,`,
    ]),
  ].join('\n');
  const model = JSON.parse(buildModel(csv, 'csv', { k: 10 }, 'tiny'));
  assert.equal(model.schema, 'unisono.model/2');
  assert.equal(model.version, 'tiny');
  assert.equal(model.params.k, 10);
  assert.match(model.checksum, /^sha256:[0-9a-f]{64}$/);
  // Item 0's first neighbour is item 1, by index into the sku table.
  const at = (sku) => model.skus.indexOf(sku);
  assert.equal(model.neighbours.lengths.length, model.skus.length);
  assert.ok(model.neighbours.lengths[at(catalogObj.items[0].sku)] >= 1);
  const first = model.neighbours.lengths.slice(0, at(catalogObj.items[0].sku)).reduce((a, b) => a + b, 0);
  assert.equal(model.skus[model.neighbours.items[first]], catalogObj.items[1].sku);
  assert.ok(model.neighbours.scores.every(Number.isInteger), 'scores are scaled integers');
  const nd = csv.split('\n').slice(1).map((l) => {
    const [user_id, sku, ts, type, channel] = l.split(',');
    return JSON.stringify({ user_id, sku, ts, type, channel });
  }).join('\n');
  const model2 = JSON.parse(buildModel(nd, 'ndjson', undefined, 'tiny'));
  assert.deepEqual(model2.neighbours, JSON.parse(buildModel(csv, 'csv', undefined, 'tiny')).neighbours);
  const e = new Engine(sample.catalog, model, sample.config);
  const d = e.decide(anna, { channel: 'web', placement: 'product', sku: catalogObj.items[0].sku, now });
  assert.equal(d.recommendations[0].sku, catalogObj.items[1].sku);
  assert.equal(d.recommendations[0].strategy, 'bought_together');
});
