//! `Provider::Scim` (SCIM 2.0, RFC 7643/7644): a read (`GET /Users/{id}`) then a
//! write (`PATCH /Users/{id}`, `active` replaced with `true`).
//!
//! - Every documented answer of `openapi/scim.yaml` and every real-world variant
//!   it lists (`x-userbridge-variants`, each with its source) is served by
//!   wiremock and must come out as the spec's `x-userbridge-outcome` says.
//! - The request on the wire, both request forms, ids as one encoded segment,
//!   retries, gateway pages, wrong endpoints, redirects, secrets.
//! - The SCIM simulator (`userbridge::mock`), stateful, async and blocking.
//! - A real SCIM server, scim2-server 0.8.3 (PyPI), installed by the test itself
//!   into `<target>/tools/` (Python 3 with `venv` and access to PyPI needed; the
//!   test fails, never passes, without them), beside the simulator: the same cases
//!   against both, printed as one table.
//! - scim2-tester 0.5.2 (PyPI), a SCIM conformance checker, against the
//!   simulator: which of its checks pass (printed), and that those a reactivation
//!   relies on do.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use userbridge::mock::{Failure, Simulator, UserState};
use userbridge::{Client, Details, Error, ErrorKind, Provider, ReactivateRequest, RetryPolicy};
use userbridge::{Reactivated, ScimPatchForm};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "scim-test-token-5f2c9a7e";
const USER: &str = "2819c223-7f76-453a-919d-413861904646";
const SCIM_JSON: &str = "application/scim+json";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

// ------------------------------------------------------------------ helpers

fn client(base: &str) -> Client {
    Client::builder(Provider::Scim)
        .base_url(base)
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a valid SCIM client")
}

/// The SCIM root of a wiremock server, the way a real deployment has it.
fn root(server: &MockServer) -> String {
    format!("{}/scim/v2", server.uri())
}

fn users_path() -> wiremock::matchers::PathRegexMatcher {
    path_regex(r"^/scim/v2/Users/[^/]+$")
}

fn scim(status: u16, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string().into_bytes(), SCIM_JSON)
}

fn outcome_json(result: &Result<Reactivated, Error>) -> Value {
    match result {
        Ok(done) => {
            let mut v = serde_json::to_value(done).expect("Reactivated serializes");
            v["kind"] = json!("ok");
            v
        }
        Err(e) => serde_json::to_value(e).expect("Error serializes"),
    }
}

/// Every member of `want` is in `got`, recursively (objects); other values equal.
fn assert_subset(want: &Value, got: &Value, what: &str) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let gv = g.get(k).unwrap_or(&Value::Null);
                assert_subset(wv, gv, &format!("{what}.{k}"));
            }
        }
        _ => assert_eq!(want, got, "{what}"),
    }
}

// ------------------------------------------------------ the spec's answers

fn spec() -> Value {
    serde_yaml::from_str(include_str!("../../openapi/scim.yaml")).expect("scim.yaml parses")
}

/// Follows a local `$ref` (repeatedly).
fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(spec, spec.pointer(&r[1..]).expect("the $ref resolves")),
        None => v,
    }
}

/// One answer to serve.
#[derive(Clone, Debug)]
struct Answer {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn template(&self) -> ResponseTemplate {
        let mut t = ResponseTemplate::new(self.status);
        t = match &self.content_type {
            Some(ct) => t.set_body_raw(self.body.clone(), ct),
            None => t.set_body_bytes(self.body.clone()),
        };
        for (k, v) in &self.headers {
            t = t.insert_header(*k, v.as_str());
        }
        t
    }
}

/// A case: the read's answer, the write's answer (if the SDK must write), and
/// the outcome.
#[derive(Debug)]
struct Case {
    name: String,
    get: Answer,
    patch: Option<Answer>,
    outcome: Value,
}

