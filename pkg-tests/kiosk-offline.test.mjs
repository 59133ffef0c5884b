// The kiosk keeps working offline (headless Debian chromium via playwright-core, as in
// browser.test.mjs): load it once online, let its service worker (www/kiosk-sw.js) take control,
// then cut the network AND stop the server, reload — it still decides from the cached page,
// package and artifacts, shows that it is offline, and a tap still updates the screen.
// Also (SECURITY.md): the strict CSP holds online and offline without a violation, every
// request stays on the page's origin and taps / offer clicks make none; "Start over" and the
// idle timeout drop the visitor's session, and nothing about it is stored in the browser
// (no localStorage, sessionStorage, IndexedDB or cookies; the worker's cache holds only code
// and artifacts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { start, CSP, CSP_META } from '../www/serve.mjs';
import { watch, assertClean, assertSameOrigin, assertCspEnforced } from './browser-guard.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOT = process.env.KIOSK_OFFLINE_SCREENSHOT; // optional: where to save a screenshot of the offline kiosk
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
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await context?.close();
  stopServer();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function stopServer() {
  if (!server?.listening) return;
  server.close();
  server.closeAllConnections();
}

const tiles = () => document.querySelectorAll('#k-grid [data-sku]').length;
const anonymousScreen = () => document.getElementById('k-heading').textContent === 'Popular in store today';

/** What the kiosk keeps about the visitor, in memory and in the browser's storage. */
async function kept(page) {
  return page.evaluate(async () => {
    const cached = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) cached.push([name, new URL(req.url).pathname]);
    }
    return {
      events: window.unisonoKiosk.state.profile.events.map((e) => e.type),
      cart: window.unisonoKiosk.state.profile.cart ?? [],
      chips: document.querySelectorAll('#k-session .k-chip').length,
      resetVisible: !document.getElementById('k-reset').hidden,
      localStorage: localStorage.length,
      sessionStorage: sessionStorage.length,
      indexedDB: (await indexedDB.databases()).length,
      cookie: document.cookie,
      cached,
    };
  });
}

/** The session is gone: an anonymous visitor with at most the new banner's impression. */
function assertForgotten(k, what) {
  assert.ok(k.events.every((t) => t === 'offer_impression') && k.events.length <= 1, `${what}: session events left: ${k.events}`);
  assert.deepEqual(k.cart, [], `${what}: cart`);
  assert.equal(k.chips, 0, `${what}: "You looked at" chips`);
  assert.equal(k.resetVisible, false, `${what}: Start over button`);
}

/** Nothing about the visitor in the browser: only the worker's cache of code and artifacts. */
function assertNothingStored(k, what) {
  assert.equal(k.localStorage, 0, `${what}: localStorage`);
  assert.equal(k.sessionStorage, 0, `${what}: sessionStorage`);
  assert.equal(k.indexedDB, 0, `${what}: IndexedDB`);
  assert.equal(k.cookie, '', `${what}: cookies`);
  assert.ok(k.cached.length > 0, `${what}: the worker cached the kiosk`);
  for (const [name, path] of k.cached) {
    assert.match(name, /^unisono-kiosk-/, `${what}: cache ${name}`);
    assert.match(path, /^\/(www\/(kiosk\.html|kiosk\.js|common\.js|style\.css)|pkg\/unisono(\.js|_glue\.js|_bg\.wasm)|examples\/sample\/((catalog|scenarios)\.json|images\/kiosk-man-arndale\.img))$/,
      `${what}: cached ${path}`);
  }
}

