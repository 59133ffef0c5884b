// Writes docs/api.md, the JS API reference, from the BUILT package's type declarations
// (pkg/tools.d.ts, the superset of both entries). wasm-bindgen turns the `///` doc comments of src/binding.rs into JSDoc
// there, so the reference says exactly what the code's doc comments say. No dependencies: a small
// tolerant reader for the declaration file (classes, interfaces, enums, type aliases, functions,
// with their JSDoc), so richer types in the .d.ts show up here without changing this script.
//
//   node scripts/gen-api-docs.mjs            regenerate docs/api.md (after ./scripts/build-pkg.sh)
//   node scripts/gen-api-docs.mjs --check    exit 1 when docs/api.md is stale
//
// pkg-tests/docs.test.mjs fails when docs/api.md differs from what this script renders.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = new URL('../', import.meta.url);
// The tools entry's declarations: a superset of the device entry's (scripts/package.mjs checks).
export const DTS = new URL('pkg/tools.d.ts', root);
export const OUT = new URL('docs/api.md', root);

// ---------------------------------------------------------------------------------------------
// Reading the declarations

/**
 * Split `text` into top-level pieces: `{doc, text}` per statement (or per member, inside a class
 * body), `doc` being the JSDoc right before it (or null). Strings, comments and bracket depth are
 * tracked, so `;` or `,` inside `{ a: string; b: number }` or `'a;b'` do not split.
 */
export function splitStatements(text, { members = false } = {}) {
  const out = [];
  let doc = null;
  let buf = '';
  let depth = 0; // (), [], {}, and <> where it follows an identifier (generics)
  let angle = 0; // open generics (`=>` is an arrow, not the end of one)
  let i = 0;
  const blockStart = /^(export\s+)?(declare\s+)?(default\s+)?(abstract\s+)?(class|interface|enum|namespace|module)\b/;
  const flush = () => {
    const t = buf.trim();
    if (t) out.push({ doc, text: t });
    buf = '';
    doc = null;
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      const comment = text.slice(i, stop);
      if (depth === 0 && !buf.trim()) {
        if (comment.startsWith('/**') && comment !== '/**/') doc = cleanDoc(comment);
      } else {
        // Inside a declaration: kept for the body's own pass (member docs), dropped within a member.
        buf += members ? ' ' : comment;
      }
      i = stop;
      continue;
    }
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      buf += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    if (')]}'.includes(c)) depth--;
    if (c === '<' && /[\w$\]]\s*$/.test(buf)) {
      angle++;
      depth++;
    }
    if (c === '>' && angle > 0 && !buf.endsWith('=')) {
      angle--;
      depth--;
    }
    buf += c;
    i++;
    if (depth === 0) {
      if (c === ';' || (members && c === ',')) {
        buf = buf.slice(0, -1);
        flush();
      } else if (c === '}' && !members && blockStart.test(buf.trim())) {
        flush();
      } else if (c === '\n' && (members || /^(export\s+)?(declare\s+)?type\b/.test(buf.trim()))) {
        // A member or type alias without `;`: it ends at a line break when the next line starts
        // a new declaration (or, in a body, when what we have is already a complete member).
        const rest = text.slice(i).trimStart();
        const startsNew = /^(\/\*\*|export\b|declare\b|type\b|interface\b|class\b|function\b|enum\b|const\b)/.test(rest);
        if (startsNew || (members && /\S/.test(buf) && !/[|&:=,(<]\s*$/.test(buf.trim()) && !/^[|&]/.test(rest))) flush();
      }
    }
  }
  flush();
  return out;
}

/** `/** … *\/` → its text: leading `*` stripped, common indentation removed, trimmed. */
export function cleanDoc(comment) {
  const body = comment.replace(/^\/\*\*/, '').replace(/\*\/$/, '');
  const lines = body.split('\n').map((l) => l.replace(/^\s*\* ?/, '').replace(/\s+$/, ''));
  while (lines.length && !lines[0].trim()) lines.shift();
  while (lines.length && !lines.at(-1).trim()) lines.pop();
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
}

const squash = (s) => s.replace(/\s+/g, ' ').replace(/\(\s+/g, '(').replace(/\s+\)/g, ')').trim();

