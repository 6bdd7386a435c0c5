//! Credentials that renew themselves, end to end against the simulators'
//! token endpoints: client credentials and private key JWTs per provider,
//! token sources, renewal of short-lived tokens in a bulk run, single-flight
//! fetches, one renewal after a 401, the token endpoint's refusals, and the
//! builder's checks. The same through `userbridge-blocking` at the end.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use userbridge::mock::{Answer, Failure, ReceivedRequest, Simulator, UserState};
use userbridge::{AccessToken, BoxError, Client, ClientBuilder, ErrorKind, Provider, RetryPolicy};

const PRIVATE_PKCS8: &str = include_str!("../keys/test-rsa-pkcs8.pem");
const PRIVATE_PKCS1: &str = include_str!("../keys/test-rsa-pkcs1.pem");
const PUBLIC: &str = include_str!("../keys/test-rsa-public.pem");

/// A user id every provider's request rules accept.
fn user(n: usize) -> String {
    format!("usr_cred{n:04}")
}

/// A client of `sim` with the simulator's confidential client.
fn with_secret(sim: &Simulator) -> ClientBuilder {
    Client::builder(sim.provider())
        .base_url(sim.base_url())
        .organization(sim.organization())
        .client_credentials(sim.client_id(), sim.client_secret())
        .timeout(Duration::from_secs(10))
}

/// The token requests `sim` received, in order.
fn token_requests(sim: &Simulator) -> Vec<ReceivedRequest> {
    let url = sim.token_url().unwrap_or_default();
    sim.requests()
        .into_iter()
        .filter(|r| url.ends_with(&r.path))
        .collect()
}

/// The API requests (not to the token endpoint) `sim` received.
fn api_requests(sim: &Simulator) -> Vec<ReceivedRequest> {
    let url = sim.token_url().unwrap_or_default();
    sim.requests()
        .into_iter()
        .filter(|r| !url.ends_with(&r.path))
        .collect()
}

/// The form fields of a recorded token request.
fn form(r: &ReceivedRequest) -> Vec<(String, String)> {
    form_urlencoded::parse(&r.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Acceptance: a bulk run of 70 Keycloak users at 10 per second against
/// tokens that live 3 seconds: no failure, and between 2 and 20 token
/// requests (renewed before they expire, not fetched per call).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_run_outlives_three_second_tokens() {
    let sim = Simulator::start(Provider::Keycloak).await;
    sim.set_token_lifetime(Duration::from_secs(3));
    let ids: Vec<String> = (0..70).map(user).collect();
    for id in &ids {
        sim.add_user(id, sim.organization(), UserState::Deactivated);
    }
    let client = with_secret(&sim).build().expect("a client");
    let report = client
        .users()
        .reactivate_many(ids.clone())
        .concurrency(8)
        .rate_limit(10)
        .run()
        .await;
    let failures: Vec<String> = report
        .items()
        .iter()
        .filter_map(|i| i.result().as_ref().err().map(|e| e.to_string()))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(report.succeeded(), 70);
    let fetched = sim.token_requests();
    eprintln!("bulk run: {fetched} token requests");
    assert!(
        (2..=20).contains(&fetched),
        "{fetched} token requests for a 7-second run of 3-second tokens"
    );
    for id in &ids {
        assert_eq!(sim.user_state(id), Some(UserState::Active));
    }
}

/// Acceptance: 24 concurrent calls with an empty cache make exactly one token
/// request; later calls reuse the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_wait_for_one_token_request() {
    let sim = Simulator::start(Provider::Keycloak).await;
    let client = with_secret(&sim).build().expect("a client");
    let mut calls = tokio::task::JoinSet::new();
    for n in 0..24 {
        let id = user(n);
        sim.add_user(&id, sim.organization(), UserState::Deactivated);
        calls.spawn(client.clone().users().reactivate(id));
    }
    while let Some(done) = calls.join_next().await {
        done.expect("the call's task").expect("a reactivation");
    }
    assert_eq!(sim.token_requests(), 1);
    let id = user(99);
    sim.add_user(&id, sim.organization(), UserState::Deactivated);
    client.users().reactivate(id).await.expect("a reactivation");
    assert_eq!(sim.token_requests(), 1, "the cached token is reused");
    // Every API request carried the one token.
    let tokens: std::collections::BTreeSet<_> = api_requests(&sim)
        .iter()
        .filter_map(|r| r.header("authorization").map(str::to_string))
        .collect();
    assert_eq!(tokens.len(), 1, "{tokens:?}");
}

