//! Firebase Authentication / Identity Platform (Identity Toolkit v1): Google's
//! own Authentication emulator reactivating through the async and the blocking
//! client; every documented response of `openapi/firebase.yaml` through both
//! clients with each request checked as the server saw it; tenants; Google
//! service-account credentials against the simulator's token endpoint (the
//! assertion verified with the key's public key) and against a token endpoint
//! that keeps the assertion for the test to verify.

mod spec_cases;

use std::time::Duration;

use serde_json::{json, Value};
use spec_cases::{Case, Spec};
use userbridge::mock::{Failure, Simulator, UserState};
use userbridge::{
    Client, ClientBuilder, Details, Error, ErrorKind, FirebaseUser, Provider, ReactivateRequest,
    Reactivated, RetryPolicy,
};
use userbridge_tests::firebase_emulator::{Emulator, OWNER};
use userbridge_tests::runtime;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const P: Provider = Provider::Firebase;
const TOKEN: &str = "firebase-test-token";
const PROJECT: &str = "acme-prod";
const USER: &str = "ZrmAqJ7XwLc3Vt5n9hFpK2sYd4E1";

fn spec() -> Spec {
    match Spec::load(P) {
        Ok(Ok(spec)) => spec,
        Ok(Err(why)) => panic!("openapi/firebase.yaml is not covered: {why:?}"),
        Err(e) => panic!("openapi/firebase.yaml: {e}"),
    }
}

fn firebase(done: &Reactivated) -> &FirebaseUser {
    match done.details() {
        Details::Firebase(u) => u,
        other => panic!("not Firebase's details: {other:?}"),
    }
}

// ------------------------------------------------------------ the emulator

/// One emulator for the whole scenario: success, already active, unknown
/// user, unknown project, through the async and the blocking client, the
/// emulator reset between them.
#[test]
fn the_firebase_emulator_reactivates_through_both_clients() {
    let rt = runtime();
    let emulator = Emulator::start("demo-userbridge").unwrap_or_else(|e| {
        panic!("the Firebase emulator is not available, so nothing was checked: {e}")
    });
    let project = emulator.project().to_string();
    let base = emulator.base_url();
    for blocking in [false, true] {
        let who = if blocking { "blocking" } else { "async" };
        rt.block_on(emulator.reset(&project)).unwrap();
        rt.block_on(emulator.create_user(&project, "uid-ada", "ada@example.com"))
            .unwrap();
        rt.block_on(emulator.set_disabled(&project, "uid-ada", true))
            .unwrap();
        assert_eq!(
            rt.block_on(emulator.disabled(&project, "uid-ada")).unwrap(),
            Some(true)
        );
        let run = |req: ReactivateRequest| -> Result<Reactivated, Error> {
            if blocking {
                let client = userbridge_blocking::Client::builder(P)
                    .base_url(&base)
                    .bearer_token(OWNER)
                    .organization(&project)
                    .retry_policy(RetryPolicy::none())
                    .build()?;
                client.users().reactivate(req)
            } else {
                let client = Client::builder(P)
                    .base_url(&base)
                    .bearer_token(OWNER)
                    .organization(&project)
                    .retry_policy(RetryPolicy::none())
                    .build()?;
                rt.block_on(client.users().reactivate(req))
            }
        };
        // A disabled account: enabled.
        let done = run(ReactivateRequest::new("uid-ada"))
            .unwrap_or_else(|e| panic!("({who}) {e}\n{}", emulator.output()));
        assert_eq!(firebase(&done).local_id, "uid-ada", "({who})");
        assert_eq!(firebase(&done).email.as_deref(), Some("ada@example.com"));
        assert_eq!(
            rt.block_on(emulator.disabled(&project, "uid-ada")).unwrap(),
            Some(false),
            "({who}) the emulator has it enabled"
        );
        // Already active.
        let err = run(ReactivateRequest::new("uid-ada")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotDeactivated, "({who}) {err}");
        let ok = run(ReactivateRequest::new("uid-ada").allow_already_active()).unwrap();
        assert!(ok.already_active(), "({who})");
        // An unknown uid: the lookup answers without `users`.
        let err = run(ReactivateRequest::new("uid-nobody")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "({who}) {err}");
        assert_eq!(err.status(), Some(200), "({who}) {err}");
        assert!(err.to_string().contains(&project), "({who}) {err}");
        // An unknown project: the emulator serves any project id (an empty
        // one; see the harness), so the account is not found there.
        let err = run(ReactivateRequest::new("uid-ada").organization("demo-unknown")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "({who}) {err}");
        assert!(err.to_string().contains("demo-unknown"), "({who}) {err}");
        // A token the emulator does not take.
        let client = Client::builder(P)
            .base_url(&base)
            .bearer_token("not-the-owner-token")
            .organization(&project)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let err = rt
            .block_on(client.users().reactivate("uid-ada"))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated, "({who}) {err}");
    }
    rt.block_on(emulator.reset(&project)).unwrap();
    assert_eq!(
        rt.block_on(emulator.disabled(&project, "uid-ada")).unwrap(),
        None
    );
}

