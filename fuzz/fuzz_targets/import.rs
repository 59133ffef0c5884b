#![no_main]
// The importers: Segment and GA4 NDJSON, the catalog CSV, and each profile they produce read
// back (an import's output must load).
use libfuzzer_sys::fuzz_target;
use unisono::import::{self, Source};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for source in [Source::Segment, Source::Ga4] {
        if let Ok(imported) = import::import_events(text, source) {
            for p in imported.profiles.values() {
                let json = import::profile_json(p);
                assert!(
                    unisono::profile::Profile::from_json(&json).is_ok(),
                    "an imported profile does not load: {json}"
                );
            }
        }
    }
    let _ = import::catalog_from_csv(text, None);
});
