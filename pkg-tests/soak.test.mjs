// A short soak: decisions with `track` in between must not grow Wasm memory or the JS heap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { soak } from '../scripts/soak.mjs';

for (const mode of ['session', 'object'])
test(`memory stays flat over decisions with track in between (${mode} path)`, () => {
  const samples = soak(1200, { log: () => {}, every: 300, mode });
  assert.equal(samples.length, 4);
  const [first, , , last] = samples;
  assert.equal(last.wasm, first.wasm, 'Wasm linear memory did not grow after the first 300 decisions');
  assert.ok(last.heap - first.heap < 8 * 1048576, `JS heap grew by ${((last.heap - first.heap) / 1048576).toFixed(1)} MB`);
});
