//! The product catalog: what can be recommended, where it is sold and where it is in stock.

use crate::channel::Channel;
use crate::error::{self, Code, Error};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

mod pieces;

pub const CATALOG_SCHEMA: &str = "unisono.catalog/1";
/// A catalog larger than this is refused: it would not fit a kiosk or a browser tab.
pub const MAX_ITEMS: usize = 1_000_000;
/// At most this many stores in a catalog (and store ids in an item's stock), refused while
/// reading.
pub const MAX_STORES: usize = 100_000;

/// A physical store (where kiosk and point-of-sale decisions are made).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Store {
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
}

/// Where an item may be shown. `channels` absent means every channel; `stores` maps a store id
/// to the units in stock there (absent or 0 = not in that store).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Availability {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<Channel>>,
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(extend("additionalProperties" = { "type": "number", "minimum": 0 })))]
    pub stores: Stock,
}

/// Units in stock per store id: a JSON object, held as a vector sorted by store id (the order
/// a `BTreeMap` iterates and serializes in) with each id shared by every item of a catalog.
/// Per item that is a few bytes a store instead of a B-tree node and a string per store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stock(Vec<(Arc<str>, f64)>);

impl Stock {
    pub fn get(&self, store: &str) -> Option<f64> {
        self.position(store)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|e| e.1)
    }

    /// Set the stock of `store` (replacing any).
    pub fn insert(&mut self, store: &str, qty: f64) {
        match self.position(store) {
            Ok(i) => {
                if let Some(e) = self.0.get_mut(i) {
                    e.1 = qty;
                }
            }
            Err(i) => self.0.insert(i, (intern(store), qty)),
        }
    }

    /// (store id, units), by store id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.0.iter().map(|(s, q)| (&**s, *q))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Stock from `(store id, units)` already sorted by store id, each id once (an engine
    /// image's, checked by its reader); ids shared across items by the caller.
    pub(crate) fn from_sorted(entries: Vec<(Arc<str>, f64)>) -> Stock {
        Stock(entries)
    }

    fn position(&self, store: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(s, _)| (**s).cmp(store))
    }
}

thread_local! {
    /// Store ids seen by the catalog being parsed (see [`Catalog::from_json`]), sorted: each
    /// item's [`Stock`] shares them. Only memory depends on it; outside a parse ids are not
    /// shared.
    static STORE_IDS: RefCell<Option<BTreeSet<Arc<str>>>> = const { RefCell::new(None) };
}

fn intern(id: &str) -> Arc<str> {
    STORE_IDS.with(|ids| match ids.borrow_mut().as_mut() {
        // A set, not a sorted vector: inserting 100k ids in reverse order was quadratic.
        Some(seen) => match seen.get(id) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<str> = Arc::from(id);
                seen.insert(shared.clone());
                shared
            }
        },
        None => Arc::from(id),
    })
}

/// Runs `f` with store ids shared across every [`Stock`] it deserializes.
fn with_shared_store_ids<T>(f: impl FnOnce() -> T) -> T {
    let outer = STORE_IDS.with(|ids| ids.replace(Some(BTreeSet::new())));
    let value = f();
    STORE_IDS.with(|ids| ids.replace(outer));
    value
}

impl Serialize for Stock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (store, qty) in &self.0 {
            map.serialize_entry(&**store, qty)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Stock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Stock;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Stock, A::Error> {
                // Read in document order, then sorted once (a stable sort, so of a repeated
                // store id the last value stays, as a `BTreeMap` reads it): inserting each in
                // place was quadratic for ids in reverse order.
                let mut entries: Vec<(Arc<str>, f64)> = Vec::new();
                while let Some((store, qty)) =
                    map.next_entry::<std::borrow::Cow<'de, str>, f64>()?
                {
                    if entries.len() == MAX_STORES {
                        return Err(serde::de::Error::custom(error::tagged(
                            Code::TooLarge,
                            format!("at most {MAX_STORES} stores"),
                        )));
                    }
                    entries.push((intern(&store), qty));
                }
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                let mut stock = Stock(Vec::with_capacity(entries.len()));
                for (store, qty) in entries {
                    match stock.0.last_mut() {
                        Some(last) if last.0 == store => last.1 = qty,
                        _ => stock.0.push((store, qty)),
                    }
                }
                Ok(stock)
            }
        }
        d.deserialize_map(V)
    }
}

