// One customer's decision on web, app and kiosk, from the BUILT npm package (Wasm in Node).
//
//   node examples/side-by-side.mjs [customer-id]      (after scripts/build-pkg.sh)
//
// In your project: `import { Engine } from 'unisono'` instead of the relative path.
import { readFileSync } from 'node:fs';
import { Engine } from '../pkg/node.js';

const dir = new URL('./sample/', import.meta.url);
const read = (f) => readFileSync(new URL(f, dir), 'utf8');
const id = process.argv[2] ?? 'cust-anna';
const scenarios = JSON.parse(read('scenarios.json'));
const customer = scenarios.customers.find((c) => c.profile === id);
if (!customer) {
  console.error(`unknown customer ${id}; one of: ${scenarios.customers.map((c) => c.profile).join(', ')}`);
  process.exit(2);
}

// Each channel loads the public engine image it would get (`node scripts/images.mjs` compiles
// them; ./scripts/demo.sh does): no offer code on the device (docs/image.md).
const t0 = performance.now();
const image = (name) => Engine.fromImage(readFileSync(new URL(`images/${name}.img`, dir)));
const store = customer.store ?? 'lon-oxford';
const engines = { web: image('web'), app: image('app'), kiosk: image(`kiosk-${store}`) };
const loadMs = (performance.now() - t0) / 3;
const profile = JSON.parse(read(`profiles/${id}.json`));
const now = scenarios.now;
const contexts = [
  { channel: 'web', placement: 'home', now },
  { channel: 'app', placement: 'home', now },
  { channel: 'kiosk', placement: 'home', store, now },
];
const t1 = performance.now();
const decisions = contexts.map((ctx) => engines[ctx.channel].decide(profile, ctx));
const firstMs = (performance.now() - t1) / contexts.length;
// Steady state: the first calls include the Wasm engine's lazy compilation.
const profileJson = JSON.stringify(profile);
const ctxJson = contexts.map((c) => JSON.stringify(c));
const engineOf = contexts.map((c) => engines[c.channel]);
for (let i = 0; i < 100; i++) engineOf[i % 3].decideJson(profileJson, ctxJson[i % 3]);
const times = [];
for (let i = 0; i < 300; i++) {
  const t = performance.now();
  engineOf[i % 3].decideJson(profileJson, ctxJson[i % 3]);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const warmUs = times[times.length >> 1] * 1000;

const W = 42;
const cut = (s, w = W) => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
console.log(`${id} — ${customer.story ?? ''}`);
console.log(`personalized: ${decisions[0].personalized}   state id: ${decisions[0].stateId} (same on every channel: ${decisions.every((d) => d.stateId === decisions[0].stateId)})`);
console.log(decisions.map((d) => cut(d.store ? `${d.channel.toUpperCase()} @ ${d.store}` : d.channel.toUpperCase())).join(' │ '));
console.log(decisions.map(() => '─'.repeat(W)).join('─┼─'));
const rows = Math.max(...decisions.map((d) => d.recommendations.length));
for (let i = 0; i < rows; i++) {
  for (const line of [0, 1]) {
    console.log(decisions.map((d) => {
      const r = d.recommendations[i];
      if (!r) return cut('');
      return cut(line === 0 ? `${i + 1}. ${r.title}` : `   ${r.reasons[0]?.text ?? ''}`);
    }).join(' │ '));
  }
}
console.log(decisions.map(() => '─'.repeat(W)).join('─┼─'));
for (let i = 0; i < Math.max(...decisions.map((d) => d.offers.length)); i++) {
  console.log(decisions.map((d) => cut(d.offers[i] ? `OFFER ${d.offers[i].content.title}` : '')).join(' │ '));
}
console.log(`\nengine image load ${loadMs.toFixed(1)} ms each; decide: first calls ${(firstMs * 1000).toFixed(0)} µs, then p50 ${warmUs.toFixed(0)} µs (Wasm in Node ${process.version})`);
