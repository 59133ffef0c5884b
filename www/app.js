// unisono demo: one customer, three channels, one decision engine (the Wasm package, in-page).
//
// Each channel runs the public engine image it would get in production (docs/image.md): the web
// shop `images/web.img`, the app `images/app.img`, each store's kiosk `images/kiosk-STORE.img`,
// other contexts `images/public.img`. None holds an offer code: the CTA asks the demo's back end
// (www/serve.mjs, holding the full image) to reveal the code of the offer this decision showed.
//
// Clicking a product on any channel records a `view` event (that channel, the kiosk's store, the
// simulated now) with `engine.track`, advances the simulated clock by one minute and asks the
// engine again for ALL channels: what was looked at on the kiosk shows up on web and app. Offers
// work the same way: the CTA records `offer_click`, × records `offer_dismissed`, and the
// decisions' `impressions` are tracked when asked to ("Show again" / "log impressions"), so caps
// and suppression hold across channels.
import {
  initWasm, dataBase, fetchJson, loadCatalog, loadImage, revealCode, timedDecide, describeError, errorBox,
  productCard, offerCard, safeTrack, SUPPRESSION_CODES, h, formatNow, formatTime, isoSeconds,
} from './common.js';

const CHANNELS = ['web', 'app', 'kiosk'];
const CHANNEL_NAMES = { web: 'Web shop', app: 'App', kiosk: 'Kiosk' };
const STEP_MS = 60_000; // simulated time per click
const $ = (id) => document.getElementById(id);

const state = {
  ready: false,
  engine: null, // the web image's engine: tracks events (any engine tracks the same)
  engines: new Map(), // image name (web, app, public, kiosk-STORE) → engine
  bySku: new Map(),
  offerNames: new Map(), // offer id → name, from the decisions seen
  revealed: new Map(), // offer id → code revealed by the back end for this customer
  contexts: {}, // channel → the context of the decision on screen (what a reveal re-decides)
  stores: [],
  customers: [],
  autoLog: false, // track every round's impressions as soon as it is shown
  logChannels: new Set(CHANNELS), // whose impressions count as seen
  open: new Set(), // keys of <details> the user opened (kept across re-renders)
  nowStart: 0,
  // per customer
  customer: null,
  original: null, // the stored profile (never mutated)
  profile: null, // the live in-memory profile
  now: 0,
  log: [],
  kioskStore: '',
  last: {}, // channel → decision (for "new on this channel" highlights)
  round: null, // the decisions on screen: {results, logged}
  impressions: 0, // offer_impression events tracked this session
};

// Exposed for automated checks and the browser console.
window.unisonoDemo = {
  state,
  decideAll: () => decideAll(),
  pick: (channel, sku) => recordView(channel, sku),
  offerClick: (channel, offer) => recordOfferEvent('offer_click', channel, offer),
  offerDismiss: (channel, offer) => recordOfferEvent('offer_dismissed', channel, offer),
  showAgain: () => showAgain(),
};

// ---------------------------------------------------------------------------------------------
// Loading

async function main() {
  try {
    const version = await initWasm();
    $('engine-meta').textContent = `engine ${version} · WebAssembly`;
    const base = dataBase();
    const [shop, scenarios] = await Promise.all([loadCatalog(base), fetchJson(new URL('scenarios.json', base))]);
    Object.assign(state, { bySku: shop.bySku, stores: shop.stores });
    const names = ['web', 'app', 'public', ...shop.stores.map((s) => `kiosk-${s.id}`)];
    const t0 = performance.now();
    const loaded = await Promise.all(names.map((n) => loadImage(n, base)));
    const loadMs = performance.now() - t0;
    names.forEach((n, i) => state.engines.set(n, loaded[i].engine));
    state.engine = state.engines.get('web');
    state.customers = Array.isArray(scenarios.customers) ? scenarios.customers : [];
    state.nowStart = Date.parse(scenarios.now);
    if (!Number.isFinite(state.nowStart)) {
      throw Object.assign(new Error(`scenarios.json: "now" is not a time: ${JSON.stringify(scenarios.now)}`), {
        code: 'invalid_time', path: 'now', document: 'scenarios',
      });
    }
    if (state.customers.length === 0) {
      throw Object.assign(new Error('scenarios.json lists no customers'), { code: 'missing_field', path: 'customers', document: 'scenarios' });
    }
    warmUp(scenarios);
    const v = state.engine.versions;
    const kb = loaded.reduce((n, l) => n + l.bytes, 0) / 1024;
    $('load-meta').textContent = `${names.length} public engine images (${kb.toFixed(0)} KB, no offer codes) loaded in ${loadMs.toFixed(1)} ms · catalog ${v.catalog} (${state.bySku.size} products, ${state.stores.length} stores) · model ${v.model} · config ${v.config} · offers ${v.offers}`;
    setupControls();
    const wanted = new URLSearchParams(location.search).get('customer');
    const first = state.customers.find((c) => c.profile === wanted) ?? state.customers[0];
    $('customer').value = first.profile;
    state.ready = true;
    await selectCustomer(first.profile);
  } catch (err) {
    console.error(err);
    showGlobalError(err, 'The demo could not start');
  }
}

