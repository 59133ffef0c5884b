// The web builds (--target web, async init) running the same vectors as Node and native: the
// tools build from the JSON documents, the device build from the images.
import initTools, * as tools from '/pkg/tools.js';
import * as device from '/pkg/unisono.js';
import { runConformance } from '/pkg-tests/conformance.mjs';
const load = async (rel) => {
  const r = await fetch('/' + rel);
  if (!r.ok) throw new Error(`${rel}: ${r.status}`);
  return r.text();
};
try {
  await initTools({ module_or_path: '/pkg/tools_bg.wasm' });
  const expected = (await load('tests/conformance/v1/expected.ndjson')).trimEnd().split('\n');
  const results = await runConformance(tools, load);
  const failures = results.filter((r, i) => r.decision !== expected[i]).map((r) => r.name);
  // The same vectors on the device build, engines loaded from their images (compiled by the
  // test's setup); `Engine.load` initialises the device module (unisono_bg.wasm) itself.
  const images = await runConformance(device, load, { image: (set) => `/target/conformance-images/${set}.img` });
  const imageFailures = images.filter((r, i) => r.decision !== expected[i]).map((r) => r.name);
  window.__result = { total: results.length, imageTotal: images.length, expected: expected.length, failures, imageFailures, userAgent: navigator.userAgent };
} catch (e) {
  window.__result = { error: String(e && e.stack || e) };
}
document.getElementById('out').textContent = JSON.stringify(window.__result, null, 1);
