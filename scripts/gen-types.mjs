// Writes src/types.d.ts, the TypeScript types of unisono's documents, from the JSON Schemas in
// schemas/ (themselves generated from the Rust types: tests/schemas.rs). src/binding.rs includes
// the file in the package's .d.ts (`typescript_custom_section`) and types the API with it, so
// `decide(profile: Profile | string, context: Context | string): Decision` in every entry.
//
//   node scripts/gen-types.mjs            regenerate src/types.d.ts
//   node scripts/gen-types.mjs --check    exit 1 when src/types.d.ts is stale (scripts/test.sh)
//
// The seven schemas share their definitions (a name means the same schema in every file; checked
// here), so they are compiled as one: each document's root becomes a definition named by its
// title (Profile, Catalog, Config, Context, Offers, Model, Decision) and every definition becomes
// one exported type. json-schema-to-typescript is a devDependency (exact version).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = new URL('../', import.meta.url);
export const OUT = new URL('src/types.d.ts', root);
export const DOCUMENTS = ['profile', 'catalog', 'config', 'context', 'offers', 'model', 'decision'];

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** One schema holding every document's root and every shared definition. */
export function combine(schemas) {
  const defs = {};
  const from = {};
  const add = (name, schema, file) => {
    if (name in defs && !same(defs[name], schema)) {
      throw new Error(`schemas/${file}.schema.json and schemas/${from[name]}.schema.json define ${name} differently`);
    }
    defs[name] = schema;
    from[name] = file;
  };
  const roots = {};
  for (const [file, schema] of Object.entries(schemas)) {
    const { $defs = {}, $id, $schema, title, ...rest } = schema;
    if (!title) throw new Error(`schemas/${file}.schema.json has no title`);
    for (const [name, def] of Object.entries($defs)) add(name, def, file);
    add(title, { title, ...rest, description: `${rest.description ?? ''}\n\nJSON Schema: ${$id}`.trim() }, file);
    roots[file] = title;
  }
  return {
    title: 'UnisonoDocuments',
    type: 'object',
    additionalProperties: false,
    required: Object.keys(roots),
    properties: Object.fromEntries(Object.entries(roots).map(([file, title]) => [file, { $ref: `#/$defs/${title}` }])),
    $defs: Object.fromEntries(Object.keys(defs).sort().map((k) => [k, defs[k]])),
  };
}

const TYPED = ['type', '$ref', 'anyOf', 'oneOf', 'allOf', 'enum', 'const', 'properties', 'items',
  'prefixItems', 'additionalProperties', 'patternProperties', 'not', 'tsType'];
const MAPS = ['properties', 'patternProperties', '$defs'];
const LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const ONE = ['items', 'additionalProperties', 'propertyNames', 'not'];

/**
 * What json-schema-to-typescript reads best, same meaning: a `$ref` with siblings (a field's doc,
 * its default) becomes `allOf: [$ref]` plus the doc, so the field is typed by the definition's
 * name; draft 2020-12 tuples (`prefixItems`) become draft-07 ones; a schema of any JSON value
 * becomes `unknown`.
 */
export function forTs(schema, top = true) {
  if (!schema || typeof schema !== 'object') return schema;
  const out = { ...schema };
  for (const k of MAPS) {
    if (out[k]) out[k] = Object.fromEntries(Object.entries(out[k]).map(([n, s]) => [n, forTs(s, false)]));
  }
  for (const k of LISTS) if (out[k]) out[k] = out[k].map((s) => forTs(s, false));
  for (const k of ONE) if (out[k] && typeof out[k] === 'object') out[k] = forTs(out[k], false);
  if (out.$ref && Object.keys(out).length > 1) {
    return out.description ? { allOf: [{ $ref: out.$ref }], description: out.description } : { $ref: out.$ref };
  }
  // A value of any JSON type (an eligibility rule): `unknown`, where the tool would guess an object.
  if (!top && !TYPED.some((k) => k in out)) out.tsType = 'unknown';
  // `minItems: 1` would type a catalog's items as `[Item, ...Item[]]`, which a plain `Item[]` is
  // not assignable to: bounds stay in the schema (and validate), tuples keep their length.
  if (out.items && !out.prefixItems) {
    delete out.minItems;
    delete out.maxItems;
  }
  if (out.prefixItems) {
    out.items = out.prefixItems;
    out.additionalItems = false;
    delete out.prefixItems;
  }
  return out;
}

export async function render() {
  const schemas = Object.fromEntries(DOCUMENTS.map((name) => [name,
    JSON.parse(readFileSync(new URL(`schemas/${name}.schema.json`, root), 'utf8'))]));
  const combined = forTs(combine(schemas));
  let ts = await compile(combined, 'UnisonoDocuments', {
    bannerComment: '',
    additionalProperties: false,
    unknownAny: true,
    strictIndexSignatures: true,
    // A definition's type is named by its key (`Channel`, `EventOutput`), never by a guess.
    customName: (schema, key) => key ?? schema.title,
    style: { printWidth: 100, singleQuote: true },
  });
  // The wrapper only made every definition reachable: drop it.
  ts = ts.replace(/export interface UnisonoDocuments \{[\s\S]*?\n\}\n\n?/, '');
  // Its note under definitions ("This interface was referenced by …") says nothing here.
  ts = ts.replace(/(\n *\*)?\n( *)\* This interface was referenced by [^\n]*\n *\* via the [^\n]*/g, '');
  ts = ts.replace(/\n *\/\*\*\n *\*\/(?=\n)/g, '');
  const dupes = [...ts.matchAll(/^export (?:interface|type) (\w+?\d+)\b/gm)].map((m) => m[1]);
  if (dupes.length) throw new Error(`gen-types: json-schema-to-typescript declared ${dupes} twice`);
  if (ts.includes('UnisonoDocuments')) throw new Error('gen-types: could not drop the wrapper interface');
  if (/\bany\b/.test(ts.replace(/\/\*[\s\S]*?\*\//g, ''))) throw new Error('gen-types: `any` in the generated types');
  return `// The documents of unisono, generated by scripts/gen-types.mjs from schemas/*.schema.json (which
// tests/schemas.rs generates from the Rust types). Do not edit: change the Rust types or their
// doc comments, bless the schemas (UNISONO_BLESS=1 cargo test --features schema --test schemas)
// and run \`node scripts/gen-types.mjs\`.

${ts.trim()}
`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = await render();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUT, 'utf8');
    } catch {}
    if (current !== text) {
      console.error('src/types.d.ts is stale: run `node scripts/gen-types.mjs` (after blessing the schemas) and commit it');
      process.exit(1);
    }
    console.log('src/types.d.ts is up to date');
  } else {
    writeFileSync(OUT, text);
    console.log(`wrote src/types.d.ts (${text.length} bytes)`);
  }
}
