//! Expected outcomes and how calls are checked against them.
//!
//! An expectation is JSON: `kind` (`ok` or the error kind as `Error` serializes
//! it) and any fields the call must return, as a subset of
//! `serde_json::to_value(&result)` (of the `Reactivated` or the `Error`). Where
//! it comes from:
//!
//! - a documented answer: the spec's `x-userbridge-outcome`
//!   ([`crate::spec::Example::expectation`]);
//! - any other answer: the generic rules of ARCHITECTURE.md's error mapping
//!   ([`generic_expectation`]), which never call SDK internals;
//! - a provider's own rule: its test file, written out.

use std::fmt::Write as _;

use serde_json::{json, Value};
use userbridge::{Error, ErrorKind, Provider, Reactivated};

use crate::spec::{self, header};

/// The kind an HTTP status means on its own (ARCHITECTURE.md: "classified by
/// status, else UnexpectedResponse").
pub fn kind_by_status(status: u16) -> ErrorKind {
    match status {
        400 | 422 => ErrorKind::InvalidArgument,
        401 => ErrorKind::Unauthenticated,
        403 => ErrorKind::PermissionDenied,
        404 => ErrorKind::NotFound,
        // The operation is not served there: a wrong endpoint.
        405 => ErrorKind::Misconfigured,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::UnexpectedResponse,
    }
}

/// The name of a kind as `Error` serializes it (`not_deactivated`).
pub fn kind_name(kind: ErrorKind) -> String {
    kind.to_string()
}

/// The expected outcome of any answer of `p` (status, headers, raw body), from
/// the spec and the generic rules only:
///
/// - a body that is one of the spec's examples, served with its status: the
///   example's outcome ([`crate::spec::Example::expectation`]);
/// - 2xx: `ok` if the body has the documented success shape, else
///   `unexpected_response` (never a success) with nothing read from the body;
/// - any other status: the kind of the status; nothing can be read from a body
///   that is not JSON (no code, error id or field errors where the status is
///   documented); the trace id is the `x-request-id` header where the body cannot
///   give one; fields the provider never gives (per its examples) stay empty;
///   a `Retry-After` in seconds is the wait.
pub fn generic_expectation(
    p: Provider,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Value {
    let spec = spec::spec(p);
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    if let Some(json) = &parsed {
        if let Some(ex) = spec
            .examples()
            .iter()
            .find(|e| e.body == *json && e.status() == status)
        {
            return ex.expectation(headers);
        }
    }
    let request_id = header(headers, "x-request-id").map_or(Value::Null, Value::from);
    if (200..300).contains(&status) {
        return match &parsed {
            Some(j) if spec.is_success_shape(j) => json!({"kind": "ok"}),
            // Not the success: nothing is read from it.
            _ => json!({"kind": "unexpected_response", "status": status, "trace_id": request_id}),
        };
    }
    if status == 404 {
        match &parsed {
            // Not JSON: not the provider's error answer, whatever its shape
            // (ARCHITECTURE.md): a wrong endpoint, from which nothing is read.
            None => {
                return json!({"kind": "misconfigured", "status": 404, "code": null,
                    "error_id": null, "field_errors": [],
                    "trace_id": header(headers, "x-request-id")});
            }
            // JSON other than a documented example: whether it is the
            // provider's envelope is its adapter's call; only the status is sure.
            Some(_) => return json!({"status": 404}),
        }
    }
    let mut want = json!({"kind": kind_name(kind_by_status(status)), "status": status});
    let documented = spec.is_documented(status);
    let nothing_read = parsed.is_none() || !documented;
    if parsed.is_none() && documented {
        want["code"] = Value::Null;
        want["error_id"] = Value::Null;
        want["field_errors"] = json!([]);
    }
    for field in ["code", "error_id", "field_errors"] {
        if spec.never_gives(field) {
            want[field] = if field == "field_errors" {
                json!([])
            } else {
                Value::Null
            };
        }
    }
    if nothing_read || spec.never_gives("trace_id") {
        want["trace_id"] = request_id;
    }
    if let Some(secs) = header(headers, "retry-after").and_then(|v| v.parse::<u64>().ok()) {
        want["retry_after_ms"] = json!(secs * 1000);
    }
    want
}

/// Where `want` is not a subset of `got`: every member of a `want` object must be
/// in `got` with a matching value; arrays match element by element (same
/// length); other values are equal.
pub fn subset_problems(at: &str, want: &Value, got: &Value, problems: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                match g.get(k) {
                    Some(gv) => subset_problems(&format!("{at}.{k}"), wv, gv, problems),
                    None => problems.push(format!("{at}.{k}: expected {wv}, absent")),
                }
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                subset_problems(&format!("{at}[{i}]"), wv, gv, problems);
            }
        }
        (Value::Number(w), Value::Number(g)) if w.as_f64() == g.as_f64() => {}
        (w, g) if w == g => {}
        (w, g) => problems.push(format!("{at}: expected {w}, got {g}")),
    }
}

