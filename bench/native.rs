//! The benchmark's data generator and its native half (`scripts/bench.sh` runs everything).
//!
//!     cargo run --release --example bench-native -- gen DIR [SIZES]   synthetic retailers, one folder per size
//!     cargo run --release --example bench-native -- run DIR [SIZES]   native timings → DIR/native.json
//!     cargo run --release --example bench-native -- image DIR [SIZES] the same from DIR/<size>/engine.img
//!                                                                     (`unisono compile`) → DIR/native-image.json
//!
//! The population model is deliberately retail-shaped, not uniform: Zipf item popularity
//! inside a three-level category tree, customers with one to three favourite categories, short
//! browsing sessions that sometimes end in a basket and a purchase, staples bought again on a
//! personal rhythm, and a channel mix of web, app, kiosk and store. A seeded generator (no
//! `rand`) keeps every run's data identical.
use std::fmt::Write as _;
use std::time::Instant;
use unisono::builder::{self, Format};
use unisono::model::BuildParams;
use unisono::Engine;

const NOW_MS: i64 = 1_795_435_200_000; // 2026-11-23T12:00:00Z
const DAY_MS: i64 = 86_400_000;
const STORES: [&str; 5] = ["st-01", "st-02", "st-03", "st-04", "st-05"];
pub const PROFILE_SIZES: [usize; 4] = [0, 20, 200, 2000];

/// splitmix64: tiny, seeded, identical everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Items of one leaf category with cumulative Zipf weights, for sampling by popularity.
struct Leaf {
    items: Vec<usize>,
    cum: Vec<f64>,
}

impl Leaf {
    fn pick(&self, rng: &mut Rng) -> usize {
        let total = self.cum.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        let i = self
            .cum
            .partition_point(|&c| c < x)
            .min(self.items.len() - 1);
        self.items[i]
    }
}

struct World {
    n: usize,
    leaves: Vec<Leaf>,
    /// Cumulative Zipf weights over leaves: some categories are simply bigger.
    leaf_cum: Vec<f64>,
    leaf_of: Vec<usize>,
    price: Vec<f64>,
}

fn leaf_count(n: usize) -> usize {
    (n / 40).clamp(20, 2000)
}

fn category(leaf: usize) -> [String; 3] {
    [
        format!("Dept {:02}", leaf % 12),
        format!("Aisle {:02}-{}", leaf % 12, (leaf / 12) % 8),
        format!("Shelf {leaf:04}"),
    ]
}

fn world(n: usize) -> World {
    let mut rng = Rng(n as u64 * 7919);
    let nl = leaf_count(n);
    let mut leaf_of = vec![0; n];
    let mut price = vec![0.0; n];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); nl];
    for i in 0..n {
        let l = rng.below(nl);
        leaf_of[i] = l;
        members[l].push(i);
        price[i] = (libm::exp(1.5 + 2.0 * rng.unit()) * 100.0).round() / 100.0;
    }
    let leaves = members
        .into_iter()
        .map(|items| {
            let mut acc = 0.0;
            let cum = (0..items.len())
                .map(|r| {
                    acc += 1.0 / libm::pow(r as f64 + 1.0, 1.1);
                    acc
                })
                .collect();
            Leaf { items, cum }
        })
        .filter(|l| !l.items.is_empty())
        .collect::<Vec<_>>();
    let mut acc = 0.0;
    let leaf_cum = (0..leaves.len())
        .map(|r| {
            acc += 1.0 / libm::pow(r as f64 + 1.0, 0.8);
            acc
        })
        .collect();
    World {
        n,
        leaves,
        leaf_cum,
        leaf_of,
        price,
    }
}

impl World {
    fn pick_leaf(&self, rng: &mut Rng) -> usize {
        let x = rng.unit() * self.leaf_cum.last().copied().unwrap_or(0.0);
        self.leaf_cum
            .partition_point(|&c| c < x)
            .min(self.leaves.len() - 1)
    }

    fn sku(i: usize) -> String {
        format!("SKU-{i:06}")
    }

