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

/**
 * The shop's own product data, for display only (titles, prices, tiles, store names): the engine
 * decides from its image and never reads this.
 */
export async function loadCatalog(base = dataBase()) {
  const catalog = await fetchJson(new URL('catalog.json', base));
  const bySku = new Map((catalog.items ?? []).map((it) => [it.sku, it]));
  return { catalog, bySku, stores: catalog.stores ?? [] };
}

/**
 * Load the engine image `name` of the data directory (`DIR/images/NAME.img`, compiled by
 * `node scripts/images.mjs DIR`): `web`, `app`, `public` or `kiosk-STORE`, all public images
 * (no offer codes). Resolves to `{engine, loadMs, bytes}`.
 */
export async function loadImage(name, base = dataBase()) {
  const url = new URL(`images/${name}.img`, base);
  const t0 = performance.now();
  const res = await fetch(url, { cache: 'no-store' }).catch((err) => {
    throw Object.assign(new Error(`cannot fetch ${url}: ${err.message}`), { code: 'fetch_failed', path: url.pathname });
  });
  if (!res.ok) {
    throw Object.assign(new Error(`${url.pathname}: HTTP ${res.status} ${res.statusText}`), { code: `http_${res.status}`, path: url.pathname });
  }
  const bytes = Number(res.headers.get('content-length')) || 0;
  const engine = await Engine.load(res);
  return { engine, loadMs: performance.now() - t0, bytes };
}

/**
 * Ask the back end (www/serve.mjs, which holds the full image) for the code of an offer this
 * device was shown: the profile and context of that decision, its id and the offer's.
 */
export async function revealCode({ profile, context, decisionId, offerId }) {
  const res = await fetch(new URL('/api/reveal', location.href), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile, context, decisionId, offerId }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(body.message ?? `HTTP ${res.status}`), body);
  return body;
}

/**
 * `engine.track(profile, event)` without throwing: `{profile, event}` (the updated profile and the
 * canonical event) or `{error}` (an Error with `code`, `path`, `document`; the profile is unchanged).
 */
export function safeTrack(engine, profile, event) {
  try {
    const { profile: updated, event: canonical } = engine.track(profile, event);
    return { profile: updated, event: canonical };
  } catch (error) {
    return { error };
  }
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
      // Through the CSSOM: the page's CSP (style-src 'self', no 'unsafe-inline') blocks style attributes.
      else if (k === 'style') el.style.cssText = v;
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

// ---------------------------------------------------------------------------------------------
// Offers (next best offer): a banner card per shown offer, shared by both pages.

/** Every `suppressedOffers[].code`, in the order the engine checks them. */
export const SUPPRESSION_CODES = [
  'control_group', 'channel_not_allowed', 'out_of_window', 'no_consent', 'not_eligible',
  'suppressed', 'capped', 'holdout', 'excluded_by_group', 'outranked',
];

const trim = (v) => (typeof v === 'number' && Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : '—');

/** `score 60 = propensity 1 × context 1 × value 50 × lever 1.2` */
export function offerScoreText(offer) {
  const p = offer?.scoreParts ?? {};
  return `score ${trim(offer?.score)} = propensity ${trim(p.propensity)} × context ${trim(p.contextWeight)} × value ${trim(p.value)} × lever ${trim(p.lever)}`;
}

/** The reason the offer may be shown at all: `eligible` (the matched rule) or `fallback`. */
export function offerEligibleReason(offer) {
  const reasons = offer?.reasons ?? [];
  return reasons.find((r) => r.code === 'eligible' || r.code === 'fallback') ?? reasons[0] ?? null;
}

/** The coupon emblem from the offer's title: `£50` / `15%` (… off), `3 for 2`, `FREE`, else ★. */
function emblemText(offer) {
  const text = `${offer?.content?.title ?? ''} · ${offer?.name ?? ''}`;
  const m = text.match(/(£\s?\d+|\d+\s?%)\s+off\b/i) ?? text.match(/\b(\d+\s+for\s+\d+)\b/i);
  if (m) return m[1].replace(/\s+/g, ' ');
  return /\bfree\b/i.test(text) ? 'FREE' : '★';
}

/**
 * One offer as a banner card. `variant`: web | app | kiosk (the demo's kiosk screen) | kiosk-page
 * (the big kiosk banner). `onCta(offer)` / `onDismiss(offer)` record the events; `whyOpen` and
 * `onWhyToggle(open)` keep the "why" panel open across re-renders. The sample's image URLs are
 * fake (and cross-origin), so the card draws a coupon emblem instead of loading `content.image`.
 */
export function offerCard(offer, { variant, rank = 0, fresh = false, onCta, onDismiss, whyOpen = false, onWhyToggle, done = false }) {
  const c = offer.content ?? {};
  const eligible = offerEligibleReason(offer);
  const score = offerScoreText(offer);
  const hue = hash(offer.id ?? '') % 360;
  const emblem = emblemText(offer);
  const whyTitle = `${eligible ? `${eligible.code}: ${eligible.text}` : ''}\n${score}`;

  const why = h('details.offer-why', { open: whyOpen || undefined },
    h('summary', { title: whyTitle }, 'why?'),
    h('dl', null,
      h('dt', null, eligible?.code === 'fallback' ? 'Fallback' : 'Eligible'),
      h('dd', null, h('code', null, eligible?.text ?? '—')),
      h('dt', null, 'Score'),
      h('dd', null, h('code', null, score)),
      ...(offer.reasons ?? []).filter((r) => r !== eligible && r.code !== 'score').map((r) => [
        h('dt', null, r.code), h('dd', null, r.text)])));
  why.addEventListener('toggle', () => onWhyToggle?.(why.open));

  const card = h(`article.offer.offer-${variant}${rank === 0 ? '.offer-top' : ''}${fresh ? '.fresh' : ''}`, {
    'data-offer': offer.id,
    'aria-label': `Offer: ${c.title ?? offer.name}`,
    style: `--offer-h:${hue}`,
  },
  h(`div.offer-emblem${emblem.length > 3 ? '.long' : ''}`, { 'aria-hidden': 'true', title: c.image ? `image: ${c.image} (sample URL, not loaded)` : undefined },
    h('span', null, emblem)),
  h('div.offer-main', null,
    h('div.offer-kicker', null,
      h('span.offer-tag', null, rank === 0 ? 'Offer for you' : 'Also for you'),
      h('span.offer-id', { title: `${offer.name} · ${score}` }, `${offer.id} · ${trim(offer.score)}`)),
    h('div.offer-title', null, c.title ?? offer.name),
    c.body ? h('div.offer-body', null, c.body) : null,
    h('div.offer-actions', null,
      c.code ? h('span.offer-code', { title: 'Promo code (revealed by the back end for this decision)' }, c.code) : null,
      h('button.offer-cta', {
        type: 'button',
        disabled: done || undefined,
        title: done ? 'offer_click recorded' : 'Records an offer_click event',
        onclick: (ev) => { ev.stopPropagation(); onCta?.(offer, ev.currentTarget); },
      }, done ? '✓ Saved' : (c.cta ?? 'Show me')))),
  why,
  onDismiss ? h('button.offer-dismiss', {
    type: 'button',
    title: 'Dismiss (records offer_dismissed)',
    'aria-label': `Dismiss ${offer.name ?? offer.id}`,
    onclick: (ev) => { ev.stopPropagation(); onDismiss(offer, ev.currentTarget); },
  }, '×') : null);
  return card;
}
