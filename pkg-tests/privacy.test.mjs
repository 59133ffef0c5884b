// Privacy through the BUILT package (SECURITY.md): consent is enforced by the engine itself, and
// a decision never echoes the profile's personal data.
//
// - Without `consents.personalization` a decision uses no profile data: two profiles with the same
//   id that differ in everything else (events, cart, traits, segments, identifiers) get the same
//   decision, field for field, on every channel and placement; only `decisionId` / `stateId`
//   differ, because they hash every input for audit. With consent, the same two profiles differ.
//   What is still used without it, on purpose: the id (control group and holdout buckets), the
//   offer contact history (impressions, dismissals, redemptions: caps and suppression) and
//   `traits.locale` (the language of an offer's content).
// - Marketing consent gates marketing offers (`marketing: true`, the default); personalization
//   consent gates every offer with an eligibility rule (src/offers.rs).
// - Decisions, reasons and suppression details never contain identifiers, free-form traits or
//   search queries. `profileId` is the caller's own id, echoed as given: it should be a pseudonym.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { unisono, sample, sampleEngine, readJson, catalogObj } from './helpers.mjs';

const engine = sampleEngine();
const NOW = sample.scenarios.now;
const BLACK_FRIDAY = '2026-11-28T10:00:00Z'; // more offers in their window
const config = readJson('config.json');
const offersDoc = readJson('offers.json');
const offerById = new Map(offersDoc.offers.map((o) => [o.id, o]));
const CHANNELS = ['web', 'app', 'kiosk', 'store', 'email', 'call_center'];
const IN_STORE = new Set(['kiosk', 'store']);
const STORES = catalogObj.stores.map((s) => s.id);
const PLACEMENTS = [...new Set([...Object.keys(config.placements), ...Object.values(config.channels ?? {}).flatMap((c) => Object.keys(c.placements ?? {}))])];
const ON_SCREEN = 'HK-COF-0001';
const CONSENTS = [[false, false], [false, true], [true, false], [true, true]].map(([personalization, marketing]) => ({ personalization, marketing }));

/** Every channel × placement of the sample config (every store for in-store channels; product pages with and without a product on screen), at two moments. */
const CONTEXTS = [];
for (const now of [NOW, BLACK_FRIDAY]) {
  for (const channel of CHANNELS) {
    for (const placement of PLACEMENTS) {
      for (const store of IN_STORE.has(channel) ? STORES : [undefined]) {
        const ctx = { channel, placement, now, ...(store ? { store } : {}) };
        CONTEXTS.push(ctx);
        if (placement === 'product') CONTEXTS.push({ ...ctx, sku: ON_SCREEN });
      }
    }
  }
}

const OFFER_EVENTS = new Set(['offer_impression', 'offer_click', 'offer_redeemed', 'offer_dismissed']);
const SCHEMA = 'unisono.profile/1';
const withoutIds = ({ decisionId, stateId, ...content }) => content;
const decide = (profile, ctx, e = engine) => e.decide(profile, ctx);

/** FNV-1a 32 of "id:key" mod 100 (docs/formats.md, Offers): reproduces the engine's buckets. */
function bucket(id, key) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(`${id}:${key}`)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h % 100;
}

// Two customers with the same id and nothing else in common.
const coffee = {
  schema: SCHEMA,
  id: 'p-7d21',
  identifiers: [{ type: 'loyalty_card', value: 'UNI0000000001' }],
  traits: { tier: 'platinum', preferred_store: 'lon-oxford', locale: 'en-GB', lifetime_value: 5200, attributes: { newsletter: 'weekly' } },
  segments: ['coffee-lovers', 'runners'],
  cart: [{ sku: 'HK-COF-0001', quantity: 1 }],
  events: [
    { type: 'view', sku: 'HK-COF-0001', category: 'Espresso Machines', channel: 'app', ts: '2026-11-22T19:00:00Z' },
    { type: 'purchase', sku: 'HK-COF-0042', channel: 'store', store: 'lon-oxford', ts: '2026-11-01T11:00:00Z', quantity: 2, price: 12.5 },
    { type: 'purchase', sku: 'HK-COF-0042', channel: 'web', ts: '2026-10-10T11:00:00Z' },
    { type: 'store_visit', channel: 'store', store: 'lon-oxford', ts: '2026-11-21T10:00:00Z' },
    { type: 'search', channel: 'web', query: 'espresso', ts: '2026-11-20T08:00:00Z' },
  ],
};
const outdoor = {
  schema: SCHEMA,
  id: 'p-7d21',
  traits: { tier: 'bronze', preferred_store: 'edi-princes', lifetime_value: 12, attributes: { interests: 'wild camping' } },
  segments: ['outdoor-enthusiasts'],
  cart: [{ sku: 'SO-CMP-0006', quantity: 1 }, { sku: 'SO-CMP-0019', quantity: 2 }],
  events: [
    { type: 'view', sku: 'SO-RUN-0003', channel: 'kiosk', store: 'man-arndale', ts: '2026-11-21T15:00:00Z' },
    { type: 'add_to_cart', sku: 'SO-CMP-0006', channel: 'web', ts: '2026-11-22T09:00:00Z' },
    { type: 'purchase', sku: 'EL-PC-0001', channel: 'web', ts: '2026-09-01T09:00:00Z' },
    { type: 'search', channel: 'app', query: 'tent', ts: '2026-11-22T08:00:00Z' },
  ],
};

