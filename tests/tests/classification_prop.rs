//! Property test of the response classification, for every provider: any
//! status (100..=599 except 101), any body bytes, any retry headers and content
//! type. The call never panics, and the outcome agrees with the status class:
//!
//! - 1xx: never a final answer (hyper skips it; the connection then ends): `Network`
//! - 2xx: `Ok` or `UnexpectedResponse`
//! - 3xx: `UnexpectedResponse` (redirects are not followed)
//! - 4xx: a client-error kind; 401, 403, 404 and 429 exactly
//! - 5xx: `Server`
//!
//! and every answered error carries the served status and the served body
//! (bounded to `MAX_KEPT_BODY`).
//!
//! 2xx..5xx are served by wiremock through a `Respond` whose answer is set per
//! case; 1xx (which hyper's server cannot send as a final answer) by a raw TCP
//! server. Retries are off.

mod fault_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fault_support::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use userbridge::{Client, Error, ErrorKind, Provider, MAX_KEPT_BODY};
use userbridge_tests::{
    not_deactivated_example, rate_limited_body, sample_user_id, server_error_body, spec_example,
    success_example, unauthenticated_example,
};
use wiremock::matchers::any as any_request;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CASES_PER_PROVIDER: u32 = 48;

/// One served answer.
#[derive(Clone)]
struct Case {
    status: u16,
    body: Vec<u8>,
    content_type: Option<String>,
    retry_after: Option<String>,
    retry_after_ms: Option<String>,
    ratelimit_reset: Option<String>,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("status", &self.status)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("body_len", &self.body.len())
            .field("content_type", &self.content_type)
            .field("retry_after", &self.retry_after)
            .field("retry_after_ms", &self.retry_after_ms)
            .field("ratelimit_reset", &self.ratelimit_reset)
            .finish()
    }
}

impl Case {
    fn headers(&self) -> Vec<(&'static str, &str)> {
        [
            ("content-type", &self.content_type),
            ("retry-after", &self.retry_after),
            ("retry-after-ms", &self.retry_after_ms),
            ("x-ratelimit-reset", &self.ratelimit_reset),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }
}

/// A wiremock responder whose answer is the current case.
#[derive(Clone, Default)]
struct Scripted(Arc<Mutex<Option<Case>>>);

impl Respond for Scripted {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let case = self.0.lock().unwrap().clone().expect("a case is set");
        let mut t = ResponseTemplate::new(case.status).set_body_bytes(case.body.clone());
        for (k, v) in case.headers() {
            t = t.insert_header(k, v);
        }
        t
    }
}

/// A raw HTTP/1.1 answer for the 1xx cases.
fn raw_answer(case: &Case) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {} Informational\r\n", case.status);
    for (k, v) in case.headers() {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(&case.body);
    out
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        // Every class equally, and the statuses with an exact rule more often.
        (100u16..200).prop_filter("101 switches protocols", |s| *s != 101),
        200u16..300,
        300u16..400,
        400u16..500,
        500u16..600,
        prop::sample::select(vec![
            200u16, 400, 401, 403, 404, 422, 429, 500, 502, 503, 504
        ]),
    ]
}

/// A string field or code a provider's body might carry.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "USER_NOT_DEACTIVATED",
            "USER_NOT_FOUND",
            "RATE_LIMIT_EXCEEDED",
            "failed_precondition",
            "not_found",
            "unauthenticated",
            "User is not deleted",
            "user not found or not suspended",
            "User is not inactive (COMMAND-6M0sf)",
            "validation_error",
            "external_api_error",
            "",
        ])
        .prop_map(str::to_string),
        "[ -~]{0,16}",
    ]
}

/// A JSON number or string as a `code` value.
fn code() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..20).prop_map(|n| n.to_string()),
        prop::sample::select(vec![200i64, 400, 401, 403, 404, 422, 429, 500, -1])
            .prop_map(|n| n.to_string()),
        word().prop_map(|w| serde_json::to_string(&w).unwrap()),
        Just("1e999999".to_string()),
        Just("null".to_string()),
    ]
}