fn json_answer(status: u16, body: &Value) -> Answer {
    let mut headers = Vec::new();
    if status == 401 {
        headers.push(("www-authenticate", r#"Bearer realm="SCIM""#.to_string()));
    }
    Answer {
        status,
        content_type: Some(SCIM_JSON.to_string()),
        body: body.to_string().into_bytes(),
        headers,
    }
}

fn no_content() -> Answer {
    Answer {
        status: 204,
        content_type: None,
        body: Vec::new(),
        headers: Vec::new(),
    }
}

/// A variant from `x-userbridge-variants`.
fn variant_answer(v: &Value) -> Answer {
    let status = v["status"].as_u64().expect("a variant has a status") as u16;
    let body = match (v.get("body"), v.get("text")) {
        (Some(body), _) => body.to_string().into_bytes(),
        (None, Some(text)) => text.as_str().unwrap_or_default().as_bytes().to_vec(),
        (None, None) => Vec::new(),
    };
    let content_type = match v.get("content_type").and_then(Value::as_str) {
        Some(ct) => Some(ct.to_string()),
        None if v.get("body").is_some() => Some(SCIM_JSON.to_string()),
        None => None,
    };
    Answer {
        status,
        content_type,
        body,
        headers: Vec::new(),
    }
}

/// Every documented example (and the 204) and every variant of both operations.
fn spec_cases() -> Vec<Case> {
    let spec = spec();
    let op = |m: &str| &spec["paths"]["/Users/{id}"][m];
    let inactive =
        &op("get")["responses"]["200"]["content"][SCIM_JSON]["examples"]["inactive"]["value"];
    let inactive = json_answer(200, inactive);
    let mut cases = Vec::new();
    for m in ["get", "patch"] {
        let responses = op(m)["responses"].as_object().expect("responses");
        for (status, response) in responses {
            let status: u16 = status.parse().expect("every status is a code");
            let response = resolve(&spec, response);
            let Some(content) = response.get("content") else {
                // The 204: its outcome is on the response.
                cases.push(Case {
                    name: format!("{m} {status}"),
                    get: inactive.clone(),
                    patch: Some(no_content()),
                    outcome: response["x-userbridge-outcome"].clone(),
                });
                continue;
            };
            let examples = content[SCIM_JSON]["examples"]
                .as_object()
                .expect("examples");
            for (name, example) in examples {
                let example = resolve(&spec, example);
                let answer = json_answer(status, &example["value"]);
                let outcome = example["x-userbridge-outcome"].clone();
                assert!(outcome.is_object(), "{m} {status} {name}: no outcome");
                let (get, patch) = if m == "get" {
                    let writes = outcome["kind"] == "ok";
                    (answer, writes.then(no_content))
                } else {
                    (inactive.clone(), Some(answer))
                };
                cases.push(Case {
                    name: format!("{m} {status} {name}"),
                    get,
                    patch,
                    outcome,
                });
            }
        }
        for v in op(m)["x-userbridge-variants"].as_array().expect("variants") {
            let name = format!(
                "{m} variant {} ({})",
                v["name"].as_str().unwrap_or("?"),
                v["source"].as_str().expect("a variant names its source")
            );
            let answer = variant_answer(v);
            let outcome = v["outcome"].clone();
            let (get, patch) = if m == "get" {
                let writes = outcome["kind"] == "ok";
                (answer, writes.then(no_content))
            } else {
                (inactive.clone(), Some(answer))
            };
            cases.push(Case {
                name,
                get,
                patch,
                outcome,
            });
        }
    }
    cases
}

#[tokio::test]
async fn every_documented_answer_and_variant_has_its_outcome() {
    let cases = spec_cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    for case in &cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(users_path())
            .respond_with(case.get.template())
            .expect(1)
            .mount(&server)
            .await;
        let patches = Mock::given(method("PATCH")).and(users_path());
        match &case.patch {
            Some(answer) => patches.respond_with(answer.template()).expect(1),
            None => patches.respond_with(no_content().template()).expect(0),
        }
        .mount(&server)
        .await;
        let result = client(&root(&server)).users().reactivate(USER).await;
        assert_subset(&case.outcome, &outcome_json(&result), &case.name);
        server.verify().await;
    }
    println!("{} SCIM answers checked", cases.len());
}

#[test]
fn every_variant_names_its_source_and_the_spec_cites_the_rfcs() {
    let spec = spec();
    let info = spec["info"]["description"].as_str().unwrap_or_default();
    for cited in ["RFC 7643", "RFC 7644", "§3.5.2", "§3.12", "§4.1.1"] {
        assert!(info.contains(cited), "info.description cites {cited}");
    }
    for m in ["get", "patch"] {
        let op = &spec["paths"]["/Users/{id}"][m];
        let id = &op["parameters"][0];
        assert_eq!(id["x-userbridge-param"], "user");
        assert!(id["example"]
            .as_str()
            .is_some_and(|e| e.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')));
        for v in op["x-userbridge-variants"].as_array().unwrap() {
            let source = v["source"].as_str().unwrap_or_default();
            assert!(source.len() > 10, "{}: a source", v["name"]);
            assert!(
                v["outcome"]["kind"].is_string(),
                "{}: an outcome",
                v["name"]
            );
        }
    }
}

// ------------------------------------------------------ the request itself

/// Serves an inactive user, then a 204, and returns the requests made.
async fn requests_for(
    build: impl FnOnce(&str) -> Client,
    id: &str,
) -> (Result<Reactivated, Error>, Vec<wiremock::Request>) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(scim(200, &json!({"id": id, "active": false})))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(204).insert_header("etag", "W/\"2\""))
        .mount(&server)
        .await;
    let result = build(&root(&server)).users().reactivate(id).await;
    let seen = server.received_requests().await.unwrap_or_default();
    (result, seen)
}

fn header<'a>(r: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn the_request_on_the_wire_is_a_read_then_the_rfc_patch() {
    let (result, seen) = requests_for(client, USER).await;
    let done = result.expect("reactivated");
    // 204: no resource.
    assert_eq!(done.details(), &Details::None);
    assert!(done.scim_user().is_none());
    assert_eq!(seen.len(), 2);
    let (get, patch) = (&seen[0], &seen[1]);
    assert_eq!(get.method.as_str(), "GET");
    assert_eq!(get.url.path(), format!("/scim/v2/Users/{USER}"));
    assert_eq!(patch.method.as_str(), "PATCH");
    assert_eq!(patch.url.path(), format!("/scim/v2/Users/{USER}"));
    for r in [get, patch] {
        assert_eq!(header(r, "accept"), Some(SCIM_JSON));
        assert_eq!(
            header(r, "authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert!(r.url.query().is_none(), "no attributes parameter");
        assert!(header(r, "api-version").is_none());
    }
    assert_eq!(header(patch, "content-type"), Some(SCIM_JSON));
    let body: Value = serde_json::from_slice(&patch.body).expect("a JSON body");
    assert_eq!(
        body,
        json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": true}]})
    );
}

#[tokio::test]
async fn the_path_less_form_is_sent_when_asked_async_and_blocking() {
    let path_less = |base: &str| {
        Client::builder(Provider::Scim)
            .base_url(base)
            .bearer_token(TOKEN)
            .scim_patch_form(ScimPatchForm::PathLess)
            .build()
            .expect("client")
    };
    let (result, seen) = requests_for(path_less, USER).await;
    result.expect("reactivated");
    let body: Value = serde_json::from_slice(&seen[1].body).unwrap();
    assert_eq!(
        body,
        json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": true}}]})
    );

    // The blocking client has the same option.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(scim(200, &json!({"id": USER, "active": false})))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(scim(200, &json!({"id": USER, "active": true})))
        .mount(&server)
        .await;
    let base = root(&server);
    let done = tokio::task::spawn_blocking(move || {
        userbridge_blocking::Client::builder(Provider::Scim)
            .base_url(base)
            .bearer_token(TOKEN)
            .scim_patch_form(userbridge_blocking::ScimPatchForm::PathLess)
            .build()
            .expect("client")
            .users()
            .reactivate(USER)
    })
    .await
    .expect("joined")
    .expect("reactivated");
    assert_eq!(done.scim_user().and_then(|u| u.active), Some(true));
    let seen = server.received_requests().await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&seen[1].body).unwrap();
    assert_eq!(
        body["Operations"][0],
        json!({"op": "replace", "value": {"active": true}})
    );
}

#[tokio::test]
async fn ids_travel_as_one_percent_encoded_segment() {
    for (id, encoded) in [
        ("a/b", "a%2Fb"),
        ("auth0|5f7c", "auth0%7C5f7c"),
        ("bjensen@example.com", "bjensen@example.com"),
        ("with space", "with%20space"),
        ("50%off?#", "50%25off%3F%23"),
    ] {
        let (result, seen) = requests_for(client, id).await;
        result.unwrap_or_else(|e| panic!("{id}: {e}"));
        for r in &seen {
            assert_eq!(r.url.path(), format!("/scim/v2/Users/{encoded}"), "{id}");
            assert!(r.url.query().is_none(), "{id}");
        }
    }
}

#[tokio::test]
async fn an_active_user_is_not_patched_and_allow_already_active_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(scim(200, &json!({"id": USER, "active": true})))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&server)
        .await;
    let c = client(&root(&server));
    let e = c.users().reactivate(USER).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotDeactivated);
    assert_eq!(e.status(), Some(200));
    assert_eq!(
        e.to_string(),
        format!(
            "SCIM 2.0: user {USER} is not deactivated (HTTP 200): the SCIM resource says \
             `active: true`"
        )
    );
    let done = c
        .users()
        .reactivate(ReactivateRequest::new(USER).allow_already_active())
        .await
        .expect("already active counts as success");
    assert!(done.already_active());
}

