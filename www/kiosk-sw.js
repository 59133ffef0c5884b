// Service worker of the kiosk page (registered by kiosk.js, scope /www/): the kiosk keeps deciding
// when the store's network is down.
//
// - install: precache the page, its modules and stylesheet, the Wasm package and the sample
//   catalog, in a cache named after VERSION; activate: delete the older kiosk caches, claim the
//   open kiosk pages.
// - code (the page, .js, .css, .wasm): cache first — one consistent set of page + package per
//   VERSION. Bump VERSION when www/ or pkg/ changes: the browser sees a new kiosk-sw.js, installs
//   it and drops the old cache.
// - artifacts (the engine image *.img, catalog.json, scenarios.json): network first, so a kiosk
//   picks up a new image while it is online; the answer refreshes the cache. No answer within
//   NETWORK_TIMEOUT_MS (or no network, or a 5xx) → the cached copy.
// - only the kiosk page is served this way. The scope also covers the three-channel demo
//   (/www/index.html): its navigations are not intercepted and its requests go to the network
//   as if there were no service worker, so the demo never runs stale code.
const VERSION = 'v4';
const PREFIX = 'unisono-kiosk-';
const CACHE = PREFIX + VERSION;
const NETWORK_TIMEOUT_MS = 4000;

const at = (rel) => new URL(rel, self.location).href;
const PAGE = at('kiosk.html');
const CODE = [PAGE, at('kiosk.js'), at('common.js'), at('style.css'), at('../pkg/unisono.js'), at('../pkg/unisono_glue.js'),
  at('../pkg/unisono_bg.wasm')];
const SAMPLE = at('../examples/sample/');
// The catalog (display data) here; the store's engine image (images/kiosk-STORE.img) is named by
// the page in its precache message, as only the page knows its store.
const DATA = ['catalog.json'].map((f) => SAMPLE + f);
const OPTIONAL_DATA = ['scenarios.json'].map((f) => SAMPLE + f); // the page copes without it

const isPage = (url) => { const u = new URL(url); return u.origin + u.pathname === PAGE; };
const isArtifact = (url) => /\.(json|img)$/.test(new URL(url).pathname);

/** Fetch `urls` past the HTTP cache into `cache`; optional ones may be missing. */
async function precache(cache, urls, { optional = false } = {}) {
  const results = await Promise.allSettled(urls.map(async (url) => {
    const res = await fetch(new Request(url, { cache: 'reload' }));
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    await cache.put(url, res);
  }));
  const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (failed.length && !optional) throw new AggregateError(failed, `kiosk precache failed: ${failed.join('; ')}`);
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all([precache(cache, [...CODE, ...DATA]), precache(cache, OPTIONAL_DATA, { optional: true })]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

// The page tells us where its artifacts live (`?data=`), so a kiosk pointed at another data
// directory is offline-ready too: {type: 'precache', urls: [...]} (same origin only).
self.addEventListener('message', (event) => {
  const { type, urls } = event.data ?? {};
  if (type !== 'precache' || !Array.isArray(urls)) return;
  const same = urls.map((u) => new URL(u, self.location)).filter((u) => u.origin === self.location.origin).map(String);
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const missing = [];
    for (const url of same) if (!(await cache.match(url))) missing.push(url);
    await precache(cache, missing, { optional: true });
  })());
});

// ---------------------------------------------------------------------------------------------
// Which requests are the kiosk's: its navigations, and the requests of the documents they create
// (remembered by client id; after the worker was stopped and restarted, asked of `clients`).

const kioskClients = new Set();

async function fromKiosk(event) {
  const id = event.clientId;
  if (!id) return false;
  if (kioskClients.has(id)) return true;
  const client = await self.clients.get(id);
  if (client && isPage(client.url)) {
    kioskClients.add(id);
    return true;
  }
  return false;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    if (!isPage(req.url)) return; // the demo pages: not ours
    if (event.resultingClientId) kioskClients.add(event.resultingClientId);
    event.respondWith(cacheFirst(event, req, { ignoreSearch: true }));
    return;
  }
  event.respondWith(fromKiosk(event).then((mine) => {
    if (!mine) return fetch(req);
    return isArtifact(req.url) ? networkFirst(event, req) : cacheFirst(event, req);
  }));
});

/** Code: the cached copy; a miss goes to the network and is cached. */
async function cacheFirst(event, req, { ignoreSearch = false } = {}) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(req, { ignoreSearch });
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok && res.type === 'basic') event.waitUntil(cache.put(ignoreSearch ? stripSearch(req.url) : req, res.clone()));
  return res;
}

function stripSearch(href) {
  const u = new URL(href);
  u.search = '';
  return u.href;
}

/**
 * Artifacts: the network's answer (cached for later); the cached copy when the network fails,
 * answers 5xx or takes longer than NETWORK_TIMEOUT_MS (the network answer then still refreshes
 * the cache in the background). A 404 is an answer: the file is gone (offers.json is optional).
 */
async function networkFirst(event, req) {
  const cache = await caches.open(CACHE);
  const network = fetch(req).then((res) => {
    if (res.ok) event.waitUntil(cache.put(req, res.clone()));
    else if (res.status === 404) event.waitUntil(cache.delete(req));
    return res;
  });
  event.waitUntil(network.catch(() => {}));
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(resolve, NETWORK_TIMEOUT_MS, 'late'); });
  try {
    const res = await Promise.race([network, late]);
    if (res !== 'late' && res.status < 500) return res;
    const hit = await cache.match(req);
    if (hit) return hit;
    return res === 'late' ? await network : res;
  } catch (err) {
    const hit = await cache.match(req);
    if (hit) return hit;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
