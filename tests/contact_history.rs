//! Contact history is not browsing history: caps, suppression and the daily limit count offer
//! events in their own window, `exclude_purchased` holds for every purchase, and `track` at the
//! event cap stays cheap.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::fs;
use std::sync::OnceLock;
use std::time::Instant;
use unisono::decide::{parse_context, Session};
use unisono::profile::{Profile, MAX_EVENTS};
use unisono::time::{format_rfc3339, Timestamp};
use unisono::{Decision, Engine};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample");
/// 2026-11-23T12:00:00Z: every decision here is made at this `now`.
const NOW: i64 = 1_795_435_200_000;
/// The test config's browsing window: a handful of views is enough to push anything out of it.
const WINDOW: usize = 8;
const OFFER_IDS: [&str; 5] = ["CAP1", "CAP3", "DISMISS", "PLAIN", "REDEEM"];

fn read(name: &str) -> String {
    fs::read_to_string(format!("{DIR}/{name}")).unwrap()
}

fn skus() -> &'static Vec<String> {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        let c: Value = serde_json::from_str(&read("catalog.json")).unwrap();
        c["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["sku"].as_str().unwrap().to_string())
            .collect()
    })
}

/// Offers covering every contact rule: caps, the daily limit, redeemed / dismissed / ignored
/// suppression and a fallback. No eligibility rules and no marketing flag, so whether an
/// offer is capped or suppressed can depend on nothing but its contact history.
fn contact_offers() -> String {
    let offer = |id: &str, extra: Value| {
        let mut o =
            json!({"id": id, "name": id, "content": {"en": {"title": id}}, "marketing": false});
        for (k, v) in extra.as_object().unwrap() {
            o[k] = v.clone();
        }
        o
    };
    json!({"schema": "unisono.offers/1", "version": "contact", "max_offers_per_day": 2, "offers": [
        offer("CAP1", json!({"caps": [{"max": 1, "days": 7}], "value": 3, "targets": {"categories": ["Beauty"]}})),
        offer("CAP3", json!({"caps": [{"max": 3, "days": 2}], "value": 2,
            "suppress": {"max_impressions_without_click": 4}, "targets": {"categories": ["Electronics"]}})),
        offer("DISMISS", json!({"suppress": {"dismissed_cooldown_days": 10}, "value": 1.5})),
        offer("PLAIN", json!({"value": 0.5, "targets": {"skus": [skus()[0].clone()]}})),
        offer("REDEEM", json!({"suppress": {"after_redeemed": true}, "value": 1.2})),
        offer("WELCOME", json!({"fallback": true})),
    ]})
    .to_string()
}

/// A browsing window of [`WINDOW`] events, every strategy that excludes purchases by default,
/// 100 recommendation slots and 3 offer slots.
fn small_window_engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let strategies = json!([
            {"strategy": "continue_journey"}, {"strategy": "personalized", "weight": 0.8},
            {"strategy": "bought_together", "weight": 0.6}, {"strategy": "similar_items", "weight": 0.3},
            {"strategy": "trending", "weight": 0.2}, {"strategy": "popular", "weight": 0.1}
        ]);
        let config = json!({"schema": "unisono.config/1", "affinity": {"max_events": WINDOW},
            "placements": {"home": {"slots": 100, "offers": 3, "strategies": strategies}},
            "rules": {"max_per_category": null}});
        Engine::with_offers(
            &read("catalog.json"),
            &read("model.json"),
            &config.to_string(),
            Some(&contact_offers()),
        )
        .unwrap()
    })
}

/// The sample retailer (2,000-event window, its own offers with rules and marketing flags).
fn sample_engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        Engine::with_offers(
            &read("catalog.json"),
            &read("model.json"),
            &read("config.json"),
            Some(&read("offers.json")),
        )
        .unwrap()
    })
}

fn ts(minutes_before_now: i64) -> String {
    format_rfc3339(Timestamp(NOW - minutes_before_now * 60_000))
}

/// An offer event within the last 30 days.
fn contact_event() -> impl Strategy<Value = Value> {
    (
        0usize..4,
        0..OFFER_IDS.len(),
        0i64..(30 * 24 * 60),
        0usize..3,
    )
        .prop_map(|(kind, offer, minutes, channel)| {
            let kinds = [
                "offer_impression",
                "offer_click",
                "offer_redeemed",
                "offer_dismissed",
            ];
            let channel = ["web", "app", "kiosk"][channel];
            json!({"type": kinds[kind], "offer": OFFER_IDS[offer],
                "channel": channel, "store": "lon-oxford", "ts": ts(minutes)})
        })
}

