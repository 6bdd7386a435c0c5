//! Auth0 (issue 13): the two kinds of block, through the async and the blocking
//! clients; the requests as the server saw them; Auth0's errors; every example
//! of `openapi/auth0.yaml` served in its flow.
//!
//! | user | calls | outcome |
//! |---|---|---|
//! | blocked by an administrator | GET user, GET user-blocks, PATCH `{"blocked":false}` | Reactivated (admin block lifted) |
//! | blocked by brute-force protection | GET user, GET user-blocks, DELETE user-blocks | Reactivated (brute-force blocks lifted) |
//! | both | GET user, GET user-blocks, PATCH, DELETE | Reactivated (both lifted) |
//! | active (neither) | GET user, GET user-blocks | NotDeactivated |
//! | missing | GET user | NotFound (`inexistent_user`) |

mod okta_auth0_support;

use okta_auth0_support::*;
use serde_json::{json, Value};
use userbridge::mock::{Failure, Simulator, UserState};
use userbridge::{ErrorKind, Provider, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const P: Provider = Provider::Auth0;
const ID: &str = "auth0|5f7c8ec7c33c6c004bbafe82";
const USER_PATH: &str = "/api/v2/users/auth0%7C5f7c8ec7c33c6c004bbafe82";
const BLOCKS_PATH: &str = "/api/v2/user-blocks/auth0%7C5f7c8ec7c33c6c004bbafe82";
const TOKEN: &str = "auth0-test-token-4f9a2c";

/// (status word, calls after the two reads, admin block lifted, brute-force
/// blocks lifted); `None` for "not deactivated".
type Row = (&'static str, Vec<Call>, Option<(bool, usize)>);

/// A call: method and raw path.
type Call = (&'static str, &'static str);

/// The rows of the table above.
fn table() -> Vec<Row> {
    vec![
        ("blocked", vec![("PATCH", USER_PATH)], Some((true, 0))),
        (
            "brute-force-blocked",
            vec![("DELETE", BLOCKS_PATH)],
            Some((false, 1)),
        ),
        (
            "blocked+brute-force-blocked",
            vec![("PATCH", USER_PATH), ("DELETE", BLOCKS_PATH)],
            Some((true, 1)),
        ),
        ("active", vec![], None),
    ]
}

#[test]
fn every_kind_of_block_through_the_simulator_both_clients() {
    for (status, writes, want) in table() {
        for runner in RUNNERS {
            let what = format!("[{runner:?}] {status}");
            let sim = rt().block_on(Simulator::start(P));
            sim.add_user_with_status(ID, sim.organization(), status)
                .unwrap();
            let cfg = Cfg::new(P, sim.base_url(), sim.token());
            let result = runner.reactivate(&cfg, ID);
            match (want, &result) {
                (Some((admin, brute)), Ok(done)) => {
                    let d = done.auth0().unwrap_or_else(|| panic!("{what}: no details"));
                    assert_eq!(d.admin_block_lifted, admin, "{what}");
                    assert_eq!(d.brute_force_blocks_lifted, brute, "{what}");
                    assert_eq!(sim.user_status(ID).as_deref(), Some("active"), "{what}");
                    assert_eq!(sim.user_state(ID), Some(UserState::Active));
                }
                (None, Err(e)) => {
                    assert_eq!(e.kind(), ErrorKind::NotDeactivated, "{what}: {e}");
                    assert!(e.to_string().contains("not blocked"), "{what}: {e}");
                }
                (want, got) => panic!("{what}: wanted {want:?}, got {got:?}"),
            }
            let seen = sim.requests();
            let calls: Vec<(String, String)> = seen
                .iter()
                .map(|r| (r.method.clone(), r.path.clone()))
                .collect();
            let mut expected = vec![
                ("GET".to_string(), USER_PATH.to_string()),
                ("GET".to_string(), BLOCKS_PATH.to_string()),
            ];
            expected.extend(writes.iter().map(|(m, p)| (m.to_string(), p.to_string())));
            assert_eq!(calls, expected, "{what}");
            for r in &seen {
                assert_eq!(
                    r.header("authorization"),
                    Some("Bearer <redacted>"),
                    "{what}"
                );
                if r.method == "PATCH" {
                    let body: Value = serde_json::from_slice(&r.body).unwrap();
                    assert_eq!(body, json!({"blocked": false}), "{what}");
                    assert!(r
                        .header("content-type")
                        .is_some_and(|c| c.starts_with("application/json")));
                } else {
                    assert!(r.body.is_empty(), "{what}: {} has no body", r.method);
                }
            }
        }
    }
    // Missing.
    for runner in RUNNERS {
        let sim = rt().block_on(Simulator::start(P));
        let e = runner
            .reactivate(&Cfg::new(P, sim.base_url(), sim.token()), ID)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
        let api = e.api_error().unwrap();
        assert_eq!(api.code.as_deref(), Some("inexistent_user"));
        assert_eq!(api.message, "The user does not exist.");
        assert_eq!(sim.requests().len(), 1);
    }
}

#[test]
fn the_simulator_keeps_both_kinds_of_block() {
    let sim = rt().block_on(Simulator::start(P));
    assert_eq!(
        sim.statuses(),
        [
            "active",
            "blocked",
            "brute-force-blocked",
            "blocked+brute-force-blocked"
        ]
    );
    sim.add_user("u1", sim.organization(), UserState::Deactivated);
    assert_eq!(sim.user_status("u1").as_deref(), Some("blocked"));
    assert_eq!(UserState::Deactivated.label(P), "blocked");
    // A token without update:users reads, but does not unblock.
    sim.deny_permission("read-only-token-1");
    for runner in RUNNERS {
        let cfg = Cfg::new(P, sim.base_url(), "read-only-token-1");
        let e = runner.reactivate(&cfg, "u1").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
        assert_eq!(
            e.api_error().unwrap().code.as_deref(),
            Some("insufficient_scope")
        );
        let e = runner
            .reactivate(&Cfg::new(P, sim.base_url(), "unknown-token-1"), "u1")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e}");
        assert_eq!(e.api_error().unwrap().message, "Invalid token.");
    }
    assert_eq!(sim.user_status("u1").as_deref(), Some("blocked"));
}

#[test]
fn an_injected_rate_limit_is_waited_out() {
    for runner in RUNNERS {
        let sim = rt().block_on(Simulator::start(P));
        sim.add_user_with_status(ID, sim.organization(), "brute-force-blocked")
            .unwrap();
        sim.fail_next(
            1,
            Failure::TooManyRequests {
                retry_after: Some(std::time::Duration::ZERO),
            },
        );
        let cfg = Cfg::new(P, sim.base_url(), sim.token())
            .retry(RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1)));
        let done = runner.reactivate(&cfg, ID).unwrap();
        assert_eq!(done.attempts(), 2, "[{runner:?}]");
        let seen = sim.requests();
        assert_eq!(seen[0].status, 429);
    }
}