/** Head and body of a block declaration: the text before its first `{`, and what lies between that
 * `{` and the matching `}` (braces inside comments and strings do not count). */
function bodyOf(text) {
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      i = j;
    } else if (c === '{') {
      if (depth++ === 0 && start < 0) start = i;
    } else if (c === '}' && --depth === 0 && start >= 0) {
      return { head: text.slice(0, start).trim(), body: text.slice(start + 1, i) };
    }
  }
  return start < 0 ? { head: text.trim(), body: '' } : { head: text.slice(0, start).trim(), body: text.slice(start + 1) };
}

/** Classify one member of a class or interface body. */
function parseMember({ doc, text }) {
  const sig = squash(text);
  let m;
  if ((m = sig.match(/^constructor\s*\(/))) return { kind: 'constructor', name: 'constructor', sig, doc };
  const mods = [];
  let rest = sig;
  while ((m = rest.match(/^(static|readonly|public|private|protected|abstract|async)\s+/))) {
    mods.push(m[1]);
    rest = rest.slice(m[0].length);
  }
  if ((m = rest.match(/^(get|set)\s+([\w$]+)\s*\(/))) return { kind: m[1] === 'get' ? 'getter' : 'setter', name: m[2], mods, sig, doc };
  if ((m = rest.match(/^(\[[^\]]+\]|[\w$]+)\??\s*(<[^(]*>)?\s*\(/))) return { kind: 'method', name: m[1], mods, sig, doc };
  if ((m = rest.match(/^(\[[^\]]+\]|[\w$]+|"[^"]*"|'[^']*')\??\s*:/))) return { kind: 'property', name: m[1], mods, sig, doc };
  if ((m = rest.match(/^\[/))) return { kind: 'index', name: rest.split(']')[0] + ']', mods, sig, doc };
  return { kind: 'other', name: rest.split(/[\s(:]/)[0], mods, sig, doc };
}

/** Everything the declaration file declares, in file order. */
export function parseDts(text) {
  const decls = [];
  for (const st of splitStatements(text)) {
    const t = st.text;
    let m;
    const exported = /^export\b/.test(t);
    const plain = t.replace(/^export\s+/, '').replace(/^declare\s+/, '');
    if ((m = plain.match(/^default\s+(?:async\s+)?function\s*([\w$]*)\s*/))) {
      decls.push({ kind: 'function', name: m[1] || 'default', isDefault: true, exported, sig: squash(plain.replace(/^default\s+/, '')), doc: st.doc });
    } else if ((m = plain.match(/^(?:async\s+)?function\s+([\w$]+)/))) {
      decls.push({ kind: 'function', name: m[1], exported, sig: squash(plain), doc: st.doc });
    } else if ((m = plain.match(/^(?:default\s+)?(?:abstract\s+)?(class|interface)\s+([\w$]+)/))) {
      const { head, body } = bodyOf(plain);
      const members = splitStatements(body, { members: true }).map(parseMember);
      decls.push({ kind: m[1], name: m[2], exported, head: squash(head), members, doc: st.doc });
    } else if ((m = plain.match(/^(?:const\s+)?enum\s+([\w$]+)/))) {
      const { head, body } = bodyOf(plain);
      const members = splitStatements(body, { members: true }).map(({ doc, text }) => ({ doc, sig: squash(text), name: squash(text).split(/\s*=/)[0] }));
      decls.push({ kind: 'enum', name: m[1], exported, head: squash(head), members, doc: st.doc });
    } else if ((m = plain.match(/^type\s+([\w$]+)/))) {
      decls.push({ kind: 'type', name: m[1], exported, text: plain, doc: st.doc });
    } else if ((m = plain.match(/^(?:const|let|var)\s+([\w$]+)/))) {
      decls.push({ kind: 'variable', name: m[1], exported, sig: squash(plain), doc: st.doc });
    } else {
      decls.push({ kind: 'other', name: '', exported, text: plain, doc: st.doc });
    }
  }
  return decls;
}

// ---------------------------------------------------------------------------------------------
// Rendering

// What wasm-bindgen itself adds to the module (loading the Wasm), kept apart from the engine API.
const LOADING = new Set(['InitInput', 'InitOutput', 'SyncInitInput', 'initSync']);
// Members wasm-bindgen generates without a doc comment.
const GENERATED = {
  'free()': 'Generated by wasm-bindgen: releases the Wasm memory held by this object; it cannot be used afterwards. Optional: the object is also released when it is garbage-collected.',
  '[Symbol.dispose]()': 'Generated by wasm-bindgen: the same as `free()`, for `using` declarations.',
};

const generatedKey = (m) => m.sig.replace(/\):.*$/, ')');

/** JSDoc text → markdown: prose as written; `@param` / `@returns` / other tags as a list. */
function renderDoc(doc) {
  if (!doc) return '';
  const prose = [];
  const tags = []; // JSDoc block tags come last; a tag runs until the next one
  for (const line of doc.split('\n')) {
    if (/^@\w+/.test(line)) tags.push(line.trim());
    else if (tags.length) {
      if (line.trim()) tags[tags.length - 1] += ' ' + line.trim();
    } else prose.push(line);
  }
  while (prose.length && !prose.at(-1).trim()) prose.pop();
  const items = tags.map((t) => {
    let m;
    if ((m = t.match(/^@param\s+(?:\{(.*)\}\s+)?(\[?[\w$.]+\]?)\s*(?:-\s*)?(.*)$/))) {
      return `- Parameter \`${m[2]}\`${m[1] ? ` (\`${m[1]}\`)` : ''}${m[3] ? `: ${m[3]}` : ''}`;
    }
    if ((m = t.match(/^@returns?\s*(?:\{(.*)\}\s*)?(.*)$/))) {
      return `- Returns${m[1] ? ` \`${m[1]}\`` : ''}${m[2] ? `: ${m[2]}` : ''}`;
    }
    if ((m = t.match(/^@throws?\s*(?:\{(.*)\}\s*)?(.*)$/))) {
      return `- Throws${m[1] ? ` \`${m[1]}\`` : ''}${m[2] ? `: ${m[2]}` : ''}`;
    }
    return `- ${t.replace(/^@(\w+)/, '`@$1`')}`;
  });
  return [prose.join('\n'), items.join('\n')].filter(Boolean).join('\n\n');
}

const code = (lang, text) => '```' + lang + '\n' + text + '\n```';
// GitHub's heading anchors: lower case, punctuation dropped, spaces → hyphens.
const anchor = (s) => s.toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');

/** A type alias as written (layout kept), for a `ts` block. */
function typeText(text) {
  return text.trim().split('\n').map((l) => l.trimEnd()).join('\n').replace(/;?$/, ';');
}

/** `f(a: T, b?: U)` → `a, b`: parameter names for headings. */
function paramNames(sig) {
  const start = sig.indexOf('(');
  if (start < 0) return '';
  let depth = 0;
  let cur = '';
  const names = [];
  let prev = '';
  for (const c of sig.slice(start + 1)) {
    if ('([{<'.includes(c)) depth++;
    if (')]}>'.includes(c) && !(c === '>' && prev === '=')) {
      if (depth === 0) break;
      depth--;
    }
    prev = c;
    if (c === ',' && depth === 0) {
      names.push(cur);
      cur = '';
    } else cur += c;
  }
  names.push(cur);
  return names.map((n) => n.trim().split(/[?:=\s]/)[0]).filter(Boolean).join(', ');
}

function memberHeading(cls, m) {
  const inst = cls.charAt(0).toLowerCase() + cls.slice(1);
  const isStatic = m.mods?.includes('static');
  const owner = isStatic ? cls : inst;
  switch (m.kind) {
    case 'constructor': return `new ${cls}(${paramNames(m.sig)})`;
    case 'getter': case 'property': return `${owner}.${m.name}`;
    case 'setter': return `${owner}.${m.name} =`;
    case 'method': return `${owner}${m.name.startsWith('[') ? '' : '.'}${m.name}(${paramNames(m.sig)})`;
    default: return m.sig;
  }
}

function memberSig(cls, m) {
  if (m.kind === 'constructor') return `new ${cls}${m.sig.replace(/^constructor/, '')}`;
  return m.sig;
}

function renderClass(d, level) {
  const h = '#'.repeat(level);
  const parts = [`${h} ${headingOf(d)}`];
  if (d.doc) parts.push(renderDoc(d.doc));
  // Generics, `extends`, `implements`: show the head as declared.
  if (d.head !== `${d.kind} ${d.name}`) parts.push(code('ts', d.head));
  // The constructor first, then the documented members in declaration order, then what
  // wasm-bindgen generates (`free`, `[Symbol.dispose]`).
  const generated = (m) => !m.doc && GENERATED[generatedKey(m)];
  const members = [
    ...d.members.filter((m) => m.kind === 'constructor'),
    ...d.members.filter((m) => m.kind !== 'constructor' && !generated(m)),
    ...d.members.filter((m) => m.kind !== 'constructor' && generated(m)),
  ];
  if (d.kind === 'interface' && members.every((m) => m.kind === 'property')) {
    // A data shape: one list of fields.
    parts.push(members.map((m) => {
      const text = renderDoc(m.doc).replace(/\n+/g, ' ');
      return `- \`${m.sig}\`${text ? ` — ${text}` : ''}`;
    }).join('\n') || '_(no members)_');
    return parts.join('\n\n');
  }
  for (const m of members) {
    parts.push(`${h}# \`${memberHeading(d.name, m)}\``);
    parts.push(code('ts', memberSig(d.name, m)));
    const doc = renderDoc(m.doc) || GENERATED[generatedKey(m)] || '';
    if (doc) parts.push(doc);
  }
  return parts.join('\n\n');
}

function renderFunction(d, level, displayName = d.name) {
  const h = '#'.repeat(level);
  const parts = [`${h} ${headingOf(d, displayName)}`, code('ts', d.isDefault ? `export default ${d.sig}` : d.sig)];
  if (d.doc) parts.push(renderDoc(d.doc));
  return parts.join('\n\n');
}

function renderEnum(d, level) {
  const parts = [`${'#'.repeat(level)} ${headingOf(d)}`];
  if (d.doc) parts.push(renderDoc(d.doc));
  parts.push(d.members.map((m) => {
    const text = renderDoc(m.doc).replace(/\n+/g, ' ');
    return `- \`${m.sig}\`${text ? ` — ${text}` : ''}`;
  }).join('\n'));
  return parts.join('\n\n');
}

function renderType(d, level) {
  const parts = [`${'#'.repeat(level)} ${headingOf(d)}`];
  if (d.doc) parts.push(renderDoc(d.doc));
  parts.push(code('ts', typeText(d.text)));
  return parts.join('\n\n');
}

/** The heading text of a top-level declaration (also its table-of-contents entry). */
function headingOf(d, displayName = d.name) {
  switch (d.kind) {
    case 'class': case 'interface': case 'enum': case 'type': return `${d.kind} \`${d.name}\``;
    case 'function': return `\`${displayName}(${paramNames(d.sig)})\``;
    default: return `\`${d.name}\``;
  }
}

function render(d, level) {
  switch (d.kind) {
    case 'class': case 'interface': return renderClass(d, level);
    case 'function': return renderFunction(d, level);
    case 'enum': return renderEnum(d, level);
    case 'type': return renderType(d, level);
    case 'variable': return [`${'#'.repeat(level)} \`${d.name}\``, code('ts', d.sig), renderDoc(d.doc)].filter(Boolean).join('\n\n');
    default: return [code('ts', d.text), renderDoc(d.doc)].filter(Boolean).join('\n\n');
  }
}

/** The markdown for one declaration file. Deterministic: same input, same bytes. */
export function renderApiDocs(dtsText, { version = '' } = {}) {
  // Declarations the file does not export are shown too when they are types (a signature may use
  // them); re-exports and imports are not API of their own.
  const decls = parseDts(dtsText).filter((d) => d.kind !== 'other' ? d.exported || d.kind !== 'function' && d.kind !== 'variable'
    : d.exported && !/^(\{|\*|import\b)/.test(d.text));
  const api = decls.filter((d) => !LOADING.has(d.name) && !d.isDefault);
  const loading = decls.filter((d) => LOADING.has(d.name) || d.isDefault);
  const groups = [
    ['Classes', api.filter((d) => d.kind === 'class')],
    ['Functions', api.filter((d) => d.kind === 'function')],
    ['Types', api.filter((d) => ['interface', 'type', 'enum'].includes(d.kind))],
    ['Other declarations', api.filter((d) => ['variable', 'other'].includes(d.kind))],
  ].filter(([, list]) => list.length);

  const out = [];
  out.push('# API reference');
  out.push(
    `<!-- Generated by \`node scripts/gen-api-docs.mjs\` from pkg/tools.d.ts. Do not edit: change the doc comments in src/binding.rs, rebuild the package (./scripts/build-pkg.sh) and regenerate. -->`,
  );
  out.push(
    `The JavaScript API of the \`unisono\` npm package${version ? ` ${version}` : ''}, generated from the type declarations ` +
      'that wasm-bindgen writes from the doc comments in `src/binding.rs` (`pkg/tools.d.ts`). ' +
      'Concepts: [concepts.md](concepts.md); worked examples: [recipes.md](recipes.md); document formats: ' +
      '[formats.md](formats.md); releasing memory (`free()`, the FinalizationRegistry): ' +
      '[concepts.md](concepts.md#memory-free-and-the-finalizationregistry).',
  );
  out.push(
    'The package has two entries. **`unisono`** is the device runtime (`unisono_bg.wasm`): engines load compiled ' +
      'engine images (`Engine.load`, `Engine.fromImage`) and decide, track, keep sessions and reveal codes. ' +
      "**`unisono/tools`** (`tools_bg.wasm`, for Node back ends and back-office pages) has all of that plus what " +
      'authors artifacts: `new Engine(catalog, model, config, offers)` from JSON documents, `engine.reload`, `compile`, ' +
      '`buildModel` and `validate`; on the device entry those are absent (`new Engine(...)` throws `invalid_state`). ' +
      '[image.md](image.md) explains images and audiences.',
  );
  out.push(
    'Every function and method that takes a document accepts a JS object or a JSON string. Errors are `Error` objects ' +
      'with `code`, `path` and `document` properties ([README, *Errors*](../README.md#errors)). In Node (`import` or `require`) the ' +
      'package is ready on load; in browsers, bundlers and workers call the default export `init()` first (see ' +
      '[Loading the module](#loading-the-module)).',
  );
  const toc = [];
  for (const [name, list] of groups) {
    toc.push(`- [${name}](#${anchor(name)})`);
    for (const d of list) toc.push(`  - [${headingOf(d).replace(/`/g, '')}](#${anchor(headingOf(d))})`);
  }
  if (loading.length) toc.push('- [Loading the module](#loading-the-module)');
  out.push(toc.join('\n'));
  for (const [name, list] of groups) {
    out.push(`## ${name}`);
    for (const d of list) out.push(render(d, 3));
  }
  if (loading.length) {
    out.push('## Loading the module');
    out.push(
      'Generated by wasm-bindgen in the web build (`unisono.js`: browsers, bundlers, workers). The Node entries ' +
        'instantiate the module synchronously when loaded; their default export `init()` is a no-op (so code shared ' +
        'with browsers can always `await init()`) and they have no `initSync`.',
    );
    for (const d of loading) {
      if (d.isDefault) out.push(renderFunction(d, 3, 'init'));
      else if (d.name === 'InitOutput') {
        out.push(`### interface \`InitOutput\`\n\nThe raw exports of the Wasm instance (${d.members.length} members), resolved by \`init()\`. Internal: use the classes and functions above.`);
      } else out.push(render(d, 3));
    }
  }
  return out.join('\n\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

function packageVersion() {
  try {
    return JSON.parse(readFileSync(new URL('pkg/package.json', root), 'utf8')).version ?? '';
  } catch {
    return '';
  }
}

/** Render from the built package: what docs/api.md should contain. */
export function renderFromPkg() {
  let dts;
  try {
    dts = readFileSync(DTS, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${fileURLToPath(DTS)} (${err.code}): build the package first with ./scripts/build-pkg.sh`);
  }
  return renderApiDocs(dts, { version: packageVersion() });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const md = renderFromPkg();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUT, 'utf8');
    } catch {}
    if (current !== md) {
      console.error('docs/api.md is stale: run `node scripts/gen-api-docs.mjs`');
      process.exit(1);
    }
    console.log('docs/api.md is up to date');
  } else {
    writeFileSync(OUT, md);
    console.log(`wrote docs/api.md (${md.length} bytes) from pkg/tools.d.ts`);
  }
}
