//! The pre-pass: rewrites what progenitor 0.15 cannot take, keeping the meaning.
//!
//! The specs in `openapi/` stay faithful to the providers' pages. progenitor,
//! though, asserts that all success responses of an operation share one type and
//! that all error responses share one type, and it treats `default` as both a
//! success and an error. The pre-pass works on a copy of the document, operation by
//! operation:
//!
//! 1. `default` beside a documented success response becomes the error ranges
//!    `4XX` and `5XX` (explicit codes and ranges already present win). Unless a
//!    `default` is the only response, a response that is not listed is an error, so
//!    this keeps its meaning for every status a server can send an error with.
//! 2. Error responses (`4xx`, `5xx`, `4XX`, `5XX`) whose JSON schemas differ get
//!    one schema, `<OperationId>ErrorBody`, a `oneOf` of the distinct schemas in
//!    document order; each error response then points to it. Every documented
//!    status stays a match arm of the generated client, typed.
//! 3. Error responses that mix a JSON body with no body cannot share a type; that
//!    is reported as an error naming the operation and the statuses, so the spec
//!    is fixed (give the bodiless response its schema) rather than guessed at.
//!
//! Success responses with different types are left alone: progenitor rejects them,
//! and the generator reports that clearly (see `generate`).

use serde_json::{json, Map, Value};

use crate::spec::{resolve, METHODS};

/// A rewrite the pre-pass made, for the codegen log.
pub type Note = String;

/// Runs the pre-pass over a whole document.
pub fn run(raw: &Value) -> Result<(Value, Vec<Note>), String> {
    let mut doc = raw.clone();
    let mut notes = Vec::new();
    let mut new_schemas: Vec<(String, Value)> = Vec::new();

    let paths: Vec<String> = doc
        .get("paths")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for path in paths {
        for method in METHODS {
            let pointer = format!("/paths/{}/{method}", escape_pointer(&path));
            let Some(op) = doc.pointer(&pointer).cloned() else {
                continue;
            };
            let op_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("operation")
                .to_string();
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            // Inline response $refs so that each response can be rewritten alone.
            let mut responses: Map<String, Value> = responses
                .iter()
                .map(|(k, v)| {
                    let r = resolve(raw, v).cloned().unwrap_or_else(|| v.clone());
                    (k.clone(), r)
                })
                .collect();

            split_default(&op_id, &mut responses, &mut notes);
            if let Some(schema) = unify_errors(&op_id, &mut responses, &mut notes)? {
                new_schemas.push(schema);
            }

            if let Some(slot) = doc.pointer_mut(&format!("{pointer}/responses")) {
                *slot = Value::Object(responses);
            }
        }
    }

    if !new_schemas.is_empty() {
        let schemas = doc
            .as_object_mut()
            .ok_or("the document is not a mapping")?
            .entry("components")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or("`components` is not a mapping")?
            .entry("schemas")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or("`components.schemas` is not a mapping")?;
        for (name, schema) in new_schemas {
            if schemas.contains_key(&name) {
                return Err(format!(
                    "the pre-pass needs the schema name `{name}`, which the spec already uses"
                ));
            }
            schemas.insert(name, schema);
        }
    }
    Ok((doc, notes))
}

/// Status keys of the error class: `4xx`/`5xx` codes and the `4XX`/`5XX` ranges.
pub fn is_error_status(status: &str) -> bool {
    matches!(status.as_bytes().first(), Some(b'4' | b'5')) && status.len() == 3
}

/// Status keys of the success class.
pub fn is_success_status(status: &str) -> bool {
    status.len() == 3 && status.starts_with('2')
}

fn split_default(op_id: &str, responses: &mut Map<String, Value>, notes: &mut Vec<Note>) {
    if !responses.keys().any(|k| is_success_status(k)) {
        return;
    }
    let Some(default) = responses.remove("default") else {
        return;
    };
    let mut added = Vec::new();
    for range in ["4XX", "5XX"] {
        if !responses.contains_key(range) {
            responses.insert(range.to_string(), default.clone());
            added.push(range);
        }
    }
    notes.push(format!(
        "{op_id}: `default` beside a success response became {}",
        if added.is_empty() {
            "nothing (4XX and 5XX already documented)".to_string()
        } else {
            added.join(" and ")
        }
    ));
}

fn json_schema(response: &Value) -> Option<&Value> {
    let content = response.get("content")?.as_object()?;
    content
        .iter()
        .find(|(media, _)| *media == "application/json" || media.starts_with("application/json;"))
        .and_then(|(_, m)| m.get("schema"))
}

