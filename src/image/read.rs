//! Loading an image: the container is verified first ([`format::parse`]), then each section is
//! decoded with every count, offset and index checked, into the engine's structures.

use super::format::{self, Cursor, Section};
use super::*;
use crate::catalog::{Availability, Catalog, Item, Stock, Store, MAX_ITEMS, MAX_STORES};
use crate::config::Config;
use crate::error::{self, Code};
use crate::model::{
    ImageParts, ImageScores, Model, Repurchase, ResolvedRankings, MAX_DECIMALS, MAX_NEIGHBOURS,
};
use crate::offers::Offers;
use crate::time::Timestamp;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

/// What the compiler recorded about the documents: their versions and content hashes (reused
/// at load instead of recomputed), the engine that compiled it and the audience.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// Hex SHA-256 over the header, the section table and this manifest.
    pub image_id: String,
    pub engine: String,
    /// The audience and the store / channel the image was compiled for.
    pub scope: Scope,
    pub catalog_version: String,
    pub catalog_hash: String,
    pub model_version: String,
    pub model_checksum: String,
    pub config_version: String,
    pub config_hash: String,
    pub offers_version: String,
    pub offers_hash: String,
}

/// A loaded image: the documents as the engine holds them, and the manifest.
pub struct Loaded {
    pub manifest: Manifest,
    pub catalog: Catalog,
    pub model: Model,
    pub config: Config,
    pub offers: Offers,
}

/// Verify and decode an image.
pub fn load(image: &[u8]) -> error::Result<Loaded> {
    let container = format::parse(image)?;
    let mut found: BTreeMap<u32, Section> = BTreeMap::new();
    for s in &container.sections {
        if section_name(s.kind) == "unknown" && s.flags & format::FLAG_OPTIONAL == 0 {
            return Err(err(
                Code::UnsupportedSchema,
                format!("sections[{}]", s.index),
                format!(
                    "unknown section kind {} (compiled by a newer engine?)",
                    s.kind
                ),
            ));
        }
        found.insert(s.kind, *s);
    }
    let get = |kind: u32| {
        found.get(&kind).map(|s| s.bytes).ok_or_else(|| {
            err(
                Code::MissingField,
                "sections",
                format!("no {} section", section_name(kind)),
            )
        })
    };
    let mut manifest = read_manifest(get(KIND_MANIFEST)?)?;
    manifest.image_id = hex(&container.id);
    let strings = Strings::read(get(KIND_STRINGS)?)?;
    let stores = read_stores(get(KIND_STORES)?, &strings)?;
    let items = read_items(get(KIND_ITEMS)?, &strings, &stores)?;
    let n = items.len();
    let catalog = Catalog::from_image_parts(
        manifest.catalog_version.clone(),
        manifest.catalog_hash.clone(),
        stores,
        items,
    )
    .map_err(|i| {
        err(
            Code::Duplicate,
            format!("catalog.items[{i}].sku"),
            "a sku twice",
        )
    })?;
    let model = read_model(&found, &manifest, &strings, n)?;
    let config =
        Config::from_json(text(get(KIND_CONFIG)?, "config")?).map_err(|e| inner("config", e))?;
    let mut offers =
        Offers::from_json(text(get(KIND_OFFERS)?, "offers")?).map_err(|e| inner("offers", e))?;
    if manifest.scope.audience == Audience::Public {
        offers.make_public();
    }
    if let Some(st) = &manifest.scope.store {
        if !catalog.has_store(st) {
            return Err(err(
                Code::UnknownReference,
                "manifest.scope.store",
                format!("store {st:?} is not in the image's catalog"),
            ));
        }
    }
    Ok(Loaded {
        manifest,
        catalog,
        model,
        config,
        offers,
    })
}

