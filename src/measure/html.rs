//! The self-contained HTML report: one file, inline CSS and SVG, no script, no external
//! resource (its Content-Security-Policy forbids them), so it can be mailed or archived as is.
//!
//! Charts: `svg.forest` has one `rect.ci` (the interval) and one `circle.est` (the estimate)
//! per revenue comparison with an estimate, by offer and channel; each `svg.curve` is one
//! comparison's daily cumulative uplift (a `polygon.band` for the interval, a `polyline.est`).

use super::report::{Comparison, Metric, Report};
use std::fmt::Write;

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222;padding:0 1em}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:right}\
td:first-child,th:first-child{text-align:left}.flag{color:#b00;font-weight:bold}.note{color:#555}\
svg text{font:11px system-ui,sans-serif;fill:#333}.ci{fill:#999}.ci.up{fill:#2a7}.ci.down{fill:#c33}\
.est{fill:#000}.zero{stroke:#555;stroke-dasharray:3 3}.band{fill:#8cd;opacity:.5}polyline.est{fill:none;stroke:#046;stroke-width:1.5}";

/// Rows of the forest plot: (label, metric) for every revenue comparison with an estimate.
pub fn forest_rows(r: &Report) -> Vec<(String, &Metric)> {
    let mut groups: Vec<(String, &Comparison)> = Vec::new();
    if let Some(p) = &r.offers.programme {
        groups.push(("all offers vs control".into(), p));
    }
    for o in &r.offers.items {
        if let Some(c) = &o.vs_holdout {
            groups.push((format!("{} vs holdout", o.id), c));
        }
    }
    let mut rows = Vec::new();
    for (label, c) in groups {
        for m in c
            .metrics
            .iter()
            .filter(|m| m.metric == "revenue" && m.absolute.is_some())
        {
            rows.push((format!("{label} · {}", m.channel), m));
        }
    }
    rows
}

fn forest(r: &Report, o: &mut String) {
    let rows = forest_rows(r);
    if rows.is_empty() {
        o.push_str("<p class=\"note\">No revenue comparison has enough data for a chart.</p>");
        return;
    }
    let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
    for (_, m) in &rows {
        if let Some(a) = m.absolute {
            lo = lo.min(a.low);
            hi = hi.max(a.high);
        }
    }
    let span = if hi - lo > 0.0 { hi - lo } else { 1.0 };
    let (left, width, row_h) = (260.0, 460.0, 22.0);
    let x = |v: f64| left + (v - lo) / span * width;
    let h = rows.len() as f64 * row_h + 40.0;
    let _ = write!(
        o,
        "<svg class=\"forest\" role=\"img\" aria-label=\"revenue uplift per customer with 95% intervals\" width=\"{}\" height=\"{h}\" viewBox=\"0 0 {} {h}\">",
        left + width + 20.0,
        left + width + 20.0
    );
    let _ = write!(
        o,
        "<line class=\"zero\" x1=\"{z:.1}\" x2=\"{z:.1}\" y1=\"0\" y2=\"{}\"/>",
        h - 30.0,
        z = x(0.0)
    );
    for (i, (label, m)) in rows.iter().enumerate() {
        let Some(a) = m.absolute else { continue };
        let y = i as f64 * row_h + 10.0;
        let class = if a.low > 0.0 {
            "ci up"
        } else if a.high < 0.0 {
            "ci down"
        } else {
            "ci"
        };
        let _ = write!(
            o,
            "<text x=\"4\" y=\"{:.1}\">{}</text><rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"6\"><title>{}: {:.2} [{:.2}, {:.2}]</title></rect><circle class=\"est\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"/>",
            y + 7.0,
            esc(label),
            x(a.low),
            y + 1.0,
            (x(a.high) - x(a.low)).max(1.0),
            esc(label),
            a.estimate,
            a.low,
            a.high,
            x(a.estimate),
            y + 4.0
        );
    }
    let _ = write!(
        o,
        "<text x=\"{:.1}\" y=\"{:.1}\">{lo:.2}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{hi:.2}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">0</text></svg>",
        left,
        h - 12.0,
        left + width,
        h - 12.0,
        x(0.0),
        h - 12.0
    );
}

fn curve(title: &str, c: &Comparison, o: &mut String) {
    let pts = &c.curve;
    if pts.is_empty() {
        return;
    }
    let (w, h, pad) = (640.0, 200.0, 40.0);
    let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
    for p in pts {
        lo = lo.min(p.low);
        hi = hi.max(p.high);
    }
    let span = if hi - lo > 0.0 { hi - lo } else { 1.0 };
    let last_day = pts.last().map_or(1, |p| p.day).max(1) as f64;
    let x = |d: u32| pad + f64::from(d) / last_day * (w - 2.0 * pad);
    let y = |v: f64| h - pad - (v - lo) / span * (h - 2.0 * pad);
    let _ = write!(
        o,
        "<h3>{}</h3><svg class=\"curve\" role=\"img\" aria-label=\"daily cumulative revenue uplift per customer\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">",
        esc(title)
    );
    let mut band = String::new();
    for p in pts {
        let _ = write!(band, "{:.1},{:.1} ", x(p.day), y(p.high));
    }
    for p in pts.iter().rev() {
        let _ = write!(band, "{:.1},{:.1} ", x(p.day), y(p.low));
    }
    let line: String = pts
        .iter()
        .map(|p| format!("{:.1},{:.1}", x(p.day), y(p.estimate)))
        .collect::<Vec<_>>()
        .join(" ");
    let first = pts.first().map(|p| p.date.as_str()).unwrap_or("");
    let last = pts.last().map(|p| p.date.as_str()).unwrap_or("");
    let _ = write!(
        o,
        "<polygon class=\"band\" points=\"{}\"/><line class=\"zero\" x1=\"{pad}\" x2=\"{:.1}\" y1=\"{z:.1}\" y2=\"{z:.1}\"/><polyline class=\"est\" points=\"{line}\"/>\
<text x=\"{pad}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
<text x=\"2\" y=\"{:.1}\">{hi:.2}</text><text x=\"2\" y=\"{:.1}\">{lo:.2}</text></svg>",
        band.trim_end(),
        w - pad,
        h - 12.0,
        esc(first),
        w - pad,
        h - 12.0,
        esc(last),
        pad - 4.0,
        h - pad + 4.0,
        z = y(0.0)
    );
}

fn interval_cell(m: &Metric, pct: bool) -> String {
    let f = |v: f64| {
        if pct {
            format!("{:.2}%", v * 100.0)
        } else {
            format!("{v:.2}")
        }
    };
    match m.absolute {
        Some(a) => format!("{} [{}, {}]", f(a.estimate), f(a.low), f(a.high)),
        None => m.status.replace('_', " "),
    }
}

fn comparison_table(title: &str, c: &Comparison, o: &mut String) {
    let _ = write!(
        o,
        "<h3>{}</h3><p class=\"note\">{} treatment and {} {} customers.</p><table><tr><th>metric</th><th>channel</th><th>treatment</th><th>{}</th><th>uplift [95% CI]</th><th>relative</th><th>p</th></tr>",
        esc(title),
        c.customers_treatment,
        c.customers_control,
        c.control.replace('_', " "),
        c.control.replace('_', " ")
    );
    for m in &c.metrics {
        let pct = m.metric != "revenue";
        let rel = m
            .relative
            .map(|r| {
                format!(
                    "{:+.1}% [{:+.1}%, {:+.1}%]",
                    r.estimate * 100.0,
                    r.low * 100.0,
                    r.high * 100.0
                )
            })
            .unwrap_or_default();
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{:.4}</td><td>{:.4}</td><td{}>{}</td><td>{rel}</td><td>{}</td></tr>",
            m.metric,
            m.channel,
            m.treatment_mean,
            m.control_mean,
            if m.significant { " class=\"flag\"" } else { "" },
            interval_cell(m, pct),
            m.p_value.map(|p| format!("{p:.4}")).unwrap_or_default()
        );
    }
    o.push_str("</table>");
    if let Some(i) = c.incremental_revenue {
        let _ = write!(
            o,
            "<p>Incremental revenue: <b>{:.2}</b> [{:.2}, {:.2}]</p>",
            i.estimate, i.low, i.high
        );
    }
}

impl Report {
    pub fn to_html(&self) -> String {
        let mut o = String::new();
        let s = &self.stream;
        let _ = write!(
            o,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><link rel=\"icon\" href=\"data:,\">\
<title>unisono measure</title><style>{STYLE}</style></head><body><h1>Measured uplift</h1>\
<p>{} events of {} customers, {} to {} ({} days); {} purchases, revenue {:.2}. Attribution window {} days; \
95% Welch intervals (relative: delta method; rates: Wilson); SRM flagged at p &lt; {}.</p>",
            s.events,
            s.customers,
            esc(s.first.as_deref().unwrap_or("-")),
            esc(s.last.as_deref().unwrap_or("-")),
            s.days,
            s.purchases,
            s.revenue,
            self.method.window_days,
            self.method.srm_p
        );
        o.push_str("<h2>Flags</h2>");
        if self.flags.is_empty() {
            o.push_str("<p>No guardrail raised.</p>");
        } else {
            o.push_str("<ul>");
            for f in &self.flags {
                let _ = write!(o, "<li class=\"flag\">{}</li>", esc(f));
            }
            o.push_str("</ul>");
        }
        o.push_str("<h2>Revenue uplift per customer, by offer and channel</h2><p class=\"note\">Randomised: treatment against the offer's holdout (and all offers against the universal control). Bars are 95% intervals; green excludes 0 upwards, red downwards.</p>");
        forest(self, &mut o);
        o.push_str("<h2>Daily cumulative uplift</h2><p class=\"note\">Cumulative revenue per customer, treatment minus control, day by day; the band is a 95% batch-means interval.</p>");
        if let Some(p) = &self.offers.programme {
            curve("all offers vs universal control", p, &mut o);
        }
        for it in &self.offers.items {
            if let Some(c) = &it.vs_holdout {
                curve(&format!("{} vs holdout", it.id), c, &mut o);
            }
        }
        self.html_tables(&mut o);
        o.push_str("</body></html>\n");
        o
    }

    fn html_tables(&self, o: &mut String) {
        o.push_str("<h2>Offers</h2>");
        if let Some(p) = &self.offers.programme {
            comparison_table("All offers vs universal control", p, o);
        }
        for it in &self.offers.items {
            for c in it.vs_holdout.iter().chain(it.vs_control.iter()) {
                let vs = if c.control == "holdout" {
                    "holdout"
                } else {
                    "universal control"
                };
                comparison_table(&format!("{} — {} (vs {vs})", it.id, it.name), c, o);
            }
            if !it.exposure.is_empty() {
                o.push_str("<table><tr><th>shown on</th><th>impressions</th><th>clicks</th><th>redemptions</th><th>customers</th><th>bought within window</th><th>of them on another channel</th></tr>");
                for e in &it.exposure {
                    let _ = write!(
                        o,
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        e.channel, e.impressions, e.clicks, e.redemptions, e.customers, e.attributed_purchasers, e.cross_channel
                    );
                }
                o.push_str("</table><p class=\"note\">Descriptive (not randomised): what followed the impressions.</p>");
            }
        }
        o.push_str("<h2>Recommendations</h2><p class=\"note\">Observational: clicks and purchases of a recommended item within the window after its impression.</p><table><tr><th>strategy</th><th>channel</th><th>impressions</th><th>click rate</th><th>purchase rate</th><th>revenue</th><th>cross-channel purchases</th><th>journeys on another channel</th></tr>");
        let r = &self.recommendations;
        let rate = |i: Option<super::report::Interval>| {
            i.map(|i| {
                format!(
                    "{:.1}% [{:.1}, {:.1}]",
                    i.estimate * 100.0,
                    i.low * 100.0,
                    i.high * 100.0
                )
            })
            .unwrap_or_default()
        };
        for row in std::iter::once(&r.total).chain(&r.by_strategy_channel) {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td><td>{}</td></tr>",
                row.strategy.unwrap_or("(all)"),
                row.channel.unwrap_or("(all)"),
                row.impressions,
                rate(row.click_rate),
                rate(row.purchase_rate),
                row.revenue,
                row.cross_channel_purchases,
                rate(row.other_channel_share)
            );
        }
        o.push_str("</table><h2>Guardrails</h2><table><tr><th>sample ratio</th><th>expected</th><th>observed</th><th>customers</th><th>chi²</th><th>p</th></tr>");
        for s in &self.guardrails.srm {
            let _ = write!(
                o,
                "<tr{}><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td><td>{:.2}</td><td>{:.4}</td></tr>",
                if s.flagged { " class=\"flag\"" } else { "" },
                esc(&s.group),
                s.expected_share,
                s.observed_share,
                s.customers,
                s.chi_square,
                s.p_value
            );
        }
        o.push_str("</table><table><tr><th>contact pressure</th><th>customer-days</th><th>mean per day</th><th>max</th><th>cap</th><th>over cap</th></tr>");
        for p in &self.guardrails.contact_pressure {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                p.channel,
                p.customer_days,
                p.mean_per_day,
                p.max_per_day,
                p.cap_per_day.map_or("-".into(), |c| c.to_string()),
                p.customer_days_over_cap
            );
        }
        o.push_str("</table>");
    }
}
