// The web build in headless Chromium (Debian's chromium, driven by playwright-core; no browser
// download): the conformance vectors give the same bytes as native and Node, and the demo page
// loads and decides for every channel without a console error. Both pages run under the strict
// Content-Security-Policy of SECURITY.md (meta element + serve.mjs header) without a violation,
// the policy is shown to be in force, every request stays on the page's origin, and deciding /
// tracking after load makes no request at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { start, CSP, CSP_META } from '../www/serve.mjs';
import { compileConformanceImages } from '../scripts/images.mjs';
import { watch, assertClean, assertSameOrigin, assertCspEnforced } from './browser-guard.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let server, url, context, dir;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: scripts/bootstrap.sh installs Debian's chromium`);
  ({ server, url } = await start(0));
  dir = mkdtempSync(join(tmpdir(), 'unisono-chromium-'));
  // Keep Chromium's files out of HOME.
  for (const v of ['XDG_CONFIG_HOME', 'XDG_CACHE_HOME']) process.env[v] = dir;
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await context?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(path) {
  const page = await context.newPage();
  const w = await watch(page);
  const res = await page.goto(new URL(path, url).href);
  assert.equal(res.headers()['content-security-policy'], CSP, 'serve.mjs sends the CSP header');
  return { page, w };
}

test('conformance vectors in Chromium = native, byte for byte, from JSON and from images', async () => {
  compileConformanceImages();
  const { page, w } = await open('pkg-tests/browser/conformance.html');
  await page.waitForFunction(() => window.__result, null, { timeout: 120_000 });
  const r = await page.evaluate(() => window.__result);
  assert.equal(r.error, undefined, r.error);
  assert.ok(r.total >= 200);
  assert.equal(r.total, r.expected);
  assert.deepEqual(r.failures, []);
  assert.equal(r.imageTotal, r.expected, 'every vector through Engine.load of its image too');
  assert.deepEqual(r.imageFailures, []);
  assert.match(r.userAgent, /Chrome/);
  assertClean(w, 'conformance page');
  assertSameOrigin(w.requests, new URL(url).origin, 'conformance page');
  await assertCspEnforced(page, w, CSP_META);
  await page.close();
});

test('in Chromium, a malformed artifact or an exception inside a Wasm call never poisons the engine', async () => {
  const { page, w } = await open('pkg-tests/browser/trap.html');
  await page.waitForFunction(() => window.__result, null, { timeout: 120_000 });
  const r = await page.evaluate(() => window.__result);
  assert.equal(r.error, undefined, r.error);
  for (const o of r.outcomes) {
    assert.ok(['invalid_json', 'invalid_type', 'too_large', 'invalid_value', 'checksum_mismatch'].includes(o.outcome), `${o.name}: ${o.outcome}`);
    assert.ok(o.same, `${o.name}: the same decisions afterwards`);
  }
  assert.ok(r.internal >= 90, `${r.internal} interrupted loads`);
  assert.ok(r.after, 'the engine answers as before after 100 interrupted loads');
  assert.ok(r.fresh, 'and a new engine loads and answers the same');
  assertClean(w, 'trap page');
  await page.close();
});

test('the demo page shows the three channels with recommendations', async () => {
  const { page, w } = await open('www/');
  await page.waitForFunction(() => document.querySelectorAll('[data-sku]').length >= 10, null, { timeout: 60_000 });
  const text = await page.evaluate(() => document.body.innerText);
  for (const word of ['Web', 'App', 'Kiosk']) assert.match(text, new RegExp(word, 'i'));
  // Placeholder tiles and offer banners get their colours through the CSSOM, not style attributes.
  assert.ok(await page.evaluate(() => document.querySelector('.tile').style.getPropertyValue('--tile-h') !== ''));
  assertClean(w, 'demo page');
  assertSameOrigin(w.requests, new URL(url).origin, 'demo page');
  await assertCspEnforced(page, w, CSP_META);
  await page.close();
});

test('the demo runs on public images: no offer code reaches the page until the back end reveals one', async () => {
  const { page, w } = await open('www/?customer=cust-anna');
  await page.waitForFunction(() => document.querySelectorAll('#web-offers .offer-cta').length >= 1, null, { timeout: 60_000 });
  assert.match(await page.textContent('#load-meta'), /public engine images .*no offer codes/);
  const codes = await page.evaluate(() => Object.values(window.unisonoDemo.state.round.results)
    .flatMap((r) => r.decision?.offers ?? []).filter((o) => o.content.code).length);
  assert.equal(codes, 0, 'decisions from public images carry no code');
  assert.equal(await page.locator('.offer-code').count(), 0);
  const denied = await page.evaluate(async () => (await fetch('/examples/sample/images/backend.img')).status);
  assert.equal(denied, 403, 'the full image is not served to pages');
  const id = await page.getAttribute('#web-offers .offer-cta >> xpath=ancestor::article', 'data-offer');
  const offers = JSON.parse(readFileSync(new URL('../examples/sample/offers.json', import.meta.url), 'utf8'));
  const want = offers.offers.find((o) => o.id === id).content['en-GB'].code;
  assert.ok(want, `Anna's first web offer (${id}) has a code`);
  await page.click('#web-offers .offer-cta');
  await page.waitForFunction((o) => document.querySelector(`#web-offers [data-offer="${o}"] .offer-code`), id, { timeout: 10_000 });
  assert.equal(await page.textContent(`#web-offers [data-offer="${id}"] .offer-code`), want);
  assert.ok(w.requests.some((r) => r.endsWith('/api/reveal')), 'the code came from the back end');
  await page.close();
});

test('deciding and tracking on the demo page make no network request', async () => {
  const { page, w } = await open('www/?customer=cust-anna');
  await page.waitForFunction(() => document.querySelectorAll('#web-body [data-sku]').length >= 4, null, { timeout: 60_000 });
  await page.waitForLoadState('networkidle');
  const loaded = w.requests.length;
  assert.ok(loaded > 0);
  assertSameOrigin(w.requests, new URL(url).origin, 'demo page load');
  // A click on a product: engine.track (view) + a decision per channel and per extra placement.
  const sku = await page.getAttribute('#kiosk-body [data-sku]', 'data-sku');
  await page.click(`#kiosk-body [data-sku="${sku}"]`);
  await page.waitForFunction((s) => window.unisonoDemo.state.profile.events.some((e) => e.sku === s && e.channel === 'kiosk'), sku);
  // Offers: impressions tracked, a click, a dismissal, each followed by decisions everywhere.
  const offer = await page.evaluate(() => {
    const d = window.unisonoDemo;
    d.showAgain();
    const shown = Object.values(d.state.round?.results ?? {}).flatMap((r) => r?.decision?.offers ?? []);
    if (shown[0]) {
      d.offerClick('web', shown[0].id);
      d.offerDismiss('app', shown[0].id);
    }
    d.decideAll();
    return shown[0]?.id ?? null;
  });
  assert.ok(offer, 'Anna is shown an offer');
  const kinds = await page.evaluate(() => window.unisonoDemo.state.profile.events.map((e) => e.type));
  for (const k of ['view', 'offer_impression', 'offer_click', 'offer_dismissed']) assert.ok(kinds.includes(k), k);
  await page.waitForTimeout(500);
  assert.deepEqual(w.requests.slice(loaded), [], 'no request while deciding / tracking');
  assertClean(w, 'demo page after clicks');
  await page.close();
});
