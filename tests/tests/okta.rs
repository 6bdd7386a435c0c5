//! Okta (issue 13): every user status of Okta's user model, through the async and
//! the blocking clients, with bearer and SSWS tokens; the requests as the server
//! saw them; Okta's errors; the SSWS builder option and its redaction; every
//! example of `openapi/okta.yaml` served in its flow.
//!
//! | status | calls | outcome | ends |
//! |---|---|---|---|
//! | ACTIVE | GET | NotDeactivated (code ACTIVE) | ACTIVE |
//! | SUSPENDED | GET, POST unsuspend, GET | Reactivated (unsuspend) | ACTIVE |
//! | LOCKED_OUT | GET, POST unlock, GET | Reactivated (unlock) | ACTIVE |
//! | DEPROVISIONED | GET, POST activate?sendEmail=false, GET | Reactivated (activate) | ACTIVE |
//! | STAGED | GET, POST activate?sendEmail=false, GET | Reactivated (activate), cannot sign in yet | PROVISIONED |
//! | PROVISIONED | GET, POST reactivate?sendEmail=false, GET | Reactivated (reactivate), cannot sign in yet | PROVISIONED |
//! | RECOVERY | GET | NotDeactivated (code RECOVERY) | RECOVERY |
//! | PASSWORD_EXPIRED | GET | NotDeactivated (code PASSWORD_EXPIRED) | PASSWORD_EXPIRED |
//! | (no such user) | GET | NotFound (E0000007) | - |

mod okta_auth0_support;

use std::time::Duration;

