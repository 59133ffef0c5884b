// One catalog size in a fresh Node process (fresh Wasm memory):
//   node bench/node.mjs DIR SIZE               the engine from the JSON documents (the tools entry)
//   node bench/node.mjs DIR SIZE image         the engine from DIR/SIZE/engine.img: load, decide
//   node bench/node.mjs DIR SIZE image-load    one cold load: read the image, Engine.fromImage
import { readFileSync } from 'node:fs';
import { measure, itersFor, PROFILE_SIZES } from './measure.mjs';

const [dir, size, mode = 'json'] = process.argv.slice(2);
// Images run on the device runtime ('unisono'); JSON documents need the tools ('unisono/tools').
// Only the one used is imported, so only its .wasm is compiled and instantiated.
const pkg = await import(mode === 'json' ? '../pkg/tools-node.js' : '../pkg/node.js');
const path = (f) => `${dir}/${size}/${f}`;
const read = (f) => readFileSync(path(f), 'utf8');
const profiles = () => Object.fromEntries(PROFILE_SIZES.map((p) => [p, read(`profile-${p}.json`)]));

if (mode === 'image-load') {
  // The cold load the issue times: this process has only imported the package (the .wasm is
  // compiled and instantiated by the import, before the clock starts); the clock covers reading
  // the file and Engine.fromImage up to a usable engine.
  const t = performance.now();
  const engine = pkg.Engine.fromImage(readFileSync(path('engine.img')));
  const load_ms = performance.now() - t;
  console.log(JSON.stringify({
    load_ms: +load_ms.toFixed(2),
    // From the process's start (Node's own boot, the import and the .wasm's instantiation too).
    process_ms: +performance.now().toFixed(1),
    wasm_memory_mb_after_load: +(pkg.wasmMemoryBytes() / 1048576).toFixed(1),
  }));
  engine.free();
} else if (mode === 'image') {
  const bytes = readFileSync(path('engine.img'));
  const load = () => pkg.Engine.fromImage(bytes);
  console.log(JSON.stringify(measure(pkg, { profiles: profiles() }, { profileSizes: PROFILE_SIZES, itersFor, load, paths: ['session'] })));
} else {
  const texts = { catalog: read('catalog.json'), model: read('model.json'), config: read('config.json'), offers: read('offers.json'), profiles: profiles() };
  console.log(JSON.stringify(measure(pkg, texts, { profileSizes: PROFILE_SIZES, itersFor })));
}