/// Bodies shaped like each provider's (served to every provider), plus noise.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let shaped = (code(), word(), word(), any::<bool>(), 0usize..5).prop_map(
        |(code, message, text, flag, shape)| {
            let message = serde_json::to_string(&message).unwrap();
            let text = serde_json::to_string(&text).unwrap();
            match shape {
                // Aitronos' envelope.
                0 => format!(
                    r#"{{"success":false,"error":{{"code":{text},"message":{message},"status":{code},"trace_id":"t-1"}}}}"#
                ),
                // Flashback.
                1 => format!(r#"{{"success":{flag},"message":{message}}}"#),
                // Zitadel's gRPC status.
                2 => format!(
                    r#"{{"code":{code},"message":{message},"details":[{{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":{text},"message":{message}}}]}}"#
                ),
                // My Nethesis.
                3 => format!(
                    r#"{{"code":{code},"message":{message},"data":{{"type":{text},"errors":[{{"key":"username","message":"required","value":"x"}}]}}}}"#
                ),
                // Success shapes.
                _ => format!(
                    r#"{{"success":{flag},"message":{message},"code":{code},"data":null,"details":{{"sequence":"2","resourceOwner":{text}}},"id":"usr_abc123","account_state":{text}}}"#
                ),
            }
            .into_bytes()
        },
    );
    prop_oneof![
        3 => shaped,
        2 => prop::collection::vec(any::<u8>(), 0..6 * 1024),
        1 => "[\\[\\]{}\":,0-9a-z ]{0,200}".prop_map(String::into_bytes),
        1 => Just(b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec()),
        1 => Just(Vec::new()),
    ]
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,5}",
        "[0-9]{15,25}",
        "[ -~]{0,24}",
        prop::sample::select(vec![
            "-1",
            "1.5",
            "0",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "NaN",
            "inf",
        ])
        .prop_map(str::to_string),
    ]
}

fn content_type() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "application/json",
            "application/json; charset=utf-8",
            "application/problem+json",
            "text/html; charset=utf-8",
            "text/plain",
            "application/octet-stream",
        ])
        .prop_map(str::to_string),
        "[ -~]{0,24}",
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (
        status(),
        body(),
        prop::option::of(content_type()),
        prop::option::of(header_value()),
        prop::option::weighted(0.3, header_value()),
        prop::option::weighted(0.3, header_value()),
    )
        .prop_map(
            |(status, body, content_type, retry_after, retry_after_ms, ratelimit_reset)| Case {
                status,
                body,
                content_type,
                retry_after,
                retry_after_ms,
                ratelimit_reset,
            },
        )
}

// ---------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------

/// The body the client receives: hyper's server sends none with 204 and 304.
fn body_on_the_wire(case: &Case) -> &[u8] {
    if matches!(case.status, 204 | 304) {
        &[]
    } else {
        &case.body
    }
}

/// Fails with a message instead of panicking, so that the edge-case sweep can
/// report every failing case at once.
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

/// Whether `body` is My Nethesis' upstream-failure answer
/// (`data.type = external_api_error`), which the SDK maps to `Server` even on 400.
fn is_nethesis_upstream_failure(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/data/type")
                .and_then(|t| t.as_str())
                .map(str::to_string)
        })
        .is_some_and(|t| t == "external_api_error")
}