#[tokio::test]
async fn a_lost_patch_answer_then_active_is_recovered() {
    // The first PATCH's answer is a 503 (the user may be active now); the retry
    // reads `active: true`: the first attempt did it.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(scim(200, &json!({"id": USER, "active": false})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(scim(200, &json!({"id": USER, "active": true})))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(503).set_body_raw("<html>busy</html>", "text/html"))
        .expect(1)
        .mount(&server)
        .await;
    let c = Client::builder(Provider::Scim)
        .base_url(root(&server))
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    let done = c.users().reactivate(USER).await.expect("recovered");
    assert!(done.recovered() && !done.already_active());
    assert_eq!(done.attempts(), 2);
}

#[tokio::test]
async fn a_failed_read_changed_nothing_so_active_stays_not_deactivated() {
    // The first read fails (503, then a timeout); the retry reads `active: true`.
    // Nothing was written by the failed attempts: the user was active before the
    // call, so this is NotDeactivated (or already active), never "recovered".
    for first in [
        ResponseTemplate::new(503),
        scim(200, &json!({"id": USER, "active": false})).set_delay(Duration::from_secs(3)),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(first)
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(scim(200, &json!({"id": USER, "active": true})))
            .with_priority(2)
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .respond_with(ResponseTemplate::new(204))
            .expect(0)
            .mount(&server)
            .await;
        let c = Client::builder(Provider::Scim)
            .base_url(root(&server))
            .bearer_token(TOKEN)
            .timeout(Duration::from_millis(500))
            .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
            .build()
            .unwrap();
        let e = c.users().reactivate(USER).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotDeactivated, "{e}");
        assert_eq!(e.attempts(), 2);
        let done = c
            .users()
            .reactivate(ReactivateRequest::new(USER).allow_already_active())
            .await
            .unwrap();
        assert!(done.already_active() && !done.recovered());
    }
}

#[tokio::test]
async fn gateway_pages_and_empty_5xx_are_server_errors() {
    for (on_get, status, body, content_type) in [
        (true, 503, "", "text/plain"),
        (
            true,
            502,
            "<html><body>Bad Gateway</body></html>",
            "text/html",
        ),
        (false, 504, "<html>Gateway Timeout</html>", "text/html"),
        (false, 502, "", "text/plain"),
    ] {
        let server = MockServer::start().await;
        let page = ResponseTemplate::new(status).set_body_raw(body, content_type);
        let get = if on_get {
            page.clone()
        } else {
            scim(200, &json!({"id": USER, "active": false}))
        };
        Mock::given(method("GET"))
            .respond_with(get)
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .respond_with(page)
            .mount(&server)
            .await;
        let e = client(&root(&server))
            .users()
            .reactivate(USER)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Server, "{status} {body}: {e}");
        assert_eq!(e.status(), Some(status));
        assert!(e.is_retryable());
        assert_eq!(e.api_error().map(|a| a.body.as_str()), Some(body));
    }
}

#[tokio::test]
async fn a_wrong_base_url_is_never_user_not_found() {
    for (status, body, content_type) in [
        (404, "<html><body>Not Found</body></html>", "text/html"),
        (404, "", "text/plain"),
        (404, r#"{"detail":"Not found."}"#, "application/json"),
        (405, "", "text/plain"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_raw(body, content_type))
            .mount(&server)
            .await;
        let e = client(&server.uri())
            .users()
            .reactivate(USER)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Misconfigured, "{status} {body}");
        assert!(e.to_string().contains("base URL"), "{e}");
        assert!(e.to_string().contains("https://example.com/scim/v2"), "{e}");
    }
}

#[tokio::test]
async fn a_rate_limit_keeps_retry_after_and_redirects_are_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(scim(429, &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "429", "detail": "slow down"})).insert_header("retry-after", "7"))
        .mount(&server)
        .await;
    let e = client(&root(&server))
        .users()
        .reactivate(USER)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    let api = e.api_error().unwrap();
    assert_eq!(api.retry_after, Some(Duration::from_secs(7)));
    assert_eq!(api.message, "slow down");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", "https://elsewhere.example/scim"),
        )
        .mount(&server)
        .await;
    let e = client(&root(&server))
        .users()
        .reactivate(USER)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnexpectedResponse);
    assert!(e.to_string().contains("not followed"), "{e}");
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        1
    );
}

#[tokio::test]
async fn a_bare_401_names_the_challenge_and_the_token_never_shows() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401).insert_header("www-authenticate", r#"Bearer realm="SCIM""#),
        )
        .mount(&server)
        .await;
    let e = client(&root(&server))
        .users()
        .reactivate(USER)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert_eq!(
        e.api_error().map(|a| a.message.as_str()),
        Some(r#"HTTP 401 Unauthorized; the server asks for: Bearer realm="SCIM""#)
    );

    // A server that echoes the token back.
    let server = MockServer::start().await;
    let echo = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "403",
                      "detail": format!("token {TOKEN} may not write users")});
    Mock::given(method("GET"))
        .respond_with(scim(403, &echo))
        .mount(&server)
        .await;
    let e = client(&root(&server))
        .users()
        .reactivate(USER)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    let shown = format!("{e} {e:?} {}", serde_json::to_string(&e).unwrap());
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(
        shown.contains("token <redacted> may not write users"),
        "{shown}"
    );
}

#[test]
fn the_base_url_is_required_and_named() {
    let e = Client::builder(Provider::Scim)
        .bearer_token(TOKEN)
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.to_string().contains("https://example.com/scim/v2"), "{e}");
    assert_eq!("scim".parse::<Provider>().ok(), Some(Provider::Scim));
    assert_eq!(Provider::Scim.to_string(), "SCIM 2.0");
}

// ------------------------------------------------------------ the simulator

fn sim_client(sim: &Simulator) -> Client {
    Client::builder(Provider::Scim)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .expect("client")
}

