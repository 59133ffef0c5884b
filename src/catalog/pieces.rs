//! A catalog whose text arrives in pieces: the Wasm binding copies it out of the JS string a
//! piece at a time instead of as one copy, which at 200k skus was 60 MB of Wasm memory held
//! while the items were built (and Wasm memory never shrinks).
//!
//! A small scanner splits the text into the document without its items (`"items":[]`) and
//! the items one by one; each is parsed as soon as its closing brace arrives. This is an
//! optimisation for valid documents only: anything unusual (an escaped key at the top level,
//! an item that is not an object, any parse error) gives up, and the caller parses the whole
//! text with [`Catalog::from_json`] for the exact error. The checks after parsing are the same
//! code, so a catalog read either way is the same value.

use super::{with_shared_store_ids, Catalog, CatalogDoc, Item, MAX_ITEMS};
use crate::error;

/// Where the scanner is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// In the document around the items, copying it to the header.
    Header,
    /// In the items array, between items.
    Between,
    /// Inside an item (which started at `item_start` in the buffer).
    Item,
}

/// What may come next between items (JSON is strict about commas, so is this).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Next {
    ItemOrEnd,
    Item,
    CommaOrEnd,
}

struct Scanner {
    mode: Mode,
    next: Next,
    /// Nesting depth of objects and arrays: of the document in `Header`, of the item in `Item`.
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// Header only: the next string at depth 1 is a key.
    expect_key: bool,
    /// Header only: where the key being read started (in the buffer).
    key_start: Option<usize>,
    /// Header only: the last key at depth 1 was `items`; its value is being waited for.
    items_key: bool,
    seen_items: bool,
    header: Vec<u8>,
    item_start: usize,
    items: Vec<Item>,
}

fn scan(next: &mut dyn FnMut(&mut String) -> bool) -> Option<CatalogDoc> {
    let mut s = Scanner {
        mode: Mode::Header,
        next: Next::ItemOrEnd,
        depth: 0,
        in_string: false,
        escaped: false,
        expect_key: false,
        key_start: None,
        items_key: false,
        seen_items: false,
        header: Vec::new(),
        item_start: 0,
        items: Vec::new(),
    };
    let mut buf = String::new();
    let mut at = 0;
    loop {
        at = s.step(&buf, at)?;
        // Keep only what is still needed: the item or top-level key being read, or nothing.
        let keep = match (s.mode, s.key_start) {
            (Mode::Item, _) => s.item_start,
            (_, Some(k)) => k,
            _ => at,
        };
        if keep > 0 {
            buf.drain(..keep);
            at -= keep;
            s.item_start -= keep.min(s.item_start);
            if let Some(k) = s.key_start.as_mut() {
                *k -= keep.min(*k);
            }
        }
        if !next(&mut buf) {
            break;
        }
    }
    // `step` scans to the end of the buffer and copies the header as it goes: nothing is left.
    if s.mode != Mode::Header || s.in_string || s.depth != 0 || !s.seen_items {
        return None;
    }
    let header = String::from_utf8(s.header).ok()?;
    let mut doc: CatalogDoc = error::from_json("catalog", &header).ok()?;
    doc.items = s.items;
    Some(doc)
}

