//! Property test of the response classification, for any provider: any status
//! (100..=599 except 101), any body bytes, any retry headers and content type.
//! The call never panics, and the outcome agrees with the status class:
//!
//! - 1xx: never a final answer (hyper skips it; the connection then ends): `Network`
//! - 2xx: `Ok` or `UnexpectedResponse`
//! - 3xx: `UnexpectedResponse` (redirects are not followed)
//! - 404 not of the provider's own error shape, 405: `Misconfigured` (a wrong
//!   endpoint)
//! - 4xx: a client-error kind, or the kind of one of the spec's answers with that
//!   status (a provider may refine a 4xx by its body, even into `Server`); 401,
//!   403, 404 and 429 exactly
//! - 5xx: `Server`
//!
//! and every answered error carries the served status and the served body
//! (bounded to `MAX_KEPT_BODY`). A provider's test file may narrow the allowed
//! kinds with its own rule ([`Rule`]) and add bodies.
//!
//! 2xx..5xx are served by wiremock through a `Respond` whose answer is set per
//! case; 1xx (which hyper's server cannot send as a final answer) by a raw TCP
//! server. Retries are off.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use userbridge::{Client, Error, ErrorKind, Provider, MAX_KEPT_BODY};
use wiremock::matchers::any as any_request;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::spec;
use crate::wire::{builder, RawReply, RawServer};
use crate::{kind_name, sample_user_id};

/// Random cases per provider (`PROPTEST_CASES=<n>` runs more or fewer).
pub const CASES_PER_PROVIDER: u32 = 48;

/// A provider's own classification rule: for a status and served body, the
/// exact kinds allowed, or `None` to leave it to the generic rule.
pub type Rule = dyn Fn(u16, &[u8]) -> Option<Vec<ErrorKind>> + Sync;