/// The manifest's `audience`, `scope.store` and `scope.channel` (empty = every store / channel).
fn read_scope(audience: String, store: String, channel: String) -> error::Result<Scope> {
    let Some(audience) = Audience::parse(&audience) else {
        return Err(err(
            Code::UnsupportedSchema,
            "manifest.audience",
            format!("audience {audience:?}: this engine reads \"full\" and \"public\" images"),
        ));
    };
    let channel = match channel.as_str() {
        "" => None,
        c => Some(crate::channel::Channel::parse(c).ok_or_else(|| {
            err(
                Code::InvalidValue,
                "manifest.scope.channel",
                format!("unknown channel {c:?}"),
            )
        })?),
    };
    Ok(Scope {
        audience,
        store: (!store.is_empty()).then_some(store),
        channel,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An embedded document's error, as the image's (`config.placements.home.slots`).
fn inner(section: &str, e: Error) -> Error {
    let path = if e.path.is_empty() {
        section.to_string()
    } else {
        format!("{section}.{}", e.path)
    };
    err(e.code, path, e.message)
}

fn text<'a>(bytes: &'a [u8], name: &'static str) -> error::Result<&'a str> {
    let mut c = Cursor::new(bytes, name);
    let b = c.bytes(MAX_STRING_BYTES, "text")?;
    c.finish()?;
    std::str::from_utf8(b).map_err(|_| err(Code::InvalidValue, name, "not UTF-8"))
}

const MAX_FIELD: usize = 4096;

fn read_manifest(bytes: &[u8]) -> error::Result<Manifest> {
    let mut c = Cursor::new(bytes, "manifest");
    let count = c.u32("count")? as usize;
    if count > MAX_SECTIONS {
        return Err(err(
            Code::TooLarge,
            "manifest.count",
            format!("at most {MAX_SECTIONS} fields"),
        ));
    }
    let mut fields = BTreeMap::new();
    for i in 0..count {
        let key = c.bytes(MAX_FIELD, &format!("fields[{i}]"))?;
        let value = c.bytes(MAX_FIELD, &format!("fields[{i}]"))?;
        match (std::str::from_utf8(key), std::str::from_utf8(value)) {
            (Ok(k), Ok(v)) => fields.insert(k.to_string(), v.to_string()),
            _ => {
                return Err(err(
                    Code::InvalidValue,
                    format!("manifest.fields[{i}]"),
                    "not UTF-8",
                ))
            }
        };
    }
    c.finish()?;
    // Fields this reader does not know are ignored: a later compiler may add some.
    let mut take = |key: &str| {
        fields
            .remove(key)
            .ok_or_else(|| err(Code::MissingField, format!("manifest.{key}"), "missing"))
    };
    let m = Manifest {
        image_id: String::new(),
        engine: take("engine")?,
        scope: read_scope(
            take("audience")?,
            take("scope.store")?,
            take("scope.channel")?,
        )?,
        catalog_version: take("catalog.version")?,
        catalog_hash: take("catalog.hash")?,
        model_version: take("model.version")?,
        model_checksum: take("model.checksum")?,
        config_version: take("config.version")?,
        config_hash: take("config.hash")?,
        offers_version: take("offers.version")?,
        offers_hash: take("offers.hash")?,
    };
    // Decision ids and `versions` quote these: they must be what the documents' loaders make.
    for (key, h) in [
        ("catalog.hash", &m.catalog_hash),
        ("config.hash", &m.config_hash),
        ("offers.hash", &m.offers_hash),
    ] {
        if !(h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))) {
            return Err(err(
                Code::InvalidValue,
                format!("manifest.{key}"),
                "not a SHA-256 in lowercase hex",
            ));
        }
    }
    if m.model_checksum.is_empty() {
        return Err(err(Code::InvalidValue, "manifest.model.checksum", "empty"));
    }
    Ok(m)
}

/// The string table: `offsets` (one more than strings) into a UTF-8 blob.
struct Strings<'a> {
    offsets: Vec<u32>,
    blob: &'a str,
}

impl<'a> Strings<'a> {
    fn read(bytes: &'a [u8]) -> error::Result<Strings<'a>> {
        let mut c = Cursor::new(bytes, "strings");
        let offsets = c.u32s(MAX_STRINGS.saturating_add(1), "offsets")?;
        let blob = c.bytes(MAX_STRING_BYTES, "blob")?;
        c.finish()?;
        let blob = std::str::from_utf8(blob)
            .map_err(|_| err(Code::InvalidValue, "strings.blob", "not UTF-8"))?;
        let ordered = offsets.first() == Some(&0)
            && offsets.last().map(|&l| l as usize) == Some(blob.len())
            && offsets.windows(2).all(|w| w.first() <= w.get(1));
        if !ordered {
            return Err(err(
                Code::InvalidValue,
                "strings.offsets",
                "must start at 0, ascend and end at the blob's length",
            ));
        }
        Ok(Strings { offsets, blob })
    }

    fn get(&self, id: u32, path: impl Fn() -> String) -> error::Result<&'a str> {
        let i = id as usize;
        let range = match (
            self.offsets.get(i),
            i.checked_add(1).and_then(|j| self.offsets.get(j)),
        ) {
            (Some(&a), Some(&b)) => Some(a as usize..b as usize),
            _ => None,
        };
        range.and_then(|r| self.blob.get(r)).ok_or_else(|| {
            err(
                Code::InvalidValue,
                path(),
                format!("string id {id} is not in the string table (or splits a character)"),
            )
        })
    }

