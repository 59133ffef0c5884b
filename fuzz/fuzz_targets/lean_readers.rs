#![no_main]
// The device runtime's serde-free readers against the serde ones on arbitrary text: the same
// profile, context or event (compared by value and by its JSON), or the same error (code,
// document, path and message). A profile both read is decided on the sample retailer, and the
// decision written without serde must be `Decision::to_json`'s bytes.
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use unisono::context::Context;
use unisono::lean;
use unisono::profile::Profile;

fn engine() -> &'static unisono::Engine {
    static E: OnceLock<unisono::Engine> = OnceLock::new();
    E.get_or_init(|| {
        let doc = |t: &str| t.to_string();
        unisono::Engine::with_offers(
            &doc(include_str!("../../examples/sample/catalog.json")),
            &doc(include_str!("../../examples/sample/model.json")),
            &doc(include_str!("../../examples/sample/config.json")),
            Some(include_str!("../../examples/sample/offers.json")),
        )
        .expect("the sample retailer loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = (Profile::from_json(text), lean::read_profile(text));
    match (&a, &b) {
        (Ok(x), Ok(y)) => assert!(x == y && x.to_json() == y.to_json(), "profile {text:?}"),
        (Err(x), Err(y)) => assert_eq!(x, y, "profile {text:?}"),
        _ => panic!("profile {text:?}: {a:?} vs {b:?}"),
    }
    let raw = unisono::error::from_json::<Context>("context", text);
    match (&raw, &lean::read_context_unchecked(text)) {
        (Ok(x), Ok(y)) => assert_eq!(x, y, "context {text:?}"),
        (Err(x), Err(y)) => assert_eq!(x, y, "context {text:?}"),
        (x, y) => panic!("context {text:?}: {x:?} vs {y:?}"),
    }
    let tracked = Profile::anonymous().track(text);
    match (&tracked, &lean::read_event(text)) {
        (Ok(x), Ok(y)) => {
            assert!(x == y && serde_json::to_string(x).ok() == serde_json::to_string(y).ok())
        }
        (Err(x), Err(y)) => assert_eq!(x, y, "event {text:?}"),
        (x, y) => panic!("event {text:?}: {x:?} vs {y:?}"),
    }
    if let Ok(p) = a {
        let ctx = r#"{"channel":"web","placement":"home","now":"2026-11-23T12:00:00Z"}"#;
        let ctx = unisono::decide::parse_context(engine(), ctx).expect("the context is valid");
        let d = engine().decide(&p, &ctx);
        assert_eq!(lean::decision::write(&d), d.to_json());
    }
});
