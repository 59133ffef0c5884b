// Event types at runtime, through the package: canonical names and Segment / GA4 aliases are
// read as their type; a name one edit from a known one (`veiw`, `purchse`, `add_to_card`) is a
// typo, refused with `invalid_value`, the event's path and a "did you mean"; every other name is
// a custom event type, kept as written and ignored by the strategies (the decision is the same
// as without it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sample, sampleEngine, unisono } from './helpers.mjs';

const { UnisonoError, Session } = unisono;
const engine = sampleEngine();
const ts = '2026-11-23T11:00:00Z';
const now = '2026-11-23T12:00:00Z';
const anna = sample.profile('cust-anna');
const event = (type) => ({ type, sku: 'HK-COF-0001', channel: 'web', ts });

const TYPOS = [
  ['veiw', 'view'],
  ['purchse', 'purchase'],
  ['add_to_card', 'add_to_cart'],
  ['Add To Card', 'add_to_cart'],
  ['remove_from_crt', 'remove_from_cart'],
  ['Product Viewd', 'product_viewed'],
  ['serach', 'search'],
  ['VIEWS', 'view'],
];

for (const [typo, meant] of TYPOS) {
  test(`event type ${JSON.stringify(typo)} is a typo of ${meant}: invalid_value with a suggestion`, () => {
    const check = (fn, path, document) => assert.throws(fn, (e) => {
      assert.ok(e instanceof UnisonoError, String(e));
      assert.equal(e.code, 'invalid_value');
      assert.equal(e.path, path);
      assert.equal(e.document, document);
      assert.ok(e.message.includes(`did you mean "${meant}"`), e.message);
      return true;
    });
    check(() => engine.track(anna, event(typo)), 'type', 'event');
    const withTypo = { ...anna, events: [...anna.events, event(typo)] };
    check(() => engine.decide(withTypo, { channel: 'web', now }), `events[${anna.events.length}].type`, 'profile');
    const session = new Session(anna);
    check(() => session.track(event(typo)), 'type', 'event');
    session.free();
    const report = unisono.validate('profile', withTypo);
    assert.deepEqual(report.problems.map((p) => [p.code, p.path]), [['invalid_value', `events[${anna.events.length}].type`]]);
  });
}

// Real names from CDP exports (examples/cdp/), plus namespaced and one-word ones.
const CUSTOM = ['Checkout Started', 'Signed In', 'Product Reviewed', 'Cart Viewed', 'session_start', 'page_view',
  'login', 'scroll', 'first_open', 'view_item_list', 'begin_checkout', 'app:wishlist_add', 'x_loyalty_scan'];

test('custom event types pass through: kept as written, ignored by the decision', () => {
  const base = engine.decide(anna, { channel: 'web', now });
  let profile = anna;
  for (const type of CUSTOM) {
    const tracked = engine.track(profile, event(type));
    assert.equal(tracked.event.type, type);
    profile = tracked.profile;
  }
  assert.deepEqual(CUSTOM.filter((t) => !profile.events.some((e) => e.type === t)), []);
  const d = engine.decide(profile, { channel: 'web', now });
  assert.deepEqual(d.recommendations, base.recommendations);
  assert.deepEqual(unisono.validate('profile', profile), { valid: true, problems: [] });
});

test('aliases are read as their canonical type', () => {
  for (const [alias, canonical] of [['Product Viewed', 'view'], ['view_item', 'view'], ['Order Completed', 'purchase'], ['product_added', 'add_to_cart'], ['Promotion Viewed', 'offer_impression']]) {
    const e = { ...event(alias), ...(canonical === 'offer_impression' ? { offer: 'WELCOME', sku: undefined } : {}) };
    assert.equal(engine.track(anna, e).event.type, canonical, alias);
  }
});
