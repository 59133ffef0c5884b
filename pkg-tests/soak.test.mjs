// A short soak: decisions with `track` in between must not grow Wasm memory or the JS heap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { soak } from '../scripts/soak.mjs';

for (const mode of ['session', 'object'])
test(`memory stays flat over decisions with track in between (${mode} path)`, () => {
  // A new customer every 500 decisions: memory may grow while the first one's profile grows to
  // its largest (the heap has no slack to spare since the catalog no longer leaves its text's
  // hole behind); from then on, every customer's decisions must fit in what is there.
  const samples = soak(1500, { log: () => {}, every: 300, mode });
  assert.equal(samples.length, 5);
  const [, first, , , last] = samples;
  assert.equal(last.wasm, first.wasm, 'Wasm linear memory did not grow after the first customer');
  assert.ok(last.heap - first.heap < 8 * 1048576, `JS heap grew by ${((last.heap - first.heap) / 1048576).toFixed(1)} MB`);
});