test('without personalization consent two different profiles get the same decision', () => {
  for (const marketing of [false, true]) {
    const consents = { personalization: false, marketing };
    const a = { ...coffee, consents };
    const b = { ...outdoor, consents };
    for (const ctx of CONTEXTS) {
      const [da, db] = [decide(a, ctx), decide(b, ctx)];
      assert.equal(da.personalized, false);
      assert.equal(db.personalized, false);
      assert.deepEqual(withoutIds(da), withoutIds(db), JSON.stringify({ marketing, ctx }));
      // The ids hash every input (for audit), so they tell the two apart; nothing else does.
      assert.notEqual(da.decisionId, db.decisionId);
      assert.notEqual(da.stateId, db.stateId);
    }
  }
});

test('without personalization consent every sample customer = an empty profile with the same id', () => {
  // The offer contact history is left out here: it is used without consent (next test).
  for (const c of sample.scenarios.customers) {
    const stored = sample.profile(c.profile);
    for (const consents of CONSENTS.filter((x) => !x.personalization)) {
      const rich = { ...stored, consents, events: stored.events.filter((e) => !OFFER_EVENTS.has(e.type)) };
      const bare = { schema: SCHEMA, id: stored.id, consents };
      for (const ctx of CONTEXTS) {
        assert.deepEqual(withoutIds(decide(rich, ctx)), withoutIds(decide(bare, ctx)), `${c.profile} ${JSON.stringify({ consents, ctx })}`);
      }
    }
  }
});

test('with personalization consent the same two profiles get different decisions', () => {
  const consents = { personalization: true, marketing: true };
  const [a, b] = [{ ...coffee, consents }, { ...outdoor, consents }];
  let recsDiffer = 0;
  let offersDiffer = 0;
  for (const ctx of CONTEXTS) {
    const [da, db] = [decide(a, ctx), decide(b, ctx)];
    assert.equal(da.personalized, true);
    assert.equal(db.personalized, true);
    if (JSON.stringify(da.recommendations) !== JSON.stringify(db.recommendations)) recsDiffer++;
    if (JSON.stringify([da.offers, da.suppressedOffers]) !== JSON.stringify([db.offers, db.suppressedOffers])) offersDiffer++;
  }
  assert.equal(recsDiffer, CONTEXTS.length, 'recommendations differ in every context');
  assert.equal(offersDiffer, CONTEXTS.length, 'offers differ in every context');
  const web = [a, b].map((p) => decide(p, { channel: 'web', placement: 'home', now: NOW }));
  assert.ok(web.every((d) => d.recommendations.some((r) => ['continue_journey', 'personalized', 'buy_again'].includes(r.strategy))));
});

test('used without personalization consent: the id, the offer contact history, the language', () => {
  const none = { personalization: false, marketing: false };
  const web = { channel: 'web', placement: 'home', now: NOW };
  // The id: control group and holdouts are buckets of the id, consent or not.
  const control = Array.from({ length: 1000 }, (_, i) => `p-${i}`).find((id) => bucket(id, 'universal-control') < offersDoc.control_group_percent);
  assert.ok(control);
  for (const consents of CONSENTS) {
    const d = decide({ schema: SCHEMA, id: control, consents }, web);
    assert.equal(d.assignments.controlGroup, true);
    assert.deepEqual(d.offers, []);
    assert.ok(d.suppressedOffers.every((s) => s.code === 'control_group'));
  }
  const held = Array.from({ length: 1000 }, (_, i) => `p-${i}`).find((id) => bucket(id, 'universal-control') >= offersDoc.control_group_percent && bucket(id, 'GIFTS3FOR2') < 50);
  for (const consents of CONSENTS) {
    assert.deepEqual(decide({ schema: SCHEMA, id: held, consents }, web).assignments.holdouts, ['GIFTS3FOR2']);
  }
  // The contact history: a dismissal is honoured (and caps count impressions) without consent —
  // contact policy on the engine's own impressions and the customer's reactions, not profiling.
  const fresh = { schema: SCHEMA, id: 'p-0', consents: none };
  assert.deepEqual(decide(fresh, web).offers.map((o) => o.id), ['WELCOME']);
  const dismissed = { ...fresh, events: [{ type: 'offer_dismissed', offer: 'WELCOME', channel: 'app', ts: '2026-11-23T09:00:00Z' }] };
  const d = decide(dismissed, web);
  assert.deepEqual(d.offers, []);
  assert.deepEqual(d.suppressedOffers.find((s) => s.id === 'WELCOME'), { id: 'WELCOME', code: 'suppressed', detail: 'dismissed today' });
  // The language: traits.locale picks the offer content's locale (the context's wins).
  const e = new unisono.Engine(sample.catalog, sample.model, sample.config, {
    schema: 'unisono.offers/1',
    offers: [{ id: 'HELLO', name: 'hello', marketing: false, content: { 'en-GB': { title: 'Hello' }, 'fr-FR': { title: 'Bonjour' } } }],
  });
  const fr = { ...fresh, traits: { locale: 'fr-FR' } };
  assert.equal(decide(fr, web, e).offers[0].content.title, 'Bonjour');
  assert.equal(decide(fresh, web, e).offers[0].content.title, 'Hello');
  assert.equal(decide(fr, { ...web, locale: 'en-GB' }, e).offers[0].content.title, 'Hello');
});

