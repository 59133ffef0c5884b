// Shared by the Chromium tests (browser.test.mjs, kiosk-offline.test.mjs): watch a page for
// Content-Security-Policy violations and for network requests, and probe that the policy is in
// force. See SECURITY.md.
import assert from 'node:assert/strict';

/**
 * Start watching `page` (call before its first `goto`). Returns live lists:
 * `violations` (securitypolicyviolation events, from every document the page loads),
 * `cspConsole` (console messages of any level that mention the Content Security Policy),
 * `errors` (console errors and uncaught exceptions), `requests` (every request URL the page made).
 */
export async function watch(page) {
  const w = { violations: [], cspConsole: [], errors: [], requests: [] };
  // Bindings survive navigations and reloads; the listener is installed in every new document
  // before its own scripts run (init scripts are not subject to the page's CSP).
  await page.exposeFunction('__unisonoCspViolation', (v) => { w.violations.push(v); });
  await page.addInitScript(() => {
    addEventListener('securitypolicyviolation', (e) => {
      window.__unisonoCspViolation({
        directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample,
      });
    }, true);
  });
  page.on('console', (m) => {
    if (/content.security.policy/i.test(m.text())) w.cspConsole.push(`${m.type()}: ${m.text()}`);
    if (m.type() === 'error') w.errors.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(String(e)));
  page.on('request', (r) => w.requests.push(r.url()));
  return w;
}

/** No violation, no CSP console message, no error so far. */
export function assertClean(w, what) {
  assert.deepEqual(w.violations, [], `${what}: CSP violations`);
  assert.deepEqual(w.cspConsole, [], `${what}: CSP console messages`);
  assert.deepEqual(w.errors, [], `${what}: console errors`);
}

/** Every URL in `urls` is on `origin` (the favicon `data:,` aside: no request leaves the page's origin). */
export function assertSameOrigin(urls, origin, what) {
  const foreign = urls.filter((u) => u !== 'data:,' && new URL(u).origin !== origin);
  assert.deepEqual(foreign, [], `${what}: requests to another origin`);
}

/**
 * The policy is really in force in this page: a CSP meta element; eval, new Function, an inline
 * script and an inline style attribute are all refused; and each refusal was reported to the
 * violation listener (so an empty violation list means something). Leaves `w` as it found it.
 */
export async function assertCspEnforced(page, w, metaPolicy) {
  const seen = w.violations.length;
  const errors = w.errors.length;
  const consoleSeen = w.cspConsole.length;
  const probe = await page.evaluate(async () => {
    // Past the synchronous part of the DevTools evaluation, which may run eval regardless.
    await new Promise((r) => setTimeout(r, 0));
    const out = { meta: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? null };
    try { out.eval = String(eval('6 * 7')); } catch (e) { out.eval = e.name; }
    try { out.fn = String(new Function('return 42')()); } catch (e) { out.fn = e.name; }
    const s = document.createElement('script');
    s.textContent = 'window.__unisonoInline = true;';
    document.head.append(s);
    out.inlineScript = window.__unisonoInline === true;
    const d = document.createElement('div');
    d.setAttribute('style', 'width: 123px');
    document.body.append(d);
    out.inlineStyle = getComputedStyle(d).width === '123px';
    d.remove();
    s.remove();
    await new Promise((r) => setTimeout(r, 50)); // violation events are queued
    return out;
  });
  assert.equal(probe.meta, metaPolicy, 'the page carries the CSP meta element');
  assert.equal(probe.eval, 'EvalError', 'eval is refused');
  assert.equal(probe.fn, 'EvalError', 'new Function is refused');
  assert.equal(probe.inlineScript, false, 'an inline script does not run');
  assert.equal(probe.inlineStyle, false, 'an inline style attribute does not apply');
  const reported = w.violations.slice(seen).map((v) => v.directive).sort();
  for (const d of ['script-src', 'script-src-elem', 'style-src-attr']) {
    assert.ok(reported.includes(d), `the listener saw the ${d} violation (saw ${reported.join(', ')})`);
  }
  w.violations.length = seen;
  w.errors.length = errors;
  w.cspConsole.length = consoleSeen;
}
