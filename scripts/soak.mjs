// Soak: N decisions with `track` in between, through the built package, printing Wasm linear
// memory and JS heap as it goes. Memory must stay flat: the engine allocates per decision and
// frees it all. The wasm-bindgen objects are the Engine and the Sessions: the soak frees each
// Session explicitly (`session.free()`) when its customer leaves, as a page or kiosk should; a
// FinalizationRegistry also frees any that are only garbage-collected.
//
//   node --expose-gc scripts/soak.mjs [decisions=1000000] [session|object]
import { readFileSync } from 'node:fs';
import { Engine, Session, wasmMemoryBytes } from '../pkg/node.js';
import { compileImages } from './images.mjs';

// mode 'session' (the fast path: Session + decideSession + session.track) or 'object' (plain
// profile objects through engine.decide and engine.track).
export function soak(n, { log = console.log, every = Math.max(1, Math.floor(n / 10)), mode = 'session' } = {}) {
  const dir = new URL('../examples/sample/', import.meta.url);
  const read = (f) => readFileSync(new URL(f, dir), 'utf8');
  // The device runtime on the sample's public image, as a long-running page or kiosk runs it.
  compileImages();
  const engine = Engine.fromImage(readFileSync(new URL('images/public.img', dir)));
  const scenarios = JSON.parse(read('scenarios.json'));
  const catalog = JSON.parse(read('catalog.json'));
  const skus = catalog.items.map((i) => i.sku);
  const start = Date.parse(scenarios.now);
  const profiles = scenarios.customers.map((c) => read(`profiles/${c.profile}.json`));
  const channels = [{ channel: 'web' }, { channel: 'app' }, { channel: 'kiosk', store: 'lon-oxford' }];
  const samples = [];
  const memory = () => {
    globalThis.gc?.();
    return { wasm: wasmMemoryBytes(), heap: process.memoryUsage().heapUsed };
  };
  let session = null;
  let profile = null;
  for (let i = 0; i < n; i++) {
    // A new customer every 500 decisions, so profiles stay realistic in size.
    if (i % 500 === 0) {
      const text = profiles[(i / 500) % profiles.length];
      session?.free();
      if (mode === 'session') session = new Session(text);
      else profile = JSON.parse(text);
    }
    const now = new Date(start + i * 1000).toISOString();
    const context = { ...channels[i % 3], now };
    const event = { type: 'view', sku: skus[(i * 7919) % skus.length], channel: channels[i % 3].channel, ts: now };
    let d;
    if (mode === 'session') {
      d = engine.decideSession(session, context);
      session.track(event);
    } else {
      d = engine.decide(profile, context);
      profile = engine.track(profile, event).profile;
    }
    if (d.recommendations.length === 0) throw new Error(`no recommendations at ${i}`);
    if ((i + 1) % every === 0) {
      const m = memory();
      samples.push({ decisions: i + 1, ...m });
      log(`${String(i + 1).padStart(9)} decisions  wasm memory ${(m.wasm / 1048576).toFixed(1)} MB  JS heap ${(m.heap / 1048576).toFixed(1)} MB`);
    }
  }
  session?.free();
  engine.free();
  return samples;
}

const isMain = process.argv[1] && new URL(import.meta.url).pathname === process.argv[1];
if (isMain) {
  const n = Number(process.argv[2] ?? 1_000_000);
  const mode = process.argv[3] ?? 'session';
  const t = Date.now();
  soak(n, { mode });
  console.log(`${n} decisions in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}
