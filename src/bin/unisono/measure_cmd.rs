//! `unisono measure`: uplift of offers and recommendations per channel from an event stream
//! (docs/measure.md); `unisono measure synth`: a synthetic stream with planted effects.

use std::io::{BufRead, BufReader, Write};
use std::time::Instant;
use unisono::error::{Code, Error};
use unisono::measure::stream::{self, Format};
use unisono::measure::synth::{self, Spec};
use unisono::measure::{Measure, Settings};
use unisono::offers::Offers;

use super::{read, Args};

fn io(path: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::new(Code::Io, "arguments", path, e.to_string())
}

/// The events file, gunzipped when it starts with the gzip magic bytes.
fn open(path: &str) -> Result<Box<dyn BufRead>, Error> {
    let mut file = BufReader::with_capacity(1 << 20, std::fs::File::open(path).map_err(io(path))?);
    let gz = file
        .fill_buf()
        .map_err(io(path))?
        .starts_with(&[0x1f, 0x8b]);
    Ok(if gz {
        let dec = flate2::read::GzDecoder::new(file);
        Box::new(BufReader::with_capacity(1 << 20, dec)) as Box<dyn BufRead>
    } else {
        Box::new(file)
    })
}

pub fn run(raw: &[String]) -> Result<(), Error> {
    if raw.first().map(String::as_str) == Some("synth") {
        return synth_cmd(raw.get(1..).unwrap_or_default());
    }
    let a = Args(raw);
    let path = a.need("--events")?;
    let format = match a.get("--format") {
        Some("csv") => Format::Csv,
        Some("ndjson" | "jsonl") => Format::Ndjson,
        Some(_) => {
            return Err(Error::new(
                Code::InvalidValue,
                "arguments",
                "--format",
                "csv or ndjson",
            ))
        }
        None => Format::from_path(path),
    };
    let mut settings = match a.get("--config") {
        Some(f) => Settings::from_json(&read(f)?)?,
        None => Settings::default(),
    };
    if let Some(w) = a.num("--window-days")? {
        settings.window_days = w;
    }
    if let Some(m) = a.num("--min-customers")? {
        settings.min_customers = m;
    }
    let offers = a
        .get("--offers")
        .map(|f| read(f).and_then(|t| Offers::from_json(&t)))
        .transpose()?;
    let started = Instant::now();
    let mut m = Measure::new(offers.as_ref(), settings)?;
    stream::read(open(path)?, format, &mut m)?;
    let report = m.finish();
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "measured {} events of {} customers in {:.2} s ({:.0} events/s)",
        report.stream.events,
        report.stream.customers,
        secs,
        report.stream.events as f64 / secs.max(1e-9)
    );
    if let Some(html) = a.get("--html") {
        std::fs::write(html, report.to_html()).map_err(io(html))?;
        eprintln!("HTML report → {html}");
    }
    let text = if raw.iter().any(|x| x == "--json") {
        report.to_json() + "\n"
    } else {
        report.to_text()
    };
    match a.get("--out") {
        Some(out) => std::fs::write(out, text).map_err(io(out)),
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(io("stdout")),
    }
}

/// `measure synth --customers N [--seed S] [--views N] [--srm-bug] --out-dir DIR`.
fn synth_cmd(raw: &[String]) -> Result<(), Error> {
    let a = Args(raw);
    let customers: usize = a.num("--customers")?.unwrap_or(10_000);
    let seed: u64 = a.num("--seed")?.unwrap_or(1);
    let mut spec = if raw.iter().any(|x| x == "--srm-bug") {
        Spec::with_srm_bug(customers)
    } else {
        Spec::standard(customers)
    };
    spec.filler_views = a.num("--views")?.unwrap_or(0);
    let dir = std::path::Path::new(a.need("--out-dir")?);
    let dir_s = dir.display().to_string();
    std::fs::create_dir_all(dir).map_err(io(&dir_s))?;
    let offers = dir.join("offers.json");
    std::fs::write(&offers, spec.offers_json() + "\n").map_err(io(&dir_s))?;
    let events = dir.join("events.ndjson");
    let file = std::fs::File::create(&events).map_err(io(&dir_s))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let n = synth::write_ndjson(&spec, seed, &mut w)?;
    w.flush().map_err(io(&dir_s))?;
    eprintln!(
        "{n} events of {customers} customers → {} (offers: {})",
        events.display(),
        offers.display()
    );
    Ok(())
}
