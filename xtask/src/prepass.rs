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
//! 4. A structured-syntax `+json` media type (`application/scim+json`, RFC 6839
//!    §3.1) is JSON, but progenitor types only `application/json`: a response
//!    whose only JSON media type is a `+json` one gets it as `application/json`
//!    (same schema and examples), and a request body keeps exactly one media type,
//!    `application/json` (progenitor takes one, and knows no `+json` type; other
//!    media types of a body that also has a JSON one are dropped). The generated
//!    client then sends `Content-Type`/`Accept: application/json`; the SDK's
//!    transport puts the provider's own media type back on the wire
//!    (`CallContext::with_media_type`).
//! 5. Success responses that mix a JSON body with no body (RFC 7644 PATCH: 200 with
//!    the resource, or 204) cannot share a type either, and both are legitimate
//!    successes: every success response of the operation becomes a raw body in the
//!    generator's copy, so each documented success status stays a success arm of
//!    the generated client (it returns the bytes) and the adapter decodes the body.
//!
//! Success responses with different JSON types are left alone: progenitor rejects
//! them, and the generator reports that clearly (see `generate`).

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
            plus_json_responses(&op_id, &mut responses, &mut notes);
            raw_mixed_success(&op_id, &mut responses, &mut notes);
            if let Some(schema) = unify_errors(&op_id, &mut responses, &mut notes)? {
                new_schemas.push(schema);
            }

            if let Some(slot) = doc.pointer_mut(&format!("{pointer}/responses")) {
                *slot = Value::Object(responses);
            }
            if let Some(body) = op.get("requestBody") {
                let mut body = resolve(raw, body).cloned().unwrap_or_else(|| body.clone());
                if one_json_request_body(&op_id, &mut body, &mut notes) {
                    if let Some(slot) = doc.pointer_mut(&format!("{pointer}/requestBody")) {
                        *slot = body;
                    }
                }
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

/// `application/json` itself (with or without parameters).
fn is_plain_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// A JSON media type of another name: structured-syntax (RFC 6839 §3.1),
/// `application/<name>+json`, or a vendor type that names its JSON version,
/// `application/x-<name>-json-<version>` (the AWS JSON protocols'
/// `application/x-amz-json-1.1`).
fn is_plus_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim();
    let lower = essence.to_ascii_lowercase();
    let versioned = lower.strip_prefix("application/x-").is_some_and(|rest| {
        rest.rsplit_once("-json-").is_some_and(|(name, version)| {
            !name.is_empty()
                && !version.is_empty()
                && version.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        })
    });
    versioned || (lower.starts_with("application/") && lower.ends_with("+json") && lower.len() > 17)
}

/// Rule 4, responses: a response whose JSON is only a `+json` media type also
/// gets it as `application/json`, the one progenitor types.
fn plus_json_responses(op_id: &str, responses: &mut Map<String, Value>, notes: &mut Vec<Note>) {
    let mut renamed: Vec<(String, String)> = Vec::new();
    for (status, response) in responses.iter_mut() {
        let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        if content.keys().any(|m| is_plain_json(m)) {
            continue;
        }
        let Some(media) = content.keys().find(|m| is_plus_json(m)).cloned() else {
            continue;
        };
        if let Some(body) = content.remove(&media) {
            content.insert("application/json".to_string(), body);
            renamed.push((status.clone(), media));
        }
    }
    if renamed.is_empty() {
        return;
    }
    let mut types: Vec<&str> = renamed.iter().map(|(_, m)| m.as_str()).collect();
    types.dedup();
    let statuses: Vec<&str> = renamed.iter().map(|(s, _)| s.as_str()).collect();
    notes.push(format!(
        "{op_id}: responses {} read {} as application/json (a `+json` type is JSON)",
        statuses.join(", "),
        types.join(", ")
    ));
}

