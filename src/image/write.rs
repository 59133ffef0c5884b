//! `compile`: the parsed, validated documents written as an image (see `mod.rs` and
//! docs/image.md for the layout). Deterministic: the same documents give the same bytes.

use super::format::{ImageWriter, Out};
use super::*;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::error::{self, Code};
use crate::model::{ImageScores, Model, ResolvedRankings};
use crate::offers::Offers;
use std::collections::HashMap;

/// Parse and validate the documents as [`crate::decide::Engine::with_offers`] does (same
/// errors), then write the full image.
pub fn compile(
    catalog_json: &str,
    model_json: &str,
    config_json: &str,
    offers_json: Option<&str>,
) -> error::Result<Vec<u8>> {
    compile_scoped(
        catalog_json,
        model_json,
        config_json,
        offers_json,
        &Scope::default(),
    )
}

/// [`compile`] for an audience and an optional store and channel ([`Scope`]).
pub fn compile_scoped(
    catalog_json: &str,
    model_json: &str,
    config_json: &str,
    offers_json: Option<&str>,
    scope: &Scope,
) -> error::Result<Vec<u8>> {
    let (catalog, model, config, offers) =
        crate::decide::parse_documents(catalog_json, model_json, config_json, offers_json)?;
    compile_parts_scoped(&catalog, &model, &config, &offers, scope)
}

/// The full image of documents already parsed (the model resolved against this catalog).
pub fn compile_parts(
    catalog: &Catalog,
    model: &Model,
    config: &Config,
    offers: &Offers,
) -> error::Result<Vec<u8>> {
    compile_parts_scoped(catalog, model, config, offers, &Scope::default())
}

/// [`compile_parts`] for a [`Scope`]. The manifest keeps the documents' own versions and
/// hashes, so the scoped image's decisions carry the same ids as the full image's.
pub fn compile_parts_scoped(
    catalog: &Catalog,
    model: &Model,
    config: &Config,
    offers: &Offers,
    scope: &Scope,
) -> error::Result<Vec<u8>> {
    if let Some(st) = &scope.store {
        if !catalog.has_store(st) {
            return Err(err(
                Code::UnknownReference,
                "scope.store",
                format!("store {st:?} is not in the catalog"),
            ));
        }
    }
    let config_hash = config.content_hash();
    let offers_hash = offers.content_hash();
    let config_text = canonical_text("config", config, &config_hash, |t| {
        Config::from_json(t).map(|c| c.content_hash())
    })?;
    let offers_text = offers_text(offers, scope.audience)?;
    let m = model.image_parts();
    let channel = scope.channel.map_or("", |c| c.as_str());
    let manifest = [
        ("engine", crate::decide::ENGINE_VERSION),
        ("audience", scope.audience.as_str()),
        ("scope.store", scope.store.as_deref().unwrap_or("")),
        ("scope.channel", channel),
        ("catalog.version", catalog.version.as_str()),
        ("catalog.hash", catalog.content_hash.as_str()),
        ("model.version", m.version.as_str()),
        ("model.checksum", m.checksum.as_str()),
        ("config.version", config.version.as_str()),
        ("config.hash", config_hash.as_str()),
        ("offers.version", offers.doc.version.as_str()),
        ("offers.hash", offers_hash.as_str()),
    ];
    let mut o = Out::default();
    o.u32(manifest.len() as u32);
    for (k, v) in manifest {
        o.bytes(k.as_bytes());
        o.bytes(v.as_bytes());
    }

    let mut strings = Strings::default();
    let stores = stores_section(catalog, scope, &mut strings);
    let items = items_section(catalog, scope, &mut strings);
    let rankings = rankings_section(&[m.popularity, m.trending], scope, &mut strings);
    let mut w = ImageWriter::default();
    w.add(KIND_MANIFEST, 0, o.into_bytes());
    w.add(KIND_STRINGS, 0, strings.into_bytes());
    w.add(KIND_STORES, 0, stores);
    w.add(KIND_ITEMS, 0, items);
    w.add(KIND_NEIGHBOURS, 0, neighbours_section(&m));
    w.add(KIND_RANKINGS, 0, rankings);
    w.add(KIND_REPURCHASE, 0, repurchase_section(&m));
    w.add(KIND_CONFIG, 0, text_section(&config_text));
    w.add(KIND_OFFERS, 0, text_section(&offers_text));
    Ok(w.finish())
}

