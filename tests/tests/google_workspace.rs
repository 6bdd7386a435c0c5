//! Google Workspace (Admin SDK Directory API v1): every documented response of
//! `openapi/google-workspace.yaml` through the async and the blocking client,
//! with each request checked as the server saw it; user keys as one encoded
//! segment; the 403 quota reasons as `RateLimited`, retried with backoff and
//! bounded; a user Google suspended never reported as reactivated; service
//! accounts with domain-wide delegation against the simulator's token endpoint
//! and against a token endpoint that keeps the assertion for the test to verify.

mod spec_cases;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use spec_cases::{Case, Spec};
use userbridge::mock::{Answer, Simulator, UserState};
use userbridge::{
    Client, ClientBuilder, Details, Error, ErrorKind, Provider, ReactivateRequest, Reactivated,
    RetryPolicy, WorkspaceUser,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const P: Provider = Provider::GoogleWorkspace;
const TOKEN: &str = "workspace-test-token";
const USER: &str = "liz@example.com";
const FIELDS: &str = "id,primaryEmail,suspended,suspensionReason";

fn spec() -> Spec {
    match Spec::load(P) {
        Ok(Ok(spec)) => spec,
        Ok(Err(why)) => panic!("openapi/google-workspace.yaml is not covered: {why:?}"),
        Err(e) => panic!("openapi/google-workspace.yaml: {e}"),
    }
}

fn builder(base: &str) -> ClientBuilder {
    Client::builder(P)
        .base_url(base)
        .bearer_token(TOKEN)
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
}

fn workspace(done: &Reactivated) -> &WorkspaceUser {
    match done.details() {
        Details::GoogleWorkspace(u) => u,
        other => panic!("not Google Workspace's details: {other:?}"),
    }
}

async fn reactivate(
    blocking: bool,
    base: &str,
    req: ReactivateRequest,
    retry: RetryPolicy,
) -> Result<Reactivated, Error> {
    if !blocking {
        return builder(base)
            .retry_policy(retry)
            .build()?
            .users()
            .reactivate(req)
            .await;
    }
    let base = base.to_string();
    tokio::task::spawn_blocking(move || {
        userbridge_blocking::Client::builder(P)
            .base_url(base)
            .bearer_token(TOKEN)
            .timeout(Duration::from_secs(10))
            .retry_policy(retry)
            .build()?
            .users()
            .reactivate(req)
    })
    .await
    .expect("the blocking task runs")
}

/// The request of operation `op` as the Directory API must see it, for a raw
/// (encoded) user key segment.
fn check_request(op: &str, r: &Request, user: &str) -> Result<(), String> {
    let header = |name: &str| r.headers.get(name).and_then(|v| v.to_str().ok());
    let want_path = format!("/admin/directory/v1/users/{user}");
    let (want_method, want_query, want_body) = match op {
        "getUser" => (
            "GET",
            vec![("fields".to_string(), FIELDS.to_string())],
            None,
        ),
        "updateUser" => ("PATCH", vec![], Some(json!({"suspended": false}))),
        other => return Err(format!("unknown operation {other}")),
    };
    let mut problems = Vec::new();
    if r.method.as_str() != want_method {
        problems.push(format!("method {}, expected {want_method}", r.method));
    }
    if r.url.path() != want_path {
        problems.push(format!("path {}, expected {want_path}", r.url.path()));
    }
    let query: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
    if query != want_query {
        problems.push(format!("query {query:?}, expected {want_query:?}"));
    }
    if header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        problems.push(format!("authorization {:?}", header("authorization")));
    }
    match want_body {
        Some(body) => {
            if header("content-type") != Some("application/json") {
                problems.push(format!("content-type {:?}", header("content-type")));
            }
            let got: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            if got != body {
                problems.push(format!("body {got}, expected {body}"));
            }
        }
        None if !r.body.is_empty() => problems.push("a body".into()),
        None => {}
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{op}: {} {}: {}",
            r.method,
            r.url,
            problems.join("; ")
        ))
    }
}