// ------------------------------------------------------ documented responses

fn builder(base: &str) -> ClientBuilder {
    Client::builder(P)
        .base_url(base)
        .bearer_token(TOKEN)
        .organization(PROJECT)
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
}

async fn reactivate(
    blocking: bool,
    base: &str,
    req: ReactivateRequest,
) -> Result<Reactivated, Error> {
    if !blocking {
        return builder(base).build()?.users().reactivate(req).await;
    }
    let base = base.to_string();
    tokio::task::spawn_blocking(move || {
        userbridge_blocking::Client::builder(P)
            .base_url(base)
            .bearer_token(TOKEN)
            .organization(PROJECT)
            .timeout(Duration::from_secs(10))
            .retry_policy(RetryPolicy::none())
            .build()?
            .users()
            .reactivate(req)
    })
    .await
    .expect("the blocking task runs")
}

/// The request of operation `op` as Identity Toolkit must see it.
fn check_request(op: &str, r: &Request, tenant: Option<&str>) -> Result<(), String> {
    let header = |name: &str| r.headers.get(name).and_then(|v| v.to_str().ok());
    let (want_path, mut want_body) = match op {
        "lookupAccounts" => (
            format!("/v1/projects/{PROJECT}/accounts:lookup"),
            json!({"localId": [USER]}),
        ),
        "updateAccount" => (
            format!("/v1/projects/{PROJECT}/accounts:update"),
            json!({"localId": USER, "disableUser": false}),
        ),
        other => return Err(format!("unknown operation {other}")),
    };
    if let Some(tenant) = tenant {
        want_body["tenantId"] = json!(tenant);
    }
    let mut problems = Vec::new();
    if r.method.as_str() != "POST" {
        problems.push(format!("method {}", r.method));
    }
    if r.url.path() != want_path || r.url.query().is_some() {
        problems.push(format!("path {}, expected {want_path}", r.url));
    }
    if header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        problems.push(format!("authorization {:?}", header("authorization")));
    }
    if header("content-type") != Some("application/json") {
        problems.push(format!("content-type {:?}", header("content-type")));
    }
    let got: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    if got != want_body {
        problems.push(format!("body {got}, expected {want_body}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{op}: {}", problems.join("; ")))
    }
}