test('marketing and personalization consent gate offers as src/offers.rs says', () => {
  const EARLIER = new Set(['control_group', 'channel_not_allowed', 'out_of_window']); // checked before consent
  const seen = new Set();
  for (const c of sample.scenarios.customers) {
    const stored = sample.profile(c.profile);
    for (const consents of CONSENTS) {
      for (const ctx of CONTEXTS) {
        const d = decide({ ...stored, consents }, ctx);
        const marketingOk = (o) => !(o.marketing ?? true) || consents.marketing;
        const rulesOk = (o) => !o.eligibility || consents.personalization;
        for (const shown of d.offers) {
          const o = offerById.get(shown.id);
          assert.ok(marketingOk(o) && rulesOk(o), `${shown.id} shown to ${c.profile} with ${JSON.stringify(consents)}`);
          if (!consents.personalization) assert.equal(shown.scoreParts.propensity, 0.5, 'no profile-based propensity');
          seen.add(`shown:${o.marketing ?? true}:${!!o.eligibility}:${consents.personalization}:${consents.marketing}`);
        }
        for (const s of d.suppressedOffers) {
          const o = offerById.get(s.id);
          if (EARLIER.has(s.code)) continue;
          if (!marketingOk(o)) {
            assert.deepEqual([s.code, s.detail], ['no_consent', 'marketing offer without marketing consent'], `${s.id} ${c.profile}`);
          } else if (!rulesOk(o)) {
            assert.deepEqual([s.code, s.detail], ['no_consent', 'profile-based rule without personalization consent'], `${s.id} ${c.profile}`);
          } else {
            assert.notEqual(s.code, 'no_consent', `${s.id} ${c.profile}`);
          }
          seen.add(`${s.code}:${s.detail}`);
        }
        if (!consents.personalization && !consents.marketing) {
          // No consent at all: only service messages without a rule (the sample's WELCOME fallback).
          assert.ok(d.offers.every((o) => o.id === 'WELCOME'));
        }
      }
    }
  }
  // Every branch was exercised: marketing offers with and without rules were shown with both
  // consents, rule-less marketing offers with marketing consent only, service offers with rules
  // with personalization consent only.
  for (const k of ['shown:true:true:true:true', 'shown:true:false:false:true', 'shown:false:true:true:false', 'shown:false:false:false:false',
    'no_consent:marketing offer without marketing consent', 'no_consent:profile-based rule without personalization consent']) {
    assert.ok(seen.has(k), k);
  }
  // Anna at the London kiosk, consent by consent.
  const anna = sample.profile('cust-anna');
  const kiosk = { channel: 'kiosk', placement: 'home', store: 'lon-oxford', now: NOW };
  const at = (consents) => decide({ ...anna, consents }, kiosk);
  const code = (d, id) => d.suppressedOffers.find((s) => s.id === id)?.detail ?? 'shown';
  assert.deepEqual(at({ personalization: true, marketing: true }).offers.map((o) => o.id), ['ESPRESSO50', 'VIPLOUNGE']);
  assert.equal(code(at({ personalization: true, marketing: false }), 'ESPRESSO50'), 'marketing offer without marketing consent');
  assert.equal(code(at({ personalization: false, marketing: true }), 'ESPRESSO50'), 'profile-based rule without personalization consent');
  assert.deepEqual(at({ personalization: false, marketing: true }).offers.map((o) => [o.id, o.scoreParts.propensity]), [['GIFTS3FOR2', 0.5], ['WINTER10', 0.5]]);
  assert.deepEqual(at({ personalization: false, marketing: false }).offers.map((o) => o.id), ['WELCOME']);
});

