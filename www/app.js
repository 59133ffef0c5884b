// unisono demo: one customer, three channels, one decision engine (the Wasm package, in-page).
//
// Clicking a product on any channel appends a `view` event (that channel, the kiosk's store, the
// simulated now) to the in-memory profile, advances the simulated clock by one minute and asks
// the engine again for ALL channels: what was looked at on the kiosk shows up on web and app.
import {
  initWasm, dataBase, fetchJson, loadArtifacts, makeEngine, timedDecide, describeError, errorBox,
  productCard, h, formatNow, formatTime, isoSeconds,
} from './common.js';

const CHANNELS = ['web', 'app', 'kiosk'];
const CHANNEL_NAMES = { web: 'Web shop', app: 'App', kiosk: 'Kiosk' };
const STEP_MS = 60_000; // simulated time per click
const $ = (id) => document.getElementById(id);

const state = {
  ready: false,
  engine: null,
  bySku: new Map(),
  stores: [],
  customers: [],
  nowStart: 0,
  // per customer
  customer: null,
  original: null, // the stored profile (never mutated)
  profile: null, // the live in-memory profile
  now: 0,
  log: [],
  kioskStore: '',
  last: {}, // channel → decision (for "new on this channel" highlights)
};

// Exposed for automated checks and the browser console.
window.unisonoDemo = { state, decideAll: () => decideAll(), pick: (channel, sku) => recordView(channel, sku) };

// ---------------------------------------------------------------------------------------------
// Loading