use okta_auth0_support::*;
use serde_json::{json, Value};
use userbridge::mock::{Failure, Simulator, UserState};
use userbridge::{Client, ErrorKind, OktaTransition, Provider, ReactivateRequest, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const P: Provider = Provider::Okta;
/// A user id with characters that must travel percent-encoded.
const ODD_ID: &str = "00u|ada lovelace/x@example.com";
const ODD_PATH: &str = "/api/v1/users/00u%7Cada%20lovelace%2Fx@example.com";
const TOKEN: &str = "okta-test-token-4f9a2c";

/// What a row comes to.
#[derive(Clone, Copy, Debug)]
enum Want {
    Done {
        transition: OktaTransition,
        status: &'static str,
        can_sign_in: bool,
        link: bool,
    },
    Error(ErrorKind, &'static str),
}

/// The table: status, the lifecycle operation called (if any), outcome, the
/// status the simulator ends with.
fn table() -> Vec<(&'static str, Option<&'static str>, Want, &'static str)> {
    use OktaTransition::*;
    let done = |transition, status, can_sign_in, link| Want::Done {
        transition,
        status,
        can_sign_in,
        link,
    };
    vec![
        (
            "ACTIVE",
            None,
            Want::Error(ErrorKind::NotDeactivated, "ACTIVE"),
            "ACTIVE",
        ),
        (
            "SUSPENDED",
            Some("unsuspend"),
            done(Unsuspend, "ACTIVE", true, false),
            "ACTIVE",
        ),
        (
            "LOCKED_OUT",
            Some("unlock"),
            done(Unlock, "ACTIVE", true, false),
            "ACTIVE",
        ),
        (
            "DEPROVISIONED",
            Some("activate"),
            done(Activate, "ACTIVE", true, true),
            "ACTIVE",
        ),
        (
            "STAGED",
            Some("activate"),
            done(Activate, "PROVISIONED", false, true),
            "PROVISIONED",
        ),
        (
            "PROVISIONED",
            Some("reactivate"),
            done(Reactivate, "PROVISIONED", false, true),
            "PROVISIONED",
        ),
        (
            "RECOVERY",
            None,
            Want::Error(ErrorKind::NotDeactivated, "RECOVERY"),
            "RECOVERY",
        ),
        (
            "PASSWORD_EXPIRED",
            None,
            Want::Error(ErrorKind::NotDeactivated, "PASSWORD_EXPIRED"),
            "PASSWORD_EXPIRED",
        ),
    ]
}

fn check(want: Want, result: &Result<userbridge::Reactivated, userbridge::Error>, what: &str) {
    match (want, result) {
        (
            Want::Done {
                transition,
                status,
                can_sign_in,
                link,
            },
            Ok(done),
        ) => {
            let okta = done
                .okta()
                .unwrap_or_else(|| panic!("{what}: no Okta details"));
            assert_eq!(okta.transition, transition, "{what}");
            assert_eq!(okta.status.as_deref(), Some(status), "{what}");
            assert_eq!(okta.can_sign_in(), can_sign_in, "{what}");
            assert_eq!(okta.activation_link().is_some(), link, "{what}");
            assert!(!done.already_active(), "{what}");
            assert_eq!(done.message(), None, "{what}");
            // The activation link is a credential: never in Debug or serde.
            if let Some(l) = okta.activation_link() {
                assert!(l.url().contains(l.token()), "{what}");
                let shown = format!("{done:?} {}", serde_json::to_string(done).unwrap());
                assert!(!shown.contains(l.token()), "{what}: {shown}");
            }
        }
        (Want::Error(kind, code), Err(e)) => {
            assert_eq!(e.kind(), kind, "{what}: {e}");
            assert_eq!(
                e.api_error().and_then(|a| a.code.as_deref()),
                Some(code),
                "{what}"
            );
        }
        (want, got) => panic!("{what}: wanted {want:?}, got {got:?}"),
    }
}

#[test]
fn every_status_through_the_simulator_both_clients_both_token_kinds() {
    for (status, operation, want, ends) in table() {
        for runner in RUNNERS {
            for auth in [Auth::Bearer, Auth::ApiToken] {
                let what = format!("[{runner:?} {auth:?}] {status}");
                let sim = rt().block_on(Simulator::start(P));
                sim.add_user_with_status(ODD_ID, sim.organization(), status)
                    .unwrap();
                let mut cfg = Cfg::new(P, sim.base_url(), sim.token());
                if auth == Auth::ApiToken {
                    cfg = cfg.api_token();
                }
                let result = runner.reactivate(&cfg, ODD_ID);
                check(want, &result, &what);
                assert_eq!(sim.user_status(ODD_ID).as_deref(), Some(ends), "{what}");

                // The calls, as the simulator saw them.
                let seen: Vec<(String, String)> = sim
                    .requests()
                    .into_iter()
                    .map(|r| (r.method, r.path))
                    .collect();
                let mut expected = vec![("GET".to_string(), ODD_PATH.to_string())];
                if let Some(op) = operation {
                    expected.push(("POST".into(), format!("{ODD_PATH}/lifecycle/{op}")));
                    expected.push(("GET".into(), ODD_PATH.into()));
                }
                assert_eq!(seen, expected, "{what}");
                let sent = sim.requests()[0]
                    .header("authorization")
                    .map(str::to_string);
                let shown = match auth {
                    Auth::Bearer => "Bearer <redacted>",
                    Auth::ApiToken => "SSWS <redacted>",
                };
                assert_eq!(sent.as_deref(), Some(shown), "{what}");
            }
        }
    }
    // No such user.
    for runner in RUNNERS {
        let sim = rt().block_on(Simulator::start(P));
        let cfg = Cfg::new(P, sim.base_url(), sim.token()).api_token();
        let e = runner.reactivate(&cfg, "00unknown").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "[{runner:?}] {e}");
        let api = e.api_error().unwrap();
        assert_eq!(api.code.as_deref(), Some("E0000007"));
        assert_eq!(
            api.message,
            "Not found: Resource not found: 00unknown (User)"
        );
        assert!(api.trace_id.is_some());
        assert_eq!(sim.requests().len(), 1);
    }
}

#[test]
fn the_simulator_knows_okta_statuses_and_generic_states() {
    let sim = rt().block_on(Simulator::start(P));
    assert_eq!(
        sim.statuses(),
        [
            "ACTIVE",
            "DEPROVISIONED",
            "SUSPENDED",
            "LOCKED_OUT",
            "STAGED",
            "PROVISIONED",
            "RECOVERY",
            "PASSWORD_EXPIRED"
        ]
    );
    sim.add_user("00ua", sim.organization(), UserState::Deactivated);
    assert_eq!(sim.user_status("00ua").as_deref(), Some("DEPROVISIONED"));
    sim.add_user_with_status("00ub", sim.organization(), "RECOVERY")
        .unwrap();
    assert_eq!(sim.user_state("00ub"), Some(UserState::Active));
    let err = sim
        .add_user_with_status("00uc", sim.organization(), "deleted")
        .unwrap_err();
    assert!(err.contains("LOCKED_OUT"), "{err}");
    assert_eq!(UserState::Deactivated.label(P), "deprovisioned");
}

#[test]
fn already_active_counts_as_success_when_asked() {
    for runner in RUNNERS {
        let sim = rt().block_on(Simulator::start(P));
        sim.add_user("00ua", sim.organization(), UserState::Active);
        let cfg = Cfg::new(P, sim.base_url(), sim.token());
        let done = runner
            .reactivate(&cfg, ReactivateRequest::new("00ua").allow_already_active())
            .unwrap();
        assert!(done.already_active(), "[{runner:?}]");
        assert!(done.okta().is_none());
    }
}

#[test]
fn a_lost_answer_is_recovered_by_the_retry() {
    // The unsuspend's answer is late (the simulator suspends nothing: it
    // unsuspends at once and answers after the timeout); the retry reads ACTIVE.
    for runner in RUNNERS {
        let sim = rt().block_on(Simulator::start(P));
        sim.add_user_with_status("00ua", sim.organization(), "SUSPENDED")
            .unwrap();
        sim.fail_next(1, Failure::Slow(Duration::ZERO));
        sim.fail_next(1, Failure::Slow(Duration::from_secs(3)));
        let cfg = Cfg::new(P, sim.base_url(), sim.token())
            .timeout(Duration::from_millis(400))
            .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(1)));
        let done = runner.reactivate(&cfg, "00ua").unwrap();
        assert!(done.recovered(), "[{runner:?}] {done:?}");
        assert_eq!(sim.user_status("00ua").as_deref(), Some("ACTIVE"));
    }
}

