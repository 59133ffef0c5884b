// The size budget (run by scripts/test.sh after the package build): fails when the gzip'd
// .wasm or the whole browser payload grows past it. The budget sits just above today's size so
// any growth is a deliberate decision (raise it here, with the reason, in the same commit);
// the product target is 120 KB gzip for the .wasm (issue 6), not met yet: see README
// "Performance and size" for where the bytes go.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// 300 → 320 KB (unisono.model/2): its reader, writer (buildModel), checksum and resolution,
// with the v1 reader kept, and SHA-256 at opt-level 3: +29 KB gzip over 285.7 KB.
const BUDGET_KB = { 'unisono_bg.wasm': 320, 'unisono.js': 8 };
const TARGET_KB = { 'unisono_bg.wasm': 120 };

let failed = false;
for (const [file, budget] of Object.entries(BUDGET_KB)) {
  const gz = gzipSync(readFileSync(new URL(`../pkg/${file}`, import.meta.url)), { level: 9 }).length / 1024;
  const target = TARGET_KB[file] ? `, target ${TARGET_KB[file]} KB` : '';
  const line = `size budget: ${file} ${gz.toFixed(1)} KB gzip (budget ${budget} KB${target})`;
  if (gz > budget) {
    console.error(`${line}: OVER BUDGET`);
    failed = true;
  } else {
    console.log(line);
  }
}
process.exit(failed ? 1 : 0);
