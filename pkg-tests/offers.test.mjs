// Next-best-offer through the BUILT package: every rule operator, cap, suppression, group,
// holdout and consent path, and cross-channel consistency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unisono, sample, sampleEngine } from './helpers.mjs';

const { Engine } = unisono;
const engine = sampleEngine();
const now = sample.scenarios.now;
const decide = (e, profile, ctx) => e.decide(profile, { now, placement: 'home', ...ctx });
const why = (d, id) => d.suppressedOffers.find((s) => s.id === id);
const ids = (d) => d.offers.map((o) => o.id);

/** An engine with a custom offer catalogue (one offer per test case keeps things readable). */
function withOffers(offers, extra = {}) {
  return new Engine(sample.catalog, sample.model, sample.config, { schema: 'unisono.offers/1', offers, ...extra });
}
const offer = (id, more = {}) => ({ id, name: id, content: { 'en-GB': { title: `${id} title` } }, marketing: false, ...more });
const shows = (e, profile, ctx = { channel: 'web' }) => ids(decide(e, profile, ctx));

test('the same offers on web, app and kiosk for the same customer moment', () => {
  for (const c of sample.scenarios.customers) {
    const p = sample.profile(c.profile);
    const [web, app, kiosk] = [{ channel: 'web' }, { channel: 'app' }, { channel: 'kiosk', store: c.store }].map((ctx) => decide(engine, p, ctx));
    // Offers allowed on all three channels appear identically (content included).
    const common = (d) => d.offers.filter((o) => !['APPONLY5', 'VIPLOUNGE'].includes(o.id)).map((o) => JSON.stringify(o));
    const all = [web, app, kiosk].map(common);
    const shortest = Math.min(...all.map((x) => x.length));
    assert.deepEqual(all[0].slice(0, shortest), all[1].slice(0, shortest), c.profile);
    assert.deepEqual(all[0].slice(0, shortest), all[2].slice(0, shortest), c.profile);
  }
  const anna = decide(engine, sample.profile('cust-anna'), { channel: 'kiosk', store: 'lon-oxford' });
  assert.equal(anna.offers[0].id, 'ESPRESSO50');
  assert.equal(anna.offers[0].content.code, 'ESPRESSO50');
  assert.equal(anna.offers[0].reasons[0].code, 'eligible');
  assert.match(anna.offers[0].reasons[1].text, /^propensity [\d.]+ × context 1 × value 50 × lever 1.2$/);
  assert.deepEqual(anna.impressions.map((e) => [e.type, e.offer, e.channel, e.store]), anna.offers.map((o) => ['offer_impression', o.id, 'kiosk', 'lon-oxford']));
});

test('impressions logged by the app cap the offer on the kiosk', () => {
  let p = sample.profile('cust-anna');
  for (const minute of ['10', '11']) {
    const d = decide(engine, p, { channel: 'app', now: `2026-11-23T11:${minute}:00Z` });
    assert.equal(d.offers[0].id, 'ESPRESSO50');
    for (const imp of d.impressions) p = engine.track(p, imp).profile;
  }
  const kiosk = decide(engine, p, { channel: 'kiosk', store: 'lon-oxford' });
  assert.ok(!ids(kiosk).includes('ESPRESSO50'));
  assert.equal(why(kiosk, 'ESPRESSO50').code, 'capped');
  assert.match(why(kiosk, 'ESPRESSO50').detail, /2 impressions in 1 day \(cap 2\)/);
});

test('daily limit across channels', () => {
  const e = withOffers([offer('A', { value: 3 }), offer('B', { value: 2 }), offer('C', { value: 1 })], { max_offers_per_day: 2 });
  let p = sample.profile('cust-chloe');
  p = engine.track(p, { type: 'offer_impression', offer: 'C', channel: 'email', ts: '2026-11-23T08:00:00Z' }).profile;
  p = engine.track(p, { type: 'offer_impression', offer: 'B', channel: 'app', ts: '2026-11-23T09:00:00Z' }).profile;
  const d = decide(e, p, { channel: 'web' });
  assert.equal(why(d, 'A').code, 'capped');
  assert.match(why(d, 'A').detail, /daily limit of 2/);
  // B and C were already shown today (on other channels): they may show again; A may not.
  assert.deepEqual(ids(d), ['B', 'C']);
});