    /// `NONE` is absent.
    fn opt(&self, id: u32, path: impl Fn() -> String) -> error::Result<Option<&'a str>> {
        if id == u32::MAX {
            return Ok(None);
        }
        self.get(id, path).map(Some)
    }
}

fn exact_len<T>(v: &[T], n: usize, path: &str) -> error::Result<()> {
    if v.len() != n {
        return Err(err(
            Code::InvalidValue,
            path,
            format!("{} entries: {n} expected", v.len()),
        ));
    }
    Ok(())
}

/// A CSR list column: `offsets` (rows + 1, from 0, ascending, ending at the values' length).
struct Csr {
    offsets: Vec<u32>,
    values: Vec<u32>,
}

impl Csr {
    fn read(c: &mut Cursor, rows: usize, max: usize, what: &str) -> error::Result<Csr> {
        let offsets = c.u32s(rows.saturating_add(1), &format!("{what}_offsets"))?;
        let values = c.u32s(max, what)?;
        check_offsets(&offsets, rows, values.len(), &format!("{what}_offsets"))?;
        Ok(Csr { offsets, values })
    }

    fn row(&self, i: usize) -> &[u32] {
        self.values
            .get(row_range(&self.offsets, i))
            .unwrap_or_default()
    }
}

fn check_offsets(offsets: &[u32], rows: usize, len: usize, path: &str) -> error::Result<()> {
    exact_len(offsets, rows.saturating_add(1), path)?;
    let ok = offsets.first() == Some(&0)
        && offsets.last().map(|&l| l as usize) == Some(len)
        && offsets.windows(2).all(|w| w.first() <= w.get(1));
    if !ok {
        return Err(err(
            Code::InvalidValue,
            path,
            "row offsets must start at 0, ascend and end at the column's length",
        ));
    }
    Ok(())
}

fn row_range(offsets: &[u32], i: usize) -> Range<usize> {
    match (offsets.get(i), offsets.get(i.saturating_add(1))) {
        (Some(&a), Some(&b)) if a <= b => a as usize..b as usize,
        _ => 0..0,
    }
}