/// Rule 4, request bodies: exactly one media type, `application/json`, when the
/// body has a JSON one and progenitor could not take it as it is (several media
/// types, or only a `+json` one). Returns whether the body changed.
fn one_json_request_body(op_id: &str, body: &mut Value, notes: &mut Vec<Note>) -> bool {
    let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
        return false;
    };
    let only_plain_json = content.len() == 1 && content.keys().all(|m| is_plain_json(m));
    if only_plain_json || content.is_empty() {
        return false;
    }
    let chosen = content
        .keys()
        .find(|m| is_plain_json(m))
        .or_else(|| content.keys().find(|m| is_plus_json(m)))
        .cloned();
    let Some(chosen) = chosen else {
        return false;
    };
    let before: Vec<String> = content.keys().cloned().collect();
    let Some(media) = content.remove(&chosen) else {
        return false;
    };
    content.clear();
    content.insert("application/json".to_string(), media);
    notes.push(format!(
        "{op_id}: request body {} sent as application/json (progenitor takes one media type \
         and types only application/json)",
        before.join(", ")
    ));
    true
}

/// Rule 5: success responses that mix a JSON body with no body all become raw.
fn raw_mixed_success(op_id: &str, responses: &mut Map<String, Value>, notes: &mut Vec<Note>) {
    let success: Vec<String> = responses
        .keys()
        .filter(|k| is_success_status(k))
        .cloned()
        .collect();
    let with_json: Vec<&String> = success
        .iter()
        .filter(|k| responses.get(*k).and_then(json_schema).is_some())
        .collect();
    let bodiless: Vec<&String> = success
        .iter()
        .filter(|k| {
            responses
                .get(*k)
                .and_then(|r| r.get("content"))
                .and_then(Value::as_object)
                .is_none_or(Map::is_empty)
        })
        .collect();
    if with_json.is_empty() || bodiless.is_empty() {
        return;
    }
    let note = format!(
        "{op_id}: success responses {} (JSON) and {} (no body) are raw bytes in the generated \
         client (one success type; the adapter decodes the body)",
        with_json
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        bodiless
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for key in &success {
        if let Some(obj) = responses.get_mut(key).and_then(Value::as_object_mut) {
            obj.insert("content".into(), json!({ "*/*": {} }));
        }
    }
    notes.push(note);
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
    fn plus_json_responses_are_read_as_json() {
        let scim = json!({"schema": {"$ref": "#/components/schemas/User"}, "example": {"id": "1"}});
        let d = doc(json!({
            "200": {"description": "ok", "content": {"application/scim+json": scim.clone()}},
            "404": {"description": "both", "content": {
                "application/scim+json": {"schema": {"type": "string"}, "example": "a"},
                "application/json": {"schema": {"type": "string"}, "example": "b"},
            }},
            "202": {"description": "xml", "content": {"application/xml": {"schema": {"type": "string"}}}},
        }));
        let (out, notes) = run(&d).unwrap();
        let r = &out["paths"]["/x"]["post"]["responses"];
        // The lone `+json` type becomes application/json, schema and examples kept.
        assert_eq!(r["200"]["content"], json!({"application/json": scim}));
        // A response that already has application/json is left alone, as is one
        // without JSON.
        assert_eq!(r["404"], d["paths"]["/x"]["post"]["responses"]["404"]);
        assert_eq!(r["202"], d["paths"]["/x"]["post"]["responses"]["202"]);
        assert_eq!(
            notes,
            vec![
                "doIt: responses 200 read application/scim+json as application/json (a `+json` \
                  type is JSON)"
                    .to_string()
            ]
        );
        // Not `+json`: the suffix must follow a name under application/.
        assert!(is_plus_json("application/scim+json; charset=utf-8"));
        assert!(!is_plus_json("application/+json"));
        assert!(!is_plus_json("text/x+json"));
        assert!(!is_plus_json("application/json"));
    }

    #[test]
    fn a_request_body_keeps_one_json_media_type() {
        let schema = json!({"$ref": "#/components/schemas/PatchOp"});
        let with_body = |content: Value| {
            json!({
                "openapi": "3.0.3",
                "paths": {"/x": {"patch": {
                    "operationId": "patchIt",
                    "requestBody": {"required": true, "content": content},
                    "responses": {"204": {"description": "done"}},
                }}},
                "components": {"requestBodies": {"Shared": {"content": {
                    "application/scim+json": {"schema": {"type": "object"}}
                }}}},
            })
        };
        // Two media types: application/json wins, the other is dropped.
        let d = with_body(json!({
            "application/scim+json": {"schema": schema.clone()},
            "application/json": {"schema": schema.clone(), "example": {}},
        }));
        let (out, notes) = run(&d).unwrap();
        assert_eq!(
            out["paths"]["/x"]["patch"]["requestBody"]["content"],
            json!({"application/json": {"schema": schema.clone(), "example": {}}})
        );
        assert_eq!(
            notes,
            vec![
                "patchIt: request body application/json, application/scim+json sent as \
                  application/json (progenitor takes one media type and types only \
                  application/json)"
                    .to_string()
            ]
        );
        // A lone `+json` type becomes application/json.
        let d = with_body(json!({"application/scim+json": {"schema": schema.clone()}}));
        let (out, _) = run(&d).unwrap();
        assert_eq!(
            out["paths"]["/x"]["patch"]["requestBody"]["content"],
            json!({"application/json": {"schema": schema.clone()}})
        );
        // A $ref'd body is inlined and rewritten; the component stays.
        let mut d = with_body(json!({}));
        d["paths"]["/x"]["patch"]["requestBody"] =
            json!({"$ref": "#/components/requestBodies/Shared"});
        let (out, _) = run(&d).unwrap();
        assert_eq!(
            out["paths"]["/x"]["patch"]["requestBody"]["content"],
            json!({"application/json": {"schema": {"type": "object"}}})
        );
        assert_eq!(out["components"], d["components"]);
        // Already fine, or no JSON at all: untouched.
        for content in [
            json!({"application/json": {"schema": schema.clone()}}),
            json!({"text/plain": {"schema": {"type": "string"}}, "application/xml": {}}),
        ] {
            let d = with_body(content);
            let (out, notes) = run(&d).unwrap();
            assert_eq!(out, d);
            assert!(notes.is_empty());
        }
    }

    #[test]
    fn json_success_beside_bodiless_success_becomes_raw() {
        let d = doc(json!({
            "200": {"description": "the resource", "content": {"application/scim+json": {
                "schema": {"$ref": "#/components/schemas/User"}, "example": {"id": "1"}}}},
            "204": {"description": "no body"},
            "404": {"description": "err", "content": {"application/json": {"schema": {"type": "object"}}}},
        }));
        let (out, notes) = run(&d).unwrap();
        let r = &out["paths"]["/x"]["post"]["responses"];
        for status in ["200", "204"] {
            assert_eq!(r[status]["content"], json!({"*/*": {}}), "{status}");
            assert_eq!(
                r[status]["description"],
                d["paths"]["/x"]["post"]["responses"][status]["description"]
            );
        }
        // Errors keep their type.
        assert_eq!(r["404"], d["paths"]["/x"]["post"]["responses"]["404"]);
        assert_eq!(
            notes,
            vec![
                "doIt: responses 200 read application/scim+json as application/json (a `+json` \
                 type is JSON)"
                    .to_string(),
                "doIt: success responses 200 (JSON) and 204 (no body) are raw bytes in the \
                 generated client (one success type; the adapter decodes the body)"
                    .to_string(),
            ]
        );
        // Only JSON, or only bodiless: nothing to do.
        for responses in [
            json!({"200": {"description": "a", "content": {"application/json": {"schema": {}}}}}),
            json!({"200": {"description": "a"}, "204": {"description": "b"}}),
        ] {
            let d = doc(responses);
            let (out, notes) = run(&d).unwrap();
            assert_eq!(out, d);
            assert!(notes.is_empty());
        }
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
