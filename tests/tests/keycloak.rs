//! Keycloak: every documented response of `openapi/keycloak.yaml` through the
//! async and the blocking client, with each request checked as the server saw it;
//! ids and realms as one encoded segment; the realm alias; wrong base URLs and
//! gateway pages; the read-first and lockout flows against the simulator.

mod spec_cases;

use std::time::Duration;

use serde_json::{json, Value};
use spec_cases::{Case, Spec};
use userbridge::mock::{Failure, Simulator, UserState};
use userbridge::{
    Client, ClientBuilder, Details, Error, ErrorKind, KeycloakUser, Provider, ReactivateRequest,
    Reactivated, RetryPolicy,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const P: Provider = Provider::Keycloak;
const TOKEN: &str = "keycloak-test-token";
const USER: &str = "3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a6b";
const REALM: &str = "acme";

fn spec() -> Spec {
    match Spec::load(P) {
        Ok(Ok(spec)) => spec,
        Ok(Err(why)) => panic!("openapi/keycloak.yaml is not covered: {why:?}"),
        Err(e) => panic!("openapi/keycloak.yaml: {e}"),
    }
}

fn builder(base: &str, realm: &str) -> ClientBuilder {
    Client::builder(P)
        .base_url(base)
        .bearer_token(TOKEN)
        .realm(realm)
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

/// Reactivates `req` with the async or the blocking client (same options).
async fn reactivate(
    blocking: bool,
    base: &str,
    realm: &str,
    req: ReactivateRequest,
    retry: RetryPolicy,
) -> Result<Reactivated, Error> {
    if !blocking {
        let client = builder(base, realm).retry_policy(retry).build()?;
        return client.users().reactivate(req).await;
    }
    let (base, realm) = (base.to_string(), realm.to_string());
    tokio::task::spawn_blocking(move || {
        let client = userbridge_blocking::Client::builder(P)
            .base_url(base)
            .bearer_token(TOKEN)
            .realm(realm)
            .timeout(Duration::from_secs(10))
            .retry_policy(retry)
            .build()?;
        client.users().reactivate(req)
    })
    .await
    .expect("the blocking task runs")
}

fn header<'r>(r: &'r Request, name: &str) -> Option<&'r str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The request of operation `op` as the server must see it, for raw (encoded)
/// `realm` and `user` segments.
fn check_request(op: &str, r: &Request, realm: &str, user: &str) -> Result<(), String> {
    let who = format!("{op}: {} {}", r.method, r.url);
    let (want_method, want_path, want_body) = match op {
        "getUser" => ("GET", format!("/admin/realms/{realm}/users/{user}"), None),
        "updateUser" => (
            "PUT",
            format!("/admin/realms/{realm}/users/{user}"),
            Some(json!({"enabled": true})),
        ),
        "getBruteForceStatus" => (
            "GET",
            format!("/admin/realms/{realm}/attack-detection/brute-force/users/{user}"),
            None,
        ),
        "clearBruteForce" => (
            "DELETE",
            format!("/admin/realms/{realm}/attack-detection/brute-force/users/{user}"),
            None,
        ),
        other => return Err(format!("unknown operation {other}")),
    };
    let mut problems = Vec::new();
    if r.method.as_str() != want_method {
        problems.push(format!("method {}, expected {want_method}", r.method));
    }
    if r.url.path() != want_path {
        problems.push(format!("path {}, expected {want_path}", r.url.path()));
    }
    if r.url.query().is_some() {
        problems.push("a query string".into());
    }
    if header(r, "authorization") != Some(&format!("Bearer {TOKEN}")) {
        problems.push(format!("authorization {:?}", header(r, "authorization")));
    }
    if header(r, "accept") != Some("application/json") {
        problems.push(format!("accept {:?}", header(r, "accept")));
    }
    if header(r, "api-version").is_some() {
        problems.push("an api-version header".into());
    }
    match want_body {
        Some(body) => {
            if header(r, "content-type") != Some("application/json") {
                problems.push(format!("content-type {:?}", header(r, "content-type")));
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
        Err(format!("{who}: {}", problems.join("; ")))
    }
}

/// The operations a case's calls must be, in order.
fn expected_order(case: &Case) -> Vec<&'static str> {
    let mut order = vec!["getUser"];
    for op in ["updateUser", "getBruteForceStatus", "clearBruteForce"] {
        if case.plan.contains_key(op) {
            order.push(op);
        }
    }
    order
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_response_through_both_clients_with_the_requests_checked() {
    let spec = spec();
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
                REALM,
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
                if let Err(e) = check_request(op, r, REALM, USER) {
                    failures.push(format!("({client}) {}: {e}", case.name()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A server where the user is enabled and locked out: read, status, release.
async fn locked_out_server() -> MockServer {
    let spec = spec();
    let case = spec
        .cases()
        .expect("cases")
        .into_iter()
        .find(|c| c.operation == "clearBruteForce" && c.answer.status == "204")
        .expect("the lockout case");
    let server = MockServer::start().await;
    spec.mount(&server, &case).await.expect("mounts");
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_and_realms_travel_as_one_encoded_segment_on_every_call() {
    let cases = [
        ("a/b", "acme", "a%2Fb", "acme"),
        (
            "f:ldap:a b|c@d",
            "my realm",
            "f:ldap:a%20b%7Cc@d",
            "my%20realm",
        ),
        ("x#y?z%w", "r/s", "x%23y%3Fz%25w", "r%2Fs"),
        ("ünï", "acme", "%C3%BCn%C3%AF", "acme"),
        // A Java server cuts a segment at `;` (a matrix parameter): raw, this
        // would act on user `8f3a0718`.
        ("8f3a0718;x", "acme;y", "8f3a0718%3Bx", "acme%3By"),
    ];
    for (id, realm, id_seg, realm_seg) in cases {
        for blocking in [false, true] {
            let server = locked_out_server().await;
            let done = reactivate(
                blocking,
                &server.uri(),
                realm,
                ReactivateRequest::new(id),
                RetryPolicy::none(),
            )
            .await
            .unwrap_or_else(|e| panic!("{id} in {realm}: {e}"));
            assert!(matches!(done.details(), Details::Keycloak(k) if k.lockout_cleared));
            let seen = server.received_requests().await.unwrap_or_default();
            assert_eq!(seen.len(), 3, "{id}");
            let ops = ["getUser", "getBruteForceStatus", "clearBruteForce"];
            for (op, r) in ops.iter().zip(&seen) {
                check_request(op, r, realm_seg, id_seg).unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_realm_is_required_and_realm_is_an_alias_of_organization() {
    // Required at build time, with either client.
    let err = Client::builder(P)
        .base_url("https://sso.example.com")
        .bearer_token(TOKEN)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains(".realm(..)"), "{err}");
    let err = userbridge_blocking::Client::builder(P)
        .base_url("https://sso.example.com")
        .bearer_token(TOKEN)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);

    // `.organization(..)` and `.realm(..)` are the same setting.
    let server = locked_out_server().await;
    let client = Client::builder(P)
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .organization("other")
        .realm("first")
        .build()
        .expect("builds");
    client.users().reactivate(USER).await.expect("reactivates");
    // A request's realm overrides the client's, with either alias.
    for req in [
        ReactivateRequest::new(USER).realm("second"),
        ReactivateRequest::new(USER).organization("second"),
    ] {
        client.users().reactivate(req).await.expect("reactivates");
    }
    let seen = server.received_requests().await.unwrap_or_default();
    let realms: Vec<&str> = seen
        .iter()
        .filter(|r| r.method.as_str() == "GET" && r.url.path().contains("/users/"))
        .filter(|r| !r.url.path().contains("attack-detection"))
        .filter_map(|r| r.url.path().split('/').nth(3))
        .collect();
    assert_eq!(realms, ["first", "second", "second"]);
    assert_eq!(
        ReactivateRequest::new("u").realm("r").organization_id(),
        Some("r")
    );
}

#[tokio::test]
async fn a_wrong_base_url_is_not_an_unknown_user() {
    // Keycloak 17+ with `/auth` kept in the base URL: the server's JSON 404 for a
    // path it does not serve.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "error": "Unable to find matching target resource method",
            "error_description": "For more on this error consult the server log at the debug level."
        })))
        .mount(&server)
        .await;
    let base = format!("{}/auth", server.uri());
    let err = builder(&base, REALM)
        .build()
        .unwrap()
        .users()
        .reactivate(USER)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misconfigured, "{err}");
    assert!(
        err.to_string().contains("/auth/admin/realms/acme/users/"),
        "{err}"
    );
    assert!(err.to_string().contains("base URL"), "{err}");

    // An HTML 404 (a proxy, or a pre-17 server without `/auth`).
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_raw("<html><body>Not Found</body></html>", "text/html"),
        )
        .mount(&server)
        .await;
    let err = builder(&server.uri(), REALM)
        .build()
        .unwrap()
        .users()
        .reactivate(USER)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misconfigured, "{err}");
    assert!(err.to_string().contains("HTML"), "{err}");
}

/// Answers `GET` of the user with `enabled`, and `other` for the other calls.
async fn server_with(enabled: bool, other: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/admin/realms/{REALM}/users/{USER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": USER, "username": "jane.doe", "enabled": enabled
        })))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(other)
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_pages_and_empty_bodies_classify_as_server_errors() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    for status in [502u16, 503, 504] {
        for body in [html, ""] {
            for blocking in [false, true] {
                // On the read ...
                let server = MockServer::start().await;
                Mock::given(wiremock::matchers::any())
                    .respond_with(
                        ResponseTemplate::new(status)
                            .set_body_raw(body, "text/html")
                            .insert_header("retry-after", "7"),
                    )
                    .mount(&server)
                    .await;
                let err = reactivate(
                    blocking,
                    &server.uri(),
                    REALM,
                    ReactivateRequest::new(USER),
                    RetryPolicy::none(),
                )
                .await
                .unwrap_err();
                assert_eq!(err.kind(), ErrorKind::Server, "{status}: {err}");
                assert_eq!(err.status(), Some(status));
                let api = err.api_error().expect("an answer");
                assert_eq!(api.retry_after, Some(Duration::from_secs(7)));
                assert_eq!(api.body, body);
                // ... and on the update.
                let server = server_with(
                    false,
                    ResponseTemplate::new(status).set_body_raw(body, "text/html"),
                )
                .await;
                let err = reactivate(
                    blocking,
                    &server.uri(),
                    REALM,
                    ReactivateRequest::new(USER),
                    RetryPolicy::none(),
                )
                .await
                .unwrap_err();
                assert_eq!(err.kind(), ErrorKind::Server, "{status}: {err}");
                assert_eq!(err.status(), Some(status));
            }
        }
    }
}