test('suppression: redeemed, dismissed, impressions without a click', () => {
  const gus = decide(engine, sample.profile('cust-gus'), { channel: 'web' });
  assert.deepEqual([why(gus, 'BEAUTY10').code, why(gus, 'BEAUTY10').detail], ['suppressed', 'already redeemed']);
  assert.deepEqual([why(gus, 'HAIR15').code, why(gus, 'HAIR15').detail], ['suppressed', 'dismissed 95 days ago']);
  const hana = decide(engine, sample.profile('cust-hana'), { channel: 'web' });
  assert.deepEqual([why(hana, 'GIFTS3FOR2').code, why(hana, 'GIFTS3FOR2').detail], ['suppressed', '1 impression without a click']);
});

test('consent: no marketing consent → service offers only; no personalization → no profile rules', () => {
  const ben = decide(engine, sample.profile('cust-ben'), { channel: 'app' });
  assert.equal(why(ben, 'RUN20').code, 'no_consent');
  assert.ok(ids(ben).includes('RUNCLUB'), 'service message still shown');
  const dev = decide(engine, sample.profile('cust-dev'), { channel: 'web' });
  assert.equal(why(dev, 'TECH50').code, 'no_consent');
  assert.deepEqual(ids(dev), ['WELCOME']);
  assert.equal(dev.offers[0].reasons[0].code, 'fallback');
  // A service offer with a profile rule is refused without personalization consent too.
  const e = withOffers([offer('RULED', { eligibility: { '!!': [{ var: 'id' }] } })]);
  assert.equal(why(decide(e, sample.profile('cust-dev'), { channel: 'web' }), 'RULED').code, 'no_consent');
});

test('window, channel, placement, group, slots', () => {
  const chloe = decide(engine, sample.profile('cust-chloe'), { channel: 'web' });
  assert.equal(why(chloe, 'BLACKFRIDAY').code, 'out_of_window');
  assert.equal(why(chloe, 'APPONLY5').code, 'channel_not_allowed');
  const later = decide(engine, sample.profile('cust-chloe'), { channel: 'web', now: '2026-11-28T10:00:00Z' });
  assert.ok(ids(later).includes('BLACKFRIDAY'));
  const elif = decide(engine, sample.profile('cust-elif'), { channel: 'web', placement: 'cart' });
  assert.equal(elif.offers[0].id, 'OUTDOOR20');
  assert.equal(elif.offers[0].scoreParts.contextWeight, 1.5, 'cart context weight');
  assert.equal(why(elif, 'TENTCARE').code, 'excluded_by_group');
  const e = withOffers([offer('A', { value: 3 }), offer('B', { value: 2 }), offer('P', { placements: ['product'] })]);
  const d = decide(e, sample.profile('cust-chloe'), { channel: 'web' });
  assert.deepEqual(ids(d), ['A', 'B']);
  assert.equal(why(d, 'P').code, 'channel_not_allowed');
  assert.match(why(d, 'P').detail, /home placement/);
  const product = decide(e, sample.profile('cust-chloe'), { channel: 'web', placement: 'product', sku: 'HK-COF-0001' });
  assert.deepEqual(ids(product), ['A']);
  assert.equal(why(product, 'B').code, 'outranked');
});

test('ties break by offer id', () => {
  const e = withOffers([offer('ZED'), offer('ALPHA'), offer('MID')]);
  assert.deepEqual(shows(e, sample.profile('cust-chloe')), ['ALPHA', 'MID']);
});

test('holdouts and the universal control group are reproducible (FNV-1a 32 of "id:key" mod 100)', () => {
  const fnv = (s) => {
    let h = 0x811c9dc5;
    for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    return h % 100;
  };
  for (const c of sample.scenarios.customers) {
    const d = decide(engine, sample.profile(c.profile), { channel: 'web' });
    assert.equal(d.assignments.holdouts.includes('GIFTS3FOR2'), fnv(`${c.profile}:GIFTS3FOR2`) < 50, c.profile);
    assert.equal(d.assignments.controlGroup, fnv(`${c.profile}:universal-control`) < 3, c.profile);
  }
  const chloe = decide(engine, sample.profile('cust-chloe'), { channel: 'web' });
  const farah = decide(engine, sample.profile('cust-farah'), { channel: 'web' });
  assert.ok(ids(chloe).includes('GIFTS3FOR2'));
  assert.equal(why(farah, 'GIFTS3FOR2').code, 'holdout');
  const everyone = withOffers([offer('A'), offer('W', { fallback: true })], { control_group_percent: 100 });
  const d = decide(everyone, sample.profile('cust-anna'), { channel: 'web' });
  assert.equal(d.assignments.controlGroup, true);
  assert.deepEqual(ids(d), [], 'the control group gets nothing, not even the fallback');
  assert.equal(why(d, 'A').code, 'control_group');
});