/// A view, cart or purchase within the last 60 days (before, between and after the contacts).
fn browsing_event() -> impl Strategy<Value = Value> {
    (0..skus().len(), 0usize..3, 0i64..(60 * 24 * 60)).prop_map(|(sku, kind, minutes)| {
        let kind = ["view", "add_to_cart", "purchase"][kind];
        json!({"type": kind, "sku": skus()[sku], "channel": "web", "ts": ts(minutes)})
    })
}

fn profile(personalization: bool, events: &[Value]) -> String {
    json!({"schema": "unisono.profile/1", "id": "cust-contact",
        "consents": {"personalization": personalization, "marketing": true},
        "events": events})
    .to_string()
}

fn decide(engine: &Engine, profile: &str) -> Decision {
    let ctx = json!({"channel": "web", "placement": "home", "now": ts(0)}).to_string();
    engine.decide_json(profile, &ctx).unwrap()
}

/// What contact history decides: every offer capped or suppressed, with its detail.
fn contact_verdicts(d: &Decision) -> Vec<(String, &'static str, String)> {
    d.suppressed_offers
        .iter()
        .filter(|n| n.code == "capped" || n.code == "suppressed")
        .map(|n| (n.id.clone(), n.code, n.detail.clone()))
        .collect()
}

/// Everything about offers in a decision.
fn offer_outcome(d: &Decision) -> String {
    serde_json::to_string(&(
        &d.offers,
        &d.suppressed_offers,
        &d.assignments,
        &d.impressions,
    ))
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Caps, suppression and the daily limit read contact history only: adding any number of
    /// views, carts and purchases, older or newer than the offer events, changes none of them,
    /// with or without consent (before the fix, a few views pushed the offer events out of the
    /// browsing window and reset the caps).
    #[test]
    fn browsing_never_changes_a_cap_or_a_suppression(
        contacts in prop::collection::vec(contact_event(), 1..24),
        browsing in prop::collection::vec(browsing_event(), 0..6),
        extra in prop::collection::vec(browsing_event(), 1..60),
        personalization in any::<bool>(),
    ) {
        let e = small_window_engine();
        let base: Vec<Value> = contacts.iter().chain(&browsing).cloned().collect();
        let more: Vec<Value> = base.iter().chain(&extra).cloned().collect();
        let a = decide(e, &profile(personalization, &base));
        let b = decide(e, &profile(personalization, &more));
        prop_assert_eq!(contact_verdicts(&a), contact_verdicts(&b));
        // The same holds through a Session, tracking the extra browsing one event at a time.
        let mut s = Session::from_json(&profile(personalization, &base)).unwrap();
        for ev in &extra {
            s.track(&ev.to_string()).unwrap();
        }
        let ctx = parse_context(e, &json!({"channel": "web", "placement": "home", "now": ts(0)}).to_string()).unwrap();
        prop_assert_eq!(contact_verdicts(&a), contact_verdicts(&e.decide_session(&s, &ctx)));
    }

    /// Without personalization consent, browsing changes nothing about offers: eligibility
    /// rules are not read (`no_consent`), propensity is 0.5, and contact history is not
    /// browsing. Checked on the test offers and on the sample retailer's.
    #[test]
    fn without_consent_browsing_never_changes_the_offers(
        contacts in prop::collection::vec(contact_event(), 0..24),
        browsing in prop::collection::vec(browsing_event(), 0..6),
        extra in prop::collection::vec(browsing_event(), 1..60),
    ) {
        let base: Vec<Value> = contacts.iter().chain(&browsing).cloned().collect();
        let more: Vec<Value> = base.iter().chain(&extra).cloned().collect();
        for e in [small_window_engine(), sample_engine()] {
            let a = decide(e, &profile(false, &base));
            let b = decide(e, &profile(false, &more));
            prop_assert_eq!(offer_outcome(&a), offer_outcome(&b));
        }
    }

    /// `exclude_purchased` holds for every purchase up to `now`, however many events came
    /// after it (before the fix, only purchases in the browsing window were excluded).
    #[test]
    fn a_purchased_sku_is_never_recommended(
        history in prop::collection::vec(browsing_event(), 1..200),
        padding in 0usize..40,
    ) {
        let mut events = history;
        // Recent views of the most popular items, after everything else: the purchases fall
        // out of the browsing window while popular / trending would bring them back.
        for i in 0..padding {
            events.push(json!({"type": "view", "sku": skus()[i % skus().len()], "channel": "web", "ts": ts(0)}));
        }
        let bought: BTreeSet<&str> = events
            .iter()
            .filter(|e| e["type"] == "purchase")
            .map(|e| e["sku"].as_str().unwrap())
            .collect();
        let d = decide(small_window_engine(), &profile(true, &events));
        prop_assert!(!d.recommendations.is_empty());
        for r in &d.recommendations {
            prop_assert!(!bought.contains(r.sku.as_str()), "{} was bought", r.sku);
        }
    }
}

