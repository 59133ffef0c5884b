//! Engine load, phase by phase, with the heap it takes (native; the Wasm figures come from
//! bench/node.mjs). A separate example from bench-native because it installs a counting
//! allocator, which would tax the decide timings there.
//!
//!     cargo run --release --example bench-load -- DIR [SIZES] [ROUNDS]
//!
//! Reads DIR/<size>/{catalog,model,config,offers}.json (model in either format) and prints, per
//! phase, the median time and the heap: live after the phase and the peak during it.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;
use unisono::catalog::Catalog;
use unisono::config::Config;
use unisono::model::Model;
use unisono::offers::Offers;
use unisono::Engine;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(l.size(), Relaxed) + l.size();
        PEAK.fetch_max(now, Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if new > l.size() {
            let now = LIVE.fetch_add(new - l.size(), Relaxed) + new - l.size();
            PEAK.fetch_max(now, Relaxed);
        } else {
            LIVE.fetch_sub(l.size() - new, Relaxed);
        }
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static A: Counting = Counting;

const MB: f64 = 1048576.0;

/// Runs `f`, returning its value, the time and (live after, peak during) heap bytes.
fn phase<T>(f: impl FnOnce() -> T) -> (T, f64, usize, usize) {
    PEAK.store(LIVE.load(Relaxed), Relaxed);
    let t = Instant::now();
    let v = f();
    let ms = t.elapsed().as_secs_f64() * 1e3;
    (v, ms, LIVE.load(Relaxed), PEAK.load(Relaxed))
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", path.display());
        std::process::exit(1)
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: cargo run --release --example bench-load -- DIR [SIZES] [ROUNDS]");
        return;
    };
    let sizes: Vec<usize> = args
        .get(1)
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 50_000, 200_000]);
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let fail = |e: unisono::Error| -> ! {
        eprintln!("{e}");
        std::process::exit(1)
    };
    for n in sizes {
        let d = std::path::Path::new(dir).join(n.to_string());
        let (catalog, model, config, offers) = (
            read(&d.join("catalog.json")),
            read(&d.join("model.json")),
            read(&d.join("config.json")),
            read(&d.join("offers.json")),
        );
        let texts = LIVE.load(Relaxed);
        // For a profiler: one phase only, `ROUNDS` times.
        if let Ok(only) = std::env::var("ONLY") {
            let c = Catalog::from_json(&catalog).unwrap_or_else(|e| fail(e));
            let t = Instant::now();
            for _ in 0..rounds {
                match only.as_str() {
                    "catalog" => drop(Catalog::from_json(&catalog).unwrap_or_else(|e| fail(e))),
                    "model" => drop(Model::from_json(&model, &c).unwrap_or_else(|e| fail(e))),
                    _ => drop(Engine::from_parts(
                        c.clone(),
                        Model::from_json(&model, &c).unwrap_or_else(|e| fail(e)),
                        Config::from_json(&config).unwrap_or_else(|e| fail(e)),
                        Offers::from_json(&offers).unwrap_or_else(|e| fail(e)),
                    )),
                }
            }
            let per = t.elapsed().as_secs_f64() * 1e3 / rounds.max(1) as f64;
            println!("{n} skus: {only} {per:.1} ms");
            continue;
        }
        let mut times: [Vec<f64>; 5] = Default::default();
        let mut mem = [(0usize, 0usize); 5];
        for _ in 0..rounds {
            let base = LIVE.load(Relaxed);
            let (c, t0, l0, p0) =
                phase(|| Catalog::from_json(&catalog).unwrap_or_else(|e| fail(e)));
            let (m, t1, l1, p1) =
                phase(|| Model::from_json(&model, &c).unwrap_or_else(|e| fail(e)));
            let (k, t2, l2, p2) = phase(|| {
                let k = Config::from_json(&config).unwrap_or_else(|e| fail(e));
                let o = Offers::from_json(&offers).unwrap_or_else(|e| fail(e));
                (k, o)
            });
            let (e, t3, l3, p3) = phase(|| Engine::from_parts(c, m, k.0, k.1));
            drop(e);
            let (e, t4, l4, p4) = phase(|| {
                Engine::with_offers(&catalog, &model, &config, Some(&offers))
                    .unwrap_or_else(|e| fail(e))
            });
            drop(e);
            for (i, t) in [t0, t1, t2, t3, t4].into_iter().enumerate() {
                times[i].push(t);
            }
            mem = [
                (l0 - base, p0 - base),
                (l1 - base, p1 - base),
                (l2 - base, p2 - base),
                (l3 - base, p3 - base),
                (l4 - base, p4 - base),
            ];
        }
        println!(
            "{n} skus: catalog {:.1} MB, model {:.1} MB text ({:.1} MB all texts)",
            catalog.len() as f64 / MB,
            model.len() as f64 / MB,
            texts as f64 / MB
        );
        let names = [
            "catalog",
            "model",
            "config+offers",
            "from_parts (content index)",
            "Engine::with_offers (all)",
        ];
        for (i, name) in names.iter().enumerate() {
            let (live, peak) = mem[i];
            println!(
                "  {name:<28} {:>8.1} ms   heap live {:>7.1} MB, peak {:>7.1} MB",
                median(std::mem::take(&mut times[i])),
                live as f64 / MB,
                peak as f64 / MB
            );
        }
    }
}