// The first calls of a fresh Wasm instance run unoptimised code (the browser tiers it up), so
// decide once per channel for an empty profile before timings are shown.
function warmUp(scenarios) {
  const anon = { schema: 'unisono.profile/1', id: 'warm-up', consents: { personalization: true }, events: [] };
  const store = state.stores[0]?.id;
  for (const channel of CHANNELS) {
    const ctx = { channel, placement: 'home', now: scenarios.now, ...(channel === 'kiosk' ? { store } : {}) };
    try {
      engineFor(ctx).decide(anon, ctx);
    } catch { /* a real error shows up on the first real decision */ }
  }
}

/** The engine of the image this context's device would run. */
function engineFor(ctx) {
  const name = ctx.channel === 'kiosk' ? `kiosk-${ctx.store}` : ctx.channel;
  return state.engines.get(name) ?? state.engines.get('public');
}

function setupControls() {
  const sel = $('customer');
  sel.replaceChildren(...state.customers.map((c) => h('option', { value: c.profile },
    `${displayName(c.profile)} — ${c.story ?? c.profile}`)));
  sel.disabled = false;
  sel.addEventListener('change', () => selectCustomer(sel.value));

  const ks = $('kiosk-store');
  ks.replaceChildren(...state.stores.map((s) => h('option', { value: s.id }, s.name ?? s.id)));
  ks.disabled = false;
  ks.addEventListener('change', () => {
    state.kioskStore = ks.value;
    updateKioskLink();
    decideAll();
  });

  $('reset').disabled = false;
  $('reset').addEventListener('click', () => selectCustomer(state.customer.profile));
  $('copy-log').addEventListener('click', copyLog);
  $('bad-event').disabled = false;
  $('bad-event').addEventListener('click', sendBadEvent);

  $('show-again').disabled = false;
  $('show-again').addEventListener('click', showAgain);
  $('auto-log').checked = state.autoLog;
  $('auto-log').addEventListener('change', (ev) => {
    state.autoLog = ev.target.checked;
    if (state.autoLog) logImpressions(); // what is on screen now has been seen
  });
  for (const box of document.querySelectorAll('input[name="log-channel"]')) {
    box.addEventListener('change', () => {
      if (box.checked) state.logChannels.add(box.value);
      else state.logChannels.delete(box.value);
      renderImpressionCount();
    });
  }
}

async function selectCustomer(id) {
  const customer = state.customers.find((c) => c.profile === id);
  if (!customer) return;
  clearGlobalError();
  let profile;
  try {
    profile = await fetchJson(new URL(`profiles/${encodeURIComponent(id)}.json`, dataBase()));
  } catch (err) {
    showGlobalError(err, `Cannot load the profile of ${id}`);
    return;
  }
  state.customer = customer;
  state.original = profile;
  state.profile = structuredClone(profile);
  state.revealed.clear();
  state.now = state.nowStart;
  state.log = [];
  state.last = {};
  state.round = null;
  state.impressions = 0;
  state.open.clear();
  state.kioskStore = pickStore(customer.store ?? profile?.traits?.preferred_store);
  $('kiosk-store').value = state.kioskStore;
  $('customer').value = id;
  const url = new URL(location.href);
  url.searchParams.set('customer', id);
  history.replaceState(null, '', url);
  updateKioskLink();
  renderScenario();
  renderLog();
  decideAll();
}