// ---------------------------------------------------------------------------
// Auth0's answers (wiremock)
// ---------------------------------------------------------------------------

fn auth0_error(status: u16, code: Option<&str>, message: &str) -> Value {
    let mut v = json!({"statusCode": status, "error": "Reason", "message": message});
    if let Some(code) = code {
        v["errorCode"] = json!(code);
    }
    v
}

/// A server for a user that is `blocked` with `brute` brute-force blocks, whose
/// PATCH and DELETE are answered as given.
async fn auth0_server(
    blocked: bool,
    brute: usize,
    patch: ResponseTemplate,
    delete: ResponseTemplate,
) -> MockServer {
    let server = MockServer::start().await;
    let mut user = json!({"user_id": ID, "email": "jane@example.com"});
    if blocked {
        user["blocked"] = json!(true);
    }
    let blocks: Vec<Value> = (0..brute)
        .map(|i| json!({"identifier": "jane@example.com", "ip": format!("203.0.113.{i}")}))
        .collect();
    Mock::given(method("GET"))
        .and(path(USER_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(user))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(BLOCKS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "blocked_for": blocks })))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(USER_PATH))
        .respond_with(patch)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(BLOCKS_PATH))
        .respond_with(delete)
        .mount(&server)
        .await;
    server
}

fn unblocked() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"user_id": ID, "blocked": false}))
}