#[tokio::test]
async fn a_lost_update_answer_is_recovered_by_reading_again() {
    // The update's answer is a gateway 502; the retry reads the user again, finds
    // it enabled and not locked out: the first attempt did the work.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/admin/realms/{REALM}/users/{USER}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": USER, "enabled": false})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/admin/realms/{REALM}/users/{USER}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": USER, "enabled": true})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/admin/realms/{REALM}/attack-detection/brute-force/users/{USER}"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "disabled": false, "numFailures": 0, "lastFailure": 0, "lastIPFailure": "n/a"
        })))
        .mount(&server)
        .await;
    let done = builder(&server.uri(), REALM)
        .retry_policy(fast_retry())
        .build()
        .unwrap()
        .users()
        .reactivate(USER)
        .await
        .expect("recovered");
    assert!(done.recovered() && !done.already_active());
    assert_eq!(done.attempts(), 2);
}

#[tokio::test]
async fn an_enabled_user_that_an_older_server_reports_disabled_while_locked_is_enabled() {
    // Older servers show a temporarily locked user as `enabled: false`; the
    // update (which clears login failures) is the release.
    let server = server_with(false, ResponseTemplate::new(204)).await;
    let done = builder(&server.uri(), REALM)
        .build()
        .unwrap()
        .users()
        .reactivate(USER)
        .await
        .expect("reactivated");
    let Details::Keycloak(k) = done.details() else {
        panic!("{:?}", done.details())
    };
    assert!(k.re_enabled && !k.lockout_cleared);
    assert_eq!(k.username.as_deref(), Some("jane.doe"));
}