#[test]
fn permission_is_needed_for_the_lifecycle_call_only() {
    for runner in RUNNERS {
        let sim = rt().block_on(Simulator::start(P));
        sim.add_user_with_status("00ua", sim.organization(), "SUSPENDED")
            .unwrap();
        sim.deny_permission("read-only-token-123");
        let cfg = Cfg::new(P, sim.base_url(), "read-only-token-123").api_token();
        let e = runner.reactivate(&cfg, "00ua").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
        assert_eq!(e.api_error().unwrap().code.as_deref(), Some("E0000006"));
        assert_eq!(sim.requests().len(), 2);
        // An unknown token is unauthenticated, in either scheme.
        for cfg in [
            Cfg::new(P, sim.base_url(), "not-a-known-token"),
            Cfg::new(P, sim.base_url(), "not-a-known-token").api_token(),
        ] {
            let e = runner.reactivate(&cfg, "00ua").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Unauthenticated, "{e}");
            assert_eq!(e.api_error().unwrap().code.as_deref(), Some("E0000011"));
        }
    }
}

// ---------------------------------------------------------------------------
// Requests as the server saw them (wiremock)
// ---------------------------------------------------------------------------

fn user(status: &str) -> Value {
    json!({"id": "00ub0oNGTSWTBKOLGLNR", "status": status, "profile": {"login": "a@example.com"}})
}

/// Serves GET user (`before`, once; then `after`) and the lifecycle `op`.
fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

async fn okta_server(
    before: &str,
    op: &str,
    op_answer: ResponseTemplate,
    after: ResponseTemplate,
) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ODD_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(user(before)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{ODD_PATH}/lifecycle/{op}")))
        .respond_with(op_answer)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(ODD_PATH))
        .respond_with(after)
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

