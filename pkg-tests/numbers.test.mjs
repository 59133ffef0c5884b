// Integer fields through the built package (issue 15, class 10): in Wasm `usize` is 32 bits, so
// every integer field of every document must give the same code, path and message as natively,
// for 2^31, 2^32, 2^53, 2^64, 1e21, -1, 1.5, …. The cases are tests/vectors/numbers.json, the
// file tests/numbers.rs checks the native loaders (and the documented rule) against.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { unisono, root } from './helpers.mjs';

const { validate, buildModel } = unisono;
const vectors = JSON.parse(readFileSync(new URL('tests/vectors/numbers.json', root), 'utf8'));

// The same population as tests/numbers.rs, for the `params` cases (a model build).
const EVENTS = 'user_id,sku,ts,type,channel,store\n'
  + 'u1,A,2026-01-01T00:00:00Z,purchase,web,\nu1,B,2026-01-01T00:00:01Z,purchase,web,\n'
  + 'u2,A,2026-01-02T00:00:00Z,purchase,web,\nu2,B,2026-01-02T00:00:01Z,purchase,web,\n';

/** The problems of one case in Wasm, shaped like `expect`. */
function wasm({ document, json }) {
  if (document !== 'params') {
    return validate(document, json).problems.map(({ code, path, message }) => ({ code, path, message }));
  }
  try {
    buildModel(EVENTS, 'csv', json);
    return [];
  } catch (e) {
    assert.equal(e.name, 'UnisonoError', String(e));
    assert.equal(e.document, 'params');
    // A thrown error's message is `document: path: message`.
    const prefix = e.path ? `params: ${e.path}: ` : 'params: ';
    assert.ok(e.message.startsWith(prefix), e.message);
    return [{ code: e.code, path: e.path, message: e.message.slice(prefix.length) }];
  }
}

test('every integer field gives the native code, path and message in Wasm', () => {
  assert.ok(vectors.cases.length >= 100);
  for (const c of vectors.cases) {
    assert.deepEqual(wasm(c), c.expect, `${c.document}: ${c.json}`);
  }
});

test('the same holds for documents given as objects (JSON.stringify of big numbers)', () => {
  // An object's numbers go through JSON.stringify: 2**64 becomes 18446744073709552000 and
  // 1e21 becomes "1e+21", still too large, never wrapped to 32 bits.
  for (const n of [2 ** 32, 2 ** 53, 2 ** 64, 1e21]) {
    const report = validate('context', { channel: 'web', now: '2026-01-01T00:00:00Z', limit: n });
    assert.deepEqual(report.problems.map((p) => [p.code, p.path]), [['too_large', 'limit']], String(n));
    assert.doesNotMatch(report.problems[0].message, /usize|u32|u64|f64/);
  }
});