/// One served answer.
#[derive(Clone)]
pub struct Case {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
    pub retry_after: Option<String>,
    pub retry_after_ms: Option<String>,
    pub ratelimit_reset: Option<String>,
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

/// Every example body of every provider's spec: the shapes the random bodies
/// are made from (served to every provider).
fn spec_bodies() -> Vec<Value> {
    crate::spec::single_call_providers()
        .into_iter()
        .flat_map(|p| spec::spec(p).examples().iter().map(|e| e.body.clone()))
        .collect()
}

/// Every string of the specs' examples and outcomes (codes, messages, types,
/// ids): the words an adapter may refine on, and the empty string.
fn spec_words() -> Vec<String> {
    fn strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            Value::Object(o) => o.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    let mut out = vec![String::new()];
    for p in crate::spec::single_call_providers() {
        for e in spec::spec(p).examples() {
            strings(&e.body, &mut out);
            strings(&e.outcome, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A string field or code a provider's body might carry.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![prop::sample::select(spec_words()), "[ -~]{0,16}",]
}

/// A JSON number or string as a `code` value (JSON text: huge numbers too).
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

/// One change to a leaf of a body: keep it, a word, a code, a boolean, `null`.
type LeafChange = (u8, String, String, bool);

/// `body` with its leaves (strings, numbers, booleans, nulls; depth first)
/// changed by `changes` in turn, as JSON text (a code may be a number JSON
/// values cannot hold, such as `1e999999`).
fn mutate(body: &Value, changes: &[LeafChange]) -> Vec<u8> {
    fn walk(v: &mut Value, changes: &[LeafChange], n: &mut usize, raw: &mut Vec<String>) {
        match v {
            Value::Array(a) => a.iter_mut().for_each(|v| walk(v, changes, n, raw)),
            Value::Object(o) => o.values_mut().for_each(|v| walk(v, changes, n, raw)),
            leaf => {
                let (mode, word, code, flag) = &changes[*n % changes.len()];
                *n += 1;
                match mode {
                    1 => *leaf = Value::String(word.clone()),
                    2 => {
                        *leaf = Value::String(format!("@@raw{}@@", raw.len()));
                        raw.push(code.clone());
                    }
                    3 => *leaf = Value::Bool(*flag),
                    4 => *leaf = Value::Null,
                    _ => {}
                }
            }
        }
    }
    let mut body = body.clone();
    let mut raw = Vec::new();
    walk(&mut body, changes, &mut 0, &mut raw);
    let mut text = body.to_string();
    for (i, code) in raw.iter().enumerate() {
        text = text.replace(&format!("\"@@raw{i}@@\""), code);
    }
    text.into_bytes()
}

/// Bodies made from the specs' examples with random leaves, plus noise.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let change = (0u8..5, word(), code(), any::<bool>());
    let shaped = (
        prop::sample::select(spec_bodies()),
        prop::collection::vec(change, 1..24),
    )
        .prop_map(|(body, changes)| mutate(&body, &changes));
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

/// The client-error kinds a 4xx without an exact rule may have.
const CLIENT_KINDS: [ErrorKind; 8] = [
    ErrorKind::InvalidArgument,
    ErrorKind::Unauthenticated,
    ErrorKind::PermissionDenied,
    ErrorKind::NotFound,
    ErrorKind::NotDeactivated,
    ErrorKind::RateLimited,
    ErrorKind::UnexpectedResponse,
    ErrorKind::Misconfigured,
];

/// The kinds the generic rule allows for an answer of `p` with `status`: the
/// status class's, and for a 4xx without an exact rule also the kind of any
/// example of the spec served with that status.
pub fn generic_allowed(p: Provider, status: u16) -> Vec<ErrorKind> {
    match status {
        200..=399 => vec![ErrorKind::UnexpectedResponse],
        401 => vec![ErrorKind::Unauthenticated],
        403 => vec![ErrorKind::PermissionDenied],
        // NotFound only when the body is the provider's own error answer, which
        // only its adapter can tell; anything else is a wrong endpoint, a
        // misconfiguration (as is an unknown realm or tenant).
        404 => vec![ErrorKind::NotFound, ErrorKind::Misconfigured],
        // Never a user outcome: the operation is not served there.
        405 => vec![ErrorKind::Misconfigured],
        429 => vec![ErrorKind::RateLimited],
        400..=499 => {
            let mut v = CLIENT_KINDS.to_vec();
            for ex in spec::spec(p).examples() {
                let kind = CLIENT_KINDS
                    .iter()
                    .chain(&[ErrorKind::Server])
                    .find(|k| kind_name(**k) == ex.kind())
                    .copied();
                if let Some(kind) = kind.filter(|k| ex.status() == status && !v.contains(k)) {
                    v.push(kind);
                }
            }
            v
        }
        _ => vec![ErrorKind::Server],
    }
}

/// The client-error kinds a 4xx may have when no refinement applies.
pub fn client_kinds() -> Vec<ErrorKind> {
    CLIENT_KINDS.to_vec()
}

fn check(
    p: Provider,
    case: &Case,
    r: &Result<userbridge::Reactivated, Error>,
    rule: Option<&Rule>,
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
    let allowed = rule
        .and_then(|rule| rule(status, body_on_the_wire(case)))
        .unwrap_or_else(|| generic_allowed(p, status));
    ensure!(
        allowed.contains(&kind),
        "{p}: HTTP {status} classified as {kind:?}, expected one of {allowed:?}: {e:?}"
    );
    // ARCHITECTURE.md: a 404 whose body is not the provider's error answer
    // (empty, HTML, not JSON) is a wrong endpoint, and says so.
    let body_is_json = serde_json::from_slice::<serde_json::Value>(body_on_the_wire(case)).is_ok();
    if status == 404 && !body_is_json {
        ensure!(
            kind == ErrorKind::Misconfigured,
            "{p}: HTTP 404 with a body that is not JSON classified as {kind:?}, expected \
             Misconfigured: {e:?}"
        );
    }
    if kind == ErrorKind::Misconfigured && matches!(status, 404 | 405) {
        ensure!(
            e.to_string().contains("base URL"),
            "{p}: a wrong endpoint's HTTP {status} does not point at the base URL: {e}"
        );
    }
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

/// Every body of every spec's examples (the bodies the adapters refine on),
/// `extra` bodies, and noise: served with a status of every class.
pub fn edge_cases(extra: &[Value]) -> Vec<Case> {
    let mut raw: Vec<Vec<u8>> = spec_bodies()
        .iter()
        .chain(extra)
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

/// Serves the edge cases ([`edge_cases`] with `extra` bodies) and then random
/// cases to `p`'s client, checking each outcome against the status class (and
/// `rule`, where the provider's test file gives one). Returns every failure,
/// naming the provider and the case.
pub fn classification_holds(p: Provider, extra: &[Value], rule: Option<&Rule>) -> Vec<String> {
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
        check(p, case, &r, rule)
    };

    // The documented refining bodies with every status class, all reported.
    let edge = edge_cases(extra);
    let mut failures: Vec<String> = edge
        .iter()
        .filter_map(|case| serve(case).err().map(|e| format!("{e}\n  case: {case:?}")))
        .collect();

    // Then random cases.
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
    if let Err(e) = result {
        failures.push(format!("{p}: random case: {e}"));
    }
    println!(
        "{p}: {} edge cases and {cases} random cases, {} failure(s)",
        edge.len(),
        failures.len()
    );
    drop(raw);
    rt.block_on(async move { drop(server) });
    failures
}