fn header(r: &Request, name: &str) -> Option<String> {
    r.headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

#[test]
fn requests_as_the_server_saw_them() {
    let link = json!({"activationUrl": "https://x.okta.com/tokens/AbC123tok/verify", "activationToken": "AbC123tok"});
    let rows = [
        ("SUSPENDED", "unsuspend", None, "ACTIVE"),
        ("LOCKED_OUT", "unlock", None, "ACTIVE"),
        (
            "DEPROVISIONED",
            "activate",
            Some("sendEmail=false"),
            "ACTIVE",
        ),
        ("STAGED", "activate", Some("sendEmail=false"), "PROVISIONED"),
        (
            "PROVISIONED",
            "reactivate",
            Some("sendEmail=false"),
            "PROVISIONED",
        ),
    ];
    for (before, op, query, after) in rows {
        for runner in RUNNERS {
            for auth in [Auth::Bearer, Auth::ApiToken] {
                let what = format!("[{runner:?} {auth:?}] {before}");
                let answer = if query.is_some() {
                    ResponseTemplate::new(200).set_body_json(&link)
                } else {
                    ResponseTemplate::new(200).set_body_json(json!({}))
                };
                let server = rt().block_on(okta_server(before, op, answer, ok(user(after))));
                let mut cfg = Cfg::new(P, server.uri(), TOKEN);
                if auth == Auth::ApiToken {
                    cfg = cfg.api_token();
                }
                let done = runner.reactivate(&cfg, ODD_ID).unwrap();
                assert_eq!(
                    done.okta().unwrap().status.as_deref(),
                    Some(after),
                    "{what}"
                );
                let seen = rt().block_on(server.received_requests()).unwrap();
                assert_eq!(seen.len(), 3, "{what}");
                let scheme = match auth {
                    Auth::Bearer => "Bearer",
                    Auth::ApiToken => "SSWS",
                };
                for (i, r) in seen.iter().enumerate() {
                    let (m, p) = if i == 1 {
                        ("POST", format!("{ODD_PATH}/lifecycle/{op}"))
                    } else {
                        ("GET", ODD_PATH.to_string())
                    };
                    assert_eq!(r.method.as_str(), m, "{what} #{i}");
                    assert_eq!(r.url.path(), p, "{what} #{i}");
                    assert_eq!(
                        r.url.query(),
                        if i == 1 { query } else { None },
                        "{what} #{i}"
                    );
                    assert_eq!(
                        header(r, "authorization"),
                        Some(format!("{scheme} {TOKEN}")),
                        "{what} #{i}"
                    );
                    assert_eq!(header(r, "accept").as_deref(), Some("application/json"));
                    assert!(r.body.is_empty(), "{what} #{i}: no body");
                    assert_eq!(header(r, "api-version"), None);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Okta's answers
// ---------------------------------------------------------------------------

fn okta_error(code: &str, summary: &str, causes: &[&str]) -> Value {
    json!({
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": "oaeTrace123",
        "errorCauses": causes.iter().map(|c| json!({"errorSummary": c})).collect::<Vec<_>>(),
    })
}

/// One reactivation of a SUSPENDED user whose unsuspend is answered `answer`.
fn unsuspend_answered(
    runner: Runner,
    answer: ResponseTemplate,
) -> Result<userbridge::Reactivated, userbridge::Error> {
    let server = rt().block_on(okta_server(
        "SUSPENDED",
        "unsuspend",
        answer,
        ok(user("ACTIVE")),
    ));
    runner.reactivate(&Cfg::new(P, server.uri(), TOKEN), ODD_ID)
}

#[test]
fn state_errors_of_a_lifecycle_call_mean_not_deactivated() {
    let cases = [
        (
            400,
            okta_error(
                "E0000001",
                "Api validation failed: unsuspend",
                &["Cannot unsuspend a user that is not suspended"],
            ),
        ),
        (
            403,
            okta_error(
                "E0000016",
                "Activation failed because the user is already active",
                &[],
            ),
        ),
        (
            403,
            okta_error(
                "E0000038",
                "This operation is not allowed in the user's current status.",
                &[],
            ),
        ),
    ];
    for (status, body) in cases {
        for runner in RUNNERS {
            let e = unsuspend_answered(runner, ResponseTemplate::new(status).set_body_json(&body))
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::NotDeactivated, "{e}");
            let api = e.api_error().unwrap();
            assert_eq!(api.code.as_deref(), body["errorCode"].as_str());
            assert_eq!(api.message, body["errorSummary"].as_str().unwrap());
            assert_eq!(api.trace_id.as_deref(), Some("oaeTrace123"));
            assert_eq!(api.status, status);
        }
    }
    // On the read, E0000001 is a plain invalid argument.
    for runner in RUNNERS {
        let server = rt().block_on(async {
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(400).set_body_json(okta_error(
                    "E0000001",
                    "Api validation failed: login",
                    &["login: Does not match required pattern"],
                )))
                .mount(&server)
                .await;
            server
        });
        let e = runner
            .reactivate(&Cfg::new(P, server.uri(), TOKEN), ODD_ID)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        let fe = &e.api_error().unwrap().field_errors;
        assert_eq!(fe.len(), 1);
        assert_eq!(fe[0].field, "login");
        assert_eq!(fe[0].message, "Does not match required pattern");
        assert!(
            e.to_string()
                .contains("login: Does not match required pattern"),
            "{e}"
        );
    }
}

#[test]
fn errors_keep_okta_code_message_trace_and_causes() {
    for runner in RUNNERS {
        let body = okta_error(
            "E0000006",
            "You do not have permission to perform the requested action",
            &[],
        );
        let e = unsuspend_answered(runner, ResponseTemplate::new(403).set_body_json(&body))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
        assert!(e.to_string().starts_with(
            "Okta: reactivating user 00u|ada lovelace/x@example.com: permission denied (HTTP 403, E0000006): You do not have permission"
        ), "{e}");
        // Without an errorId, Okta's request id header is the trace id.
        let mut body = okta_error(
            "E0000009",
            "Internal Server Error",
            &["a cause without a field"],
        );
        body.as_object_mut().unwrap().remove("errorId");
        let answer = ResponseTemplate::new(500)
            .set_body_json(&body)
            .insert_header("x-okta-request-id", "reqVy8wsvmBQN27h4soUE3ZEnA");
        let e = unsuspend_answered(runner, answer).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Server);
        let api = e.api_error().unwrap();
        assert_eq!(api.trace_id.as_deref(), Some("reqVy8wsvmBQN27h4soUE3ZEnA"));
        assert_eq!(api.field_errors[0].field, "errorCauses");
        assert_eq!(api.field_errors[0].message, "a cause without a field");
    }
}

#[test]
fn rate_limits_wait_until_x_rate_limit_reset() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for runner in RUNNERS {
        let answer = ResponseTemplate::new(429)
            .set_body_json(okta_error(
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
                &[],
            ))
            .insert_header("X-Rate-Limit-Limit", "600")
            .insert_header("X-Rate-Limit-Remaining", "0")
            .insert_header("X-Rate-Limit-Reset", (now + 40).to_string().as_str());
        let e = unsuspend_answered(runner, answer).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        let wait = e
            .api_error()
            .unwrap()
            .retry_after
            .expect("a wait from the reset");
        assert!(
            wait > Duration::from_secs(30) && wait <= Duration::from_secs(40),
            "{wait:?}"
        );
        // Okta sends the header on every answer: a 404 is no reason to wait.
        let answer = ResponseTemplate::new(404)
            .set_body_json(okta_error(
                "E0000007",
                "Not found: Resource not found: x (User)",
                &[],
            ))
            .insert_header("X-Rate-Limit-Reset", (now + 40).to_string().as_str());
        let e = unsuspend_answered(runner, answer).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.api_error().unwrap().retry_after, None);
        assert!(!e.to_string().contains("retry after"), "{e}");
    }
}

#[test]
fn gateway_pages_and_wrong_endpoints_are_classified() {
    for runner in RUNNERS {
        let html = ResponseTemplate::new(502)
            .set_body_raw("<html><body>Bad Gateway</body></html>", "text/html");
        let e = unsuspend_answered(runner, html).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Server, "{e}");
        let empty404 = ResponseTemplate::new(404);
        let e = unsuspend_answered(runner, empty404).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Misconfigured, "{e}");
        assert!(e.to_string().contains("base URL"), "{e}");
    }
}

