// Atomic reload: a new config / model / catalog / offers is validated first; a rejected one
// leaves the previous artifacts serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sample, sampleEngine } from './helpers.mjs';

const now = sample.scenarios.now;
const anna = JSON.stringify(sample.profile('cust-anna'));
const ctx = JSON.stringify({ channel: 'web', now });

test('a rejected artifact keeps the old one serving', () => {
  const engine = sampleEngine();
  const before = engine.decideJson(anna, ctx);
  const versions = engine.versions;
  const corrupted = JSON.parse(sample.model);
  corrupted.neighbours.scores[0] += 1;
  const bad = [
    [{ model: corrupted }, 'checksum_mismatch', 'model'],
    [{ model: '{"schema": "unisono.model/2"' }, 'invalid_json', 'model'],
    [{ model: '{"schema": "unisono.model/1"' }, 'invalid_json', 'model'],
    [{ catalog: { schema: 'unisono.catalog/1', items: [] } }, 'empty_catalog', 'catalog'],
    [{ config: { schema: 'unisono.config/1', placements: { home: { slots: 0, strategies: [] } } } }, 'invalid_value', 'config'],
    [{ offers: { schema: 'unisono.offers/1', offers: [{ id: 'X', name: 'x', content: { en: { title: 't' } }, eligibility: { nope: 1 } }] } }, 'invalid_value', 'offers'],
    [{ config: JSON.parse(sample.config), model: corrupted }, 'checksum_mismatch', 'model'],
    ['not an object', 'invalid_type', 'artifacts'],
    // Sealed artifacts (`unisono seal`) whose content no longer matches their checksum.
    ...['catalog', 'config', 'offers'].map((kind) => [
      { [kind]: { ...JSON.parse(sample[kind]), checksum: `sha256:${'0'.repeat(64)}` } },
      'checksum_mismatch',
      kind,
    ]),
  ];
  for (const [artifacts, code, document] of bad) {
    assert.throws(() => engine.reload(artifacts), (e) => e instanceof Error && e.code === code && e.document === document, code);
    assert.deepEqual(engine.versions, versions, 'versions unchanged');
    assert.equal(engine.decideJson(anna, ctx), before, 'still deciding from the old artifacts');
  }
});

test('a valid reload switches atomically', () => {
  const engine = sampleEngine();
  const cfg = JSON.parse(sample.config);
  cfg.version = 'sample-config-2';
  cfg.placements.home.slots = 3;
  const v = engine.reload({ config: cfg });
  assert.equal(v.config, 'sample-config-2');
  assert.equal(engine.versions.config, 'sample-config-2');
  assert.equal(JSON.parse(engine.decideJson(anna, ctx)).recommendations.length, 3);
  // Dropping the offers (null) and the model/catalog untouched.
  engine.reload({ offers: null });
  assert.deepEqual(JSON.parse(engine.decideJson(anna, ctx)).offers, []);
  assert.equal(engine.versions.model, sampleEngine().versions.model);
});
