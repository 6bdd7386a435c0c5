//! OAuth 2.0 client credentials against a real OAuth 2.0 server nobody here
//! wrote: oauth2-mock-server 8.2.3 (axa-group, from npm), installed pinned
//! under `<target dir>/tools/` and run on 127.0.0.1 for each test
//! ([`userbridge_tests::tools::oauth_server`]). A wiremock server stands in for
//! Keycloak's admin API; the client is
//! `Client::builder(Provider::Keycloak).client_credentials(..).token_url(..)`.
//!
//! - the token the API receives is a JWT that verifies (RS256) against the
//!   server's `/jwks`, issued by it (`iss`) for an hour, from one form POST
//!   with `grant_type=client_credentials` (the server's access log);
//! - two clones of a client and a bulk run of 5 users, all at once, make one
//!   token request in all and send the same token on every API call;
//! - a token URL that is not the server's token endpoint is
//!   `ErrorKind::Misconfigured` naming the URL, and nothing reaches the API.
//!
//! Without Node.js 20.19+ and npm, or without the npm registry on the first
//! run, the tests fail and say why: they never pass without having run.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};
use userbridge::{Client, Details, ErrorKind, Provider, Reactivated, RetryPolicy};
use userbridge_tests::tools::oauth_server::{Logged, OAuthServer, HOW_TO_RUN};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const REALM: &str = "acme";
const CLIENT_ID: &str = "userbridge-ci";
const CLIENT_SECRET: &str = "any-secret";

/// The OAuth 2.0 server, started (installed first if needed), or a failure
/// that says how to get it.
fn oauth_server() -> OAuthServer {
    tokio::task::block_in_place(OAuthServer::start)
        .unwrap_or_else(|e| panic!("{HOW_TO_RUN}.\nThe server could not be had: {e}"))
}

/// Keycloak's admin API for realm `acme`: every user is disabled
/// (`GET .../users/{id}`: `{"id", "enabled": false, "username"}`), enabling
/// one succeeds (`PUT`: 204).
async fn keycloak_api() -> MockServer {
    let api = MockServer::start().await;
    let user = format!("^/admin/realms/{REALM}/users/[^/]+$");
    Mock::given(method("GET"))
        .and(path_regex(user.as_str()))
        .respond_with(|r: &Request| {
            let id = r.url.path().rsplit('/').next().unwrap_or_default();
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": id, "enabled": false, "username": "jane"}))
        })
        .mount(&api)
        .await;
    Mock::given(method("PUT"))
        .and(path_regex(user.as_str()))
        .respond_with(ResponseTemplate::new(204))
        .mount(&api)
        .await;
    api
}

/// The client under test: Keycloak at `api`, its tokens from `token_url`.
fn client(api: &MockServer, token_url: &str, retry: RetryPolicy) -> Client {
    Client::builder(Provider::Keycloak)
        .base_url(api.uri())
        .realm(REALM)
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .token_url(token_url)
        .timeout(Duration::from_secs(10))
        .retry_policy(retry)
        .build()
        .expect("the client builds")
}

fn re_enabled(done: &Reactivated) -> bool {
    match done.details() {
        Details::Keycloak(k) => k.re_enabled,
        other => panic!("not Keycloak's details: {other:?}"),
    }
}

/// The bearer token of each request the API received.
async fn bearer_tokens(api: &MockServer) -> Vec<String> {
    api.received_requests()
        .await
        .expect("recording is on")
        .iter()
        .map(|r| {
            let auth = r
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("{} {} without authorization", r.method, r.url));
            auth.strip_prefix("Bearer ")
                .unwrap_or_else(|| panic!("{} {}: not a bearer token", r.method, r.url))
                .to_string()
        })
        .collect()
}

async fn get_json(url: &str) -> Value {
    reqwest::get(url)
        .await
        .and_then(|r| r.error_for_status())
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"))
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// `token` verified as the server's: signed RS256 by a key it publishes at
/// `/jwks` (the token's `kid`), `iss` = its issuer, not expired, valid now;
/// its claims.
async fn verify(server: &OAuthServer, token: &str) -> Value {
    let jwks: JwkSet = serde_json::from_value(get_json(&format!("{}/jwks", server.url())).await)
        .expect("/jwks is a JWK set");
    let header = decode_header(token).expect("the token is a JWT");
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("the token names its key");
    let jwk = jwks
        .find(&kid)
        .unwrap_or_else(|| panic!("key {kid} is not published at /jwks"));
    let key = DecodingKey::from_jwk(jwk).expect("the published key is usable");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[server.issuer()]);
    validation.set_required_spec_claims(&["exp", "iss", "nbf"]);
    validation.validate_nbf = true;
    let claims = decode::<Value>(token, &key, &validation)
        .unwrap_or_else(|e| panic!("the token does not verify against /jwks: {e}"))
        .claims;

    // The check is real: the same token with one signature character changed
    // does not verify.
    let (signed, signature) = token.rsplit_once('.').expect("three parts");
    let mut forged: Vec<char> = signature.chars().collect();
    let mid = forged.len() / 2;
    forged[mid] = if forged[mid] == 'A' { 'B' } else { 'A' };
    let forged = format!("{signed}.{}", forged.into_iter().collect::<String>());
    let refused = decode::<Value>(&forged, &key, &validation).expect_err("a forged signature");
    assert_eq!(
        refused.kind(),
        &jsonwebtoken::errors::ErrorKind::InvalidSignature
    );
    claims
}

