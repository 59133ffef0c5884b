// The two entries of the package: `unisono` (the device runtime: engines from images only) and
// `unisono/tools` (also engines from JSON documents, compile, buildModel, validate). A device
// page must never download the tools: the device entry and its .wasm do not reference them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { device, tools, pkgDir, sample } from './helpers.mjs';

const AUTHORING = ['buildModel', 'compile', 'measure', 'validate'];

test('the device entry exports the runtime only; the tools entry is a superset', () => {
  for (const name of AUTHORING) {
    assert.equal(device[name], undefined, `device entry: no ${name}`);
    assert.equal(typeof tools[name], 'function', `tools entry: ${name}`);
  }
  for (const name of Object.keys(device)) assert.ok(name in tools, `tools entry has ${name}`);
  assert.equal(typeof device.Engine.load, 'function');
  assert.equal(typeof device.Engine.fromImage, 'function');
});

test('the device Engine refuses JSON documents with a coded error naming the way to images', () => {
  assert.throws(() => new device.Engine(sample.catalog, sample.model, sample.config),
    (e) => e instanceof device.UnisonoError && e.code === 'invalid_state' && /Engine\.load/.test(e.message) && /unisono\/tools/.test(e.message));
});

test("tools' compile → device Engine.fromImage decides as the tools' JSON engine, for every audience", () => {
  const json = new tools.Engine(sample.catalog, sample.model, sample.config, sample.offers);
  const anna = sample.profile('cust-anna');
  const ctx = { channel: 'kiosk', placement: 'home', store: 'lon-oxford', now: sample.scenarios.now };
  const full = device.Engine.fromImage(tools.compile(sample.catalog, sample.model, sample.config, sample.offers));
  assert.equal(full.decideJson(JSON.stringify(anna), JSON.stringify(ctx)), json.decideJson(JSON.stringify(anna), JSON.stringify(ctx)));
  const bytes = tools.compile(sample.catalog, sample.model, sample.config, sample.offers, { audience: 'public', channel: 'kiosk', store: 'lon-oxford' });
  assert.ok(bytes instanceof Uint8Array);
  assert.deepEqual(device.Engine.fromImage(bytes).scope, { audience: 'public', store: 'lon-oxford', channel: 'kiosk' });
  const d = device.Engine.fromImage(bytes).decide(anna, ctx);
  assert.equal(d.decisionId, json.decide(anna, ctx).decisionId);
  assert.ok(d.offers.every((o) => o.content.code === undefined));
  // Deterministic: the same documents and options, the same bytes.
  assert.deepEqual(tools.compile(sample.catalog, sample.model, sample.config, sample.offers, { audience: 'public', channel: 'kiosk', store: 'lon-oxford' }), bytes);
  for (const [options, path] of [[{ audience: 'everyone' }, 'audience'], [{ channel: 'tv' }, 'channel'], [{ colour: 'red' }, '']]) {
    assert.throws(() => tools.compile(sample.catalog, sample.model, sample.config, null, options),
      (e) => e instanceof tools.UnisonoError && e.document === 'options' && (path === '' || e.path === path), JSON.stringify(options));
  }
});

test('the device .wasm holds none of the authoring code, and is the smaller one', () => {
  const wasm = (f) => readFileSync(new URL(f, pkgDir));
  const dev = wasm('unisono_bg.wasm');
  const tl = wasm('tools_bg.wasm');
  assert.ok(gzipSync(dev).length < gzipSync(tl).length * 0.8);
  const glue = readFileSync(new URL('unisono_glue.js', pkgDir), 'utf8');
  for (const name of AUTHORING) assert.doesNotMatch(glue, new RegExp(`export function ${name}\\b`), `device glue: ${name}`);
  // Messages only the JSON artifact readers and the model builder write.
  for (const text of ['unisono.model/2', 'empty user id', 'min_support']) {
    assert.ok(!dev.includes(text), `device .wasm contains ${text}`);
    assert.ok(tl.includes(text), `tools .wasm contains ${text}`);
  }
});

test("tools' measure: the sample's event stream gives the CLI's report, and its HTML report", () => {
  const events = readFileSync(new URL('../examples/sample/events.csv', import.meta.url), 'utf8');
  const { report, html } = tools.measure(events, 'csv', sample.offers);
  assert.equal(report.stream.events, events.trimEnd().split('\n').length - 1);
  assert.ok(report.stream.customers > 100);
  assert.match(html, /^<!doctype html>/i);
  assert.match(html, /<h1>Measured uplift<\/h1>/);
  // Deterministic: the same stream, the same report.
  assert.deepEqual(tools.measure(events, 'csv', sample.offers).report, report);
  assert.throws(() => tools.measure(events, 'xml'), (e) => e instanceof tools.UnisonoError && e.path === 'format');
  assert.throws(() => tools.measure('user_id,type,channel,ts\nu1,veiw,web,2026-11-01T00:00:00Z\n', 'csv'), (e) => e instanceof tools.UnisonoError && e.code === 'invalid_value' && /line 2/.test(e.path));
});
