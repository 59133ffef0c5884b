//! Content-based similarity from the catalog alone: what "similar items" falls back on for an
//! item the population has not (yet) taught the model anything about.
//!
//! Similarity of two items = 0.35·[same leaf category] + 0.15·[same parent category]
//! + 0.15·[same brand] + 0.35·Jaccard(title words) + 0.05·[a shared tag], in [0, 1].

use crate::catalog::Catalog;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Per-item features, built once when the engine loads.
#[derive(Debug, Clone, Default)]
pub struct ContentIndex {
    /// Sorted, deduplicated word ids of each item's title.
    words: Vec<Vec<u32>>,
    /// Items per parent category (level 1), the candidate pool for an anchor.
    by_parent: BTreeMap<String, Vec<u32>>,
}

/// Candidates scanned per anchor at most: bounds a decision's work on huge categories.
const MAX_POOL: usize = 5_000;

/// The words of a title that count: three characters or more, lowercased (borrowed when the
/// word already is, which most are, so the index is built without a string per word).
fn tokens(title: &str) -> impl Iterator<Item = Cow<'_, str>> + '_ {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(|w| {
            if w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                Cow::Borrowed(w)
            } else {
                Cow::Owned(w.to_lowercase())
            }
        })
}

impl ContentIndex {
    pub fn build(catalog: &Catalog) -> ContentIndex {
        // Word ids in order of first sight. Hashed: one lookup per title word of every item on
        // every engine load, and only the ids are kept.
        let mut vocab: crate::hash::StrMap<u32> = crate::hash::StrMap::default();
        let mut words = Vec::with_capacity(catalog.len());
        let mut by_parent: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (i, item) in catalog.items.iter().enumerate() {
            let mut w: Vec<u32> = tokens(&item.title)
                .map(|t| match vocab.get(t.as_ref()) {
                    Some(&id) => id,
                    None => {
                        let id = vocab.len() as u32;
                        vocab.insert(t.into_owned(), id);
                        id
                    }
                })
                .collect();
            w.sort_unstable();
            w.dedup();
            words.push(w);
            match by_parent.get_mut(item.category_at(1)) {
                Some(pool) => pool.push(i as u32),
                None => {
                    by_parent.insert(item.category_at(1).to_string(), vec![i as u32]);
                }
            }
        }
        ContentIndex { words, by_parent }
    }

    /// The word ids of item `i`: every dense item id has an entry (one per catalog item, built
    /// together with the catalog), so the empty fallback is never taken in practice.
    fn words_of(&self, i: u32) -> &[u32] {
        self.words.get(i as usize).map_or(&[], Vec::as_slice)
    }

    /// Items most similar to `anchor`, best first (ties by catalog order = sku), at most `k`.
    pub fn similar(&self, catalog: &Catalog, anchor: u32, k: usize) -> Vec<(u32, f64)> {
        let a = catalog.item(anchor);
        let Some(pool) = self.by_parent.get(a.category_at(1)) else {
            return Vec::new();
        };
        let anchor_words = self.words_of(anchor);
        let mut out: Vec<(u32, f64)> = Vec::new();
        for &j in pool.iter().take(MAX_POOL) {
            if j == anchor {
                continue;
            }
            let b = catalog.item(j);
            let mut s = 0.35 * title_jaccard(anchor_words, self.words_of(j));
            if !a.category.is_empty() && a.category == b.category {
                s += 0.35;
            }
            if a.category.len() >= 2 && a.category_at(1) == b.category_at(1) {
                s += 0.15;
            }
            if a.brand.is_some() && a.brand == b.brand {
                s += 0.15;
            }
            if a.tags.iter().any(|t| b.tags.contains(t)) {
                s += 0.05;
            }
            if s > 0.0 {
                out.push((j, s));
            }
        }
        out.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        out.truncate(k);
        out
    }
}

/// Jaccard similarity of two sorted, deduplicated word-id lists (0 when either is empty).
fn title_jaccard(x: &[u32], y: &[u32]) -> f64 {
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let (mut xs, mut ys, mut both) = (x, y, 0usize);
    while let ([a, xr @ ..], [b, yr @ ..]) = (xs, ys) {
        match a.cmp(b) {
            std::cmp::Ordering::Less => xs = xr,
            std::cmp::Ordering::Greater => ys = yr,
            std::cmp::Ordering::Equal => {
                both += 1;
                xs = xr;
                ys = yr;
            }
        }
    }
    both as f64 / (x.len() + y.len() - both) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_leaf_and_words_rank_first() {
        let c = Catalog::from_json(
            r#"{"schema":"unisono.catalog/1","items":[
            {"sku":"A","title":"Trail Running Shoes","category":["Sports","Running","Shoes"],"brand":"X","price":1},
            {"sku":"B","title":"Road Running Shoes","category":["Sports","Running","Shoes"],"brand":"Y","price":1},
            {"sku":"C","title":"Running Socks","category":["Sports","Running","Socks"],"brand":"X","price":1},
            {"sku":"D","title":"Yoga Mat","category":["Sports","Yoga","Mats"],"price":1}]}"#,
        )
        .unwrap();
        let idx = ContentIndex::build(&c);
        let sim = idx.similar(&c, 0, 10);
        let skus: Vec<&str> = sim.iter().map(|(i, _)| c.item(*i).sku.as_str()).collect();
        assert_eq!(skus, ["B", "C"], "D is in another parent category");
        assert!(sim[0].1 > sim[1].1);
    }
}
