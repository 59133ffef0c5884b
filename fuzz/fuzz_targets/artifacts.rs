#![no_main]
// Catalog, config, offers, model and population-event parsing on arbitrary bytes.
use libfuzzer_sys::fuzz_target;

/// A catalog for model inputs (skus the v2 seed uses), so every input also reaches the model
/// readers, not only the few that parse as a catalog too.
fn catalog() -> &'static unisono::catalog::Catalog {
    static C: std::sync::OnceLock<unisono::catalog::Catalog> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        unisono::catalog::Catalog::from_json(
            r#"{"schema":"unisono.catalog/1","items":[{"sku":"T-A","title":"a","price":1},{"sku":"T-C","title":"c","price":1}]}"#,
        )
        .expect("the fixed catalog is valid")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = unisono::model::Model::from_json(text, catalog());
    if let Ok(c) = unisono::catalog::Catalog::from_json(text) {
        let _ = unisono::model::Model::from_json(text, &c);
    }
    let _ = unisono::config::Config::from_json(text);
    let _ = unisono::offers::Offers::from_json(text);
    let _ = unisono::builder::parse_events(text, unisono::builder::Format::Csv);
    let _ = unisono::builder::parse_events(text, unisono::builder::Format::Ndjson);
});
