#![no_main]
// Context parsing against the sample catalog: errors are fine, panics are not.
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn catalog() -> &'static unisono::catalog::Catalog {
    static C: OnceLock<unisono::catalog::Catalog> = OnceLock::new();
    C.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/sample/catalog.json"
        );
        unisono::catalog::Catalog::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = unisono::context::Context::from_json(text, catalog());
    }
});