/// Compares the outcome of a call on `user_id` with the expectation `want`;
/// returns the problems found (empty when it matches). Beyond `want`, what holds
/// for every answered call: the provider and user id, one attempt, no
/// `already_active` on a plain success; for an error, the answer it carries
/// (non-empty message, the raw `body` when given) and a `Display` line that says
/// what happened ([`check_display`]).
pub fn check_outcome(
    p: Provider,
    user_id: &str,
    want: &Value,
    result: &Result<Reactivated, Error>,
    body: Option<&str>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let kind = want["kind"].as_str().unwrap_or("(no kind)");
    match result {
        Ok(done) => {
            if kind != "ok" {
                problems.push(format!("expected {kind}, got Ok({done:?})"));
                return problems;
            }
            if done.provider() != p {
                problems.push(format!("provider {:?}", done.provider()));
            }
            if done.user_id() != user_id {
                problems.push(format!("user_id {:?}", done.user_id()));
            }
            if done.already_active() {
                problems.push("marked already_active".into());
            }
            if done.attempts() != 1 {
                problems.push(format!("attempts {}", done.attempts()));
            }
            let mut want = want.clone();
            if let Some(w) = want.as_object_mut() {
                w.remove("kind");
                w.remove("status");
            }
            let got = serde_json::to_value(done).expect("Reactivated serializes");
            subset_problems("$", &want, &got, &mut problems);
        }
        Err(err) => {
            if kind == "ok" {
                problems.push(format!("expected Ok, got {err:?}"));
                return problems;
            }
            let got = serde_json::to_value(err).expect("Error serializes");
            // `retryable` is no field of the error's JSON: it is
            // `Error::is_retryable`, stated where the answer decides it.
            let mut want = want.clone();
            if let Some(retryable) = want.as_object_mut().and_then(|w| w.remove("retryable")) {
                if Some(err.is_retryable()) != retryable.as_bool() {
                    problems.push(format!(
                        "is_retryable(): expected {retryable}, got {}",
                        err.is_retryable()
                    ));
                }
            }
            subset_problems("$", &want, &got, &mut problems);
            if err.provider() != Some(p) {
                problems.push(format!("Error::provider() {:?}", err.provider()));
            }
            match err.api_error() {
                None => problems.push(format!("no ApiError in {err:?}")),
                Some(a) => {
                    if a.provider != p {
                        problems.push(format!("ApiError.provider {:?}", a.provider));
                    }
                    if a.user_id != user_id {
                        problems.push(format!("ApiError.user_id {:?}", a.user_id));
                    }
                    if a.attempts != 1 {
                        problems.push(format!("ApiError.attempts {}", a.attempts));
                    }
                    if err.status() != Some(a.status) {
                        problems.push(format!("Error::status() {:?}", err.status()));
                    }
                    if a.message.trim().is_empty() {
                        problems.push("empty message".into());
                    }
                    if let Some(body) = body {
                        if a.body != body {
                            problems.push(format!(
                                "body: expected the raw body {body:?}, got {:?}",
                                a.body
                            ));
                        }
                    }
                }
            }
            check_display(err, &mut problems);
        }
    }
    problems
}

/// A one-line summary of an observed outcome, for tables.
pub fn observed(result: &Result<Reactivated, Error>) -> String {
    match result {
        Ok(done) => {
            let mut s = "Ok".to_string();
            if let Some(m) = done.message() {
                let _ = write!(s, " message={m:?}");
            }
            if let Some(u) = done.aitronos_user() {
                let _ = write!(s, " user={} account_state={}", u.id, u.account_state);
            }
            if let Some(d) = done.change_details() {
                let _ = write!(
                    s,
                    " sequence={:?} resource_owner={:?}",
                    d.sequence, d.resource_owner
                );
            }
            s
        }
        Err(e) => {
            let mut s = format!("{:?}", e.kind());
            if let Some(a) = e.api_error() {
                let _ = write!(s, " (HTTP {}", a.status);
                if let Some(c) = &a.code {
                    let _ = write!(s, ", code {c}");
                }
                if let Some(id) = &a.error_id {
                    let _ = write!(s, ", {id}");
                }
                if let Some(t) = &a.trace_id {
                    let _ = write!(s, ", trace {t}");
                }
                if !a.field_errors.is_empty() {
                    let _ = write!(s, ", {} field error(s)", a.field_errors.len());
                }
                if let Some(r) = a.retry_after {
                    let _ = write!(s, ", retry_after {}s", r.as_secs());
                }
                s.push(')');
            }
            s
        }
    }
}