/// Acceptance: a revoked token is renewed once and the request retried once.
#[tokio::test]
async fn a_revoked_token_is_renewed_once_and_the_call_retried() {
    let sim = Simulator::start(Provider::Keycloak).await;
    let client = with_secret(&sim)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client");
    let (first, second) = (user(1), user(2));
    sim.add_user(&first, sim.organization(), UserState::Deactivated);
    sim.add_user(&second, sim.organization(), UserState::Deactivated);
    client
        .users()
        .reactivate(first)
        .await
        .expect("a reactivation");
    sim.revoke_tokens();
    let before = api_requests(&sim).len();
    let done = client
        .users()
        .reactivate(second.clone())
        .await
        .expect("a reactivation after one renewal");
    assert_eq!(done.attempts(), 2, "the refused attempt and its retry");
    assert_eq!(sim.token_requests(), 2);
    let after = api_requests(&sim);
    // The refused read, then the read and the write with the new token.
    assert_eq!(after.len() - before, 3);
    assert_eq!(after[before].status, 401);
    assert_eq!(sim.user_state(&second), Some(UserState::Active));
}

/// Acceptance: a server that refuses every token: `Unauthenticated` after
/// exactly one renewal and two API requests.
#[tokio::test]
async fn a_server_that_refuses_every_token_is_unauthenticated_after_one_renewal() {
    let sim = Simulator::start(Provider::Keycloak).await;
    let id = user(1);
    sim.add_user(&id, sim.organization(), UserState::Deactivated);
    let refusal = Answer::new(401)
        .header("content-type", "application/json")
        .body(json!({"error": "HTTP 401 Unauthorized"}).to_string());
    sim.fail_user(&id, 10, Failure::Custom(refusal));
    let client = with_secret(&sim).build().expect("a client");
    let err = client.users().reactivate(id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err}");
    assert_eq!(err.status(), Some(401));
    assert_eq!(sim.token_requests(), 2, "the first token and one renewal");
    assert_eq!(api_requests(&sim).len(), 2);
}

/// Acceptance: a wrong client secret is `Unauthenticated` carrying the
/// endpoint's "Invalid client ..." and naming the endpoint; nothing reaches
/// the API; the secret is in no rendering of the client or the error.
#[tokio::test]
async fn a_wrong_client_secret_is_the_endpoints_refusal_and_sends_nothing_to_the_api() {
    let sim = Simulator::start(Provider::Keycloak).await;
    let secret = "wrong-secret-8f14e45fceea167a";
    let client = Client::builder(Provider::Keycloak)
        .base_url(sim.base_url())
        .realm(sim.organization())
        .client_credentials(sim.client_id(), secret)
        .build()
        .expect("a client");
    let id = user(1);
    sim.add_user(&id, sim.organization(), UserState::Deactivated);
    let err = client.users().reactivate(id.as_str()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err}");
    let api = err.api_error().expect("the endpoint's answer");
    assert_eq!(api.status, 401);
    assert_eq!(api.code.as_deref(), Some("unauthorized_client"));
    let line = err.to_string();
    assert!(
        line.contains("Invalid client or Invalid client credentials"),
        "{line}"
    );
    assert!(
        line.contains(&sim.token_url().unwrap_or_default()),
        "{line}"
    );
    assert!(line.contains("check the client id"), "{line}");
    assert!(api_requests(&sim).is_empty(), "{:?}", api_requests(&sim));
    assert_eq!(sim.token_requests(), 1, "a refusal is not retried");
    let renderings = [
        format!("{err}"),
        format!("{err:?}"),
        serde_json::to_string(&err).unwrap_or_default(),
        format!("{client:?}"),
    ];
    for r in renderings {
        assert!(!r.contains(secret), "{r}");
    }
    assert_eq!(sim.user_state(&id), Some(UserState::Deactivated));
}

/// A token endpoint of a realm that does not exist is a misconfiguration
/// naming `.realm(..)`, not a refusal of the credentials.
#[tokio::test]
async fn an_unknown_realm_at_the_token_endpoint_is_a_misconfiguration() {
    let sim = Simulator::start(Provider::Keycloak).await;
    let client = Client::builder(Provider::Keycloak)
        .base_url(sim.base_url())
        .realm("no-such-realm")
        .client_credentials(sim.client_id(), sim.client_secret())
        .build()
        .expect("a client");
    let err = client.users().reactivate(user(1)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misconfigured, "{err}");
    assert!(err.to_string().contains(".realm(..)"), "{err}");
    let sent = sim.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        sent[0].path,
        "/realms/no-such-realm/protocol/openid-connect/token"
    );
}