fn finite_at_least_zero(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

fn read_stores(bytes: &[u8], s: &Strings) -> error::Result<Vec<Store>> {
    let mut c = Cursor::new(bytes, "stores");
    let ids = c.u32s(MAX_STORES, "ids")?;
    let names = c.u32s(MAX_STORES, "names")?;
    let cities = c.u32s(MAX_STORES, "cities")?;
    c.finish()?;
    exact_len(&names, ids.len(), "stores.names")?;
    exact_len(&cities, ids.len(), "stores.cities")?;
    let mut stores: Vec<Store> = Vec::with_capacity(ids.len());
    for (i, ((&id, &name), &city)) in ids.iter().zip(&names).zip(&cities).enumerate() {
        let p = |f: &'static str| move || format!("catalog.stores[{i}].{f}");
        let id = s.get(id, p("id"))?;
        // Sorted by id (as the catalog holds them), so also unique.
        if id.is_empty() || stores.last().is_some_and(|l| l.id.as_str() >= id) {
            return Err(err(
                Code::InvalidValue,
                p("id")(),
                "store ids must be non-empty, sorted and unique",
            ));
        }
        stores.push(Store {
            id: id.to_string(),
            name: s.get(name, p("name"))?.to_string(),
            city: s.opt(city, p("city"))?.map(str::to_string),
        });
    }
    Ok(stores)
}

/// Columns per item, in the order `write.rs` writes them.
struct ItemColumns {
    sku: Vec<u32>,
    title: Vec<u32>,
    brand: Vec<u32>,
    image: Vec<u32>,
    flags: Vec<u32>,
    price: Vec<f64>,
    category: Csr,
    tags: Csr,
    attr_keys: Csr,
    attr_values: Vec<u32>,
    channels: Csr,
    stock_stores: Csr,
    stock_qty: Vec<f64>,
}

fn item_columns(bytes: &[u8]) -> error::Result<ItemColumns> {
    let mut c = Cursor::new(bytes, "items");
    let sku = c.u32s(MAX_ITEMS, "sku")?;
    let n = sku.len();
    if n == 0 {
        return Err(err(
            Code::EmptyCatalog,
            "catalog.items",
            "the catalog has no items",
        ));
    }
    let mut col = |what: &str| -> error::Result<Vec<u32>> {
        let v = c.u32s(n, what)?;
        exact_len(&v, n, &format!("items.{what}"))?;
        Ok(v)
    };
    let (title, brand, image, flags) = (col("title")?, col("brand")?, col("image")?, col("flags")?);
    let price = c.f64s(n, "price")?;
    exact_len(&price, n, "items.price")?;
    let category = Csr::read(&mut c, n, MAX_STRINGS, "category")?;
    let tags = Csr::read(&mut c, n, MAX_STRINGS, "tags")?;
    let attr_keys = Csr::read(&mut c, n, MAX_STRINGS, "attributes")?;
    let attr_values = c.u32s(MAX_STRINGS, "attribute_values")?;
    exact_len(
        &attr_values,
        attr_keys.values.len(),
        "items.attribute_values",
    )?;
    let channels = Csr::read(&mut c, n, MAX_STRINGS, "channels")?;
    let stock_stores = Csr::read(&mut c, n, MAX_STRINGS, "stock")?;
    let stock_qty = c.f64s(MAX_STRINGS, "stock_qty")?;
    exact_len(&stock_qty, stock_stores.values.len(), "items.stock_qty")?;
    c.finish()?;
    Ok(ItemColumns {
        sku,
        title,
        brand,
        image,
        flags,
        price,
        category,
        tags,
        attr_keys,
        attr_values,
        channels,
        stock_stores,
        stock_qty,
    })
}

fn read_items(bytes: &[u8], s: &Strings, stores: &[Store]) -> error::Result<Vec<Item>> {
    let c = item_columns(bytes)?;
    // One shared id per store, as the JSON reader shares them.
    let mut shared: HashMap<u32, Arc<str>> = HashMap::new();
    let mut items: Vec<Item> = Vec::with_capacity(c.sku.len());
    for (i, &sku) in c.sku.iter().enumerate() {
        let p = |f: &'static str| move || format!("catalog.items[{i}].{f}");
        let at = |v: &[u32]| v.get(i).copied().unwrap_or(u32::MAX);
        let sku = s.get(sku, p("sku"))?;
        if sku.is_empty() || sku.len() > 200 {
            return Err(err(
                Code::InvalidValue,
                p("sku")(),
                "must be 1 to 200 bytes",
            ));
        }
        if items.last().is_some_and(|l| l.sku.as_str() >= sku) {
            return Err(err(
                Code::InvalidValue,
                p("sku")(),
                "items must be sorted by sku, each once",
            ));
        }
        let price = c.price.get(i).copied().unwrap_or(f64::NAN);
        if !finite_at_least_zero(price) {
            return Err(err(
                Code::InvalidValue,
                p("price")(),
                "must be a finite number ≥ 0",
            ));
        }
        let strings = |csr: &Csr, f: &'static str| -> error::Result<Vec<String>> {
            csr.row(i)
                .iter()
                .map(|&id| s.get(id, p(f)).map(str::to_string))
                .collect()
        };
        let mut attributes = BTreeMap::new();
        let keys = row_range(&c.attr_keys.offsets, i);
        let values = c.attr_values.get(keys.clone()).unwrap_or_default();
        for (&k, &v) in c
            .attr_keys
            .values
            .get(keys)
            .unwrap_or_default()
            .iter()
            .zip(values)
        {
            let k = s.get(k, p("attributes"))?;
            if attributes
                .insert(k.to_string(), s.get(v, p("attributes"))?.to_string())
                .is_some()
            {
                return Err(err(Code::Duplicate, p("attributes")(), "a key twice"));
            }
        }
        let channels = if at(&c.flags) & ITEM_CHANNELS_LISTED != 0 {
            let list = c.channels.row(i).iter().map(|&code| {
                channel_from_code(code).ok_or_else(|| {
                    err(
                        Code::InvalidValue,
                        p("availability.channels")(),
                        format!("unknown channel code {code}"),
                    )
                })
            });
            Some(list.collect::<error::Result<Vec<_>>>()?)
        } else {
            None
        };
        let stock = read_stock(&c, i, s, stores, &mut shared)?;
        items.push(Item {
            sku: sku.to_string(),
            title: s.get(at(&c.title), p("title"))?.to_string(),
            category: strings(&c.category, "category")?,
            brand: s.opt(at(&c.brand), p("brand"))?.map(str::to_string),
            price,
            tags: strings(&c.tags, "tags")?,
            attributes,
            image: s.opt(at(&c.image), p("image"))?.map(str::to_string),
            availability: Availability {
                channels,
                stores: stock,
            },
        });
    }
    Ok(items)
}

