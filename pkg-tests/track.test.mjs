// Real time on the device: an event tracked on one channel shows in the next decision on another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sample, sampleEngine } from './helpers.mjs';

const engine = sampleEngine();
const now = sample.scenarios.now;

test('a view on the kiosk changes the next app decision', () => {
  const before = engine.decide(sample.profile('cust-chloe'), { channel: 'app', now });
  assert.ok(!before.recommendations.some((r) => r.sku === 'HK-COF-0001'));
  const { profile, event } = engine.track(sample.profile('cust-chloe'), {
    type: 'Product Viewed', sku: 'HK-COF-0001', channel: 'kiosk', store: 'lon-oxford', ts: '2026-11-23T11:58:00Z',
  });
  assert.equal(event.type, 'view', 'exported in canonical form');
  assert.equal(profile.events.length, 1);
  const after = engine.decide(profile, { channel: 'app', now });
  const hit = after.recommendations.find((r) => r.sku === 'HK-COF-0001');
  assert.ok(hit, 'the kiosk view is in the app decision');
  assert.equal(hit.strategy, 'continue_journey');
  assert.equal(hit.reasons[0].text, 'Viewed on the kiosk today');
  assert.notEqual(after.stateId, before.stateId);
});

test('cart events keep the cart in step', () => {
  let p = sample.profile('cust-chloe');
  const at = (m) => `2026-11-23T11:${String(m).padStart(2, '0')}:00Z`;
  p = engine.track(p, { type: 'add_to_cart', sku: 'SO-CMP-0006', channel: 'web', ts: at(1) }).profile;
  p = engine.track(p, { type: 'add_to_cart', sku: 'SO-CMP-0006', channel: 'app', ts: at(2), quantity: 2 }).profile;
  assert.deepEqual(p.cart, [{ sku: 'SO-CMP-0006', quantity: 3 }]);
  const cart = engine.decide(p, { channel: 'web', placement: 'cart', now });
  assert.equal(cart.recommendations[0].strategy, 'bought_together');
  p = engine.track(p, { type: 'purchase', sku: 'SO-CMP-0006', channel: 'store', store: 'edi-princes', ts: at(3) }).profile;
  assert.deepEqual(p.cart, []);
});

test('a bad event is refused with a path and the profile is untouched', () => {
  const p = sample.profile('cust-anna');
  for (const [event, code, path] of [
    [{ type: 'view', sku: 'X', channel: 'web', ts: 'now' }, 'invalid_time', 'ts'],
    [{ type: 'view', channel: 'web', ts: now }, 'missing_field', 'sku'],
    [{ type: 'view', sku: 'X', channel: 'tv', ts: now }, 'invalid_value', 'channel'],
    [{ type: 'purchase', sku: 'X', channel: 'web', ts: now, price: -1 }, 'invalid_value', 'price'],
    [{ type: 'offer_click', channel: 'app', ts: now }, 'missing_field', 'offer'],
  ]) {
    assert.throws(() => engine.track(p, event), (e) => e instanceof Error && e.code === code && e.path === path && e.document === 'event');
  }
  assert.equal(engine.decideJson(JSON.stringify(p), JSON.stringify({ channel: 'web', now })), engine.decideJson(JSON.stringify(sample.profile('cust-anna')), JSON.stringify({ channel: 'web', now })));
});