/// The canonical JSON of a document, checked to parse back to the same content hash (the
/// image is only as good as that round trip; no document type is known to fail it).
fn canonical_text<T: serde::Serialize>(
    document: &'static str,
    doc: &T,
    hash: &str,
    reparse: impl Fn(&str) -> error::Result<String>,
) -> error::Result<String> {
    let text = crate::hash::to_canonical_string(doc);
    match reparse(&text) {
        Ok(h) if h == hash => Ok(text),
        _ => Err(Error::new(
            Code::InvalidValue,
            document,
            "",
            "its canonical JSON does not read back as the same document, so it cannot be compiled into an image (please report this)",
        )),
    }
}

/// The offers' canonical JSON as the audience may see it (a public image: no codes).
fn offers_text(offers: &Offers, audience: Audience) -> error::Result<String> {
    let mut shown = offers.clone();
    if audience == Audience::Public {
        shown.make_public();
    }
    let hash = shown.content_hash();
    canonical_text("offers", &shown.doc, &hash, |t| {
        Offers::from_json(t).map(|o| o.content_hash())
    })
}

fn text_section(text: &str) -> Vec<u8> {
    let mut o = Out::default();
    o.bytes(text.as_bytes());
    o.into_bytes()
}

/// Every string once, numbered in the order first seen.
#[derive(Default)]
struct Strings<'a> {
    ids: HashMap<&'a str, u32>,
    list: Vec<&'a str>,
}

const NONE: u32 = u32::MAX;

impl<'a> Strings<'a> {
    fn id(&mut self, s: &'a str) -> u32 {
        let next = self.list.len() as u32;
        *self.ids.entry(s).or_insert_with(|| {
            self.list.push(s);
            next
        })
    }

    fn opt(&mut self, s: Option<&'a str>) -> u32 {
        s.map_or(NONE, |s| self.id(s))
    }

    /// `offsets` (one more than strings) into one UTF-8 `blob`.
    fn into_bytes(self) -> Vec<u8> {
        let mut offsets = Vec::with_capacity(self.list.len() + 1);
        let mut blob = Vec::new();
        offsets.push(0u32);
        for s in &self.list {
            blob.extend_from_slice(s.as_bytes());
            offsets.push(blob.len() as u32);
        }
        let mut o = Out::default();
        o.u32s(offsets.into_iter());
        o.bytes(&blob);
        o.into_bytes()
    }
}

/// Whether a store's data belongs in an image of this scope.
fn in_scope(scope: &Scope, store: &str) -> bool {
    scope.store.as_deref().is_none_or(|s| s == store)
}

fn stores_section<'a>(catalog: &'a Catalog, scope: &Scope, s: &mut Strings<'a>) -> Vec<u8> {
    let stores: Vec<_> = catalog
        .stores
        .iter()
        .filter(|x| in_scope(scope, &x.id))
        .collect();
    let ids: Vec<u32> = stores.iter().map(|x| s.id(&x.id)).collect();
    let names: Vec<u32> = stores.iter().map(|x| s.id(&x.name)).collect();
    let cities: Vec<u32> = stores.iter().map(|x| s.opt(x.city.as_deref())).collect();
    let mut o = Out::default();
    o.u32s(ids.into_iter());
    o.u32s(names.into_iter());
    o.u32s(cities.into_iter());
    o.into_bytes()
}

/// A list per item as CSR: `offsets` (one more than items) into one flat column.
struct Csr {
    offsets: Vec<u32>,
    values: Vec<u32>,
}

impl Default for Csr {
    fn default() -> Self {
        Csr {
            offsets: vec![0],
            values: Vec::new(),
        }
    }
}

impl Csr {
    fn row(&mut self, values: impl Iterator<Item = u32>) {
        self.values.extend(values);
        self.offsets.push(self.values.len() as u32);
    }

    fn write(self, o: &mut Out) {
        o.u32s(self.offsets.into_iter());
        o.u32s(self.values.into_iter());
    }
}

/// The stock an image of this scope holds: only its store's, and in a public image only
/// whether an item is in stock (decisions read nothing more), as 1.
fn scoped_stock<'c>(stock: &'c crate::catalog::Stock, scope: &Scope) -> Vec<(&'c str, f64)> {
    stock
        .iter()
        .filter_map(|(st, q)| {
            if !in_scope(scope, st) {
                return None;
            }
            match scope.audience {
                Audience::Full => Some((st, q)),
                Audience::Public if q > 0.0 => Some((st, 1.0)),
                Audience::Public => None,
            }
        })
        .collect()
}