test('decisions never echo personal data from the profile', () => {
  const email = 'jane.doe@example.com';
  const pii = {
    email,
    phone: '+44 7700 900123',
    phoneDigits: '447700900123',
    name: 'Jane Quinn Doe',
    first: 'Jane',
    last: 'Quinn',
    street: '221B Baker Street',
    postcode: 'NW1 6XE',
    birth: '1985-04-12',
    emailHash: createHash('sha256').update(email).digest('hex'),
    loyalty: 'LC-55501234',
    device: 'ios-9f8e7d6c5b4a',
  };
  const needles = [...Object.values(pii), 'jane.doe', 'Baker Street', '7700 900123', '900123', 'Quinn'];
  // None of them is in the artifacts, so a hit could only come from the profile.
  const artifacts = [sample.catalog, sample.model, sample.config, sample.offers].join('\n').toLowerCase();
  for (const n of needles) assert.ok(!artifacts.includes(n.toLowerCase()), n);

  const id = 'p-3b9e61'; // pseudonymous, as the caller should use
  const anna = sample.profile('cust-anna');
  const profile = {
    ...anna,
    id,
    identifiers: [
      { type: 'email', value: pii.email },
      { type: 'email_sha256', value: pii.emailHash },
      { type: 'phone', value: pii.phone },
      { type: 'loyalty_card', value: pii.loyalty },
      { type: 'app_device', value: pii.device },
      { type: 'postal_address', value: `${pii.street}, London ${pii.postcode}` },
    ],
    traits: {
      ...anna.traits,
      attributes: {
        email: pii.email,
        phone: pii.phone,
        phone_e164: `+${pii.phoneDigits}`,
        full_name: pii.name,
        first_name: pii.first,
        last_name: pii.last,
        date_of_birth: pii.birth,
        address: { line1: pii.street, city: 'London', postcode: pii.postcode },
        notes: [`call ${pii.name} on ${pii.phone}`],
      },
    },
    events: [
      ...anna.events,
      // A customer typing their own details into search, and a CDP export carrying them as
      // extra properties of an event (unknown keys are dropped at parse time).
      { type: 'search', channel: 'web', query: `${pii.name} ${pii.street}`, ts: '2026-11-22T20:00:00Z' },
      { type: 'view', sku: 'HK-COF-0001', channel: 'web', ts: '2026-11-22T20:01:00Z', email: pii.email, user: { name: pii.name, phone: pii.phone } },
    ],
  };
  // A catalogue whose rules read the personal attributes: explanations quote the rule, never the value.
  const ruled = new unisono.Engine(sample.catalog, sample.model, sample.config, {
    schema: 'unisono.offers/1',
    offers: [
      { id: 'DOMAIN', name: 'domain', marketing: false, eligibility: { in: ['@example.com', { var: 'traits.attributes.email' }] }, content: { 'en-GB': { title: 'A' } } },
      { id: 'PHONE', name: 'phone', marketing: false, eligibility: { and: [{ '!!': [{ var: 'traits.attributes.phone' }] }, { '==': [{ var: 'traits.attributes.full_name' }, 'someone else'] }] }, content: { 'en-GB': { title: 'B' } } },
      { id: 'CITY', name: 'city', marketing: false, eligibility: { '==': [{ var: 'traits.attributes.address.city' }, 'Leeds'] }, content: { 'en-GB': { title: 'C' } } },
    ],
  });
  let decisions = 0;
  for (const e of [engine, ruled]) {
    for (const consents of CONSENTS) {
      const p = JSON.stringify({ ...profile, consents });
      for (const ctx of CONTEXTS) {
        const json = e.decideJson(p, JSON.stringify(ctx));
        const lower = json.toLowerCase();
        for (const n of needles) assert.ok(!lower.includes(n.toLowerCase()), `${n} in ${json}`);
        // The pseudonymous id is echoed as profileId, and nowhere else.
        const d = JSON.parse(json);
        assert.equal(d.profileId, id);
        assert.ok(!JSON.stringify({ ...d, profileId: undefined }).includes(id), `id echoed beyond profileId: ${json}`);
        decisions++;
      }
    }
  }
  assert.equal(decisions, 2 * CONSENTS.length * CONTEXTS.length);
  // The rules did run on those attributes (so the check above covered their explanations).
  const d = ruled.decide({ ...profile, consents: { personalization: true, marketing: false } }, { channel: 'web', placement: 'home', now: NOW });
  assert.deepEqual(d.offers.map((o) => o.id), ['DOMAIN']);
  assert.match(d.offers[0].reasons[0].text, /^rule matched: .*@example\.com/);
  assert.deepEqual(d.suppressedOffers.map((s) => [s.id, s.code]), [['CITY', 'not_eligible'], ['PHONE', 'not_eligible']]);
});
