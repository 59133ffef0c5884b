//! `unisono measure` against streams with a known answer (src/measure/synth.rs plants the
//! effects), plus hand-computed cases for the statistics, the readers and the guardrails.

use unisono::channel::Channel;
use unisono::error::Code;
use unisono::measure::report::Report;
use unisono::measure::stats::{self, Moments};
use unisono::measure::stream::{self, Format};
use unisono::measure::synth::{self, Spec, MEAN_BASKET};
use unisono::measure::{Measure, Settings};
use unisono::offers::{bucket, Offers};

fn run(spec: &Spec, seed: u64, min_customers: u64) -> Report {
    let offers = Offers::from_json(&spec.offers_json()).unwrap();
    let settings = Settings {
        min_customers,
        window_days: spec.window_days,
        ..Settings::default()
    };
    let mut m = Measure::new(Some(&offers), settings).unwrap();
    synth::generate(spec, seed, |e, n| m.push(e, n)).unwrap();
    m.finish()
}

/// The revenue uplift interval of `offer` (vs its holdout) on `channel` ("all" or a name).
fn uplift(r: &Report, offer: &str, channel: &str) -> unisono::measure::report::Interval {
    let m = r
        .offer(offer)
        .and_then(|o| o.vs_holdout.as_ref())
        .and_then(|c| c.metric("revenue", channel))
        .unwrap_or_else(|| panic!("no revenue metric for {offer} on {channel}"));
    m.absolute
        .unwrap_or_else(|| panic!("{offer}/{channel}: {}", m.status))
}

#[test]
fn planted_effects_are_recovered_within_their_intervals() {
    let spec = Spec::standard(8_000);
    let r = run(&spec, 7, 100);
    for (offer, channel) in [
        ("A10", Channel::Web),
        ("B20", Channel::App),
        ("XMAIL", Channel::Store), // the cross-channel effect: shown by email, bought in store
    ] {
        let truth = spec.truth(offer, Some(channel));
        assert!(truth > 3.0, "{offer}: a planted effect");
        let i = uplift(&r, offer, channel.as_str());
        assert!(
            i.contains(truth),
            "{offer} on {channel:?}: {i:?} vs {truth}"
        );
        assert!(
            i.low > 0.0,
            "{offer}: a planted effect of {truth} is detected: {i:?}"
        );
    }
    // The cross-channel offer does nothing on the channel it is shown on.
    let email_shown_web = uplift(&r, "XMAIL", "web");
    assert!(email_shown_web.contains(0.0), "{email_shown_web:?}");
    // Observational cross-channel influence: every XMAIL purchase after an email impression
    // is on another channel (email has no purchases).
    let x = r.offer("XMAIL").unwrap();
    let email = x.exposure.iter().find(|e| e.channel == "email").unwrap();
    assert!(email.attributed_purchasers > 0);
    assert_eq!(email.cross_channel, email.attributed_purchasers);
    // Incremental revenue is the per-customer uplift times the treatment customers.
    let c = x.vs_holdout.as_ref().unwrap();
    let all = c.metric("revenue", "all").unwrap().absolute.unwrap();
    let inc = c.incremental_revenue.unwrap();
    let n = c.customers_treatment as f64;
    assert!((inc.estimate - all.estimate * n).abs() < 1e-3 * n);
    assert!((inc.low - all.low * n).abs() < 1e-3 * n);
    // The daily curve ends at the overall estimate.
    let last = c.curve.last().unwrap();
    assert_eq!(c.curve.len(), spec.days as usize);
    assert!(
        (last.estimate - all.estimate).abs() < 1e-6,
        "{last:?} vs {all:?}"
    );
    assert!(r.flags.is_empty(), "{:?}", r.flags);
}

#[test]
fn recommendation_rates_are_recovered() {
    let spec = Spec::standard(8_000);
    let r = run(&spec, 11, 100);
    for (strategy, click) in &spec.rec_click {
        let rows: Vec<_> = r
            .recommendations
            .by_strategy_channel
            .iter()
            .filter(|x| x.strategy == Some(strategy.as_str()))
            .collect();
        let n: u64 = rows.iter().map(|x| x.impressions).sum();
        let clicks: u64 = rows.iter().map(|x| x.clicks).sum();
        let buys: u64 = rows.iter().map(|x| x.purchases).sum();
        // Six rates checked at once: within 3.5 standard errors (each misses 1 in 2,000).
        let near = |k: u64, p: f64| {
            let se = (p * (1.0 - p) / n as f64).sqrt();
            (k as f64 / n as f64 - p).abs() <= 3.5 * se
        };
        assert!(near(clicks, *click), "{strategy:?}: clicks {clicks}/{n}");
        let planted = click * spec.buy_after_click;
        assert!(near(buys, planted), "{strategy:?}: purchases {buys}/{n}");
    }
    // A follow-up is on another channel with probability 0.4 (each of the view and the
    // purchase), so between 0.4 and 0.64 of journeys continue elsewhere.
    let share = r.recommendations.total.other_channel_share.unwrap();
    assert!((0.40..=0.64).contains(&share.estimate), "{share:?}");
    assert!(r.recommendations.total.cross_channel_purchases > 0);
}

