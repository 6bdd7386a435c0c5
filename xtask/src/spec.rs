//! Loading and validating one provider spec.
//!
//! Validation runs on the raw YAML (as JSON values) before `openapiv3` sees the
//! document, so that each problem gets a message that names the spec and the place
//! in it, instead of a deserializer error or a generator panic.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// HTTP methods an OpenAPI path item may hold.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A spec that was read, validated and parsed.
pub struct Spec {
    /// File stem, e.g. `zitadel-v1`.
    pub name: String,
    /// Where it was read from.
    pub path: PathBuf,
    /// The document as plain JSON values (what the pre-pass rewrites).
    pub raw: Value,
}

/// Why a spec could not be turned into a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec's file name.
    pub spec: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.spec, self.message)
    }
}

impl std::error::Error for SpecError {}

impl Spec {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<Spec, SpecError> {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let text = std::fs::read_to_string(path).map_err(|e| SpecError {
            spec: file.clone(),
            message: format!("cannot read {}: {e}", path.display()),
        })?;
        Spec::parse(&file, path, &text)
    }

    /// Parses and validates a spec given as YAML text.
    pub fn parse(file: &str, path: &Path, text: &str) -> Result<Spec, SpecError> {
        let err = |message: String| SpecError {
            spec: file.to_string(),
            message,
        };
        let raw: Value =
            serde_yaml::from_str(text).map_err(|e| err(format!("is not valid YAML: {e}")))?;
        validate(&raw).map_err(err)?;
        // openapiv3 must also accept it: that is what the generator reads.
        serde_json::from_value::<openapiv3::OpenAPI>(raw.clone())
            .map_err(|e| err(format!("is not a valid OpenAPI 3.0 document: {e}")))?;
        let name = Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.to_string());
        Ok(Spec {
            name,
            path: path.to_path_buf(),
            raw,
        })
    }

    /// The document after the pre-pass, as `openapiv3` reads it.
    pub fn openapi(&self, raw: &Value) -> Result<openapiv3::OpenAPI, SpecError> {
        serde_json::from_value(raw.clone()).map_err(|e| SpecError {
            spec: self.file_name(),
            message: format!("the pre-pass produced an invalid document: {e}"),
        })
    }

    /// The cargo feature of the `userbridge` crate that compiles this spec's
    /// client: `info.x-userbridge-feature` where the spec names one (the two
    /// Zitadel specs share `zitadel`), else the file stem.
    pub fn feature(&self) -> String {
        self.raw
            .pointer("/info/x-userbridge-feature")
            .and_then(Value::as_str)
            .map_or_else(|| self.name.clone(), str::to_string)
    }

    /// The spec's file name, for messages.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("{}.yaml", self.name))
    }
}

/// Every operation of a document: `(path, method, operation)`.
pub fn operations(raw: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    if let Some(paths) = raw.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    out.push((path.clone(), method.to_string(), op));
                }
            }
        }
    }
    out
}

/// Follows a local `$ref` (`#/components/...`) once; other values come back as-is.
pub fn resolve<'a>(raw: &'a Value, v: &'a Value) -> Option<&'a Value> {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.strip_prefix('#')?;
            raw.pointer(pointer)
        }
        None => Some(v),
    }
}

fn validate(raw: &Value) -> Result<(), String> {
    let version = raw
        .get("openapi")
        .and_then(Value::as_str)
        .ok_or("has no `openapi` version field; write `openapi: 3.0.3`")?;
    if !version.trim().starts_with("3.0.") {
        return Err(format!(
            "is OpenAPI {version}, but only 3.0.x is supported (progenitor reads 3.0 only); \
             write the spec as `openapi: 3.0.3`"
        ));
    }
    let has_servers = raw
        .get("servers")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    if !has_servers {
        return Err("has no `servers`: give the provider's server URL \
                    (with variables for custom domains)"
            .into());
    }
    let has_security = raw
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    if !has_security {
        return Err(
            "has no top-level `security`: declare how requests authenticate \
                    (e.g. a bearer scheme)"
                .into(),
        );
    }
    let ops = operations(raw);
    if ops.is_empty() {
        return Err("has no operations under `paths`".into());
    }
    for (path, method, op) in ops {
        let where_ = format!("{} {path}", method.to_uppercase());
        let op_id = op.get("operationId").and_then(Value::as_str);
        let op_id = match op_id {
            Some(id) if !id.trim().is_empty() => id,
            _ => {
                return Err(format!(
                    "operation {where_} has no `operationId`; give it an explicit, stable one"
                ))
            }
        };
        let responses = op
            .get("responses")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("operation `{op_id}` ({where_}) documents no responses"))?;
        for (status, response) in responses {
            let response = resolve(raw, response).ok_or_else(|| {
                format!("operation `{op_id}` response {status}: unresolvable $ref")
            })?;
            let Some(content) = response.get("content").and_then(Value::as_object) else {
                continue;
            };
            for (media, body) in content {
                let has_example = body.get("example").is_some()
                    || body
                        .get("examples")
                        .and_then(Value::as_object)
                        .is_some_and(|e| !e.is_empty());
                if !has_example {
                    return Err(format!(
                        "operation `{op_id}` response {status} ({media}) has no example; \
                         add the page's example (or one written from the facts) under \
                         `example` or `examples`"
                    ));
                }
            }
        }
    }
    Ok(())
}
