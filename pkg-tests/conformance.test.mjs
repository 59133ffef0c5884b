// The conformance vectors against the BUILT package in Node: byte-identical to the expected
// outputs the native run blessed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { unisono, root } from './helpers.mjs';
import { runConformance } from './conformance.mjs';

test('conformance vectors: Node = native, byte for byte', async () => {
  const load = async (rel) => readFileSync(new URL(rel, root), 'utf8');
  const results = await runConformance(unisono, load);
  const expected = (await load('tests/conformance/v1/expected.ndjson')).trimEnd().split('\n');
  assert.ok(results.length >= 200);
  assert.equal(results.length, expected.length);
  results.forEach((r, i) => assert.equal(r.decision, expected[i], r.name));
});
