//! Times: every RFC 3339 time the engine accepts is its exact instant, checked against a
//! reference written here independently of `src/time.rs` (days counted year by year, no
//! civil-calendar algorithm shared), over the whole range 0000–9999, every offset, leap seconds
//! and fractions; everything else is rejected. And the windows computed from a time
//! (`within_days`, `within_hours`, offer caps) never wrap round, whatever the time and length.

use proptest::prelude::*;
use serde_json::json;
use unisono::catalog::Catalog;
use unisono::channel::{Channel, Placement};
use unisono::profile::{Profile, Window};
use unisono::rules::{truthy, Env, Rule};
use unisono::time::{format_rfc3339, parse_rfc3339, Timestamp};

// ------------------------------------------------------------------------------------------
// The reference: a strict reading of RFC 3339 §5.6 as the engine documents it (4-digit years,
// `T`/`t`/space, `Z`/`z` or ±HH:MM, any fraction, at most 40 bytes), then naive arithmetic.

fn leap(y: i64) -> bool {
    y % 400 == 0 || (y % 4 == 0 && y % 100 != 0)
}

fn month_len(y: i64, m: i64) -> i64 {
    [
        31,
        if leap(y) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][(m - 1) as usize]
}

/// Days from 1970-01-01 to y-m-d by counting whole years and months.
fn days_since_epoch(y: i64, m: i64, d: i64) -> i64 {
    let mut days = 0;
    if y >= 1970 {
        for yy in 1970..y {
            days += if leap(yy) { 366 } else { 365 };
        }
    } else {
        for yy in y..1970 {
            days -= if leap(yy) { 366 } else { 365 };
        }
    }
    for mm in 1..m {
        days += month_len(y, mm);
    }
    days + d - 1
}

/// y-m-d of a day count, the slow way (for the leap-second rule).
fn civil(mut days: i64) -> (i64, i64, i64) {
    let mut y = 1970;
    while days < 0 {
        y -= 1;
        days += if leap(y) { 366 } else { 365 };
    }
    loop {
        let n = if leap(y) { 366 } else { 365 };
        if days < n {
            break;
        }
        days -= n;
        y += 1;
    }
    let mut m = 1;
    while days >= month_len(y, m) {
        days -= month_len(y, m);
        m += 1;
    }
    (y, m, days + 1)
}

const MIN_MS: i64 = -62_167_219_200_000; // 0000-01-01T00:00:00Z
const MAX_MS: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

