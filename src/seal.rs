//! Sealing artifacts: write the `checksum` the engine verifies at load, so a catalog, config or
//! offer catalogue edited (or truncated) after release is rejected with `checksum_mismatch`
//! and the previous artifacts keep serving. Models are sealed by the builder already.

use crate::catalog::Catalog;
use crate::config::Config;
use crate::error::{self, Code, Error};
use crate::offers::Offers;
use serde_json::Value;

/// The document with `"checksum": "sha256:<hex>"` of its canonical form (any old checksum is
/// replaced), pretty-printed. `kind` is catalog, config, offers or model.
pub fn seal(kind: &str, text: &str) -> error::Result<String> {
    let document = match kind {
        "catalog" => "catalog",
        "config" => "config",
        "offers" => "offers",
        "model" => "model",
        _ => {
            return Err(Error::new(
                Code::InvalidValue,
                "artifacts",
                "",
                format!("cannot seal {kind:?}: catalog, config, offers or model"),
            ))
        }
    };
    let mut value: Value = error::from_json(document, text)?;
    let Some(map) = value.as_object_mut() else {
        return Err(Error::new(
            Code::InvalidType,
            document,
            "",
            "expected a JSON object",
        ));
    };
    if document == "model" {
        // Sealed in the format it is written in (`upgrade-model` converts v1 to v2).
        return Ok(match crate::model::parse(text)? {
            crate::model::Artifact::V1(doc) => doc.seal().to_json(),
            crate::model::Artifact::V2(doc) => doc.seal().to_json(),
        });
    }
    map.remove("checksum");
    let unsealed = serde_json::to_string(&value).unwrap_or_default();
    let hash = match document {
        "catalog" => Catalog::from_json(&unsealed)?.content_hash,
        "config" => Config::from_json(&unsealed)?.content_hash(),
        _ => Offers::from_json(&unsealed)?.content_hash(),
    };
    if let Some(map) = value.as_object_mut() {
        map.insert("checksum".into(), Value::String(format!("sha256:{hash}")));
    }
    Ok(serde_json::to_string_pretty(&value).unwrap_or_default() + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_artifacts_load_and_tampered_ones_do_not() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample/");
        for kind in ["catalog", "config", "offers"] {
            let text = std::fs::read_to_string(format!("{dir}{kind}.json")).unwrap();
            let sealed = seal(kind, &text).unwrap();
            assert!(sealed.contains("\"checksum\": \"sha256:"));
            let load = |t: &str| match kind {
                "catalog" => Catalog::from_json(t).map(|_| ()),
                "config" => Config::from_json(t).map(|_| ()),
                _ => Offers::from_json(t).map(|_| ()),
            };
            load(&sealed).unwrap();
            assert_eq!(
                seal(kind, &sealed).unwrap(),
                sealed,
                "sealing is idempotent"
            );
            // Any change to the content breaks the seal.
            let tampered = sealed.replacen("\"version\": \"", "\"version\": \"x", 1);
            let e = load(&tampered).unwrap_err();
            assert_eq!(
                (e.code, e.path.as_str()),
                (Code::ChecksumMismatch, "checksum")
            );
        }
    }
}
