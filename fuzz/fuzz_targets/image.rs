#![no_main]
// Engine images (src/image): any bytes must load to a coded error or an engine that decides,
// never a panic. The first byte picks the mode: 0 reads the rest as it is (the checksums stop
// most mutations), anything else first recomputes the section checksums and the image id
// (`format::reseal`), so mutations reach the section decoders as a hostile image would.
// Seeds (seed.sh): the sample's and the `ties` set's images, in both modes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, image)) = data.split_first() else {
        return;
    };
    let mut bytes = image.to_vec();
    if mode != 0 {
        unisono::image::format::reseal(&mut bytes);
    }
    match unisono::Engine::from_image(&bytes) {
        Ok(engine) => {
            let _ = engine.decide_json(
                r#"{"schema":"unisono.profile/1","id":"f","consents":{"personalization":true},"events":[{"type":"view","sku":"T-A","channel":"web","ts":"2026-11-23T10:00:00Z"}]}"#,
                r#"{"channel":"web","placement":"home","now":"2026-11-23T12:00:00Z"}"#,
            );
        }
        Err(e) => assert_eq!(e.document, "image"),
    }
});