fn expected_order(case: &Case) -> Vec<&'static str> {
    if case.plan.contains_key("updateUser") {
        vec!["getUser", "updateUser"]
    } else {
        vec!["getUser"]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_response_through_both_clients_with_the_requests_checked() {
    let spec = spec();
    assert_eq!(spec.user_id, USER);
    let cases = spec.cases().unwrap_or_else(|e| panic!("{e}"));
    assert!(cases.len() >= 20, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        for blocking in [false, true] {
            let server = MockServer::start().await;
            spec.mount(&server, case).await.expect("mounts");
            let base = spec.base_url(&server.uri());
            let result = reactivate(
                blocking,
                &base,
                ReactivateRequest::new(USER),
                RetryPolicy::none(),
            )
            .await;
            let client = if blocking { "blocking" } else { "async" };
            if let Err(e) = spec_cases::check(case, &result) {
                failures.push(format!("({client}) {e}"));
            }
            let seen = server.received_requests().await.unwrap_or_default();
            let order = expected_order(case);
            if seen.len() != order.len() {
                failures.push(format!(
                    "({client}) {}: {} calls, expected {order:?}",
                    case.name(),
                    seen.len()
                ));
            }
            for (op, r) in order.iter().zip(&seen) {
                if let Err(e) = check_request(op, r, USER) {
                    failures.push(format!("({client}) {}: {e}", case.name()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn google_error(status: u16, reason: &str, message: &str) -> Value {
    json!({"error": {"code": status, "message": message,
        "errors": [{"message": message, "domain": "usageLimits", "reason": reason}]}})
}

fn suspended_user() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "104857391048573910485", "primaryEmail": USER,
        "suspended": true, "suspensionReason": "ADMIN",
    }))
}

/// The three quota reasons Google sends with 403 are rate limits: retried
/// with the policy's exponential backoff like a 429, as many times as it
/// allows and no more; a 403 `forbidden` is not retried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_quota_reason_is_rate_limited_and_retried_with_bounded_backoff() {
    for reason in [
        "userRateLimitExceeded",
        "rateLimitExceeded",
        "quotaExceeded",
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(403).set_body_json(google_error(
                403,
                reason,
                "Rate Limit Exceeded",
            )))
            .mount(&server)
            .await;
        let base = format!("{}/admin/directory/v1", server.uri());
        let retry = RetryPolicy::default()
            .max_attempts(3)
            .initial_backoff(Duration::from_millis(40))
            .max_backoff(Duration::from_millis(400))
            .jitter(false);
        let started = Instant::now();
        let err = builder(&base)
            .retry_policy(retry)
            .build()
            .unwrap()
            .users()
            .reactivate(USER)
            .await
            .unwrap_err();
        let took = started.elapsed();
        assert_eq!(err.kind(), ErrorKind::RateLimited, "{reason}: {err}");
        assert_eq!(err.status(), Some(403));
        assert_eq!(
            err.api_error().and_then(|a| a.code.as_deref()),
            Some(reason)
        );
        assert!(err.is_retryable());
        assert_eq!(err.attempts(), 3, "{reason}: bounded by the policy");
        let seen = server.received_requests().await.unwrap();
        assert_eq!(seen.len(), 3, "{reason}: no retry storm");
        // Backoff between the attempts: 40 ms, then 80 ms.
        assert!(took >= Duration::from_millis(120), "{reason}: {took:?}");
    }
    // Two quota answers, then the user: reactivated on the third attempt.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(google_error(
            403,
            "userRateLimitExceeded",
            "User Rate Limit Exceeded",
        )))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(suspended_user())
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "104857391048573910485", "primaryEmail": USER, "suspended": false}),
        ))
        .mount(&server)
        .await;
    let base = format!("{}/admin/directory/v1", server.uri());
    let retry = RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .jitter(false);
    let done = builder(&base)
        .retry_policy(retry)
        .build()
        .unwrap()
        .users()
        .reactivate(USER)
        .await
        .unwrap();
    assert_eq!(done.attempts(), 3);
    assert_eq!(workspace(&done).id, "104857391048573910485");
    // `forbidden` is a permission, answered at once.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(google_error(
            403,
            "forbidden",
            "Not Authorized to access this resource/api",
        )))
        .mount(&server)
        .await;
    let base = format!("{}/admin/directory/v1", server.uri());
    let err = builder(&base)
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap()
        .users()
        .reactivate(USER)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_keys_travel_as_one_encoded_segment() {
    for (key, raw) in [
        ("liz@example.com", "liz@example.com"),
        ("104857391048573910485", "104857391048573910485"),
        ("o'brien+ops@example.com", "o'brien%2Bops@example.com"),
        ("a/b?c#d@example.com", "a%2Fb%3Fc%23d@example.com"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(suspended_user())
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"suspended": false})))
            .mount(&server)
            .await;
        let base = format!("{}/admin/directory/v1", server.uri());
        builder(&base)
            .build()
            .unwrap()
            .users()
            .reactivate(key)
            .await
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        let seen = server.received_requests().await.unwrap();
        assert_eq!(seen.len(), 2, "{key}");
        check_request("getUser", &seen[0], raw).unwrap();
        check_request("updateUser", &seen[1], raw).unwrap();
    }
}

