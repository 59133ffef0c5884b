// The README as the npm package ships it (scripts/package.mjs writes pkg/README.md with it).
// npmjs.com renders a package's README without the repository around it, so a relative link
// (`[recipes](docs/recipes.md)`) leads nowhere there, and the package has no public repository
// URL to make it absolute. Each relative link becomes a plain mention of the file instead:
// "recipes (`docs/recipes.md` in the repository)". Links to headings of the README itself
// (`#errors`) and absolute URLs stay; code blocks and code spans are left as written.

const ABSOLUTE = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** `label` and `target` of a relative link → the text that replaces it. */
function mention(label, target) {
  const path = target.split('#')[0];
  const where = `\`${path}\` in the repository`;
  const plain = label.replace(/`/g, '').trim();
  return plain === path || plain === '' ? where : `${label} (${where})`;
}

/** Rewrites one line outside code blocks, leaving its code spans alone. */
function rewriteLine(line) {
  // Code spans (`…`, ``…``) are set aside first, so nothing inside one is read as a link.
  const spans = [];
  const masked = line.replace(/(`+)[^`]*?\1/g, (span) => `\u0000${spans.push(span) - 1}\u0000`);
  const restore = (text) => text.replace(/\u0000(\d+)\u0000/g, (_, i) => spans[Number(i)]);
  if (/<a\s[^>]*href\s*=\s*["'](?![a-z][a-z0-9+.-]*:|\/\/|#)/i.test(masked)) {
    throw new Error(`README: an HTML link with a relative href cannot ship to npm: ${line.trim()}`);
  }
  const definition = masked.match(/^\s*\[[^\]]+\]:\s*(\S+)/);
  if (definition && !ABSOLUTE.test(definition[1]) && !definition[1].startsWith('#')) {
    throw new Error(`README: a reference-style link with a relative target cannot ship to npm: ${line.trim()}`);
  }
  const rewritten = masked.replace(/(!?)\[([^\[\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, (whole, bang, label, target) => {
    if (ABSOLUTE.test(target) || target.startsWith('#')) return whole;
    return bang ? label : mention(restore(label), target);
  });
  return restore(rewritten);
}

/** The README for the package: every relative link rewritten as a mention of the repository file. */
export function npmReadme(markdown) {
  const out = [];
  let fence = null;
  for (const line of markdown.split('\n')) {
    const f = line.match(/^\s*(`{3,}|~{3,})/);
    if (fence) {
      if (f && f[1][0] === fence[0] && f[1].length >= fence.length && /^\s*(`{3,}|~{3,})\s*$/.test(line)) fence = null;
      out.push(line);
    } else if (f) {
      fence = f[1];
      out.push(line);
    } else {
      out.push(rewriteLine(line));
    }
  }
  return out.join('\n');
}

/** Relative links left in a markdown text (outside code blocks and code spans): none may ship. */
export function relativeLinks(markdown) {
  const found = [];
  let fence = null;
  for (const line of markdown.split('\n')) {
    const f = line.match(/^\s*(`{3,}|~{3,})/);
    if (fence) {
      if (f && f[1][0] === fence[0] && f[1].length >= fence.length) fence = null;
      continue;
    }
    if (f) {
      fence = f[1];
      continue;
    }
    const text = line.replace(/`+[^`]*`+/g, '``');
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)/g)) if (!ABSOLUTE.test(m[1]) && !m[1].startsWith('#')) found.push(m[1]);
    for (const m of text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g)) if (!ABSOLUTE.test(m[1]) && !m[1].startsWith('#')) found.push(m[1]);
    for (const m of text.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)/gi)) if (!ABSOLUTE.test(m[1]) && !m[1].startsWith('#')) found.push(m[1]);
  }
  return found;
}