fn expected_order(case: &Case) -> Vec<&'static str> {
    if case.plan.contains_key("updateAccount") {
        vec!["lookupAccounts", "updateAccount"]
    } else {
        vec!["lookupAccounts"]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_response_through_both_clients_with_the_requests_checked() {
    let spec = spec();
    assert_eq!(spec.user_id, USER);
    assert_eq!(spec.organization.as_deref(), Some(PROJECT));
    let cases = spec.cases().unwrap_or_else(|e| panic!("{e}"));
    assert!(cases.len() >= 18, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        for blocking in [false, true] {
            let server = MockServer::start().await;
            spec.mount(&server, case).await.expect("mounts");
            let base = spec.base_url(&server.uri());
            let result = reactivate(blocking, &base, ReactivateRequest::new(USER)).await;
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
                if let Err(e) = check_request(op, r, None) {
                    failures.push(format!("({client}) {}: {e}", case.name()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn google_error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {
        "code": status, "message": message,
        "errors": [{"message": message, "domain": "global", "reason": "invalid"}],
    }}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_travels_in_both_bodies_and_codes_map_exactly() {
    let server = MockServer::start().await;
    let lookup = format!("/v1/projects/{PROJECT}/accounts:lookup");
    let update = format!("/v1/projects/{PROJECT}/accounts:update");
    Mock::given(wiremock::matchers::path(lookup.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "identitytoolkit#GetAccountInfoResponse",
            "users": [{"localId": USER, "disabled": true}],
        })))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path(update.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"localId": USER})))
        .mount(&server)
        .await;
    let base = format!("{}/v1", server.uri());
    let client = builder(&base).tenant("tenant-eu-7x3k").build().unwrap();
    let done = client.users().reactivate(USER).await.unwrap();
    assert_eq!(firebase(&done).local_id, USER);
    let seen = server.received_requests().await.unwrap();
    assert_eq!(seen.len(), 2);
    check_request("lookupAccounts", &seen[0], Some("tenant-eu-7x3k")).unwrap();
    check_request("updateAccount", &seen[1], Some("tenant-eu-7x3k")).unwrap();

    // The code is the message's first word, whatever follows it.
    for (status, message, kind, code) in [
        (400, "USER_NOT_FOUND", ErrorKind::NotFound, "USER_NOT_FOUND"),
        (
            400,
            "PROJECT_NOT_FOUND",
            ErrorKind::Misconfigured,
            "PROJECT_NOT_FOUND",
        ),
        (
            400,
            "TENANT_NOT_FOUND",
            ErrorKind::Misconfigured,
            "TENANT_NOT_FOUND",
        ),
        (
            400,
            "TOO_MANY_ATTEMPTS_TRY_LATER : Too many requests",
            ErrorKind::RateLimited,
            "TOO_MANY_ATTEMPTS_TRY_LATER",
        ),
        (
            400,
            "INVALID_ID_TOKEN",
            ErrorKind::Unauthenticated,
            "INVALID_ID_TOKEN",
        ),
        (
            400,
            "CREDENTIAL_MISMATCH",
            ErrorKind::Unauthenticated,
            "CREDENTIAL_MISMATCH",
        ),
        (
            403,
            "PERMISSION_DENIED",
            ErrorKind::PermissionDenied,
            "PERMISSION_DENIED",
        ),
        (
            400,
            "INVALID_LOCAL_ID : bad uid",
            ErrorKind::InvalidArgument,
            "INVALID_LOCAL_ID",
        ),
        (500, "INTERNAL_ERROR", ErrorKind::Server, "INTERNAL_ERROR"),
    ] {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::path(lookup.as_str()))
            .respond_with(google_error(status, message))
            .mount(&server)
            .await;
        let base = format!("{}/v1", server.uri());
        let err = builder(&base)
            .tenant("tenant-eu-7x3k")
            .build()
            .unwrap()
            .users()
            .reactivate(USER)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{message}: {err}");
        assert_eq!(
            err.api_error().and_then(|a| a.code.as_deref()),
            Some(code),
            "{err}"
        );
        if kind == ErrorKind::Misconfigured {
            let setting = if code == "TENANT_NOT_FOUND" {
                ".tenant(..)"
            } else {
                ".organization(..)"
            };
            assert!(err.to_string().contains(setting), "{err}");
        }
    }
}

#[test]
fn the_project_is_required_and_the_default_base_url_is_googles() {
    let client = Client::builder(P).bearer_token(TOKEN).build().unwrap();
    assert_eq!(
        client.base_url(),
        "https://identitytoolkit.googleapis.com/v1"
    );
    let err = runtime()
        .block_on(client.users().reactivate(USER))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
    assert!(err.to_string().contains("project id"), "{err}");
    let err = Client::builder(P)
        .base_url("https://identitytoolkit.googleapis.com/v1/projects/acme/accounts:lookup")
        .bearer_token(TOKEN)
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("https://identitytoolkit.googleapis.com/v1`"),
        "{err}"
    );
}