/// A product that can be recommended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Item {
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 200)))]
    pub sku: String,
    pub title: String,
    /// Category path from the top: `["Home & Kitchen", "Coffee", "Espresso Machines"]`.
    #[serde(default)]
    pub category: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[cfg_attr(feature = "schema", schemars(range(min = 0)))]
    pub price: f64,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default)]
    pub availability: Availability,
}

impl Item {
    /// Email and the call centre sell the online assortment: unless the item lists them
    /// explicitly, they follow its web availability.
    pub fn sold_on(&self, channel: Channel) -> bool {
        match &self.availability.channels {
            None => true,
            Some(list) if list.contains(&channel) => true,
            Some(list) => {
                matches!(channel, Channel::Email | Channel::CallCenter)
                    && list.contains(&Channel::Web)
            }
        }
    }

    pub fn stock_in(&self, store: &str) -> f64 {
        self.availability.stores.get(store).unwrap_or(0.0)
    }

    /// The category at `level` (0 = top), falling back to the deepest one available.
    pub fn category_at(&self, level: usize) -> &str {
        self.category
            .get(level)
            .or_else(|| self.category.last())
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// What [`Catalog::item`] answers for an index outside the catalog (never, in practice).
static NO_ITEM: Item = Item {
    sku: String::new(),
    title: String::new(),
    category: Vec::new(),
    brand: None,
    price: 0.0,
    tags: Vec::new(),
    attributes: BTreeMap::new(),
    image: None,
    availability: Availability {
        channels: None,
        stores: Stock(Vec::new()),
    },
};

/// The catalog document (`"schema": "unisono.catalog/1"`): what can be recommended, where it
/// is sold and where it is in stock. Skus are unique; stock may only name listed stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "Catalog"))]
#[serde(deny_unknown_fields)]
pub(crate) struct CatalogDoc {
    #[cfg_attr(feature = "schema", schemars(extend("const" = CATALOG_SCHEMA)))]
    schema: String,
    #[serde(default)]
    version: String,
    #[serde(default, deserialize_with = "error::at_most::<_, _, MAX_STORES>")]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_STORES)))]
    stores: Vec<Store>,
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 1_000_000)))]
    #[serde(deserialize_with = "error::at_most::<_, _, MAX_ITEMS>")]
    items: Vec<Item>,
    /// Optional `"sha256:<hex>"` of the document's canonical form (`unisono seal` writes it);
    /// when present the engine verifies it at load and rejects a mismatch.
    #[serde(default, skip_serializing)]
    checksum: Option<String>,
}

/// A validated catalog, items sorted by sku, addressable by a dense index.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub version: String,
    /// SHA-256 of the canonical form (items sorted by sku, stores by id, keys in schema order,
    /// [`crate::hash::Canonical`] numbers): the same for a JSON string and for a JS object of
    /// the same catalog.
    pub content_hash: String,
    pub stores: Vec<Store>,
    pub items: Vec<Item>,
    /// sku → index. Hashed: looked up for every profile event in every decision.
    index: SkuIndex,
}

/// sku → item index, an open-addressing table of item indices: the skus stay in `items`, so
/// the index is 4 to 8 bytes an item and copies no string.
#[derive(Debug, Clone, Default)]
struct SkuIndex {
    /// Item index or [`SkuIndex::EMPTY`]; a power of two, at most half full.
    slots: Vec<u32>,
    /// 64 − log2(slots): the top bits of the hash pick the slot (the multiplicative hash
    /// mixes them best).
    shift: u32,
}

impl SkuIndex {
    const EMPTY: u32 = u32::MAX;