fn read_stock(
    c: &ItemColumns,
    i: usize,
    s: &Strings,
    stores: &[Store],
    shared: &mut HashMap<u32, Arc<str>>,
) -> error::Result<Stock> {
    let range = row_range(&c.stock_stores.offsets, i);
    let qty = c.stock_qty.get(range.clone()).unwrap_or_default();
    let ids = c.stock_stores.values.get(range).unwrap_or_default();
    let mut entries: Vec<(Arc<str>, f64)> = Vec::with_capacity(ids.len());
    for (&id, &q) in ids.iter().zip(qty) {
        let path = || format!("catalog.items[{i}].availability.stores");
        let store = s.get(id, path)?;
        if !finite_at_least_zero(q) {
            return Err(err(
                Code::InvalidValue,
                path(),
                "stock must be a finite number ≥ 0",
            ));
        }
        if entries.last().is_some_and(|(l, _)| &**l >= store) {
            return Err(err(
                Code::InvalidValue,
                path(),
                "stores must be sorted by id, each once",
            ));
        }
        let known = stores.is_empty()
            || stores
                .binary_search_by(|x| x.id.as_str().cmp(store))
                .is_ok();
        if !known {
            return Err(err(
                Code::UnknownReference,
                path(),
                format!("store {store:?} is not in the catalog's stores"),
            ));
        }
        let id = shared.entry(id).or_insert_with(|| Arc::from(store)).clone();
        entries.push((id, q));
    }
    Ok(Stock::from_sorted(entries))
}

fn read_model(
    found: &BTreeMap<u32, Section>,
    manifest: &Manifest,
    s: &Strings,
    n: usize,
) -> error::Result<Model> {
    let get = |kind: u32| {
        found.get(&kind).map(|x| x.bytes).ok_or_else(|| {
            err(
                Code::MissingField,
                "sections",
                format!("no {} section", section_name(kind)),
            )
        })
    };
    let mut c = Cursor::new(get(KIND_NEIGHBOURS)?, "neighbours");
    let kind = c.u32("score_kind")?;
    let decimals = c.u32("decimals")?;
    let has_as_of = c.u32("has_as_of")?;
    let as_of = c.i64("as_of")?;
    let offsets = c.u32s(n.saturating_add(1), "offsets")?;
    let items = c.u32s(MAX_NEIGHBOURS, "items")?;
    let scores = match kind {
        SCORES_FIXED if decimals <= MAX_DECIMALS => ImageScores::Fixed {
            values: c.u32s(MAX_NEIGHBOURS, "scores")?,
            decimals,
        },
        SCORES_FLOAT => ImageScores::Float(c.f64s(MAX_NEIGHBOURS, "scores")?),
        _ => {
            return Err(err(
                Code::InvalidValue,
                "neighbours.score_kind",
                "unknown score kind or decimals past 22",
            ))
        }
    };
    c.finish()?;
    check_offsets(&offsets, n, items.len(), "neighbours.offsets")?;
    check_items(&items, n, "neighbours.items")?;
    let scores_len = match &scores {
        ImageScores::Fixed { values, .. } => values.len(),
        ImageScores::Float(v) => {
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(err(
                    Code::InvalidValue,
                    format!("neighbours.scores[{i}]"),
                    "must be finite",
                ));
            }
            v.len()
        }
    };
    if scores_len != items.len() {
        return Err(err(
            Code::InvalidValue,
            "neighbours.scores",
            "one score per entry expected",
        ));
    }
    let as_of = match has_as_of {
        0 => None,
        1 if (Timestamp::MIN.0..=Timestamp::MAX.0).contains(&as_of) => Some(Timestamp(as_of)),
        _ => {
            return Err(err(
                Code::InvalidValue,
                "neighbours.as_of",
                "outside 0000-9999",
            ))
        }
    };
    let (popularity, trending) = read_rankings(get(KIND_RANKINGS)?, s, n)?;
    let (repurchase_items, repurchase) = read_repurchase(get(KIND_REPURCHASE)?, n)?;
    Ok(Model::from_image_parts(ImageParts {
        version: manifest.model_version.clone(),
        checksum: manifest.model_checksum.clone(),
        as_of,
        offsets,
        items,
        scores,
        popularity,
        trending,
        repurchase_items,
        repurchase,
    }))
}