impl Scanner {
    /// Scans `buf` from `at` to its end; returns where it stopped (the end), or `None` to give
    /// up. Copies what belongs to the header, parses each item once it is complete.
    fn step(&mut self, buf: &str, mut at: usize) -> Option<usize> {
        let bytes = buf.as_bytes();
        // Header bytes are copied in runs, from `copied` to where the run ends.
        let mut copied = at;
        while let Some(&b) = bytes.get(at) {
            if self.in_string {
                if self.escaped {
                    // An escape's second character, whatever it is.
                    self.escaped = false;
                    at += 1;
                    continue;
                }
                // Jump to the next quote or backslash: most of a catalog is string contents.
                let rest = bytes.get(at..)?;
                let Some(skip) = rest.iter().position(|&c| c == b'"' || c == b'\\') else {
                    at = bytes.len();
                    break;
                };
                at += skip;
                if bytes.get(at) == Some(&b'\\') {
                    self.escaped = true;
                    at += 1;
                    continue;
                }
                self.in_string = false;
                if let Some(k) = self.key_start.take() {
                    let key = bytes.get(k..at)?;
                    if key.contains(&b'\\') {
                        return None; // an escaped key might spell "items"
                    }
                    self.items_key = key == b"items";
                }
                at += 1;
                continue;
            }
            match self.mode {
                Mode::Header => {
                    match b {
                        b'"' => {
                            self.in_string = true;
                            if self.depth == 1 && self.expect_key {
                                self.key_start = Some(at + 1);
                                self.expect_key = false;
                            }
                        }
                        b'{' | b'[' => {
                            if self.depth >= error::MAX_DEPTH {
                                return None; // `from_json` says where it is too deep
                            }
                            if self.depth == 1 && self.items_key {
                                self.items_key = false;
                                if b != b'[' || self.seen_items {
                                    return None;
                                }
                                self.seen_items = true;
                                self.header.extend_from_slice(bytes.get(copied..at)?);
                                self.header.extend_from_slice(b"[]");
                                self.mode = Mode::Between;
                                self.next = Next::ItemOrEnd;
                                at += 1;
                                copied = at;
                                continue;
                            }
                            self.depth += 1;
                            self.expect_key = self.depth == 1 && b == b'{';
                        }
                        b'}' | b']' => {
                            self.depth = self.depth.checked_sub(1)?;
                        }
                        b',' if self.depth == 1 => self.expect_key = true,
                        b':' | b' ' | b'\n' | b'\r' | b'\t' => {}
                        _ if self.depth == 1 && self.items_key => return None,
                        _ => {}
                    }
                    at += 1;
                }
                Mode::Between => match (b, self.next) {
                    (b' ' | b'\n' | b'\r' | b'\t', _) => at += 1,
                    (b',', Next::CommaOrEnd) => {
                        self.next = Next::Item;
                        at += 1;
                    }
                    (b']', Next::ItemOrEnd | Next::CommaOrEnd) => {
                        self.mode = Mode::Header;
                        at += 1;
                        copied = at;
                    }
                    (b'{', Next::ItemOrEnd | Next::Item) => {
                        self.mode = Mode::Item;
                        self.item_start = at;
                        self.depth = 1; // the item's own depth, from its opening brace
                        at += 1;
                    }
                    _ => return None,
                },
                Mode::Item => {
                    match b {
                        b'"' => self.in_string = true,
                        // The item is at level 3 of the document (object, `items`, item).
                        b'{' | b'[' if self.depth + 2 >= error::MAX_DEPTH => return None,
                        b'{' | b'[' => self.depth += 1,
                        b'}' | b']' => {
                            self.depth = self.depth.checked_sub(1)?;
                            if self.depth == 0 {
                                // One past the limit: `from_json` reads as far and says so.
                                if self.items.len() >= MAX_ITEMS {
                                    return None;
                                }
                                let text = buf.get(self.item_start..=at)?;
                                self.items.push(error::from_json("catalog", text).ok()?);
                                self.mode = Mode::Between;
                                self.next = Next::CommaOrEnd;
                                self.depth = 1; // back in the document's top-level object
                            }
                        }
                        _ => {}
                    }
                    at += 1;
                }
            }
        }
        if self.mode == Mode::Header {
            self.header.extend_from_slice(bytes.get(copied..at)?);
        }
        Some(at)
    }
}