#[test]
fn requests_as_the_server_saw_them() {
    for runner in RUNNERS {
        let server = rt().block_on(auth0_server(
            true,
            2,
            unblocked(),
            ResponseTemplate::new(204),
        ));
        let done = runner
            .reactivate(&Cfg::new(P, format!("{}/api/v2", server.uri()), TOKEN), ID)
            .unwrap();
        let d = done.auth0().unwrap();
        assert!(d.admin_block_lifted);
        assert_eq!(d.brute_force_blocks_lifted, 2);
        let seen = rt().block_on(server.received_requests()).unwrap();
        let calls: Vec<(&str, &str)> = seen
            .iter()
            .map(|r| (r.method.as_str(), r.url.path()))
            .collect();
        assert_eq!(
            calls,
            [
                ("GET", USER_PATH),
                ("GET", BLOCKS_PATH),
                ("PATCH", USER_PATH),
                ("DELETE", BLOCKS_PATH)
            ],
            "[{runner:?}]"
        );
        for r in &seen {
            assert_eq!(r.url.query(), None);
            let auth = r
                .headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_string());
            assert_eq!(auth, Some(format!("Bearer {TOKEN}")));
        }
        assert_eq!(seen[2].body, br#"{"blocked":false}"#);
        assert!(seen[3].body.is_empty());
    }
}

#[test]
fn errors_keep_auth0_code_and_message() {
    for runner in RUNNERS {
        let cases = [
            (
                400,
                Some("invalid_body"),
                "Payload validation error",
                ErrorKind::InvalidArgument,
            ),
            (401, None, "Invalid token.", ErrorKind::Unauthenticated),
            (
                403,
                Some("insufficient_scope"),
                "Insufficient scope; expected any of: update:users.",
                ErrorKind::PermissionDenied,
            ),
            (
                404,
                Some("inexistent_user"),
                "The user does not exist.",
                ErrorKind::NotFound,
            ),
            (500, None, "Internal error", ErrorKind::Server),
        ];
        for (status, code, message, kind) in cases {
            let patch =
                ResponseTemplate::new(status).set_body_json(auth0_error(status, code, message));
            let server = rt().block_on(auth0_server(true, 0, patch, ResponseTemplate::new(204)));
            let e = runner
                .reactivate(&Cfg::new(P, format!("{}/api/v2", server.uri()), TOKEN), ID)
                .unwrap_err();
            assert_eq!(e.kind(), kind, "{status}: {e}");
            let api = e.api_error().unwrap();
            assert_eq!(api.code.as_deref(), code, "{status}");
            assert_eq!(api.message, message, "{status}");
            assert_eq!(api.status, status);
        }
    }
}

#[test]
fn rate_limits_wait_until_x_ratelimit_reset() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for runner in RUNNERS {
        let patch = ResponseTemplate::new(429)
            .set_body_json(auth0_error(
                429,
                Some("too_many_requests"),
                "Global limit has been reached",
            ))
            .insert_header("x-ratelimit-limit", "50")
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", (now + 20).to_string().as_str());
        let server = rt().block_on(auth0_server(true, 0, patch, ResponseTemplate::new(204)));
        let e = runner
            .reactivate(&Cfg::new(P, format!("{}/api/v2", server.uri()), TOKEN), ID)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        let wait = e.api_error().unwrap().retry_after.unwrap();
        assert!(
            wait > std::time::Duration::from_secs(10) && wait <= std::time::Duration::from_secs(20),
            "{wait:?}"
        );
    }
}

