//! Every response example of a provider spec, served by a mock server, decodes
//! through the generated client of that spec.
//!
//! The examples are read from `openapi/{provider}.yaml` at run time, so a new
//! example (or a new status) is covered without new test code. How to call the
//! generated method is the provider's test file's part (`tests/tests/<p>.rs`
//! passes it to [`check_generated_examples`], with [`crate::gen_outcome`]).
//!
//! For each example:
//! - a success status decodes to `Ok(ResponseValue)` with that status, and the
//!   decoded value, serialized again, equals the example on the example's keys
//!   (`null` and an absent key are the same for an optional field);
//! - an error status decodes to `Err(Error::ErrorResponse(..))` (typed decoding
//!   succeeded; never `InvalidResponsePayload` or `UnexpectedResponse`) with that
//!   status, and every key of the example the error type keeps has the example's
//!   value (keys the type does not model are listed in the summary);
//! - the one request the client sent has the spec's method and path, and the
//!   spec's request body example when it has one.

use std::future::Future;

use serde_json::Value;
use userbridge::Provider;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::spec;

/// What a generated method returned, reduced to what the assertions need.
#[derive(Debug)]
pub enum GenOutcome {
    /// `Ok(ResponseValue)`: its status and its value serialized again.
    Success {
        /// The status.
        status: u16,
        /// The value, serialized.
        body: Value,
    },
    /// `Err(Error::ErrorResponse(ResponseValue))`: the documented error, typed.
    ErrorResponse {
        /// The status.
        status: u16,
        /// The typed error, serialized.
        body: Value,
    },
    /// Any other `Err`: `InvalidResponsePayload`, `UnexpectedResponse`, ...
    Other(String),
}

/// Turns a generated method's result into a [`GenOutcome`]; `$module` is the
/// generated module in scope (`use userbridge::generated::<p>;`).
#[macro_export]
macro_rules! gen_outcome {
    ($module:ident, $result:expr) => {
        match $result {
            Ok(value) => $crate::generated::GenOutcome::Success {
                status: value.status().as_u16(),
                body: ::serde_json::to_value(value.into_inner()).unwrap(),
            },
            Err($module::Error::ErrorResponse(value)) => {
                $crate::generated::GenOutcome::ErrorResponse {
                    status: value.status().as_u16(),
                    body: ::serde_json::to_value(value.into_inner()).unwrap(),
                }
            }
            Err(other) => $crate::generated::GenOutcome::Other(format!("{other:?}")),
        }
    };
}

/// Where `expected` and `actual` differ, compared on `expected`'s keys. A `null` in
/// `expected` matches an absent key, and so does an empty object or array. Keys absent from `actual` (but not null in
/// `expected`) go to `dropped`; other differences to `wrong`.
pub fn compare(
    at: &str,
    expected: &Value,
    actual: Option<&Value>,
    dropped: &mut Vec<String>,
    wrong: &mut Vec<String>,
) {
    match (expected, actual) {
        (Value::Null, None | Some(Value::Null)) => {}
        // Empty collections are skipped when serialized again: same meaning.
        (Value::Object(e), None) if e.is_empty() => {}
        (Value::Array(e), None) if e.is_empty() => {}
        (_, None) => dropped.push(at.to_string()),
        (Value::Object(e), Some(Value::Object(a))) => {
            for (k, v) in e {
                compare(&format!("{at}.{k}"), v, a.get(k), dropped, wrong);
            }
        }
        (Value::Array(e), Some(Value::Array(a))) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                compare(&format!("{at}[{i}]"), ev, Some(av), dropped, wrong);
            }
        }
        (e, Some(a)) if e == a => {}
        // Numbers: 2 and 2.0 are the same JSON value.
        (Value::Number(e), Some(Value::Number(a))) if e.as_f64() == a.as_f64() => {}
        (e, Some(a)) => wrong.push(format!("{at}: example {e}, decoded {a}")),
    }
}

