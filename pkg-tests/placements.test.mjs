// Open placements through the package: a config that defines `search` and
// `order_confirmation` decides for them on any channel; a placement the config does not
// define is a UnisonoError `invalid_value` at `placement` with a suggestion; the built-in four
// need no config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sample, unisono } from './helpers.mjs';

const { Engine, UnisonoError } = unisono;
const now = '2026-11-23T12:00:00Z';
const anna = sample.profile('cust-anna');
const strategies = [{ strategy: 'popular' }, { strategy: 'personalized', weight: 0.5 }];

function customConfig() {
  const cfg = JSON.parse(sample.config);
  cfg.placements.search = { slots: 5, strategies };
  cfg.placements.order_confirmation = { slots: 2, strategies, offers: 2 };
  cfg.channels.kiosk.placements.lobby = { slots: 3, strategies };
  return cfg;
}

function refused(fn, path, message) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof UnisonoError, String(e));
    assert.equal(e.code, 'invalid_value');
    assert.equal(e.path, path);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('a config defining search and order_confirmation decides for them', () => {
  const engine = new Engine(sample.catalog, sample.model, customConfig(), sample.offers);
  for (const channel of ['web', 'app', 'email']) {
    const search = engine.decide(anna, { channel, placement: 'search', now });
    assert.equal(search.placement, 'search');
    assert.equal(search.recommendations.length, 5);
    const confirmation = engine.decide(anna, { channel, placement: 'order_confirmation', now });
    assert.equal(confirmation.placement, 'order_confirmation');
    assert.equal(confirmation.recommendations.length, 2);
    assert.ok(confirmation.offers.length <= 2, 'the placement has its own offer slots');
  }
  const lobby = engine.decide(anna, { channel: 'kiosk', store: 'lon-oxford', placement: 'lobby', now });
  assert.equal(lobby.recommendations.length, 3);
});

test('the built-in placements decide the same bytes with the custom ones added', () => {
  const plain = new Engine(sample.catalog, sample.model, sample.config, sample.offers);
  const custom = new Engine(sample.catalog, sample.model, customConfig(), sample.offers);
  for (const placement of ['home', 'product', 'cart', 'checkout']) {
    const ctx = { channel: 'web', placement, now, ...(placement === 'product' ? { sku: 'HK-COF-0001' } : {}) };
    const [a, b] = [plain, custom].map((e) => e.decide(anna, ctx));
    // The config's content differs (so its version hash and the ids do); the choices do not.
    for (const d of [a, b]) for (const k of ['decisionId', 'stateId', 'versions']) delete d[k];
    assert.deepEqual(b, a, placement);
  }
});

test('an undefined placement is a coded error with a suggestion', () => {
  const engine = new Engine(sample.catalog, sample.model, customConfig(), sample.offers);
  refused(() => engine.decide(anna, { channel: 'web', placement: 'serch', now }), 'placement', /did you mean "search"/);
  refused(() => engine.decide(anna, { channel: 'web', placement: 'footer', now }), 'placement', /not defined in the config/);
  refused(() => engine.decide(anna, { channel: 'web', placement: 'lobby', now }), 'placement', /for the web channel/);
  refused(() => engine.decideJson(JSON.stringify(anna), JSON.stringify({ channel: 'web', placement: 'Search', now })), 'placement', /did you mean "search"/);
  refused(() => engine.decide(anna, { channel: 'web', placement: 'x'.repeat(65), now }), 'placement');
  const session = new unisono.Session(anna);
  refused(() => engine.decideSession(session, { channel: 'web', placement: 'footer', now }), 'placement');
  session.free();
});

test('the built-in four need no config; a config names custom placements only as keys it defines', () => {
  const engine = new Engine(sample.catalog, sample.model, { schema: 'unisono.config/1' });
  for (const placement of ['home', 'product', 'cart', 'checkout']) {
    assert.equal(engine.decide(anna, { channel: 'web', placement, now }).placement, placement);
  }
  refused(() => engine.decide(anna, { channel: 'web', placement: 'search', now }), 'placement');
  const bad = (cfg) => () => new Engine(sample.catalog, sample.model, { schema: 'unisono.config/1', ...cfg });
  refused(bad({ placements: { 'Order Confirmation': { slots: 2, strategies } } }), 'placements.Order Confirmation', /did you mean "order_confirmation"/);
  refused(bad({ rules: { boost: [{ match: { tag: 'new' }, factor: 2, placements: ['search'] }] } }), 'rules.boost[0].placements[0]');
  // validate() reports the same problem.
  const report = unisono.validate('config', { schema: 'unisono.config/1', placements: { 'a b': { slots: 1, strategies } } });
  assert.deepEqual(report.problems.map((p) => [p.code, p.path]), [['invalid_value', 'placements.a b']]);
});
