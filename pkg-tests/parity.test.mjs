// The Wasm package and the native Rust example must produce the same decision bytes for every
// sample customer and channel; and both must match the checked-in vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { sample, sampleEngine, scenarioContexts, root } from './helpers.mjs';

const engine = sampleEngine();
const wasmLines = sample.scenarios.customers.flatMap((c) => {
  const profile = JSON.stringify(sample.profile(c.profile));
  return scenarioContexts(c).map((ctx) => engine.decideJson(profile, JSON.stringify(ctx)));
});

test('Wasm decisions are byte-identical to the native Rust example', () => {
  const file = new URL('target/native-decisions.ndjson', root);
  assert.ok(existsSync(file), 'run scripts/test.sh (it writes target/native-decisions.ndjson first)');
  const native = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(native.length, wasmLines.length);
  assert.ok(native.length >= 21, 'every sample customer on web, app and kiosk');
  native.forEach((line, i) => assert.equal(wasmLines[i], line, `scenario ${i}`));
});

test('Wasm decisions match the checked-in vectors', () => {
  const vectors = readFileSync(new URL('tests/vectors/sample-decisions.ndjson', root), 'utf8')
    .trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(vectors.length, wasmLines.length);
  for (const v of vectors) {
    const got = engine.decideJson(JSON.stringify(sample.profile(v.profile)), JSON.stringify(v.context));
    assert.deepStrictEqual(JSON.parse(got), v.decision, `${v.profile} ${JSON.stringify(v.context)}`);
  }
});