/// 200 seeds × 3 planted effects = 600 intervals: nominal 95 % coverage means about 570 contain
/// the truth; the binomial standard deviation is 0.9 points, so [0.92, 0.98] is ±3.4 sd. The
/// same seeds give the zero effect's false-positive rate (nominal 5 %; at most 9 % over 200
/// seeds, +2.9 sd) and the SRM check's (p < 0.001 on 1,000 groups: at most 3 false flags).
#[test]
fn intervals_cover_the_truth_at_the_nominal_rate() {
    // No recommendations: they do not touch the offers' groups and would only slow the loop.
    let spec = Spec {
        recs: 0,
        ..Spec::standard(500)
    };
    let cells = [
        ("A10", Channel::Web),
        ("B20", Channel::App),
        ("XMAIL", Channel::Store),
    ];
    let (mut covered, mut total, mut zero_significant, mut srm_flags) = (0, 0, 0, 0);
    let seeds = 200;
    for seed in 0..seeds {
        let r = run(&spec, 1_000 + seed, 30);
        for (offer, channel) in cells {
            let i = uplift(&r, offer, channel.as_str());
            total += 1;
            covered += usize::from(i.contains(spec.truth(offer, Some(channel))));
        }
        let zero = r.offer("ZERO").unwrap().vs_holdout.as_ref().unwrap();
        zero_significant += usize::from(zero.metric("revenue", "all").unwrap().significant);
        srm_flags += r.guardrails.srm.iter().filter(|s| s.flagged).count();
    }
    let coverage = covered as f64 / total as f64;
    eprintln!(
        "coverage {covered}/{total} = {coverage:.3}; zero effect significant {zero_significant}/{seeds}; false SRM flags {srm_flags}"
    );
    assert!(
        (0.92..=0.98).contains(&coverage),
        "coverage {coverage} ({covered}/{total})"
    );
    let false_positive = zero_significant as f64 / seeds as f64;
    assert!(
        false_positive <= 0.09,
        "zero effect significant in {zero_significant}/{seeds}"
    );
    assert!(srm_flags <= 3, "{srm_flags} false SRM flags");
}

#[test]
fn a_planted_sample_ratio_bug_is_flagged_and_only_it() {
    let r = run(&Spec::with_srm_bug(6_000), 5, 100);
    let srm = r.guardrails.srm.iter().find(|s| s.group == "SRM").unwrap();
    assert!(srm.flagged, "{srm:?}");
    assert!(srm.observed_share < 0.46, "{srm:?}");
    assert!(
        r.flags.iter().any(|f| f.starts_with("srm: SRM ")),
        "{:?}",
        r.flags
    );
    for s in r
        .guardrails
        .srm
        .iter()
        .filter(|s| s.group != "SRM" && s.group != "universal_control")
    {
        assert!(!s.flagged, "{s:?}");
    }
    let clean = run(&Spec::standard(6_000), 5, 100);
    assert!(clean.guardrails.srm.iter().all(|s| !s.flagged));
}

#[test]
fn welch_by_hand() {
    // x̄ = 3, s² = 2.5; ȳ = 6, s² = 10: se² = 2.5/5 + 10/5 = 2.5;
    // df = 2.5² / (0.5²/4 + 2²/4) = 6.25 / 1.0625 = 100/17.
    let a = Moments::from_slice(&[1.0, 2.0, 3.0, 4.0, 5.0]);
    let b = Moments::from_slice(&[2.0, 4.0, 6.0, 8.0, 10.0]);
    let w = stats::welch(&a, &b).unwrap();
    assert_eq!(w.diff, 3.0);
    assert!((w.se - 2.5f64.sqrt()).abs() < 1e-12);
    assert!((w.df - 100.0 / 17.0).abs() < 1e-12);
    let q = (w.high - w.diff) / w.se;
    // Between the tables' t(6) = 2.4469 and t(5) = 2.5706, and exactly the t quantile.
    assert!(q > 2.4469 && q < 2.5706, "{q}");
    assert!((stats::t_sf(q, w.df) - 0.025).abs() < 1e-9);
    assert!((w.low - (3.0 - q * 2.5f64.sqrt())).abs() < 1e-12);
    // t = 3/√2.5 = 1.897; two-sided p between those of t(5) and t(6) at 1.897 (≈ 0.11).
    assert!(w.p > 0.10 && w.p < 0.12, "{}", w.p);
    // Relative uplift: 6/3 − 1 = 1.
    let (rel, lo, hi) = stats::relative(&a, &b, &w).unwrap();
    assert_eq!(rel, 1.0);
    assert!(lo < 1.0 && hi > 1.0);
}

