//! A string past its limit is refused before it is copied (issue 15, class 8): reading a profile
//! whose event `sku`, `category`, `store`, `offer` or `query`, or whose id or cart sku, holds
//! 20 MB allocates far less than 20 MB. One test in its own binary, so the counting allocator
//! sees nothing else.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static A: Counting = Counting;

#[test]
fn an_oversized_string_is_refused_before_it_is_copied() {
    let huge = "x".repeat(20_000_000);
    let event = |field: &str| {
        format!(
            r#"{{"type":"view","sku":"A","channel":"web","ts":"2026-01-01T00:00:00Z","{field}":"{huge}"}}"#
        )
    };
    let cases = [
        (
            "events[0].sku",
            event("sku").replacen(r#""sku":"A","#, "", 1),
        ),
        ("events[0].category", event("category")),
        ("events[0].store", event("store")),
        ("events[0].offer", event("offer")),
        ("events[0].query", event("query")),
    ]
    .map(|(path, e)| {
        (
            path,
            format!(r#"{{"schema":"unisono.profile/1","id":"c","events":[{e}]}}"#),
        )
    });
    let more = [
        (
            "id",
            format!(r#"{{"schema":"unisono.profile/1","id":"{huge}"}}"#),
        ),
        (
            "cart[0].sku",
            format!(r#"{{"schema":"unisono.profile/1","id":"c","cart":[{{"sku":"{huge}"}}]}}"#),
        ),
    ];
    for (path, text) in cases.into_iter().chain(more) {
        let before = LIVE.load(Ordering::SeqCst);
        PEAK.store(before, Ordering::SeqCst);
        let err = unisono::profile::Profile::from_json(&text).unwrap_err();
        let extra = PEAK.load(Ordering::SeqCst) - before;
        assert_eq!(
            (err.code, err.path.as_str()),
            (unisono::Code::TooLarge, path)
        );
        assert!(
            extra < 2_000_000,
            "{path}: reading allocated {extra} bytes for a 20 MB value"
        );
    }
}