// -------------------------------------------------------------- the simulator

#[tokio::test]
async fn simulator_reads_then_enables_and_knows_projects() {
    let sim = Simulator::start(P).await;
    sim.add_user("uid-1", sim.organization(), UserState::Deactivated);
    let client = Client::builder(P)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .organization(sim.organization())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    client.users().reactivate("uid-1").await.unwrap();
    assert_eq!(sim.user_state("uid-1"), Some(UserState::Active));
    let err = client.users().reactivate("uid-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotDeactivated, "{err}");
    let err = client
        .users()
        .reactivate(ReactivateRequest::new("uid-1").organization("nobody-knows"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misconfigured, "{err}");
    assert!(err.to_string().contains("nobody-knows"), "{err}");
    // A failure aimed at a user reaches the requests naming it in the body.
    sim.add_user("uid-2", sim.organization(), UserState::Deactivated);
    sim.fail_user("uid-2", 1, Failure::ServiceUnavailable);
    let err = client.users().reactivate("uid-2").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    client.users().reactivate("uid-2").await.unwrap();
}

// ------------------------------------------------------- service accounts

fn key_file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("keys")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn service_account(email: &str, private_key: &str, token_uri: &str) -> String {
    json!({
        "type": "service_account",
        "project_id": "demo-userbridge",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": private_key,
        "client_email": email,
        "client_id": "104857391048573910485",
        "token_uri": token_uri,
    })
    .to_string()
}

const SA: &str = "userbridge@demo-userbridge.iam.gserviceaccount.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_account_gets_its_token_from_the_simulator_once() {
    let sim = Simulator::start(P).await;
    sim.add_jwt_client(
        SA,
        &key_file("test-rsa-public.pem"),
        Some("0123456789abcdef0123456789abcdef01234567"),
    );
    for uid in ["uid-a", "uid-b", "uid-c"] {
        sim.add_user(uid, sim.organization(), UserState::Deactivated);
    }
    let token_url = sim.token_url().expect("a token endpoint");
    let key = service_account(SA, &key_file("test-rsa-pkcs8.pem"), &token_url);
    let client = Client::builder(P)
        .base_url(sim.base_url())
        .organization(sim.organization())
        .google_service_account(&key)
        .build()
        .unwrap();
    assert!(!format!("{client:?}").contains("PRIVATE KEY"));
    for uid in ["uid-a", "uid-b", "uid-c"] {
        client.users().reactivate(uid).await.unwrap();
    }
    assert_eq!(sim.token_requests(), 1, "one token for the three calls");
    let token_request = sim
        .requests()
        .into_iter()
        .find(|r| r.path == "/token")
        .expect("the token request");
    let form = String::from_utf8_lossy(&token_request.body).to_string();
    assert!(
        form.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"),
        "{form}"
    );
    assert!(
        form.contains("assertion=<redacted>"),
        "the record keeps no assertion: {form}"
    );

    // Another key: the simulator refuses the signature; nothing reaches the API.
    sim.add_user("uid-d", sim.organization(), UserState::Deactivated);
    let wrong = service_account(SA, &key_file("other-rsa-pkcs8.pem"), &token_url);
    let client = Client::builder(P)
        .base_url(sim.base_url())
        .organization(sim.organization())
        .google_service_account(&wrong)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.users().reactivate("uid-d").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err}");
    assert!(
        err.to_string()
            .contains("invalid_grant: Invalid JWT Signature."),
        "{err}"
    );
    assert_eq!(sim.user_state("uid-d"), Some(UserState::Deactivated));
}

