#![no_main]
// `decide` on the sample retailer with an arbitrary profile and context (split at the first
// 0xff byte): anything may be refused, nothing may panic.
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn engine() -> &'static unisono::Engine {
    static E: OnceLock<unisono::Engine> = OnceLock::new();
    E.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/sample");
        let read = |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).unwrap();
        unisono::Engine::with_offers(&read("catalog.json"), &read("model.json"), &read("config.json"), Some(&read("offers.json")))
            .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(2, |b| *b == 0xff);
    let (Some(p), Some(c)) = (parts.next(), parts.next()) else { return };
    let (Ok(p), Ok(c)) = (std::str::from_utf8(p), std::str::from_utf8(c)) else { return };
    if let Ok(d) = engine().decide_json(p, c) {
        let _ = d.to_json();
    }
});
