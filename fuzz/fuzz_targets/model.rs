#![no_main]
// The model readers alone (the hand-written `unisono.model/2` reader and serde's v1), run with
// a dictionary of deep-nesting tokens (dict/json.dict) and deep seeds (seed.sh).
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn catalog() -> &'static unisono::catalog::Catalog {
    static C: OnceLock<unisono::catalog::Catalog> = OnceLock::new();
    C.get_or_init(|| {
        unisono::catalog::Catalog::from_json(
            r#"{"schema":"unisono.catalog/1","items":[{"sku":"T-A","title":"a","price":1},{"sku":"T-C","title":"c","price":1}]}"#,
        )
        .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = unisono::model::parse(text);
    let _ = unisono::model::Model::from_json(text, catalog());
});