/// A token endpoint that rate-limits follows the retry policy like any call.
#[tokio::test]
async fn a_rate_limited_token_endpoint_is_retried_as_the_policy_says() {
    let sim = Simulator::start(Provider::Keycloak).await;
    let id = user(1);
    sim.add_user(&id, sim.organization(), UserState::Deactivated);
    sim.fail_next(
        1,
        Failure::TooManyRequests {
            retry_after: Some(Duration::from_millis(20)),
        },
    );
    let client = with_secret(&sim).build().expect("a client");
    let done = client.users().reactivate(id).await.expect("a reactivation");
    assert_eq!(done.attempts(), 2);
    assert_eq!(sim.token_requests(), 2);
    let none = with_secret(&sim)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client");
    sim.fail_next(1, Failure::ServiceUnavailable);
    let err = none.users().reactivate(user(2)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert!(err.to_string().contains("token endpoint"), "{err}");
}

/// How a provider's token request must look: the client's secret in HTTP
/// Basic (else in the form), the scope, and whether it names the Management
/// API as its audience; `derived`: the token URL comes from the base URL
/// (else the test sets the simulator's, as for Entra ID's login host).
struct TokenRequest {
    provider: Provider,
    basic: bool,
    scope: Option<&'static str>,
    audience: bool,
    derived: bool,
}

const TOKEN_REQUESTS: [TokenRequest; 5] = [
    TokenRequest {
        provider: Provider::Keycloak,
        basic: false,
        scope: None,
        audience: false,
        derived: true,
    },
    TokenRequest {
        provider: Provider::Auth0,
        basic: false,
        scope: None,
        audience: true,
        derived: true,
    },
    TokenRequest {
        provider: Provider::EntraId,
        basic: false,
        scope: Some("https://graph.microsoft.com/.default"),
        audience: false,
        derived: false,
    },
    TokenRequest {
        provider: Provider::ZitadelV1,
        basic: true,
        scope: Some("openid urn:zitadel:iam:org:project:id:zitadel:aud"),
        audience: false,
        derived: true,
    },
    TokenRequest {
        provider: Provider::ZitadelV2,
        basic: true,
        scope: Some("openid urn:zitadel:iam:org:project:id:zitadel:aud"),
        audience: false,
        derived: true,
    },
];

/// Each provider's token request as the endpoint saw it: the grant, how the
/// client authenticated, the scopes and the audience.
#[tokio::test]
async fn each_provider_asks_its_own_token_endpoint_its_own_way() {
    for want in TOKEN_REQUESTS {
        let p = want.provider;
        let sim = Simulator::start(p).await;
        let id = user(7);
        sim.add_user(&id, sim.organization(), UserState::Deactivated);
        let mut builder = with_secret(&sim).tenant("contoso.onmicrosoft.com");
        if !want.derived {
            builder = builder.token_url(sim.token_url().unwrap_or_default());
        }
        let client = builder.build().expect("a client");
        client
            .users()
            .reactivate(id.as_str())
            .await
            .unwrap_or_else(|e| panic!("{p}: {e}"));
        let sent = token_requests(&sim);
        assert_eq!(sent.len(), 1, "{p}");
        let req = &sent[0];
        assert_eq!(req.method, "POST", "{p}");
        assert_eq!(
            req.header("content-type"),
            Some("application/x-www-form-urlencoded"),
            "{p}"
        );
        let form = form(req);
        assert_eq!(
            field(&form, "grant_type"),
            Some("client_credentials"),
            "{p}"
        );
        if want.basic {
            // HTTP Basic (the recorded header is redacted), nothing in the form.
            assert_eq!(req.header("authorization"), Some("<redacted>"), "{p}");
            assert_eq!(field(&form, "client_secret"), None, "{p}");
        } else {
            assert_eq!(req.header("authorization"), None, "{p}");
            assert_eq!(field(&form, "client_id"), Some(sim.client_id()), "{p}");
            assert_eq!(field(&form, "client_secret"), Some("<redacted>"), "{p}");
        }
        assert_eq!(field(&form, "scope"), want.scope, "{p}");
        let audience = want.audience.then(|| format!("{}/", sim.base_url()));
        assert_eq!(
            field(&form, "audience").map(str::to_string),
            audience,
            "{p}: the Management API"
        );
        // The API got the issued token, not the simulator's static one.
        for r in api_requests(&sim) {
            assert_eq!(r.status / 100, 2, "{p}: {r:?}");
        }
    }
}

/// Acceptance: Okta authenticates the client by a private key JWT that
/// verifies against the public key with the claims of RFC 7523; no secret is
/// sent. A PKCS#1 key works as a PKCS#8 one.
#[tokio::test]
async fn okta_gets_a_private_key_jwt_and_no_secret() {
    for pem in [PRIVATE_PKCS8, PRIVATE_PKCS1] {
        let sim = Simulator::start(Provider::Okta).await;
        sim.add_jwt_client("0oa-userbridge", PUBLIC, Some("kid-1"));
        let id = user(3);
        sim.add_user(&id, sim.organization(), UserState::Deactivated);
        let client = Client::builder(Provider::Okta)
            .base_url(sim.base_url())
            .private_key_jwt("0oa-userbridge", pem, Some("kid-1".into()))
            .build()
            .expect("a client");
        client
            .users()
            .reactivate(id.as_str())
            .await
            .expect("a reactivation");
        let sent = token_requests(&sim);
        assert_eq!(sent.len(), 1);
        let form = form(&sent[0]);
        assert_eq!(field(&form, "client_secret"), None);
        assert_eq!(sent[0].header("authorization"), None);
        assert_eq!(
            field(&form, "client_assertion_type"),
            Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        );
        assert_eq!(
            field(&form, "scope"),
            Some("okta.users.read okta.users.manage")
        );
        let assertion = field(&form, "client_assertion").expect("an assertion");
        let header = jsonwebtoken::decode_header(assertion).expect("a JWT");
        assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
        assert_eq!(header.kid.as_deref(), Some("kid-1"));
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(PUBLIC.as_bytes()).expect("the key");
        let token_url = sim.token_url().expect("Okta's token endpoint");
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.set_audience(&[token_url.as_str()]);
        let claims = jsonwebtoken::decode::<serde_json::Value>(assertion, &key, &validation)
            .expect("the assertion verifies")
            .claims;
        assert_eq!(claims["iss"], "0oa-userbridge");
        assert_eq!(claims["sub"], "0oa-userbridge");
        assert_eq!(claims["aud"], token_url.as_str());
        let (iat, exp) = (claims["iat"].as_u64(), claims["exp"].as_u64());
        assert!(
            matches!((iat, exp), (Some(i), Some(e)) if e > i && e - i <= 300),
            "{claims}"
        );
        assert_eq!(claims["jti"].as_str().map(str::len), Some(32), "{claims}");
    }
}

/// Okta's service apps take no client secret: said at build(), nothing sent.
#[test]
fn okta_refuses_a_client_secret_at_build() {
    let err = Client::builder(Provider::Okta)
        .base_url("https://example.okta.com")
        .client_credentials("0oa1", "secret-1234567890")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains(".private_key_jwt("), "{err}");
}

