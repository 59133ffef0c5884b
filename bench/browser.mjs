// One catalog size in a fresh tab: /bench/browser.html?dir=/target/bench&size=50000[&image=1]
// (image=1: the engine from DIR/SIZE/engine.img, timed on the session path only).
import { measure, itersFor, PROFILE_SIZES } from './measure.mjs';

const q = new URLSearchParams(location.search);
// Images run on the device runtime; JSON documents need the tools build.
const pkg = await import(q.get('image') ? '../pkg/unisono.js' : '../pkg/tools.js');
const init = pkg.default;
const base = `${q.get('dir')}/${q.get('size')}`;
const get = (f) => fetch(`${base}/${f}`).then((r) => r.text());
try {
  await init();
  const profileTexts = await Promise.all(PROFILE_SIZES.map((p) => get(`profile-${p}.json`)));
  const profiles = Object.fromEntries(PROFILE_SIZES.map((p, i) => [p, profileTexts[i]]));
  let texts;
  let opts = { profileSizes: PROFILE_SIZES, itersFor };
  if (q.get('image')) {
    const bytes = new Uint8Array(await (await fetch(`${base}/engine.img`)).arrayBuffer());
    texts = { profiles };
    opts = { ...opts, load: () => pkg.Engine.fromImage(bytes), paths: ['session'] };
  } else {
    const [catalog, model, config, offers] = await Promise.all(['catalog.json', 'model.json', 'config.json', 'offers.json'].map(get));
    texts = { catalog, model, config, offers, profiles };
  }
  window.benchResult = { ok: measure(pkg, texts, opts) };
} catch (e) {
  window.benchResult = { error: String(e && e.stack || e) };
}
