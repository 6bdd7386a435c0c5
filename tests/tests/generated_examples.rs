//! Every response example of every provider spec, served by a mock server, decodes
//! through the generated client.
//!
//! The examples are read from `openapi/*.yaml` at run time, so a new example (or a
//! new status) is covered without new test code. The only per-provider code is how
//! to call each operation's generated method ([`call`]).
//!
//! For each example the test asserts:
//! - a success status decodes to `Ok(ResponseValue)` with that status, and the
//!   decoded value, serialized again, equals the example on the example's keys
//!   (`null` and an absent key are the same for an optional field);
//! - an error status decodes to `Err(Error::ErrorResponse(..))` (typed decoding
//!   succeeded; never `InvalidResponsePayload` or `UnexpectedResponse`) with that
//!   status, and every key of the example the error type keeps has the example's
//!   value (keys the type does not model are listed in the summary);
//! - the one request the client sent has the spec's method and path, and the
//!   spec's request body example when it has one.

use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value};
use userbridge::generated::{self, CallContext};
use userbridge_tests::{
    media_examples, operations, read_spec, resolve, spec_files, status_for_key, Operation,
};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// What a generated method returned, reduced to what the assertions need.
#[derive(Debug)]
enum Outcome {
    /// `Ok(ResponseValue)`: its status and its value serialized again.
    Success { status: u16, body: Value },
    /// `Err(Error::ErrorResponse(ResponseValue))`: the documented error, typed.
    ErrorResponse { status: u16, body: Value },
    /// Any other `Err`: `InvalidResponsePayload`, `UnexpectedResponse`, ...
    Other(String),
}

/// Turns a generated method's result into an [`Outcome`].
macro_rules! outcome {
    ($module:ident, $result:expr) => {
        match $result {
            Ok(value) => Outcome::Success {
                status: value.status().as_u16(),
                body: serde_json::to_value(value.into_inner()).unwrap(),
            },
            Err(generated::$module::Error::ErrorResponse(value)) => Outcome::ErrorResponse {
                status: value.status().as_u16(),
                body: serde_json::to_value(value.into_inner()).unwrap(),
            },
            Err(other) => Outcome::Other(format!("{other:?}")),
        }
    };
}

/// Calls the generated method of `operation_id` in the client of `spec`. The only
/// per-provider code in this file.
async fn call(spec: &str, operation_id: &str, base_url: &str) -> Outcome {
    let http = reqwest::Client::new();
    let context = CallContext::new(1 << 20, Duration::from_secs(10));
    let empty = Map::new();
    match (spec, operation_id) {
        ("aitronos", "reactivateUser") => {
            let client = generated::aitronos::Client::new_with_client(base_url, http, context);
            outcome!(
                aitronos,
                client.reactivate_user("org_xyz789", "usr_abc123").await
            )
        }
        ("flashback", "activateOrganizationUser") => {
            let client = generated::flashback::Client::new_with_client(base_url, http, context);
            outcome!(
                flashback,
                client
                    .activate_organization_user("550e8400-e29b-41d4-a716-446655440000")
                    .await
            )
        }
        ("nethesis", "reactivateUser") => {
            let client = generated::nethesis::Client::new_with_client(base_url, http, context);
            outcome!(nethesis, client.reactivate_user("usr_123456789").await)
        }
        ("zitadel-v1", "managementReactivateUser") => {
            let client = generated::zitadel_v1::Client::new_with_client(base_url, http, context);
            outcome!(
                zitadel_v1,
                client
                    .management_reactivate_user("69629023906488334", None, &empty)
                    .await
            )
        }
        ("zitadel-v2", "reactivateUser") => {
            let client = generated::zitadel_v2::Client::new_with_client(base_url, http, context);
            outcome!(
                zitadel_v2,
                client.reactivate_user("69629023906488334", &empty).await
            )
        }
        _ => panic!(
            "no caller for operation `{operation_id}` of {spec}.yaml: add one to `call` in \
             tests/tests/generated_examples.rs"
        ),
    }
}