// ------------------------------------------------------------------ simulator

fn sim_client(sim: &Simulator) -> Client {
    Client::builder(P)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .realm(sim.organization())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("builds")
}

fn keycloak(done: &Reactivated) -> &KeycloakUser {
    match done.details() {
        Details::Keycloak(k) => k,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn simulator_enables_a_disabled_user_then_says_not_deactivated() {
    let sim = Simulator::start(P).await;
    sim.add_user(USER, sim.organization(), UserState::Deactivated);
    let client = sim_client(&sim);
    let done = client.users().reactivate(USER).await.expect("reactivated");
    assert!(keycloak(&done).re_enabled);
    assert_eq!(sim.user_state(USER), Some(UserState::Active));

    let again = client.users().reactivate(USER).await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::NotDeactivated, "{again}");
    let ok = client
        .users()
        .reactivate(ReactivateRequest::new(USER).allow_already_active())
        .await
        .expect("already active counts");
    assert!(ok.already_active());

    let seen = sim.requests();
    let calls: Vec<String> = seen
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect();
    let user = format!("/admin/realms/acme/users/{USER}");
    let brute = format!("/admin/realms/acme/attack-detection/brute-force/users/{USER}");
    assert_eq!(
        calls,
        [
            format!("GET {user} 200"),
            format!("PUT {user} 204"),
            format!("GET {user} 200"),
            format!("GET {brute} 200"),
            format!("GET {user} 200"),
            format!("GET {brute} 200"),
        ]
    );
    assert_eq!(seen[1].body_text(), r#"{"enabled":true}"#);
    assert_eq!(seen[1].header("content-type"), Some("application/json"));
    assert_eq!(seen[0].header("authorization"), Some("Bearer <redacted>"));
}

#[tokio::test]
async fn simulator_releases_a_brute_force_lockout() {
    let sim = Simulator::start(P).await;
    sim.add_user(USER, sim.organization(), UserState::Active);
    assert!(sim.lock_out(USER));
    let client = sim_client(&sim);
    let done = client.users().reactivate(USER).await.expect("released");
    let k = keycloak(&done);
    assert!(k.lockout_cleared && !k.re_enabled);
    assert!(!done.already_active());
    assert_eq!(sim.is_locked_out(USER), Some(false));
    assert_eq!(
        sim.requests().last().map(|r| r.method.as_str()),
        Some("DELETE")
    );
    // Now there is nothing left to do.
    let again = client.users().reactivate(USER).await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::NotDeactivated);

    // Disabled and locked: enabling clears the lockout too, in one write.
    sim.add_user("u2", sim.organization(), UserState::Deactivated);
    sim.lock_out("u2");
    let done = client.users().reactivate("u2").await.expect("enabled");
    assert!(keycloak(&done).re_enabled);
    assert_eq!(sim.is_locked_out("u2"), Some(false));
    assert_eq!(sim.user_state("u2"), Some(UserState::Active));
}

#[tokio::test]
async fn simulator_realms_tokens_and_permissions() {
    let sim = Simulator::start(P).await;
    sim.add_user(USER, "other-realm", UserState::Deactivated);
    let client = sim_client(&sim);

    // A user of another realm is not in this one.
    let err = client.users().reactivate(USER).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        err.api_error().map(|e| e.message.as_str()),
        Some("User not found")
    );
    // An unknown realm: the client's configuration, naming the setting.
    let err = client
        .users()
        .reactivate(ReactivateRequest::new(USER).realm("nowhere"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misconfigured, "{err}");
    let message = err.api_error().map(|e| e.message.as_str()).unwrap_or("");
    assert!(message.starts_with("Realm not found."), "{message}");
    assert!(
        message.contains("`nowhere`") && message.contains(".realm(..)"),
        "{message}"
    );
    // A token of this realm may not act in another.
    let err = client
        .users()
        .reactivate(ReactivateRequest::new(USER).realm("other-realm"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    // A token of the master realm may.
    sim.add_token_in("master-token", "master");
    let master = Client::builder(P)
        .base_url(sim.base_url())
        .bearer_token("master-token")
        .realm("other-realm")
        .build()
        .unwrap();
    master.users().reactivate(USER).await.expect("reactivated");
    // An unknown token.
    let stranger = Client::builder(P)
        .base_url(sim.base_url())
        .bearer_token("unknown-token")
        .realm(sim.organization())
        .build()
        .unwrap();
    let err = stranger.users().reactivate(USER).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert_eq!(
        err.api_error().map(|e| e.message.as_str()),
        Some("HTTP 401 Unauthorized")
    );
    // A token that may view but not manage users: the read works, the write is 403.
    sim.add_user("viewer-target", sim.organization(), UserState::Deactivated);
    sim.deny_permission("viewer");
    let viewer = Client::builder(P)
        .base_url(sim.base_url())
        .bearer_token("viewer")
        .realm(sim.organization())
        .build()
        .unwrap();
    let before = sim.requests().len();
    let err = viewer
        .users()
        .reactivate("viewer-target")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let calls: Vec<(String, u16)> = sim.requests()[before..]
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect();
    assert_eq!(calls, [("GET".into(), 200), ("PUT".into(), 403)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_rate_limits_are_retried_and_the_blocking_client_works() {
    let sim = Simulator::start(P).await;
    sim.add_user(USER, sim.organization(), UserState::Deactivated);
    sim.fail_next(
        1,
        Failure::TooManyRequests {
            retry_after: Some(Duration::ZERO),
        },
    );
    let (base, token, realm) = (sim.base_url(), sim.token(), sim.organization().to_string());
    let done = tokio::task::spawn_blocking(move || {
        userbridge_blocking::Client::builder(P)
            .base_url(base)
            .bearer_token(token)
            .realm(realm)
            .retry_policy(fast_retry())
            .build()?
            .users()
            .reactivate(USER)
    })
    .await
    .unwrap()
    .expect("reactivated after the 429");
    assert_eq!(done.attempts(), 2);
    assert_eq!(sim.requests()[0].status, 429);
    assert_eq!(sim.user_state(USER), Some(UserState::Active));
}

// ---------------------------------------------------------------------------
// The simulator's token endpoint
// ---------------------------------------------------------------------------

/// The simulator's OAuth 2.0 token endpoint, driven with raw requests: the
/// generic checks of [`userbridge_tests::tokens`] with Keycloak's facts, and
/// what only Keycloak does (its refusals, realms, signed JWT audiences).
mod token_endpoint {
    use std::time::Duration;

    use serde_json::json;
    use userbridge::mock::{Simulator, UserState};
    use userbridge::{Client, ErrorKind, Provider, RetryPolicy};
    use userbridge_tests::tokens::{
        self, assert_refused_like_unknown, claims, fresh_jti, issue, key, post, sign, token_url,
        use_token, with_secret, ClientAuth, TokenFacts, JWT_BEARER,
    };

    const P: Provider = Provider::Keycloak;

    fn facts() -> TokenFacts {
        TokenFacts {
            provider: P,
            user: super::USER,
            token_url: |sim| {
                format!(
                    "{}/realms/{}/protocol/openid-connect/token",
                    sim.base_url(),
                    sim.organization()
                )
            },
            extras: |_| Vec::new(),
            assertion_audience: token_url,
            auth: ClientAuth::SecretInForm,
            success_fields: &[
                "access_token",
                "expires_in",
                "not-before-policy",
                "refresh_expires_in",
                "scope",
                "token_type",
            ],
            lifetime: 300,
            lifetime_fields: &[],
            zero_fields: &["refresh_expires_in", "not-before-policy"],
        }
    }

    userbridge_tests::token_endpoint_tests!([facts()]);

    #[tokio::test]
    async fn keycloak_refusals() {
        let f = facts();
        let sim = Simulator::start(P).await;
        let id = sim.client_id().to_string();
        let invalid = "Invalid client or Invalid client credentials";
        assert_eq!(
            with_secret(&f, &sim, &id, "wrong", "client_credentials")
                .await
                .oauth(),
            (401, "unauthorized_client", invalid)
        );
        assert_eq!(
            with_secret(&f, &sim, "nobody", "x", "client_credentials")
                .await
                .oauth(),
            (401, "invalid_client", invalid)
        );
        assert_eq!(
            with_secret(&f, &sim, &id, sim.client_secret(), "password")
                .await
                .oauth(),
            (400, "unsupported_grant_type", "Unsupported grant_type")
        );
        // The grant type is checked before the client.
        assert_eq!(
            with_secret(&f, &sim, "nobody", "x", "password")
                .await
                .oauth(),
            (400, "unsupported_grant_type", "Unsupported grant_type")
        );
        let none = post(&token_url(&sim), &[("client_id", &id)], None).await;
        assert_eq!(
            none.oauth(),
            (400, "invalid_request", "Missing form parameter: grant_type")
        );
        // An unknown realm: before anything is read.
        let url = token_url(&sim).replace("/realms/acme/", "/realms/nowhere/");
        let unknown = post(&url, &[("grant_type", "client_credentials")], None).await;
        assert_eq!(unknown.status, 404);
        assert_eq!(unknown.body, json!({"error": "Realm does not exist"}));
    }

    #[tokio::test]
    async fn sub_second_lifetimes_are_sent_rounded_up_and_enforced_exactly() {
        let f = facts();
        let sim = tokens::started(&f).await;
        sim.set_token_lifetime(Duration::from_millis(200));
        let answer = issue(&f, &sim).await;
        assert_eq!(answer.body["expires_in"], 1);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_refused_like_unknown(&f, &sim, &answer.token()).await;
        // Tokens issued earlier keep their lifetime.
        sim.set_token_lifetime(Duration::from_secs(60));
        let lasting = issue(&f, &sim).await;
        assert_eq!(lasting.body["expires_in"], 60);
        sim.set_token_lifetime(Duration::from_millis(1));
        use_token(&f, &sim, &lasting.token()).await.unwrap();
        // A lifetime past what a clock holds: a token that never expires.
        sim.set_token_lifetime(Duration::MAX);
        let forever = issue(&f, &sim).await;
        assert_eq!(forever.body["expires_in"], u64::MAX);
        use_token(&f, &sim, &forever.token()).await.unwrap();
    }

    #[tokio::test]
    async fn token_requests_are_counted_and_recorded_without_the_secret() {
        let f = facts();
        let sim = tokens::started(&f).await;
        assert_eq!(sim.token_requests(), 0);
        let token = issue(&f, &sim).await.token();
        with_secret(&f, &sim, sim.client_id(), "wrong", "client_credentials").await;
        reqwest::get(token_url(&sim)).await.unwrap();
        assert_eq!(sim.token_requests(), 3, "refusals count");
        use_token(&f, &sim, &token).await.unwrap();
        assert_eq!(sim.token_requests(), 3, "API calls do not");

        let seen = sim.requests();
        assert_eq!(
            seen.iter().map(|r| r.status).collect::<Vec<_>>()[..3],
            [200, 401, 405]
        );
        let first = &seen[0];
        assert_eq!(first.method, "POST");
        assert_eq!(first.path, "/realms/acme/protocol/openid-connect/token");
        let body = first.body_text();
        assert!(!body.contains(sim.client_secret()), "{body}");
        assert!(body.contains("client_secret=<redacted>"), "{body}");
        assert!(
            body.contains(&format!("client_id={}", sim.client_id())),
            "the rest is kept: {body}"
        );
        assert!(body.contains("grant_type=client_credentials"), "{body}");
    }

    #[tokio::test]
    async fn keycloak_tokens_act_in_the_realm_of_their_endpoint() {
        let user = facts().user;
        let sim = Simulator::start(P).await;
        sim.add_user(user, "other", UserState::Deactivated);
        let realm_url =
            |realm: &str| token_url(&sim).replace("/realms/acme/", &format!("/realms/{realm}/"));
        let secret = [
            ("grant_type", "client_credentials"),
            ("client_id", sim.client_id()),
            ("client_secret", sim.client_secret()),
        ];
        let in_other = post(&realm_url("other"), &secret, None).await.token();
        let in_acme = post(&realm_url("acme"), &secret, None).await.token();
        let in_master = post(&realm_url("master"), &secret, None).await.token();
        let reactivate = |token: String| {
            let client = Client::builder(P)
                .base_url(sim.base_url())
                .bearer_token(token)
                .realm("other")
                .retry_policy(RetryPolicy::none())
                .build()
                .unwrap();
            async move { client.users().reactivate(user).await }
        };
        let err = reactivate(in_acme).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
        reactivate(in_other).await.unwrap();
        sim.add_user(user, "other", UserState::Deactivated);
        reactivate(in_master).await.unwrap();

        // A signed JWT may name the realm's issuer as its audience.
        sim.add_jwt_client("signed", &key("test-rsa-public.pem"), None);
        let issuer = token_url(&sim).replace("/protocol/openid-connect/token", "");
        let jwt = sign(
            &key("test-rsa-pkcs8.pem"),
            None,
            &claims("signed", &issuer, 60, &fresh_jti()),
        );
        let pairs = [
            ("grant_type", "client_credentials"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", jwt.as_str()),
        ];
        assert_eq!(post(&token_url(&sim), &pairs, None).await.status, 200);
        let replay = post(&token_url(&sim), &pairs, None).await;
        assert_eq!(
            replay.oauth(),
            (
                400,
                "invalid_client",
                "Client authentication with signed JWT failed: Token reuse detected"
            )
        );
        // A JWT without `jti` (Keycloak requires one).
        let mut no_id = claims("signed", &issuer, 60, "");
        no_id.as_object_mut().unwrap().remove("jti");
        let jwt = sign(&key("test-rsa-pkcs8.pem"), None, &no_id);
        let answer = post(
            &token_url(&sim),
            &[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", jwt.as_str()),
            ],
            None,
        )
        .await;
        assert_eq!(
            answer.oauth().2,
            "Client authentication with signed JWT failed: Missing ID on the token"
        );
    }
}

// ------------------- what python-keycloak and the Node admin client send

mod official_sdks {
    use serde_json::json;
    use userbridge::mock::{Simulator, UserState};
    use userbridge::Provider;
    use userbridge_tests::sim::{wire, Wire};

    const AUTH: (&str, &str) = ("authorization", "Bearer userbridge-simulator-token");

    async fn keycloak() -> Simulator {
        let sim = Simulator::start(Provider::Keycloak).await;
        sim.seed_user(
            "k1",
            "disabled",
            Some("Ann".into()),
            Some("ann@example.com".into()),
        )
        .unwrap();
        sim.seed_user("k2", "enabled", Some("annabel".into()), None)
            .unwrap();
        sim.seed_user("k3", "disabled+locked-out", Some("bob".into()), None)
            .unwrap();
        sim
    }

    fn ids(answer: &Wire) -> Vec<String> {
        answer
            .json
            .as_array()
            .unwrap_or_else(|| panic!("{}", answer.text))
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect()
    }

    #[tokio::test]
    async fn users_by_exact_username_and_the_count_is_not_a_user_id() {
        let sim = keycloak().await;
        let users = format!(
            "{}/admin/realms/{}/users",
            sim.base_url(),
            sim.organization()
        );
        let get = |query: &str| {
            let url = format!("{users}{query}");
            async move { wire("GET", &url, &[AUTH], None).await }
        };
        let exact = get("?username=ann&exact=true").await;
        assert_eq!(exact.status, 200, "{}", exact.text);
        assert_eq!(ids(&exact), ["k1"]);
        assert_eq!(exact.json[0]["username"], "ann");
        assert_eq!(exact.json[0]["email"], "ann@example.com");
        assert_eq!(exact.json[0]["enabled"], false);
        assert_eq!(ids(&get("?username=ann").await), ["k1", "k2"]);
        assert_eq!(
            ids(&get("?email=ann%40example.com&exact=true").await),
            ["k1"]
        );
        assert_eq!(ids(&get("?enabled=false").await), ["k1", "k3"]);
        assert_eq!(ids(&get("?search=bo").await), ["k3"]);
        assert_eq!(ids(&get("?max=1&first=1").await), ["k2"]);
        // @keycloak/keycloak-admin-client's `users.find` calls `users/`.
        assert_eq!(ids(&get("/?username=ann&exact=true").await), ["k1"]);
        let count = get("/count").await;
        assert_eq!((count.status, &count.json), (200, &json!(3)));
        let count = get("/count?enabled=false").await;
        assert_eq!(count.json, json!(2));
        // The seeded combined state holds.
        assert_eq!(sim.user_state("k3"), Some(UserState::Deactivated));
        assert_eq!(sim.is_locked_out("k3"), Some(true));
    }

    #[tokio::test]
    async fn unknown_routes_answer_as_keycloak() {
        let sim = keycloak().await;
        let base = sim.base_url();
        let answer = wire(
            "GET",
            &format!("{base}/admin/realms/acme/userz"),
            &[AUTH],
            None,
        )
        .await;
        assert_eq!(answer.status, 404);
        assert_eq!(answer.header("content-type"), "application/json");
        assert_eq!(
            answer.json["error"],
            "Unable to find matching target resource method"
        );
        let answer = wire(
            "POST",
            &format!("{base}/admin/realms/acme/users/k1"),
            &[AUTH],
            None,
        )
        .await;
        assert_eq!(answer.status, 405);
        assert_eq!(answer.json["error"], "HTTP 405 Method Not Allowed");
    }
}