#[test]
fn the_read_after_the_transition_decides_what_is_reported() {
    for runner in RUNNERS {
        // Still SUSPENDED after a 200: never a silent success.
        let server = rt().block_on(okta_server(
            "SUSPENDED",
            "unsuspend",
            ResponseTemplate::new(200),
            ok(user("SUSPENDED")),
        ));
        let e = runner
            .reactivate(&Cfg::new(P, server.uri(), TOKEN), ODD_ID)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnexpectedResponse, "{e}");
        assert!(e.to_string().contains("still SUSPENDED"), "{e}");

        // An activation under way: the status read, and where it is going.
        let mut moving = user("DEPROVISIONED");
        moving["transitioningToStatus"] = json!("ACTIVE");
        let server = rt().block_on(okta_server(
            "DEPROVISIONED",
            "activate",
            ResponseTemplate::new(200).set_body_json(json!({})),
            ok(moving.clone()),
        ));
        let done = runner
            .reactivate(&Cfg::new(P, server.uri(), TOKEN), ODD_ID)
            .unwrap();
        let okta = done.okta().unwrap();
        assert_eq!(okta.status.as_deref(), Some("DEPROVISIONED"));
        assert_eq!(okta.transitioning_to_status.as_deref(), Some("ACTIVE"));
        assert!(!okta.can_sign_in());
        assert!(okta.activation_link().is_none());

        // The read after fails: the transition happened, the status is unknown.
        let server = rt().block_on(okta_server(
            "LOCKED_OUT",
            "unlock",
            ResponseTemplate::new(200),
            ResponseTemplate::new(503).set_body_raw("<html>unavailable</html>", "text/html"),
        ));
        let done = runner
            .reactivate(&Cfg::new(P, server.uri(), TOKEN), ODD_ID)
            .unwrap();
        let okta = done.okta().unwrap();
        assert_eq!(okta.transition, OktaTransition::Unlock);
        assert_eq!(okta.status, None);
        assert!(!okta.can_sign_in());
        assert!(
            done.message().unwrap().contains("could not be read"),
            "{:?}",
            done.message()
        );

        // A user being activated already is not reactivated again.
        let server = rt().block_on(async {
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(200).set_body_json(&moving))
                .mount(&server)
                .await;
            server
        });
        let e = runner
            .reactivate(&Cfg::new(P, server.uri(), TOKEN), ODD_ID)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotDeactivated, "{e}");
        assert_eq!(rt().block_on(server.received_requests()).unwrap().len(), 1);

        // A status the SDK does not know, or none.
        for body in [user("ACTIVATING"), json!({"id": "00u1"})] {
            let server = rt().block_on(async {
                let server = MockServer::start().await;
                Mock::given(method("GET"))
                    .respond_with(ResponseTemplate::new(200).set_body_json(&body))
                    .mount(&server)
                    .await;
                server
            });
            let e = runner
                .reactivate(&Cfg::new(P, server.uri(), TOKEN), ODD_ID)
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::UnexpectedResponse, "{e}");
        }
    }
}

// ---------------------------------------------------------------------------
// SSWS API tokens
// ---------------------------------------------------------------------------

#[test]
fn api_tokens_are_checked_and_never_shown() {
    let secret = "00QCjAl4MlV-WPXM-SsWsSeCrEt";
    let b = Client::builder(P)
        .base_url("https://example.okta.com")
        .api_token(format!("  {secret}\n"));
    let client = b.clone().build().unwrap();
    for text in [
        format!("{b:?}"),
        format!("{client:?}"),
        format!("{:?}", client.users()),
    ] {
        assert!(!text.contains(secret), "{text}");
        assert!(text.contains("api_token"), "{text}");
    }
    let blocking = userbridge_blocking::Client::builder(P)
        .base_url("https://example.okta.com")
        .api_token(secret);
    assert!(!format!("{blocking:?}").contains(secret));
    blocking.build().unwrap();

    for (token, says) in [
        ("", "the API token is empty"),
        ("SSWS abcdefgh12", "without the `SSWS ` scheme"),
        ("ssws abcdefgh12", "without the `SSWS ` scheme"),
        ("a\nb", "not allowed in an HTTP header"),
    ] {
        let e = Client::builder(P)
            .base_url("https://example.okta.com")
            .api_token(token)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert!(e.to_string().contains(says), "{token:?}: {e}");
    }
    // Not for a provider without an API-token scheme.
    let e = Client::builder(Provider::Auth0)
        .base_url("https://example.us.auth0.com/api/v2")
        .api_token("abcdefgh12")
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("no API-token scheme"), "{e}");
    // The later call wins.
    let server = rt().block_on(okta_server(
        "SUSPENDED",
        "unsuspend",
        ResponseTemplate::new(200),
        ok(user("ACTIVE")),
    ));
    let client = Client::builder(P)
        .base_url(server.uri())
        .api_token("first-token-123")
        .bearer_token("second-token-456")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    rt().block_on(client.users().reactivate(ODD_ID)).unwrap();
    let seen = rt().block_on(server.received_requests()).unwrap();
    assert_eq!(
        header(&seen[0], "authorization").as_deref(),
        Some("Bearer second-token-456")
    );
}

#[test]
fn an_echoed_api_token_is_redacted() {
    let secret = "00QCjAl4MlV-WPXM-EchoedBack";
    for runner in RUNNERS {
        let server = rt().block_on(async {
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(401).set_body_json(okta_error(
                    "E0000011",
                    &format!("Invalid token provided: SSWS {secret}"),
                    &[&format!("token: {secret} is revoked")],
                )))
                .mount(&server)
                .await;
            server
        });
        let cfg = Cfg::new(P, server.uri(), secret).api_token();
        let e = runner.reactivate(&cfg, ODD_ID).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthenticated);
        let texts = [
            e.to_string(),
            format!("{e:?}"),
            serde_json::to_string(&e).unwrap(),
            e.api_error().unwrap().body.clone(),
        ];
        for text in texts {
            assert!(!text.contains(secret), "[{runner:?}] {text}");
            assert!(text.contains("<redacted>"), "[{runner:?}] {text}");
        }
        let seen = rt().block_on(server.received_requests()).unwrap();
        assert_eq!(
            header(&seen[0], "authorization"),
            Some(format!("SSWS {secret}"))
        );
    }
}