#[tokio::test]
async fn the_simulator_is_stateful() {
    let sim = Simulator::start(Provider::Scim).await;
    assert!(sim.base_url().ends_with("/scim/v2"));
    assert_eq!(UserState::Deactivated.label(Provider::Scim), "inactive");
    sim.add_user("u1", sim.organization(), UserState::Deactivated);
    sim.add_user("u/2 x", sim.organization(), UserState::Deactivated);
    sim.add_user("elsewhere", "another-tenant", UserState::Deactivated);
    let c = sim_client(&sim);

    let done = c.users().reactivate("u1").await.expect("reactivated");
    let user = done
        .scim_user()
        .expect("the simulator answers 200 with the resource");
    assert_eq!(user.id.as_deref(), Some("u1"));
    assert_eq!(user.active, Some(true));
    assert_eq!(user.version.as_deref(), Some("W/\"3\""));
    assert_eq!(sim.user_state("u1"), Some(UserState::Active));

    let again = c.users().reactivate("u1").await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::NotDeactivated);
    let ok = c
        .users()
        .reactivate(ReactivateRequest::new("u1").allow_already_active())
        .await
        .unwrap();
    assert!(ok.already_active());

    c.users()
        .reactivate("u/2 x")
        .await
        .expect("an id with / and space");
    for unknown in ["nobody", "elsewhere"] {
        let e = c.users().reactivate(unknown).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{unknown}");
        assert_eq!(
            e.api_error().map(|a| a.message.clone()),
            Some(format!("User '{unknown}' not found"))
        );
    }

    // The requests: GET+PATCH, GET, GET, GET+PATCH, GET, GET.
    let seen: Vec<(String, String, u16)> = sim
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.status))
        .collect();
    assert_eq!(seen[0], ("GET".into(), "/scim/v2/Users/u1".into(), 200));
    assert_eq!(seen[1], ("PATCH".into(), "/scim/v2/Users/u1".into(), 200));
    assert_eq!(seen[2], ("GET".into(), "/scim/v2/Users/u1".into(), 200));
    assert_eq!(seen[4].1, "/scim/v2/Users/u%2F2%20x");
    assert_eq!(seen.len(), 8);
    assert_eq!(
        sim.requests()[1].header("content-type"),
        Some("application/scim+json")
    );
}

#[tokio::test]
async fn the_simulator_answers_tokens_permissions_and_failures() {
    let sim = Simulator::start(Provider::Scim).await;
    sim.add_user("u1", sim.organization(), UserState::Deactivated);
    let with = |token: &str| {
        Client::builder(Provider::Scim)
            .base_url(sim.base_url())
            .bearer_token(token)
            .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
            .build()
            .unwrap()
    };
    let e = with("not-a-known-token")
        .users()
        .reactivate("u1")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    assert_eq!(
        e.api_error().map(|a| a.message.as_str()),
        Some("Authorization failure. The authorization header is invalid or missing")
    );
    sim.deny_permission("read-only-token");
    let e = with("read-only-token")
        .users()
        .reactivate("u1")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);

    sim.fail_next(
        1,
        Failure::TooManyRequests {
            retry_after: Some(Duration::ZERO),
        },
    );
    sim.fail_next(1, Failure::ServiceUnavailable);
    let done = with(sim.token())
        .users()
        .reactivate("u1")
        .await
        .expect("retried");
    assert_eq!(done.attempts(), 3);
    let statuses: Vec<u16> = sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [401, 403, 429, 503, 200, 200]);

    // The path-less form works too.
    sim.add_user("u2", sim.organization(), UserState::Deactivated);
    let c = Client::builder(Provider::Scim)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .scim_patch_form(ScimPatchForm::PathLess)
        .build()
        .unwrap();
    c.users().reactivate("u2").await.expect("path-less");
    assert_eq!(sim.user_state("u2"), Some(UserState::Active));
}

#[tokio::test]
async fn the_simulator_loses_a_write_answer_and_the_retry_recovers_it() {
    let sim = Simulator::start(Provider::Scim).await;
    sim.add_user("u1", sim.organization(), UserState::Deactivated);
    // Two requests per attempt: the read answers at once, the write late.
    sim.fail_next(1, Failure::Slow(Duration::ZERO));
    sim.fail_next(1, Failure::Slow(Duration::from_secs(2)));
    let c = Client::builder(Provider::Scim)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    let done = c.users().reactivate("u1").await.expect("recovered");
    assert!(done.recovered() && !done.already_active());
    assert_eq!(done.attempts(), 2);
    let methods: Vec<String> = sim.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["GET", "PATCH", "GET"]);
}

/// Raw HTTP to a SCIM root: (status, headers, JSON body or null).
async fn raw(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    content_type: &str,
    body: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = http
        .request(method, url)
        .bearer_auth(token)
        .header("content-type", content_type)
        .header("accept", SCIM_JSON);
    if let Some(body) = body {
        req = req.body(body.to_string());
    }
    let resp = req.send().await.expect("the server answers");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap_or_default();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_simulator_checks_patch_bodies_as_a_scim_server_does() {
    let sim = Simulator::start(Provider::Scim).await;
    sim.add_user("u1", sim.organization(), UserState::Deactivated);
    let url = format!("{}/Users/u1", sim.base_url());
    let http = reqwest::Client::new();
    let token = sim.token();
    let patch = |body: &'static str, ct: &'static str| {
        let (http, url) = (&http, &url);
        async move { raw(http, reqwest::Method::PATCH, url, token, ct, Some(body)).await }
    };
    for (body, ct, status, scim_type) in [
        (
            r#"{"Operations":[{"op":"replace","path":"active","value":true}]}"#,
            SCIM_JSON,
            400,
            Some("invalidSyntax"),
        ),
        (r#"{"schemas":"#, SCIM_JSON, 400, Some("invalidSyntax")),
        (
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"set","path":"active","value":true}]}"#,
            SCIM_JSON,
            400,
            Some("invalidValue"),
        ),
        (
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"enabled","value":true}]}"#,
            SCIM_JSON,
            400,
            Some("invalidPath"),
        ),
        (
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":"yes please"}]}"#,
            SCIM_JSON,
            400,
            Some("invalidValue"),
        ),
        (
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"id","value":"x"}]}"#,
            SCIM_JSON,
            400,
            Some("mutability"),
        ),
        (
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}"#,
            "text/plain",
            415,
            None,
        ),
    ] {
        let (got, _, error) = patch(body, ct).await;
        assert_eq!(got, status, "{body} ({ct}): {error}");
        assert_eq!(
            error["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
        );
        assert_eq!(error["status"], json!(status.to_string()));
        assert_eq!(error["scimType"].as_str(), scim_type, "{body}");
        assert_eq!(
            sim.user_state("u1"),
            Some(UserState::Deactivated),
            "atomic: {body}"
        );
    }
    // Entra's capitalised op and string boolean, then the same again: 200 both
    // times, one new version only (idempotent).
    let entra = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}"#;
    let (s1, h1, b1) = patch(entra, "application/json").await;
    let (s2, h2, b2) = patch(entra, SCIM_JSON).await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(b1["active"], json!(true));
    assert_eq!(h1.get("etag"), h2.get("etag"));
    assert_eq!(b1["meta"]["version"], b2["meta"]["version"]);
    assert_eq!(sim.user_state("u1"), Some(UserState::Active));
    // 401 carries the challenge (RFC 7644 §2); the config needs no token.
    let (status, headers, _) = raw(
        &http,
        reqwest::Method::GET,
        &url,
        "wrong-token",
        SCIM_JSON,
        None,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some(r#"Bearer realm="SCIM""#)
    );
    let spc = format!("{}/ServiceProviderConfig", sim.base_url());
    let (status, _, config) = raw(&http, reqwest::Method::GET, &spc, "none", SCIM_JSON, None).await;
    assert_eq!(status, 200);
    assert_eq!(config["patch"]["supported"], json!(true));
}

