// The engine copies the catalog text into Wasm in pieces of 64k UTF-16 units (src/binding.rs,
// src/catalog/pieces.rs). A piece must never end between the two halves of a surrogate pair, and
// the pieces must add up to the same catalog however the text is cut: checked here through the
// catalog's content hash (`versions.catalog` is `h-<hash>` for a catalog without a version).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unisono, sample, catalogObj } from './helpers.mjs';

const { Engine } = unisono;

// The sample catalog, without its version, with titles full of characters outside the BMP
// (surrogate pairs in JS) and multi-byte ones, so that piece boundaries fall inside them.
function emojiCatalog() {
  const c = structuredClone(catalogObj);
  delete c.version;
  delete c.checksum;
  c.items.forEach((item, i) => {
    item.title = `${'😀'.repeat(1 + (i % 7))} ${item.title} ☕ ${'𝄞'.repeat(i % 3)}é`;
  });
  return c;
}

const hashOf = (catalog) => new Engine(catalog, sample.model, sample.config, sample.offers).versions.catalog;

// Every character outside ASCII as a \u escape: the same strings, a text with no surrogates.
const asciiOnly = (text) => text.replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

test('a catalog read in pieces is the same catalog however the text is cut', () => {
  const c = emojiCatalog();
  const text = JSON.stringify(c);
  assert.ok(text.length > 3 * 65536, 'spans several pieces');
  const expected = hashOf(asciiOnly(text));
  assert.match(expected, /^h-[0-9a-f]{12}$/);
  assert.equal(hashOf(text), expected, 'raw surrogate pairs across piece boundaries');
  assert.equal(hashOf(c), expected, 'the same catalog as an object');
  // Shift every boundary by 1..5 units with leading whitespace.
  for (let pad = 1; pad <= 5; pad++) {
    assert.equal(hashOf(' '.repeat(pad) + text), expected, `padded by ${pad}`);
  }
  // Pretty-printed: a different text, the same catalog.
  assert.equal(hashOf(JSON.stringify(c, null, 2)), expected, 'pretty-printed');
});

test('a catalog the piecewise reader cannot vouch for gets the same errors', () => {
  const c = emojiCatalog();
  const text = JSON.stringify(c);
  // A syntax error far into the text (after several pieces).
  const broken = text.slice(0, 250000) + '}' + text.slice(250000);
  assert.throws(() => hashOf(broken), (e) => e.code === 'invalid_json' && e.document === 'catalog');
  // A bad value in the last item: the path names it.
  const bad = structuredClone(c);
  bad.items.at(-1).price = -1;
  assert.throws(
    () => hashOf(JSON.stringify(bad)),
    (e) => e.code === 'invalid_value' && e.path === `items[${bad.items.length - 1}].price`,
  );
  // An escaped "items" key is still the items field.
  const escaped = text.replace('"items":', '"it\\u0065ms":');
  assert.equal(hashOf(escaped), hashOf(text));
});