    /// One customer's events, oldest first, `target` events long (roughly).
    fn customer(&self, rng: &mut Rng, target: usize) -> Vec<Ev> {
        let favourites: Vec<usize> = (0..1 + rng.below(3)).map(|_| self.pick_leaf(rng)).collect();
        let staples: Vec<usize> = favourites
            .iter()
            .map(|&l| self.leaves[l].pick(rng))
            .collect();
        let mut out = Vec::with_capacity(target + 8);
        let span = 120 * DAY_MS;
        let mut t = NOW_MS - span + rng.below(20) as i64 * DAY_MS;
        let step = (span / (target.max(1) as i64 / 4 + 1)).max(60_000);
        while out.len() < target {
            let r = rng.unit();
            let (channel, store) = match r {
                r if r < 0.45 => ("web", None),
                r if r < 0.75 => ("app", None),
                r if r < 0.85 => ("kiosk", Some(STORES[rng.below(STORES.len())])),
                _ => ("store", Some(STORES[rng.below(STORES.len())])),
            };
            let leaf = if rng.unit() < 0.8 {
                favourites[rng.below(favourites.len())]
            } else {
                self.pick_leaf(rng)
            };
            let mut ts = t;
            let views = 1 + rng.below(4);
            let mut last = 0;
            for _ in 0..views {
                last = self.leaves[leaf].pick(rng);
                if channel != "store" {
                    out.push(Ev::new("view", last, channel, store, ts));
                }
                ts += 20_000 + rng.below(120_000) as i64;
            }
            if rng.unit() < 0.35 {
                if channel != "store" {
                    out.push(Ev::new("add_to_cart", last, channel, store, ts));
                }
                ts += 60_000;
                if rng.unit() < 0.5 {
                    out.push(Ev::new("purchase", last, channel, store, ts));
                }
            }
            if rng.unit() < 0.15 {
                let s = staples[rng.below(staples.len())];
                out.push(Ev::new("purchase", s, channel, store, ts + 30_000));
            }
            t += step / 2 + rng.below(step as usize) as i64;
            if t > NOW_MS - 60_000 {
                t = NOW_MS - 60_000 - rng.below(span as usize / 2) as i64;
            }
        }
        out.truncate(target);
        out.sort_by_key(|e| e.ts);
        out
    }
}

struct Ev {
    kind: &'static str,
    item: usize,
    channel: &'static str,
    store: Option<&'static str>,
    ts: i64,
}

impl Ev {
    fn new(
        kind: &'static str,
        item: usize,
        channel: &'static str,
        store: Option<&'static str>,
        ts: i64,
    ) -> Ev {
        Ev {
            kind,
            item,
            channel,
            store,
            ts,
        }
    }
}

fn rfc3339(ms: i64) -> String {
    unisono::time::format_rfc3339(unisono::time::Timestamp(ms))
}

