//! `unisono` — the native command line: build a model, decide, show the sample side by side.

use std::io::Write;
use std::process::ExitCode;
use unisono::builder::{self, Format};
use unisono::error::{Code, Error};
use unisono::import::{self, Source};
use unisono::model::{BuildParams, Similarity};
use unisono::Engine;

mod eval_cmd;
mod measure_cmd;

const USAGE: &str = "\
unisono — one personalization decision, every channel

USAGE:
  unisono build-model --events FILE [--format csv|ndjson] [--out FILE] [--version NAME]
                      [--params FILE] [--k N] [--min-support N] [--similarity jaccard|lift|cosine]
  unisono decide --catalog FILE --model FILE --config FILE [--offers FILE] --profile FILE --context JSON|FILE
  unisono compile --catalog FILE --model FILE --config FILE [--offers FILE] -o FILE.img
                  [--audience full|public] [--store ID] [--channel NAME]
                      (an engine image: loads without parsing JSON; a public image holds no
                      offer codes nor rule texts, for customers' devices; docs/image.md)
  unisono import segment|ga4 FILE.ndjson --out-dir DIR    (writes DIR/profiles/<id>.json and DIR/events.ndjson)
  unisono import catalog-csv FILE.csv --out FILE [--version NAME]
  unisono seal catalog|config|offers|model FILE [--out FILE]   (adds the checksum verified at load)
  unisono upgrade-model FILE [--out FILE]   (a unisono.model/1 artifact rewritten as unisono.model/2)
  unisono validate profile|catalog|config|context|offers|model FILE [--json]
                      (every problem with its path; exit code 1 when there is one)
  unisono eval [--data FILE(.gz)] [--format online-retail|csv|ndjson] [--min-days 3] [--out report.json] [--tune]
               [--validation] [--config FILE] [--params FILE]
  unisono measure --events FILE [--offers FILE] [--config FILE] [--window-days N] [--json] [--html FILE]
                      (uplift of offers and recommendations per channel; docs/measure.md)
  unisono measure synth --customers N [--seed S] [--views N] [--srm-bug] --out-dir DIR
  unisono help

Errors are printed as `document: path: message [code]`; the exit code is 2 for bad input.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build-model") => build_model(&args[1..]),
        Some("decide") => decide(&args[1..]),
        Some("compile") => compile(&args[1..]),
        Some("eval") => eval_cmd::run(&args[1..]),
        Some("measure") => measure_cmd::run(&args[1..]),
        Some("import") => import(&args[1..]),
        Some("validate") => return validate(&args[1..]),
        Some("seal") => seal(&args[1..]),
        Some("upgrade-model") => upgrade_model(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(Error::new(
            Code::InvalidValue,
            "arguments",
            "",
            format!("unknown command {other:?}\n\n{USAGE}"),
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e} [{}]", e.code.as_str());
            ExitCode::from(2)
        }
    }
}

/// `--name value` pairs.
struct Args<'a>(&'a [String]);

impl Args<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .position(|a| a == name)
            .and_then(|i| self.0.get(i + 1))
            .map(String::as_str)
    }
    fn need(&self, name: &str) -> Result<&str, Error> {
        self.get(name).ok_or_else(|| {
            Error::new(
                Code::MissingField,
                "arguments",
                name,
                format!("{name} is required"),
            )
        })
    }
    fn num<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                Error::new(
                    Code::InvalidValue,
                    "arguments",
                    name,
                    format!("{name} needs a number, got {v:?}"),
                )
            }),
        }
    }
}

fn read(path: &str) -> Result<String, Error> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::new(Code::Io, "arguments", path, e.to_string()))
}

fn build_model(raw: &[String]) -> Result<(), Error> {
    let a = Args(raw);
    let path = a.need("--events")?;
    let format = match a.get("--format") {
        Some(f) => Format::parse(f).ok_or_else(|| {
            Error::new(Code::InvalidValue, "arguments", "--format", "csv or ndjson")
        })?,
        None if path.ends_with(".ndjson") || path.ends_with(".jsonl") => Format::Ndjson,
        None => Format::Csv,
    };
    let mut params: BuildParams = match a.get("--params") {
        Some(p) => unisono::error::from_json("params", &read(p)?)?,
        None => BuildParams::default(),
    };
    if let Some(k) = a.num("--k")? {
        params.k = k;
    }
    if let Some(s) = a.num("--min-support")? {
        params.min_support = s;
    }
    if let Some(s) = a.get("--similarity") {
        params.similarity = match s {
            "jaccard" => Similarity::Jaccard,
            "lift" => Similarity::Lift,
            "cosine" => Similarity::Cosine,
            _ => {
                return Err(Error::new(
                    Code::InvalidValue,
                    "arguments",
                    "--similarity",
                    "jaccard, lift or cosine",
                ))
            }
        };
    }
    let started = std::time::Instant::now();
    let text = read(path)?;
    let events = builder::parse_events(&text, format)?;
    eprintln!("read {} events from {path}", events.len());
    let mut last_pct = usize::MAX;
    let mut progress = |stage: &str, done: usize, total: usize| {
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        if pct != last_pct && total > 20_000 {
            last_pct = pct;
            let bar = "#".repeat(pct / 4);
            eprint!("\r{stage:>6} [{bar:<25}] {pct:>3}% ({done}/{total})");
            if pct == 100 {
                eprintln!();
            }
        }
    };
    let doc = builder::build(
        &events,
        &params,
        a.get("--version").unwrap_or(""),
        &mut progress,
    )?;
    let artifact = doc.to_artifact(a.get("--version").unwrap_or(""));
    let json = artifact.to_json();
    eprintln!(
        "model {}: {} users, {} items, {} item pairs, {} items with neighbours, {} bytes, {:.2} s",
        artifact.version,
        doc.stats.users,
        doc.stats.items,
        doc.stats.pairs,
        doc.neighbours.len(),
        json.len(),
        started.elapsed().as_secs_f64()
    );
    match a.get("--out") {
        Some(out) => std::fs::write(out, json + "\n")
            .map_err(|e| Error::new(Code::Io, "arguments", out, e.to_string())),
        None => {
            let mut so = std::io::stdout().lock();
            writeln!(so, "{json}")
                .map_err(|e| Error::new(Code::Io, "arguments", "stdout", e.to_string()))
        }
    }
}

