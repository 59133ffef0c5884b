// Audiences through the BUILT package: a public image (what a customer's device gets) decides
// every conformance vector in its scope exactly as the full image, less the codes and the rule
// quotes; the back end reveals a shown offer's code; `Engine.load` takes a URL, a Response, a
// promise of one, or bytes. Images are compiled by the native CLI, as a back office would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { device, root } from './helpers.mjs';

// Images are what the device entry runs.
const { Engine, UnisonoError } = device;
const repo = fileURLToPath(root);
const dir = mkdtempSync(join(tmpdir(), 'unisono-audiences-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const load = (rel) => readFileSync(new URL(rel, root), 'utf8');

const images = new Map();
/** The image of an artifact set for `flags` (`--audience public --channel kiosk …`), by the CLI. */
function imageOf(set, flags = []) {
  const key = `${set} ${flags.join(' ')}`;
  if (!images.has(key)) {
    const src = set === 'sample' ? 'examples/sample' : `tests/conformance/v1/artifacts/${set}`;
    const out = join(dir, `${images.size}.img`);
    const args = ['run', '--quiet', '--bin', 'unisono', '--', 'compile',
      '--catalog', `${src}/catalog.json`, '--model', `${src}/model.json`, '--config', `${src}/config.json`, '-o', out, ...flags];
    if (set === 'sample') args.push('--offers', `${src}/offers.json`);
    execFileSync('cargo', args, { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    images.set(key, readFileSync(out));
  }
  return images.get(key);
}

/** The documented public view of a full decision (docs/image.md), written independently here. */
function publicView(decision) {
  const cut = (t) => t.replace(/^(rule matched|condition not met|condition not compiled): [\s\S]*$/, '$1');
  const d = structuredClone(decision);
  for (const o of d.offers) {
    delete o.content.code;
    for (const r of o.reasons) r.text = cut(r.text);
  }
  for (const s of d.suppressedOffers) s.detail = cut(s.detail);
  return d;
}

test('every vector through a public image of its own channel and store = the full decision made public', () => {
  const cases = load('tests/conformance/v1/cases.ndjson').trimEnd().split('\n').map((l) => JSON.parse(l));
  const full = new Map();
  const scoped = new Map();
  let compared = 0;
  let withCodes = 0;
  for (const c of cases) {
    if (!full.has(c.artifacts)) full.set(c.artifacts, Engine.fromImage(imageOf(c.artifacts)));
    const profile = c.profile.ref ? load(`examples/sample/${c.profile.ref}`) : JSON.stringify(c.profile);
    let want;
    try {
      want = full.get(c.artifacts).decide(profile, c.context);
    } catch {
      continue;
    }
    const flags = ['--audience', 'public', '--channel', want.channel, ...(want.store ? ['--store', want.store] : [])];
    const key = `${c.artifacts} ${flags.join(' ')}`;
    if (!scoped.has(key)) scoped.set(key, Engine.fromImage(imageOf(c.artifacts, flags)));
    const device = scoped.get(key);
    const have = device.decide(profile, c.context);
    assert.deepEqual(have, publicView(want), c.name);
    assert.deepEqual(device.scope, { audience: 'public', store: want.store ?? null, channel: want.channel });
    withCodes += want.offers.filter((o) => o.content.code).length;
    compared++;
  }
  assert.ok(compared > 200, `${compared} vectors compared`);
  assert.ok(withCodes > 10, `${withCodes} codes stripped`);
});

test('the back end reveals the code of a shown offer only; a public engine never does', () => {
  const full = Engine.fromImage(imageOf('sample'));
  const device = Engine.fromImage(imageOf('sample', ['--audience', 'public']));
  assert.deepEqual(full.scope, { audience: 'full', store: null, channel: null });
  const profile = JSON.parse(load('examples/sample/profiles/cust-anna.json'));
  const context = { channel: 'web', placement: 'product', sku: 'SO-CMP-0006', now: '2026-11-23T12:00:00Z' };
  const d = device.decide(profile, context);
  const offer = d.offers.find((o) => full.decide(profile, context).offers.find((x) => x.id === o.id).content.code);
  assert.ok(offer, 'anna is shown an offer with a code');
  assert.equal(offer.content.code, undefined);
  const r = full.reveal(profile, context, d.decisionId, offer.id);
  assert.equal(r.code, full.decide(profile, context).offers.find((o) => o.id === offer.id).content.code);
  assert.deepEqual([r.decisionId, r.offerId], [d.decisionId, offer.id]);
  const refused = (fn, path) => assert.throws(fn, (e) => e instanceof UnisonoError && e.code === 'invalid_value' && e.path === path);
  refused(() => full.reveal(profile, context, 'd-00000000000000000000000000000000', offer.id), 'decisionId');
  refused(() => full.reveal(profile, context, d.decisionId, d.suppressedOffers[0].id), 'offerId');
  refused(() => device.reveal(profile, context, d.decisionId, offer.id), '');
  assert.throws(() => full.reveal(profile, context, 42, offer.id), (e) => e.code === 'invalid_type' && e.path === 'decisionId');
  // After every refusal the engines answer as before.
  assert.deepEqual(device.decide(profile, context), d);
});

test('a kiosk image refuses another channel or store, and answers afterwards', () => {
  const kiosk = Engine.fromImage(imageOf('sample', ['--audience', 'public', '--channel', 'kiosk', '--store', 'edi-princes']));
  const profile = load('examples/sample/profiles/cust-anna.json');
  const at = (channel, store) => ({ channel, placement: 'home', now: '2026-11-23T12:00:00Z', ...(store ? { store } : {}) });
  const ok = kiosk.decide(profile, at('kiosk', 'edi-princes'));
  for (const [ctx, path] of [[at('web'), 'channel'], [at('kiosk', 'lon-oxford'), 'store']]) {
    assert.throws(() => kiosk.decide(profile, ctx), (e) => e instanceof UnisonoError && e.code === 'unknown_reference' && e.path === path);
  }
  assert.deepEqual(kiosk.decide(profile, at('kiosk', 'edi-princes')), ok);
});

test('Engine.load: a URL, a Response, a promise of one, or bytes; a failed fetch is a coded error', async () => {
  const bytes = imageOf('sample', ['--audience', 'public']);
  const server = createServer((req, res) => {
    if (req.url === '/engine.img') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bytes);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    const profile = load('examples/sample/profiles/cust-ben.json');
    const context = { channel: 'app', placement: 'home', now: '2026-11-23T12:00:00Z' };
    const want = Engine.fromImage(bytes).decideJson(profile, JSON.stringify(context));
    for (const source of [
      `${base}/engine.img`,
      new URL('/engine.img', base),
      await fetch(`${base}/engine.img`),
      fetch(`${base}/engine.img`),
      new Response(bytes),
      bytes,
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    ]) {
      const engine = await Engine.load(source);
      assert.equal(engine.decideJson(profile, JSON.stringify(context)), want);
    }
    const failed = (e) => e instanceof UnisonoError && e.code === 'invalid_value' && e.path === 'source' && e.document === 'image';
    await assert.rejects(Engine.load(`${base}/missing.img`), failed);
    await assert.rejects(Engine.load('http://127.0.0.1:1/engine.img'), failed);
    await assert.rejects(Engine.load(new Response('not an image')), (e) => e instanceof UnisonoError && e.document === 'image');
    await assert.rejects(Engine.load(42), (e) => e instanceof UnisonoError && e.code === 'invalid_type');
  } finally {
    server.close();
  }
});