#[test]
fn partial_and_untrue_answers_are_never_a_success() {
    for runner in RUNNERS {
        // The PATCH says the user is still blocked.
        let still =
            ResponseTemplate::new(200).set_body_json(json!({"user_id": ID, "blocked": true}));
        let server = rt().block_on(auth0_server(true, 0, still, ResponseTemplate::new(204)));
        let base = format!("{}/api/v2", server.uri());
        let e = runner
            .reactivate(&Cfg::new(P, &base, TOKEN), ID)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnexpectedResponse, "{e}");
        assert!(e.to_string().contains("still blocked"), "{e}");

        // The admin block is lifted, the brute-force blocks are not: an error
        // that says so.
        let denied = ResponseTemplate::new(403).set_body_json(auth0_error(
            403,
            Some("insufficient_scope"),
            "Insufficient scope; expected any of: update:users.",
        ));
        let server = rt().block_on(auth0_server(true, 1, unblocked(), denied));
        let base = format!("{}/api/v2", server.uri());
        let e = runner
            .reactivate(&Cfg::new(P, &base, TOKEN), ID)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
        assert!(
            e.to_string().contains(
                "the administrator's block was lifted, the brute-force protection blocks were not"
            ),
            "{e}"
        );
    }
}

#[test]
fn a_wrong_base_url_is_not_user_not_found() {
    for runner in RUNNERS {
        // Auth0's answer for a path the API does not serve: its shape, no errorCode.
        let server = rt().block_on(async {
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(404).set_body_json(
                    json!({"statusCode": 404, "error": "Not Found", "message": "Not Found"}),
                ))
                .mount(&server)
                .await;
            server
        });
        // The tenant domain without `/api/v2`.
        let e = runner
            .reactivate(&Cfg::new(P, server.uri(), TOKEN), ID)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Misconfigured, "{e}");
        assert!(e.to_string().contains("/api/v2"), "{e}");
    }
}

// ---------------------------------------------------------------------------
// The spec
// ---------------------------------------------------------------------------

#[test]
fn every_spec_example_comes_to_its_documented_outcome() {
    let names: Vec<String> = cases(&spec(P)).into_iter().map(|c| c.name).collect();
    for name in [
        "getUser 200 blocked",
        "getUser 200 active",
        "getUserBlocks 200 bruteForce",
        "updateUser 200 unblocked",
        "deleteUserBlocks 403 insufficientScope",
        "getUser 404 notFound",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
    }
    check_spec_examples(P);
}

// ---------------------------------------------------------------------------
// The simulator's token endpoint
// ---------------------------------------------------------------------------

/// The simulator's OAuth 2.0 token endpoint, driven with raw requests: the
/// generic checks of [`userbridge_tests::tokens`] with Auth0's facts, and
/// Auth0's refusals (the audience, JSON bodies).
mod token_endpoint {
    use serde_json::json;
    use userbridge::mock::Simulator;
    use userbridge::Provider;
    use userbridge_tests::tokens::{post, send, token_url, with_secret, ClientAuth, TokenFacts};

    const P: Provider = Provider::Auth0;

    /// The simulator's server root (`http://127.0.0.1:port`).
    fn origin(sim: &Simulator) -> String {
        format!("http://{}", sim.base_url().split('/').nth(2).unwrap())
    }

    fn facts() -> TokenFacts {
        TokenFacts {
            provider: P,
            user: "auth0|64b5f1c2e4b0a1b2c3d4e5f6",
            token_url: |sim| format!("{}/oauth/token", origin(sim)),
            // The Management API's identifier.
            extras: |sim| vec![("audience", format!("{}/", sim.base_url()))],
            // The tenant's issuer.
            assertion_audience: |sim| format!("{}/", sim.base_url().trim_end_matches("/api/v2")),
            auth: ClientAuth::SecretInForm,
            success_fields: &["access_token", "expires_in", "scope", "token_type"],
            lifetime: 86_400,
            lifetime_fields: &[],
            zero_fields: &[],
        }
    }

    userbridge_tests::token_endpoint_tests!([facts()]);

