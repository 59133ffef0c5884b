// One catalog size in a fresh tab: /bench/browser.html?dir=/target/bench&size=50000
import init, * as pkg from '../pkg/unisono.js';
import { measure, itersFor, PROFILE_SIZES } from './measure.mjs';

const q = new URLSearchParams(location.search);
const base = `${q.get('dir')}/${q.get('size')}`;
const get = (f) => fetch(`${base}/${f}`).then((r) => r.text());
try {
  await init();
  const [catalog, model, config, offers, ...profiles] = await Promise.all(
    ['catalog.json', 'model.json', 'config.json', 'offers.json', ...PROFILE_SIZES.map((p) => `profile-${p}.json`)].map(get),
  );
  const texts = { catalog, model, config, offers, profiles: Object.fromEntries(PROFILE_SIZES.map((p, i) => [p, profiles[i]])) };
  window.benchResult = { ok: measure(pkg, texts, { profileSizes: PROFILE_SIZES, itersFor }) };
} catch (e) {
  window.benchResult = { error: String(e && e.stack || e) };
}