#[test]
fn the_simulator_with_the_blocking_client() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(Simulator::start(Provider::Scim));
    sim.add_user("u1", sim.organization(), UserState::Deactivated);
    let c = userbridge_blocking::Client::builder(Provider::Scim)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .build()
        .unwrap();
    let done = c.users().reactivate("u1").unwrap();
    assert_eq!(done.scim_user().and_then(|u| u.active), Some(true));
    let e = c.users().reactivate("u1").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotDeactivated);
}

// ------------------------------------------------- real SCIM server (PyPI)

/// A Python tool installed into `<target>/tools/<dir>` (a venv with `packages`),
/// once; concurrent test processes install into temporary directories and the
/// first rename wins.
fn python_tool(dir: &str, packages: &[&str]) -> Result<PathBuf, String> {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .ok_or("no target directory")?
        .to_path_buf();
    let tools = target.join("tools");
    let home = tools.join(dir);
    let marker = ".userbridge-installed";
    if home.join(marker).is_file() {
        return Ok(home);
    }
    std::fs::create_dir_all(&tools).map_err(|e| format!("{}: {e}", tools.display()))?;
    let staging = tools.join(format!("{dir}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let run = |cmd: &mut Command, what: &str| -> Result<(), String> {
        let out = cmd
            .output()
            .map_err(|e| format!("{what}: cannot run {cmd:?}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{what} failed ({}):\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    let started = Instant::now();
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&staging),
        "creating a Python venv (python3 -m venv; on Debian: apt-get install python3-venv)",
    )?;
    run(
        Command::new(staging.join("bin/python"))
            .args(["-m", "pip", "install", "--disable-pip-version-check", "-q"])
            .args(packages),
        &format!("pip install {} (needs PyPI)", packages.join(" ")),
    )?;
    std::fs::write(staging.join(marker), packages.join("\n")).map_err(|e| e.to_string())?;
    if std::fs::rename(&staging, &home).is_err() {
        // Another process won the race.
        let _ = std::fs::remove_dir_all(&staging);
    }
    if !home.join(marker).is_file() {
        return Err(format!("{} was not installed", home.display()));
    }
    eprintln!(
        "installed {} into {} in {:.1}s",
        packages.join(" "),
        home.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(home)
}

/// One venv for both Python tools (they share scim2-models): scim2-server, the
/// real SCIM server, and scim2-tester, the conformance checker; pinned, with the
/// SCIM libraries under them.
const TOOLS_DIR: &str = "scim2-server-0.8.3";
const TOOLS: [&str; 4] = [
    "scim2-server==0.8.3",
    "scim2-tester[httpx2]==0.5.2",
    "scim2-models==0.12.3",
    "scim2-client==0.13.2",
];
const HOW_TO_RUN: &str = "this test installs scim2-server 0.8.3 and scim2-tester 0.5.2 from PyPI \
    into <target>/tools/ itself: it needs `python3` with the `venv` module and access to PyPI";

/// The tools' venv, installed once per target directory.
fn scim_tools() -> Result<PathBuf, String> {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    python_tool(TOOLS_DIR, &TOOLS)
}

/// scim2-server 0.8.3, running on 127.0.0.1 until dropped.
struct Scim2Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Drop for Scim2Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Scim2Server {
    /// Starts one; `config`: a ServiceProviderConfig to announce instead of the
    /// default.
    async fn start(token: &str, config: Option<&Value>) -> Result<Scim2Server, String> {
        let venv = scim_tools()?;
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map_err(|e| format!("no free port: {e}"))?
                .port();
            let log = venv.join(format!("server-{port}.log"));
            let mut cmd = Command::new(venv.join("bin/python"));
            cmd.args([
                "-c",
                "import sys; from scim2_server.testserver.cli import main; sys.exit(main())",
                "--hostname",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--bearer-token",
                token,
            ]);
            if let Some(config) = config {
                let file = venv.join(format!("config-{port}.json"));
                std::fs::write(&file, config.to_string()).map_err(|e| e.to_string())?;
                cmd.arg("--service-provider-config").arg(file);
            }
            let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
            let child = cmd
                .env("PYTHONUNBUFFERED", "1")
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
                .stderr(log_file)
                .spawn()
                .map_err(|e| format!("cannot start scim2-server: {e}"))?;
            let mut server = Scim2Server {
                child,
                base: format!("http://127.0.0.1:{port}/v2"),
                log,
            };
            match server.ready().await {
                Ok(()) => return Ok(server),
                Err(e) => last_error = e,
            }
        }
        Err(last_error)
    }

    /// Polls `/ServiceProviderConfig` (served without a token) until it answers.
    async fn ready(&mut self) -> Result<(), String> {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "scim2-server exited ({status}): {}",
                    self.log_text()
                ));
            }
            let url = format!("{}/ServiceProviderConfig", self.base);
            if let Ok(r) = http.get(&url).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "scim2-server did not answer in 20 s: {}",
            self.log_text()
        ))
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The request lines of the log (`"METHOD /path HTTP/1.1" status size`), the
    /// readiness and sentinel requests left out.
    fn requests_logged(&self) -> Vec<String> {
        self.log_text()
            .lines()
            .filter(|l| l.contains("\" ") && !l.contains("/ServiceProviderConfig"))
            .filter_map(|l| {
                let (request, rest) = l.split_once("\" ")?;
                let method = request.rsplit('"').next()?.split(' ').next()?;
                Some(format!("{method} {}", rest.split(' ').next()?))
            })
            .collect()
    }

    /// The method and status of the requests logged since `from`. The server logs
    /// a request after answering it: a sentinel request, once logged, shows that
    /// the earlier ones are too.
    async fn statuses_since(&self, from: usize) -> Vec<String> {
        static SENTINEL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SENTINEL.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let url = format!("{}/ServiceProviderConfig?sentinel={n}", self.base);
        let _ = reqwest::Client::new().get(&url).send().await;
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && !self.log_text().contains(&format!("sentinel={n} ")) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.requests_logged().into_iter().skip(from).collect()
    }

    /// Creates a user over plain HTTP; returns its id.
    async fn create_user(&self, token: &str, user_name: &str, active: bool) -> String {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": user_name,
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "active": active,
        });
        let (status, _, user) = raw(
            &reqwest::Client::new(),
            reqwest::Method::POST,
            &format!("{}/Users", self.base),
            token,
            SCIM_JSON,
            Some(&body.to_string()),
        )
        .await;
        assert_eq!(status, 201, "POST /Users: {user}");
        assert_eq!(user["active"], json!(active));
        user["id"].as_str().expect("an id").to_string()
    }

    async fn active(&self, token: &str, id: &str) -> Value {
        let (status, _, user) = raw(
            &reqwest::Client::new(),
            reqwest::Method::GET,
            &format!("{}/Users/{id}", self.base),
            token,
            SCIM_JSON,
            None,
        )
        .await;
        assert_eq!(status, 200, "GET /Users/{id}: {user}");
        user["active"].clone()
    }
}

