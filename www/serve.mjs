// A tiny static server for the unisono demo: serves the REPOSITORY ROOT, so /www/ (the demo),
// /pkg/ (the built npm package) and /examples/sample/ (the sample retailer) are all reachable.
// Only node:http / node:fs / node:path / node:url, no dependencies.
//
// It is also the demo's back end: POST /api/reveal reveals the code of an offer a device was
// shown, from the sample's FULL engine image (examples/sample/images/backend.img), which no page
// ever downloads (docs/image.md, "Revealing a code").
//
//   node www/serve.mjs                 # http://127.0.0.1:8080/
//   PORT=0 node www/serve.mjs          # a free port, printed on start
//
// As a module (tests): `const { server, url } = await start(0); … server.close();`
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const HOST = '127.0.0.1';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

// The demo's Content-Security-Policy (SECURITY.md): only this origin's scripts, styles, data and
// workers; `'wasm-unsafe-eval'` lets the page compile the Wasm package, and nothing allows
// eval / new Function or inline code. The pages carry the same policy in a
// <meta http-equiv="Content-Security-Policy"> (CSP_META: without `frame-ancestors`, which
// browsers ignore in a meta element), so it also holds when they are served by something else.
export const CSP_META = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');
export const CSP = `${CSP_META}; frame-ancestors 'none'`;

// Cross-origin isolation gives the page a 5 µs performance.now() (100 µs otherwise), so the
// demo can show real per-decision times. Everything is same-origin, nothing else is affected.
const COMMON_HEADERS = {
  'Content-Security-Policy': CSP,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store', // the package and the sample data are rebuilt during development
};

function send(res, status, body, headers = {}) {
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

/** Map a request path to a file under ROOT, or null if it would leave ROOT. */
export function resolvePath(urlPath, root = ROOT) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = resolve(root, '.' + sep + decoded.replace(/^\/+/, ''));
  if (file !== root && !file.startsWith(root + sep)) return null;
  return file;
}

let backend; // the full image's engine, loaded on the first reveal

/** The package's Node entry and the full image, once. */
async function backendEngine(root) {
  backend ??= (async () => {
    const { Engine } = await import(new URL('../pkg/node.js', import.meta.url).href);
    return Engine.fromImage(await readFile(resolve(root, 'examples/sample/images/backend.img')));
  })();
  return backend;
}

/**
 * POST /api/reveal `{profile, context, decisionId, offerId}` → `{decisionId, offerId, locale, code}`,
 * or 400 with the engine's `{code, path, message}`. A real back end takes the profile from its
 * own customer data, never from the device (a device could make up one that earns any offer);
 * the demo keeps its profiles in the page, so it takes the page's.
 */
async function reveal(req, res, root) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 1 << 20) return send(res, 413, 'too large\n');
    chunks.push(chunk);
  }
  const json = (status, body) => send(res, status, JSON.stringify(body), { 'Content-Type': 'application/json; charset=utf-8' });
  try {
    const { profile, context, decisionId, offerId } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const engine = await backendEngine(root);
    return json(200, engine.reveal(profile, context, decisionId, offerId));
  } catch (e) {
    return json(400, { code: e.code ?? 'invalid_json', path: e.path ?? '', message: e.message });
  }
}

async function handle(req, res, root) {
  if (req.method === 'POST' && req.url === '/api/reveal') return reveal(req, res, root);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
  }
  let url;
  try {
    url = new URL(req.url, 'http://localhost');
  } catch {
    return send(res, 400, 'bad request\n');
  }
  let path = url.pathname;
  if (path === '/') return send(res, 302, 'see /www/\n', { Location: '/www/' });
  let file = resolvePath(path, root);
  if (!file) return send(res, 403, 'forbidden\n');
  // The full image holds every offer code: it stays on the back end.
  if (/\/images\/backend\.img$/.test(file)) return send(res, 403, 'the full engine image stays on the back end\n');
  // No dotfiles or dot-directories (.git, .ci, .env …): a demo server has no business there.
  if (file.slice(root.length).split(sep).some((part) => part.startsWith('.'))) {
    return send(res, 404, `not found: ${path}\n`);
  }
  let st;
  try {
    st = await stat(file);
    if (st.isDirectory()) {
      if (!path.endsWith('/')) {
        return send(res, 301, 'moved\n', { Location: path + '/' + url.search });
      }
      file = resolve(file, 'index.html');
      st = await stat(file);
    }
  } catch {
    return send(res, 404, `not found: ${path}\n`);
  }
  if (!st.isFile()) return send(res, 404, `not found: ${path}\n`);
  res.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': st.size,
  });
  if (req.method === 'HEAD') return res.end();
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * Start the server on 127.0.0.1. `port` 0 picks a free port.
 * Resolves to `{ server, url }` (url like `http://127.0.0.1:8080/`).
 */
export async function start(port = 8080, { root = ROOT, host = HOST } = {}) {
  // The pages run on the sample's engine images: compile them if missing or stale (the native
  // CLI through cargo, as a back office would).
  if (root === ROOT) {
    const { compileImages } = await import('../scripts/images.mjs');
    const written = compileImages();
    if (written.length) console.log(`compiled ${written.length} engine images into examples/sample/images/`);
  }
  const server = createServer((req, res) => {
    handle(req, res, root).catch((err) => {
      if (!res.headersSent) send(res, 500, `internal error: ${err.message}\n`);
      else res.destroy();
    });
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      const { port: actual } = server.address();
      ok({ server, url: `http://${host}:${actual}/` });
    });
  });
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const raw = process.env.PORT ?? '8080';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be an integer 0–65535, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  start(port).then(
    ({ server, url }) => {
      console.log(`unisono demo: ${url}  (serving ${ROOT}; Ctrl-C to stop)`);
      console.log(`  three channels: ${url}www/    kiosk: ${url}www/kiosk.html?store=lon-oxford`);
      const stop = () => {
        server.close(() => process.exit(0));
        server.closeAllConnections(); // do not wait for browsers' keep-alive connections
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err) => {
      console.error(`cannot listen on ${HOST}:${port}: ${err.message}`);
      process.exit(1);
    },
  );
}