/// Checks `Error`'s `Display`: one line, provider, HTTP status, code and message,
/// the user, and what happened in words.
pub fn check_display(err: &Error, problems: &mut Vec<String>) {
    let line = err.to_string();
    if line.contains('\n') || line.contains('\r') {
        problems.push(format!("Display is not one line: {line:?}"));
    }
    let Some(api) = err.api_error() else {
        return;
    };
    let prefix = format!("{}: ", api.provider);
    if !line.starts_with(&prefix) {
        problems.push(format!("Display does not start with {prefix:?}: {line:?}"));
    }
    if !line.contains(&format!("(HTTP {}", api.status)) {
        problems.push(format!("Display lacks the HTTP status: {line:?}"));
    }
    if let Some(c) = api.error_id.as_ref().or(api.code.as_ref()) {
        if !line.contains(c.as_str()) {
            problems.push(format!("Display lacks the code {c}: {line:?}"));
        }
    }
    if !line.contains(api.message.as_str()) {
        problems.push(format!("Display lacks the message: {line:?}"));
    }
    if !api.user_id.is_empty() && !line.contains(&format!("user {}", api.user_id)) {
        problems.push(format!("Display lacks the user id: {line:?}"));
    }
    // What happened, in words (the architecture's example: "is not deactivated").
    let what: &[&str] = match err.kind() {
        ErrorKind::NotDeactivated => &["is not deactivated"],
        ErrorKind::NotFound => &["not found"],
        ErrorKind::PermissionDenied => &["permission", "not allowed", "forbidden"],
        ErrorKind::Unauthenticated => &["authenticat", "token"],
        ErrorKind::InvalidArgument => &["invalid", "rejected"],
        ErrorKind::RateLimited => &["rate limit", "too many"],
        ErrorKind::Server => &["fail", "server", "error"],
        ErrorKind::UnexpectedResponse => &["unexpected", "undocumented"],
        ErrorKind::Misconfigured => &["misconfigured", "base url"],
        _ => &[],
    };
    let lower = line.to_ascii_lowercase();
    if !what.is_empty() && !what.iter().any(|w| lower.contains(w)) {
        problems.push(format!(
            "Display does not say what happened ({:?}): {line:?}",
            err.kind()
        ));
    }
    if lower.contains("service error") {
        problems.push(format!("Display says \"service error\": {line:?}"));
    }
}

/// The generic rules an outcome of the spec must follow, whatever the provider
/// (the classification of ARCHITECTURE.md, independent of the SDK): a success
/// only on 2xx, with the success shape; 401, 403, 404, 429 and 5xx by status;
/// an undocumented status by status; the fields it names are in the body.
pub fn outcome_follows_the_rules(ex: &spec::Example) -> Vec<String> {
    let mut problems = Vec::new();
    let spec = spec::spec(ex.provider);
    let status = ex.status();
    let kind = ex.kind();
    let by_status = kind_name(kind_by_status(status));
    let known = [
        "ok",
        "unauthenticated",
        "permission_denied",
        "not_found",
        "not_deactivated",
        "invalid_argument",
        "rate_limited",
        "server",
        "unexpected_response",
        "misconfigured",
    ];
    if !known.contains(&kind) {
        problems.push(format!("unknown kind `{kind}`"));
    }
    if ex.is_ok() {
        if !spec.is_success_shape(&ex.body) {
            problems.push("an `ok` example without the success shape".into());
        }
        return problems;
    }
    let exact = matches!(status, 401 | 403 | 404 | 429 | 500..=599);
    if (exact || !ex.documented) && kind != by_status {
        problems.push(format!(
            "HTTP {status} is `{by_status}` whatever the body (an undocumented status is \
             classified by status), the outcome says `{kind}`"
        ));
    }
    // Every text the outcome names comes from the body.
    let text = ex.body.to_string();
    for field in ["code", "error_id", "message", "trace_id"] {
        if let Some(v) = ex.outcome.get(field).and_then(Value::as_str) {
            if !text.contains(v) {
                problems.push(format!("{field} {v:?} is not in the body"));
            }
        }
    }
    for fe in ex.outcome["field_errors"].as_array().into_iter().flatten() {
        for v in fe.as_object().into_iter().flat_map(|o| o.values()) {
            if let Some(v) = v.as_str() {
                if !text.contains(v) {
                    problems.push(format!("field error text {v:?} is not in the body"));
                }
            }
        }
    }
    problems
}

/// Checks that the spec of `p` agrees with ARCHITECTURE.md's error-mapping table,
/// written out by hand in the provider's test file: `(response key, example
/// name, kind)` for every example of the spec (`None` is a success). It fails if
/// the spec's `x-userbridge-outcome` says otherwise, if a row names an example
/// the spec lacks, or if an example has no row.
pub fn assert_spec_agrees_with_architecture(p: Provider, rows: &[(&str, &str, Option<ErrorKind>)]) {
    let spec = spec::spec(p);
    let mut problems = Vec::new();
    for (key, name, want) in rows {
        let Some(ex) = spec
            .examples()
            .iter()
            .find(|e| e.status_key == *key && e.name == *name)
        else {
            problems.push(format!(
                "{p}: the table names {key} {name}, the spec has none"
            ));
            continue;
        };
        let want = want.map_or_else(|| "ok".to_string(), kind_name);
        if ex.kind() != want {
            problems.push(format!(
                "{}: the architecture says `{want}`, the spec's x-userbridge-outcome says `{}`",
                ex.label(),
                ex.kind()
            ));
        }
    }
    for ex in spec.examples() {
        if !rows
            .iter()
            .any(|(k, n, _)| *k == ex.status_key && *n == ex.name)
        {
            problems.push(format!(
                "{}: no row in the provider's architecture table",
                ex.label()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