fn check_items(items: &[u32], n: usize, path: &str) -> error::Result<()> {
    match items.iter().position(|&i| i as usize >= n) {
        Some(i) => Err(err(
            Code::UnknownReference,
            format!("{path}[{i}]"),
            format!("outside the catalog ({n} items)"),
        )),
        None => Ok(()),
    }
}

fn read_rankings(
    bytes: &[u8],
    s: &Strings,
    n: usize,
) -> error::Result<(ResolvedRankings, ResolvedRankings)> {
    let mut c = Cursor::new(bytes, "rankings");
    let max_lists = 2 * (1 + Channel::ALL.len() + MAX_STORES);
    let which = c.u32s(max_lists, "which")?;
    let scope = c.u32s(max_lists, "scope")?;
    let key = c.u32s(max_lists, "key")?;
    let lists = Csr::read(&mut c, which.len(), MAX_NEIGHBOURS, "lists")?;
    let scores = c.f64s(MAX_NEIGHBOURS, "scores")?;
    c.finish()?;
    exact_len(&scope, which.len(), "rankings.scope")?;
    exact_len(&key, which.len(), "rankings.key")?;
    exact_len(&scores, lists.values.len(), "rankings.scores")?;
    check_items(&lists.values, n, "rankings.lists")?;
    if let Some(i) = scores.iter().position(|x| !x.is_finite()) {
        return Err(err(
            Code::InvalidValue,
            format!("rankings.scores[{i}]"),
            "must be finite",
        ));
    }
    let mut out = [ResolvedRankings::default(), ResolvedRankings::default()];
    let mut globals = [false, false];
    for (l, ((&w, &sc), &k)) in which.iter().zip(&scope).zip(&key).enumerate() {
        let path = || format!("rankings.lists[{l}]");
        let range = row_range(&lists.offsets, l);
        let list: Vec<(u32, f64)> = lists
            .values
            .get(range.clone())
            .unwrap_or_default()
            .iter()
            .copied()
            .zip(scores.get(range).unwrap_or_default().iter().copied())
            .collect();
        let (Some(r), Some(g)) = (out.get_mut(w as usize), globals.get_mut(w as usize)) else {
            return Err(err(Code::InvalidValue, path(), "unknown ranking"));
        };
        let twice = match (sc, channel_from_code(k)) {
            (SCOPE_GLOBAL, _) => {
                r.global = list;
                std::mem::replace(g, true)
            }
            (SCOPE_CHANNEL, Some(ch)) => r.channels.insert(ch, list).is_some(),
            (SCOPE_STORE, _) => r.stores.insert(s.get(k, path)?.to_string(), list).is_some(),
            _ => return Err(err(Code::InvalidValue, path(), "unknown scope or channel")),
        };
        if twice {
            return Err(err(Code::Duplicate, path(), "a list twice"));
        }
    }
    let [popularity, trending] = out;
    Ok((popularity, trending))
}

fn read_repurchase(bytes: &[u8], n: usize) -> error::Result<(Vec<u32>, Vec<Repurchase>)> {
    let mut c = Cursor::new(bytes, "repurchase");
    let items = c.u32s(n, "items")?;
    let rate = c.f64s(n, "rate")?;
    let cycle = c.f64s(n, "cycle_days")?;
    c.finish()?;
    exact_len(&rate, items.len(), "repurchase.rate")?;
    exact_len(&cycle, items.len(), "repurchase.cycle_days")?;
    check_items(&items, n, "repurchase.items")?;
    if let Some(i) = items.windows(2).position(|w| w.first() >= w.get(1)) {
        return Err(err(
            Code::InvalidValue,
            format!("repurchase.items[{}]", i + 1),
            "must ascend, each once",
        ));
    }
    if let Some(i) = rate
        .iter()
        .zip(&cycle)
        .position(|(r, d)| !(r.is_finite() && d.is_finite()))
    {
        return Err(err(
            Code::InvalidValue,
            format!("repurchase[{i}]"),
            "rate and cycle_days must be finite",
        ));
    }
    let values = rate
        .into_iter()
        .zip(cycle)
        .map(|(rate, cycle_days)| Repurchase { rate, cycle_days })
        .collect();
    Ok((items, values))
}

use crate::channel::Channel;
