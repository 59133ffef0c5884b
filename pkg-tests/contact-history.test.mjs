// Contact history is not browsing history: caps and suppression count offer events in their own
// window, so no number of views resets them, and `exclude_purchased` holds for every purchase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sample, sampleEngine, unisono } from './helpers.mjs';

const now = '2026-11-23T12:00:00Z';
const VIEWS = 5_000; // more than the sample config's window (affinity.max_events: 2,000)
const skus = JSON.parse(sample.catalog).items.map((i) => i.sku);

const offer = (id, extra) => ({ id, name: id, content: { en: { title: id } }, marketing: false, ...extra });
const offers = {
  schema: 'unisono.offers/1',
  version: 'contact-history-test',
  offers: [
    offer('ONCE', { caps: [{ max: 1, days: 7 }], value: 3 }),
    offer('NOTAGAIN', { suppress: { dismissed_cooldown_days: 30 }, value: 2 }),
    offer('USED', { suppress: { after_redeemed: true }, value: 1 }),
  ],
};
const engine = new unisono.Engine(sample.catalog, sample.model, sample.config, offers);

/// `n` views of `pool`, one a second, ending at `now`: all newer than the contact events.
function views(n, pool = skus) {
  const end = Date.parse(now);
  return Array.from({ length: n }, (_, i) => ({
    type: 'view', sku: pool[i % pool.length], channel: 'web', ts: new Date(end - (n - i) * 1000).toISOString(),
  }));
}

function profile(personalization, events) {
  return { schema: 'unisono.profile/1', id: 'cust-contact', consents: { personalization, marketing: true }, events };
}

const contacts = [
  { type: 'offer_dismissed', offer: 'NOTAGAIN', channel: 'app', ts: '2026-11-20T09:00:00Z' },
  { type: 'offer_redeemed', offer: 'USED', channel: 'store', store: 'lon-oxford', ts: '2026-10-01T09:00:00Z' },
];

function verdicts(d) {
  return Object.fromEntries(d.suppressedOffers.map((s) => [s.id, s.code]));
}

for (const personalization of [true, false]) {
  test(`caps and suppression hold behind ${VIEWS} views (personalization ${personalization})`, () => {
    const ctx = { channel: 'web', placement: 'home', now };
    const session = new unisono.Session(profile(personalization, contacts));
    const first = engine.decideSession(session, ctx);
    assert.deepEqual(first.offers.map((o) => o.id), ['ONCE']);
    assert.deepEqual(verdicts(first), { NOTAGAIN: 'suppressed', USED: 'suppressed' });
    for (const e of first.impressions) session.track({ ...e, ts: '2026-11-23T08:00:00Z' });
    for (const e of views(VIEWS)) session.track(e);
    const later = engine.decideSession(session, ctx);
    assert.deepEqual(later.offers, [], 'the impression still caps ONCE');
    assert.deepEqual(verdicts(later), { ONCE: 'capped', NOTAGAIN: 'suppressed', USED: 'suppressed' });
    // The exported profile decides the same way, and the same as the profile without the views.
    const exported = session.toJSON();
    assert.equal(exported.events.length, contacts.length + 1 + VIEWS);
    assert.deepEqual(engine.decide(exported, ctx).suppressedOffers, later.suppressedOffers);
    const without = { ...exported, events: exported.events.filter((e) => e.type !== 'view') };
    assert.deepEqual(engine.decide(without, ctx).suppressedOffers, later.suppressedOffers);
    session.free();
  });
}

test(`a purchase behind ${VIEWS} views is never recommended`, () => {
  const sampleEng = sampleEngine();
  const ctx = { channel: 'web', placement: 'home', now, limit: 100 };
  // What popular / trending put first without consent: what a forgotten purchase would bring back.
  const top = sampleEng.decide(profile(false, []), ctx).recommendations.map((r) => r.sku);
  const bought = top.slice(0, 5);
  assert.equal(bought.length, 5);
  const purchases = bought.map((sku) => ({ type: 'purchase', sku, channel: 'store', store: 'lon-oxford', ts: '2026-06-01T10:00:00Z' }));
  // Thousands of views of a few other items push the purchases out of the 2,000-event window.
  const others = skus.filter((s) => !top.includes(s)).slice(0, 4);
  const events = [...purchases, ...views(VIEWS, others)];
  for (const decide of [
    () => sampleEng.decide(profile(true, events), ctx),
    () => {
      const s = new unisono.Session(profile(true, events));
      try { return sampleEng.decideSession(s, ctx); } finally { s.free(); }
    },
  ]) {
    const d = decide();
    assert.ok(d.recommendations.length > 10);
    for (const r of d.recommendations) assert.ok(!bought.includes(r.sku), `${r.sku} was bought`);
  }
  sampleEng.free();
});