/// Where a case runs: the real server or the simulator, through one interface.
enum Target {
    Real(Scim2Server),
    Sim(Simulator),
}

impl Target {
    fn base(&self) -> String {
        match self {
            Target::Real(s) => s.base.clone(),
            Target::Sim(s) => s.base_url(),
        }
    }

    fn token(&self) -> &str {
        match self {
            Target::Real(_) => TOKEN,
            Target::Sim(s) => s.token(),
        }
    }

    async fn inactive_user(&self, n: usize) -> String {
        match self {
            Target::Real(s) => {
                s.create_user(TOKEN, &format!("bjensen+{n}@example.com"), false)
                    .await
            }
            Target::Sim(s) => {
                let id = format!("sim-user-{n}");
                s.add_user(&id, s.organization(), UserState::Deactivated);
                id
            }
        }
    }

    async fn is_active(&self, id: &str) -> Value {
        match self {
            Target::Real(s) => s.active(TOKEN, id).await,
            Target::Sim(s) => json!(s.user_state(id) == Some(UserState::Active)),
        }
    }

    async fn mark(&self) -> usize {
        match self {
            Target::Real(s) => s.statuses_since(0).await.len(),
            Target::Sim(s) => s.requests().len(),
        }
    }

    async fn statuses_since(&self, from: usize) -> String {
        let seen = match self {
            Target::Real(s) => s.statuses_since(from).await,
            Target::Sim(s) => s
                .requests()
                .iter()
                .skip(from)
                .map(|r| format!("{} {}", r.method, r.status))
                .collect(),
        };
        seen.join(", ")
    }
}

/// What a result looks like in the table.
fn shown(result: &Result<Reactivated, Error>) -> String {
    match result {
        Ok(done) if done.already_active() => "Reactivated (already active)".into(),
        Ok(done) => match done.scim_user() {
            Some(u) => match u.active {
                Some(active) => format!("Reactivated (resource, active: {active})"),
                None => "Reactivated (resource without active)".into(),
            },
            None => "Reactivated (no resource)".into(),
        },
        Err(e) => match e.api_error().and_then(|a| a.code.clone()) {
            Some(code) => format!("{:?} ({code})", e.kind()),
            None => format!("{:?}", e.kind()),
        },
    }
}

type Row = (String, String, String);

/// The reactivation cases against one target; every row is checked here.
async fn run_cases(target: &Target, no_patch: Option<&Target>) -> Vec<Row> {
    let base = target.base();
    let c = Client::builder(Provider::Scim)
        .base_url(&base)
        .bearer_token(target.token())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let mut rows: Vec<Row> = Vec::new();
    macro_rules! row {
        ($case:expr, $from:expr, $result:expr) => {
            rows.push((
                $case.to_string(),
                target.statuses_since($from).await,
                shown($result),
            ))
        };
    }

    let id = target.inactive_user(1).await;
    let from = target.mark().await;
    let r = c.users().reactivate(id.as_str()).await;
    assert!(r.is_ok(), "async reactivation: {r:?}");
    row!("reactivate an inactive user (async)", from, &r);
    assert_eq!(target.is_active(&id).await, json!(true), "read back");

    let from = target.mark().await;
    let r = c.users().reactivate(id.as_str()).await;
    assert_eq!(
        r.as_ref().err().map(Error::kind),
        Some(ErrorKind::NotDeactivated)
    );
    row!("reactivate it again", from, &r);

    let from = target.mark().await;
    let r = c
        .users()
        .reactivate(ReactivateRequest::new(id.as_str()).allow_already_active())
        .await;
    assert!(r.as_ref().is_ok_and(Reactivated::already_active), "{r:?}");
    row!("again, allow_already_active()", from, &r);

    // The blocking client, on its own thread.
    let id2 = target.inactive_user(2).await;
    let from = target.mark().await;
    let (b, t, i) = (base.clone(), target.token().to_string(), id2.clone());
    let r = tokio::task::spawn_blocking(move || {
        userbridge_blocking::Client::builder(Provider::Scim)
            .base_url(b)
            .bearer_token(t)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
            .users()
            .reactivate(i)
    })
    .await
    .unwrap();
    assert!(r.is_ok(), "blocking reactivation: {r:?}");
    row!("reactivate an inactive user (blocking)", from, &r);
    assert_eq!(target.is_active(&id2).await, json!(true), "read back");

    let id3 = target.inactive_user(3).await;
    let path_less = Client::builder(Provider::Scim)
        .base_url(&base)
        .bearer_token(target.token())
        .scim_patch_form(ScimPatchForm::PathLess)
        .build()
        .unwrap();
    let from = target.mark().await;
    let r = path_less.users().reactivate(id3.as_str()).await;
    assert!(r.is_ok(), "path-less: {r:?}");
    row!("reactivate, path-less form", from, &r);
    assert_eq!(target.is_active(&id3).await, json!(true));

    let from = target.mark().await;
    let r = c
        .users()
        .reactivate("00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(
        r.as_ref().err().map(Error::kind),
        Some(ErrorKind::NotFound),
        "{r:?}"
    );
    row!("unknown id", from, &r);

    let from = target.mark().await;
    let r = c.users().reactivate("no/such user").await;
    assert_eq!(
        r.as_ref().err().map(Error::kind),
        Some(ErrorKind::NotFound),
        "{r:?}"
    );
    row!("unknown id with `/` and a space", from, &r);

    let wrong = Client::builder(Provider::Scim)
        .base_url(&base)
        .bearer_token("wrong-token-for-this-server")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let id4 = target.inactive_user(4).await;
    let from = target.mark().await;
    let r = wrong.users().reactivate(id4.as_str()).await;
    assert_eq!(
        r.as_ref().err().map(Error::kind),
        Some(ErrorKind::Unauthenticated),
        "{r:?}"
    );
    row!("wrong token", from, &r);
    assert_eq!(
        target.is_active(&id4).await,
        json!(false),
        "nothing changed"
    );

    if let Some(no_patch) = no_patch {
        let id = no_patch.inactive_user(5).await;
        let c = Client::builder(Provider::Scim)
            .base_url(no_patch.base())
            .bearer_token(no_patch.token())
            .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
            .build()
            .unwrap();
        let from = no_patch.mark().await;
        let r = c.users().reactivate(id.as_str()).await;
        let e = r.as_ref().expect_err("no PATCH, no reactivation");
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        assert_eq!(e.attempts(), 1, "not retried");
        assert!(e.to_string().contains("does not support PATCH"), "{e}");
        rows.push((
            "server without PATCH (patch.supported false)".into(),
            no_patch.statuses_since(from).await,
            shown(&r),
        ));
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_scim_server_and_the_simulator_side_by_side() {
    let real = Scim2Server::start(TOKEN, None)
        .await
        .unwrap_or_else(|e| panic!("{HOW_TO_RUN}.\n{e}"));
    let mut config = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": false},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": 100},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": true},
    });
    config["authenticationSchemes"] = json!([]);
    let no_patch = Scim2Server::start(TOKEN, Some(&config))
        .await
        .unwrap_or_else(|e| panic!("{HOW_TO_RUN}.\n{e}"));
    let real = Target::Real(real);
    let no_patch = Target::Real(no_patch);
    let real_rows = run_cases(&real, Some(&no_patch)).await;

    let sim = Target::Sim(Simulator::start(Provider::Scim).await);
    let sim_rows = run_cases(&sim, None).await;

    // Both agree on every outcome they share.
    let sim_by_case: BTreeMap<&str, &Row> = sim_rows.iter().map(|r| (r.0.as_str(), r)).collect();
    let mut table = vec![(
        "case".to_string(),
        "scim2-server 0.8.3: HTTP".to_string(),
        "outcome".to_string(),
        "simulator: HTTP".to_string(),
        "outcome".to_string(),
    )];
    for (case, real_http, real_outcome) in &real_rows {
        let (sim_http, sim_outcome) = sim_by_case
            .get(case.as_str())
            .map_or(("-".to_string(), "-".to_string()), |r| {
                (r.1.clone(), r.2.clone())
            });
        if sim_outcome != "-" {
            // Same kind of outcome (the resource is only in the simulator's 200).
            let kind = |s: &str| s.split(" (").next().unwrap_or_default().to_string();
            assert_eq!(kind(real_outcome), kind(&sim_outcome), "{case}");
        }
        table.push((
            case.clone(),
            real_http.clone(),
            real_outcome.clone(),
            sim_http,
            sim_outcome,
        ));
    }
    let widths = [0, 1, 2, 3, 4].map(|i| {
        table
            .iter()
            .map(|r| [&r.0, &r.1, &r.2, &r.3, &r.4][i].chars().count())
            .max()
            .unwrap_or(0)
    });
    for r in &table {
        let cells = [&r.0, &r.1, &r.2, &r.3, &r.4];
        let line: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("| {} |", line.join(" | "));
    }
}

