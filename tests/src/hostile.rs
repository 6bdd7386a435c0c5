//! Undocumented and hostile answers: 418, 502 with HTML, empty bodies, truncated
//! JSON, non-JSON and wrong-shape 2xx bodies. Each is a classified error (never
//! `Ok`, never a panic) that keeps the raw body. The generic cases are built from
//! the spec (its success and not-found bodies, its success schema); a provider's
//! test file adds its own.

use serde_json::{json, Value};
use userbridge::{ErrorKind, Provider, ReactivateRequest};

use crate::outcome::{check_outcome, generic_expectation, kind_name, observed};
use crate::schema::conforms;
use crate::spec::{self, resolve};
use crate::{call_with, Answer, Runner};

const HTML: &str = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 \
                    Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

/// One hostile answer and the kind it must be classified as.
#[derive(Clone, Debug)]
pub struct HostileCase {
    /// What it is.
    pub label: String,
    /// The answer.
    pub answer: Answer,
    /// The kind it must be.
    pub kind: ErrorKind,
    /// The full expectation where a provider's own rule decides it; `None`: the
    /// generic rules ([`generic_expectation`]), which must agree on the kind.
    pub want: Option<Value>,
}

impl HostileCase {
    /// A case the generic rules decide.
    pub fn new(label: impl Into<String>, answer: Answer, kind: ErrorKind) -> HostileCase {
        HostileCase {
            label: label.into(),
            answer,
            kind,
            want: None,
        }
    }
}

/// A JSON text cut in the middle.
fn truncated(json: &str) -> String {
    json[..json.len() / 2].to_string()
}

