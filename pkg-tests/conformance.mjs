// Shared by the Node runner and the browser page: run every conformance case with a loaded
// package and return the decision strings. `load(rel)` returns a repo-relative file's text.
// With `image(set)` (a URL, a Response or bytes of that set's compiled image) the engines are
// loaded from images (`Engine.load`) instead of built from the JSON documents.
export async function runConformance(unisono, load, { image } = {}) {
  const cases = (await load('tests/conformance/v1/cases.ndjson')).trimEnd().split('\n').map((l) => JSON.parse(l));
  const engines = new Map();
  const engineFor = async (set) => {
    if (!engines.has(set) && image) engines.set(set, await unisono.Engine.load(image(set)));
    if (!engines.has(set)) {
      const dir = set === 'sample' ? 'examples/sample' : `tests/conformance/v1/artifacts/${set}`;
      const [c, m, k] = await Promise.all(['catalog', 'model', 'config'].map((f) => load(`${dir}/${f}.json`)));
      const offers = set === 'sample' ? await load(`${dir}/offers.json`) : undefined;
      engines.set(set, new unisono.Engine(c, m, k, offers));
    }
    return engines.get(set);
  };
  const out = [];
  for (const c of cases) {
    const e = await engineFor(c.artifacts);
    const profile = c.profile.ref ? await load(`examples/sample/${c.profile.ref}`) : JSON.stringify(c.profile);
    out.push({ name: c.name, decision: e.decideJson(profile, JSON.stringify(c.context)) });
  }
  return out;
}