// ---------------------------------------------------------------------------
// The spec
// ---------------------------------------------------------------------------

#[test]
fn every_spec_example_comes_to_its_documented_outcome() {
    let names: Vec<String> = cases(&spec(P)).into_iter().map(|c| c.name).collect();
    for name in [
        "getUser 200 active",
        "getUser 200 suspended",
        "getUser 200 staged",
        "getUser 200 recovery",
        "getUser 404 notFound",
        "unsuspendUser 400 notSuspended",
        "activateUser 403 alreadyActive",
        "reactivateUser 200 activationLink",
        "unlockUser 403 unlockNotAllowed",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
    }
    check_spec_examples(P);
}

// ---------------------------------------------------------------------------
// The simulator's token endpoint
// ---------------------------------------------------------------------------

/// The simulator's OAuth 2.0 token endpoint, driven with raw requests: the
/// generic checks of [`userbridge_tests::tokens`] with Okta's facts, and what
/// only Okta does (no client secrets, scopes required, private key JWTs
/// verified: signature, `kid`, `aud`, `exp`, `jti`; read-only scopes).
mod token_endpoint {
    use std::time::Duration;

    use serde_json::json;
    use userbridge::mock::{Failure, Simulator, UserState};
    use userbridge::{ErrorKind, Provider};
    use userbridge_tests::tokens::{
        self, claims, fresh_jti, issue, key, post, sign, token_url, use_token, with_secret, Answer,
        ClientAuth, TokenFacts, JWT_BEARER, JWT_CLIENT,
    };

    const P: Provider = Provider::Okta;
    const OKTA_SCOPES: &str = "okta.users.read okta.users.manage";

    fn facts() -> TokenFacts {
        TokenFacts {
            provider: P,
            user: "00u1ab2cd3EF4gh5ij6k",
            token_url: |sim| format!("{}/oauth2/v1/token", sim.base_url()),
            extras: |_| vec![("scope", OKTA_SCOPES.to_string())],
            assertion_audience: token_url,
            // Service apps: private key JWT only.
            auth: ClientAuth::PrivateKeyJwt,
            success_fields: &["access_token", "expires_in", "scope", "token_type"],
            lifetime: 3600,
            lifetime_fields: &[],
            zero_fields: &[],
        }
    }

    userbridge_tests::token_endpoint_tests!([facts()]);