    #[tokio::test]
    async fn auth0_refusals() {
        let f = facts();
        let sim = Simulator::start(P).await;
        let id = sim.client_id().to_string();
        let unauthorized = (401, "access_denied", "Unauthorized");
        assert_eq!(
            with_secret(&f, &sim, &id, "wrong", "client_credentials")
                .await
                .oauth(),
            unauthorized
        );
        assert_eq!(
            with_secret(&f, &sim, "nobody", "x", "client_credentials")
                .await
                .oauth(),
            unauthorized
        );
        assert_eq!(
            with_secret(&f, &sim, &id, sim.client_secret(), "password")
                .await
                .oauth()
                .0,
            400
        );
        assert_eq!(
            with_secret(&f, &sim, &id, sim.client_secret(), "password")
                .await
                .oauth()
                .1,
            "unsupported_grant_type"
        );
        // The audience must be the Management API's identifier.
        let url = token_url(&sim);
        let base = [
            ("grant_type", "client_credentials"),
            ("client_id", id.as_str()),
            ("client_secret", sim.client_secret()),
        ];
        let mut other = base.to_vec();
        other.push(("audience", "https://example.us.auth0.com/api/v2/"));
        assert_eq!(
            post(&url, &other, None).await.oauth(),
            (
                403,
                "access_denied",
                "Service not found: https://example.us.auth0.com/api/v2/"
            )
        );
        let no_slash = sim.base_url();
        let mut other = base.to_vec();
        other.push(("audience", &no_slash));
        assert_eq!(post(&url, &other, None).await.status, 403);
        assert_eq!(post(&url, &base, None).await.status, 403);
        // A JSON body is read too.
        let body = json!({
            "grant_type": "client_credentials",
            "client_id": id,
            "client_secret": sim.client_secret(),
            "audience": format!("{}/", sim.base_url()),
        });
        let answer = send(&url, "application/json", body.to_string(), None).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        // Its secret is redacted in the record too.
        let recorded = sim.requests().last().unwrap().body_text();
        assert!(!recorded.contains(sim.client_secret()), "{recorded}");
    }
}

// ------------------------------- what auth0-python and node-auth0 send

mod official_sdks {
    use serde_json::{json, Value};
    use userbridge::mock::Simulator;
    use userbridge::Provider;
    use userbridge_tests::sim::{wire, Wire};

    const AUTH: (&str, &str) = ("authorization", "Bearer userbridge-simulator-token");
    const JSON: (&str, &str) = ("content-type", "application/json");

    async fn auth0() -> Simulator {
        let sim = Simulator::start(Provider::Auth0).await;
        sim.seed_user("auth0|1", "blocked", None, Some("ann@example.com".into()))
            .unwrap();
        sim.seed_user(
            "auth0|2",
            "blocked+brute-force-blocked",
            Some("bob".into()),
            Some("bob@example.com".into()),
        )
        .unwrap();
        sim.seed_user("auth0|3", "active", None, None).unwrap();
        sim
    }

    fn ids(answer: &Wire) -> Vec<String> {
        answer
            .json
            .as_array()
            .unwrap_or_else(|| panic!("{}", answer.text))
            .iter()
            .map(|u| u["user_id"].as_str().unwrap().to_string())
            .collect()
    }

