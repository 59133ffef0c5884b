// Engine images through the BUILT package: `Engine.fromImage` decides every conformance vector
// byte for byte as the JSON path blessed them; bad arguments and damaged images are coded
// UnisonoErrors (document `image`) after which the instance still answers; `reload` on an
// image engine is `invalid_state`. The images are compiled by the native CLI (`unisono
// compile`, through cargo), as a back office would compile them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { device, tools, root, sample } from './helpers.mjs';

// Images are what the device entry runs.
const { Engine, UnisonoError } = device;
const repo = fileURLToPath(root);
const dir = mkdtempSync(join(tmpdir(), 'unisono-images-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The image of an artifact set, compiled once by the CLI. */
const images = new Map();
function imageOf(set) {
  if (!images.has(set)) {
    const src = set === 'sample' ? 'examples/sample' : `tests/conformance/v1/artifacts/${set}`;
    const out = join(dir, `${set}.img`);
    const args = ['run', '--quiet', '--bin', 'unisono', '--', 'compile',
      '--catalog', `${src}/catalog.json`, '--model', `${src}/model.json`, '--config', `${src}/config.json`, '-o', out];
    if (set === 'sample') args.push('--offers', `${src}/offers.json`);
    execFileSync('cargo', args, { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    images.set(set, readFileSync(out));
  }
  return images.get(set);
}

test('conformance vectors through images: Node = native JSON path, byte for byte', () => {
  const load = (rel) => readFileSync(new URL(rel, root), 'utf8');
  const cases = load('tests/conformance/v1/cases.ndjson').trimEnd().split('\n').map((l) => JSON.parse(l));
  const expected = load('tests/conformance/v1/expected.ndjson').trimEnd().split('\n');
  assert.equal(cases.length, expected.length);
  const engines = new Map();
  cases.forEach((c, i) => {
    if (!engines.has(c.artifacts)) engines.set(c.artifacts, Engine.fromImage(imageOf(c.artifacts)));
    const profile = c.profile.ref ? load(`examples/sample/${c.profile.ref}`) : JSON.stringify(c.profile);
    assert.equal(engines.get(c.artifacts).decideJson(profile, JSON.stringify(c.context)), expected[i], c.name);
  });
});

test('fromImage takes a Buffer, a Uint8Array or an ArrayBuffer; versions equal the JSON engine', () => {
  const buf = imageOf('sample');
  const json = new tools.Engine(sample.catalog, sample.model, sample.config, sample.offers);
  const copy = new Uint8Array(buf);
  for (const bytes of [buf, copy, copy.buffer]) {
    assert.deepEqual(Engine.fromImage(bytes).versions, json.versions);
  }
});

test('fromImage refuses anything but bytes with a coded error', () => {
  for (const bad of [undefined, null, 'image', 42, {}, [1, 2, 3], new Uint16Array(4), new DataView(new ArrayBuffer(8))]) {
    assert.throws(() => Engine.fromImage(bad), (e) => e instanceof UnisonoError && e.code === 'invalid_type' && e.document === 'image');
  }
});

test('a truncated or corrupted image is a coded error, and the instance still answers', () => {
  const good = imageOf('sample');
  const ctx = JSON.stringify({ channel: 'web', placement: 'home', now: sample.scenarios.now });
  const profile = JSON.stringify({ schema: 'unisono.profile/1', id: 'x' });
  const want = Engine.fromImage(good).decideJson(profile, ctx);
  const flipped = Buffer.from(good);
  flipped[flipped.length >> 1] ^= 0x55;
  const cases = [
    [good.subarray(0, 100), 'invalid_value'],
    [good.subarray(0, good.length - 1), 'invalid_value'],
    [flipped, 'checksum_mismatch'],
    [Buffer.from(sample.catalog), 'unsupported_schema'],
    [new Uint8Array(0), 'invalid_value'],
  ];
  for (const [bytes, code] of cases) {
    assert.throws(() => Engine.fromImage(bytes), (e) => e instanceof UnisonoError && e.code === code && e.document === 'image', code);
  }
  assert.equal(Engine.fromImage(good).decideJson(profile, ctx), want);
});

test('reload on an image engine is invalid_state: load the next image instead', () => {
  const e = Engine.fromImage(imageOf('sample'));
  assert.throws(() => e.reload({ config: sample.config }), (err) => err.code === 'invalid_state' && /fromImage/.test(err.message));
  e.free();
  assert.throws(() => e.reload({}), (err) => err.code === 'invalid_state' && /freed/.test(err.message));
});
