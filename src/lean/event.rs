//! The event reader: a profile's `events[i]` and the lone event `track` takes, read as the
//! serde `Event` is, then checked by the same [`validate_event`].

use super::json::{Fail, Reader, Record, Res, Shape};
use crate::channel::{event_type_typo, Channel};
use crate::error::{self, Code};
use crate::profile::{validate_event, Event, EventType, MAX_STRING};
use crate::time::{parse_rfc3339, Timestamp};

/// Read and check one event document (what [`crate::profile::Profile::track`] parses).
pub fn read_event(text: &str) -> error::Result<Event> {
    let e = super::document("event", text, event)?;
    validate_event(&e, "event", "")?;
    Ok(e)
}

/// One event, as an object or (as serde reads any struct) an array of its fields in order.
pub fn event(r: &mut Reader) -> Res<Event> {
    let mut f = Fields::default();
    r.record(&mut f)?;
    Ok(Event {
        kind: f.kind.unwrap_or(EventType::View),
        sku: f.sku,
        category: f.category,
        channel: f.channel.unwrap_or(Channel::Web),
        store: f.store,
        ts: f.ts.unwrap_or(Timestamp(0)),
        quantity: f.quantity,
        price: f.price,
        offer: f.offer,
        query: f.query,
    })
}

/// The fields read so far (the required ones are `Some` once [`Reader::record`] succeeds).
#[derive(Default)]
struct Fields {
    kind: Option<EventType>,
    sku: Option<String>,
    category: Option<String>,
    channel: Option<Channel>,
    store: Option<String>,
    ts: Option<Timestamp>,
    quantity: Option<f64>,
    price: Option<f64>,
    offer: Option<String>,
    query: Option<String>,
}

static SHAPE: Shape = Shape {
    fields: &[
        "type", "sku", "category", "channel", "store", "ts", "quantity", "price", "offer", "query",
    ],
    deny_unknown: false,
    // type, channel, ts
    required: 0b10_1001,
};

impl Record for Fields {
    fn shape(&self) -> &'static Shape {
        &SHAPE
    }

    fn field(&mut self, i: usize, r: &mut Reader) -> Res<()> {
        let short = |r: &mut Reader| r.option(|r| r.string_max(MAX_STRING));
        match i {
            0 => self.kind = Some(event_type(r)?),
            1 => self.sku = short(r)?,
            2 => self.category = short(r)?,
            3 => self.channel = Some(channel(r)?),
            4 => self.store = short(r)?,
            5 => self.ts = Some(timestamp(r)?),
            6 => self.quantity = r.option(Reader::float)?,
            7 => self.price = r.option(Reader::float)?,
            8 => self.offer = short(r)?,
            _ => self.query = short(r)?,
        }
        Ok(())
    }
}

/// An event type: a known name or alias, or a custom one; a near miss of a known name is a
/// typo (the messages are `EventType`'s serde reader's).
pub fn event_type(r: &mut Reader) -> Res<EventType> {
    event_type_of(r.str_here()?)
}

fn event_type_of(s: &str) -> Res<EventType> {
    // The canonical names as written by every export of this engine: no normalising needed.
    let exact = match s {
        "view" => Some(EventType::View),
        "add_to_cart" => Some(EventType::AddToCart),
        "purchase" => Some(EventType::Purchase),
        "search" => Some(EventType::Search),
        "offer_impression" => Some(EventType::OfferImpression),
        _ => None,
    };
    if let Some(kind) = exact {
        return Ok(kind);
    }
    if s.trim().is_empty() || s.len() > 100 {
        return Err(Fail::data(
            Code::InvalidValue,
            "event type must be a non-empty name of at most 100 bytes",
        ));
    }
    let kind = EventType::parse(s);
    if let (EventType::Other(_), Some(near)) = (&kind, event_type_typo(s)) {
        let shown: String = s.chars().take(40).collect();
        return Err(Fail::data(
            Code::InvalidValue,
            format!("unknown event type {shown:?} (did you mean {near:?}?)"),
        ));
    }
    Ok(kind)
}

pub fn channel(r: &mut Reader) -> Res<Channel> {
    let s = r.str_here()?;
    {
        let exact = Channel::ALL.into_iter().find(|c| c.as_str() == s);
        exact.or_else(|| Channel::parse(s)).ok_or_else(|| {
            let shown: String = s.chars().take(40).collect();
            Fail::data(
                Code::InvalidValue,
                format!(
                "unknown channel {shown:?} (expected web, app, kiosk, store, email, call_center)"
            ),
            )
        })
    }
}

pub fn timestamp(r: &mut Reader) -> Res<Timestamp> {
    let s = r.str_here()?;
    parse_rfc3339(s).ok_or_else(|| {
        let shown: String = s.chars().take(40).collect();
        Fail::data(
            Code::InvalidTime,
            format!("not an RFC 3339 time: {shown:?}"),
        )
    })
}