fn items_section<'a>(catalog: &'a Catalog, scope: &Scope, s: &mut Strings<'a>) -> Vec<u8> {
    let items = &catalog.items;
    let (mut sku, mut title, mut brand, mut image) = (vec![], vec![], vec![], vec![]);
    let (mut price, mut flags) = (vec![], vec![]);
    let (mut category, mut tags, mut channels) = (Csr::default(), Csr::default(), Csr::default());
    let (mut attr_keys, mut attr_values) = (Csr::default(), Vec::new());
    let (mut stock_stores, mut stock_qty) = (Csr::default(), Vec::new());
    for it in items {
        sku.push(s.id(&it.sku));
        title.push(s.id(&it.title));
        brand.push(s.opt(it.brand.as_deref()));
        image.push(s.opt(it.image.as_deref()));
        price.push(it.price);
        let listed = it.availability.channels.as_ref();
        flags.push(if listed.is_some() {
            ITEM_CHANNELS_LISTED
        } else {
            0
        });
        category.row(
            it.category
                .iter()
                .map(|c| s.id(c))
                .collect::<Vec<_>>()
                .into_iter(),
        );
        tags.row(
            it.tags
                .iter()
                .map(|c| s.id(c))
                .collect::<Vec<_>>()
                .into_iter(),
        );
        attr_keys.row(
            it.attributes
                .keys()
                .map(|k| s.id(k))
                .collect::<Vec<_>>()
                .into_iter(),
        );
        attr_values.extend(it.attributes.values().map(|v| s.id(v)));
        channels.row(listed.into_iter().flatten().map(|&c| channel_code(c)));
        let stock: Vec<(&str, f64)> = scoped_stock(&it.availability.stores, scope);
        stock_stores.row(
            stock
                .iter()
                .map(|&(st, _)| s.id(st))
                .collect::<Vec<_>>()
                .into_iter(),
        );
        stock_qty.extend(stock.iter().map(|&(_, q)| q));
    }
    let mut o = Out::default();
    for col in [sku, title, brand, image, flags] {
        o.u32s(col.into_iter());
    }
    o.f64s(price.into_iter());
    category.write(&mut o);
    tags.write(&mut o);
    attr_keys.write(&mut o);
    o.u32s(attr_values.into_iter());
    channels.write(&mut o);
    stock_stores.write(&mut o);
    o.f64s(stock_qty.into_iter());
    o.into_bytes()
}

type Parts<'m> = crate::model::ImageParts<&'m [u32], &'m [f64], &'m ResolvedRankings>;

fn neighbours_section(m: &Parts) -> Vec<u8> {
    let mut o = Out::default();
    let (kind, decimals) = match m.scores {
        ImageScores::Fixed { decimals, .. } => (SCORES_FIXED, decimals),
        ImageScores::Float(_) => (SCORES_FLOAT, 0),
    };
    o.u32(kind);
    o.u32(decimals);
    o.u32(u32::from(m.as_of.is_some()));
    o.i64(m.as_of.map_or(0, |t| t.0));
    o.u32s(m.offsets.iter().copied());
    o.u32s(m.items.iter().copied());
    match m.scores {
        ImageScores::Fixed { values, .. } => o.u32s(values.iter().copied()),
        ImageScores::Float(values) => o.f64s(values.iter().copied()),
    }
    o.into_bytes()
}

/// Every ranked list of popularity (0) then trending (1): a directory (which, scope, key: a
/// channel code or a store's string id) and the lists as CSR with a score column.
fn rankings_section<'a>(
    all: &[&'a ResolvedRankings],
    image: &Scope,
    s: &mut Strings<'a>,
) -> Vec<u8> {
    let (mut which, mut scope, mut key) = (vec![], vec![], vec![]);
    let mut lists = Csr::default();
    let mut scores = Vec::new();
    let mut push = |w: u32, sc: u32, k: u32, list: &[(u32, f64)]| {
        which.push(w);
        scope.push(sc);
        key.push(k);
        lists.row(list.iter().map(|e| e.0));
        scores.extend(list.iter().map(|e| e.1));
    };
    for (w, r) in all.iter().enumerate() {
        let w = w as u32;
        push(w, SCOPE_GLOBAL, 0, &r.global);
        for (c, l) in &r.channels {
            if image.channel.is_none_or(|mine| mine == *c) {
                push(w, SCOPE_CHANNEL, channel_code(*c), l);
            }
        }
        for (st, l) in &r.stores {
            if in_scope(image, st) {
                push(w, SCOPE_STORE, s.id(st), l);
            }
        }
    }
    let mut o = Out::default();
    for col in [which, scope, key] {
        o.u32s(col.into_iter());
    }
    lists.write(&mut o);
    o.f64s(scores.into_iter());
    o.into_bytes()
}

fn repurchase_section(m: &Parts) -> Vec<u8> {
    let mut o = Out::default();
    o.u32s(m.repurchase_items.iter().copied());
    o.f64s(m.repurchase.iter().map(|r| r.rate));
    o.f64s(m.repurchase.iter().map(|r| r.cycle_days));
    o.into_bytes()
}
