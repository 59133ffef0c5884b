// The JS API layer (js/api.js) resets the Wasm shadow-stack pointer after an exception unwound
// through Wasm frames (which skips the functions' epilogues), so the instance stays usable: the
// linker must export that global for it to be reachable.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=--export=__stack_pointer");
    }
}