function pickStore(wanted) {
  if (state.stores.some((s) => s.id === wanted)) return wanted;
  return state.stores[0]?.id ?? '';
}

// ---------------------------------------------------------------------------------------------
// Events

/**
 * `engine.track` one event into the live profile and the log. Returns the canonical event, or
 * null when the engine rejected it (the log shows the error, the profile is unchanged).
 */
function track(event, title) {
  const r = safeTrack(state.engine, state.profile, event);
  if (r.error) {
    console.debug('track rejected', event, r.error);
    state.log.unshift({ event, title, bad: true, error: r.error });
    return null;
  }
  state.profile = r.profile;
  state.log.unshift({ event: r.event, title });
  return r.event;
}

/** After a click: advance the clock, re-render the scenario facts and the log, decide again. */
function afterEvent() {
  state.now += STEP_MS;
  renderScenario();
  renderLog();
  renderNow();
  decideAll({ highlight: true });
}

function recordView(channel, sku, store) {
  if (!state.ready || !state.profile) return;
  const item = state.bySku.get(sku);
  const event = { type: 'view', sku };
  if (item?.category?.[1]) event.category = item.category[1];
  event.channel = channel;
  if (store ?? (channel === 'kiosk' ? state.kioskStore : null)) event.store = store ?? state.kioskStore;
  event.ts = isoSeconds(state.now);
  track(event, item?.title ?? sku);
  afterEvent();
}

const OFFER_VERBS = { offer_click: 'Clicked', offer_dismissed: 'Dismissed', offer_impression: 'Saw' };

/** `offer_click` (the CTA) or `offer_dismissed` (×) on a channel; `offer` is an id or an offer. */
function recordOfferEvent(type, channel, offer) {
  if (!state.ready || !state.profile) return;
  const id = typeof offer === 'string' ? offer : offer?.id;
  const event = { type, offer: id, channel };
  if (channel === 'kiosk') event.store = state.kioskStore;
  event.ts = isoSeconds(state.now);
  track(event, `${OFFER_VERBS[type]} offer ${offerLabel(id)}`);
  afterEvent();
}

function offerLabel(id) {
  const name = state.offerNames.get(id);
  return name ? `${id} — ${name}` : String(id);
}

/**
 * The CTA: ask the back end for the code of the offer this decision showed (with the profile and
 * context of that decision), then record the `offer_click`.
 */
function takeOffer(channel, offer) {
  const decision = state.last[channel];
  const request = { profile: structuredClone(state.profile), context: state.contexts[channel], decisionId: decision?.decisionId, offerId: offer.id };
  recordOfferEvent('offer_click', channel, offer);
  revealCode(request).then((r) => {
    if (!r.code) return;
    state.revealed.set(offer.id, r.code);
    decideAll();
  }, (err) => console.warn('reveal refused:', err.message));
}

/**
 * Track the `impressions` of the round on screen (once per round, only the channels ticked in
 * "from"): the offer_impression events the caller must append so caps hold on every channel.
 */
function logImpressions() {
  const round = state.round;
  if (!round || round.logged || !state.profile) return 0;
  round.logged = true;
  let n = 0;
  for (const channel of CHANNELS) {
    if (!state.logChannels.has(channel)) continue;
    for (const imp of round.results[channel]?.decision?.impressions ?? []) {
      if (track(imp, `${OFFER_VERBS.offer_impression} offer ${offerLabel(imp.offer)}`)) n++;
    }
  }
  state.impressions += n;
  renderLog();
  renderImpressionCount(n);
  return n;
}

/** "Show again": what is on screen has been seen (log it), a minute passes, decide again. */
function showAgain() {
  if (!state.ready || !state.profile) return;
  logImpressions();
  afterEvent();
}

