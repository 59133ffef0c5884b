//! Engine load from JSON documents vs from a compiled image (docs/image.md), native: the median
//! of N loads of each, and the image's size raw and gzip'd next to the JSON's.
//!
//!   cargo run --release --example image_load -- DIR [N]
//!
//! DIR holds catalog.json, model.json, config.json and (optional) offers.json, e.g.
//! examples/sample or a `bench-native gen` size (its model from `unisono build-model`).

use std::time::Instant;
use unisono::Engine;

fn read(dir: &str, f: &str) -> Option<String> {
    std::fs::read_to_string(format!("{dir}/{f}")).ok()
}

fn median_ms(n: usize, mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v.get(n / 2).copied().unwrap_or(0.0)
}

fn gzip_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = gz.write_all(bytes);
    gz.finish().map(|v| v.len()).unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().map_or("examples/sample", String::as_str);
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let [Some(c), Some(m), Some(k)] =
        ["catalog.json", "model.json", "config.json"].map(|f| read(dir, f))
    else {
        eprintln!("{dir}: needs catalog.json, model.json and config.json");
        std::process::exit(2);
    };
    let o = read(dir, "offers.json");
    let image = unisono::image::compile(&c, &m, &k, o.as_deref()).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    if let Ok(path) = std::env::var("IMAGE_OUT") {
        let _ = std::fs::write(path, &image);
    }
    let json_ms = median_ms(n, || {
        Engine::with_offers(&c, &m, &k, o.as_deref()).map(drop).ok();
    });
    let image_ms = median_ms(n, || {
        Engine::from_image(&image).map(drop).ok();
    });
    // The decode alone: what the engine derives at load (content index, boosts, targets) is the rest.
    let decode_ms = median_ms(n, || {
        unisono::image::load(&image).map(drop).ok();
    });
    let json_gz: usize = [&c, &m, &k]
        .into_iter()
        .chain(o.as_ref())
        .map(|t| gzip_len(t.as_bytes()))
        .sum();
    let json_raw: usize = [&c, &m, &k]
        .into_iter()
        .chain(o.as_ref())
        .map(String::len)
        .sum();
    println!(
        "{dir}: load JSON {json_ms:.1} ms, image {image_ms:.1} ms (decode {decode_ms:.1} ms; median of {n}); \
         JSON {:.2} MB / {:.2} MB gzip, image {:.2} MB / {:.2} MB gzip",
        json_raw as f64 / 1e6,
        json_gz as f64 / 1e6,
        image.len() as f64 / 1e6,
        gzip_len(&image) as f64 / 1e6,
    );
}
