//! `unisono eval`: the offline evaluation on an interaction log (see docs/benchmark.md).

use flate2::read::GzDecoder;
use std::io::Read;
use std::time::Instant;
use unisono::builder::{self, Format};
use unisono::config::Config;
use unisono::datasets;
use unisono::error::{Code, Error};
use unisono::eval::{self, Method, MethodReport, Variant};
use unisono::model::{BuildParams, Similarity};

use super::Args;

pub const DEFAULT_DATA: &str = "../shared/data/online-retail/online_retail.csv.gz";

fn read_maybe_gz(path: &str) -> Result<String, Error> {
    let io = |e: std::io::Error| Error::new(Code::Io, "arguments", path, e.to_string());
    let bytes = std::fs::read(path).map_err(io)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        GzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .map_err(io)?;
        Ok(s)
    } else {
        String::from_utf8(bytes)
            .map_err(|_| Error::new(Code::InvalidValue, "events", path, "not UTF-8"))
    }
}

fn gzip_len(s: &str) -> usize {
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    let _ = enc.write_all(s.as_bytes());
    enc.finish().map(|v| v.len()).unwrap_or(0)
}

pub fn run(raw: &[String]) -> Result<(), Error> {
    let a = Args(raw);
    let path = a.get("--data").unwrap_or(DEFAULT_DATA);
    if !std::path::Path::new(path).exists() {
        println!("eval: skipped — {path} is not here (see ../shared/data/online-retail/README.md or pass --data FILE)");
        return Ok(());
    }
    let started = Instant::now();
    let text = read_maybe_gz(path)?;
    let format = a
        .get("--format")
        .unwrap_or(if text.starts_with("InvoiceNo") {
            "online-retail"
        } else {
            "csv"
        });
    let (events, skus) = match format {
        "online-retail" => datasets::online_retail(&text)?,
        f => {
            let fmt = Format::parse(f).ok_or_else(|| {
                Error::new(
                    Code::InvalidValue,
                    "arguments",
                    "--format",
                    "online-retail, csv or ndjson",
                )
            })?;
            let ev = builder::parse_events(&text, fmt)?;
            let skus = ev
                .iter()
                .map(|e| (e.sku.clone(), (String::new(), 0.0)))
                .collect();
            (ev, skus)
        }
    };
    drop(text);
    let min_days: usize = a.num("--min-days")?.unwrap_or(3);
    eprintln!(
        "eval: {} events, {} skus from {path} ({:.1} s)",
        events.len(),
        skus.len(),
        started.elapsed().as_secs_f64()
    );
    let catalog = eval::catalog_json(&skus);
    let params: BuildParams = match a.get("--params") {
        Some(f) => unisono::error::from_json("params", &read_maybe_gz(f)?)?,
        None => BuildParams::default(),
    };
    let config = match a.get("--config") {
        Some(f) => Config::from_json(&read_maybe_gz(f)?)?,
        None => Config::default(),
    };

    if a.0.iter().any(|x| x == "--tune") {
        tune(&events, &catalog, min_days)?;
    }

    // --validation: predict each user's second-to-last basket instead (for choosing
    // defaults without looking at the test baskets).
    let validation = a.0.iter().any(|x| x == "--validation");
    let split = eval::split(&events, min_days, usize::from(validation));
    if validation {
        println!("VALIDATION split (second-to-last purchase day held out)");
    }
    eprintln!(
        "eval: {} test users, {} training events",
        split.test.len(),
        split.train.len()
    );
    let t = Instant::now();
    let prepared = eval::prepare(&split, &catalog, &params, &config)?;
    let build_s = t.elapsed().as_secs_f64();
    let clock_start = Instant::now();
    let mut clock = || clock_start.elapsed().as_secs_f64();
    let mut reports: Vec<MethodReport> = Vec::new();
    for variant in [Variant::New, Variant::Repeat] {
        for method in [
            Method::Unisono,
            Method::Popularity,
            Method::ItemKnn,
            Method::Replay,
        ] {
            reports.push(eval::evaluate(
                &prepared, &split, method, variant, &mut clock,
            ));
        }
    }
    let model_raw = prepared.model_json.len();
    let model_gz = gzip_len(&prepared.model_json);
    print_table(
        &reports,
        path,
        split.test.len(),
        model_raw,
        model_gz,
        build_s,
    );
    let report = serde_json::json!({
        "data": path,
        "protocol": {"split": "last purchase day per user", "min_purchase_days": min_days, "test_users": split.test.len(), "train_events": split.train.len()},
        "model": {"params": prepared.model.params, "stats": prepared.model.stats, "bytes": model_raw, "gzip_bytes": model_gz, "build_seconds": build_s},
        "results": reports,
    });
    let out = a.get("--out").unwrap_or("target/eval/report.json");
    if let Some(dir) = std::path::Path::new(out).parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(
        out,
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    )
    .map_err(|e| Error::new(Code::Io, "arguments", out, e.to_string()))?;
    let plot = out.replace(".json", ".html");
    std::fs::write(&plot, plot_html(&reports))
        .map_err(|e| Error::new(Code::Io, "arguments", plot.clone(), e.to_string()))?;
    println!(
        "report: {out}   plot: {plot}   total {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn print_table(
    reports: &[MethodReport],
    path: &str,
    users: usize,
    raw: usize,
    gz: usize,
    build_s: f64,
) {
    println!("\nOffline evaluation — {path}");
    println!("last-purchase-day split, {users} test users; model {:.0} KB raw / {:.0} KB gzip, built in {build_s:.1} s\n", raw as f64 / 1024.0, gz as f64 / 1024.0);
    println!("| variant | method | users | HR@10 | NDCG@10 | Recall@20 | MAP@10 | coverage@10 | µs/decision p50 | p99 |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in reports {
        println!(
            "| {} | {} | {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.3} | {:.0} | {:.0} |",
            if r.variant == Variant::New {
                "new items"
            } else {
                "with repeats"
            },
            r.method.as_str(),
            r.users,
            r.hr10,
            r.ndcg10,
            r.recall20,
            r.map10,
            r.coverage10,
            r.us_per_user_p50,
            r.us_per_user_p99
        );
    }
    println!();
    for variant in [Variant::New, Variant::Repeat] {
        let get = |m: Method| {
            reports
                .iter()
                .find(|r| r.method == m && r.variant == variant)
        };
        if let Some(u) = get(Method::Unisono) {
            let ratios: Vec<String> = [Method::Popularity, Method::ItemKnn, Method::Replay]
                .into_iter()
                .filter_map(|m| {
                    get(m)
                        .map(|b| format!("{:.2}× {} ", u.ndcg10 / b.ndcg10.max(1e-12), m.as_str()))
                })
                .collect();
            println!(
                "NDCG@10 ratio, {:?}: unisono vs {}",
                variant,
                ratios.join(", ")
            );
        }
    }
}

/// Grid search on the validation split (each user's second-to-last basket predicted from what
/// came before): never touches the test baskets.
fn tune(events: &[builder::PopEvent], catalog: &str, min_days: usize) -> Result<(), Error> {
    let split = eval::split(events, min_days, 1);
    eprintln!("tune: validation split, {} users", split.test.len());
    println!("| similarity | min_support | half-life d | NDCG@10 new | NDCG@10 repeat | HR@10 new | HR@10 repeat |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut clock = || 0.0;
    for sim in [Similarity::Cosine, Similarity::Jaccard, Similarity::Lift] {
        for min_support in [1u32, 2, 3] {
            let params = BuildParams {
                similarity: sim,
                min_support,
                ..BuildParams::default()
            };
            for half_life in [14.0, 30.0, 90.0] {
                let mut config = Config::default();
                config.affinity.half_life_days = half_life;
                let p = eval::prepare(&split, catalog, &params, &config)?;
                let n = eval::evaluate(&p, &split, Method::Unisono, Variant::New, &mut clock);
                let r = eval::evaluate(&p, &split, Method::Unisono, Variant::Repeat, &mut clock);
                println!(
                    "| {sim:?} | {min_support} | {half_life} | {:.4} | {:.4} | {:.4} | {:.4} |",
                    n.ndcg10, r.ndcg10, n.hr10, r.hr10
                );
            }
        }
    }
    Ok(())
}

/// A self-contained HTML page with NDCG@k and HR@k curves per method (inline SVG).
fn plot_html(reports: &[MethodReport]) -> String {
    let colours = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd"];
    let mut svg = String::new();
    for (vi, variant) in [Variant::New, Variant::Repeat].into_iter().enumerate() {
        for (mi, (name, pick)) in [("NDCG@k", 0), ("HR@k", 1)].into_iter().enumerate() {
            let rs: Vec<&MethodReport> = reports.iter().filter(|r| r.variant == variant).collect();
            let series = |r: &MethodReport| {
                if pick == 0 {
                    r.ndcg_at.clone()
                } else {
                    r.hr_at.clone()
                }
            };
            let max = rs
                .iter()
                .flat_map(|r| series(r))
                .fold(0.0f64, f64::max)
                .max(1e-9);
            let (w, h, x0, y0) = (420.0, 260.0, 40.0, 20.0);
            svg += &format!("<svg width='{w}' height='{}' style='margin:8px;border:1px solid #ddd'><text x='{x0}' y='14' font-size='13'>{name} — {:?}</text>", h + 40.0, variant);
            for (ci, r) in rs.iter().enumerate() {
                let pts: Vec<String> = series(r)
                    .iter()
                    .enumerate()
                    .map(|(k, v)| {
                        format!(
                            "{:.1},{:.1}",
                            x0 + k as f64 * (w - 60.0) / 19.0,
                            y0 + h - v / max * (h - 20.0)
                        )
                    })
                    .collect();
                svg += &format!(
                    "<polyline fill='none' stroke='{}' stroke-width='2' points='{}'/>",
                    colours[ci % 4],
                    pts.join(" ")
                );
                svg += &format!(
                    "<text x='{}' y='{}' font-size='11' fill='{}'>{}</text>",
                    x0 + 10.0 + 90.0 * ci as f64,
                    h + 35.0,
                    colours[ci % 4],
                    r.method.as_str()
                );
            }
            svg += &format!("<text x='4' y='{}' font-size='10'>{max:.3}</text><text x='{x0}' y='{}' font-size='10'>k=1 … 20</text></svg>", y0 + 24.0, h + 22.0);
            let _ = (vi, mi);
        }
    }
    format!("<!doctype html><meta charset='utf-8'><title>unisono offline evaluation</title><body style='font-family:sans-serif'><h1>unisono offline evaluation</h1>{svg}</body>")
}
