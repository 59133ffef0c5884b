//! The profile reader: the unified profile document read as the serde `Profile` is, checked by
//! the same `Profile::validate`, then put in the same canonical order.

use super::json::{Reader, Record, Res, Shape};
use super::write::event_json;
use crate::error;
use crate::profile::{
    CartLine, Consents, Event, Identifier, Profile, Traits, MAX_EVENTS, MAX_IDENTIFIERS,
    MAX_SEGMENTS, MAX_STRING,
};
use std::collections::BTreeMap;

/// Parse, check and canonicalize a profile document: the value and the errors of
/// [`Profile::from_json`].
pub fn read_profile(text: &str) -> error::Result<Profile> {
    let mut p = super::document("profile", text, profile)?;
    p.validate()?;
    canonicalize(&mut p);
    Ok(p)
}

fn profile(r: &mut Reader) -> Res<Profile> {
    let mut f = Fields::default();
    r.record(&mut f)?;
    Ok(Profile {
        schema: f.schema.unwrap_or_default(),
        id: f.id.unwrap_or_default(),
        identifiers: f.identifiers,
        consents: f.consents,
        traits: f.traits,
        segments: f.segments,
        cart: f.cart,
        events: f.events,
    })
}

#[derive(Default)]
struct Fields {
    schema: Option<String>,
    id: Option<String>,
    identifiers: Vec<Identifier>,
    consents: Consents,
    traits: Traits,
    segments: Vec<String>,
    cart: Vec<CartLine>,
    events: Vec<Event>,
}

static SHAPE: Shape = Shape {
    fields: &[
        "schema",
        "id",
        "identifiers",
        "consents",
        "traits",
        "segments",
        "cart",
        "events",
    ],
    deny_unknown: true,
    // schema, id
    required: 0b11,
};

impl Record for Fields {
    fn shape(&self) -> &'static Shape {
        &SHAPE
    }

    fn field(&mut self, i: usize, r: &mut Reader) -> Res<()> {
        match i {
            0 => self.schema = Some(r.string_value()?),
            1 => self.id = Some(r.string_max(MAX_STRING)?),
            2 => {
                let over = format!("at most {MAX_IDENTIFIERS} elements");
                self.identifiers = r.list("an array", MAX_IDENTIFIERS, &over, identifier)?;
            }
            3 => r.record(&mut ConsentFields(&mut self.consents))?,
            4 => self.traits = traits(r)?,
            5 => {
                let over = format!("at most {MAX_SEGMENTS} elements");
                self.segments = r.list("an array", MAX_SEGMENTS, &over, Reader::string_value)?;
            }
            6 => self.cart = r.list("a sequence", usize::MAX, "", cart_line)?,
            _ => {
                let over =
                    format!("at most {MAX_EVENTS} events per profile (keep the most recent)");
                self.events =
                    r.list("an array of events", MAX_EVENTS, &over, super::event::event)?;
            }
        }
        Ok(())
    }
}

fn identifier(r: &mut Reader) -> Res<Identifier> {
    #[derive(Default)]
    struct F(Option<String>, Option<String>);
    static SHAPE: Shape = Shape {
        fields: &["type", "value"],
        deny_unknown: false,
        required: 0b11,
    };
    impl Record for F {
        fn shape(&self) -> &'static Shape {
            &SHAPE
        }
        fn field(&mut self, i: usize, r: &mut Reader) -> Res<()> {
            let s = Some(r.string_value()?);
            if i == 0 {
                self.0 = s;
            } else {
                self.1 = s;
            }
            Ok(())
        }
    }
    let mut f = F::default();
    r.record(&mut f)?;
    Ok(Identifier {
        kind: f.0.unwrap_or_default(),
        value: f.1.unwrap_or_default(),
    })
}

struct ConsentFields<'a>(&'a mut Consents);

static CONSENTS: Shape = Shape {
    fields: &["personalization", "marketing"],
    deny_unknown: true,
    required: 0,
};

impl Record for ConsentFields<'_> {
    fn shape(&self) -> &'static Shape {
        &CONSENTS
    }
    fn field(&mut self, i: usize, r: &mut Reader) -> Res<()> {
        let v = r.boolean()?;
        if i == 0 {
            self.0.personalization = v;
        } else {
            self.0.marketing = v;
        }
        Ok(())
    }
}

fn traits(r: &mut Reader) -> Res<Traits> {
    struct F(Traits);
    static SHAPE: Shape = Shape {
        fields: &[
            "tier",
            "preferred_store",
            "locale",
            "lifetime_value",
            "attributes",
        ],
        deny_unknown: true,
        required: 0,
    };
    impl Record for F {
        fn shape(&self) -> &'static Shape {
            &SHAPE
        }
        fn field(&mut self, i: usize, r: &mut Reader) -> Res<()> {
            let t = &mut self.0;
            match i {
                0 => t.tier = r.option(Reader::string_value)?,
                1 => t.preferred_store = r.option(Reader::string_value)?,
                2 => t.locale = r.option(Reader::string_value)?,
                3 => t.lifetime_value = r.option(Reader::float)?,
                // A repeated key keeps its last value, as a serde `BTreeMap` does.
                _ => {
                    t.attributes = r
                        .map(Reader::value)?
                        .into_iter()
                        .collect::<BTreeMap<_, _>>()
                }
            }
            Ok(())
        }
    }
    let mut f = F(Traits::default());
    r.record(&mut f)?;
    Ok(f.0)
}

fn cart_line(r: &mut Reader) -> Res<CartLine> {
    struct F(Option<String>, f64);
    static SHAPE: Shape = Shape {
        fields: &["sku", "quantity"],
        deny_unknown: true,
        required: 0b01,
    };
    impl Record for F {
        fn shape(&self) -> &'static Shape {
            &SHAPE
        }
        fn field(&mut self, i: usize, r: &mut Reader) -> Res<()> {
            if i == 0 {
                self.0 = Some(r.string_max(MAX_STRING)?);
            } else {
                self.1 = r.float()?;
            }
            Ok(())
        }
    }
    let mut f = F(None, 1.0);
    r.record(&mut f)?;
    Ok(CartLine {
        sku: f.0.unwrap_or_default(),
        quantity: f.1,
    })
}

/// `Profile::canonicalize`, with the events sharing a timestamp ordered by their JSON written
/// here (the same bytes as `serde_json::to_string`, which the serde reader orders them by).
fn canonicalize(p: &mut Profile) {
    p.segments.sort();
    p.segments.dedup();
    for v in p.traits.attributes.values_mut() {
        crate::hash::canonical_numbers(v);
    }
    p.events.sort_by_key(|e| e.ts);
    let mut start = 0;
    while start < p.events.len() {
        let rest = p.events.get_mut(start..).unwrap_or_default();
        let ts = rest.first().map(|e| e.ts);
        let len = rest.iter().take_while(|e| Some(e.ts) == ts).count();
        if len > 1 {
            if let Some(run) = rest.get_mut(..len) {
                run.sort_by_cached_key(|e| event_json(e, false));
            }
        }
        start += len.max(1);
    }
}