#[test]
fn groups_are_the_engines_assignments() {
    let spec = Spec::standard(3_000);
    let r = run(&spec, 3, 100);
    let ids: Vec<String> = (0..spec.customers).map(|i| format!("s3-c{i:07}")).collect();
    let control = |id: &str| f64::from(bucket(id, "universal-control")) < 5.0;
    for o in &spec.offers {
        let held = ids
            .iter()
            .filter(|id| !control(id) && f64::from(bucket(id, o.id)) < o.holdout_percent)
            .count() as u64;
        let c = r.offer(o.id).unwrap().vs_holdout.as_ref().unwrap();
        assert_eq!(c.customers_control, held, "{}", o.id);
        let cc = r.offer(o.id).unwrap().vs_control.as_ref().unwrap();
        assert_eq!(
            cc.customers_control,
            ids.iter().filter(|id| control(id)).count() as u64
        );
    }
}

#[test]
fn the_ndjson_stream_reads_to_the_same_report_and_is_deterministic() {
    let spec = Spec::standard(1_500);
    let mut text = Vec::new();
    synth::write_ndjson(&spec, 9, &mut text).unwrap();
    let offers = Offers::from_json(&spec.offers_json()).unwrap();
    let mut m = Measure::new(Some(&offers), Settings::default()).unwrap();
    stream::read(&text[..], Format::Ndjson, &mut m).unwrap();
    let from_text = m.finish();
    let direct = run(&spec, 9, Settings::default().min_customers);
    assert_eq!(from_text.to_json(), direct.to_json());
    assert_eq!(run(&spec, 9, 100).to_json(), direct.to_json());
    let html = from_text.to_html();
    let bars = unisono::measure::html::forest_rows(&from_text).len();
    assert_eq!(html.matches("<rect class=\"ci").count(), bars);
    assert!(
        bars >= 5 * 4,
        "programme and four offers, each on all and ≥ 3 channels"
    );
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
}

const OFFERS: &str = r#"{"schema":"unisono.offers/1","control_group_percent":0,"max_offers_per_day":1,
  "offers":[{"id":"W","name":"w","content":{"en":{"title":"w"}},"channels":["web"],"holdout_percent":50,
             "caps":[{"max":1,"days":1}]},
            {"id":"V","name":"v","content":{"en":{"title":"v"}},"channels":["web"]}]}"#;

fn measure_text(text: &str, format: Format, settings: Settings) -> Result<Report, unisono::Error> {
    let offers = Offers::from_json(OFFERS).unwrap();
    let mut m = Measure::new(Some(&offers), settings)?;
    stream::read(text.as_bytes(), format, &mut m)?;
    Ok(m.finish())
}