/// Bad input is refused at build() with what to fix, and never echoes a
/// secret or a key.
#[test]
fn the_builder_says_what_to_fix() {
    let keycloak = || {
        Client::builder(Provider::Keycloak)
            .base_url("https://sso.example.com")
            .realm("acme")
    };
    let cases: Vec<(ClientBuilder, &str)> = vec![
        (
            keycloak().client_credentials("  ", "s3cr3t-abcdef"),
            "client id is empty",
        ),
        (
            keycloak().client_credentials("id", " "),
            "client secret is empty",
        ),
        (
            keycloak().private_key_jwt(
                "id",
                "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----",
                None,
            ),
            "could not be read as an RSA private key",
        ),
        (
            keycloak().private_key_jwt("id", "/etc/key.pem", None),
            "not PEM text",
        ),
        (
            keycloak()
                .client_credentials("id", "s3cr3t-abcdef")
                .token_url("ftp://sso.example.com/token"),
            "is not http(s)",
        ),
        (
            keycloak()
                .client_credentials("id", "s3cr3t-abcdef")
                .token_url("http://sso.example.com/token"),
            "plain http",
        ),
        (
            keycloak()
                .bearer_token("t-123")
                .token_url("https://sso.example.com/token"),
            "are for .client_credentials(..)",
        ),
        (
            Client::builder(Provider::EntraId).client_credentials("app", "s3cr3t-abcdef"),
            ".tenant(..)",
        ),
        (
            Client::builder(Provider::Flashback).client_credentials("app", "s3cr3t-abcdef"),
            ".token_url(..)",
        ),
    ];
    for (builder, says) in cases {
        let err = builder.build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
        let line = err.to_string();
        assert!(line.contains(says), "{line} should say {says}");
        assert!(!line.contains("s3cr3t"), "{line}");
        assert!(!line.contains("not a key"), "{line}");
    }
    // With a token URL, a provider without an endpoint of its own is fine.
    Client::builder(Provider::Flashback)
        .client_credentials("app", "s3cr3t-abcdef")
        .token_url("https://auth.example.com/oauth/token")
        .build()
        .expect("a client");
}