function sendBadEvent() {
  if (!state.profile) return;
  const sku = state.last.web?.recommendations?.[0]?.sku ?? [...state.bySku.keys()][0];
  const event = { type: 'view', sku, channel: 'web', ts: 'yesterday' };
  track(event, 'malformed on purpose: engine.track rejects it, the profile is unchanged');
  renderLog();
}

function copyLog() {
  const ndjson = state.log.filter((e) => !e.bad).reverse().map((e) => JSON.stringify(e.event)).join('\n') + '\n';
  const btn = $('copy-log');
  const done = (text) => {
    btn.textContent = text;
    setTimeout(() => { btn.textContent = 'Copy NDJSON'; }, 1200);
  };
  navigator.clipboard?.writeText(ndjson).then(() => done('Copied'), () => done('Copy failed'))
    ?? done('Copy failed');
}

// ---------------------------------------------------------------------------------------------
// Deciding

function contextFor(channel) {
  const ctx = { channel, placement: 'home', now: isoSeconds(state.now) };
  if (channel === 'kiosk') ctx.store = state.kioskStore;
  return ctx;
}

/**
 * The scenario's `extra` entries are further contexts for the same customer (a product page, the
 * cart, the call centre …): `{channel, placement, sku?, store?}`.
 */
function extraContexts() {
  const extra = Array.isArray(state.customer?.extra) ? state.customer.extra : [];
  return extra.filter((x) => x && typeof x === 'object' && x.channel).map((x, i) => {
    const ctx = { ...x, placement: x.placement ?? 'home', now: isoSeconds(state.now) };
    if (['kiosk', 'store'].includes(x.channel) && !ctx.store) ctx.store = state.kioskStore;
    return { key: `extra-${i}`, ctx };
  });
}

function decideAll({ highlight = false } = {}) {
  if (!state.engine || !state.profile) return;
  const results = {};
  for (const channel of CHANNELS) {
    const ctx = contextFor(channel);
    results[channel] = timedDecide(engineFor(ctx), state.profile, ctx);
    state.contexts[channel] = ctx;
    for (const o of results[channel].decision?.offers ?? []) state.offerNames.set(o.id, o.name);
  }
  const extras = extraContexts().map((x) => ({ ...x, ...timedDecide(engineFor(x.ctx), state.profile, x.ctx) }));
  for (const channel of CHANNELS) {
    const r = results[channel];
    renderChannel(channel, r, highlight ? state.last[channel] : null, state.last[channel]);
    if (r.decision) state.last[channel] = r.decision;
  }
  renderExtras(extras, highlight);
  renderInspector(results, extras);
  renderNow();
  state.round = { results, logged: false };
  if (state.autoLog) logImpressions();
  else renderImpressionCount();
  return { ...results, extras };
}

// ---------------------------------------------------------------------------------------------
// Rendering

function displayName(id) {
  const base = String(id ?? '').replace(/^cust-/, '');
  return base ? base[0].toUpperCase() + base.slice(1) : String(id);
}

function storeName(id) {
  return state.stores.find((s) => s.id === id)?.name ?? id;
}

function renderScenario() {
  const c = state.customer;
  const p = state.original ?? {};
  $('story').replaceChildren(h('strong', null, displayName(c.profile)), c.story ? ` — ${c.story}` : '');

  const consent = p.consents?.personalization === true;
  const t = p.traits ?? {};
  // events and cart from the live profile: engine.track appends events and keeps the cart
  const events = state.profile?.events ?? p.events ?? [];
  const cart = state.profile?.cart ?? p.cart ?? [];
  const added = events.length - (p.events ?? []).length;
  const facts = [
    h(`span.fact${consent ? '.ok' : '.warn'}`, null, consent ? 'personalization consent ✓' : 'no personalization consent'),
    t.tier ? h('span.fact', null, `${t.tier} tier`) : null,
    t.preferred_store ? h('span.fact', null, `home store ${storeName(t.preferred_store)}`) : null,
    ...(p.segments ?? []).map((s) => h('span.fact.seg', null, s)),
    h('span.fact', null, `${events.length} events${added > 0 ? ` (+${added} here)` : ''}`),
    cart.length ? h('span.fact', { title: cart.map((l) => `${l.quantity ?? 1} × ${state.bySku.get(l.sku)?.title ?? l.sku}`).join('\n') }, `cart: ${cart.length} item${cart.length === 1 ? '' : 's'}`) : null,
  ];
  $('facts').replaceChildren(...facts.filter(Boolean));
  $('web-user').textContent = `Signed in as ${displayName(p.id ?? c.profile)}`;
  $('app-hello').textContent = `Hello, ${displayName(p.id ?? c.profile)}`;
}