fn unify_errors(
    op_id: &str,
    responses: &mut Map<String, Value>,
    notes: &mut Vec<Note>,
) -> Result<Option<(String, Value)>, String> {
    let error_keys: Vec<String> = responses
        .keys()
        .filter(|k| is_error_status(k))
        .cloned()
        .collect();
    let mut distinct: Vec<Value> = Vec::new();
    let mut bodiless = Vec::new();
    let mut typed = Vec::new();
    for key in &error_keys {
        match responses.get(key).and_then(json_schema) {
            Some(schema) => {
                typed.push(key.clone());
                if !distinct.contains(schema) {
                    distinct.push(schema.clone());
                }
            }
            None => bodiless.push(key.clone()),
        }
    }
    if !typed.is_empty() && !bodiless.is_empty() {
        return Err(format!(
            "operation `{op_id}`: error responses {} have a JSON body but {} have none; \
             progenitor needs one error type: document the body of {}",
            typed.join(", "),
            bodiless.join(", "),
            bodiless.join(", ")
        ));
    }
    if distinct.len() <= 1 {
        return Ok(None);
    }
    let name = format!("{}ErrorBody", pascal(op_id));
    let schema = json!({
        "description": format!(
            "Any error body of `{op_id}` (pre-pass: its error responses document \
             different schemas)."
        ),
        "oneOf": distinct,
    });
    let reference = json!({ "$ref": format!("#/components/schemas/{name}") });
    for key in &typed {
        if let Some(content) = responses
            .get_mut(key)
            .and_then(|r| r.get_mut("content"))
            .and_then(Value::as_object_mut)
        {
            for (media, body) in content.iter_mut() {
                if media == "application/json" || media.starts_with("application/json;") {
                    if let Some(obj) = body.as_object_mut() {
                        obj.insert("schema".into(), reference.clone());
                    }
                }
            }
        }
    }
    notes.push(format!(
        "{op_id}: error responses {} share `{name}` (oneOf {} schemas)",
        typed.join(", "),
        distinct.len()
    ));
    Ok(Some((name, schema)))
}

fn pascal(s: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(responses: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": { "/x": { "post": { "operationId": "doIt", "responses": responses } } }
        })
    }

    #[test]
    fn default_beside_success_becomes_error_ranges() {
        let d = doc(json!({
            "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
            "default": {"description": "err", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}},
        }));
        let (out, notes) = run(&d).unwrap();
        let r = &out["paths"]["/x"]["post"]["responses"];
        assert!(r.get("default").is_none());
        assert_eq!(r["4XX"], d["paths"]["/x"]["post"]["responses"]["default"]);
        assert_eq!(r["5XX"], d["paths"]["/x"]["post"]["responses"]["default"]);
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn explicit_ranges_win_over_default() {
        let d = doc(json!({
            "200": {"description": "ok"},
            "5XX": {"description": "server", "content": {"application/json": {"schema": {"type": "string"}}}},
            "default": {"description": "err", "content": {"application/json": {"schema": {"type": "string"}}}},
        }));
        let (out, _) = run(&d).unwrap();
        let r = &out["paths"]["/x"]["post"]["responses"];
        assert_eq!(r["5XX"]["description"], "server");
        assert_eq!(r["4XX"]["description"], "err");
    }

    #[test]
    fn differing_error_schemas_become_one_of() {
        let d = doc(json!({
            "200": {"description": "ok"},
            "400": {"description": "a", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
            "401": {"description": "b", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/B"}}}},
            "404": {"description": "a", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
        }));
        let (out, _) = run(&d).unwrap();
        let one_of = &out["components"]["schemas"]["DoItErrorBody"]["oneOf"];
        assert_eq!(
            one_of,
            &json!([{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}])
        );
        for s in ["400", "401", "404"] {
            assert_eq!(
                out["paths"]["/x"]["post"]["responses"][s]["content"]["application/json"]["schema"],
                json!({"$ref": "#/components/schemas/DoItErrorBody"})
            );
        }
    }

    #[test]
    fn identical_error_schemas_are_left_alone() {
        let d = doc(json!({
            "200": {"description": "ok"},
            "400": {"description": "a", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
            "500": {"description": "a", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
        }));
        let (out, notes) = run(&d).unwrap();
        assert_eq!(out, d);
        assert!(notes.is_empty());
    }

    #[test]
    fn bodiless_beside_json_error_is_a_clear_error() {
        let d = doc(json!({
            "200": {"description": "ok"},
            "400": {"description": "a", "content": {"application/json": {"schema": {"type": "object"}}}},
            "401": {"description": "none"},
        }));
        let e = run(&d).unwrap_err();
        assert!(e.contains("`doIt`") && e.contains("401"), "{e}");
    }
}
