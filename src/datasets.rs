//! Adapters from public interaction logs to population events.

use crate::builder::{split_csv, PopEvent};
use crate::error::{self, Code, Error};
use crate::profile::EventType;
use crate::time::parse_rfc3339;
use std::collections::BTreeMap;

/// Sku → (title, price) for the catalog an adapter implies.
pub type Skus = BTreeMap<String, (String, f64)>;

/// UCI Online Retail (InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice,
/// CustomerID, Country). Each invoice line becomes a purchase by CustomerID. Dropped: rows
/// without a customer, cancellations (InvoiceNo starting with `C`) and adjustments (Quantity
/// ≤ 0), and non-product codes (postage, fees, manual lines, vouchers: codes that do not start
/// with a digit, except the `DCGS…` party products). Invoice times are UK local time without a
/// zone and are read as UTC: only their order and day matter here. Repeated lines of the same
/// (customer, item, time) collapse into one event.
pub fn online_retail(text: &str) -> error::Result<(Vec<PopEvent>, Skus)> {
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, h)| split_csv(h)).unwrap_or_default();
    let col = |name: &str| {
        header.iter().position(|h| h.trim() == name).ok_or_else(|| {
            Error::new(
                Code::MissingField,
                "events",
                "line 1",
                format!("Online Retail header lacks {name}"),
            )
        })
    };
    let (inv, code, desc, qty, date, price, cust) = (
        col("InvoiceNo")?,
        col("StockCode")?,
        col("Description")?,
        col("Quantity")?,
        col("InvoiceDate")?,
        col("UnitPrice")?,
        col("CustomerID")?,
    );
    let mut events = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut titles: BTreeMap<String, (String, Vec<f64>)> = BTreeMap::new();
    for (i, line) in lines {
        let c = split_csv(line);
        let get = |j: usize| c.get(j).map(|s| s.trim()).unwrap_or("");
        let (customer, sku) = (get(cust), get(code).to_ascii_uppercase());
        let is_product = sku.starts_with(|ch: char| ch.is_ascii_digit()) || sku.starts_with("DCGS");
        if customer.is_empty() || get(inv).starts_with('C') || !is_product {
            continue;
        }
        let q: f64 = get(qty).parse().unwrap_or(0.0);
        if q <= 0.0 {
            continue;
        }
        let ts = parse_rfc3339(&format!("{}Z", get(date))).ok_or_else(|| {
            Error::new(
                Code::InvalidTime,
                "events",
                format!("line {}.InvoiceDate", i + 1),
                format!("{:?}", get(date)),
            )
        })?;
        let user = customer.trim_end_matches(".0").to_string();
        let entry = titles
            .entry(sku.clone())
            .or_insert_with(|| (String::new(), Vec::new()));
        if entry.0.is_empty() {
            entry.0 = get(desc).to_string();
        }
        if let Ok(p) = get(price).parse::<f64>() {
            if p.is_finite() && p >= 0.0 {
                entry.1.push(p);
            }
        }
        if seen.insert((user.clone(), sku.clone(), ts)) {
            events.push(PopEvent {
                user,
                sku,
                ts,
                kind: EventType::Purchase,
                channel: None,
                store: None,
            });
        }
    }
    let skus = titles
        .into_iter()
        .map(|(sku, (title, mut prices))| {
            prices.sort_by(f64::total_cmp);
            let median = prices.get(prices.len() / 2).copied().unwrap_or(0.0);
            (sku, (title, median))
        })
        .collect();
    Ok((events, skus))
}