fn catalog_json(w: &World) -> String {
    let mut rng = Rng(w.n as u64 + 17);
    let mut s = String::with_capacity(w.n * 330);
    s.push_str(r#"{"schema":"unisono.catalog/1","version":"bench-"#);
    let _ = write!(s, "{}", w.n);
    s.push_str(r#"","stores":["#);
    for (i, st) in STORES.iter().enumerate() {
        let sep = if i > 0 { "," } else { "" };
        let _ = write!(s, r#"{sep}{{"id":"{st}","name":"Store {}"}}"#, i + 1);
    }
    s.push_str(r#"],"items":["#);
    for i in 0..w.n {
        let c = category(w.leaf_of[i]);
        let sep = if i > 0 { "," } else { "" };
        let _ = write!(
            s,
            r#"{sep}{{"sku":"{}","title":"Product {i} {}","category":["{}","{}","{}"],"brand":"Brand {}","price":{},"tags":["t{}"],"image":"https://img.example/{i}.jpg","availability":{{"channels":["web","app","kiosk","store"],"stores":{{"#,
            World::sku(i),
            c[2],
            c[0],
            c[1],
            c[2],
            i % 97,
            w.price[i],
            i % 13,
        );
        for (k, st) in STORES.iter().enumerate() {
            let sep = if k > 0 { "," } else { "" };
            let _ = write!(s, r#"{sep}"{st}":{}"#, rng.below(4) * rng.below(5));
        }
        s.push_str("}}}");
    }
    s.push_str("]}");
    s
}

/// Population events for the model: about 20 per sku.
fn population_csv(w: &World) -> (String, usize) {
    let mut rng = Rng(w.n as u64 * 31 + 5);
    let target = w.n * 20;
    let mut s = String::with_capacity(target * 60);
    s.push_str("user_id,sku,ts,type,channel,store\n");
    let mut count = 0;
    let mut u = 0;
    while count < target {
        let len = 4 + rng.below(40) + if rng.unit() < 0.1 { 100 } else { 0 };
        for e in w.customer(&mut rng, len) {
            let _ = writeln!(
                s,
                "u{u:07},{},{},{},{},{}",
                World::sku(e.item),
                rfc3339(e.ts),
                e.kind,
                e.channel,
                e.store.unwrap_or("")
            );
            count += 1;
        }
        u += 1;
    }
    (s, count)
}

fn profile_json(w: &World, events: usize) -> String {
    let mut rng = Rng(w.n as u64 * 101 + events as u64);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"{{"schema":"unisono.profile/1","id":"bench-{events}","consents":{{"personalization":true,"marketing":true}},"traits":{{"tier":"gold","lifetime_value":640,"preferred_store":"st-01","locale":"en-GB"}},"segments":["bench"],"cart":[],"events":["#
    );
    for (i, e) in w.customer(&mut rng, events).iter().enumerate() {
        let sep = if i > 0 { "," } else { "" };
        let _ = write!(
            s,
            r#"{sep}{{"type":"{}","sku":"{}","channel":"{}","ts":"{}""#,
            e.kind,
            World::sku(e.item),
            e.channel,
            rfc3339(e.ts)
        );
        if let Some(st) = e.store {
            let _ = write!(s, r#","store":"{st}""#);
        }
        if e.kind == "purchase" {
            let _ = write!(s, r#","quantity":1,"price":{}"#, w.price[e.item]);
        }
        s.push('}');
    }
    s.push_str("]}");
    s
}

/// Offers shaped like the sample's: category rules, event counts, traits, caps, one fallback.
fn offers_json(w: &World) -> String {
    let mut offers = Vec::new();
    for k in 0..20 {
        let leaf = &category(w.leaf_of[(k * 7919) % w.n])[2];
        let rule = match k % 4 {
            0 => format!(r#"{{"viewed_not_bought":{{"category":"{leaf}","within_hours":72}}}}"#),
            1 => format!(
                r#"{{">=":[{{"event_count":{{"type":"purchase","category":"{leaf}","within_days":90}}}},1]}}"#
            ),
            2 => r#"{">=":[{"var":"traits.lifetime_value"},500]}"#.to_string(),
            _ => r#"{">=":[{"event_count":{"type":"store_visit","within_days":7}},1]}"#.to_string(),
        };
        offers.push(format!(
            r#"{{"id":"OFFER{k:02}","name":"Offer {k}","content":{{"en-GB":{{"title":"Offer {k}","body":"Save on {leaf}","cta":"Shop"}}}},"channels":["web","app","kiosk"],"eligibility":{rule},"value":{},"targets":{{"categories":["{leaf}"]}},"group":"g{}","caps":[{{"max":3,"days":7}}]}}"#,
            5 + k,
            k % 5
        ));
    }
    offers.push(r#"{"id":"WELCOME","name":"Welcome","content":{"en-GB":{"title":"Welcome","body":"Hello","cta":"Go"}},"channels":["web","app","kiosk"],"value":1,"fallback":true}"#.to_string());
    format!(
        r#"{{"schema":"unisono.offers/1","version":"bench-offers","control_group_percent":3,"max_offers_per_day":3,"offers":[{}]}}"#,
        offers.join(",")
    )
}

fn sizes(arg: Option<&String>) -> Vec<usize> {
    arg.map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 50_000, 200_000])
}

fn write(path: &std::path::Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        eprintln!("cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e} (run `gen` first)", path.display());
        std::process::exit(1);
    })
}

fn gzip_len(text: &str) -> usize {
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    let _ = enc.write_all(text.as_bytes());
    enc.finish().map(|v| v.len()).unwrap_or(0)
}

fn gen(dir: &std::path::Path, n: usize) {
    let d = dir.join(n.to_string());
    let _ = std::fs::create_dir_all(&d);
    let t = Instant::now();
    let w = world(n);
    write(&d.join("catalog.json"), &catalog_json(&w));
    let (csv, count) = population_csv(&w);
    write(&d.join("events.csv"), &csv);
    write(&d.join("offers.json"), &offers_json(&w));
    let config =
        read(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sample/config.json"));
    write(&d.join("config.json"), &config);
    for p in PROFILE_SIZES {
        write(&d.join(format!("profile-{p}.json")), &profile_json(&w, p));
    }
    // The model is built by `run` (that is the throughput measurement) and written there.
    eprintln!(
        "generated {n} skus, {count} population events in {:.1} s",
        t.elapsed().as_secs_f64()
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn time_us(iters: usize, mut f: impl FnMut()) -> (f64, f64) {
    let warm = iters / 10 + 1;
    let mut v = Vec::with_capacity(iters);
    for i in 0..iters + warm {
        let t = Instant::now();
        f();
        if i >= warm {
            v.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    v.sort_by(f64::total_cmp);
    (percentile(&v, 0.5), percentile(&v, 0.99))
}

fn run(dir: &std::path::Path, n: usize) -> String {
    let d = dir.join(n.to_string());
    let csv = read(&d.join("events.csv"));
    let t = Instant::now();
    let events = builder::parse_events(&csv, Format::Csv).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let parse_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let doc = builder::build(
        &events,
        &BuildParams::default(),
        &format!("bench-{n}"),
        &mut |_, _, _| {},
    )
    .unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let build_s = t.elapsed().as_secs_f64();
    let model = doc.to_artifact(&doc.version).to_json();
    write(&d.join("model.json"), &model);
    let (catalog, config, offers) = (
        read(&d.join("catalog.json")),
        read(&d.join("config.json")),
        read(&d.join("offers.json")),
    );
    let loads = if n >= 100_000 { 3 } else { 7 };
    let mut load_ms = Vec::new();
    let mut engine = None;
    for _ in 0..loads {
        let t = Instant::now();
        let e = Engine::with_offers(&catalog, &model, &config, Some(&offers)).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(1)
        });
        load_ms.push(t.elapsed().as_secs_f64() * 1e3);
        engine = Some(e);
    }
    load_ms.sort_by(f64::total_cmp);
    let Some(engine) = engine else {
        return String::new();
    };
    let ctx = r#"{"channel":"web","placement":"home","now":"2026-11-23T12:00:00Z"}"#;
    let mut decide = String::new();
    for p in PROFILE_SIZES {
        let profile = read(&d.join(format!("profile-{p}.json")));
        let iters = if p >= 2000 { 300 } else { 2000 };
        let (p50, p99) = time_us(iters, || {
            let _ = engine.decide_json(&profile, ctx).map(|d| d.to_json());
        });
        // The session path (as the Wasm `Session`): parsed and hashed once, decided many times.
        let session = unisono::decide::Session::from_json(&profile).ok();
        let c = unisono::decide::parse_context(&engine, ctx).ok();
        let (h50, h99) = match (session, c) {
            (Some(ss), Some(cc)) => time_us(iters, || {
                let _ = engine.decide_session(&ss, &cc).to_json();
            }),
            _ => (0.0, 0.0),
        };
        if p == 200 {
            if let Ok(d) = engine.decide_json(&profile, ctx) {
                write(&d_json_path(&d_dir(dir, n)), &d.to_json());
            }
        }
        let sep = if decide.is_empty() { "" } else { "," };
        let _ = write!(
            decide,
            r#"{sep}"{p}":{{"json":{{"p50_us":{p50:.1},"p99_us":{p99:.1}}},"session":{{"p50_us":{h50:.1},"p99_us":{h99:.1}}}}}"#
        );
    }
    let ev = events.len();
    eprintln!(
        "native {n}: build {ev} events in {build_s:.2} s ({:.0} events/s, +{parse_s:.2} s parse), load {:.1} ms",
        ev as f64 / build_s,
        percentile(&load_ms, 0.5)
    );
    format!(
        r#""{n}":{{"events":{ev},"parse_s":{parse_s:.3},"build_s":{build_s:.3},"build_events_per_s":{:.0},"model_bytes":{},"model_gzip_bytes":{},"catalog_bytes":{},"load_ms":{:.2},"decide":{{{decide}}}}}"#,
        ev as f64 / build_s,
        model.len(),
        gzip_len(&model),
        catalog.len(),
        percentile(&load_ms, 0.5),
    )
}

fn d_dir(dir: &std::path::Path, n: usize) -> std::path::PathBuf {
    dir.join(n.to_string())
}

/// The JSON engine's 200-event decision, which the image engine must reproduce byte for byte.
fn d_json_path(d: &std::path::Path) -> std::path::PathBuf {
    d.join("decision-200.json")
}

fn median_ms(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    percentile(&v, 0.5)
}

/// The image path natively: load from `engine.img` in three timed phases (verify: header,
/// checksums and image id; decode: the sections into the engine's structures; assemble: the
/// content-similarity index and the rest of `Engine::from_parts_hashed`), then `decide` on the
/// session path as `run` measures it.
fn run_image(dir: &std::path::Path, n: usize) -> String {
    let d = d_dir(dir, n);
    let bytes = std::fs::read(d.join("engine.img")).unwrap_or_else(|e| {
        eprintln!(
            "cannot read {}: {e} (compile it first)",
            d.join("engine.img").display()
        );
        std::process::exit(1)
    });
    let fail = |e: unisono::Error| -> ! {
        eprintln!("{e}");
        std::process::exit(1)
    };
    let (mut total, mut verify, mut decode, mut assemble) = (vec![], vec![], vec![], vec![]);
    let mut engine = None;
    for _ in 0..5 {
        let t = Instant::now();
        drop(unisono::image::format::parse(&bytes).unwrap_or_else(|e| fail(e)));
        verify.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let l = unisono::image::load(&bytes).unwrap_or_else(|e| fail(e));
        decode.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        drop(Engine::from_parts_hashed(
            l.catalog,
            l.model,
            l.config,
            l.offers,
            l.manifest.config_hash,
            l.manifest.offers_hash,
        ));
        assemble.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        engine = Some(Engine::from_image(&bytes).unwrap_or_else(|e| fail(e)));
        total.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let Some(engine) = engine else {
        return String::new();
    };
    let ctx = r#"{"channel":"web","placement":"home","now":"2026-11-23T12:00:00Z"}"#;
    let mut decide = String::new();
    let mut same = true;
    for p in PROFILE_SIZES {
        let profile = read(&d.join(format!("profile-{p}.json")));
        if p == 200 {
            let from_json = std::fs::read_to_string(d_json_path(&d)).unwrap_or_default();
            let here = engine.decide_json(&profile, ctx).map(|d| d.to_json());
            same = here.as_deref().ok() == Some(from_json.as_str());
        }
        let iters = if p >= 2000 { 300 } else { 2000 };
        let session = unisono::decide::Session::from_json(&profile).ok();
        let c = unisono::decide::parse_context(&engine, ctx).ok();
        let (h50, h99) = match (session, c) {
            (Some(ss), Some(cc)) => time_us(iters, || {
                let _ = engine.decide_session(&ss, &cc).to_json();
            }),
            _ => (0.0, 0.0),
        };
        let sep = if decide.is_empty() { "" } else { "," };
        let _ = write!(
            decide,
            r#"{sep}"{p}":{{"session":{{"p50_us":{h50:.1},"p99_us":{h99:.1}}}}}"#
        );
    }
    let (total, verify, decode, assemble) = (
        median_ms(total),
        median_ms(verify),
        median_ms(decode),
        median_ms(assemble),
    );
    eprintln!(
        "native image {n}: load {total:.1} ms (verify {verify:.1}, decode {:.1}, assemble {assemble:.1}), same decision as JSON: {same}",
        decode - verify
    );
    format!(
        r#""{n}":{{"image_bytes":{},"load_ms":{total:.2},"verify_ms":{verify:.2},"decode_ms":{:.2},"assemble_ms":{assemble:.2},"same_as_json":{same},"decide":{{{decide}}}}}"#,
        bytes.len(),
        decode - verify,
    )
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let (Some(cmd), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!(
            "usage: cargo run --release --example bench-native -- gen|run|image|loop DIR [SIZES]"
        );
        return;
    };
    let dir = std::path::Path::new(dir);
    let sizes = sizes(args.get(2));
    match cmd.as_str() {
        "gen" => sizes.iter().for_each(|&n| gen(dir, n)),
        "run" => {
            let parts: Vec<String> = sizes.iter().map(|&n| run(dir, n)).collect();
            write(
                &dir.join("native.json"),
                &format!("{{{}}}\n", parts.join(",")),
            );
        }
        "image" => {
            let parts: Vec<String> = sizes.iter().map(|&n| run_image(dir, n)).collect();
            write(
                &dir.join("native-image.json"),
                &format!("{{{}}}\n", parts.join(",")),
            );
        }
        // For a profiler: decide N times on one size and profile length.
        "loop" => {
            let (n, p) = (
                sizes.first().copied().unwrap_or(1000),
                args.get(3).cloned().unwrap_or_default(),
            );
            let d = dir.join(n.to_string());
            let engine = Engine::with_offers(
                &read(&d.join("catalog.json")),
                &read(&d.join("model.json")),
                &read(&d.join("config.json")),
                Some(&read(&d.join("offers.json"))),
            )
            .unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(1)
            });
            let profile = read(&d.join(format!("profile-{p}.json")));
            let ctx = r#"{"channel":"web","placement":"home","now":"2026-11-23T12:00:00Z"}"#;
            let (Ok(ss), Ok(cc)) = (
                unisono::decide::Session::from_json(&profile),
                unisono::decide::parse_context(&engine, ctx),
            ) else {
                return;
            };
            let iters: usize = std::env::var("ITERS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(2000);
            let t = Instant::now();
            for _ in 0..iters {
                let _ = engine.decide_session(&ss, &cc).to_json();
            }
            eprintln!(
                "{:.1} µs per decision",
                t.elapsed().as_secs_f64() * 1e6 / iters as f64
            );
        }
        "measure" => measure(dir, sizes.first().copied().unwrap_or(262_000)),
        _ => eprintln!("unknown command {cmd}"),
    }
}

/// `measure DIR [CUSTOMERS]`: `unisono measure` over a synthetic stream of CUSTOMERS × ~38 events
/// (262,000: ~10M), written once to DIR/measure/events.ndjson, then read from the file as the CLI
/// does. Peak memory: run it under `/usr/bin/time -v` (docs/measure.md has the figures).
fn measure(dir: &std::path::Path, customers: usize) {
    use unisono::measure::{stream, synth, Measure, Settings};
    let d = dir.join("measure");
    let _ = std::fs::create_dir_all(&d);
    let mut spec = synth::Spec::standard(customers);
    spec.filler_views = 30;
    let path = d.join(format!("events-{customers}.ndjson"));
    if !path.exists() {
        let Ok(f) = std::fs::File::create(&path) else {
            return;
        };
        let mut w = std::io::BufWriter::new(f);
        let _ = synth::write_ndjson(&spec, 1, &mut w);
    }
    let offers = unisono::offers::Offers::from_json(&spec.offers_json()).ok();
    let (Ok(f), Ok(mut m)) = (
        std::fs::File::open(&path),
        Measure::new(offers.as_ref(), Settings::default()),
    ) else {
        return;
    };
    let t = Instant::now();
    let read = stream::read(
        std::io::BufReader::with_capacity(1 << 20, f),
        stream::Format::Ndjson,
        &mut m,
    );
    let report = m.finish();
    let secs = t.elapsed().as_secs_f64();
    if let Err(e) = read {
        eprintln!("{e}");
        return;
    }
    let events = report.stream.events;
    eprintln!(
        "measure: {events} events of {customers} customers in {secs:.2} s ({:.2} M events/s)",
        events as f64 / secs / 1e6
    );
    write(
        &d.join("native.json"),
        &format!("{{\"events\":{events},\"customers\":{customers},\"seconds\":{secs:.3}}}\n"),
    );
}
