// unisono in-store kiosk: full screen, one store, anonymous visitors.
//
//   kiosk.html?store=lon-oxford        the store this kiosk stands in (default: the catalog's first)
//   &idle=60                           seconds without a touch before the session resets
//   &now=2026-11-23T12:00:00Z          the clock's start (default: the sample scenarios' now, then
//                                      real time; `now=live` uses the device clock)
//   &data=/examples/sample/            where catalog.json (display), images/kiosk-STORE.img (the
//                                      engine) and scenarios.json (the clock) are served
//
// An anonymous visitor sees what is popular / trending in this store; every tap records a kiosk
// `view` in the session's in-memory profile (engine.track) and the engine decides again, so the
// screen follows the visitor's interest. The decision's top offer is a banner above the products
// (an anonymous visitor has no marketing consent: the fallback or a non-marketing offer); its
// impression is tracked into the session so caps hold, its button records `offer_click`, × records
// `offer_dismissed`. After `idle` seconds without interaction the session is dropped.
//
// Offline: kiosk-sw.js (a service worker, scope /www/) precaches the page, its modules, the Wasm
// package, the catalog and this store's engine image, so a kiosk that was loaded once keeps deciding when the store's
// network is down; the header shows whether the device is online. `&sw=off` unregisters it and
// drops its caches (development).
import {
  initWasm, dataBase, fetchJson, loadCatalog, loadImage, timedDecide, errorBox, describeError,
  productCard, offerCard, safeTrack, h, formatTime, isoSeconds, money,
} from './common.js';

const params = new URLSearchParams(location.search);
const IDLE_S = clampInt(params.get('idle'), 60, 5, 3600);
const WARN_S = 10; // show a countdown for the last seconds
const $ = (id) => document.getElementById(id);

const state = {
  engine: null,
  bySku: new Map(),
  stores: [],
  store: null,
  clockBase: 0, // simulated ms at page load
  clockStart: performance.now(),
  profile: anonymous(),
  lastTouch: performance.now(),
  lastTapped: null,
  decision: null,
  clicked: new Set(), // offers whose button was pressed in this session
  whyOpen: false,
};
window.unisonoKiosk = {
  state,
  reset: () => resetSession(),
  tap: (sku) => tap(sku),
  offerClick: (id) => offerEvent('offer_click', id),
  offerDismiss: (id) => offerEvent('offer_dismissed', id),
};