fn check(
    p: Provider,
    case: &Case,
    r: &Result<userbridge::Reactivated, Error>,
) -> Result<(), String> {
    let status = case.status;
    let e = match (status, r) {
        (200..=299, Ok(done)) => {
            ensure!(
                done.provider() == p && done.user_id() == sample_user_id(p),
                "{p}: {done:?}"
            );
            return Ok(());
        }
        (_, Ok(done)) => {
            return Err(format!(
                "{p}: HTTP {status} must not be a success: {done:?}"
            ))
        }
        (_, Err(e)) => e,
    };
    let kind = e.kind();
    ensure!(
        !e.to_string().is_empty() && !format!("{e:?}").is_empty(),
        "{p}: empty text"
    );
    ensure!(e.provider() == Some(p), "{p}: provider of {e:?}");
    ensure!(e.attempts() == 1, "{p}: attempts of {e:?}");
    if status < 200 {
        // No final answer ever arrives.
        ensure!(
            kind == ErrorKind::Network && e.status().is_none(),
            "{p}: HTTP {status} then close classified as {e:?}, expected Network"
        );
        return Ok(());
    }
    let allowed: &[ErrorKind] = match status {
        200..=399 => &[ErrorKind::UnexpectedResponse],
        401 => &[ErrorKind::Unauthenticated],
        403 => &[ErrorKind::PermissionDenied],
        404 => &[ErrorKind::NotFound],
        429 => &[ErrorKind::RateLimited],
        // The architecture's one documented exception: My Nethesis reports an
        // upstream failure as 400 `external_api_error`.
        400 if p == Provider::Nethesis && is_nethesis_upstream_failure(body_on_the_wire(case)) => {
            &[ErrorKind::Server]
        }
        400..=499 => &[
            ErrorKind::InvalidArgument,
            ErrorKind::Unauthenticated,
            ErrorKind::PermissionDenied,
            ErrorKind::NotFound,
            ErrorKind::NotDeactivated,
            ErrorKind::RateLimited,
            ErrorKind::UnexpectedResponse,
        ],
        _ => &[ErrorKind::Server],
    };
    ensure!(
        allowed.contains(&kind),
        "{p}: HTTP {status} classified as {kind:?}, expected one of {allowed:?}: {e:?}"
    );
    let Some(api) = e.api_error() else {
        return Err(format!(
            "{p}: an answered HTTP {status} must carry it: {e:?}"
        ));
    };
    ensure!(
        api.status == status,
        "{p}: status {} != served {status}",
        api.status
    );
    ensure!(
        api.provider == p && api.user_id == sample_user_id(p),
        "{p}: {api:?}"
    );

    let served = body_on_the_wire(case);
    if served.len() <= MAX_KEPT_BODY {
        ensure!(
            api.body == String::from_utf8_lossy(served),
            "{p}: HTTP {status}: body not kept: {:?}",
            api.body
        );
    } else {
        let kept = String::from_utf8_lossy(&served[..MAX_KEPT_BODY]);
        ensure!(
            api.body.starts_with(kept.as_ref()),
            "{p}: kept body is not the served body's start"
        );
        // Lossy decoding turns a bad byte into 3; a short note follows.
        ensure!(
            api.body.len() <= MAX_KEPT_BODY * 3 + 64,
            "{p}: body of {} bytes is not bounded",
            api.body.len()
        );
    }

    // A plain `Retry-After: <seconds>` is the wait, when it is the only hint.
    if status == 429 && case.retry_after_ms.is_none() && case.ratelimit_reset.is_none() {
        if let Some(secs) = case
            .retry_after
            .as_deref()
            .filter(|v| !v.is_empty() && v.len() <= 5 && v.bytes().all(|b| b.is_ascii_digit()))
        {
            let secs: u64 = secs.parse().unwrap();
            if secs <= 86_400 {
                ensure!(
                    api.retry_after == Some(Duration::from_secs(secs)),
                    "{p}: Retry-After: {secs} read as {:?}",
                    api.retry_after
                );
            } else {
                // Longer than a day: reported as (at least) a day.
                ensure!(
                    api.retry_after >= Some(Duration::from_secs(86_400)),
                    "{p}: Retry-After: {secs} read as {:?}",
                    api.retry_after
                );
            }
        }
    }
    Ok(())
}