/// The contact window is bounded on its own: an impression stays counted behind a full
/// browsing window of the sample config (2,000 events) and more.
#[test]
fn an_impression_behind_thousands_of_views_still_caps() {
    let e = small_window_engine();
    let mut events = vec![
        json!({"type": "offer_impression", "offer": "CAP1", "channel": "email", "ts": ts(24 * 60)}),
    ];
    for i in 0..5_000 {
        events.push(json!({"type": "view", "sku": skus()[i % skus().len()], "channel": "web", "ts": ts(60 - (i as i64 % 60))}));
    }
    let d = decide(e, &profile(true, &events));
    assert!(
        contact_verdicts(&d)
            .iter()
            .any(|(id, code, _)| id == "CAP1" && *code == "capped"),
        "{:?}",
        d.suppressed_offers
    );
    assert!(!d.offers.iter().any(|o| o.id == "CAP1"));
}

fn full_profile(n: usize) -> String {
    let mut events = Vec::with_capacity(n);
    for i in 0..n {
        let ts = unisono::time::format_rfc3339(unisono::time::Timestamp(
            1_700_000_000_000 + i as i64 * 1000,
        ));
        events.push(format!(
            r#"{{"type":"view","sku":"S{}","channel":"web","ts":"{ts}"}}"#,
            i % 50
        ));
    }
    format!(
        r#"{{"schema":"unisono.profile/1","id":"c1","events":[{}]}}"#,
        events.join(",")
    )
}

fn event_at(i: usize) -> String {
    let ts = unisono::time::format_rfc3339(unisono::time::Timestamp(
        1_800_000_000_000 + i as i64 * 1000,
    ));
    format!(
        r#"{{"type":"view","sku":"T{}","channel":"app","ts":"{ts}"}}"#,
        i % 7
    )
}

/// Time of `track` at the cap, for the report (no timed assertion):
/// `cargo test --test contact_history -- --ignored --nocapture track_at_cap_timing`.
#[test]
#[ignore]
fn track_at_cap_timing() {
    let text = full_profile(MAX_EVENTS);
    let n = 3_000;
    let mut profile = Profile::from_json(&text).unwrap();
    let t = Instant::now();
    for i in 0..n {
        profile.track(&event_at(i)).unwrap();
    }
    let per = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("Profile::track at the cap: {per:.1} µs per event ({n} events)");
    let mut session = Session::from_json(&text).unwrap();
    let t = Instant::now();
    for i in 0..n {
        session.track(&event_at(n + i)).unwrap();
    }
    let per = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("Session::track at the cap: {per:.1} µs per event ({n} events)");
}

// ---------------------------------------------------------------------------------------------
// A `Session` keeps an index of its history (offer contacts, earliest purchase per sku) so a
// decision never walks every event. Whatever order events are tracked in, its decisions must be
// byte for byte those of `Engine::decide` on the exported profile read back, which walks them.

/// A time on a coarse grid (6-hour steps from 2 days after `now` to 30 days before it), so
/// tracked events often share a timestamp with others and with a decision's `now`; now and then
/// years before everything else.
fn grid_ts() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => (-8i64..120).prop_map(|k| ts(k * 360)),
        1 => (0i64..3).prop_map(|k| ts(5 * 365 * 24 * 60 + k)),
    ]
}

/// The skus recommended first to a customer with no history: buying one of these changes the
/// recommendations, as long as `exclude_purchased` sees the purchase.
fn recommended_skus() -> &'static Vec<String> {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        let d = decide(small_window_engine(), &profile(true, &[]));
        d.recommendations
            .iter()
            .take(6)
            .map(|r| r.sku.clone())
            .collect()
    })
}