function renderNow() {
  $('now').textContent = formatNow(state.now);
  const mins = Math.round((state.now - state.nowStart) / STEP_MS);
  $('now-delta').textContent = mins > 0 ? `+${mins} min (1 per click)` : 'scenario start';
  $('app-clock').textContent = formatTime(state.now);
  $('kiosk-clock').textContent = formatTime(state.now);
  $('kiosk-store-name').textContent = storeName(state.kioskStore);
}

function updateKioskLink() {
  const url = new URL('kiosk.html', location.href);
  url.searchParams.set('store', state.kioskStore);
  const data = new URLSearchParams(location.search).get('data');
  if (data) url.searchParams.set('data', data);
  $('kiosk-link').href = url.pathname + url.search;
}

const RAIL_TITLES = {
  web: (d) => (d.personalized ? 'Recommended for you' : 'Popular right now'),
  app: (d) => (d.personalized ? 'Picked for you' : 'Popular right now'),
  kiosk: (d) => (d.personalized ? 'Welcome back — picked for you' : 'Popular in this store'),
};

function renderChannel(channel, { decision, error, us }, prev, before) {
  const body = $(`${channel}-body`);
  const sum = $(`${channel}-sum`);
  if (error) {
    console.debug(`${channel} decide failed`, error);
    $(`${channel}-offers`).replaceChildren();
    body.replaceChildren(errorBox(error, `decide() on ${channel} threw`));
    body.classList.add('has-error');
    sum.textContent = 'error';
    sum.className = 'channel-sum bad';
    return;
  }
  body.classList.remove('has-error');
  renderOffers(channel, decision, prev, before);
  const seen = new Set(prev?.recommendations?.map((r) => r.sku) ?? []);
  const recs = decision.recommendations ?? [];
  const onPick = (sku) => recordView(channel, sku);
  const cards = recs.map((rec) => productCard(rec, state.bySku.get(rec.sku), {
    variant: channel,
    onPick,
    store: channel === 'kiosk' ? decision.store ?? state.kioskStore : undefined,
    fresh: prev ? !seen.has(rec.sku) : false,
  }));
  body.replaceChildren(...(cards.length ? cards : [h('p.empty', null, 'No recommendations for this context.')]));
  const rail = $(`${channel}-rail`);
  if (channel === 'kiosk') rail.textContent = `${RAIL_TITLES.kiosk(decision)} · tap a product`;
  else rail.textContent = RAIL_TITLES[channel](decision);
  const offers = decision.offers ?? [];
  sum.textContent = `${recs.length} recs · ${offers.length} offer${offers.length === 1 ? '' : 's'} · ${formatUs(us)}`;
  sum.title = `${decision.personalized ? 'personalized' : 'not personalized'} · ${decision.decisionId}`;
  sum.className = 'channel-sum';
}

/**
 * The channel's offers as banners above its recommendations. Below them, the offers this channel
 * showed last time and not now, with the engine's reason (`capped`, `suppressed` …).
 */
