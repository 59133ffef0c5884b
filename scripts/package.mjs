// Completes pkg/ after wasm-bindgen: package.json with conditional exports, a Node entry that
// instantiates the module synchronously, the README, and a size report.
import { readFileSync, writeFileSync, copyFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const cargo = readFileSync('Cargo.toml', 'utf8');
const version = cargo.match(/^version = "(.*)"/m)[1];
const description = cargo.match(/^description = "(.*)"/m)[1];

writeFileSync('pkg/node.js', `// Node entry: instantiates the Wasm module synchronously from the file next to this one.
import { readFileSync } from 'node:fs';
import { initSync } from './unisono.js';
initSync({ module: readFileSync(new URL('./unisono_bg.wasm', import.meta.url)) });
export * from './unisono.js';
`);

const pkg = {
  name: 'unisono',
  version,
  description,
  license: 'MIT OR Apache-2.0',
  type: 'module',
  main: './node.js',
  module: './unisono.js',
  types: './unisono.d.ts',
  exports: {
    '.': {
      types: './unisono.d.ts',
      node: './node.js',
      default: './unisono.js',
    },
    './unisono_bg.wasm': './unisono_bg.wasm',
  },
  files: ['unisono.js', 'unisono.d.ts', 'unisono_bg.wasm', 'unisono_bg.wasm.d.ts', 'node.js', 'README.md'],
  sideEffects: ['./node.js'],
  keywords: ['personalization', 'recommendations', 'omnichannel', 'wasm'],
};
writeFileSync('pkg/package.json', JSON.stringify(pkg, null, 2) + '\n');
copyFileSync('README.md', 'pkg/README.md');

const kb = (n) => (n / 1024).toFixed(1).padStart(7) + ' KB';
const rows = [];
let total = { raw: 0, gz: 0 };
for (const f of readdirSync('pkg').sort()) {
  if (!/\.(js|wasm)$/.test(f)) continue;
  const buf = readFileSync(`pkg/${f}`);
  const gz = gzipSync(buf, { level: 9 }).length;
  const br = brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  rows.push(`  ${f.padEnd(20)} raw ${kb(buf.length)}   gzip ${kb(gz)}   brotli ${kb(br)}`);
  total.raw += buf.length;
  total.gz += gz;
}
console.log(`unisono ${version} package sizes (after wasm-bindgen + wasm-opt -Oz):`);
console.log(rows.join('\n'));
console.log(`  ${'js + wasm'.padEnd(20)} raw ${kb(total.raw)}   gzip ${kb(total.gz)}`);
