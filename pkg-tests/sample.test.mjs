// The sample customers' stories, decided by the BUILT package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sample, sampleEngine, itemBySku, catalogObj } from './helpers.mjs';

const engine = sampleEngine();
const now = sample.scenarios.now;
const decide = (id, ctx) => engine.decide(sample.profile(id), { now, placement: 'home', ...ctx });
const personal = new Set(['continue_journey', 'personalized', 'buy_again']);

test('viewed on the kiosk → continue your journey in the app (cust-ben)', () => {
  const d = decide('cust-ben', { channel: 'app' });
  const shoes = d.recommendations.find((r) => r.sku === 'SO-RUN-0003');
  assert.ok(shoes, 'the running shoes viewed at the Manchester kiosk come back in the app');
  assert.equal(shoes.strategy, 'continue_journey');
  assert.equal(shoes.reasons[0].code, 'continue_journey');
  assert.equal(shoes.reasons[0].channel, 'kiosk');
  assert.equal(shoes.reasons[0].text, 'Viewed on the kiosk 2 days ago');
});

test('browsed in the app → first on the kiosk (cust-anna)', () => {
  const d = decide('cust-anna', { channel: 'kiosk', store: 'lon-oxford' });
  assert.equal(d.recommendations[0].sku, 'HK-COF-0001');
  assert.equal(d.recommendations[0].reasons[0].text, 'Viewed in the app yesterday');
});

test('buy again follows the customer’s own rhythm (cust-anna)', () => {
  const d = decide('cust-anna', { channel: 'web' });
  const beans = d.recommendations.find((r) => r.sku === 'HK-COF-0023');
  assert.ok(beans, 'the beans she buys every ~3 weeks');
  assert.ok(beans.reasons.some((r) => r.code === 'buy_again' && /about every 21 days/.test(r.text)));
});

test('kiosks only show what that store has in stock', () => {
  for (const c of sample.scenarios.customers) {
    for (const store of catalogObj.stores.map((s) => s.id)) {
      const d = decide(c.profile, { channel: 'kiosk', store });
      assert.ok(d.recommendations.length > 0);
      for (const r of d.recommendations) {
        assert.ok((itemBySku.get(r.sku).availability.stores?.[store] ?? 0) > 0, `${c.profile}@${store}: ${r.sku}`);
      }
    }
  }
});

test('online-only items never reach the kiosk', () => {
  const onlineOnly = catalogObj.items.filter((i) => i.availability.channels && !i.availability.channels.includes('kiosk'));
  assert.ok(onlineOnly.length > 0);
  const skus = new Set(onlineOnly.map((i) => i.sku));
  for (const c of sample.scenarios.customers) {
    const d = decide(c.profile, { channel: 'kiosk', store: c.store });
    assert.ok(d.recommendations.every((r) => !skus.has(r.sku)));
  }
});

test('a brand-new customer gets sensible popular items (cust-chloe)', () => {
  const d = decide('cust-chloe', { channel: 'web' });
  assert.equal(d.recommendations.length, 8);
  assert.ok(d.recommendations.every((r) => r.strategy === 'trending' || r.strategy === 'popular'));
});

test('refused consent: the history is not used (cust-dev)', () => {
  const d = decide('cust-dev', { channel: 'web' });
  assert.equal(d.personalized, false);
  assert.ok(d.recommendations.every((r) => !personal.has(r.strategy)));
  assert.ok(d.recommendations.every((r) => r.reasons.every((x) => !personal.has(x.code))));
  // The product page still works: it is context, not personal data.
  const p = decide('cust-dev', { channel: 'web', placement: 'product', sku: 'EL-PC-0001' });
  assert.equal(p.recommendations[0].strategy, 'bought_together');
});

test('the basket is completed, never repeated (cust-elif)', () => {
  const d = decide('cust-elif', { channel: 'web', placement: 'cart' });
  const cart = new Set(['SO-CMP-0006', 'SO-CMP-0019']);
  assert.ok(d.recommendations.every((r) => !cart.has(r.sku)));
  assert.equal(d.recommendations[0].strategy, 'bought_together');
  assert.ok(cart.has(d.recommendations[0].reasons[0].sku));
});

test('Segment / GA4 event names drive the same strategies (cust-farah)', () => {
  const d = decide('cust-farah', { channel: 'web' });
  assert.ok(d.recommendations.some((r) => personal.has(r.strategy)));
});

test('one state id per customer moment across every channel', () => {
  for (const c of sample.scenarios.customers) {
    const ids = ['web', 'app'].map((channel) => decide(c.profile, { channel }).stateId);
    ids.push(decide(c.profile, { channel: 'kiosk', store: c.store }).stateId);
    assert.equal(new Set(ids).size, 1, c.profile);
  }
});