/// A token endpoint that keeps what it was sent: the assertion is checked
/// here, with the key's public key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_assertion_is_what_google_asks_for() {
    let tokens = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "ya29.c.simulated-access-token-0123456789",
            "expires_in": 3599,
            "token_type": "Bearer",
        })))
        .mount(&tokens)
        .await;
    let api = MockServer::start().await;
    Mock::given(wiremock::matchers::path(format!(
        "/v1/projects/{PROJECT}/accounts:lookup"
    )))
    .respond_with(
        ResponseTemplate::new(200)
            .set_body_json(json!({"kind": "identitytoolkit#GetAccountInfoResponse"})),
    )
    .mount(&api)
    .await;
    let token_uri = format!("{}/token", tokens.uri());
    let key = service_account(SA, &key_file("test-rsa-pkcs8.pem"), &token_uri);
    let client = Client::builder(P)
        .base_url(format!("{}/v1", api.uri()))
        .organization(PROJECT)
        .google_service_account(key)
        .build()
        .unwrap();
    let err = client.users().reactivate(USER).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let seen = api.received_requests().await.unwrap();
    assert_eq!(
        seen[0]
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer ya29.c.simulated-access-token-0123456789")
    );
    let sent = tokens.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1);
    let form: Vec<(String, String)> = form_urlencoded::parse(&sent[0].body).into_owned().collect();
    let names: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        ["grant_type", "assertion"],
        "only the grant: {form:?}"
    );
    assert_eq!(form[0].1, "urn:ietf:params:oauth:grant-type:jwt-bearer");
    let public =
        jsonwebtoken::DecodingKey::from_rsa_pem(key_file("test-rsa-public.pem").as_bytes())
            .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[token_uri.as_str()]);
    validation.set_issuer(&[SA]);
    let jwt = jsonwebtoken::decode::<Value>(&form[1].1, &public, &validation)
        .unwrap_or_else(|e| panic!("the assertion does not verify: {e}"));
    assert_eq!(
        jwt.header.kid.as_deref(),
        Some("0123456789abcdef0123456789abcdef01234567")
    );
    let claims = jwt.claims;
    assert_eq!(
        claims["scope"],
        "https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/firebase"
    );
    assert!(claims.get("sub").is_none(), "no subject set: {claims}");
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert!(exp > iat && exp - iat <= 3600, "{claims}");
}

#[test]
fn a_malformed_key_is_refused_at_build_naming_the_field_never_the_key() {
    let pem = key_file("test-rsa-pkcs8.pem");
    let secret_line = pem.lines().nth(1).unwrap().to_string();
    let good = service_account(SA, &pem, "https://oauth2.googleapis.com/token");
    let mut no_email: Value = serde_json::from_str(&good).unwrap();
    no_email.as_object_mut().unwrap().remove("client_email");
    let mut bad_key: Value = serde_json::from_str(&good).unwrap();
    bad_key["private_key"] = json!(format!(
        "-----BEGIN PRIVATE KEY-----\n{secret_line}\n-----END PRIVATE KEY-----"
    ));
    let mut not_sa: Value = serde_json::from_str(&good).unwrap();
    not_sa["type"] = json!("authorized_user");
    for (key, says) in [
        (good.replace('{', "").to_string(), "not JSON"),
        (no_email.to_string(), "no `client_email` field"),
        (bad_key.to_string(), "`private_key`"),
        (not_sa.to_string(), "not `service_account`"),
        ("/etc/keys/sa.json".to_string(), "not JSON"),
    ] {
        for blocking in [false, true] {
            let err = if blocking {
                userbridge_blocking::Client::builder(P)
                    .organization(PROJECT)
                    .google_service_account(key.clone())
                    .build()
                    .unwrap_err()
            } else {
                Client::builder(P)
                    .organization(PROJECT)
                    .google_service_account(key.clone())
                    .build()
                    .unwrap_err()
            };
            assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
            let text = format!("{err} {err:?} {}", serde_json::to_string(&err).unwrap());
            assert!(text.contains(says), "{says}: {text}");
            assert!(!text.contains(&secret_line), "the key leaked: {text}");
        }
    }
    // A subject without a service account is refused too.
    let err = Client::builder(P)
        .bearer_token(TOKEN)
        .subject("admin@example.com")
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains(".google_service_account(..)"),
        "{err}"
    );
    // And a client secret: Google's endpoint takes none.
    let err = Client::builder(P)
        .client_credentials("id", "secret-secret")
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains(".google_service_account(..)"),
        "{err}"
    );
}
