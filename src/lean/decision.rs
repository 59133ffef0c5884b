//! The decision JSON written without serde: the bytes of [`crate::Decision::to_json`] (serde_json
//! with the canonical formatter), field by field in the structs' declaration order, optional
//! fields left out when absent as `skip_serializing_if` does.

use super::write::{self, bool as boolean, float, int, key, list, opt_string, string, time};
use crate::decide::{Decision, Versions};
use crate::offers::{Assignments, NotShown, ShownOffer};
use crate::recommend::{Reason, Recommendation};

/// The canonical decision JSON (`Decision::to_json`: no `-0`).
pub fn write(d: &Decision) -> String {
    write_with(d, true)
}

/// The decision JSON; `canonical: false` gives `serde_json::to_string`'s bytes (`-0.0` kept).
pub fn write_with(d: &Decision, canonical: bool) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("{\"decisionId\":");
    string(&mut out, &d.decision_id);
    key(&mut out, "stateId");
    string(&mut out, &d.state_id);
    key(&mut out, "profileId");
    string(&mut out, &d.profile_id);
    key(&mut out, "channel");
    string(&mut out, d.channel.as_str());
    key(&mut out, "placement");
    string(&mut out, d.placement.as_str());
    opt_string(&mut out, "store", &d.store);
    key(&mut out, "now");
    time(&mut out, d.now);
    key(&mut out, "personalized");
    boolean(&mut out, d.personalized);
    key(&mut out, "recommendations");
    list(&mut out, &d.recommendations, |o, r| {
        recommendation(o, r, canonical)
    });
    key(&mut out, "offers");
    list(&mut out, &d.offers, |o, s| shown(o, s, canonical));
    key(&mut out, "suppressedOffers");
    list(&mut out, &d.suppressed_offers, not_shown);
    key(&mut out, "assignments");
    assignments(&mut out, &d.assignments);
    key(&mut out, "impressions");
    list(&mut out, &d.impressions, |o, e| {
        write::event(o, e, canonical)
    });
    key(&mut out, "versions");
    versions(&mut out, &d.versions);
    out.push('}');
    out
}

fn recommendation(out: &mut String, r: &Recommendation, canonical: bool) {
    out.push_str("{\"sku\":");
    string(out, &r.sku);
    key(out, "title");
    string(out, &r.title);
    key(out, "score");
    float(out, r.score, canonical);
    key(out, "strategy");
    string(out, r.strategy.as_str());
    key(out, "reasons");
    list(out, &r.reasons, reason);
    out.push('}');
}

fn reason(out: &mut String, r: &Reason) {
    out.push_str("{\"code\":");
    string(out, r.code);
    key(out, "text");
    string(out, &r.text);
    opt_string(out, "sku", &r.sku);
    if let Some(c) = r.channel {
        key(out, "channel");
        string(out, c.as_str());
    }
    opt_string(out, "store", &r.store);
    if let Some(t) = r.at {
        key(out, "at");
        time(out, t);
    }
    if let Some(n) = r.days_ago {
        key(out, "daysAgo");
        int(out, n);
    }
    if let Some(n) = r.count {
        key(out, "count");
        int(out, n);
    }
    out.push('}');
}

fn shown(out: &mut String, s: &ShownOffer, canonical: bool) {
    out.push_str("{\"id\":");
    string(out, &s.id);
    key(out, "name");
    string(out, &s.name);
    key(out, "score");
    float(out, s.score, canonical);
    let p = &s.score_parts;
    out.push_str(",\"scoreParts\":{\"propensity\":");
    float(out, p.propensity, canonical);
    key(out, "contextWeight");
    float(out, p.context_weight, canonical);
    key(out, "value");
    float(out, p.value, canonical);
    key(out, "lever");
    float(out, p.lever, canonical);
    out.push('}');
    key(out, "locale");
    string(out, &s.locale);
    let c = &s.content;
    out.push_str(",\"content\":{\"title\":");
    string(out, &c.title);
    key(out, "body");
    string(out, &c.body);
    opt_string(out, "image", &c.image);
    opt_string(out, "cta", &c.cta);
    opt_string(out, "code", &c.code);
    out.push('}');
    key(out, "reasons");
    list(out, &s.reasons, |o, r| {
        o.push_str("{\"code\":");
        string(o, r.code);
        key(o, "text");
        string(o, &r.text);
        o.push('}');
    });
    out.push('}');
}

fn not_shown(out: &mut String, n: &NotShown) {
    out.push_str("{\"id\":");
    string(out, &n.id);
    key(out, "code");
    string(out, n.code);
    key(out, "detail");
    string(out, &n.detail);
    out.push('}');
}

fn assignments(out: &mut String, a: &Assignments) {
    out.push_str("{\"controlGroup\":");
    boolean(out, a.control_group);
    key(out, "holdouts");
    list(out, &a.holdouts, |o, h| string(o, h));
    out.push('}');
}

fn versions(out: &mut String, v: &Versions) {
    out.push_str("{\"engine\":");
    string(out, &v.engine);
    key(out, "catalog");
    string(out, &v.catalog);
    key(out, "model");
    string(out, &v.model);
    key(out, "config");
    string(out, &v.config);
    key(out, "offers");
    string(out, &v.offers);
    out.push('}');
}
