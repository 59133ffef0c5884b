//! The product catalog: what can be recommended, where it is sold and where it is in stock.

use crate::channel::Channel;
use crate::error::{self, Code, Error};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const CATALOG_SCHEMA: &str = "unisono.catalog/1";
/// A catalog larger than this is refused: it would not fit a kiosk or a browser tab.
pub const MAX_ITEMS: usize = 1_000_000;

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
    pub stores: BTreeMap<String, f64>,
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
        self.availability.stores.get(store).copied().unwrap_or(0.0)
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
        stores: BTreeMap::new(),
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
    #[serde(default)]
    stores: Vec<Store>,
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 1_000_000)))]
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
    /// SHA-256 of the canonical form (items sorted by sku, keys in schema order): the same for
    /// a JSON string and for a JS object of the same catalog.
    pub content_hash: String,
    pub stores: Vec<Store>,
    pub items: Vec<Item>,
    /// sku → index. Hashed: looked up for every profile event in every decision.
    index: crate::hash::StrMap<u32>,
}

impl Catalog {
    pub fn from_json(text: &str) -> error::Result<Catalog> {
        let doc: CatalogDoc = error::from_json("catalog", text)?;
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
        let mut index = crate::hash::StrMap::default();
        for (i, item) in doc.items.iter().enumerate() {
            let path = |f: &str| format!("items[{i}].{f}");
            if item.sku.is_empty() || item.sku.len() > 200 {
                return err(
                    Code::InvalidValue,
                    path("sku"),
                    "must be 1 to 200 bytes".into(),
                );
            }
            if index.insert(item.sku.clone(), i as u32).is_some() {
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
            for (store, qty) in &item.availability.stores {
                if !(qty.is_finite() && *qty >= 0.0) {
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
        let content_hash =
            crate::hash::sha256_hex(serde_json::to_string(&doc).unwrap_or_default().as_bytes());
        crate::hash::verify_declared("catalog", doc.checksum.as_deref(), &content_hash)?;
        let index = doc
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.sku.clone(), i as u32))
            .collect();
        Ok(Catalog {
            version: doc.version,
            content_hash,
            stores: doc.stores,
            items: doc.items,
            index,
        })
    }

    pub fn get(&self, sku: &str) -> Option<u32> {
        self.index.get(sku).copied()
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