    /// The index of `items`, or the position of the first item whose sku an earlier one has.
    fn build(items: &[Item]) -> Result<SkuIndex, usize> {
        let bits = (items.len().max(4) * 2)
            .next_power_of_two()
            .trailing_zeros();
        let mut index = SkuIndex {
            slots: vec![Self::EMPTY; 1 << bits],
            shift: 64 - bits,
        };
        for (i, item) in items.iter().enumerate() {
            let mut slot = index.home(&item.sku);
            loop {
                match index.slots.get(slot).copied() {
                    Some(Self::EMPTY) => {
                        if let Some(s) = index.slots.get_mut(slot) {
                            *s = i as u32;
                        }
                        break;
                    }
                    Some(j) if items.get(j as usize).is_some_and(|o| o.sku == item.sku) => {
                        return Err(i)
                    }
                    Some(_) => slot = (slot + 1) & (index.slots.len() - 1),
                    // Never: `slot` is masked to the table.
                    None => return Err(i),
                }
            }
        }
        Ok(index)
    }

    fn home(&self, sku: &str) -> usize {
        use core::hash::Hasher;
        let mut h = crate::hash::IdHasher::default();
        h.write(sku.as_bytes());
        (h.finish() >> self.shift) as usize
    }

    fn get(&self, items: &[Item], sku: &str) -> Option<u32> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut slot = self.home(sku) & mask;
        loop {
            match self.slots.get(slot).copied()? {
                Self::EMPTY => return None,
                i if items.get(i as usize)?.sku == sku => return Some(i),
                _ => slot = (slot + 1) & mask,
            }
        }
    }
}

impl Catalog {
    pub fn from_json(text: &str) -> error::Result<Catalog> {
        let doc: CatalogDoc = with_shared_store_ids(|| error::from_json("catalog", text))?;
        Catalog::from_doc(doc)
    }

    /// The checks and indexes after parsing, the same however the text was read.
    fn from_doc(doc: CatalogDoc) -> error::Result<Catalog> {
        let err = |code, path: String, msg: String| Err(Error::new(code, "catalog", path, msg));
        if doc.schema != CATALOG_SCHEMA {
            return err(
                Code::UnsupportedSchema,
                "schema".into(),
                format!("expected {CATALOG_SCHEMA:?}"),
            );
        }
        if doc.items.is_empty() {
            return err(
                Code::EmptyCatalog,
                "items".into(),
                "the catalog has no items".into(),
            );
        }
        if doc.items.len() > MAX_ITEMS {
            return err(
                Code::TooLarge,
                "items".into(),
                format!("at most {MAX_ITEMS} items"),
            );
        }
        let mut store_ids = BTreeMap::new();
        for (i, s) in doc.stores.iter().enumerate() {
            if s.id.is_empty() {
                return err(
                    Code::InvalidValue,
                    format!("stores[{i}].id"),
                    "empty".into(),
                );
            }
            if store_ids.insert(s.id.clone(), i).is_some() {
                return err(
                    Code::Duplicate,
                    format!("stores[{i}].id"),
                    format!("store {:?} twice", s.id),
                );
            }
        }
        // The first item (in document order) whose sku an earlier item has.
        let duplicate = SkuIndex::build(&doc.items).err();
        for (i, item) in doc.items.iter().enumerate() {
            let path = |f: &str| format!("items[{i}].{f}");
            if item.sku.is_empty() || item.sku.len() > 200 {
                return err(
                    Code::InvalidValue,
                    path("sku"),
                    "must be 1 to 200 bytes".into(),
                );
            }
            if duplicate == Some(i) {
                return err(
                    Code::Duplicate,
                    path("sku"),
                    format!("sku {:?} appears twice", item.sku),
                );
            }
            if !(item.price.is_finite() && item.price >= 0.0) {
                return err(
                    Code::InvalidValue,
                    path("price"),
                    "must be a finite number ≥ 0".into(),
                );
            }
            for (store, qty) in item.availability.stores.iter() {
                if !(qty.is_finite() && qty >= 0.0) {
                    return err(
                        Code::InvalidValue,
                        format!("items[{i}].availability.stores.{store}"),
                        "stock must be a finite number ≥ 0".into(),
                    );
                }
                if !doc.stores.is_empty() && !store_ids.contains_key(store) {
                    return err(
                        Code::UnknownReference,
                        format!("items[{i}].availability.stores.{store}"),
                        format!("store {store:?} is not in the catalog's stores"),
                    );
                }
            }
        }
        let mut doc = doc;
        doc.items.sort_by(|a, b| a.sku.cmp(&b.sku));
        // Stores are looked up by id only, so their order means nothing: hash them in one.
        doc.stores.sort_by(|a, b| a.id.cmp(&b.id));
        // Hashed as it is serialized: no copy of the whole canonical text.
        let content_hash = crate::hash::sha256_hex_json(&doc);
        crate::hash::verify_declared("catalog", doc.checksum.as_deref(), &content_hash)?;
        // Skus are unique (checked above), so this cannot fail.
        let index = SkuIndex::build(&doc.items).unwrap_or_default();
        Ok(Catalog {
            version: doc.version,
            content_hash,
            stores: doc.stores,
            items: doc.items,
            index,
        })
    }