fn reference(s: &str) -> Option<i64> {
    let c: Vec<char> = s.chars().collect();
    if s.len() < 20 || s.len() > 40 {
        return None;
    }
    let digits = |from: usize, n: usize| -> Option<i64> {
        let mut v = 0;
        for k in from..from + n {
            v = v * 10 + c.get(k)?.to_digit(10).filter(|_| c[k].is_ascii_digit())? as i64;
        }
        Some(v)
    };
    let sep = |at: usize, ok: &[char]| c.get(at).is_some_and(|x| ok.contains(x));
    let seps = [
        (4, &['-'][..]),
        (7, &['-']),
        (10, &['T', 't', ' ']),
        (13, &[':']),
        (16, &[':']),
    ];
    if !seps.iter().all(|&(at, ok)| sep(at, ok)) {
        return None;
    }
    let (y, mo, d) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (h, mi, sec) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    if !(1..=12).contains(&mo) || d < 1 || d > month_len(y, mo) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac = String::new();
    if c.get(i) == Some(&'.') {
        i += 1;
        while c.get(i).is_some_and(|x| x.is_ascii_digit()) {
            frac.push(c[i]);
            i += 1;
        }
        if frac.is_empty() {
            return None;
        }
    }
    let rest: String = c[i..].iter().collect();
    let offset_min = if rest == "Z" || rest == "z" {
        0
    } else {
        let r: Vec<char> = rest.chars().collect();
        if r.len() != 6 || !['+', '-'].contains(&r[0]) || r[3] != ':' {
            return None;
        }
        let oh = digits(i + 1, 2)?;
        let om = digits(i + 4, 2)?;
        if oh > 23 || om > 59 {
            return None;
        }
        (oh * 60 + om) * if r[0] == '-' { -1 } else { 1 }
    };
    let ms: i64 = format!("{:0<3}", frac.chars().take(3).collect::<String>())
        .parse()
        .unwrap();
    let utc_59 =
        days_since_epoch(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec.min(59) - offset_min * 60;
    if sec == 60 {
        // A leap second: only at 23:59:60 UTC on a month's last day; it reads as the instant
        // after 23:59:59.999.
        let (_, _, next_day) = civil(utc_59.div_euclid(86_400) + 1);
        if utc_59.rem_euclid(86_400) != 86_399 || next_day != 1 {
            return None;
        }
    }
    let t = (utc_59 + i64::from(sec == 60)) * 1000 + ms;
    (MIN_MS..=MAX_MS).contains(&t).then_some(t)
}

// ------------------------------------------------------------------------------------------
// Generators.

/// A well-formed RFC 3339 text anywhere in 0000–9999, any offset, sometimes a leap second,
/// 0–12 fraction digits, either case.
fn well_formed() -> impl Strategy<Value = String> {
    (
        (0i64..=9999, 1i64..=12, 1i64..=31),
        (
            0i64..=23,
            0i64..=59,
            prop_oneof![8 => 0i64..=59, 2 => Just(60i64)],
        ),
        prop::collection::vec(0u8..10, 0..=12),
        prop_oneof![
            Just(None::<i64>),
            (-(23i64 * 60 + 59)..=(23 * 60 + 59)).prop_map(Some)
        ],
        (0usize..3, any::<bool>()),
    )
        .prop_map(|((y, mo, d), (h, mi, s), frac, off, (sep, lower))| {
            let d = d.min(month_len(y, mo));
            let mut t = format!(
                "{y:04}-{mo:02}-{d:02}{}{h:02}:{mi:02}:{s:02}",
                ['T', 't', ' '][sep]
            );
            if !frac.is_empty() {
                t.push('.');
                t.extend(frac.iter().map(|d| char::from(b'0' + d)));
            }
            match off {
                None => t.push(if lower { 'z' } else { 'Z' }),
                Some(m) => {
                    let sign = if m < 0 || (m == 0 && lower) { '-' } else { '+' };
                    t += &format!("{sign}{:02}:{:02}", m.abs() / 60, m.abs() % 60);
                }
            }
            t
        })
}

/// A well-formed time at one of the edges: 23:59:60 near month ends, the first and last
/// instants of the range with the largest offsets.
fn edges() -> impl Strategy<Value = String> {
    let days = prop_oneof![
        Just((0i64, 1i64, 1i64)),
        Just((9999, 12, 31)),
        Just((2016, 12, 31)),
        Just((2015, 6, 30)),
        Just((2024, 2, 29)),
        Just((2023, 2, 28)),
        (0i64..=9999, 1i64..=12).prop_map(|(y, m)| (y, m, month_len(y, m))),
    ];
    (
        days,
        prop_oneof![Just((23i64, 59i64)), Just((0, 0)), (0i64..24, 0i64..60)],
        prop_oneof![Just(60i64), Just(59), Just(0)],
        prop_oneof![
            Just("Z".to_string()),
            Just("+23:59".to_string()),
            Just("-23:59".to_string()),
            Just("+00:00".to_string()),
            Just("-00:00".to_string()),
            (0i64..24, 0i64..60, any::<bool>())
                .prop_map(|(h, m, neg)| format!("{}{h:02}:{m:02}", if neg { '-' } else { '+' })),
        ],
        prop_oneof![Just(""), Just(".999"), Just(".5"), Just(".999999999")],
    )
        .prop_map(|((y, mo, d), (h, mi), s, off, frac)| {
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{off}")
        })
}

/// A well-formed time with one character replaced, inserted or removed: mostly invalid.
fn mangled() -> impl Strategy<Value = String> {
    (
        well_formed(),
        any::<prop::sample::Index>(),
        prop::sample::select(vec![
            '0', '1', '2', '3', '5', '6', '9', '-', ':', '.', 'T', 't', 'Z', 'z', '+', ' ', 'x',
            '٣', '０', 'é',
        ]),
        0u8..3,
    )
        .prop_map(|(s, at, c, how)| {
            let mut chars: Vec<char> = s.chars().collect();
            let i = at.index(chars.len() + 1);
            match how {
                0 if i < chars.len() => chars[i] = c,
                1 => chars.insert(i, c),
                _ if i < chars.len() => {
                    chars.remove(i);
                }
                _ => chars.push(c),
            }
            chars.into_iter().collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Accepted ⇔ the reference accepts, at exactly the reference's instant.
    #[test]
    fn parser_matches_the_reference(s in prop_oneof![4 => well_formed(), 2 => edges(), 3 => mangled()]) {
        prop_assert_eq!(parse_rfc3339(&s).map(|t| t.0), reference(&s), "{:?}", s);
    }

    /// Every accepted time is written back as a time that reads as the same instant.
    #[test]
    fn accepted_times_round_trip(s in prop_oneof![well_formed(), edges()]) {
        if let Some(t) = parse_rfc3339(&s) {
            let written = format_rfc3339(t);
            prop_assert_eq!(parse_rfc3339(&written), Some(t), "{} → {}", s, written);
        }
    }

    /// Any instant in range formats and parses back to itself; one outside the range (only
    /// arithmetic can make one) is written as the nearest end of the range, not another date.
    #[test]
    fn instants_round_trip_and_clamp(ms in prop_oneof![
        MIN_MS..=MAX_MS,
        any::<i64>(),
        Just(i64::MIN), Just(i64::MAX), Just(MIN_MS - 1), Just(MAX_MS + 1),
    ]) {
        let written = format_rfc3339(Timestamp(ms));
        prop_assert_eq!(parse_rfc3339(&written), Some(Timestamp(ms.clamp(MIN_MS, MAX_MS))), "{}", written);
    }

    /// A window's start is never after its end and moves back as the window grows, for any
    /// `now` an i64 can hold and any length, however large.
    #[test]
    fn window_starts_never_wrap(
        now in prop_oneof![MIN_MS..=MAX_MS, any::<i64>(), Just(MIN_MS), Just(MAX_MS)],
        a in window_length(),
        b in window_length(),
    ) {
        let t = Timestamp(now);
        let (short, long) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(t.days_before(short) <= t);
        prop_assert!(t.days_before(long) <= t.days_before(short));
        prop_assert!(t.hours_before(long) <= t.hours_before(short));
        prop_assert!(t.days_until(Timestamp(i64::MAX)) >= 0.0);
        prop_assert!(Timestamp(i64::MAX).days_until(t) <= 0.0);
    }
}

fn window_length() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0f64..1e4,
        Just(1e9),
        Just(1e15),
        Just(1e300),
        Just(f64::MAX),
        (0.0f64..1.0).prop_map(|x| x * 1e308),
    ]
}

#[test]
fn reference_agrees_with_known_instants() {
    // Unix times known independently (e.g. `date -u -d … +%s`).
    for (s, ms) in [
        ("1970-01-01T00:00:00Z", 0),
        ("0000-01-01T00:00:00Z", MIN_MS),
        ("9999-12-31T23:59:59.999Z", MAX_MS),
        ("2000-03-01T00:00:00Z", 951_868_800_000),
        ("2016-12-31T23:59:60Z", 1_483_228_800_000),
        ("2016-12-31T15:59:60-08:00", 1_483_228_800_000),
        ("1969-12-31T23:59:59.999Z", -1),
        ("2026-11-23T12:00:00+23:59", 1_795_348_860_000),
        ("2026-11-23T12:00:00-23:59", 1_795_521_540_000),
    ] {
        assert_eq!(reference(s), Some(ms), "{s}");
        assert_eq!(parse_rfc3339(s), Some(Timestamp(ms)), "{s}");
    }
    for s in [
        "0000-01-01T00:00:00+00:01", // 0000-12-31T23:59 of year −1
        "9999-12-31T23:59:59-00:01", // year 10000
        "9999-12-31T23:59:60Z",      // its leap second would be in year 10000
        "2026-11-23T12:34:60Z",      // no leap second at 12:34
        "2016-12-30T23:59:60Z",      // not the last day of the month
        "2016-12-31T23:59:60+01:00", // 22:59:60 UTC
    ] {
        assert_eq!(reference(s), None, "{s}");
        assert_eq!(parse_rfc3339(s), None, "{s}");
    }
}

/// A rejected time is an `invalid_time` error with the field's path in every document.
#[test]
fn rejected_times_are_invalid_time() {
    for bad in [
        "2026-11-23T12:34:60Z",
        "0000-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
    ] {
        let profile = json!({"schema": "unisono.profile/1", "id": "c",
            "events": [{"type": "view", "sku": "A", "channel": "web", "ts": bad}]});
        let e = Profile::from_json(&profile.to_string()).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.path.as_str()),
            ("invalid_time", "events[0].ts"),
            "{bad}"
        );
        let offers = json!({"schema": "unisono.offers/1", "offers": [{"id": "o", "name": "o",
            "content": {"en": {"title": "t"}}, "valid_to": bad}]});
        let e = unisono::offers::Offers::from_json(&offers.to_string()).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.path.as_str()),
            ("invalid_time", "offers[0].valid_to"),
            "{bad}"
        );
    }
}