    #[tokio::test]
    async fn okta_refusals() {
        let f = facts();
        let sim = Simulator::start(P).await;
        let url = token_url(&sim);
        // A client secret is refused, even the default client's right one.
        let secret = with_secret(
            &f,
            &sim,
            sim.client_id(),
            sim.client_secret(),
            "client_credentials",
        )
        .await;
        assert_eq!(
            secret.oauth(),
            (
                401,
                "invalid_client",
                "Client authentication failed. Either the client or the client credentials are \
                 invalid."
            )
        );
        assert_eq!(
            with_secret(&f, &sim, "nobody", "x", "client_credentials")
                .await
                .oauth()
                .1,
            "invalid_client"
        );
        assert_eq!(
            with_secret(&f, &sim, sim.client_id(), "x", "authorization_code")
                .await
                .oauth()
                .1,
            "unsupported_grant_type"
        );
        // Scopes must be given.
        sim.add_jwt_client(JWT_CLIENT, &key("test-rsa-public.pem"), None);
        let jwt = sign(
            &key("test-rsa-pkcs8.pem"),
            None,
            &claims(JWT_CLIENT, &url, 60, &fresh_jti()),
        );
        let no_scope = post(
            &url,
            &[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &jwt),
            ],
            None,
        )
        .await;
        assert_eq!(
            no_scope.oauth(),
            (
                400,
                "invalid_scope",
                "The authorization server resource does not have any configured default scopes, \
                 'scope' must be provided."
            )
        );
    }

    #[tokio::test]
    async fn injected_failures_reach_token_requests_but_not_user_failures() {
        let f = facts();
        let sim = tokens::started(&f).await;
        sim.fail_user(f.user, 1, Failure::ServerError);
        sim.fail_next(
            1,
            Failure::TooManyRequests {
                retry_after: Some(Duration::from_millis(5)),
            },
        );
        let limited = issue(&f, &sim).await;
        assert_eq!(limited.status, 429, "{limited:?}");
        assert_eq!(limited.header("retry-after"), "1");
        assert_eq!(limited.header("retry-after-ms"), "5");
        assert_eq!(sim.token_requests(), 1);
        // The user's failure waits for a request for the user.
        let token = issue(&f, &sim).await.token();
        let err = use_token(&f, &sim, &token).await.unwrap_err();
        assert_eq!(err.status(), Some(500));
        use_token(&f, &sim, &token).await.unwrap();
        assert_eq!(sim.token_requests(), 2);
    }

    /// Posts an Okta token request with `assertion`.
    async fn okta_assertion(sim: &Simulator, assertion: &str) -> Answer {
        post(
            &token_url(sim),
            &[
                ("grant_type", "client_credentials"),
                ("scope", OKTA_SCOPES),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", assertion),
            ],
            None,
        )
        .await
    }

    #[tokio::test]
    async fn okta_verifies_private_key_jwts() {
        let f = facts();
        let sim = tokens::started(&f).await;
        sim.add_jwt_client(JWT_CLIENT, &key("test-rsa-public.pem"), Some("kid-1"));
        let url = token_url(&sim);
        let good_key = key("test-rsa-pkcs8.pem");
        let refused = |answer: Answer, description: &str| {
            assert_eq!(
                answer.oauth(),
                (401, "invalid_client", description),
                "{answer:?}"
            );
        };

        // A good assertion.
        let jti = fresh_jti();
        let good = sign(
            &good_key,
            Some("kid-1"),
            &claims(JWT_CLIENT, &url, 300, &jti),
        );
        let answer = okta_assertion(&sim, &good).await;
        assert_eq!(answer.body["scope"], OKTA_SCOPES);
        use_token(&f, &sim, &answer.token()).await.unwrap();

        // The same jti again.
        refused(
            okta_assertion(&sim, &good).await,
            "The client_assertion token has already been used.",
        );
        // Signed with another key.
        let wrong_key = sign(
            &key("other-rsa-pkcs8.pem"),
            Some("kid-1"),
            &claims(JWT_CLIENT, &url, 300, &fresh_jti()),
        );
        refused(
            okta_assertion(&sim, &wrong_key).await,
            "The client_assertion signature is invalid.",
        );
        // Another kid than the registered one, or none.
        for kid in [Some("kid-2"), None] {
            let jwt = sign(&good_key, kid, &claims(JWT_CLIENT, &url, 300, &fresh_jti()));
            refused(
                okta_assertion(&sim, &jwt).await,
                "The client_assertion JWT kid is invalid.",
            );
        }
        // Another audience: the issuer is not the token URL.
        let jwt = sign(
            &good_key,
            Some("kid-1"),
            &claims(JWT_CLIENT, &sim.base_url(), 300, &fresh_jti()),
        );
        refused(
            okta_assertion(&sim, &jwt).await,
            "The audience claim for client_assertion must be the endpoint invoked for the request.",
        );
        // Expired; more than an hour ahead.
        let jwt = sign(
            &good_key,
            Some("kid-1"),
            &claims(JWT_CLIENT, &url, -30, &fresh_jti()),
        );
        refused(
            okta_assertion(&sim, &jwt).await,
            "The client_assertion token is expired.",
        );
        let jwt = sign(
            &good_key,
            Some("kid-1"),
            &claims(JWT_CLIENT, &url, 3700, &fresh_jti()),
        );
        refused(
            okta_assertion(&sim, &jwt).await,
            "The client_assertion token has an expiration too far into the future.",
        );
        // `iss` must be the client.
        let mut other_issuer = claims(JWT_CLIENT, &url, 300, &fresh_jti());
        other_issuer["iss"] = json!("someone-else");
        let jwt = sign(&good_key, Some("kid-1"), &other_issuer);
        assert_eq!(okta_assertion(&sim, &jwt).await.status, 401);
        // An unknown client.
        let jwt = sign(
            &good_key,
            Some("kid-1"),
            &claims("0oa-unknown", &url, 300, &fresh_jti()),
        );
        assert_eq!(okta_assertion(&sim, &jwt).await.oauth().1, "invalid_client");
        // Not a JWT.
        assert_eq!(okta_assertion(&sim, "not.a.jwt").await.status, 401);

        // A token with read access only may read, not run lifecycle operations.
        let jwt = sign(
            &good_key,
            Some("kid-1"),
            &claims(JWT_CLIENT, &url, 300, &fresh_jti()),
        );
        let read_only = post(
            &url,
            &[
                ("grant_type", "client_credentials"),
                ("scope", "okta.users.read"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &jwt),
            ],
            None,
        )
        .await;
        sim.add_user(f.user, sim.organization(), UserState::Deactivated);
        let err = use_token(&f, &sim, &read_only.token()).await.unwrap_err();
        assert_eq!(
            (err.kind(), err.status()),
            (ErrorKind::PermissionDenied, Some(403))
        );
    }
}

// --------------------------------- what okta-sdk-python and -nodejs send

mod official_sdks {
    use serde_json::json;
    use userbridge::mock::{Failure, Simulator};
    use userbridge::Provider;
    use userbridge_tests::sim::wire;

    /// okta-sdk-python 3.x joins the scheme and the token without a space.
    const NO_SPACE: (&str, &str) = ("authorization", "SSWSuserbridge-simulator-token");
    const SPACED: (&str, &str) = ("authorization", "SSWS userbridge-simulator-token");

    async fn okta() -> Simulator {
        let sim = Simulator::start(Provider::Okta).await;
        sim.seed_user("00u1", "suspended", Some("ann@example.com".into()), None)
            .unwrap();
        sim.seed_user(
            "00u2",
            "deprovisioned",
            Some("bob@corp.example".into()),
            None,
        )
        .unwrap();
        sim.seed_user("00u3", "active", None, Some("cy@example.com".into()))
            .unwrap();
        sim
    }