/// A file path, or the JSON itself when the argument starts with `{`.
fn read_or_inline(arg: &str) -> Result<String, Error> {
    if arg.trim_start().starts_with('{') {
        Ok(arg.to_string())
    } else {
        read(arg)
    }
}

fn decide(raw: &[String]) -> Result<(), Error> {
    let a = Args(raw);
    let read = read_or_inline;
    let offers = match a.get("--offers") {
        Some(f) => Some(read(f)?),
        None => None,
    };
    let engine = Engine::with_offers(
        &read(a.need("--catalog")?)?,
        &read(a.need("--model")?)?,
        &read(a.need("--config")?)?,
        offers.as_deref(),
    )?;
    let ctx = read(a.need("--context")?)?;
    let d = engine.decide_json(&read(a.need("--profile")?)?, &ctx)?;
    println!("{}", d.to_json());
    Ok(())
}

/// `--audience`, `--store`, `--channel`: what the image may hold.
fn scope_of(a: &Args) -> Result<unisono::image::Scope, Error> {
    use unisono::image::{Audience, Scope};
    let bad = |flag: &str, msg: String| Error::new(Code::InvalidValue, "arguments", flag, msg);
    let audience = match a.get("--audience") {
        None => Audience::Full,
        Some(s) => Audience::parse(s)
            .ok_or_else(|| bad("--audience", format!("{s:?}: expected full or public")))?,
    };
    let channel = a
        .get("--channel")
        .map(|s| {
            unisono::channel::Channel::parse(s)
                .ok_or_else(|| bad("--channel", format!("unknown channel {s:?}")))
        })
        .transpose()?;
    Ok(Scope {
        audience,
        store: a.get("--store").map(str::to_string),
        channel,
    })
}

/// `compile ... -o FILE`: the documents as an engine image; prints its size raw and gzip'd next
/// to the JSON documents' (gzip is how either travels to a device).
fn compile(raw: &[String]) -> Result<(), Error> {
    let a = Args(raw);
    let out = a
        .get("-o")
        .or_else(|| a.get("--out"))
        .ok_or_else(|| Error::new(Code::MissingField, "arguments", "-o", "-o FILE is required"))?;
    let offers = a.get("--offers").map(read).transpose()?;
    let texts = [
        read(a.need("--catalog")?)?,
        read(a.need("--model")?)?,
        read(a.need("--config")?)?,
    ];
    let [c, m, k] = &texts;
    let image = unisono::image::compile_scoped(c, m, k, offers.as_deref(), &scope_of(&a)?)?;
    std::fs::write(out, &image)
        .map_err(|e| Error::new(Code::Io, "arguments", out, e.to_string()))?;
    // Each JSON document gzip'd on its own, as each is fetched on its own.
    let (json, json_gz) = texts.iter().chain(offers.iter()).fold((0, 0), |(n, g), t| {
        (n + t.len(), g + gzip_len(t.as_bytes()))
    });
    let kb = |n: usize| n as f64 / 1024.0;
    eprintln!(
        "{out}: {:.1} KB, {:.1} KB gzip (the JSON documents: {:.1} KB, {:.1} KB gzip)",
        kb(image.len()),
        kb(gzip_len(&image)),
        kb(json),
        kb(json_gz),
    );
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = gz.write_all(bytes);
    gz.finish().map(|v| v.len()).unwrap_or(0)
}

fn write(path: &std::path::Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(|e| {
        Error::new(
            Code::Io,
            "arguments",
            path.display().to_string(),
            e.to_string(),
        )
    })
}

