//! Microsoft Entra ID (Microsoft Graph): every documented response of
//! `openapi/entra-id.yaml` through the async and the blocking client, with each
//! request checked as the server saw it; object ids and user principal names
//! (guests' `#EXT#` included) as one encoded segment; `Retry-After`; gateway pages;
//! the read-first flow and the principal-name lookup against the simulator.

mod spec_cases;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use spec_cases::{Case, Spec};
use userbridge::mock::{Failure, Simulator, UserState};
use userbridge::{
    Client, ClientBuilder, Details, EntraUser, Error, ErrorKind, Provider, ReactivateRequest,
    Reactivated, RetryPolicy,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const P: Provider = Provider::EntraId;
const TOKEN: &str = "graph-test-token";
const USER: &str = "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e";
const SELECT: &str = "id,accountEnabled,userPrincipalName";

fn spec() -> Spec {
    match Spec::load(P) {
        Ok(Ok(spec)) => spec,
        Ok(Err(why)) => panic!("openapi/entra-id.yaml is not covered: {why:?}"),
        Err(e) => panic!("openapi/entra-id.yaml: {e}"),
    }
}

fn builder(base: &str) -> ClientBuilder {
    Client::builder(P)
        .base_url(base)
        .bearer_token(TOKEN)
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
}

async fn reactivate(
    blocking: bool,
    base: &str,
    req: ReactivateRequest,
    retry: RetryPolicy,
) -> Result<Reactivated, Error> {
    if !blocking {
        let client = builder(base).retry_policy(retry).build()?;
        return client.users().reactivate(req).await;
    }
    let base = base.to_string();
    tokio::task::spawn_blocking(move || {
        let client = userbridge_blocking::Client::builder(P)
            .base_url(base)
            .bearer_token(TOKEN)
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

/// The request of operation `op` as Graph must see it, for a raw (encoded) user
/// segment.
fn check_request(op: &str, r: &Request, user: &str) -> Result<(), String> {
    let who = format!("{op}: {} {}", r.method, r.url);
    let want_path = format!("/v1.0/users/{user}");
    let (want_method, want_query, want_body) = match op {
        "getUser" => (
            "GET",
            vec![("$select".to_string(), SELECT.to_string())],
            None,
        ),
        "updateUser" => ("PATCH", vec![], Some(json!({"accountEnabled": true}))),
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

/// A Graph that has the user disabled and enables it.
async fn disabled_user_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": USER, "accountEnabled": false, "userPrincipalName": "adele.vance@contoso.com"
        })))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_ids_and_principal_names_travel_as_one_encoded_segment() {
    let cases = [
        (USER, USER),
        ("adele.vance@contoso.com", "adele.vance@contoso.com"),
        (
            "adele_fabrikam.com#EXT#@contoso.onmicrosoft.com",
            "adele_fabrikam.com%23EXT%23@contoso.onmicrosoft.com",
        ),
        ("a/b c|d", "a%2Fb%20c%7Cd"),
        ("x?y%z", "x%3Fy%25z"),
    ];
    for (id, segment) in cases {
        for blocking in [false, true] {
            let server = disabled_user_server().await;
            let base = format!("{}/v1.0", server.uri());
            let done = reactivate(
                blocking,
                &base,
                ReactivateRequest::new(id),
                RetryPolicy::none(),
            )
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(done.user_id(), id);
            let seen = server.received_requests().await.unwrap_or_default();
            assert_eq!(seen.len(), 2, "{id}");
            for (op, r) in ["getUser", "updateUser"].iter().zip(&seen) {
                check_request(op, r, segment).unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
}

#[tokio::test]
async fn a_principal_name_starting_with_dollar_is_rejected_before_sending() {
    let server = MockServer::start().await;
    let base = format!("{}/v1.0", server.uri());
    let err = reactivate(
        false,
        &base,
        ReactivateRequest::new("$AdeleVance@contoso.com"),
        RetryPolicy::none(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("object id"), "{err}");
    assert!(server
        .received_requests()
        .await
        .unwrap_or_default()
        .is_empty());
}

#[test]
fn graph_is_the_default_base_url_and_the_organization_is_ignored() {
    let client = Client::builder(P)
        .bearer_token(TOKEN)
        .organization("ignored")
        .build()
        .expect("builds");
    assert_eq!(client.base_url(), "https://graph.microsoft.com/v1.0");
    assert_eq!(P.as_str(), "entra-id");
    assert_eq!(P.to_string(), "Microsoft Entra ID");
    assert_eq!("entra-id".parse::<Provider>().ok(), Some(P));
}

fn graph_error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {
        "code": code,
        "message": format!("{code} happened"),
        "innerError": {"date": "2026-03-02T10:15:30", "request-id": "rid-1", "client-request-id": "rid-1"}
    }}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_on_429_and_503_is_kept_and_honoured() {
    for (status, code) in [(429u16, "TooManyRequests"), (503, "serviceNotAvailable")] {
        // Kept in the error.
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(graph_error(status, code).insert_header("retry-after", "3"))
            .mount(&server)
            .await;
        let base = format!("{}/v1.0", server.uri());
        let err = reactivate(
            true,
            &base,
            ReactivateRequest::new(USER),
            RetryPolicy::none(),
        )
        .await
        .unwrap_err();
        let api = err.api_error().expect("an answer");
        assert_eq!(api.retry_after, Some(Duration::from_secs(3)), "{status}");
        assert_eq!(api.code.as_deref(), Some(code));
        assert_eq!(api.trace_id.as_deref(), Some("rid-1"));

        // Honoured: the retry waits for it, then succeeds.
        let server = disabled_user_server().await;
        Mock::given(method("GET"))
            .respond_with(graph_error(status, code).insert_header("retry-after", "1"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        let base = format!("{}/v1.0", server.uri());
        let started = Instant::now();
        let retry = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(1))
            .max_backoff(Duration::from_millis(5));
        let done = reactivate(false, &base, ReactivateRequest::new(USER), retry)
            .await
            .expect("reactivated after the wait");
        assert_eq!(done.attempts(), 2);
        assert!(started.elapsed() >= Duration::from_secs(1), "{status}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_pages_and_empty_bodies_classify_as_server_errors() {
    let html = "<html><body><h1>504 Gateway Time-out</h1></body></html>";
    for status in [502u16, 503, 504] {
        for body in [html, ""] {
            for (on_write, blocking) in [(false, false), (false, true), (true, false), (true, true)]
            {
                let server = MockServer::start().await;
                if on_write {
                    Mock::given(method("GET"))
                        .respond_with(
                            ResponseTemplate::new(200)
                                .set_body_json(json!({"id": USER, "accountEnabled": false})),
                        )
                        .mount(&server)
                        .await;
                }
                Mock::given(wiremock::matchers::any())
                    .respond_with(
                        ResponseTemplate::new(status)
                            .set_body_raw(body, "text/html")
                            .insert_header("request-id", "gw-7"),
                    )
                    .mount(&server)
                    .await;
                let base = format!("{}/v1.0", server.uri());
                let err = reactivate(
                    blocking,
                    &base,
                    ReactivateRequest::new(USER),
                    RetryPolicy::none(),
                )
                .await
                .unwrap_err();
                assert_eq!(err.kind(), ErrorKind::Server, "{status} {on_write}: {err}");
                assert_eq!(err.status(), Some(status));
                assert_eq!(
                    err.api_error().and_then(|e| e.trace_id.as_deref()),
                    Some("gw-7")
                );
            }
        }
    }
}

#[tokio::test]
async fn a_read_that_does_not_say_whether_the_account_is_enabled_is_never_a_success() {
    for body in [
        json!({"id": USER, "userPrincipalName": "adele.vance@contoso.com"}),
        json!({"id": USER, "accountEnabled": null}),
        json!({"id": USER, "accountEnabled": "yes"}),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&body))
            .mount(&server)
            .await;
        let base = format!("{}/v1.0", server.uri());
        let err = reactivate(
            false,
            &base,
            ReactivateRequest::new(USER),
            RetryPolicy::none(),
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{body}: {err}");
        assert_eq!(
            server.received_requests().await.unwrap_or_default().len(),
            1
        );
    }
}

#[tokio::test]
async fn a_404_that_is_not_graphs_is_a_wrong_endpoint() {
    let server = MockServer::start().await;
    Mock::given(path(format!("/users/{USER}")))
        .respond_with(
            ResponseTemplate::new(404).set_body_raw("<html>Not Found</html>", "text/html"),
        )
        .mount(&server)
        .await;
    // The base URL without `/v1.0`.
    let err = reactivate(
        false,
        &server.uri(),
        ReactivateRequest::new(USER),
        RetryPolicy::none(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Misconfigured, "{err}");
    assert!(
        err.to_string().contains("https://graph.microsoft.com/v1.0"),
        "{err}"
    );
}

// ------------------------------------------------------------------ simulator

fn sim_client(sim: &Simulator, token: &str) -> Client {
    Client::builder(P)
        .base_url(sim.base_url())
        .bearer_token(token)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("builds")
}

fn entra(done: &Reactivated) -> &EntraUser {
    match done.details() {
        Details::EntraId(u) => u,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn simulator_reads_then_enables_and_says_not_deactivated_after() {
    let sim = Simulator::start(P).await;
    assert!(sim.base_url().ends_with("/v1.0"));
    sim.add_user(USER, sim.organization(), UserState::Deactivated);
    let client = sim_client(&sim, sim.token());
    let done = client.users().reactivate(USER).await.expect("reactivated");
    assert_eq!(entra(&done).id, USER);
    assert_eq!(
        entra(&done).user_principal_name.as_deref(),
        Some(format!("{USER}@{}", sim.organization()).as_str())
    );
    assert_eq!(sim.user_state(USER), Some(UserState::Active));
    let err = client.users().reactivate(USER).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotDeactivated);
    assert_eq!(err.status(), Some(200));

    let seen = sim.requests();
    let calls: Vec<String> = seen
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect();
    let path = format!("/v1.0/users/{USER}");
    assert_eq!(
        calls,
        [
            format!("GET {path} 200"),
            format!("PATCH {path} 204"),
            format!("GET {path} 200"),
        ]
    );
    assert_eq!(seen[1].body_text(), r#"{"accountEnabled":true}"#);
    assert_eq!(seen[1].header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn simulator_finds_users_by_object_id_or_principal_name() {
    let sim = Simulator::start(P).await;
    let guest = "adele_fabrikam.com#EXT#@contoso.onmicrosoft.com";
    sim.add_user(guest, sim.organization(), UserState::Deactivated);
    let client = sim_client(&sim, sim.token());
    // By principal name, case-insensitively.
    let done = client
        .users()
        .reactivate(guest.to_uppercase())
        .await
        .expect("found by principal name");
    let object_id = entra(&done).id.clone();
    assert_eq!(object_id.len(), 36, "{object_id}");
    assert_eq!(entra(&done).user_principal_name.as_deref(), Some(guest));
    assert_eq!(sim.user_state(guest), Some(UserState::Active));
    assert!(sim.requests()[0].path.contains("%23EXT%23"));
    // By the object id it got.
    let err = client
        .users()
        .reactivate(object_id.as_str())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotDeactivated);
    // Unknown, and of another tenant: not found.
    sim.add_user(
        "elsewhere@fabrikam.com",
        "fabrikam.onmicrosoft.com",
        UserState::Deactivated,
    );
    for id in ["nobody@contoso.com", "elsewhere@fabrikam.com"] {
        let err = client.users().reactivate(id).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{id}");
        assert_eq!(
            err.api_error().and_then(|e| e.code.as_deref()),
            Some("Request_ResourceNotFound")
        );
        assert!(err
            .api_error()
            .and_then(|e| e.trace_id.as_deref())
            .is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_permissions_tokens_and_rate_limits() {
    let sim = Simulator::start(P).await;
    sim.add_user(USER, sim.organization(), UserState::Deactivated);
    // May read, may not enable.
    sim.deny_permission("reader");
    let before = sim.requests().len();
    let err = sim_client(&sim, "reader")
        .users()
        .reactivate(USER)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert_eq!(
        err.api_error().and_then(|e| e.code.as_deref()),
        Some("Authorization_RequestDenied")
    );
    let statuses: Vec<u16> = sim.requests()[before..].iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 403]);
    // An unknown token.
    let err = sim_client(&sim, "unknown-token")
        .users()
        .reactivate(USER)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert_eq!(
        err.api_error().and_then(|e| e.code.as_deref()),
        Some("InvalidAuthenticationToken")
    );
    // A 429 with Retry-After, retried by the blocking client.
    sim.fail_next(
        1,
        Failure::TooManyRequests {
            retry_after: Some(Duration::ZERO),
        },
    );
    let (base, token) = (sim.base_url(), sim.token());
    let done = tokio::task::spawn_blocking(move || {
        userbridge_blocking::Client::builder(P)
            .base_url(base)
            .bearer_token(token)
            .retry_policy(
                RetryPolicy::default()
                    .initial_backoff(Duration::from_millis(1))
                    .max_backoff(Duration::from_millis(5)),
            )
            .build()?
            .users()
            .reactivate(USER)
    })
    .await
    .unwrap()
    .expect("reactivated after the 429");
    assert_eq!(done.attempts(), 2);
    assert_eq!(sim.user_state(USER), Some(UserState::Active));
}

// ---------------------------------------------------------------------------
// The simulator's token endpoint
// ---------------------------------------------------------------------------

/// The simulator's OAuth 2.0 token endpoint, driven with raw requests: the
/// generic checks of [`userbridge_tests::tokens`] with Entra ID's facts, and
/// Entra ID's refusals (AADSTS codes, Graph's `.default` scope, any tenant).
mod token_endpoint {
    use serde_json::json;
    use userbridge::mock::Simulator;
    use userbridge::Provider;
    use userbridge_tests::tokens::{post, token_url, with_secret, ClientAuth, TokenFacts};

    const P: Provider = Provider::EntraId;
    const GRAPH: &str = "https://graph.microsoft.com/.default";

    fn facts() -> TokenFacts {
        TokenFacts {
            provider: P,
            user: "adele.vance@contoso.com",
            // A default tenant id: one path segment.
            token_url: |sim| {
                let origin = format!("http://{}", sim.base_url().split('/').nth(2).unwrap());
                let url = token_url(sim);
                let tenant = url
                    .strip_prefix(&format!("{origin}/"))
                    .and_then(|rest| rest.strip_suffix("/oauth2/v2.0/token"))
                    .unwrap_or_else(|| panic!("{url}"));
                assert!(!tenant.is_empty() && !tenant.contains('/'), "{url}");
                url
            },
            extras: |_| vec![("scope", GRAPH.to_string())],
            assertion_audience: token_url,
            auth: ClientAuth::SecretInForm,
            success_fields: &["access_token", "expires_in", "ext_expires_in", "token_type"],
            lifetime: 3599,
            lifetime_fields: &["ext_expires_in"],
            zero_fields: &[],
        }
    }

    userbridge_tests::token_endpoint_tests!([facts()]);

    #[tokio::test]
    async fn entra_id_refusals() {
        let f = facts();
        let sim = Simulator::start(P).await;
        let id = sim.client_id().to_string();
        let wrong = with_secret(&f, &sim, &id, "wrong", "client_credentials").await;
        assert_eq!(wrong.status, 401);
        assert_eq!(wrong.body["error"], "invalid_client");
        assert_eq!(wrong.body["error_codes"], json!([7_000_215]));
        let description = wrong.body["error_description"].as_str().unwrap();
        assert!(
            description.starts_with("AADSTS7000215: Invalid client secret provided."),
            "{description}"
        );
        assert!(description.contains(&format!("for a secret added to app '{id}'")));
        let trace = wrong.body["trace_id"].as_str().unwrap();
        assert!(description.contains(&format!("\r\nTrace ID: {trace}\r\n")));
        for field in ["timestamp", "correlation_id", "error_uri"] {
            assert!(wrong.body[field].is_string(), "{field}: {wrong:?}");
        }
        let unknown = with_secret(&f, &sim, "nobody", "x", "client_credentials").await;
        assert_eq!(
            (unknown.status, unknown.body["error"].as_str()),
            (400, Some("unauthorized_client"))
        );
        assert_eq!(unknown.body["error_codes"], json!([700_016]));
        let grant = with_secret(&f, &sim, &id, sim.client_secret(), "password").await;
        assert_eq!(
            (grant.status, grant.body["error"].as_str()),
            (400, Some("unsupported_grant_type"))
        );
        // The scope must be Graph's `.default`.
        let url = token_url(&sim);
        let mut pairs = vec![
            ("grant_type", "client_credentials"),
            ("client_id", id.as_str()),
            ("client_secret", sim.client_secret()),
            ("scope", "https://graph.microsoft.com/User.Read"),
        ];
        let scope = post(&url, &pairs, None).await;
        assert_eq!(
            (scope.status, scope.body["error"].as_str()),
            (400, Some("invalid_scope"))
        );
        assert!(scope.body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS70011: "));
        pairs.pop();
        assert_eq!(post(&url, &pairs, None).await.oauth().1, "invalid_scope");
        // Any tenant is served.
        pairs.push(("scope", GRAPH));
        let other_tenant = url.replace(url.split('/').nth(3).unwrap(), "fabrikam.onmicrosoft.com");
        assert_eq!(post(&other_tenant, &pairs, None).await.status, 200);
    }
}

// ----------------------------------------- what the official Graph SDKs send

mod official_sdks {
    use super::*;
    use userbridge_tests::sim::wire;

    const JSON: (&str, &str) = ("content-type", "application/json");
    const AUTH: (&str, &str) = ("authorization", "Bearer userbridge-simulator-token");

    #[tokio::test]
    async fn patch_with_kiotas_odata_type_enables_the_user() {
        let sim = Simulator::start(P).await;
        sim.add_user(USER, sim.organization(), UserState::Deactivated);
        let url = format!("{}/users/{USER}", sim.base_url());
        // msgraph-sdk (Kiota) serializes the entity's type into every body.
        let body = r##"{"@odata.type": "#microsoft.graph.user", "accountEnabled": true}"##;
        let answer = wire("PATCH", &url, &[AUTH, JSON], Some(body)).await;
        assert_eq!(answer.status, 204, "{}", answer.text);
        assert_eq!(sim.user_state(USER), Some(UserState::Active));
        // Another entity's type is refused; so is a property User lacks.
        let group = r##"{"@odata.type": "#microsoft.graph.group", "accountEnabled": true}"##;
        let answer = wire("PATCH", &url, &[AUTH, JSON], Some(group)).await;
        assert_eq!(answer.status, 400);
        assert_eq!(answer.json["error"]["code"], "BadRequest");
        let bogus = r#"{"accountEnabled": true, "frobnicate": 1}"#;
        let answer = wire("PATCH", &url, &[AUTH, JSON], Some(bogus)).await;
        assert_eq!(answer.status, 400);
        // A writable property the simulator does not keep is taken.
        let named = r#"{"accountEnabled": false, "displayName": "Adele"}"#;
        let answer = wire("PATCH", &url, &[AUTH, JSON], Some(named)).await;
        assert_eq!(answer.status, 204, "{}", answer.text);
        assert_eq!(sim.user_state(USER), Some(UserState::Deactivated));
    }

    #[tokio::test]
    async fn filter_finds_disabled_users_and_principal_names() {
        let sim = Simulator::start(P).await;
        sim.seed_user("u1", "disabled", Some("adele@contoso.com".into()), None)
            .unwrap();
        sim.seed_user("u2", "enabled", None, Some("bob@contoso.com".into()))
            .unwrap();
        let list = |filter: &str| {
            let url = format!(
                "{}/users?$filter={}&$select=id,userPrincipalName,accountEnabled",
                sim.base_url(),
                filter.replace(' ', "%20").replace('\'', "%27")
            );
            async move { wire("GET", &url, &[AUTH], None).await }
        };
        let disabled = list("accountEnabled eq false").await;
        assert_eq!(disabled.status, 200, "{}", disabled.text);
        assert_eq!(
            disabled.json["@odata.context"],
            "https://graph.microsoft.com/v1.0/$metadata#users(id,userprincipalname,accountenabled)"
        );
        assert_eq!(
            disabled.json["value"],
            json!([{"id": "u1", "userPrincipalName": "adele@contoso.com", "accountEnabled": false}])
        );
        let by_name = list("userPrincipalName eq 'ADELE@contoso.com'").await;
        assert_eq!(by_name.json["value"][0]["id"], "u1");
        let both =
            list("accountEnabled eq true and userPrincipalName eq 'adele@contoso.com'").await;
        assert_eq!(both.json["value"], json!([]));
        let all = wire("GET", &format!("{}/users", sim.base_url()), &[AUTH], None).await;
        assert_eq!(all.json["value"].as_array().map(Vec::len), Some(2));
        assert_eq!(all.json["value"][1]["mail"], "bob@contoso.com");
        let bad = list("accountEnabled gt false").await;
        assert_eq!(bad.status, 400);
        assert_eq!(bad.json["error"]["code"], "BadRequest");
        // The seeded principal name finds the user for a reactivation too.
        let client = sim_client(&sim, sim.token());
        client
            .users()
            .reactivate("adele@contoso.com")
            .await
            .unwrap();
        assert_eq!(sim.user_state("u1"), Some(UserState::Active));
    }

    #[tokio::test]
    async fn a_wrong_method_answers_as_graph() {
        let sim = Simulator::start(P).await;
        let answer = wire("GET", &format!("{}/usrs/x", sim.base_url()), &[AUTH], None).await;
        assert_eq!(answer.status, 404);
        let answer = wire(
            "POST",
            &format!("{}/users/x", sim.base_url()),
            &[AUTH],
            None,
        )
        .await;
        assert_eq!(answer.status, 405);
        assert_eq!(answer.json["error"]["code"], "Request_BadRequest");
    }
}