#[tokio::test]
async fn a_read_that_does_not_say_whether_the_user_is_suspended_is_never_a_success() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "1", "primaryEmail": USER})),
        )
        .mount(&server)
        .await;
    let base = format!("{}/admin/directory/v1", server.uri());
    let err = builder(&base)
        .build()
        .unwrap()
        .users()
        .reactivate(USER)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err}");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "no write"
    );
}

#[test]
fn the_directory_api_is_the_default_base_url() {
    let client = Client::builder(P).bearer_token(TOKEN).build().unwrap();
    assert_eq!(
        client.base_url(),
        "https://admin.googleapis.com/admin/directory/v1"
    );
    let err = Client::builder(P)
        .base_url("https://admin.googleapis.com")
        .bearer_token(TOKEN)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("/admin/directory/v1"), "{err}");
}

// -------------------------------------------------------------- the simulator

fn sim_client(sim: &Simulator) -> Client {
    Client::builder(P)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A user Google suspended (abuse, under 13, web login required) stays
/// suspended and is never reported as reactivated, not even with
/// `allow_already_active` or in a bulk run; no write is sent.
#[tokio::test]
async fn a_user_google_suspended_is_never_reported_as_reactivated() {
    let sim = Simulator::start(P).await;
    for reason in ["ABUSE", "UNDER13", "WEB_LOGIN_REQUIRED"] {
        let key = format!("{}@example.com", reason.to_lowercase());
        sim.add_user_with_status(&key, sim.organization(), reason)
            .unwrap();
        let client = sim_client(&sim);
        for req in [
            ReactivateRequest::new(&key),
            ReactivateRequest::new(&key).allow_already_active(),
        ] {
            let err = client.users().reactivate(req).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{reason}: {err}");
            assert_eq!(
                err.api_error().and_then(|a| a.code.as_deref()),
                Some(reason)
            );
            assert!(err.to_string().contains("suspended by Google"), "{err}");
            assert!(!err.is_retryable());
        }
        let report = client
            .users()
            .reactivate_many([ReactivateRequest::new(&key).allow_already_active()])
            .run()
            .await;
        assert_eq!((report.succeeded(), report.failed()), (0, 1), "{reason}");
        assert_eq!(
            sim.user_state(&key),
            Some(UserState::Deactivated),
            "{reason}"
        );
        assert_eq!(sim.user_status(&key).as_deref(), Some(reason));
    }
    assert!(
        sim.requests().iter().all(|r| r.method == "GET"),
        "no write was sent"
    );
}

#[tokio::test]
async fn simulator_restores_an_administrators_suspension() {
    let sim = Simulator::start(P).await;
    sim.add_user("liz", sim.organization(), UserState::Deactivated);
    let client = sim_client(&sim);
    let done = client.users().reactivate("liz@example.com").await.unwrap();
    assert_eq!(
        workspace(&done).primary_email.as_deref(),
        Some("liz@example.com")
    );
    assert_eq!(sim.user_state("liz"), Some(UserState::Active));
    let err = client.users().reactivate("liz").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotDeactivated, "{err}");
    let err = client
        .users()
        .reactivate("nobody@example.com")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert_eq!(
        err.api_error().and_then(|a| a.code.as_deref()),
        Some("notFound")
    );
    // A quota answer from the simulator, as Google sends it (403).
    sim.add_user("amy", sim.organization(), UserState::Deactivated);
    sim.respond_next(
        1,
        Answer::new(403).json(&google_error(
            403,
            "userRateLimitExceeded",
            "User Rate Limit Exceeded",
        )),
    );
    let err = client.users().reactivate("amy").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    client.users().reactivate("amy").await.unwrap();
}