/// The server's requests, once the `/jwks` request that [`verify`] made (the
/// last one) is in its log.
fn requests_through_jwks(server: &OAuthServer) -> Vec<Logged> {
    tokio::task::block_in_place(|| server.requests_until(|r| r.path == "/jwks"))
}

fn describe(requests: &[Logged]) -> String {
    requests
        .iter()
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect::<Vec<_>>()
        .join(", ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_from_the_real_server_reactivates_a_user_and_verifies_against_its_jwks() {
    let server = oauth_server();
    let api = keycloak_api().await;
    let token_url = format!("{}/token", server.url());
    let user = "3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a6b";

    let done = client(&api, &token_url, RetryPolicy::none())
        .users()
        .reactivate(user)
        .await
        .unwrap_or_else(|e| panic!("reactivating with a token of {token_url}: {e}"));
    assert_eq!(done.user_id(), user);
    assert!(re_enabled(&done), "{done:?}");

    // The API: the read and the update, each with the server's token.
    let calls: Vec<String> = api
        .received_requests()
        .await
        .expect("recording is on")
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    let at = format!("/admin/realms/{REALM}/users/{user}");
    assert_eq!(calls, [format!("GET {at}"), format!("PUT {at}")]);
    let tokens = bearer_tokens(&api).await;
    assert_eq!(tokens[0], tokens[1], "one token for both calls");

    // The token is the server's: its key, its issuer, an hour's lifetime.
    let claims = verify(&server, &tokens[0]).await;
    let issuer = format!("http://localhost:{}", server.port());
    assert_eq!(server.issuer(), issuer);
    assert_eq!(claims["iss"], json!(issuer), "{claims}");
    let (iat, exp) = (
        claims["iat"].as_i64().expect("iat"),
        claims["exp"].as_i64().expect("exp"),
    );
    assert_eq!(exp - iat, 3600, "{claims}");
    let ahead = exp - now();
    assert!(
        (3600 - 120..=3600 + 5).contains(&ahead),
        "exp is {ahead} s ahead, not about an hour: {claims}"
    );
    // What the server publishes about itself agrees.
    let discovery = get_json(&format!(
        "{}/.well-known/openid-configuration",
        server.url()
    ))
    .await;
    assert_eq!(discovery["issuer"], json!(issuer));
    assert_eq!(
        discovery["token_endpoint"],
        json!(format!("{issuer}/token"))
    );
    assert!(discovery["grant_types_supported"]
        .as_array()
        .is_some_and(|g| g.contains(&json!("client_credentials"))));

    // The server's access log: one token request, a form POST of the client
    // credentials grant with the id and the secret in the form (Keycloak's
    // client_secret_post), answered 200.
    let seen = requests_through_jwks(&server);
    let posts: Vec<&Logged> = seen.iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 1, "token requests: {}", describe(&seen));
    let token_request = posts[0];
    assert_eq!(token_request.path, "/token");
    assert_eq!(token_request.status, 200);
    assert!(
        token_request
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")),
        "{token_request:?}"
    );
    assert_eq!(token_request.authorization, None, "{token_request:?}");
    assert_eq!(
        token_request.field("grant_type"),
        Some("client_credentials")
    );
    assert_eq!(token_request.field("client_id"), Some(CLIENT_ID));
    assert_eq!(token_request.field("client_secret"), Some(CLIENT_SECRET));
    assert_eq!(token_request.field("scope"), None, "{token_request:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clones_and_a_bulk_run_of_five_make_one_token_request_in_all() {
    let server = oauth_server();
    let api = keycloak_api().await;
    let client = client(
        &api,
        &format!("{}/token", server.url()),
        RetryPolicy::none(),
    );
    let (a, b) = (client.clone(), client.clone());
    let bulk: Vec<String> = (1..=5).map(|i| format!("bulk-user-{i}")).collect();

    // All at once: the clones' calls and the five bulk items need a token at
    // the same moment.
    let (done_a, done_b, report) = tokio::join!(
        a.users().reactivate("clone-a-user"),
        b.users().reactivate("clone-b-user"),
        client
            .users()
            .reactivate_many(bulk.clone())
            .concurrency(5)
            .run(),
    );
    let done_a = done_a.expect("clone a");
    let done_b = done_b.expect("clone b");
    assert!(re_enabled(&done_a) && re_enabled(&done_b));
    assert_eq!(report.succeeded(), 5, "{:?}", report.items());
    let mut reactivated: Vec<String> = report
        .items()
        .iter()
        .map(|i| {
            let done = i.result().as_ref().expect("succeeded");
            assert!(re_enabled(done), "{done:?}");
            done.user_id().to_string()
        })
        .collect();
    reactivated.sort();
    assert_eq!(reactivated, bulk);

    // 7 users, a read and an update each, all with one token, the server's.
    let tokens = bearer_tokens(&api).await;
    assert_eq!(tokens.len(), 14, "API calls");
    let distinct: BTreeSet<&String> = tokens.iter().collect();
    assert_eq!(distinct.len(), 1, "{} different tokens", distinct.len());
    let claims = verify(&server, &tokens[0]).await;
    assert_eq!(claims["iss"], json!(server.issuer()));

    // And the server issued exactly one.
    let seen = requests_through_jwks(&server);
    let token_requests: Vec<&Logged> = seen
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/token")
        .collect();
    assert_eq!(
        token_requests.len(),
        1,
        "token requests: {}",
        describe(&seen)
    );
    assert_eq!(
        token_requests[0].field("grant_type"),
        Some("client_credentials")
    );
    assert_eq!(token_requests[0].status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_url_that_is_not_the_token_endpoint_is_unauthenticated_and_reaches_no_api() {
    let server = oauth_server();
    let api = keycloak_api().await;
    let wrong = format!("{}/nope", server.url());
    // Retries allowed: a wrong token URL is not worth a second try.
    let retry = RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5));

    let err = client(&api, &wrong, retry)
        .users()
        .reactivate("3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a6b")
        .await
        .expect_err("no token, no reactivation");
    let text = err.to_string();
    // A token endpoint that is not there is a misconfiguration, not a
    // refusal of the credentials (a bulk run stops on it either way).
    assert_eq!(err.kind(), ErrorKind::Misconfigured, "{text}");
    assert!(text.contains(&wrong), "names the token endpoint: {text}");
    assert!(
        text.contains("was not found") && text.contains(".token_url(..)"),
        "says the endpoint is not there and what to check: {text}"
    );
    assert_eq!(err.status(), Some(404), "{text}");
    assert!(!err.is_retryable(), "{text}");
    assert!(!text.contains(CLIENT_SECRET), "{text}");

    let calls = api.received_requests().await.expect("recording is on");
    assert_eq!(
        calls.len(),
        0,
        "the API received {} request(s)",
        calls.len()
    );

    // The server answered it (a 404 of its own), once, and issued nothing
    // (the `/jwks` request marks the end of its log).
    get_json(&format!("{}/jwks", server.url())).await;
    let seen = requests_through_jwks(&server);
    assert_eq!(
        describe(&seen),
        "POST /nope -> 404, GET /jwks -> 200",
        "the server's requests"
    );
}

/// A Google service account's JWT bearer grant (RFC 7523 §2.1) at the real
/// server: oauth2-mock-server 8.2.3 takes `client_credentials`, `password`,
/// `authorization_code` and `refresh_token` only, and answers any other grant
/// 400 `{"error": "invalid_grant"}`. What the SDK must do with that is what it
/// does with any refusal of a token endpoint: `Unauthenticated` with the
/// endpoint's code, after one token request as the server logged it (the
/// grant type and the assertion, nothing else), and nothing sent to the API.
/// (The grant itself is verified against the Google simulators' token
/// endpoints, in `tests/tests/google_workspace.rs` and `firebase.rs`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_server_refuses_the_jwt_bearer_grant_and_nothing_reaches_the_api() {
    let server = oauth_server();
    let api = MockServer::start().await;
    let token_url = format!("{}/token", server.url());
    let key = json!({
        "type": "service_account",
        "private_key_id": "kid-1",
        "private_key": include_str!("../keys/test-rsa-pkcs8.pem"),
        "client_email": "sync@demo-userbridge.iam.gserviceaccount.com",
        "token_uri": token_url,
    })
    .to_string();
    let client = Client::builder(Provider::GoogleWorkspace)
        .base_url(format!("{}/admin/directory/v1", api.uri()))
        .google_service_account(key)
        .subject("admin@example.com")
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("the client builds");
    let err = client
        .users()
        .reactivate("liz@example.com")
        .await
        .expect_err("the server has no JWT bearer grant");
    assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err}");
    assert_eq!(err.status(), Some(400), "{err}");
    assert_eq!(
        err.api_error().and_then(|a| a.code.as_deref()),
        Some("invalid_grant"),
        "{err}"
    );
    assert!(err.to_string().contains(&token_url), "{err}");
    let logged = server.requests_until(|l| l.path == "/token");
    let token_requests: Vec<&Logged> = logged.iter().filter(|l| l.path == "/token").collect();
    assert_eq!(token_requests.len(), 1, "{logged:?}");
    assert_eq!(
        token_requests[0].field("grant_type"),
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    );
    assert!(token_requests[0].field("assertion").is_some());
    assert!(token_requests[0].field("client_secret").is_none());
    assert_eq!(token_requests[0].status, 400);
    assert!(api.received_requests().await.unwrap_or_default().is_empty());
}