/// Every body a provider's adapter refines on (the specs' examples, Zitadel's
/// string code form), plus noise: served with a status of every class.
fn edge_cases() -> Vec<Case> {
    use serde_json::json;
    let mut bodies: Vec<serde_json::Value> = Vec::new();
    for p in Provider::ALL {
        bodies.push(success_example(p));
        bodies.push(not_deactivated_example(p).1);
        bodies.push(unauthenticated_example(p));
        bodies.push(rate_limited_body(p));
        bodies.push(server_error_body(p, 503));
    }
    for (p, status, name) in [
        (Provider::Nethesis, "400", "validationError"),
        (Provider::Nethesis, "400", "externalApiError"),
        (Provider::Nethesis, "404", "fromBackend"),
        (Provider::Aitronos, "404", "userNotFound"),
        (Provider::ZitadelV1, "default", "notFound"),
        (Provider::ZitadelV1, "default", "permissionDenied"),
    ] {
        bodies.push(spec_example(p, status, name));
    }
    bodies.push(
        json!({"code": "failed_precondition", "message": "User is not inactive", "details": []}),
    );
    bodies.push(json!({"code": "unavailable", "message": "x", "details": []}));
    let mut raw: Vec<Vec<u8>> = bodies
        .iter()
        .map(|b| serde_json::to_vec(b).unwrap())
        .collect();
    raw.push(Vec::new());
    raw.push(b"<html><body>Bad Gateway</body></html>".to_vec());
    raw.push(b"\xff\xfe{".to_vec());
    raw.sort();
    raw.dedup();
    let statuses = [
        100, 200, 201, 204, 302, 304, 400, 401, 403, 404, 409, 410, 418, 422, 429, 500, 502, 503,
        504, 599,
    ];
    let mut cases = Vec::new();
    for status in statuses {
        for body in &raw {
            cases.push(Case {
                status,
                body: body.clone(),
                content_type: Some("application/json".into()),
                retry_after: None,
                retry_after_ms: None,
                ratelimit_reset: None,
            });
        }
    }
    cases
}

fn classification_holds(p: Provider) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let current = Scripted::default();
    let raw_current: Arc<Mutex<Vec<u8>>> = Arc::default();
    let (server, raw) = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(any_request())
            .respond_with(current.clone())
            .mount(&server)
            .await;
        let answer = raw_current.clone();
        let raw =
            RawServer::start_with(move |_| RawReply::Bytes(answer.lock().unwrap().clone())).await;
        (server, raw)
    });
    let build = |root: &str| -> Client {
        builder(p, root)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    };
    let mock_client = build(&server.uri());
    let raw_client = build(&raw.root());

    let serve = |case: &Case| {
        let client = if case.status < 200 {
            *raw_current.lock().unwrap() = raw_answer(case);
            &raw_client
        } else {
            *current.0.lock().unwrap() = Some(case.clone());
            &mock_client
        };
        let r = rt.block_on(client.users().reactivate(sample_user_id(p)));
        check(p, case, &r)
    };

    // The documented refining bodies with every status class, all reported.
    let failures: Vec<String> = edge_cases()
        .iter()
        .filter_map(|case| serve(case).err().map(|e| format!("{e}\n  case: {case:?}")))
        .collect();

    // Then random cases. PROPTEST_CASES=<n> runs more (or fewer).
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES_PER_PROVIDER);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&case(), |case| serve(&case).map_err(TestCaseError::fail));
    let random = result.err().map(|e| format!("{p}: {e}"));
    assert!(
        failures.is_empty() && random.is_none(),
        "{p}: {} edge case(s) failed:\n{}\nrandom cases: {}",
        failures.len(),
        failures.join("\n"),
        random.as_deref().unwrap_or("ok")
    );
    drop(raw);
    rt.block_on(async move { drop(server) });
}

/// One test per provider, so that they run in parallel.
macro_rules! classification_tests {
    ($($name:ident: $provider:ident,)*) => {$(
        #[test]
        fn $name() {
            classification_holds(Provider::$provider);
        }
    )*};
}

classification_tests! {
    classification_aitronos: Aitronos,
    classification_flashback: Flashback,
    classification_zitadel_v1: ZitadelV1,
    classification_zitadel_v2: ZitadelV2,
    classification_nethesis: Nethesis,
}