/// Whether a request path matches a spec path template (`{param}` = one segment).
pub fn path_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| {
            if t.starts_with('{') && t.ends_with('}') {
                !p.is_empty()
            } else {
                t == p
            }
        })
}

/// Serves every documented example of `p`'s spec and calls the generated
/// method through `call(operation id, base URL)`; checks the request and the
/// decoded outcome of each (see the module doc). Panics with every failure;
/// returns the number of examples checked (all of them).
pub async fn check_generated_examples<F, Fut>(p: Provider, call: F) -> usize
where
    F: Fn(String, String) -> Fut,
    Fut: Future<Output = GenOutcome>,
{
    let spec = spec::spec(p);
    let file = spec
        .file
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let server = MockServer::start().await;
    let (mut present, mut checked, mut successes, mut errors) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    let mut dropped_keys = Vec::new();
    let op_id = spec.operation.op["operationId"]
        .as_str()
        .expect("operationId")
        .to_string();
    let method = spec.method();
    let path = spec.path_template();
    let request_example = spec.request_body_example();

    for ex in spec.documented_examples() {
        present += 1;
        let what = format!("{file} {op_id} {} `{}`", ex.status_key, ex.name);
        let status = ex.status();
        server.reset().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status).set_body_json(&ex.body))
            .mount(&server)
            .await;

        let outcome = call(op_id.clone(), server.uri()).await;
        checked += 1;

        // The request went where the spec says.
        let requests = server.received_requests().await.unwrap();
        if requests.len() != 1 {
            failures.push(format!("{what}: {} requests sent", requests.len()));
            continue;
        }
        let request = &requests[0];
        if request.method.as_str() != method || !path_matches(path, request.url.path()) {
            failures.push(format!(
                "{what}: sent {} {}, the spec says {method} {path}",
                request.method,
                request.url.path(),
            ));
        }
        if let Some(expected) = &request_example {
            let sent: Result<Value, _> = serde_json::from_slice(&request.body);
            if sent.as_ref().ok() != Some(expected) {
                failures.push(format!(
                    "{what}: request body {:?}, the spec's example is {expected}",
                    String::from_utf8_lossy(&request.body)
                ));
            }
        }

        let success = (200..300).contains(&status);
        let mut dropped = Vec::new();
        let mut wrong = Vec::new();
        match (&outcome, success) {
            (GenOutcome::Success { status: got, body }, true) => {
                successes += 1;
                if *got != status {
                    failures.push(format!("{what}: status {got}, served {status}"));
                }
                compare("$", &ex.body, Some(body), &mut dropped, &mut wrong);
                // A success type must keep every field of its examples.
                wrong.extend(dropped.drain(..).map(|k| format!("{k}: dropped")));
            }
            (GenOutcome::ErrorResponse { status: got, body }, false) => {
                errors += 1;
                if *got != status {
                    failures.push(format!("{what}: status {got}, served {status}"));
                }
                compare("$", &ex.body, Some(body), &mut dropped, &mut wrong);
            }
            (GenOutcome::Other(error), _) => {
                failures.push(format!("{what}: served {status}, got the error {error}"))
            }
            (other, _) => failures.push(format!(
                "{what}: served {status}, expected {}, got {other:?}",
                if success {
                    "Ok(ResponseValue)"
                } else {
                    "Err(Error::ErrorResponse(..))"
                }
            )),
        }
        for w in wrong {
            failures.push(format!("{what}: {w}"));
        }
        dropped_keys.extend(
            dropped
                .into_iter()
                .map(|k| format!("{}/{} {k}", ex.status_key, ex.name)),
        );
    }
    println!(
        "{file}: {checked}/{present} examples checked ({successes} success, {errors} error); \
         keys the error types do not model: {}",
        if dropped_keys.is_empty() {
            "none".to_string()
        } else {
            dropped_keys.join(", ")
        }
    );
    assert!(present > 0, "{file}: no examples found");
    assert_eq!(checked, present, "{file}: every example is checked");
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    checked
}