/// Where `expected` and `actual` differ, compared on `expected`'s keys. A `null` in
/// `expected` matches an absent key, and so does an empty object or array. Keys absent from `actual` (but not null in
/// `expected`) go to `dropped`; other differences to `wrong`.
fn compare(
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
fn path_matches(template: &str, path: &str) -> bool {
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

/// Checks every example of one spec; returns (examples present, examples checked).
async fn check_spec(file: &Path, failures: &mut Vec<String>) -> (usize, usize) {
    let spec = file.file_stem().unwrap().to_string_lossy().into_owned();
    let doc = read_spec(file);
    let server = MockServer::start().await;
    let (mut present, mut checked, mut successes, mut errors) = (0, 0, 0, 0);
    let mut dropped_keys = Vec::new();

    for Operation { path, method, op } in operations(&doc) {
        let op_id = op["operationId"].as_str().expect("operationId");
        let request_example = op
            .get("requestBody")
            .map(|b| resolve(&doc, b))
            .and_then(|b| b.pointer("/content/application~1json"))
            .map(|m| media_examples(&doc, m))
            .and_then(|e| e.into_iter().next())
            .map(|(_, v)| v);
        for (key, response) in op["responses"].as_object().expect("responses") {
            let response = resolve(&doc, response);
            let Some(content) = response.get("content").and_then(Value::as_object) else {
                continue;
            };
            for (media_type, media) in content {
                for (name, example) in media_examples(&doc, media) {
                    present += 1;
                    let what = format!("{spec}.yaml {op_id} {key} {media_type} `{name}`");
                    assert!(
                        media_type == "application/json"
                            || media_type.starts_with("application/json;"),
                        "{what}: only JSON bodies are modelled"
                    );
                    let status = status_for_key(&format!("{spec}.yaml"), key, &example);
                    server.reset().await;
                    Mock::given(any())
                        .respond_with(ResponseTemplate::new(status).set_body_json(&example))
                        .mount(&server)
                        .await;

                    let outcome = call(&spec, op_id, &server.uri()).await;
                    checked += 1;

                    // The request went where the spec says.
                    let requests = server.received_requests().await.unwrap();
                    if requests.len() != 1 {
                        failures.push(format!("{what}: {} requests sent", requests.len()));
                        continue;
                    }
                    let request = &requests[0];
                    if request.method.as_str() != method.to_uppercase()
                        || !path_matches(&path, request.url.path())
                    {
                        failures.push(format!(
                            "{what}: sent {} {}, the spec says {} {path}",
                            request.method,
                            request.url.path(),
                            method.to_uppercase()
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
                        (Outcome::Success { status: got, body }, true) => {
                            successes += 1;
                            if *got != status {
                                failures.push(format!("{what}: status {got}, served {status}"));
                            }
                            compare("$", &example, Some(body), &mut dropped, &mut wrong);
                            // A success type must keep every field of its examples.
                            wrong.extend(dropped.drain(..).map(|k| format!("{k}: dropped")));
                        }
                        (Outcome::ErrorResponse { status: got, body }, false) => {
                            errors += 1;
                            if *got != status {
                                failures.push(format!("{what}: status {got}, served {status}"));
                            }
                            compare("$", &example, Some(body), &mut dropped, &mut wrong);
                        }
                        (Outcome::Other(error), _) => {
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
                    dropped_keys.extend(dropped.into_iter().map(|k| format!("{key}/{name} {k}")));
                }
            }
        }
    }
    println!(
        "{spec}.yaml: {checked}/{present} examples checked ({successes} success, {errors} error); \
         keys the error types do not model: {}",
        if dropped_keys.is_empty() {
            "none".to_string()
        } else {
            dropped_keys.join(", ")
        }
    );
    (present, checked)
}

#[tokio::test]
async fn every_spec_example_decodes_through_the_generated_client() {
    let files = spec_files();
    assert_eq!(files.len(), 5, "five provider specs: {files:?}");
    let mut failures = Vec::new();
    let mut total = 0;
    for file in &files {
        let (present, checked) = check_spec(file, &mut failures).await;
        assert!(present > 0, "{}: no examples found", file.display());
        assert_eq!(
            checked,
            present,
            "{}: every example is checked",
            file.display()
        );
        total += checked;
    }
    println!("{total} examples checked in {} specs", files.len());
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn path_templates_match_one_segment_per_parameter() {
    assert!(path_matches(
        "/v2/users/{userId}/reactivate",
        "/v2/users/42/reactivate"
    ));
    assert!(!path_matches(
        "/v2/users/{userId}/reactivate",
        "/v2/users//reactivate"
    ));
    assert!(!path_matches(
        "/v2/users/{userId}/reactivate",
        "/v2/users/4/2/reactivate"
    ));
    assert!(!path_matches(
        "/v2/users/{userId}/reactivate",
        "/v1/users/42/reactivate"
    ));
}

#[test]
fn comparison_is_on_the_examples_keys() {
    let mut dropped = Vec::new();
    let mut wrong = Vec::new();
    let example = serde_json::json!({
        "a": 1, "b": null, "c": [{"id": "x"}], "d": "kept", "e": {}, "f": [], "g": [1]
    });
    let decoded = serde_json::json!({"a": 1.0, "c": [{}], "d": "other", "extra": true, "g": []});
    compare("$", &example, Some(&decoded), &mut dropped, &mut wrong);
    assert_eq!(dropped, ["$.c[0].id"]);
    assert_eq!(
        wrong,
        [
            r#"$.d: example "kept", decoded "other""#,
            "$.g: example [1], decoded []"
        ]
    );
}

#[test]
fn default_examples_get_the_status_of_their_grpc_code() {
    let body = |code: Value| serde_json::json!({"code": code, "message": "m"});
    for (code, http) in [
        (9, 400),
        (3, 400),
        (5, 404),
        (7, 403),
        (16, 401),
        (8, 429),
        (13, 500),
        (14, 503),
    ] {
        assert_eq!(
            status_for_key("x", "default", &body(code.into())),
            http,
            "{code}"
        );
    }
    assert_eq!(
        status_for_key("x", "default", &body("failed_precondition".into())),
        400
    );
    assert_eq!(status_for_key("x", "5XX", &body(13.into())), 500);
    assert_eq!(status_for_key("x", "4XX", &Value::Null), 400);
    assert_eq!(status_for_key("x", "422", &Value::Null), 422);
}
