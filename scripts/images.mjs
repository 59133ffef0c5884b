// Compile a retailer's documents into the engine images each audience gets (docs/image.md), as
// a back office would after every change of catalog, model, config or offers:
//
//   DIR/images/backend.img        full: the back end's, which reveals offer codes
//   DIR/images/web.img            public, web channel: what a browser downloads
//   DIR/images/app.img            public, app channel: the app's webview
//   DIR/images/public.img         public, every channel (a page that decides for several)
//   DIR/images/kiosk-STORE.img    public, kiosk channel, one store: each store's kiosks
//
//   node scripts/images.mjs [DIR]          (default examples/sample; needs the native CLI)
//
// The CLI is $UNISONO_CLI, else `cargo run --bin unisono`. Images newer than every document
// are kept.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));

// Through cargo unless told otherwise: a binary left in target/ may predate the sources.
function cli() {
  if (process.env.UNISONO_CLI) return [process.env.UNISONO_CLI];
  return ['cargo', 'run', '--quiet', '--bin', 'unisono', '--'];
}

/** The documents of a data directory: catalog, model, config and (if there) offers. */
function documents(dir) {
  return ['catalog.json', 'model.json', 'config.json', 'offers.json'].map((f) => join(dir, f)).filter(existsSync);
}

/** Compile `dir`'s documents into `file` with `flags`, unless `file` is newer than all of them. */
export function compileImage(dir, file, flags = []) {
  const docs = documents(dir);
  const newest = Math.max(...docs.map((f) => statSync(f).mtimeMs));
  if (existsSync(file) && statSync(file).mtimeMs > newest) return false;
  mkdirSync(dirname(file), { recursive: true });
  const [cmd, ...pre] = cli();
  const args = [...pre, 'compile', '--catalog', docs[0], '--model', docs[1], '--config', docs[2],
    ...(docs[3] ? ['--offers', docs[3]] : []), '-o', file, ...flags];
  execFileSync(cmd, args, { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  return true;
}

/** The images of `dir`'s documents for every audience (see the top of this file). */
export function compileImages(dir = join(repo, 'examples/sample')) {
  const catalog = JSON.parse(readFileSync(join(dir, 'catalog.json'), 'utf8'));
  const images = [
    ['backend', []],
    ['web', ['--audience', 'public', '--channel', 'web']],
    ['app', ['--audience', 'public', '--channel', 'app']],
    ['public', ['--audience', 'public']],
    ...(catalog.stores ?? []).map((s) => [`kiosk-${s.id}`, ['--audience', 'public', '--channel', 'kiosk', '--store', s.id]]),
  ];
  return images.map(([name, flags]) => join(dir, 'images', `${name}.img`)).filter((file, i) => compileImage(dir, file, images[i][1]));
}

/** The full image of every conformance artifact set, in target/conformance-images/SET.img. */
export function compileConformanceImages() {
  const sets = readdirSync(join(repo, 'tests/conformance/v1/artifacts'));
  for (const set of sets) compileImage(join(repo, 'tests/conformance/v1/artifacts', set), join(repo, 'target/conformance-images', `${set}.img`));
  compileImage(join(repo, 'examples/sample'), join(repo, 'target/conformance-images/sample.img'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = compileImages(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(written.length ? `compiled ${written.length} images` : 'images up to date');
}