function renderOffers(channel, decision, prev, before) {
  const box = $(`${channel}-offers`);
  const offers = decision.offers ?? [];
  const shownBefore = new Set(prev?.offers?.map((o) => o.id) ?? []);
  const cards = offers.map((offer, rank) => {
    const key = `why:${channel}:${offer.id}`;
    const code = state.revealed.get(offer.id);
    const shown = code ? { ...offer, content: { ...offer.content, code } } : offer;
    return offerCard(shown, {
      variant: channel,
      rank,
      fresh: prev ? !shownBefore.has(offer.id) : false,
      onCta: (o) => takeOffer(channel, o),
      onDismiss: (o) => recordOfferEvent('offer_dismissed', channel, o),
      whyOpen: state.open.has(key),
      onWhyToggle: (open) => toggleOpen(key, open),
    });
  });
  const now = new Set(offers.map((o) => o.id));
  const gone = (before?.offers ?? []).filter((o) => !now.has(o.id)).map((o) => {
    const s = decision.suppressedOffers?.find((x) => x.id === o.id);
    return h('li', { 'data-offer': o.id },
      h('b', null, o.id), ' not shown any more: ',
      s ? [h(`span.sup-code.sup-${s.code}`, null, s.code), ' ', s.detail] : 'gone');
  });
  const children = cards.length ? [h('div.offer-row', null, cards)] : [];
  if (cards.length === 0) {
    const control = decision.assignments?.controlGroup;
    children.push(h('div.offer-none', null, control
      ? 'No offers: this customer is in the universal control group (ROI measurement).'
      : `No offer for this visit · ${decision.suppressedOffers?.length ?? 0} not shown (see Offer arbitration)`));
  }
  if (gone.length) children.push(h('ul.offer-gone', null, gone));
  box.replaceChildren(...children);
}

function toggleOpen(key, open) {
  if (open) state.open.add(key);
  else state.open.delete(key);
}

function renderImpressionCount(justLogged = 0) {
  const el = $('imp-count');
  const round = state.round;
  const pending = round && !round.logged
    ? CHANNELS.filter((c) => state.logChannels.has(c)).reduce((n, c) => n + (round.results[c]?.decision?.impressions?.length ?? 0), 0)
    : 0;
  el.textContent = `${state.impressions} impression${state.impressions === 1 ? '' : 's'} logged`
    + (justLogged ? ` (+${justLogged})` : '')
    + (round && !round.logged ? ` · ${pending} on screen, not logged` : round ? ' · on screen: logged' : '');
}

const PLACEMENT_NAMES = { home: 'home page', product: 'product page', cart: 'cart', checkout: 'checkout' };
const channelName = (c) => CHANNEL_NAMES[c] ?? String(c).replace(/_/g, ' ').replace(/^./, (x) => x.toUpperCase());

function renderExtras(extras, highlight) {
  const section = $('extras');
  section.hidden = extras.length === 0;
  $('extras-body').replaceChildren(...extras.map(({ key, ctx, decision, error, us }) => {
    const onScreen = ctx.sku ? state.bySku.get(ctx.sku)?.title ?? ctx.sku : null;
    const head = h('div.extra-head', null,
      h(`span.pill.pill-${ctx.channel}`, null, ctx.channel + (ctx.store ? ` @ ${ctx.store}` : '')),
      h('strong', null, PLACEMENT_NAMES[ctx.placement] ?? ctx.placement),
      onScreen ? h('span.extra-on', { title: ctx.sku }, `showing ${onScreen}`) : null,
      h('span.extra-sum', null, decision ? `${decision.recommendations.length} recs · ${formatUs(us)}` : 'error'));
    const offerLine = decision?.offers?.length
      ? h('div.extra-offers', null, 'Offer: ', decision.offers.map((o) => h('span.offer-chip', {
        title: `${o.content?.title ?? o.name}\n${o.reasons?.map((r) => r.text).join('\n') ?? ''}`,
      }, o.id)), h('span.extra-note', null, ' (what-if placement: its impressions are not logged)'))
      : null;
    let body;
    if (error) {
      body = errorBox(error, `decide() for ${ctx.channel} / ${ctx.placement} threw`);
    } else {
      const prev = highlight ? state.last[key] : null;
      const before = new Set(prev?.recommendations?.map((r) => r.sku) ?? []);
      const recs = decision.recommendations ?? [];
      body = recs.length
        ? h('div.extra-rail', null, recs.map((rec) => productCard(rec, state.bySku.get(rec.sku), {
          variant: 'web',
          store: ctx.store,
          fresh: prev ? !before.has(rec.sku) : false,
          onPick: (sku) => recordView(ctx.channel, sku, ctx.store),
        })))
        : h('p.empty', null, 'No recommendations for this context.');
      state.last[key] = decision;
    }
    return h('div.panel.extra', null, head, offerLine, body);
  }));
}