    /// A catalog from an engine image's decoded parts ([`crate::image`]): items sorted by sku,
    /// unique, each checked by the image reader, and the content hash the compiler computed (not
    /// recomputed: hashing the canonical form is most of a JSON load). `Err(i)`: item `i`
    /// repeats an earlier sku.
    pub(crate) fn from_image_parts(
        version: String,
        content_hash: String,
        stores: Vec<Store>,
        items: Vec<Item>,
    ) -> Result<Catalog, usize> {
        let index = SkuIndex::build(&items)?;
        Ok(Catalog {
            version,
            content_hash,
            stores,
            items,
            index,
        })
    }

    pub fn get(&self, sku: &str) -> Option<u32> {
        self.index.get(&self.items, sku)
    }

    /// The item at dense index `idx`. Indices come from [`Catalog::get`] or from artifacts
    /// resolved against this catalog, so they are always in range; an out-of-range index (only
    /// possible by misusing the public fields) gets an empty item instead of a panic, which
    /// would trap the Wasm instance.
    pub fn item(&self, idx: u32) -> &Item {
        self.items.get(idx as usize).unwrap_or(&NO_ITEM)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn has_store(&self, id: &str) -> bool {
        self.stores.iter().any(|s| s.id == id)
    }

    pub fn store_name(&self, id: &str) -> String {
        self.stores
            .iter()
            .find(|s| s.id == id)
            .map(|s| {
                if s.name.is_empty() {
                    s.id.clone()
                } else {
                    s.name.clone()
                }
            })
            .unwrap_or_else(|| id.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_duplicates_and_bad_prices() {
        let dup = r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":1},{"sku":"A","title":"b","price":2}]}"#;
        let e = Catalog::from_json(dup).unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (Code::Duplicate, "items[1].sku"));
        let neg = r#"{"schema":"unisono.catalog/1","items":[{"sku":"A","title":"a","price":-1}]}"#;
        let e = Catalog::from_json(neg).unwrap_err();
        assert_eq!(
            (e.code, e.path.as_str()),
            (Code::InvalidValue, "items[0].price")
        );
        let empty = r#"{"schema":"unisono.catalog/1","items":[]}"#;
        assert_eq!(
            Catalog::from_json(empty).unwrap_err().code,
            Code::EmptyCatalog
        );
    }

    #[test]
    fn indexes_by_sku() {
        let c = Catalog::from_json(r#"{"schema":"unisono.catalog/1","items":[{"sku":"B","title":"b","price":1},{"sku":"A","title":"a","price":2}]}"#).unwrap();
        assert_eq!(c.get("A"), Some(0));
        assert_eq!(c.item(1).sku, "B");
        assert_eq!(c.get("C"), None);
    }
}