#[test]
fn csv_and_guardrails_by_hand() {
    // Find one customer in W's holdout and one in treatment.
    let held = (0..)
        .map(|i| format!("u{i}"))
        .find(|id| bucket(id, "W") < 50)
        .unwrap();
    let shown = (0..)
        .map(|i| format!("u{i}"))
        .find(|id| bucket(id, "W") >= 50)
        .unwrap();
    let csv = format!(
        "user_id,type,channel,ts,sku,offer,price,quantity\n\
         {shown},offer_impression,web,2026-11-01T10:00:00Z,,W,,\n\
         {shown},offer_impression,app,2026-11-01T11:00:00Z,,W,,\n\
         {shown},offer_impression,web,2026-11-01T12:00:00Z,,V,,\n\
         {shown},purchase,store,2026-11-02T10:00:00Z,S1,,12.5,2\n\
         {held},offer_impression,web,2026-11-01T10:00:00Z,,W,,\n\
         {held},\"purchase\",web,2026-11-20T10:00:00Z,S2,,3,\n"
    );
    let settings = Settings {
        contact_caps_per_day: [("web".to_string(), 1)].into(),
        max_channels_per_offer: Some(1),
        ..Settings::default()
    };
    let r = measure_text(&csv, Format::Csv, settings).unwrap();
    assert_eq!(r.stream.events, 6);
    assert_eq!(r.stream.revenue, 28.0);
    let w = r.offer("W").unwrap();
    let web = w.exposure.iter().find(|e| e.channel == "web").unwrap();
    // The holdout customer's purchase is 19 days after the impression: outside the window.
    assert_eq!(
        (web.customers, web.attributed_purchasers, web.cross_channel),
        (2, 0, 0)
    );
    let app = w.exposure.iter().find(|e| e.channel == "app").unwrap();
    assert_eq!(
        (app.customers, app.attributed_purchasers, app.cross_channel),
        (1, 1, 1)
    );
    let g = &r.guardrails;
    assert_eq!(g.holdout_exposed.len(), 1);
    assert_eq!(g.holdout_exposed[0].holdout_customers_exposed, 1);
    assert_eq!(g.channels[0].customers_on_disallowed_channels, 1);
    assert_eq!(g.channels[0].customers_over_max_channels, 1);
    assert_eq!(
        g.caps[0].impressions_over_cap, 1,
        "W twice within a day, cap 1"
    );
    let web_p = g
        .contact_pressure
        .iter()
        .find(|p| p.channel == "web")
        .unwrap();
    assert_eq!(
        (
            web_p.customer_days,
            web_p.max_per_day,
            web_p.customer_days_over_cap
        ),
        (2, 2, 1)
    );
    assert_eq!(
        g.customer_days_over_daily_offer_limit, 1,
        "W and V the same day, limit 1"
    );
    // Two customers: far below the minimum.
    let m = w
        .vs_holdout
        .as_ref()
        .unwrap()
        .metric("revenue", "all")
        .unwrap();
    assert_eq!((m.status, m.absolute), ("not_enough_data", None));
    assert!(r.flags.len() >= 4, "{:?}", r.flags);
}

#[test]
fn bad_events_name_their_line() {
    let ok =
        r#"{"user_id":"a","type":"view","sku":"X","channel":"web","ts":"2026-11-01T10:00:00Z"}"#;
    let cases = [
        (
            r#"{"user_id":"a","type":"veiw","sku":"X","channel":"web","ts":"2026-11-02T10:00:00Z"}"#,
            Code::InvalidValue,
            "line 3.type",
        ),
        (
            r#"{"user_id":"a","type":"view","channel":"fax","ts":"2026-11-02T10:00:00Z"}"#,
            Code::InvalidValue,
            "line 3.channel",
        ),
        (
            r#"{"user_id":"a","type":"view","channel":"web","ts":"2026-10-02T10:00:00Z"}"#,
            Code::InvalidValue,
            "line 3.ts",
        ),
        (
            r#"{"user_id":"a","type":"view","channel":"web","ts":"yesterday"}"#,
            Code::InvalidTime,
            "line 3.ts",
        ),
        (
            r#"{"type":"view","channel":"web","ts":"2026-11-02T10:00:00Z"}"#,
            Code::MissingField,
            "line 3.user_id",
        ),
        (
            r#"{"user_id":"a","type":"offer_click","channel":"web","ts":"2026-11-02T10:00:00Z"}"#,
            Code::MissingField,
            "line 3.offer",
        ),
        (
            r#"{"user_id":"a","type":"purchase","channel":"web","price":-1,"ts":"2026-11-02T10:00:00Z"}"#,
            Code::InvalidValue,
            "line 3.price",
        ),
        (
            r#"{"user_id":"a","type":"recommendation_impression","channel":"web","strategy":"magic","sku":"X","ts":"2026-11-02T10:00:00Z"}"#,
            Code::InvalidValue,
            "line 3.strategy",
        ),
        (
            r#"{"user_id":"a","type":"view""#,
            Code::InvalidJson,
            "line 3",
        ),
    ];
    for (bad, code, path) in cases {
        let text = format!("{ok}\n\n{bad}\n");
        let e = measure_text(&text, Format::Ndjson, Settings::default()).unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (code, path), "{bad}: {e}");
    }
    let e = measure_text("user,sku\n", Format::Csv, Settings::default()).unwrap_err();
    assert_eq!((e.code, e.path.as_str()), (Code::MissingField, "line 1"));
    let e = Settings::from_json(r#"{"schema":"unisono.measure/1","window_days":0}"#).unwrap_err();
    assert_eq!(
        (e.code, e.path.as_str()),
        (Code::InvalidValue, "window_days")
    );
}

#[test]
fn truth_is_eligible_share_times_effect_times_basket() {
    let spec = Spec::standard(1);
    assert!((spec.truth("A10", Some(Channel::Web)) - 0.6 * 0.10 * MEAN_BASKET).abs() < 1e-12);
    assert_eq!(spec.truth("ZERO", None), 0.0);
}
