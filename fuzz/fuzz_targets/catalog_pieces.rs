#![no_main]
// The catalog read in pieces (as the Wasm binding reads a JS string) and whole: the first byte
// picks the piece size. Whatever the pieces reader returns must be what the whole text gives.
use libfuzzer_sys::fuzz_target;
use unisono::catalog::Catalog;

fuzz_target!(|data: &[u8]| {
    let Some((&size, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let size = usize::from(size).max(1);
    let mut left = text;
    let pieces = Catalog::from_pieces(&mut |buf| {
        if left.is_empty() {
            return false;
        }
        let mut cut = size.min(left.len());
        while !left.is_char_boundary(cut) {
            cut += 1;
        }
        let (a, b) = left.split_at(cut);
        buf.push_str(a);
        left = b;
        true
    });
    let whole = Catalog::from_json(text);
    match (pieces, whole) {
        (None, _) => {}
        (Some(Ok(p)), Ok(w)) => {
            assert_eq!(p.content_hash, w.content_hash);
            assert_eq!(p.items, w.items);
        }
        (Some(Err(p)), Err(w)) => assert_eq!(p, w),
        (p, w) => panic!("pieces {p:?} vs whole {w:?}"),
    }
});