function clampInt(raw, fallback, min, max) {
  const n = Number.parseInt(raw ?? '', 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

function anonymous() {
  return { schema: 'unisono.profile/1', id: 'anonymous', consents: { personalization: true }, events: [] };
}

/** Did the visitor do anything? (Impressions alone do not start a session.) */
function interacted() {
  return state.profile.events.some((e) => e.type !== 'offer_impression');
}

/** `engine.track` into the session profile; a rejected event is logged and changes nothing. */
function track(event) {
  const r = safeTrack(state.engine, state.profile, event);
  if (r.error) {
    console.debug('kiosk: track rejected', event, r.error);
    return null;
  }
  state.profile = r.profile;
  return r.event;
}

/** The kiosk's clock: simulated start + real elapsed time, whole seconds. */
function nowMs() {
  return Math.floor((state.clockBase + (performance.now() - state.clockStart)) / 1000) * 1000;
}

async function main() {
  try {
    await initWasm();
    const base = dataBase();
    const [shop, scenarios] = await Promise.all([
      loadCatalog(base),
      fetchJson(new URL('scenarios.json', base)).catch(() => null), // optional: only for the clock
    ]);
    Object.assign(state, { bySku: shop.bySku, stores: shop.stores });
    // This store's public kiosk image: no offer codes, no other store's stock (docs/image.md).
    const wantedStore = params.get('store') ?? state.stores[0]?.id ?? '';
    storeKnown(wantedStore);
    state.engine = (await loadImage(`kiosk-${wantedStore}`, base)).engine;

    const wantNow = params.get('now');
    const start = wantNow === 'live' ? Date.now() : Date.parse(wantNow ?? scenarios?.now ?? '');
    state.clockBase = Number.isFinite(start) ? start : Date.now();
    state.clockStart = performance.now();

    const wanted = params.get('store');
    state.store = wanted ?? state.stores[0]?.id ?? '';
    const store = state.stores.find((s) => s.id === state.store);
    $('k-store').textContent = store?.name ?? state.store;
    $('k-city').textContent = store ? `${store.city ?? ''}${store.city ? ' · ' : ''}unisono` : 'unknown store';

    for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart']) {
      addEventListener(type, touched, { passive: true, capture: true });
    }
    addEventListener('scroll', touched, { passive: true });
    $('k-reset').addEventListener('click', resetSession);
    setInterval(tick, 1000);
    tick();
    decide();
  } catch (err) {
    console.error(err);
    showFatal(err);
  }
}

function touched() {
  state.lastTouch = performance.now();
}

function tick() {
  const now = nowMs();
  $('k-time').textContent = formatTime(now);
  $('k-date').textContent = new Intl.DateTimeFormat('en-GB', {
    weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC',
  }).format(new Date(now));
  const idle = (performance.now() - state.lastTouch) / 1000;
  const left = Math.ceil(IDLE_S - idle);
  const active = interacted();
  const el = $('k-idle');
  if (!active) {
    el.textContent = '';
  } else if (left <= 0) {
    resetSession();
  } else if (left <= WARN_S) {
    el.textContent = `Still there? Starting over in ${left} s`;
    el.className = 'k-idle soon';
  } else {
    el.textContent = `Your session ends after ${IDLE_S} s without a touch`;
    el.className = 'k-idle';
  }
}

function tap(sku) {
  if (!state.engine) return;
  touched();
  const item = state.bySku.get(sku);
  const event = { type: 'view', sku };
  if (item?.category?.[1]) event.category = item.category[1];
  Object.assign(event, { channel: 'kiosk', store: state.store, ts: isoSeconds(nowMs()) });
  track(event);
  state.lastTapped = sku;
  decide();
  tick();
}

function offerEvent(type, id) {
  if (!state.engine || !id) return;
  touched();
  if (track({ type, offer: id, channel: 'kiosk', store: state.store, ts: isoSeconds(nowMs()) }) && type === 'offer_click') {
    state.clicked.add(id);
  }
  decide();
  tick();
}

function resetSession() {
  state.profile = anonymous();
  state.lastTapped = null;
  state.clicked = new Set();
  state.whyOpen = false;
  touched();
  scrollTo({ top: 0 });
  decide();
  tick();
}

function decide() {
  const ctx = { channel: 'kiosk', placement: 'home', store: state.store, now: isoSeconds(nowMs()) };
  const { decision, error, us } = timedDecide(state.engine, state.profile, ctx);
  const grid = $('k-grid');
  if (error) {
    console.debug('kiosk decide failed', error);
    grid.replaceChildren(h('div.k-error', null, errorBox(error, 'This kiosk cannot show recommendations'),
      describeError(error).path === 'store' ? storeLinks() : null));
    $('k-offer').replaceChildren();
    $('k-heading').textContent = 'Something went wrong';
    $('k-hint').textContent = '';
    renderSession();
    return;
  }
  state.decision = decision;
  renderOffer(decision);
  const recs = decision.recommendations ?? [];
  grid.replaceChildren(...(recs.length
    ? recs.map((rec) => {
      const card = productCard(rec, state.bySku.get(rec.sku), { variant: 'kiosk', store: state.store, onPick: tap });
      if (rec.sku === state.lastTapped) card.classList.add('tapped');
      return card;
    })
    : [h('p.empty', null, 'Nothing to show in this store right now.')]));
  const browsing = state.profile.events.some((e) => e.sku);
  $('k-heading').textContent = browsing ? 'Picked for you' : 'Popular in store today';
  $('k-hint').textContent = browsing ? 'Keep tapping — the screen follows what you look at' : 'Tap a product to see more like it';
  document.body.dataset.decision = decision.decisionId;
  document.body.dataset.decideUs = String(Math.round(us));
  renderSession();
}

/**
 * The top offer as a big banner, and its impression tracked into the session profile (only the
 * banner's: the other offers of the decision are not on screen).
 */
function renderOffer(decision) {
  const box = $('k-offer');
  const top = decision.offers?.[0];
  if (!top) {
    box.replaceChildren();
    delete document.body.dataset.offer;
    return;
  }
  box.replaceChildren(offerCard(top, {
    variant: 'kiosk-page',
    done: state.clicked.has(top.id),
    onCta: (o) => offerEvent('offer_click', o.id),
    onDismiss: (o) => offerEvent('offer_dismissed', o.id),
    whyOpen: state.whyOpen,
    onWhyToggle: (open) => { state.whyOpen = open; },
  }));
  document.body.dataset.offer = top.id;
  for (const imp of decision.impressions ?? []) {
    if (imp.offer === top.id) track(imp);
  }
}

function renderSession() {
  const viewed = [];
  for (const e of state.profile.events.slice().reverse()) {
    if (e.sku && !viewed.includes(e.sku)) viewed.push(e.sku);
  }
  const box = $('k-session');
  if (viewed.length === 0) {
    box.replaceChildren(h('span', null, 'Welcome! Nothing is stored about you: this screen forgets you when you leave.'));
  } else {
    box.replaceChildren(h('span', null, 'You looked at'),
      ...viewed.slice(0, 4).map((sku) => {
        const it = state.bySku.get(sku);
        return h('span.k-chip', { title: it?.title ?? sku }, `${it?.title ?? sku}${it ? ` · ${money(it.price)}` : ''}`);
      }),
      ...(viewed.length > 4 ? [h('span', null, `+${viewed.length - 4} more`)] : []));
  }
  $('k-reset').hidden = !interacted();
}

function storeLinks() {
  const here = new URL(location.href);
  return h('div.k-stores', null, 'Stores in the catalog:', state.stores.map((s) => {
    here.searchParams.set('store', s.id);
    return h('a', { href: here.pathname + here.search }, s.name ?? s.id);
  }));
}

function showFatal(err) {
  $('k-heading').textContent = 'This kiosk is starting up';
  $('k-hint').textContent = '';
  $('k-grid').replaceChildren(h('div.k-error', null, errorBox(err, 'The kiosk could not start')));
}

// ---------------------------------------------------------------------------------------------
// Offline operation

/** The online/offline pill in the header (navigator.onLine and its events). */
function watchNetwork() {
  const el = $('k-net');
  const show = () => {
    const online = navigator.onLine;
    el.dataset.state = online ? 'online' : 'offline';
    el.title = online
      ? 'Online: products and offers come from the latest artifacts'
      : 'Offline: this kiosk decides from the copies it stored';
    el.querySelector('.k-net-text').textContent = online ? 'Online' : 'Offline';
    document.body.dataset.online = String(online);
  };
  addEventListener('online', show);
  addEventListener('offline', show);
  show();
}

/** The kiosk's store, once main() has read the catalog (the worker precaches its image). */
let storeKnown;
const storeReady = new Promise((resolve) => { storeKnown = resolve; });

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;
  try {
    await sw.register(new URL('kiosk-sw.js', import.meta.url), { scope: new URL('./', import.meta.url).href });
    // The worker precaches the sample's catalog; this kiosk asks for its store's engine image
    // (only the page knows its store) and, reading another directory (`?data=`), for that
    // directory's files too. The worker skips what it already has.
    const reg = await sw.ready;
    const base = dataBase();
    const files = [`images/kiosk-${await storeReady}.img`, ...(params.get('data') ? ['catalog.json', 'scenarios.json'] : [])];
    reg.active?.postMessage({ type: 'precache', urls: files.map((f) => String(new URL(f, base))) });
  } catch (err) {
    // No service worker (private mode, a non-secure origin …): the kiosk works, only not offline.
    console.warn('kiosk: no offline support:', err);
  }
}

/**
 * `&sw=off`: unregister the kiosk's worker and delete its caches (development: the worker serves
 * code cache-first). Resolves to true when the page reloads to get rid of the worker controlling it.
 */
async function disableServiceWorker() {
  if (!('serviceWorker' in navigator)) return false;
  try {
    for (const reg of await navigator.serviceWorker.getRegistrations()) {
      const worker = reg.active ?? reg.waiting ?? reg.installing;
      if (worker?.scriptURL.endsWith('/kiosk-sw.js')) await reg.unregister();
    }
    for (const name of await caches.keys()) {
      if (name.startsWith('unisono-kiosk-')) await caches.delete(name);
    }
  } catch (err) {
    console.warn('kiosk: cannot remove the service worker:', err);
    return false;
  }
  if (!navigator.serviceWorker.controller) return false;
  location.reload(); // an unregistered worker controls no new page
  return true;
}

watchNetwork();
if (params.get('sw') === 'off') {
  disableServiceWorker().then((reloading) => { if (!reloading) main(); });
} else {
  registerServiceWorker();
  main();
}
