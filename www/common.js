// Shared helpers for the two demo pages (index.html → app.js, kiosk.html → kiosk.js).
// Plain ES module, no dependencies: loads the Wasm package and the sample data, draws product
// placeholder tiles and cards, formats errors.
import init, { Engine, engineVersion } from '../pkg/unisono.js';

export { Engine, engineVersion };

/** Where the sample data lives: `?data=/some/dir/` overrides (same origin only). */
export function dataBase() {
  const fallback = new URL('../examples/sample/', import.meta.url);
  const param = new URLSearchParams(location.search).get('data');
  if (!param) return fallback;
  const url = new URL(param.endsWith('/') ? param : param + '/', location.href);
  return url.origin === location.origin ? url : fallback;
}

/** Instantiate the Wasm module (once). */
export async function initWasm() {
  await init({ module_or_path: new URL('../pkg/unisono_bg.wasm', import.meta.url) });
  return engineVersion();
}

/** Fetch a text file; a missing file becomes a readable error (`code: 'http_404'`). */
export async function fetchText(url) {
  let res;
  try {
    res = await fetch(url, { cache: 'no-store' });
  } catch (err) {
    throw Object.assign(new Error(`cannot fetch ${url}: ${err.message}`), { code: 'fetch_failed', path: String(url) });
  }
  if (!res.ok) {
    const where = new URL(url, location.href).pathname;
    throw Object.assign(new Error(`${where}: HTTP ${res.status} ${res.statusText}`), {
      code: `http_${res.status}`,
      path: where,
    });
  }
  return res.text();
}

export async function fetchJson(url) {
  const text = await fetchText(url);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw Object.assign(new Error(`${new URL(url, location.href).pathname}: ${err.message}`), {
      code: 'invalid_json',
      path: new URL(url, location.href).pathname,
    });
  }
}

/** Catalog, model and config as text (the engine parses and validates them itself). */
export async function loadArtifacts(base = dataBase()) {
  const [catalogText, modelText, configText] = await Promise.all(
    ['catalog.json', 'model.json', 'config.json'].map((f) => fetchText(new URL(f, base))),
  );
  return { catalogText, modelText, configText };
}

/** Build the engine and index the catalog for display. */
export function makeEngine({ catalogText, modelText, configText }) {
  const t0 = performance.now();
  const engine = new Engine(catalogText, modelText, configText);
  const loadMs = performance.now() - t0;
  const catalog = JSON.parse(catalogText);
  const bySku = new Map(catalog.items.map((it) => [it.sku, it]));
  const stores = catalog.stores ?? [];
  return { engine, catalog, bySku, stores, loadMs };
}

/** Time one decide call; `{decision, us}` or `{error, us}`. */
export function timedDecide(engine, profile, context) {
  const t0 = performance.now();
  try {
    const decision = engine.decide(profile, context);
    return { decision, us: (performance.now() - t0) * 1000 };
  } catch (error) {
    return { error, us: (performance.now() - t0) * 1000 };
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

const gbp = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
export const money = (v) => (typeof v === 'number' && Number.isFinite(v) ? gbp.format(v) : '');

export const STRATEGY_LABELS = {
  continue_journey: 'Continue',
  buy_again: 'Buy again',
  personalized: 'For you',
  bought_together: 'Bought together',
  trending: 'Trending',
  popular: 'Popular',
};
export const strategyLabel = (s) => STRATEGY_LABELS[s] ?? String(s ?? '').replace(/_/g, ' ');

const clockFmt = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
  hour: '2-digit', minute: '2-digit', timeZone: 'UTC',
});
const timeFmt = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
export const formatNow = (ms) => `${clockFmt.format(new Date(ms))} UTC`;
export const formatTime = (ms) => timeFmt.format(new Date(ms));
/** RFC 3339 in UTC without milliseconds: `2026-11-23T12:01:00Z`. */
export const isoSeconds = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Error → `{code, path, document, message}` for display. */
export function describeError(err) {
  if (err && typeof err === 'object') {
    return {
      code: err.code ?? err.name ?? 'error',
      path: err.path ?? '',
      document: err.document ?? '',
      message: err.message ?? String(err),
    };
  }
  return { code: 'error', path: '', document: '', message: String(err) };
}

/** A small DOM builder: h('div.card.x', {attrs}, ...children). */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function errorBox(err, title = 'Error') {
  const e = describeError(err);
  return h('div.error-box', { role: 'alert' },
    h('div.error-title', null, title, ' ', h('code.error-code', null, e.code)),
    e.path || e.document
      ? h('div.error-path', null, e.document ? ['in ', h('b', null, e.document), ' at '] : 'at ', h('code', null, e.path || '(document root)'))
      : null,
    h('div.error-message', null, e.message));
}

