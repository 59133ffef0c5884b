#![no_main]
// `validate` on every document kind: it never panics, and a document it finds valid loads.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in ["profile", "catalog", "config", "context", "offers", "model"] {
        let problems = unisono::validate::validate(kind, text);
        let _ = unisono::validate::report_json(&problems);
    }
    let _ = unisono::validate::validate(text, "{}");
});