async function main() {
  try {
    const version = await initWasm();
    $('engine-meta').textContent = `engine ${version} · WebAssembly`;
    const base = dataBase();
    const [artifacts, scenarios] = await Promise.all([loadArtifacts(base), fetchJson(new URL('scenarios.json', base))]);
    const built = makeEngine(artifacts);
    Object.assign(state, { engine: built.engine, bySku: built.bySku, stores: built.stores });
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
    warmUp(built.engine, scenarios);
    const v = built.engine.versions;
    $('load-meta').textContent = `engine built in ${built.loadMs.toFixed(1)} ms · catalog ${v.catalog} (${built.bySku.size} products, ${built.stores.length} stores) · model ${v.model} · config ${v.config}`;
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
function warmUp(engine, scenarios) {
  const anon = { schema: 'unisono.profile/1', id: 'warm-up', consents: { personalization: true }, events: [] };
  const store = state.stores[0]?.id;
  for (const channel of CHANNELS) {
    try {
      engine.decide(anon, { channel, placement: 'home', now: scenarios.now, ...(channel === 'kiosk' ? { store } : {}) });
    } catch { /* a real error shows up on the first real decision */ }
  }
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
  state.now = state.nowStart;
  state.log = [];
  state.last = {};
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

function recordView(channel, sku, store) {
  if (!state.ready || !state.profile) return;
  const item = state.bySku.get(sku);
  const event = { type: 'view', sku };
  if (item?.category?.[1]) event.category = item.category[1];
  event.channel = channel;
  if (store ?? (channel === 'kiosk' ? state.kioskStore : null)) event.store = store ?? state.kioskStore;
  event.ts = isoSeconds(state.now);
  state.profile.events = [...(state.profile.events ?? []), event];
  state.log.unshift({ event, title: item?.title ?? sku });
  state.now += STEP_MS;
  renderLog();
  renderNow();
  decideAll({ highlight: true });
}

function sendBadEvent() {
  if (!state.profile) return;
  const sku = state.last.web?.recommendations?.[0]?.sku ?? [...state.bySku.keys()][0];
  const event = { type: 'view', sku, channel: 'web', ts: 'yesterday' };
  state.profile.events = [...(state.profile.events ?? []), event];
  state.log.unshift({ event, title: 'malformed on purpose — Reset customer to recover', bad: true });
  renderLog();
  decideAll();
}

function copyLog() {
  const ndjson = state.log.slice().reverse().map((e) => JSON.stringify(e.event)).join('\n') + '\n';
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
    results[channel] = timedDecide(state.engine, state.profile, contextFor(channel));
  }
  const extras = extraContexts().map((x) => ({ ...x, ...timedDecide(state.engine, state.profile, x.ctx) }));
  for (const channel of CHANNELS) {
    const r = results[channel];
    const prev = highlight ? state.last[channel] : null;
    renderChannel(channel, r, prev);
    if (r.decision) state.last[channel] = r.decision;
  }
  renderExtras(extras, highlight);
  renderInspector(results, extras);
  renderNow();
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
  const events = p.events ?? [];
  const cart = p.cart ?? [];
  const facts = [
    h(`span.fact${consent ? '.ok' : '.warn'}`, null, consent ? 'personalization consent ✓' : 'no personalization consent'),
    t.tier ? h('span.fact', null, `${t.tier} tier`) : null,
    t.preferred_store ? h('span.fact', null, `home store ${storeName(t.preferred_store)}`) : null,
    ...(p.segments ?? []).map((s) => h('span.fact.seg', null, s)),
    h('span.fact', null, `${events.length} events`),
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

function renderChannel(channel, { decision, error, us }, prev) {
  const body = $(`${channel}-body`);
  const sum = $(`${channel}-sum`);
  if (error) {
    console.debug(`${channel} decide failed`, error);
    body.replaceChildren(errorBox(error, `decide() on ${channel} threw`));
    body.classList.add('has-error');
    sum.textContent = 'error';
    sum.className = 'channel-sum bad';
    return;
  }
  body.classList.remove('has-error');
  const before = new Set(prev?.recommendations?.map((r) => r.sku) ?? []);
  const recs = decision.recommendations ?? [];
  const onPick = (sku) => recordView(channel, sku);
  const cards = recs.map((rec) => productCard(rec, state.bySku.get(rec.sku), {
    variant: channel,
    onPick,
    store: channel === 'kiosk' ? decision.store ?? state.kioskStore : undefined,
    fresh: prev ? !before.has(rec.sku) : false,
  }));
  body.replaceChildren(...(cards.length ? cards : [h('p.empty', null, 'No recommendations for this context.')]));
  const rail = $(`${channel}-rail`);
  if (channel === 'kiosk') rail.textContent = `${RAIL_TITLES.kiosk(decision)} · tap a product`;
  else rail.textContent = RAIL_TITLES[channel](decision);
  sum.textContent = `${recs.length} recs · ${formatUs(us)}`;
  sum.title = `${decision.personalized ? 'personalized' : 'not personalized'} · ${decision.decisionId}`;
  sum.className = 'channel-sum';
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
    return h('div.panel.extra', null, head, body);
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
        h('td', { colspan: '6' }, h('code.error-code', null, e.code), ' ',
          e.document ? `${e.document}: ` : '', e.path ? h('code', null, e.path) : null, ' — ', e.message));
    }
    const v = d.versions ?? {};
    return h('tr', null, name,
      h('td', null, h('code.id', { title: d.decisionId }, d.decisionId)),
      h('td', null, h(`code.id.state${same ? '.same' : ''}`, { title: d.stateId }, d.stateId)),
      h('td', null, h(`span.flag.${d.personalized ? 'yes' : 'no'}`, null, d.personalized ? 'yes' : 'no')),
      h('td.num', null, String(d.recommendations?.length ?? 0)),
      h('td.num', null, formatUs(us)),
      h('td.versions', null,
        ['engine', 'catalog', 'model', 'config'].map((k) => h('span.ver', { title: `${k} ${v[k] ?? ''}` }, h('b', null, k), ' ', v[k] ?? '—'))));
  });
  $('decisions-body').replaceChildren(...rows);
  if (!crossOriginIsolated) {
    $('decisions-body').append(h('tr.note', null, h('td', { colspan: '7' },
      'Timer resolution is 100 µs on pages that are not cross-origin isolated (serve.mjs sends the headers that make it 5 µs).')));
  }
}

function renderLog() {
  const log = $('log');
  log.replaceChildren(...state.log.map(({ event, title, bad }) => h(`li${bad ? '.bad' : ''}`, null,
    h('div.log-line', null,
      h('span.log-time', null, event.ts.length > 12 ? event.ts.slice(11, 16) : event.ts),
      h(`span.pill.pill-${event.channel}`, null, event.channel + (event.store ? ` @ ${event.store}` : '')),
      h('span.log-title', null, title)),
    h('code.log-json', null, JSON.stringify(event)))));
  $('log-empty').hidden = state.log.length > 0;
  $('copy-log').disabled = state.log.length === 0;
}

function showGlobalError(err, title) {
  const box = $('global-error');
  box.replaceChildren(errorBox(err, title));
  box.hidden = false;
  const e = describeError(err);
  if (/^http_404$/.test(e.code) && /examples\/sample\//.test(e.path)) {
    box.append(h('p.hint', null, 'The sample data is generated by examples/sample/generate.py; model.json is built from events.csv (see README.md). Reload once it exists.'));
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