/// The hostile answers every provider gets: the same statuses and bodies, with
/// the provider's own success and not-found bodies cut in half.
pub fn common_cases(p: Provider) -> Vec<HostileCase> {
    use ErrorKind::*;
    let spec = spec::spec(p);
    let success = spec.example_of("ok").body.to_string();
    let not_found = spec.example_of("not_found").body.to_string();
    let c = HostileCase::new;
    vec![
        c(
            "418 teapot",
            Answer::raw(418, "text/plain", "I'm a teapot"),
            UnexpectedResponse,
        ),
        c(
            "418 with a JSON body",
            Answer::raw(418, "application/json", r#"{"message":"teapot"}"#),
            UnexpectedResponse,
        ),
        c("502 HTML", Answer::raw(502, "text/html", HTML), Server),
        c(
            "503 HTML",
            Answer::raw(503, "text/html", "<html>down</html>"),
            Server,
        ),
        c(
            "200 empty body",
            Answer::raw(200, "application/json", ""),
            UnexpectedResponse,
        ),
        c(
            "204 no content",
            Answer::raw(204, "application/json", ""),
            UnexpectedResponse,
        ),
        c(
            "400 empty body",
            Answer::raw(400, "application/json", ""),
            InvalidArgument,
        ),
        c(
            "200 truncated JSON (the spec's success)",
            Answer::raw(200, "application/json", truncated(&success)),
            UnexpectedResponse,
        ),
        c(
            // Cut short, it is no longer recognizably the provider's answer: a
            // 404 that is not is a wrong endpoint's (ARCHITECTURE.md).
            "404 truncated JSON (the spec's not-found answer)",
            Answer::raw(404, "application/json", truncated(&not_found)),
            Misconfigured,
        ),
        c(
            "200 non-JSON body",
            Answer::raw(200, "text/plain", "OK"),
            UnexpectedResponse,
        ),
        c(
            "200 HTML",
            Answer::raw(200, "text/html", "<html><body>Login</body></html>"),
            UnexpectedResponse,
        ),
        c(
            "200 JSON array []",
            Answer::raw(200, "application/json", "[]"),
            UnexpectedResponse,
        ),
        c(
            "200 JSON null",
            Answer::raw(200, "application/json", "null"),
            UnexpectedResponse,
        ),
        c(
            "401 HTML",
            Answer::raw(401, "text/html", "<html>401 Authorization Required</html>"),
            Unauthenticated,
        ),
        c(
            "403 HTML",
            Answer::raw(403, "text/html", "<html>403 Forbidden</html>"),
            PermissionDenied,
        ),
        c(
            "500 JSON of another shape",
            Answer::raw(500, "application/json", r#"{"error":"boom","code":[1]}"#),
            Server,
        ),
        c(
            "302 redirect",
            Answer::raw(302, "text/html", "").header("location", "https://evil.example/login"),
            UnexpectedResponse,
        ),
    ]
}

/// Values of another JSON type than `schema`'s.
fn wrong_values(doc: &Value, schema: &Value) -> Vec<Value> {
    match resolve(doc, schema).get("type").and_then(Value::as_str) {
        Some("string") => vec![json!(5)],
        Some("integer") | Some("number") => vec![json!("x")],
        Some("boolean") => vec![json!("yes")],
        Some("array") => vec![json!("x")],
        Some("object") => vec![json!("x"), json!([1, 2])],
        _ => Vec::new(),
    }
}

/// 2xx bodies of the wrong shape, made from the spec's success example and
/// schema: each required property missing, and each property of the example
/// (and of its objects, one level down) with a value of another type. Each is
/// checked not to have the success shape.
pub fn wrong_shapes(p: Provider) -> Vec<Value> {
    let spec = spec::spec(p);
    let doc = &spec.doc;
    let schema = spec.success_schema();
    let example = spec.example_of("ok").body.clone();
    let props = |s: &Value| resolve(doc, s).get("properties").cloned();
    let mut out = Vec::new();
    for r in schema["required"].as_array().into_iter().flatten() {
        let mut body = example.clone();
        if let (Some(o), Some(r)) = (body.as_object_mut(), r.as_str()) {
            o.remove(r);
        }
        out.push(body);
    }
    let top = props(schema).unwrap_or_default();
    for (k, v) in example.as_object().into_iter().flatten() {
        let Some(prop) = top.get(k) else { continue };
        for w in wrong_values(doc, prop) {
            let mut body = example.clone();
            body[k] = w;
            out.push(body);
        }
        let inner = props(prop).unwrap_or_default();
        for (k2, _) in v.as_object().into_iter().flatten() {
            let Some(prop2) = inner.get(k2) else { continue };
            for w in wrong_values(doc, prop2) {
                let mut body = example.clone();
                body[k][k2] = w;
                out.push(body);
            }
        }
    }
    out.retain(|b| conforms(doc, schema, b).is_err());
    assert!(!out.is_empty(), "{p}: no wrong shape could be made");
    out
}

/// [`common_cases`] and a 200 with each of [`wrong_shapes`].
pub fn generic_cases(p: Provider) -> Vec<HostileCase> {
    let mut v = common_cases(p);
    for body in wrong_shapes(p) {
        v.push(HostileCase::new(
            format!("200 wrong shape {body}"),
            Answer::json(200, &body),
            ErrorKind::UnexpectedResponse,
        ));
    }
    v
}

/// Serves each case through `runner`: the outcome is an error of the case's kind
/// that keeps the served status and body; the generic rules agree (unless the
/// case brings its own expectation) and the call is checked against them
/// ([`check_outcome`]). Returns the problems, naming runner, provider and case.
pub fn run(runner: &dyn Runner, p: Provider, cases: &[HostileCase]) -> Vec<String> {
    let mut failures = Vec::new();
    let user = spec::spec(p).sample_user_id();
    for case in cases {
        let HostileCase {
            label,
            answer,
            kind,
            want,
        } = case;
        let (result, requests) = call_with(runner, p, answer, ReactivateRequest::new(user));
        let mut problems = Vec::new();
        match &result {
            Ok(done) => problems.push(format!("expected {kind:?}, got Ok({done:?})")),
            Err(e) => {
                if e.kind() != *kind {
                    problems.push(format!("kind: expected {kind:?}, got {:?}: {e}", e.kind()));
                }
                match e.api_error() {
                    Some(a) => {
                        if a.body != answer.body_text() {
                            problems.push(format!("body not kept: {:?}", a.body));
                        }
                        if a.status != answer.status {
                            problems.push(format!("status {}", a.status));
                        }
                        if a.message.trim().is_empty() {
                            problems.push("empty message".into());
                        }
                    }
                    None => problems.push(format!("no ApiError: {e:?}")),
                }
            }
        }
        let want = match want {
            Some(w) => w.clone(),
            None => {
                // The generic rules agree with the table, field by field.
                let w = generic_expectation(p, answer.status, &answer.headers, &answer.body);
                if w["kind"] != json!(kind_name(*kind)) {
                    problems.push(format!(
                        "the generic rules say {}, the hostile table says {kind:?}",
                        w["kind"]
                    ));
                }
                w
            }
        };
        problems.extend(check_outcome(
            p,
            user,
            &want,
            &result,
            Some(&answer.body_text()),
        ));
        let n = requests.len();
        if n != 1 {
            problems.push(format!("server saw {n} requests"));
        }
        println!(
            "| {p} | {label} | HTTP {} | observed {} |",
            answer.status,
            observed(&result)
        );
        if !problems.is_empty() {
            failures.push(format!(
                "[{}] {p} {label}: {}",
                runner.name(),
                problems.join("; ")
            ));
        }
    }
    failures
}