/// A token source: called once for a token without expiry, shared by calls;
/// its failure is `Unauthenticated` with its words, and nothing is sent.
#[tokio::test]
async fn a_token_source_is_asked_once_and_its_failure_sends_nothing() {
    let sim = Simulator::start(Provider::Flashback).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let token = sim.token().to_string();
    let counted = calls.clone();
    let client = Client::builder(Provider::Flashback)
        .base_url(sim.base_url())
        .token_source(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            let token = token.clone();
            async move { Ok(AccessToken::new(token, None)) }
        })
        .build()
        .expect("a client");
    for n in 0..5 {
        let id = format!("550e8400-e29b-41d4-a716-44665544000{n}");
        sim.add_user(&id, sim.organization(), UserState::Deactivated);
        client.users().reactivate(id).await.expect("a reactivation");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let failing = Client::builder(Provider::Flashback)
        .base_url(sim.base_url())
        .token_source(|| async { Err::<AccessToken, BoxError>("the vault is sealed".into()) })
        .build()
        .expect("a client");
    let before = sim.requests().len();
    let err = failing
        .users()
        .reactivate("550e8400-e29b-41d4-a716-446655440009")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert!(err.to_string().contains("the vault is sealed"), "{err}");
    assert_eq!(sim.requests().len(), before, "nothing sent");
}

/// The same through `userbridge-blocking`: client credentials renew, a wrong
/// secret is the endpoint's refusal, a plain closure is a token source.
#[test]
fn the_blocking_client_has_the_same_credentials() {
    let sim = Simulator::start_blocking(Provider::Keycloak).expect("a simulator");
    sim.set_token_lifetime(Duration::from_secs(1));
    let client = userbridge_blocking::Client::builder(Provider::Keycloak)
        .base_url(sim.base_url())
        .realm(sim.organization())
        .client_credentials(sim.client_id(), sim.client_secret())
        .build()
        .expect("a client");
    for n in 0..3 {
        let id = user(n);
        sim.add_user(&id, sim.organization(), UserState::Deactivated);
        client.users().reactivate(id).expect("a reactivation");
        std::thread::sleep(Duration::from_millis(900));
    }
    assert!(sim.token_requests() >= 2, "{}", sim.token_requests());

    let wrong = userbridge_blocking::Client::builder(Provider::Keycloak)
        .base_url(sim.base_url())
        .realm(sim.organization())
        .client_credentials(sim.client_id(), "wrong-secret-8f14e45fceea167a")
        .build()
        .expect("a client");
    let err = wrong.users().reactivate(user(9)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert!(err.to_string().contains("Invalid client"), "{err}");
    assert!(!format!("{err:?}{wrong:?}").contains("wrong-secret"));

    let flashback = Simulator::start_blocking(Provider::Flashback).expect("a simulator");
    let token = flashback.token().to_string();
    let asked = Arc::new(AtomicUsize::new(0));
    let counted = asked.clone();
    let client = userbridge_blocking::Client::builder(Provider::Flashback)
        .base_url(flashback.base_url())
        .token_source(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            Ok(AccessToken::new(
                token.clone(),
                Some(Duration::from_secs(600)),
            ))
        })
        .build()
        .expect("a client");
    let id = "550e8400-e29b-41d4-a716-446655440000";
    flashback.add_user(id, flashback.organization(), UserState::Deactivated);
    client.users().reactivate(id).expect("a reactivation");
    assert_eq!(asked.load(Ordering::SeqCst), 1);
}
