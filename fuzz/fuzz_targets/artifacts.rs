#![no_main]
// Catalog, config, offers, model and population-event parsing on arbitrary bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(c) = unisono::catalog::Catalog::from_json(text) {
        let _ = unisono::model::Model::from_json(text, &c);
    }
    let _ = unisono::config::Config::from_json(text);
    let _ = unisono::offers::Offers::from_json(text);
    let _ = unisono::builder::parse_events(text, unisono::builder::Format::Csv);
    let _ = unisono::builder::parse_events(text, unisono::builder::Format::Ndjson);
});