    #[tokio::test]
    async fn ssws_without_a_space_is_an_api_token() {
        let sim = okta().await;
        let url = format!("{}/api/v1/users/00u1", sim.base_url());
        let answer = wire("GET", &url, &[NO_SPACE], None).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.json["status"], "SUSPENDED");
        let answer = wire("GET", &url, &[("authorization", "SSWSnope")], None).await;
        assert_eq!(answer.status, 401);
        assert_eq!(answer.json["errorCode"], "E0000011");
        assert_eq!(
            sim.requests()[0].header("authorization"),
            Some("SSWS <redacted>")
        );
    }

    #[tokio::test]
    async fn rate_limit_headers_and_date_on_every_answer() {
        let sim = okta().await;
        let base = sim.base_url();
        sim.fail_next(1, Failure::ServiceUnavailable);
        for (url, status) in [
            (format!("{base}/api/v1/users/00u1"), 503),
            (format!("{base}/api/v1/users/00u1"), 200),
            (format!("{base}/api/v1/users/nobody"), 404),
            (format!("{base}/api/v1/users/00u1/lifecycle/nothing"), 404),
        ] {
            let answer = wire("GET", &url, &[SPACED], None).await;
            assert_eq!(answer.status, status, "{url}: {}", answer.text);
            assert_eq!(answer.header("x-rate-limit-limit"), "600", "{url}");
            let remaining: u64 = answer.header("x-rate-limit-remaining").parse().unwrap();
            assert!(remaining < 600, "{url}");
            let reset: u64 = answer.header("x-rate-limit-reset").parse().unwrap();
            assert!(reset > 1_700_000_000, "{url}");
            assert!(
                httpdate::parse_http_date(answer.header("date")).is_ok(),
                "{url}"
            );
        }
    }

    #[tokio::test]
    async fn the_login_and_its_short_name_name_the_user() {
        let sim = okta().await;
        let base = sim.base_url();
        for name in ["ann@example.com", "ANN@example.com", "ann", "00u1"] {
            let answer = wire(
                "GET",
                &format!("{base}/api/v1/users/{name}"),
                &[SPACED],
                None,
            )
            .await;
            assert_eq!(answer.json["id"], "00u1", "{name}: {}", answer.text);
            assert_eq!(answer.json["profile"]["login"], "ann@example.com");
        }
        let unsuspended = wire(
            "POST",
            &format!("{base}/api/v1/users/ann@example.com/lifecycle/unsuspend"),
            &[SPACED],
            None,
        )
        .await;
        assert_eq!(unsuspended.status, 200);
        assert_eq!(sim.user_status("00u1").as_deref(), Some("ACTIVE"));
    }

    #[tokio::test]
    async fn activate_with_send_email_answers_an_empty_object() {
        let sim = okta().await;
        let base = sim.base_url();
        let activate = |query: &'static str| {
            let url = format!("{base}/api/v1/users/00u2/lifecycle/activate{query}");
            async move { wire("POST", &url, &[SPACED], None).await }
        };
        // sendEmail defaults to true: Okta emails the user and answers {}.
        let answer = activate("").await;
        assert_eq!((answer.status, &answer.json), (200, &json!({})));
        sim.seed_user("00u2", "deprovisioned", None, None).unwrap();
        let answer = activate("?sendEmail=true").await;
        assert_eq!(answer.json, json!({}));
        sim.seed_user("00u2", "deprovisioned", None, None).unwrap();
        let answer = activate("?sendEmail=false").await;
        assert!(answer.json["activationUrl"].is_string(), "{}", answer.text);
        assert!(answer.json["activationToken"].is_string());
    }

    #[tokio::test]
    async fn search_filter_and_q_find_users() {
        let sim = okta().await;
        let list = |query: &str| {
            let url = format!("{}/api/v1/users?{query}", sim.base_url());
            async move { wire("GET", &url, &[SPACED], None).await }
        };
        let ids = |answer: &userbridge_tests::sim::Wire| -> Vec<String> {
            answer
                .json
                .as_array()
                .unwrap_or_else(|| panic!("{}", answer.text))
                .iter()
                .map(|u| u["id"].as_str().unwrap().to_string())
                .collect()
        };
        let by_login = list("search=profile.login%20eq%20%22ann%40example.com%22").await;
        assert_eq!(ids(&by_login), ["00u1"]);
        assert!(by_login.header("link").contains("rel=\"self\""));
        let suspended = list("filter=status+eq+%22SUSPENDED%22").await;
        assert_eq!(ids(&suspended), ["00u1"]);
        let either =
            list("search=status%20eq%20%22ACTIVE%22%20or%20status%20eq%20%22DEPROVISIONED%22")
                .await;
        assert_eq!(ids(&either), ["00u2", "00u3"]);
        assert_eq!(ids(&list("q=bob").await), ["00u2"]);
        // Without a query: every user but the deprovisioned.
        assert_eq!(ids(&list("").await), ["00u1", "00u3"]);
        let bad = list("search=status%20eq").await;
        assert_eq!(bad.status, 400);
        assert_eq!(bad.json["errorCode"], "E0000031");
    }

    #[tokio::test]
    async fn unknown_routes_answer_as_okta() {
        let sim = okta().await;
        let base = sim.base_url();
        let answer = wire("GET", &format!("{base}/api/v1/userz"), &[SPACED], None).await;
        assert_eq!(answer.status, 404);
        let answer = wire(
            "DELETE",
            &format!("{base}/api/v1/users/00u1/lifecycle/unlock"),
            &[SPACED],
            None,
        )
        .await;
        assert_eq!(answer.status, 405);
        assert_eq!(answer.json["errorCode"], "E0000022");
    }
}