// ---------------------------------------------------------------------------------------------
// Placeholder product tiles (the sample's image URLs are fake): colour from the top category,
// hue shift from the subcategory, shade from the leaf category, initials of the leaf category.

const CATEGORY_HUES = {
  'Home & Kitchen': 28,
  Fashion: 258,
  'Sports & Outdoors': 152,
  Electronics: 205,
  Beauty: 335,
  'Toys & Books': 45,
};

function hash(s) {
  let x = 2166136261;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619);
  return x >>> 0;
}

export function initials(name) {
  const words = String(name ?? '?').split(/[\s&,/-]+/).filter((w) => /^[A-Za-z0-9]/.test(w));
  if (words.length === 0) return '?';
  if (words.length === 1) return words[0].slice(0, 2).replace(/^./, (c) => c.toUpperCase());
  return (words[0][0] + words[1][0]).toUpperCase();
}

export function tileStyle(item) {
  const [top = '', mid = '', leaf = ''] = item?.category ?? [];
  const base = CATEGORY_HUES[top] ?? hash(top) % 360;
  const m = hash(mid);
  const l = hash(leaf);
  const hue = (base + (m % 31) - 15 + (l % 9) - 4 + 360) % 360;
  const light = 34 + (l >> 7) % 20;
  return `--tile-h:${hue};--tile-l:${light}%`;
}

export function tile(item, extraClass = '') {
  const cat = item?.category ?? [];
  return h(`div.tile${extraClass ? '.' + extraClass : ''}`, { style: tileStyle(item), 'aria-hidden': 'true' },
    h('span.tile-initials', null, initials(cat[2] ?? cat[1] ?? cat[0] ?? item?.title)),
    h('span.tile-label', null, cat[2] ?? cat[1] ?? ''));
}

/** Category breadcrumb shown on a card. */
export const categoryText = (item) => (item?.category ?? []).filter(Boolean).slice(0, 3).join(' › ');

/**
 * One product card. `variant` is web | app | kiosk (layout via CSS); `onPick(sku)` runs when the
 * product is clicked; the reasons toggle expands every reason without picking the product.
 */
export function productCard(rec, item, { variant, onPick, store, fresh = false }) {
  const reasons = rec.reasons ?? [];
  const first = reasons[0]?.text ?? '';
  const tags = (item?.tags ?? []).filter((t) => ['new', 'sale', 'exclusive', 'bestseller', 'eco'].includes(t));
  const was = Number(item?.attributes?.was_price);
  const stock = store ? item?.availability?.stores?.[store] : undefined;
  const allReasons = reasons.map((r) => `• ${r.text}`).join('\n');

  const list = h('ul.reasons-all', { hidden: true },
    reasons.map((r) => h('li', null, h('span.reason-code', { 'data-s': r.code }, strategyLabel(r.code)), ' ', r.text)));
  const toggle = reasons.length > 1
    ? h('button.reasons-toggle', {
      type: 'button',
      'aria-expanded': 'false',
      title: 'Show every reason',
      onclick: (ev) => {
        ev.stopPropagation();
        const open = list.hidden;
        list.hidden = !open;
        toggle.setAttribute('aria-expanded', String(open));
        toggle.textContent = open ? 'less' : `+${reasons.length - 1}`;
      },
    }, `+${reasons.length - 1}`)
    : null;

  const card = h(`article.card.card-${variant}${fresh ? '.fresh' : ''}`, {
    tabindex: '0',
    role: 'button',
    'data-sku': rec.sku,
    'aria-label': `${rec.title}, ${money(item?.price)}: ${first}`,
    title: `${rec.title}\n${allReasons}\n\n${rec.sku} · score ${rec.score}\nClick to record a view`,
  },
  h('div.card-media', null,
    tile(item),
    tags.length ? h('div.card-tags', null, tags.slice(0, 2).map((t) => h(`span.tag.tag-${t}`, null, t))) : null),
  h('div.card-body', null,
    h('div.card-top', null,
      h('span.badge', { 'data-s': rec.strategy, title: rec.strategy }, strategyLabel(rec.strategy)),
      stock !== undefined ? h('span.stock', null, stock > 0 ? `${stock} in store` : 'not in store') : null),
    h('div.card-title', null, rec.title),
    h('div.card-cat', null, categoryText(item)),
    h('div.card-price', null,
      money(item?.price),
      Number.isFinite(was) && was > (item?.price ?? 0) ? h('s.was', null, money(was)) : null),
    h('div.card-reason', null, h('span.reason-text', null, first), toggle),
    list));

  const pick = () => onPick?.(rec.sku, card);
  card.addEventListener('click', pick);
  card.addEventListener('keydown', (ev) => {
    if (ev.target !== card) return;
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      pick();
    }
  });
  return card;
}
