// Shared loading for the pkg-tests: the BUILT package (pkg/) and the embedded sample retailer.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const root = new URL('../', import.meta.url);
export const sampleDir = new URL('examples/sample/', root);
export const read = (rel) => readFileSync(new URL(rel, sampleDir), 'utf8');
export const readJson = (rel) => JSON.parse(read(rel));

// The package under test: pkg/, or another build of it (UNISONO_PKG=/path/to/pkg).
export const pkgDir = process.env.UNISONO_PKG
  ? pathToFileURL(process.env.UNISONO_PKG.replace(/\/?$/, '/'))
  : new URL('pkg/', root);
// `unisono`: the tools entry (`unisono/tools`: engines from JSON documents, compile, buildModel,
// validate), which most tests build their engines with; `device`: the device entry (`unisono`:
// engines from images only), which devices run. Both wrap the same Rust decision code.
export const unisono = await import(new URL('tools-node.js', pkgDir).href);
export const tools = unisono;
export const device = await import(new URL('node.js', pkgDir).href);

export const sample = {
  catalog: read('catalog.json'),
  model: read('model.json'),
  config: read('config.json'),
  offers: read('offers.json'),
  scenarios: readJson('scenarios.json'),
  profile: (id) => readJson(`profiles/${id}.json`),
};

export function sampleEngine() {
  return new unisono.Engine(sample.catalog, sample.model, sample.config, sample.offers);
}

/// The same expansion as examples/side_by_side.rs: web, app and kiosk home, then the extras.
export function scenarioContexts(customer, now = sample.scenarios.now) {
  const store = customer.store ?? 'lon-oxford';
  return [
    { channel: 'web', placement: 'home', now },
    { channel: 'app', placement: 'home', now },
    { channel: 'kiosk', placement: 'home', store, now },
    ...(customer.extra ?? []).map((x) => ({ ...x, now })),
  ];
}

export const catalogObj = JSON.parse(sample.catalog);
export const itemBySku = new Map(catalogObj.items.map((i) => [i.sku, i]));