test('the kiosk decides offline from its service worker cache', async () => {
  const page = await context.newPage();
  const w = await watch(page);
  const origin = new URL(url).origin;
  const workerRequests = []; // the service worker's own fetches (precache, network first)
  context.on('request', (r) => workerRequests.push(r.url()));

  // Online: the page loads, registers the worker; the worker precaches and claims the page.
  const res = await page.goto(new URL('www/kiosk.html?store=man-arndale', url).href);
  assert.equal(res.headers()['content-security-policy'], CSP, 'serve.mjs sends the CSP header');
  await page.waitForFunction(tiles, null, { timeout: 20_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  assert.equal(await page.getAttribute('#k-net', 'data-state'), 'online');
  const online = await page.evaluate(() => ({
    store: document.getElementById('k-store').textContent,
    skus: [...document.querySelectorAll('#k-grid [data-sku]')].map((c) => c.dataset.sku),
  }));
  await page.waitForLoadState('networkidle');
  assertSameOrigin(w.requests, origin, 'kiosk page');
  assertSameOrigin(workerRequests, origin, 'kiosk and its worker');
  assertClean(w, 'kiosk online');

  // Taps and offer clicks decide and track in the page: no request at all.
  const loaded = w.requests.length;
  await page.click(`#k-grid [data-sku="${online.skus[1]}"]`);
  await page.waitForFunction(() => /You looked at/.test(document.getElementById('k-session').textContent), null, { timeout: 5_000 });
  const offer = await page.evaluate(() => {
    const k = window.unisonoKiosk;
    const id = k.state.decision?.offers?.[0]?.id;
    if (id) k.offerClick(id);
    k.tap(k.state.decision.recommendations[0].sku);
    return id ?? null;
  });
  assert.ok(offer, 'the kiosk shows an offer');
  await page.waitForTimeout(300);
  assert.deepEqual(w.requests.slice(loaded), [], 'no request while deciding / tracking');

  // Offline: no network and no server.
  await context.setOffline(true);
  stopServer();
  await page.waitForFunction(() => document.getElementById('k-net').dataset.state === 'offline', null, { timeout: 5_000 });

  const cached = await page.reload();
  assert.equal(cached.headers()['content-security-policy'], CSP, 'the cached page keeps its CSP header');
  await page.waitForFunction(() => document.querySelectorAll('#k-grid [data-sku]').length >= 4, null, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => navigator.onLine), false);
  assert.equal(await page.getAttribute('#k-net', 'data-state'), 'offline');
  assert.match(await page.textContent('#k-net'), /offline/i);
  const offline = await page.evaluate(() => ({
    store: document.getElementById('k-store').textContent,
    skus: [...document.querySelectorAll('#k-grid [data-sku]')].map((c) => c.dataset.sku),
    controlled: navigator.serviceWorker.controller !== null,
    heading: document.getElementById('k-heading').textContent,
  }));
  assert.ok(offline.controlled, 'the reloaded page is served by the service worker');
  assert.equal(offline.store, online.store);
  assert.deepEqual(offline.skus, online.skus, 'same artifacts, same clock start, same decision');
  assert.equal(offline.heading, 'Popular in store today');
  assertForgotten(await kept(page), 'after a reload');
  if (SHOT) await page.screenshot({ path: SHOT });

  // A tap still records a view and decides again.
  const first = offline.skus[0];
  await page.click(`#k-grid [data-sku="${first}"]`);
  await page.waitForFunction(() => /You looked at/.test(document.getElementById('k-session').textContent), null, { timeout: 5_000 });
  assert.equal(await page.textContent('#k-heading'), 'Picked for you');
  assert.ok(await page.evaluate(() => document.querySelectorAll('#k-session .k-chip').length) >= 1);
  assert.equal(await page.isVisible('#k-reset'), true);
  assertNothingStored(await kept(page), 'during a session');

  // "Start over" drops the session: the anonymous screen again, nothing of the visitor left.
  await page.click('#k-reset');
  await page.waitForFunction(anonymousScreen, null, { timeout: 5_000 });
  let k = await kept(page);
  assertForgotten(k, 'after Start over');
  assertNothingStored(k, 'after Start over');
  assert.deepEqual(await page.evaluate(() => [...document.querySelectorAll('#k-grid [data-sku]')].map((c) => c.dataset.sku)),
    online.skus, 'the anonymous decision again');

  // The idle timeout does the same (5 s here), offline too.
  await page.goto(new URL('www/kiosk.html?store=man-arndale&idle=5', url).href);
  await page.waitForFunction(tiles, null, { timeout: 20_000 });
  await page.click(`#k-grid [data-sku="${first}"]`);
  await page.waitForFunction(() => window.unisonoKiosk.state.profile.events.some((e) => e.type === 'view'), null, { timeout: 5_000 });
  assert.equal(await page.textContent('#k-heading'), 'Picked for you');
  await page.waitForFunction(anonymousScreen, null, { timeout: 15_000 });
  k = await kept(page);
  assertForgotten(k, 'after the idle timeout');
  assertNothingStored(k, 'after the idle timeout');

  assertClean(w, 'kiosk');
  await assertCspEnforced(page, w, CSP_META);
  await page.close();
});
