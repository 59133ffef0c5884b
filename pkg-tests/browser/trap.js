// The kiosk's worst case in the web build: malformed and deeply nested artifacts, a reload that
// fails, and an exception that unwinds through Wasm frames, each followed by the same decision
// byte for byte from the same engine, and a new engine that still loads.
// The tools build: the worst cases are malformed JSON documents, which only it reads.
import init, { Engine, Session, UnisonoError } from '/pkg/tools.js';

const load = async (rel) => {
  const r = await fetch('/' + rel);
  if (!r.ok) throw new Error(`${rel}: ${r.status}`);
  return r.text();
};
try {
  await init({ module_or_path: '/pkg/tools_bg.wasm' });
  const [catalog, model, config, offers, anna] = await Promise.all(
    ['catalog.json', 'model.json', 'config.json', 'offers.json', 'profiles/cust-anna.json'].map((f) => load(`examples/sample/${f}`)));
  const ctx = JSON.stringify({ channel: 'kiosk', store: 'lon-oxford', now: '2026-11-23T12:00:00Z' });
  const engine = new Engine(catalog, model, config, offers);
  const session = new Session(anna);
  const golden = engine.decideJson(anna, ctx);
  const goldenSession = engine.decideSessionJson(session, ctx);
  const deep = (n) => '['.repeat(n) + ']'.repeat(n);
  const nestIn = (text, key, n) => text.replace(`"${key}":`, `"${key}":${deep(n)},"${key}_":`);
  const corrupt = [
    ['model: a truncated download', { model: model.slice(0, model.length >> 1) }],
    ['model: deep nesting in stats', { model: nestIn(model, 'stats', 100000) }],
    ['model: deep nesting at the top', { model: deep(1000000) }],
    ['catalog: deep nesting in an item', { catalog: catalog.replace('"tags": []', `"tags": ${deep(50000)}`) }],
    ['config: deep nesting', { config: nestIn(config, 'placements', 20000) }],
    ['offers: deep rule', { offers: offers.replace('"eligibility":', `"eligibility":${'{"not":'.repeat(20000)}true${'}'.repeat(20000)},"x":`) }],
    ['reload: an unknown key', { models: model }],
  ];
  const outcomes = [];
  for (const [name, artifacts] of corrupt) {
    let outcome;
    try {
      engine.reload(artifacts);
      outcome = 'accepted';
    } catch (e) {
      outcome = e instanceof UnisonoError ? e.code : `${e.name}: ${e.message}`;
    }
    const same = engine.decideJson(anna, ctx) === golden && engine.decideSessionJson(session, ctx) === goldenSession;
    outcomes.push({ name, outcome, same });
  }
  // An exception thrown from inside a Wasm call (here: by a built-in the engine calls while it
  // reads the catalog), a hundred times.
  const { slice } = String.prototype;
  let internal = 0;
  for (let i = 0; i < 100; i++) {
    let calls = 0;
    String.prototype.slice = function (...a) {
      if (this.length === catalog.length && calls++ >= i % 3) throw new Error('injected');
      return slice.apply(this, a);
    };
    try {
      new Engine(catalog, model, config, offers);
    } catch (e) {
      if (e instanceof UnisonoError && e.code === 'internal') internal++;
    } finally {
      String.prototype.slice = slice;
    }
  }
  const after = engine.decideJson(anna, ctx) === golden;
  const fresh = new Engine(catalog, model, config, offers).decideJson(anna, ctx) === golden;
  window.__result = { outcomes, internal, after, fresh };
} catch (e) {
  window.__result = { error: String((e && e.stack) || e) };
}
document.getElementById('out').textContent = JSON.stringify(window.__result, null, 1);
