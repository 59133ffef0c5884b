#![no_main]
// One tracked event on an empty profile, then the profile's export read back: errors are fine,
// panics are not, and what `track` accepted must export to a profile that loads again.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut p = unisono::profile::Profile::anonymous();
    if p.track(text).is_ok() {
        let exported = p.to_json();
        assert!(
            unisono::profile::Profile::from_json(&exported).is_ok(),
            "a tracked profile does not load back: {exported}"
        );
    }
});
