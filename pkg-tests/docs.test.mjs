// docs/api.md is generated from the BUILT package's declarations (scripts/gen-api-docs.mjs): it
// must match what the current pkg/unisono.d.ts renders to, cover every export, and the docs'
// relative links must lead somewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { renderFromPkg, renderApiDocs, parseDts, OUT } from '../scripts/gen-api-docs.mjs';

const root = new URL('../', import.meta.url);

test('docs/api.md is up to date with pkg/tools.d.ts', () => {
  const expected = renderFromPkg();
  const current = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
  if (current !== expected) {
    // Point at the first differing line, so the failure says what changed.
    const a = current.split('\n');
    const b = expected.split('\n');
    let i = 0;
    while (i < Math.max(a.length, b.length) && a[i] === b[i]) i++;
    assert.fail(`docs/api.md is stale: run \`node scripts/gen-api-docs.mjs\`\n` +
      `  first difference at line ${i + 1}:\n  docs/api.md: ${JSON.stringify(a[i] ?? '(end)')}\n  generated:   ${JSON.stringify(b[i] ?? '(end)')}`);
  }
});

test('docs/api.md documents every export of the package', async () => {
  const md = readFileSync(OUT, 'utf8');
  const node = Object.keys(createRequire(import.meta.url)('../pkg/tools-node.cjs'));
  const web = Object.keys(await import(new URL('pkg/unisono.js', root).href));
  assert.ok(node.includes('Engine'));
  for (const name of new Set([...node, ...web])) {
    const heading = name === 'default' ? '### `init(' : name;
    assert.ok(md.includes(heading), `docs/api.md does not document the export ${name}`);
  }
  // Every method the class declares has its own heading.
  const dts = parseDts(readFileSync(new URL('pkg/tools.d.ts', root), 'utf8'));
  const engine = dts.find((d) => d.kind === 'class' && d.name === 'Engine');
  for (const m of engine.members.filter((x) => x.kind !== 'constructor')) {
    // Static methods are headed by the class (`Engine.fromImage`), the others by an instance.
    const receiver = m.mods?.includes('static') ? 'Engine' : 'engine';
    assert.ok(md.includes(`${receiver}${m.name.startsWith('[') ? '' : '.'}${m.name}`), `docs/api.md has no heading for Engine ${m.name}`);
  }
});

test('the generator renders richer declarations (interfaces, unions, enums, statics, JSDoc tags)', () => {
  const dts = `/* tslint:disable */
/** A channel; aliases are accepted on input. */
export type Channel =
    | 'web'
    | 'kiosk';

/**
 * One decision.
 */
export interface Decision {
    /** Hash of every input. */
    decisionId: string;
    recommendations: Array<{ sku: string; score: number }>;
    versions: Record<string, string>;
    readonly offers?: Offer[];
}

export enum Level {
    /** Low. */
    Low = 0,
    High = 1,
}

/** The engine. */
export class Engine {
    free(): void;
    /**
     * Decide.
     * @param profile - the profile
     * @returns {Decision} the decision
     */
    decide(profile: Profile | string, context: Context | string): Decision;
    /** Build from parts. */
    static fromParts(parts: { catalog: string; model: string }): Engine;
    constructor(catalog: object | string, offers?: object | string | null);
    /** Versions. */
    readonly versions: Versions;
}

/** Maps. */
export function foo(a: Map<string, number>, b?: (x: number) => string): { a: string; b: number };
`;
  const md = renderApiDocs(dts);
  for (const expected of [
    '### class `Engine`',
    '#### `new Engine(catalog, offers)`',
    '#### `engine.decide(profile, context)`',
    '- Parameter `profile`: the profile',
    '- Returns `Decision`: the decision',
    '#### `Engine.fromParts(parts)`',
    'static fromParts(parts: { catalog: string; model: string }): Engine',
    '#### `engine.versions`',
    'Versions.',
    '### `foo(a, b)`',
    'function foo(a: Map<string, number>, b?: (x: number) => string): { a: string; b: number }',
    '### type `Channel`',
    "    | 'kiosk';",
    '### interface `Decision`',
    '- `decisionId: string` — Hash of every input.',
    '- `recommendations: Array<{ sku: string; score: number }>`',
    '- `readonly offers?: Offer[]`',
    '### enum `Level`',
    '- `Low = 0` — Low.',
    '- [interface Decision](#interface-decision)',
  ]) {
    assert.ok(md.includes(expected), `missing from the rendering: ${expected}\n---\n${md}`);
  }
  // The constructor comes first, wasm-bindgen's free() last.
  assert.ok(md.indexOf('new Engine(') < md.indexOf('engine.decide('));
  assert.ok(md.indexOf('engine.versions') < md.indexOf('engine.free()'));
  assert.equal(renderApiDocs(dts), md, 'deterministic');
});

/** GitHub's heading anchors of a markdown file (lower case, punctuation dropped, spaces → '-', -1 … for repeats). */
function anchors(markdown) {
  const seen = new Map();
  const out = new Set();
  for (const m of markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1].replace(/<[^>]+>/g, '').toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

test('relative links in README.md, CHANGELOG.md and docs/ lead to files (and headings) that exist', () => {
  const docs = ['README.md', 'CHANGELOG.md', 'SECURITY.md',
    ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  for (const doc of docs) {
    const here = new URL(doc, root);
    const text = readFileSync(here, 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/.test(target)) continue;
      const [path, fragment] = target.split('#');
      const file = path ? new URL(path, here) : here;
      assert.ok(existsSync(file), `${doc}: link to ${target} leads nowhere`);
      if (fragment && file.pathname.endsWith('.md')) {
        assert.ok(anchors(readFileSync(file, 'utf8')).has(fragment), `${doc}: link to ${target}: no such heading`);
      }
    }
  }
});