/// A view, cart or purchase of one of a few [`recommended_skus`]: the same sku is often
/// bought more than once, before and after a decision's `now`.
fn recommended_sku_event() -> impl Strategy<Value = Value> {
    (0..recommended_skus().len(), 0usize..3).prop_map(|(sku, kind)| {
        let kind = ["view", "add_to_cart", "purchase"][kind];
        json!({"type": kind, "sku": recommended_skus()[sku], "channel": "web", "ts": ts(0)})
    })
}

/// Any event a session tracks: views, carts, purchases and offer events, at [`grid_ts`].
fn tracked_event() -> impl Strategy<Value = Value> {
    (
        prop_oneof![contact_event(), browsing_event(), recommended_sku_event()],
        grid_ts(),
        0usize..3,
    )
        .prop_map(|(mut e, ts, channel)| {
            e["ts"] = json!(ts);
            let channel = ["web", "app", "kiosk"][channel];
            e["channel"] = json!(channel);
            e
        })
}

fn context_json(now: &str, channel: usize) -> String {
    let channel = ["web", "app"][channel % 2];
    json!({"channel": channel, "placement": "home", "now": now}).to_string()
}

/// The session's decision and the plain one on its exported profile, read back.
fn assert_session_decides_like_export(
    engine: &Engine,
    s: &Session,
    ctx_json: &str,
) -> Result<(), TestCaseError> {
    let ctx = parse_context(engine, ctx_json).unwrap();
    let reparsed = Profile::from_json(&s.profile().to_json()).unwrap();
    let session = engine.decide_session(s, &ctx).to_json();
    let plain = engine.decide(&reparsed, &ctx).to_json();
    prop_assert_eq!(session, plain, "at {}", ctx_json);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Tracks in any time order (newest, among equal timestamps, older than everything,
    /// identical to an earlier event, after `now`), decided at `now` values before, between,
    /// equal to and after the events: the session's index gives the decision of the walk.
    #[test]
    fn a_tracked_session_decides_like_its_export(
        initial in prop::collection::vec(tracked_event(), 0..20),
        tracked in prop::collection::vec((tracked_event(), any::<bool>()), 1..40),
        nows in prop::collection::vec((grid_ts(), 0usize..2), 4),
        personalization in any::<bool>(),
    ) {
        let e = small_window_engine();
        let mut s = Session::from_json(&profile(personalization, &initial)).unwrap();
        for (k, (ev, repeat)) in tracked.iter().enumerate() {
            s.track(&ev.to_string()).unwrap();
            if *repeat {
                // The same event again: identical events side by side.
                s.track(&ev.to_string()).unwrap();
            }
            if k % 8 == 7 || k + 1 == tracked.len() {
                for (now, channel) in &nows {
                    assert_session_decides_like_export(e, &s, &context_json(now, *channel))?;
                }
            }
        }
    }
}

/// A profile of `n` events, one a minute up to `now`: every seventh an offer event (more than
/// [`unisono::offers::MAX_CONTACT_EVENTS`] of them at the cap), every eleventh a purchase, the
/// rest views. One redemption of REDEEM sits `redeem_back` contacts before the newest. Written
/// as text: 100,000 `Value`s would take seconds in a debug build.
fn long_profile(n: usize, redeem_back: usize) -> String {
    let contacts = n.div_ceil(7);
    let events: Vec<String> = (0..n)
        .map(|i| {
            let ts = ts((n - i) as i64);
            let sku = &skus()[(i * 31) % skus().len()];
            if i % 7 == 0 {
                let (kind, offer) = if i / 7 == contacts - redeem_back {
                    ("offer_redeemed", "REDEEM")
                } else {
                    let k = (i / 7) % 4;
                    (
                        [
                            "offer_impression",
                            "offer_click",
                            "offer_impression",
                            "offer_dismissed",
                        ][k],
                        ["CAP1", "CAP3", "DISMISS", "PLAIN"][k],
                    )
                };
                format!(r#"{{"type":"{kind}","offer":"{offer}","channel":"web","ts":"{ts}"}}"#)
            } else {
                let kind = if i % 11 == 0 { "purchase" } else { "view" };
                format!(r#"{{"type":"{kind}","sku":"{sku}","channel":"web","ts":"{ts}"}}"#)
            }
        })
        .collect();
    format!(
        r#"{{"schema":"unisono.profile/1","id":"cust-contact","consents":{{"personalization":true,"marketing":true}},"events":[{}]}}"#,
        events.join(",")
    )
}

/// Across the event cap. A full session takes an event older than everything (it drops out
/// with the batch at once), events among old ones and at equal times, then new contacts through
/// a second batch drop: its index stays the one built from its events. The one redemption
/// starts just inside the contact window and new contacts push it out: on both sides of that
/// edge, and at the end against its export read back, the session decides like the walk over
/// the events. (Each plain decision hashes 100,000 events, about a second in a debug build, so
/// they are few.)
#[test]
fn a_session_across_the_event_cap_decides_like_its_export() {
    use unisono::decide::HistoryIndex;
    use unisono::offers::MAX_CONTACT_EVENTS;
    use unisono::profile::TRACK_DROP_BATCH;
    let e = small_window_engine();
    let n = MAX_EVENTS;
    let mut s = Session::from_json(&long_profile(n, MAX_CONTACT_EVENTS - 3)).unwrap();
    let at = |now: &str, channel: usize| parse_context(e, &context_json(now, channel)).unwrap();
    let (now, later, inside) = (at(&ts(0), 0), at(&ts(-600), 1), at(&ts(n as i64 / 2), 0));
    let redeemed = |s: &Session, ctx| {
        e.decide_session(s, ctx)
            .suppressed_offers
            .iter()
            .any(|x| x.id == "REDEEM" && x.detail == "already redeemed")
    };
    let index_is_rebuilt = |s: &Session, label: &str| {
        assert!(
            *s.index() == HistoryIndex::new(&s.profile().events),
            "{label}: the index is the one built from the events"
        );
    };
    let same = |s: &Session, plain: &Profile, ctx, label: &str| {
        assert_eq!(
            e.decide_session(s, ctx).to_json(),
            e.decide(plain, ctx).to_json(),
            "{label}"
        );
    };
    assert!(redeemed(&s, &now) && redeemed(&s, &later));
    let steps = [
        json!({"type": "view", "sku": skus()[1], "channel": "web", "ts": ts(10_000_000)}),
        json!({"type": "purchase", "sku": skus()[2], "channel": "web", "ts": ts(n as i64 - 3)}),
        json!({"type": "offer_click", "offer": "CAP3", "channel": "web", "ts": ts(n as i64 / 3)}),
        json!({"type": "view", "sku": skus()[3], "channel": "app", "ts": ts(1)}),
        json!({"type": "offer_impression", "offer": "CAP1", "channel": "app", "ts": ts(1)}),
    ];
    for (k, ev) in steps.iter().enumerate() {
        s.track(&ev.to_string()).unwrap();
        index_is_rebuilt(&s, &format!("step {k}"));
    }
    assert_eq!(s.profile().events.len(), MAX_EVENTS - TRACK_DROP_BATCH + 4);
    // The redemption is now the 9,999th contact from the newest: two more push it out, seen
    // from `later` but not from `now` (the new contacts are after it).
    let mut flipped = None;
    for i in 0..TRACK_DROP_BATCH + 10 {
        s.track(
            &json!({"type": "offer_impression", "offer": "PLAIN", "channel": "app", "ts": ts(-1 - (i as i64 / 3))})
                .to_string(),
        )
        .unwrap();
        if i < 4 || (TRACK_DROP_BATCH - 6..TRACK_DROP_BATCH).contains(&i) || i % 300 == 0 {
            index_is_rebuilt(&s, &format!("new contact {i}"));
        }
        if flipped.is_none() {
            assert!(redeemed(&s, &now), "{i}");
            if redeemed(&s, &later) {
                same(&s, s.profile(), &later, "inside the edge");
            } else {
                same(&s, s.profile(), &later, "past the edge");
                flipped = Some(i);
            }
        }
    }
    assert_eq!(
        flipped,
        Some(1),
        "the second new contact pushes the redemption out"
    );
    assert!(
        s.profile().events.len() < MAX_EVENTS - TRACK_DROP_BATCH + 20,
        "a second batch dropped"
    );
    let reparsed = Profile::from_json(&s.profile().to_json()).unwrap();
    same(&s, &reparsed, &inside, "the export read back");
}