function formatUs(us) {
  // 0 only when the clock did not move at all (e.g. headless Chrome's virtual time).
  if (!(us > 0)) return '— µs';
  return `${Math.round(us).toLocaleString('en-GB')} µs`;
}

function renderInspector(results, extras = []) {
  const all = [
    ...CHANNELS.map((channel) => ({ channel, main: true, ...results[channel] })),
    ...extras.map((x) => ({ channel: x.ctx.channel, placement: x.ctx.placement, store: x.ctx.store, ...x })),
  ];
  const ok = all.filter((r) => r.decision).map((r) => r.decision);
  const ids = new Set(ok.map((d) => d.stateId));
  const same = ok.length === all.length && ids.size === 1;
  const banner = $('state-banner');
  if (same) {
    banner.className = 'state-banner same';
    banner.textContent = `✓ same stateId for all ${all.length} decisions`;
  } else if (ok.length < all.length) {
    banner.className = 'state-banner bad';
    banner.textContent = `${all.length - ok.length} decision${all.length - ok.length === 1 ? '' : 's'} failed`;
  } else {
    banner.className = 'state-banner bad';
    banner.textContent = '✗ stateIds differ across channels';
  }
  const rows = all.map(({ channel, main, placement, store, decision: d, error, us }) => {
    const name = h(`td.ch${main ? '' : '.extra-row'}`, null, h(`span.dot.dot-${channel}`), channelName(channel),
      main && channel === 'kiosk' ? h('span.sub', null, ` @ ${state.kioskStore}`) : null,
      !main ? h('span.sub', null, ` · ${placement}${store ? ` @ ${store}` : ''}`) : null);
    if (error) {
      const e = describeError(error);
      return h('tr.row-error', null, name,
        h('td', { colspan: '7' }, h('code.error-code', null, e.code), ' ',
          e.document ? `${e.document}: ` : '', e.path ? h('code', null, e.path) : null, ' — ', e.message));
    }
    const v = d.versions ?? {};
    return h('tr', null, name,
      h('td', null, h('code.id', { title: d.decisionId }, d.decisionId)),
      h('td', null, h(`code.id.state${same ? '.same' : ''}`, { title: d.stateId }, d.stateId)),
      h('td', null, h(`span.flag.${d.personalized ? 'yes' : 'no'}`, null, d.personalized ? 'yes' : 'no')),
      h('td.num', null, String(d.recommendations?.length ?? 0)),
      h('td.offers-cell', null, (d.offers ?? []).length
        ? d.offers.map((o) => h('span.offer-chip', { title: `${o.name} · score ${o.score}` }, o.id))
        : h('span.sub', null, d.assignments?.controlGroup ? 'control group' : 'none')),
      h('td.num', null, formatUs(us)),
      h('td.versions', null,
        ['engine', 'catalog', 'model', 'config'].map((k) => h('span.ver', { title: `${k} ${v[k] ?? ''}` }, h('b', null, k), ' ', v[k] ?? '—'))));
  });
  $('decisions-body').replaceChildren(...rows);
  $('arb-body').replaceChildren(...all.filter((r) => r.decision).map((r) => arbitration(r)));
  if (!crossOriginIsolated) {
    $('decisions-body').append(h('tr.note', null, h('td', { colspan: '8' },
      'Timer resolution is 100 µs on pages that are not cross-origin isolated (serve.mjs sends the headers that make it 5 µs).')));
  }
}

/**
 * One decision's offer arbitration: shown offers, counts per suppression code and the assignments
 * in the summary; every suppressed offer with code and detail when opened.
 */
