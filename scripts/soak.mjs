// Soak: N decisions with `track` in between, through the built package, printing Wasm linear
// memory and JS heap as it goes. Memory must stay flat: the engine allocates per decision and
// frees it all; `track` returns plain JS objects (nothing to free()). The only wasm-bindgen object
// is the Engine itself (call engine.free() when replacing it; a FinalizationRegistry also frees
// it when garbage-collected).
//
//   node --expose-gc scripts/soak.mjs [decisions=1000000]
//
// Measured 2026-11-23: 20,000 decisions, Wasm memory 7.6 MB throughout, JS heap 3.6–3.8 MB,
// about 8 ms per decide + track pair with profiles growing to 500 events (1M would take hours:
// the per-decision cost is issue 6's).
import { readFileSync } from 'node:fs';
import { Engine, wasmMemoryBytes } from '../pkg/node.js';

export function soak(n, { log = console.log, every = Math.max(1, Math.floor(n / 10)) } = {}) {
  const dir = new URL('../examples/sample/', import.meta.url);
  const read = (f) => readFileSync(new URL(f, dir), 'utf8');
  const engine = new Engine(read('catalog.json'), read('model.json'), read('config.json'), read('offers.json'));
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
  let profile = JSON.parse(profiles[0]);
  for (let i = 0; i < n; i++) {
    // A new customer every 500 decisions, so profiles stay realistic in size.
    if (i % 500 === 0) profile = JSON.parse(profiles[(i / 500) % profiles.length]);
    const now = new Date(start + i * 1000).toISOString();
    const d = engine.decide(profile, { ...channels[i % 3], now });
    const sku = skus[(i * 7919) % skus.length];
    profile = engine.track(profile, { type: 'view', sku, channel: channels[i % 3].channel, ts: now }).profile;
    if (d.recommendations.length === 0) throw new Error(`no recommendations at ${i}`);
    if ((i + 1) % every === 0) {
      const m = memory();
      samples.push({ decisions: i + 1, ...m });
      log(`${String(i + 1).padStart(9)} decisions  wasm memory ${(m.wasm / 1048576).toFixed(1)} MB  JS heap ${(m.heap / 1048576).toFixed(1)} MB`);
    }
  }
  engine.free();
  return samples;
}

const isMain = process.argv[1] && new URL(import.meta.url).pathname === process.argv[1];
if (isMain) {
  const n = Number(process.argv[2] ?? 1_000_000);
  const t = Date.now();
  soak(n);
  console.log(`${n} decisions in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}