// ------------------------------------------ scim2-tester against the simulator

#[test]
fn scim2_tester_against_the_simulator() {
    let venv = scim_tools().unwrap_or_else(|e| panic!("{HOW_TO_RUN}.\n{e}"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt.block_on(Simulator::start(Provider::Scim));
    let script = venv.join("scim_tester.py");
    std::fs::write(&script, include_str!("scim_tester.py")).unwrap();
    let out = venv.join(format!("results-{}.json", std::process::id()));
    let run = Command::new(venv.join("bin/python"))
        .arg(&script)
        .arg(sim.base_url())
        .arg(sim.token())
        .arg(&out)
        .output()
        .expect("python runs");
    assert!(
        run.status.success(),
        "scim2-tester could not run: {}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let results: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).expect("results");
    let _ = std::fs::remove_file(&out);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in &results {
        *counts
            .entry(r["status"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
        println!(
            "{:<10} {}{}: {}",
            r["status"].as_str().unwrap_or("?"),
            r["resource_type"]
                .as_str()
                .map(|t| format!("[{t}] "))
                .unwrap_or_default(),
            r["title"].as_str().unwrap_or("?"),
            r["reason"].as_str().unwrap_or("")
        );
    }
    println!("{counts:?}");
    // What a reactivation relies on must pass: the config announces PATCH, a
    // User is read by id, `active` is replaced with PATCH and read back.
    let passed = |title: &str, reason: &str| {
        results.iter().any(|r| {
            r["status"] == "SUCCESS"
                && r["title"] == title
                && r["reason"].as_str().unwrap_or("").contains(reason)
        })
    };
    for (title, reason) in [
        ("service_provider_config_endpoint", ""),
        ("object_creation", ""),
        ("object_query", ""),
        ("check_replace_attribute", "'active'"),
        ("check_add_attribute", "'active'"),
        ("check_remove_attribute", "'active'"),
    ] {
        assert!(passed(title, reason), "{title} {reason} did not pass");
    }
}

// ------------------------------------------- what scim2-client sends

mod official_sdks {
    use serde_json::json;
    use userbridge::mock::{Simulator, UserState};
    use userbridge::Provider;
    use userbridge_tests::sim::wire;

    const AUTH: (&str, &str) = ("authorization", "Bearer userbridge-simulator-token");
    const SCIM: (&str, &str) = ("content-type", "application/scim+json");
    const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
    const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

    async fn scim() -> Simulator {
        let sim = Simulator::start(Provider::Scim).await;
        sim.seed_user(
            "s1",
            "inactive",
            Some("ann".into()),
            Some("ann@example.com".into()),
        )
        .unwrap();
        sim.seed_user("s2", "active", Some("bob".into()), None)
            .unwrap();
        sim
    }

    #[tokio::test]
    async fn discovery_serves_resource_types_schemas_and_the_config() {
        let sim = scim().await;
        let base = sim.base_url();
        // scim2-client's discover(): these three, without a token.
        let types = wire("GET", &format!("{base}/ResourceTypes"), &[], None).await;
        assert_eq!(types.status, 200, "{}", types.text);
        assert_eq!(types.header("content-type"), "application/scim+json");
        assert_eq!(types.json["schemas"], json!([LIST_URN]));
        assert_eq!(types.json["totalResults"], 1);
        let user_type = &types.json["Resources"][0];
        assert_eq!(user_type["id"], "User");
        assert_eq!(user_type["endpoint"], "/Users");
        assert_eq!(user_type["schema"], USER_URN);
        let schemas = wire("GET", &format!("{base}/Schemas"), &[], None).await;
        assert_eq!(schemas.status, 200);
        let user = &schemas.json["Resources"][0];
        assert_eq!(user["id"], USER_URN);
        let attributes = user["attributes"].as_array().unwrap();
        let named = |n: &str| attributes.iter().find(|a| a["name"] == n).unwrap().clone();
        assert_eq!(named("userName")["required"], true);
        assert_eq!(named("userName")["uniqueness"], "server");
        assert_eq!(named("active")["type"], "boolean");
        assert_eq!(named("password")["returned"], "never");
        assert_eq!(named("emails")["multiValued"], true);
        for a in attributes {
            for key in [
                "name",
                "type",
                "multiValued",
                "required",
                "mutability",
                "returned",
            ] {
                assert!(!a[key].is_null(), "{key} of {a}");
            }
        }
        let one = wire("GET", &format!("{base}/Schemas/{USER_URN}"), &[], None).await;
        assert_eq!(one.json["id"], USER_URN);
        let one = wire("GET", &format!("{base}/ResourceTypes/User"), &[], None).await;
        assert_eq!(one.json["name"], "User");
        let none = wire("GET", &format!("{base}/ResourceTypes/Group"), &[], None).await;
        assert_eq!(none.status, 404);
        let config = wire("GET", &format!("{base}/ServiceProviderConfig"), &[], None).await;
        assert_eq!(config.json["filter"]["supported"], true);
        assert_eq!(config.json["etag"]["supported"], true);
    }

    #[tokio::test]
    async fn put_replaces_the_user() {
        let sim = scim().await;
        let url = format!("{}/Users/s1", sim.base_url());
        let body = json!({
            "schemas": [USER_URN],
            "id": "ignored",
            "userName": "ann.b",
            "active": true,
            "displayName": "Ann B",
        })
        .to_string();
        let answer = wire("PUT", &url, &[AUTH, SCIM], Some(&body)).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.json["id"], "s1");
        assert_eq!(answer.json["userName"], "ann.b");
        assert_eq!(answer.json["active"], true);
        assert_eq!(answer.json["displayName"], "Ann B");
        assert_eq!(sim.user_state("s1"), Some(UserState::Active));
        // Replaced, not merged: a later PUT without displayName drops it.
        let body = json!({"schemas": [USER_URN], "userName": "ann.b", "active": false});
        let answer = wire("PUT", &url, &[AUTH, SCIM], Some(&body.to_string())).await;
        assert!(answer.json.get("displayName").is_none(), "{}", answer.text);
        assert_eq!(sim.user_state("s1"), Some(UserState::Deactivated));
        // userName is required; another user's is taken.
        let body = json!({"schemas": [USER_URN], "active": true}).to_string();
        let answer = wire("PUT", &url, &[AUTH, SCIM], Some(&body)).await;
        assert_eq!(
            (answer.status, &answer.json["scimType"]),
            (400, &json!("invalidValue"))
        );
        let body = json!({"schemas": [USER_URN], "userName": "BOB"}).to_string();
        let answer = wire("PUT", &url, &[AUTH, SCIM], Some(&body)).await;
        assert_eq!(answer.status, 409);
        let answer = wire(
            "PUT",
            &format!("{}/Users/none", sim.base_url()),
            &[AUTH, SCIM],
            Some("{\"userName\":\"x\"}"),
        )
        .await;
        assert_eq!(answer.status, 404);
    }

    #[tokio::test]
    async fn a_stale_if_match_is_412() {
        let sim = scim().await;
        let url = format!("{}/Users/s1", sim.base_url());
        let read = wire("GET", &url, &[AUTH], None).await;
        let etag = read.header("etag").to_string();
        assert!(etag.starts_with("W/\""), "{etag}");
        let patch = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": true}],
        })
        .to_string();
        let stale = wire(
            "PATCH",
            &url,
            &[AUTH, SCIM, ("if-match", "W/\"999\"")],
            Some(&patch),
        )
        .await;
        assert_eq!(stale.status, 412, "{}", stale.text);
        assert_eq!(stale.json["status"], "412");
        assert_eq!(sim.user_state("s1"), Some(UserState::Deactivated));
        let current = wire(
            "PATCH",
            &url,
            &[AUTH, SCIM, ("if-match", etag.as_str())],
            Some(&patch),
        )
        .await;
        assert_eq!(current.status, 200, "{}", current.text);
        assert_eq!(sim.user_state("s1"), Some(UserState::Active));
        // The old version is stale now, for PUT and DELETE too.
        let put = json!({"schemas": [USER_URN], "userName": "ann"}).to_string();
        let answer = wire(
            "PUT",
            &url,
            &[AUTH, SCIM, ("if-match", etag.as_str())],
            Some(&put),
        )
        .await;
        assert_eq!(answer.status, 412);
        let answer = wire("DELETE", &url, &[AUTH, ("if-match", etag.as_str())], None).await;
        assert_eq!(answer.status, 412);
        let any = wire(
            "PATCH",
            &url,
            &[AUTH, SCIM, ("if-match", "*")],
            Some(&patch),
        )
        .await;
        assert_eq!(any.status, 200);
        let new_tag = any.header("etag").to_string();
        let unchanged = wire(
            "GET",
            &url,
            &[AUTH, ("if-none-match", new_tag.as_str())],
            None,
        )
        .await;
        assert_eq!(unchanged.status, 304);
    }

    #[tokio::test]
    async fn filter_on_users_finds_by_user_name() {
        let sim = scim().await;
        let list = |filter: &str| {
            let url = format!(
                "{}/Users?filter={}",
                sim.base_url(),
                filter
                    .replace(' ', "%20")
                    .replace('"', "%22")
                    .replace('@', "%40")
            );
            async move { wire("GET", &url, &[AUTH], None).await }
        };
        let found = list(r#"userName eq "ANN""#).await;
        assert_eq!(found.status, 200, "{}", found.text);
        assert_eq!(found.json["schemas"], json!([LIST_URN]));
        assert_eq!(found.json["totalResults"], 1);
        assert_eq!(found.json["Resources"][0]["id"], "s1");
        assert_eq!(
            found.json["Resources"][0]["emails"][0]["value"],
            "ann@example.com"
        );
        let inactive = list("active eq false").await;
        assert_eq!(inactive.json["Resources"][0]["userName"], "ann");
        let by_mail = list(r#"emails.value co "@example.com" or userName sw "b""#).await;
        assert_eq!(by_mail.json["totalResults"], 2);
        let bad = list("userName zz 1").await;
        assert_eq!(
            (bad.status, &bad.json["scimType"]),
            (400, &json!("invalidFilter"))
        );
        let page = wire(
            "GET",
            &format!("{}/Users?startIndex=2&count=1", sim.base_url()),
            &[AUTH],
            None,
        )
        .await;
        assert_eq!(page.json["Resources"][0]["id"], "s2");
        assert_eq!(page.json["totalResults"], 2);
    }

    #[tokio::test]
    async fn a_wrong_method_answers_in_the_error_envelope() {
        let sim = scim().await;
        let answer = wire(
            "POST",
            &format!("{}/Users/s1", sim.base_url()),
            &[AUTH],
            None,
        )
        .await;
        assert_eq!(answer.status, 405);
        assert_eq!(answer.header("content-type"), "application/scim+json");
        assert_eq!(
            answer.json["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
        );
        assert_eq!(answer.json["status"], "405");
        // Outside the endpoints: not the SCIM service's answer (a wrong root
        // must not read as an unknown user).
        let answer = wire("GET", &format!("{}/Groups", sim.base_url()), &[AUTH], None).await;
        assert_eq!(answer.status, 404);
        assert!(answer.json.is_null(), "{}", answer.text);
    }
}