/// `import segment|ga4 FILE --out-dir DIR`, `import catalog-csv FILE --out FILE`.
fn import(raw: &[String]) -> Result<(), Error> {
    let usage = |msg: &str| {
        Error::new(
            Code::InvalidValue,
            "arguments",
            "",
            format!("{msg}\n\n{USAGE}"),
        )
    };
    let kind = raw
        .first()
        .ok_or_else(|| usage("import needs segment, ga4 or catalog-csv"))?;
    let input = raw
        .get(1)
        .filter(|a| !a.starts_with("--"))
        .ok_or_else(|| usage("import needs an input file"))?;
    let a = Args(raw.get(2..).unwrap_or_default());
    if kind == "catalog-csv" {
        let out = a.need("--out")?;
        let text = read(input)?;
        let catalog = import::catalog_from_csv(&text, a.get("--version"))?;
        write(std::path::Path::new(out), &catalog.json)?;
        println!("{} -> {out}", catalog.summary());
        return Ok(());
    }
    let source = Source::parse(kind).ok_or_else(|| {
        usage(&format!(
            "unknown import {kind:?} (segment, ga4 or catalog-csv)"
        ))
    })?;
    let out_dir = std::path::Path::new(a.need("--out-dir")?);
    let imported = import::import_events(&read(input)?, source)?;
    let profiles_dir = out_dir.join("profiles");
    std::fs::create_dir_all(&profiles_dir).map_err(|e| {
        Error::new(
            Code::Io,
            "arguments",
            profiles_dir.display().to_string(),
            e.to_string(),
        )
    })?;
    for (id, p) in &imported.profiles {
        write(
            &profiles_dir.join(import::profile_file_name(id)),
            &import::profile_json(p),
        )?;
    }
    write(&out_dir.join("events.ndjson"), imported.events_ndjson())?;
    println!("{} -> {}", imported.summary(), out_dir.display());
    Ok(())
}

/// `validate KIND FILE [--json]`: every problem of the document, each with its JSON path.
/// Exit code 0 when valid, 1 when there are problems, 2 when the command itself is wrong.
/// `seal KIND FILE [--out FILE]`: write the checksum the engine verifies at load.
fn seal(raw: &[String]) -> Result<(), Error> {
    let (Some(kind), Some(file)) = (raw.first(), raw.get(1)) else {
        return Err(Error::new(
            Code::MissingField,
            "arguments",
            "",
            "seal needs a kind (catalog|config|offers|model) and a file",
        ));
    };
    let sealed = unisono::seal::seal(kind, &read(file)?)?;
    let out = raw
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| raw.get(i + 1))
        .unwrap_or(file);
    std::fs::write(out, sealed)
        .map_err(|e| Error::new(Code::InvalidValue, "arguments", "--out", e.to_string()))?;
    eprintln!("sealed {kind} → {out}");
    Ok(())
}

/// `upgrade-model FILE [--out FILE]`: the same model in the current format, same version.
fn upgrade_model(raw: &[String]) -> Result<(), Error> {
    let Some(file) = raw.first() else {
        return Err(Error::new(
            Code::MissingField,
            "arguments",
            "",
            "upgrade-model needs a model file",
        ));
    };
    let text = read(file)?;
    let (intact, v2) = match unisono::model::parse(&text)? {
        unisono::model::Artifact::V1(doc) => (
            doc.checksum == doc.compute_checksum(),
            doc.to_artifact(&doc.version),
        ),
        unisono::model::Artifact::V2(doc) => (doc.checksum == doc.compute_checksum(), *doc),
    };
    // Only an intact artifact is carried over (re-sealing would hide a corruption).
    if !intact {
        return Err(Error::new(
            Code::ChecksumMismatch,
            "model",
            "checksum",
            "the artifact's content does not match its checksum (corrupted or edited)",
        ));
    }
    let args = Args(raw);
    let out = args.get("--out").unwrap_or(file);
    std::fs::write(out, v2.to_json() + "\n")
        .map_err(|e| Error::new(Code::Io, "arguments", out, e.to_string()))?;
    eprintln!("{} ({}) → {out}", v2.version, v2.schema);
    Ok(())
}

fn validate(raw: &[String]) -> ExitCode {
    use unisono::validate::{report_json, validate, KINDS};
    let usage = |msg: String| {
        eprintln!("error: {msg}\n\n{USAGE}");
        ExitCode::from(2)
    };
    let (Some(kind), Some(file)) = (raw.first(), raw.get(1).filter(|a| !a.starts_with("--")))
    else {
        return usage("validate needs a document kind and a file".into());
    };
    if !KINDS.contains(&kind.as_str()) {
        return usage(format!(
            "unknown document kind {kind:?} (expected {})",
            KINDS.join(", ")
        ));
    }
    let text = match read(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e} [{}]", e.code.as_str());
            return ExitCode::from(2);
        }
    };
    let problems = validate(kind, &text);
    if raw.iter().any(|a| a == "--json") {
        println!("{}", report_json(&problems));
    } else if problems.is_empty() {
        println!("{file}: a valid {kind}");
    } else {
        for p in &problems {
            let path = if p.path.is_empty() {
                "(document)"
            } else {
                &p.path
            };
            println!("{file}: {path}: {} [{}]", p.message, p.code.as_str());
        }
        eprintln!("{file}: {} problem(s)", problems.len());
    }
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
