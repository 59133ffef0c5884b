#![no_main]
// Profile parsing and `track` on arbitrary bytes: errors are fine, panics are not.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(mut p) = unisono::profile::Profile::from_json(text) {
            let _ = p.track(text);
            let _ = p.to_json();
        }
    }
});
