//! The context reader: where and when a decision is made, read as the serde `Context` is,
//! then checked by the same [`Context::validate_with`].

use super::event::{channel, timestamp};
use super::json::{Fail, Num, Reader, Record, Res, Shape};
use crate::channel::{Channel, Placement};
use crate::context::Context;
use crate::error::{self, Code, MAX_COUNT};
use crate::time::Timestamp;

/// Read a context and check it (`known_store` says whether a store exists): what
/// [`Context::from_json`] gives with a catalog whose stores are the known ones.
pub fn read_context(text: &str, known_store: impl Fn(&str) -> bool) -> error::Result<Context> {
    let c = read_context_unchecked(text)?;
    c.validate_with(known_store)?;
    Ok(c)
}

/// Read a context without the checks that need a catalog (`error::from_json::<Context>`).
pub fn read_context_unchecked(text: &str) -> error::Result<Context> {
    super::document("context", text, |r| {
        let mut f = Fields::default();
        r.record(&mut f)?;
        Ok(Context {
            channel: f.channel.unwrap_or(Channel::Web),
            placement: f.placement.unwrap_or(Placement::Home),
            sku: f.sku,
            store: f.store,
            locale: f.locale,
            now: f.now.unwrap_or(Timestamp(0)),
            limit: f.limit,
        })
    })
}

#[derive(Default)]
struct Fields {
    channel: Option<Channel>,
    placement: Option<Placement>,
    sku: Option<String>,
    store: Option<String>,
    locale: Option<String>,
    now: Option<Timestamp>,
    limit: Option<usize>,
}

static SHAPE: Shape = Shape {
    fields: &[
        "channel",
        "placement",
        "sku",
        "store",
        "locale",
        "now",
        "limit",
    ],
    deny_unknown: true,
    // channel, now
    required: 0b10_0001,
};

impl Record for Fields {
    fn shape(&self) -> &'static Shape {
        &SHAPE
    }

    fn field(&mut self, i: usize, r: &mut Reader) -> Res<()> {
        match i {
            0 => self.channel = Some(channel(r)?),
            1 => self.placement = Some(placement(r)?),
            2 => self.sku = r.option(Reader::string_value)?,
            3 => self.store = r.option(Reader::string_value)?,
            4 => self.locale = r.option(Reader::string_value)?,
            5 => self.now = Some(timestamp(r)?),
            _ => self.limit = r.option(count)?,
        }
        Ok(())
    }
}

fn placement(r: &mut Reader) -> Res<Placement> {
    Placement::parse(r.str_here()?).map_err(|m| Fail::data(Code::InvalidValue, m))
}

/// A count (`error::count`): a non-negative integer up to [`MAX_COUNT`], with its messages.
pub fn count(r: &mut Reader) -> Res<usize> {
    const EXPECTED: &str = "a non-negative integer";
    let too_large = |shown: String| {
        Fail::data(
            Code::TooLarge,
            format!("integer `{shown}` is too large: at most {MAX_COUNT}"),
        )
    };
    let v = match r.any_number(EXPECTED)? {
        Num::U64(v) if v > MAX_COUNT => return Err(too_large(v.to_string())),
        Num::U64(v) => v,
        Num::I64(v) => {
            let msg = format!("invalid value: integer `{v}`, expected {EXPECTED}");
            return Err(Fail::data(Code::InvalidValue, msg));
        }
        Num::F64(v) => {
            let integral = v.is_finite() && v.fract() == 0.0;
            let shown = super::json::float_text(v);
            return Err(if integral && v < 0.0 {
                let msg = format!("invalid value: floating point `{shown}`, expected {EXPECTED}");
                Fail::data(Code::InvalidValue, msg)
            } else if integral && v > MAX_COUNT as f64 {
                too_large(v.to_string())
            } else {
                let msg = format!("invalid type: floating point `{shown}`, expected {EXPECTED}");
                Fail::data(Code::InvalidType, msg)
            });
        }
    };
    usize::try_from(v).map_err(|_| too_large(v.to_string()))
}