// ------------------------------------------------------------------------------------------
// Windows in rules and caps, end to end.

fn catalog() -> Catalog {
    Catalog::from_json(
        r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","category":["C"],"price":1}]}"#,
    )
    .unwrap()
}

/// A profile with a view and a purchase `age_ms` before `now`.
fn profile_at(now: i64, age_ms: i64) -> Profile {
    let ts = format_rfc3339(Timestamp(now - age_ms));
    Profile::from_json(
        &json!({"schema": "unisono.profile/1", "id": "c", "consents": {"personalization": true},
            "events": [{"type": "view", "sku": "A", "channel": "web", "ts": ts},
                       {"type": "offer_impression", "offer": "O", "channel": "web", "ts": ts}]})
        .to_string(),
    )
    .unwrap()
}

fn eval(rule: serde_json::Value, profile: &Profile, now: i64) -> bool {
    let c = catalog();
    let now = Timestamp(now);
    let w = Window::resolve(profile.window(now, 100_000), |s| c.get(s), |_| 1.0);
    let env = Env::new(
        profile,
        &w,
        &c,
        now,
        Channel::Web,
        Placement::Home,
        None,
        None,
    );
    truthy(&env.eval(&Rule::parse(&rule, "r").unwrap()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// An event `age` ago is inside a window of `days` exactly when age ≤ days, for `now`
    /// anywhere in 0000–9999 and windows up to f64::MAX (before: `now − days` wrapped round
    /// for huge windows before 1970, so nothing was ever counted).
    #[test]
    fn rule_windows_hold_at_the_extremes(
        now in prop_oneof![MIN_MS + 86_400_000..=MAX_MS, Just(MIN_MS + 86_400_000), Just(MAX_MS), Just(-1i64)],
        age_days in 0i64..=1,
        days in window_length(),
    ) {
        let age = age_days * 86_400_000;
        prop_assume!(now - age >= MIN_MS);
        let p = profile_at(now, age);
        let inside = (age as f64) <= days * 86_400_000.0;
        let count = json!({">=": [{"event_count": {"type": "view", "within_days": days}}, 1]});
        if days > 0.0 {
            prop_assert_eq!(eval(count, &p, now), inside, "now {} days {}", now, days);
            let hours = days * 24.0;
            prop_assume!(hours.is_finite());
            let seen = json!({"viewed_not_bought": {"within_hours": hours}});
            prop_assert_eq!(eval(seen, &p, now), inside, "now {} hours {}", now, hours);
        }
    }
}

/// An offer capped at one impression in a window of `days`: an impression an hour before
/// `now` always caps it, whatever `now` and however long the window.
#[test]
fn cap_windows_hold_at_the_extremes() {
    let catalog =
        json!({"schema": "unisono.catalog/1", "items": [{"sku": "A", "title": "a", "price": 1}]});
    cap_windows_with(&catalog.to_string(), &one_event_model());
}

fn one_event_model() -> String {
    let events = unisono::builder::parse_events(
        "user_id,sku,ts,type\nu1,A,2026-01-01T00:00:00Z,purchase\n",
        unisono::builder::Format::Csv,
    )
    .unwrap();
    unisono::builder::build(&events, &Default::default(), "m", &mut |_, _, _| {})
        .unwrap()
        .to_artifact("m")
        .to_json()
}

fn cap_windows_with(catalog: &str, model: &str) {
    for days in [1e-3, 1.0, 1e9, 1e15, 1e300, f64::MAX] {
        let offers = json!({"schema": "unisono.offers/1", "offers": [{"id": "O", "name": "o",
            "marketing": false, "content": {"en": {"title": "t"}}, "caps": [{"max": 1, "days": days}]}]});
        let engine = unisono::Engine::with_offers(
            catalog,
            model,
            r#"{"schema":"unisono.config/1"}"#,
            Some(&offers.to_string()),
        )
        .unwrap();
        for now in [
            MIN_MS + 3_600_000,
            -1_000_000_000_000,
            -1,
            0,
            1_795_348_800_000,
            MAX_MS,
        ] {
            let p = profile_at(now, 3_600_000.min((days * 86_400_000.0) as i64 / 2));
            let ctx = json!({"channel": "web", "now": format_rfc3339(Timestamp(now))}).to_string();
            let d = engine.decide_json(&p.to_json(), &ctx).unwrap();
            let why: Vec<_> = d.suppressed_offers.iter().map(|n| n.code).collect();
            assert_eq!(
                why,
                ["capped"],
                "days {days} now {now}: {:?}",
                d.suppressed_offers
            );
        }
    }
}
