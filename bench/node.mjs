// One catalog size in a fresh Node process (fresh Wasm memory): node bench/node.mjs DIR SIZE
import { readFileSync } from 'node:fs';
import * as pkg from '../pkg/node.js';
import { measure, itersFor, PROFILE_SIZES } from './measure.mjs';

const [dir, size] = process.argv.slice(2);
const read = (f) => readFileSync(`${dir}/${size}/${f}`, 'utf8');
const texts = {
  catalog: read('catalog.json'),
  model: read('model.json'),
  config: read('config.json'),
  offers: read('offers.json'),
  profiles: Object.fromEntries(PROFILE_SIZES.map((p) => [p, read(`profile-${p}.json`)])),
};
console.log(JSON.stringify(measure(pkg, texts, { profileSizes: PROFILE_SIZES, itersFor })));
