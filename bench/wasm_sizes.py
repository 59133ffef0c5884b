#!/usr/bin/env python3
"""Where the .wasm bytes go: code size per crate / module, from the name section of the
unstripped build (target/wasm32-unknown-unknown/wasm/unisono.wasm, before wasm-bindgen and
wasm-opt, so absolute numbers are larger than the shipped file; the proportions are the point).

    python3 bench/wasm_sizes.py [path.wasm] [top]
"""
import re
import sys
from collections import defaultdict


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


CRATES = ["unisono", "serde_path_to_error", "serde_json", "serde_core", "serde", "sha2", "libm",
          "hashbrown", "dlmalloc", "wasm_bindgen", "js_sys", "zmij", "memchr", "itoa", "alloc",
          "core", "std"]


def owner(sym):
    """The crate a (mangled) function belongs to: for `impl Trait for Type` the type's crate,
    else the first crate named in the path."""
    s = sym.split("for$u20$", 1)[1] if "for$u20$" in sym else sym
    best = None
    for c in CRATES:
        for pat in (c + "..", f"{len(c)}{c}"):
            k = s.find(pat)
            if k >= 0 and (best is None or k < best[0]):
                best = (k, c)
    if best is None and s is not sym:
        return owner(sym.split("for$u20$", 1)[0])
    return best[1] if best else "other"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "target/wasm32-unknown-unknown/wasm/unisono.wasm"
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    b = open(path, "rb").read()
    i = 8
    imports = 0
    bodies, names, sections = [], {}, {}
    while i < len(b):
        sid = b[i]
        size, j = leb(b, i + 1)
        end = j + size
        sections[sid] = sections.get(sid, 0) + size
        if sid == 2:  # imports: functions among them shift the function index space
            n, k = leb(b, j)
            for _ in range(n):
                ml, k = leb(b, k)
                k += ml
                fl, k = leb(b, k)
                k += fl
                kind = b[k]
                k += 1
                if kind == 0:
                    imports += 1
                    _, k = leb(b, k)
                elif kind == 1:
                    k += 1
                    flags, k = leb(b, k)
                    _, k = leb(b, k)
                    if flags & 1:
                        _, k = leb(b, k)
                elif kind == 2:
                    flags, k = leb(b, k)
                    _, k = leb(b, k)
                    if flags & 1:
                        _, k = leb(b, k)
                elif kind == 3:
                    k += 2
        elif sid == 10:
            n, k = leb(b, j)
            for _ in range(n):
                sz, k2 = leb(b, k)
                bodies.append(sz + (k2 - k))
                k = k2 + sz
        elif sid == 0:
            nl, k = leb(b, j)
            if b[k : k + nl] == b"name":
                k += nl
                while k < end:
                    sub = b[k]
                    ssz, k = leb(b, k + 1)
                    if sub == 1:
                        n, m = leb(b, k)
                        for _ in range(n):
                            idx, m = leb(b, m)
                            ln, m = leb(b, m)
                            names[idx] = b[m : m + ln].decode("utf8", "replace")
                            m += ln
                    k += ssz
        i = end
    groups = defaultdict(int)
    for f, sz in enumerate(bodies):
        groups[owner(names.get(f + imports, "?"))] += sz
    total = sum(bodies)
    data = sections.get(11, 0)
    print(f"{path}: code {total / 1024:.1f} KB in {len(bodies)} functions, data {data / 1024:.1f} KB")
    for k, v in sorted(groups.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {v / 1024:8.1f} KB  {100 * v / total:5.1f}%  {k}")


main()
