//! One customer's decision as the web shop, the app and the kiosk see it, side by side.
//!
//!     cargo run --release --example side_by_side [-- CUSTOMER_ID] [-- --json]
//!
//! Reads the embedded sample retailer in examples/sample/. With `--json` it prints every
//! scenario's canonical decision JSON, one per line (the pkg-tests compare these bytes with the
//! Wasm package's output).

use std::fs;
use unisono::Engine;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample");

fn read(name: &str) -> String {
    let path = format!("{DIR}/{name}");
    fs::read_to_string(&path).unwrap_or_else(|e| fail(&format!("cannot read {path}: {e}")))
}

fn fail(msg: &str) -> ! {
    eprintln!("side_by_side: {msg}");
    std::process::exit(2)
}

/// Scenario contexts for one customer: web, app and kiosk home, then any extras.
fn contexts(now: &str, c: &serde_json::Value) -> Vec<String> {
    let store = c["store"].as_str().unwrap_or("lon-oxford");
    let mut out = vec![
        format!(r#"{{"channel":"web","placement":"home","now":"{now}"}}"#),
        format!(r#"{{"channel":"app","placement":"home","now":"{now}"}}"#),
        format!(r#"{{"channel":"kiosk","placement":"home","store":"{store}","now":"{now}"}}"#),
    ];
    for extra in c["extra"].as_array().into_iter().flatten() {
        let mut ctx = extra.clone();
        ctx["now"] = serde_json::Value::String(now.to_string());
        out.push(ctx.to_string());
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let only = args.iter().find(|a| !a.starts_with("--"));
    let model_path = std::env::var("UNISONO_MODEL").unwrap_or_else(|_| format!("{DIR}/model.json"));
    let model = fs::read_to_string(&model_path)
        .unwrap_or_else(|e| fail(&format!("cannot read {model_path}: {e}")));
    // Compiled to an engine image in memory and loaded from it, as a device loads its image
    // (`unisono compile`; the decisions are the same as from the JSON documents).
    let image = unisono::image::compile(
        &read("catalog.json"),
        &model,
        &read("config.json"),
        Some(&read("offers.json")),
    )
    .unwrap_or_else(|e| fail(&e.to_string()));
    let engine = Engine::from_image(&image).unwrap_or_else(|e| fail(&e.to_string()));
    let scenarios: serde_json::Value =
        serde_json::from_str(&read("scenarios.json")).unwrap_or_else(|e| fail(&e.to_string()));
    let now = scenarios["now"]
        .as_str()
        .unwrap_or_else(|| fail("scenarios.json: no now"));
    for c in scenarios["customers"].as_array().into_iter().flatten() {
        let id = c["profile"]
            .as_str()
            .unwrap_or_else(|| fail("scenario without profile"));
        if only.is_some_and(|o| o != id) {
            continue;
        }
        let profile = read(&format!("profiles/{id}.json"));
        let decisions: Vec<_> = contexts(now, c)
            .iter()
            .map(|ctx| {
                engine
                    .decide_json(&profile, ctx)
                    .unwrap_or_else(|e| fail(&e.to_string()))
            })
            .collect();
        if json {
            for d in &decisions {
                println!("{}", d.to_json());
            }
        } else {
            print_side_by_side(id, c["story"].as_str().unwrap_or(""), &decisions[..3]);
        }
    }
}

const W: usize = 42;

fn cut(s: &str, w: usize) -> String {
    let mut out: String = s.chars().take(w).collect();
    if s.chars().count() > w {
        out.pop();
        out.push('…');
    }
    format!("{out:<w$}")
}

fn print_side_by_side(id: &str, story: &str, ds: &[unisono::Decision]) {
    println!("\n{}\n{id} — {story}", "═".repeat(3 * (W + 3)));
    println!(
        "personalized: {}   state id (same on every channel): {}",
        ds[0].personalized, ds[0].state_id
    );
    let heads: Vec<String> = ds
        .iter()
        .map(|d| match &d.store {
            Some(s) => format!("{} @ {s}", d.channel.as_str().to_uppercase()),
            None => d.channel.as_str().to_uppercase(),
        })
        .collect();
    println!(
        "{}",
        heads
            .iter()
            .map(|h| cut(h, W))
            .collect::<Vec<_>>()
            .join(" │ ")
    );
    println!(
        "{}",
        ["─".repeat(W), "─".repeat(W), "─".repeat(W)].join("─┼─")
    );
    let rows = ds
        .iter()
        .map(|d| d.recommendations.len())
        .max()
        .unwrap_or(0);
    for i in 0..rows {
        let cell = |d: &unisono::Decision, line: usize| -> String {
            match d.recommendations.get(i) {
                None => cut("", W),
                Some(r) if line == 0 => cut(&format!("{}. {}", i + 1, r.title), W),
                Some(r) => cut(
                    &format!(
                        "   {}",
                        r.reasons.first().map(|x| x.text.as_str()).unwrap_or("")
                    ),
                    W,
                ),
            }
        };
        for line in 0..2 {
            println!(
                "{}",
                ds.iter()
                    .map(|d| cell(d, line))
                    .collect::<Vec<_>>()
                    .join(" │ ")
            );
        }
    }
    let offers = ds.iter().map(|d| d.offers.len()).max().unwrap_or(0);
    for i in 0..offers {
        let cells: Vec<String> = ds
            .iter()
            .map(|d| {
                cut(
                    &d.offers
                        .get(i)
                        .map(|o| format!("OFFER {}", o.content.title))
                        .unwrap_or_default(),
                    W,
                )
            })
            .collect();
        println!("{}", cells.join(" │ "));
    }
}