impl Catalog {
    /// [`Catalog::from_json`] for a text that arrives in pieces (`next` appends the next piece
    /// to the buffer, false at the end): the whole text is never in memory at once. `None` when
    /// the document is not plainly valid; parse the whole text with `from_json` then, for the
    /// error. A `Some` result is exactly what `from_json` gives for the same text.
    pub fn from_pieces(
        next: &mut dyn FnMut(&mut String) -> bool,
    ) -> Option<error::Result<Catalog>> {
        let doc = with_shared_store_ids(|| scan(next))?;
        Some(Catalog::from_doc(doc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `text` in pieces of about `size` bytes (cut on char boundaries).
    fn pieces(text: &str, size: usize) -> Option<error::Result<Catalog>> {
        let mut rest = text;
        Catalog::from_pieces(&mut |buf| {
            if rest.is_empty() {
                return false;
            }
            let mut cut = size.min(rest.len());
            while !rest.is_char_boundary(cut) {
                cut += 1;
            }
            let (a, b) = rest.split_at(cut);
            buf.push_str(a);
            rest = b;
            true
        })
    }

    fn same(text: &str) {
        let whole = Catalog::from_json(text);
        for size in [1, 2, 3, 7, 64, 4096, usize::MAX / 2] {
            match (pieces(text, size), &whole) {
                (Some(Ok(c)), Ok(w)) => {
                    assert_eq!(c.content_hash, w.content_hash, "piece size {size}: {text}");
                    assert_eq!(c.items, w.items);
                    assert_eq!(c.version, w.version);
                    assert_eq!(c.stores, w.stores);
                }
                (Some(Err(e)), Err(w)) => assert_eq!(&e, w, "piece size {size}: {text}"),
                (None, _) => {}
                (got, _) => panic!("piece size {size}: {got:?} vs {whole:?} for {text}"),
            }
        }
    }

    const CATALOGS: &[&str] = &[
        r#"{"schema":"unisono.catalog/1","items":[{"sku":"B","title":"b","price":1},{"sku":"A","title":"a","price":2}]}"#,
        r#" { "items" : [ { "sku" : "A" , "title" : "a \"quoted\" {[", "price" : 1, "attributes": {"items": "x"} } ] ,
            "schema" : "unisono.catalog/1", "version": "v\\1", "stores": [{"id": "s1"}] } "#,
        r#"{"schema":"unisono.catalog/1","stores":[{"id":"s1","name":"Zürich ☕"}],"items":[{"sku":"€1","title":"😀","price":1,"category":["a","b"],"availability":{"channels":["web"],"stores":{"s1":2}}}],"version":"x"}"#,
        r#"{"schema":"unisono.catalog/1","items":[]}"#,
        r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":1},{"sku":"A","title":"b","price":1}]}"#,
        r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":-1}]}"#,
        r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":1,"oops":1}]}"#,
        r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":1}],"items":[]}"#,
        r#"{"schema":"unisono.catalog/1","it\u0065ms":[{"sku":"A","title":"a","price":1}]}"#,
        r#"{"schema":"unisono.catalog/1","items":[1,2]}"#,
        r#"{"schema":"unisono.catalog/1","items":null}"#,
        r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":1}]"#,
        r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":1}]}}"#,
        r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":1}]} x"#,
        r#"[{"schema":"unisono.catalog/1"}]"#,
        r#"{"schema":"unisono.catalog/2","items":[{"sku":"A","title":"a","price":1}]}"#,
        r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a\"}","price":1}]}"#,
        "",
        "{",
        r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":1}"#,
    ];

    #[test]
    fn pieces_read_the_same_catalog_or_give_up() {
        for text in CATALOGS {
            same(text);
        }
        // The valid ones are read in pieces, not handed back.
        for text in &CATALOGS[..3] {
            for size in [1, 5, 4096] {
                assert!(matches!(pieces(text, size), Some(Ok(_))), "{size}: {text}");
            }
        }
        let sample = include_str!("../../examples/sample/catalog.json");
        same(sample);
        assert!(
            matches!(pieces(sample, 100), Some(Ok(_))),
            "the sample streams"
        );
    }

    #[test]
    fn mutated_catalogs_never_disagree() {
        // Deterministic byte mutations of a small catalog: streamed or not, the same answer.
        let base = CATALOGS[2].as_bytes();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut b = base.to_vec();
            let at = (x as usize) % b.len();
            let pick = b"{}[]\",:\\ a1u";
            b[at] = pick[((x >> 32) as usize) % pick.len()];
            if let Ok(text) = String::from_utf8(b) {
                same(&text);
            }
        }
    }
}