test('every rule operator', () => {
  const anna = sample.profile('cust-anna');
  const cases = [
    [{ '==': [{ var: 'traits.tier' }, 'gold'] }, true],
    [{ '!=': [{ var: 'traits.tier' }, 'gold'] }, false],
    [{ '<': [{ var: 'traits.lifetime_value' }, 1000] }, true],
    [{ '<=': [{ var: 'traits.lifetime_value' }, 990.38] }, true],
    [{ '>': [{ var: 'traits.lifetime_value' }, 990.38] }, false],
    [{ '>=': [{ var: 'cart.count' }, 0] }, true],
    [{ and: [{ in_segment: 'coffee-lovers' }, { '==': [{ var: 'consents.marketing' }, true] }] }, true],
    [{ or: [{ in_segment: 'runners' }, { in: ['espresso', 'I love espresso'] }] }, true],
    [{ '!': { in_segment: 'coffee-lovers' } }, false],
    [{ '!!': { var: 'traits.preferred_store' } }, true],
    [{ in: [{ var: 'context.channel' }, ['kiosk', 'web']] }, true],
    [{ '==': [{ var: 'traits.nickname' }, 'none'] }, false],
    [{ '==': [{ var: ['traits.nickname', 'none'] }, 'none'] }, true],
    [{ '>=': [{ event_count: { type: 'purchase', category: 'Coffee Beans', within_days: 60 } }, 2] }, true],
    [{ '>=': [{ event_count: { type: 'purchase', category: 'Coffee Beans', within_days: 10 } }, 1] }, false],
    [{ '>=': [{ event_count: { type: 'store_visit', store: 'lon-oxford', within_days: 1 } }, 1] }, true],
    [{ '>=': [{ event_count: { type: 'view', channel: 'app', sku: 'HK-COF-0001' } }, 2] }, true],
    [{ '==': [{ event_count: { type: 'offer_redeemed', offer: 'COFFEE15' } }, 1] }, true],
    [{ viewed_not_bought: { sku: 'HK-COF-0001', within_hours: 24 } }, true],
    [{ viewed_not_bought: { sku: 'HK-COF-0001', within_hours: 1 } }, false],
    [{ cart_contains: { category: 'Coffee' } }, false],
  ];
  cases.forEach(([rule, expected], i) => {
    const e = withOffers([offer(`R${i}`, { eligibility: rule })]);
    const d = decide(e, anna, { channel: 'kiosk', store: 'lon-oxford' });
    assert.equal(ids(d).includes(`R${i}`), expected, JSON.stringify(rule));
    if (!expected) assert.equal(why(d, `R${i}`).code, 'not_eligible');
  });
  const elif = withOffers([offer('CART', { eligibility: { cart_contains: { sku: 'SO-CMP-0019' } } })]);
  assert.deepEqual(shows(elif, sample.profile('cust-elif')), ['CART']);
});

test('bad offer catalogues are refused at load with the offer path', () => {
  const bad = [
    [[offer('X', { eligibility: { magic: [1] } })], 'invalid_value', 'offers[0].eligibility.magic'],
    [[offer('X', { eligibility: { and: [{ '==': [1] }] } })], 'invalid_value', 'offers[0].eligibility.and[0].=='],
    [[offer('X', { eligibility: { event_count: { colour: 'red' } } })], 'invalid_value', 'offers[0].eligibility.event_count.colour'],
    [[offer('X'), offer('X')], 'duplicate', 'offers[1].id'],
    [[offer('X', { holdout_percent: 101 })], 'invalid_value', 'offers[0].holdout_percent'],
    [[offer('X', { caps: [{ max: 0, days: 1 }] })], 'invalid_value', 'offers[0].caps[0]'],
    [[offer('X', { value: -1 })], 'invalid_value', 'offers[0].value'],
    [[offer('X', { valid_from: 'soon' })], 'invalid_time', 'offers[0].valid_from'],
    [[{ id: 'X', name: 'x', content: {} }], 'missing_field', 'offers[0].content'],
  ];
  for (const [offers, code, path] of bad) {
    assert.throws(() => withOffers(offers), (e) => e.code === code && e.path === path && e.document === 'offers', `${code} ${path}`);
  }
  let deep = { '!!': 1 };
  for (let i = 0; i < 40; i++) deep = { '!': deep };
  assert.throws(() => withOffers([offer('X', { eligibility: deep })]), (e) => e.code === 'too_large');
});