    #[tokio::test]
    async fn unblock_with_app_metadata_merges_it() {
        let sim = auth0().await;
        let url = format!("{}/users/auth0%7C1", sim.base_url());
        let first = r#"{"app_metadata": {"plan": "pro", "seats": 3}}"#;
        let answer = wire("PATCH", &url, &[AUTH, JSON], Some(first)).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let body =
            r#"{"blocked": false, "app_metadata": {"reactivated_by": "ops", "seats": null}}"#;
        let answer = wire("PATCH", &url, &[AUTH, JSON], Some(body)).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.json["blocked"], false);
        assert_eq!(
            answer.json["app_metadata"],
            json!({"plan": "pro", "reactivated_by": "ops"})
        );
        assert_eq!(sim.user_status("auth0|1").as_deref(), Some("active"));
        let read = wire("GET", &url, &[AUTH], None).await;
        assert_eq!(read.json["app_metadata"]["plan"], "pro");
        // Auth0's payload validation: unknown attributes and wrong types.
        let answer = wire(
            "PATCH",
            &url,
            &[AUTH, JSON],
            Some(r#"{"blocked": false, "x": 1}"#),
        )
        .await;
        assert_eq!(answer.status, 400);
        assert_eq!(answer.json["errorCode"], "invalid_body");
        let answer = wire("PATCH", &url, &[AUTH, JSON], Some(r#"{"blocked": "no"}"#)).await;
        assert_eq!(answer.status, 400);
        assert!(answer.json["message"].as_str().unwrap().contains("boolean"));
    }

    #[tokio::test]
    async fn users_by_email_and_lucene_search() {
        let sim = auth0().await;
        let base = sim.base_url();
        let get = |path: String| async move { wire("GET", &path, &[AUTH], None).await };
        let by_email = get(format!("{base}/users-by-email?email=ann%40example.com")).await;
        assert_eq!(ids(&by_email), ["auth0|1"]);
        assert_eq!(by_email.json[0]["blocked"], true);
        // Case-sensitive, as Auth0 documents the parameter.
        assert_eq!(
            ids(&get(format!("{base}/users-by-email?email=ANN%40example.com")).await),
            Vec::<String>::new()
        );
        let missing = get(format!("{base}/users-by-email")).await;
        assert_eq!(missing.status, 400);

        let q = |q: &str| {
            format!(
                "{base}/users?q={}&search_engine=v3",
                q.replace(' ', "%20").replace('"', "%22")
            )
        };
        assert_eq!(
            ids(&get(q(r#"email:"bob@example.com""#)).await),
            ["auth0|2"]
        );
        assert_eq!(ids(&get(q("blocked:true")).await), ["auth0|1", "auth0|2"]);
        assert_eq!(
            ids(&get(q(r#"blocked:true AND email:"ann@example.com""#)).await),
            ["auth0|1"]
        );
        assert_eq!(
            ids(&get(q("user_id:\"auth0|3\" OR email:bob*")).await),
            ["auth0|2", "auth0|3"]
        );
        let totals = get(format!(
            "{}&include_totals=true&per_page=1",
            q("blocked:true")
        ))
        .await;
        assert_eq!(totals.json["total"], 2);
        assert_eq!(totals.json["users"].as_array().map(Vec::len), Some(1));
        let v2 = get(format!("{base}/users?q=x:y&search_engine=v2")).await;
        assert_eq!(v2.status, 400);
    }

    #[tokio::test]
    async fn user_blocks_by_identifier_and_their_release() {
        let sim = auth0().await;
        let url = format!(
            "{}/user-blocks?identifier=bob%40example.com",
            sim.base_url()
        );
        let blocks = wire("GET", &url, &[AUTH], None).await;
        assert_eq!(blocks.status, 200, "{}", blocks.text);
        assert_eq!(
            blocks.json["blocked_for"][0]["identifier"],
            "bob@example.com"
        );
        let lifted = wire("DELETE", &url, &[AUTH], None).await;
        assert_eq!(lifted.status, 204);
        // Only the brute-force block is lifted.
        assert_eq!(sim.user_status("auth0|2").as_deref(), Some("blocked"));
        let blocks = wire("GET", &url, &[AUTH], None).await;
        assert_eq!(blocks.json, json!({"blocked_for": []}));
        let missing = wire(
            "GET",
            &format!("{}/user-blocks", sim.base_url()),
            &[AUTH],
            None,
        )
        .await;
        assert_eq!(missing.status, 400);
    }

    #[tokio::test]
    async fn unknown_routes_and_rate_limit_headers_as_auth0() {
        let sim = auth0().await;
        let answer = wire("GET", &format!("{}/userz", sim.base_url()), &[AUTH], None).await;
        assert_eq!(answer.status, 404);
        assert_eq!(
            answer.json,
            json!({"statusCode": 404, "error": "Not Found", "message": "Not Found"})
        );
        assert_eq!(answer.header("x-ratelimit-limit"), "50");
        let answer = wire(
            "POST",
            &format!("{}/users/auth0%7C1", sim.base_url()),
            &[AUTH],
            None,
        )
        .await;
        assert_eq!(answer.status, 404);
        assert!(answer.json["message"].is_string());
        let read = wire(
            "GET",
            &format!("{}/users/auth0%7C3", sim.base_url()),
            &[AUTH],
            None,
        )
        .await;
        assert!(read.header("x-ratelimit-remaining").parse::<u64>().is_ok());
        let _: Value = read.json;
    }
}