function arbitration({ channel, main, placement, store, key, decision: d }) {
  const id = `arb:${main ? channel : key}`;
  const suppressed = d.suppressedOffers ?? [];
  const counts = new Map();
  for (const s of suppressed) counts.set(s.code, (counts.get(s.code) ?? 0) + 1);
  const codes = [...counts.keys()].sort((a, b) => rank(a) - rank(b));
  const a = d.assignments ?? {};
  const holdouts = a.holdouts ?? [];
  const summary = h('summary', null,
    h('span.arb-ch', null, h(`span.dot.dot-${channel}`), channelName(channel),
      main ? (channel === 'kiosk' ? h('span.sub', null, ` @ ${state.kioskStore}`) : null)
        : h('span.sub', null, ` · ${placement}${store ? ` @ ${store}` : ''}`)),
    h('span.arb-shown', null, (d.offers ?? []).length
      ? ['shows ', ...d.offers.map((o) => h('span.offer-chip', null, o.id))]
      : 'shows no offer'),
    h('span.arb-counts', null, suppressed.length ? `${suppressed.length} not shown:` : 'nothing suppressed',
      codes.map((c) => h(`span.sup-code.sup-${c}`, { title: `${counts.get(c)} × ${c}` }, `${c} ${counts.get(c)}`))),
    h('span.arb-assign', null,
      h(`span.flag.${a.controlGroup ? 'no' : 'yes'}`, { title: 'universal control group (no offers at all)' },
        a.controlGroup ? 'control group' : 'not in control group'),
      ' holdouts: ', holdouts.length ? holdouts.map((x) => h('span.offer-chip.holdout', null, x)) : h('span.sub', null, 'none')));
  const rows = suppressed.slice().sort((x, y) => rank(x.code) - rank(y.code) || x.id.localeCompare(y.id)).map((s) => h('tr', null,
    h('td', null, h('code', null, s.id)),
    h('td.sub', null, state.offerNames.get(s.id) ?? ''),
    h('td', null, h(`span.sup-code.sup-${s.code}`, null, s.code)),
    h('td.detail', null, s.detail)));
  const box = h('details.arb-item', { open: state.open.has(id) || undefined, 'data-channel': channel },
    summary,
    rows.length ? h('table.arb-table', null, h('tbody', null, rows)) : h('p.sub', null, 'Every offer of the catalogue is shown.'));
  box.addEventListener('toggle', () => toggleOpen(id, box.open));
  return box;
}

const rank = (code) => {
  const i = SUPPRESSION_CODES.indexOf(code);
  return i < 0 ? SUPPRESSION_CODES.length : i;
};

function renderLog() {
  const log = $('log');
  log.replaceChildren(...state.log.map(({ event, title, bad, error }) => h(`li${bad ? '.bad' : ''}`, null,
    h('div.log-line', null,
      h('span.log-time', null, event.ts.length > 12 ? event.ts.slice(11, 16) : event.ts),
      h(`span.pill.pill-${event.channel}`, null, event.channel + (event.store ? ` @ ${event.store}` : '')),
      h('span.log-title', null, title)),
    h('code.log-json', null, JSON.stringify(event)),
    error ? h('div.log-error', null, rejected(error)) : null)));
  $('log-empty').hidden = state.log.length > 0;
  $('copy-log').title = 'Copy the accepted events as NDJSON';
  $('copy-log').disabled = state.log.length === 0;
}

function rejected(error) {
  const e = describeError(error);
  return ['engine.track rejected it: ', h('code.error-code', null, e.code), ' ',
    e.document ? `${e.document}: ` : '', e.path ? h('code', null, e.path) : null, ' — ', e.message];
}

function showGlobalError(err, title) {
  const box = $('global-error');
  box.replaceChildren(errorBox(err, title));
  box.hidden = false;
  const e = describeError(err);
  if (/^http_404$/.test(e.code) && /\/images\/.*\.img$/.test(e.path)) {
    box.append(h('p.hint', null, 'The engine images are compiled from the documents by `node scripts/images.mjs` (./scripts/demo.sh does it; docs/image.md). Reload once they exist.'));
  } else if (/^http_404$/.test(e.code) && /examples\/sample\//.test(e.path)) {
    box.append(h('p.hint', null, 'The sample data is generated by examples/sample/generate.py; model.json is built from events.csv (./scripts/demo.sh does it; docs/cli.md). Reload once it exists.'));
  }
  if (!state.ready) {
    for (const c of CHANNELS) $(`${c}-body`).replaceChildren(h('p.empty', null, 'Not available.'));
  }
}

function clearGlobalError() {
  $('global-error').hidden = true;
  $('global-error').replaceChildren();
}

main();