// ------------------------------------------------------- service accounts

fn key_file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("keys")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const SA: &str = "directory-sync@acme-admin.iam.gserviceaccount.com";
const KID: &str = "fedcba9876543210fedcba9876543210fedcba98";

fn service_account(private_key: &str, token_uri: &str) -> String {
    json!({
        "type": "service_account",
        "project_id": "acme-admin",
        "private_key_id": KID,
        "private_key": private_key,
        "client_email": SA,
        "client_id": "113355779911224466880",
        "token_uri": token_uri,
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domain_wide_delegation_against_the_simulators_token_endpoint() {
    let sim = Simulator::start(P).await;
    sim.add_jwt_client(SA, &key_file("test-rsa-public.pem"), Some(KID));
    sim.add_user("liz", sim.organization(), UserState::Deactivated);
    sim.add_user("bob", sim.organization(), UserState::Deactivated);
    let key = service_account(&key_file("test-rsa-pkcs8.pem"), &sim.token_url().unwrap());
    // With a subject: acts as the administrator.
    let client = Client::builder(P)
        .base_url(sim.base_url())
        .google_service_account(&key)
        .subject("admin@example.com")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(format!("{client:?}").contains("admin@example.com"));
    assert!(!format!("{client:?}").contains("BEGIN"));
    client.users().reactivate("liz").await.unwrap();
    assert_eq!(sim.token_requests(), 1);
    // Without one, the service account's own token may read, not update.
    let client = Client::builder(P)
        .base_url(sim.base_url())
        .google_service_account(&key)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.users().reactivate("bob").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    assert_eq!(sim.user_state("bob"), Some(UserState::Deactivated));
    // Scopes the Directory API does not take: refused by the endpoint.
    let client = Client::builder(P)
        .base_url(sim.base_url())
        .google_service_account(&key)
        .subject("admin@example.com")
        .scopes(["https://www.googleapis.com/auth/drive"])
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.users().reactivate("bob").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err}");
    assert!(err.to_string().contains("invalid_scope"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_assertion_carries_the_subject_and_the_directory_scope() {
    let tokens = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "ya29.c.workspace-simulated-token-0123456789", "expires_in": 3599, "token_type": "Bearer",
        })))
        .mount(&tokens)
        .await;
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(suspended_user())
        .mount(&api)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"suspended": false})))
        .mount(&api)
        .await;
    let token_uri = format!("{}/token", tokens.uri());
    let client = Client::builder(P)
        .base_url(format!("{}/admin/directory/v1", api.uri()))
        .google_service_account(service_account(&key_file("test-rsa-pkcs1.pem"), &token_uri))
        .subject("admin@example.com")
        .build()
        .unwrap();
    client.users().reactivate(USER).await.unwrap();
    let sent = tokens.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1);
    let form: Vec<(String, String)> = form_urlencoded::parse(&sent[0].body).into_owned().collect();
    assert_eq!(
        form[0],
        (
            "grant_type".to_string(),
            "urn:ietf:params:oauth:grant-type:jwt-bearer".to_string()
        )
    );
    assert_eq!(form[1].0, "assertion");
    let public =
        jsonwebtoken::DecodingKey::from_rsa_pem(key_file("test-rsa-public.pem").as_bytes())
            .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[token_uri.as_str()]);
    validation.set_issuer(&[SA]);
    let jwt = jsonwebtoken::decode::<Value>(&form[1].1, &public, &validation)
        .unwrap_or_else(|e| panic!("the assertion does not verify: {e}"));
    assert_eq!(jwt.header.kid.as_deref(), Some(KID));
    assert_eq!(jwt.claims["sub"], "admin@example.com");
    assert_eq!(
        jwt.claims["scope"],
        "https://www.googleapis.com/auth/admin.directory.user"
    );
    let (iat, exp) = (
        jwt.claims["iat"].as_u64().unwrap(),
        jwt.claims["exp"].as_u64().unwrap(),
    );
    assert!(exp > iat && exp - iat <= 3600);
    // The access token reached the API.
    for r in api.received_requests().await.unwrap() {
        assert_eq!(
            r.headers.get("authorization").and_then(|v| v.to_str().ok()),
            Some("Bearer ya29.c.workspace-simulated-token-0123456789")
        );
    }
}
