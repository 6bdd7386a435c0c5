//! The embedded provider simulators (`userbridge::mock`, feature `mock`): every
//! provider's lifecycle through the SDK, every documented outcome, injected
//! failures with retries, and every answer decoded with the generated types and
//! compared with the spec's examples.

use std::time::Duration;

use serde_json::Value;
use userbridge::generated::{aitronos, flashback, nethesis, zitadel_v1, zitadel_v2};
use userbridge::mock::{Failure, ReceivedRequest, Simulator, UserState, DEFAULT_TOKEN};
use userbridge::{
    Client, ClientBuilder, Error, ErrorKind, Provider, ReactivateRequest, RetryPolicy,
};
use userbridge_tests::{expected_path, fast_retry, method, not_deactivated_example, spec_example};

/// The user of the specs' examples (a valid Aitronos id, fine for the others).
const USER: &str = "usr_abc123";
const OTHER_USER: &str = "usr_def456";
const OTHER_ORG: &str = "org_other";

/// Retries with millisecond backoffs (the default three attempts).
fn fast_retries() -> RetryPolicy {
    fast_retry(3)
}

/// A builder for the simulator with `token`: its base URL and organization,
/// a 10 s timeout, retries off.
fn builder(sim: &Simulator, token: &str) -> ClientBuilder {
    Client::builder(sim.provider())
        .base_url(sim.base_url())
        .bearer_token(token)
        .organization(sim.organization())
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
}

/// A client with `token`, retries off.
fn client_for(sim: &Simulator, token: &str) -> Client {
    builder(sim, token).build().unwrap()
}

/// A client with the simulator's token, retries off.
fn client(sim: &Simulator) -> Client {
    client_for(sim, sim.token())
}

/// A client with the simulator's token and [`fast_retries`].
fn retrying_client(sim: &Simulator) -> Client {
    builder(sim, sim.token())
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

/// A fresh simulator of `provider` with [`USER`] deactivated in its
/// organization.
async fn with_deactivated_user(provider: Provider) -> Simulator {
    let sim = Simulator::start(provider).await;
    sim.add_user(USER, sim.organization(), UserState::Deactivated);
    sim
}

/// The documented method and path on the wire (My Nethesis under `/api`).
/// `org` is the Aitronos path organization.
fn wire_route(provider: Provider, org: &str, id: &str) -> (&'static str, String) {
    (method(provider), expected_path(provider, org, id))
}

/// The simulator's server root (`http://127.0.0.1:port`, without My Nethesis'
/// `/api`), to which [`wire_route`]'s paths are relative.
fn server_root(sim: &Simulator) -> String {
    sim.base_url().trim_end_matches("/api").to_string()
}

fn api(e: &Error) -> &userbridge::ApiError {
    e.api_error()
        .unwrap_or_else(|| panic!("expected a provider answer, got {e:?}"))
}

/// Asserts the kind and status of an error, and that the raw body the SDK kept
/// contains `text`.
fn assert_error(e: &Error, kind: ErrorKind, status: u16, text: &str) {
    assert_eq!(e.kind(), kind, "{e}");
    assert_eq!(e.status(), Some(status), "{e}");
    assert!(
        api(e).body.contains(text),
        "body {:?} lacks {text:?}",
        api(e).body
    );
}

fn statuses(requests: &[ReceivedRequest]) -> Vec<u16> {
    requests.iter().map(|r| r.status).collect()
}

// ------------------------------------------------------------- SDK scenarios

async fn check_lifecycle(provider: Provider) {
    let sim = Simulator::start(provider).await;
    let org = sim.organization().to_string();
    sim.add_user(USER, &org, UserState::Deactivated);
    assert_eq!(sim.user_state(USER), Some(UserState::Deactivated));
    let client = client(&sim);

    let done = client.users().reactivate(USER).await.unwrap();
    assert_eq!(done.provider(), provider);
    assert_eq!(done.user_id(), USER);
    assert_eq!(done.attempts(), 1);
    assert!(!done.already_active());
    match provider {
        Provider::Aitronos => {
            let user = done.user().expect("Aitronos returns the user");
            assert_eq!(user.id, USER);
            assert_eq!(user.account_state, "active");
            assert_eq!(user.organization_id.as_deref(), Some(org.as_str()));
            assert_eq!(user.deactivated_at, None);
        }
        Provider::Flashback => {
            assert_eq!(done.message(), Some("User activated successfully"))
        }
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            let details = done.change_details().expect("Zitadel returns details");
            assert_eq!(details.resource_owner.as_deref(), Some(org.as_str()));
            // created (1), deactivated (2), reactivated (3)
            assert_eq!(details.sequence, Some(3));
            assert!(details
                .change_date
                .as_deref()
                .is_some_and(|d| d.ends_with('Z')));
        }
        Provider::Nethesis => {
            assert_eq!(done.message(), Some("user reactivated successfully"))
        }
        _ => unreachable!(),
    }
    assert_eq!(sim.user_state(USER), Some(UserState::Active));

    let again = client.users().reactivate(USER).await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::NotDeactivated, "{again}");
    assert_eq!(again.attempts(), 1);
    let e = api(&again);
    match provider {
        Provider::Aitronos => {
            assert_eq!(e.status, 422);
            assert_eq!(e.code.as_deref(), Some("USER_NOT_DEACTIVATED"));
            assert_eq!(
                e.message,
                "This user account is not deactivated and cannot be reactivated."
            );
            assert!(e.trace_id.as_deref().is_some_and(|t| !t.is_empty()));
        }
        Provider::Flashback => {
            assert_eq!(e.status, 400);
            assert_eq!(e.message, "User is not deleted");
        }
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            assert_eq!(e.status, 400);
            assert_eq!(e.code.as_deref(), Some("9"));
            let id = if provider == Provider::ZitadelV1 {
                "COMMAND-6M0sf"
            } else {
                "COMMAND-s5qqcz97hf"
            };
            assert_eq!(e.error_id.as_deref(), Some(id));
            assert_eq!(e.message, "User is not inactive");
        }
        Provider::Nethesis => {
            assert_eq!(e.status, 400);
            assert_eq!(e.message, "user not found or not suspended");
        }
        _ => unreachable!(),
    }
    assert_eq!(sim.user_state(USER), Some(UserState::Active));

    // What went over the wire.
    let seen = sim.requests();
    let (method, path) = wire_route(provider, &org, USER);
    assert_eq!(seen.len(), 2);
    let not_deactivated = not_deactivated_example(provider).0;
    assert_eq!(statuses(&seen), [200, not_deactivated]);
    for r in &seen {
        assert_eq!(r.method, method);
        assert_eq!(r.path, path);
        assert_eq!(r.header("authorization"), Some("Bearer <redacted>"));
        match provider {
            Provider::ZitadelV1 => {
                assert_eq!(r.header("x-zitadel-orgid"), Some(org.as_str()));
                assert_eq!(r.body_text(), "{}");
            }
            Provider::ZitadelV2 => {
                assert_eq!(r.header("x-zitadel-orgid"), None);
                assert_eq!(r.body_text(), "{}");
            }
            _ => {
                assert_eq!(r.header("x-zitadel-orgid"), None);
                assert!(r.body.is_empty(), "{}", r.body_text());
            }
        }
    }
    let dump = format!("{seen:?} {sim:?}");
    assert!(!dump.contains(DEFAULT_TOKEN), "the token leaked: {dump}");
}

async fn check_unknown_user(provider: Provider) {
    let sim = with_deactivated_user(provider).await;
    let err = client(&sim)
        .users()
        .reactivate(OTHER_USER)
        .await
        .unwrap_err();
    let text = match provider {
        Provider::Aitronos => "USER_NOT_FOUND",
        Provider::Flashback => "User not found",
        Provider::ZitadelV1 => "COMMAND-4M0sd",
        Provider::ZitadelV2 => "COMMAND-9hy5kzbuk6",
        _ => "user not found",
    };
    assert_error(&err, ErrorKind::NotFound, 404, text);
    if matches!(provider, Provider::ZitadelV1 | Provider::ZitadelV2) {
        assert_eq!(api(&err).code.as_deref(), Some("5"));
        assert_eq!(api(&err).error_id.as_deref(), Some(text));
    }
    if provider == Provider::Aitronos {
        assert_eq!(api(&err).code.as_deref(), Some("USER_NOT_FOUND"));
    }
    assert_eq!(sim.user_state(USER), Some(UserState::Deactivated));
    assert_eq!(sim.user_state(OTHER_USER), None);
    assert_eq!(statuses(&sim.requests()), [404]);
}

async fn check_bad_token(provider: Provider) {
    let sim = with_deactivated_user(provider).await;
    let err = client_for(&sim, "not-a-valid-token")
        .users()
        .reactivate(USER)
        .await
        .unwrap_err();
    let text = match provider {
        Provider::Aitronos => "UNAUTHORIZED",
        Provider::Flashback => "Unauthorized",
        Provider::ZitadelV1 | Provider::ZitadelV2 => "Token is invalid (AUTH-7fs1e)",
        _ => "invalid token",
    };
    assert_error(&err, ErrorKind::Unauthenticated, 401, text);
    if matches!(provider, Provider::ZitadelV1 | Provider::ZitadelV2) {
        assert_eq!(api(&err).code.as_deref(), Some("16"));
    }
    assert_eq!(sim.user_state(USER), Some(UserState::Deactivated));
    let seen = sim.requests();
    assert_eq!(statuses(&seen), [401]);
    assert_eq!(seen[0].header("authorization"), Some("Bearer <redacted>"));
    assert!(!format!("{seen:?}").contains("not-a-valid-token"));

    // A token added later is accepted.
    sim.add_token("not-a-valid-token");
    client_for(&sim, "not-a-valid-token")
        .users()
        .reactivate(USER)
        .await
        .unwrap();
    assert_eq!(sim.user_state(USER), Some(UserState::Active));
}

async fn check_token_without_permission(provider: Provider) {
    let sim = with_deactivated_user(provider).await;
    sim.deny_permission("read-only-token");
    let err = client_for(&sim, "read-only-token")
        .users()
        .reactivate(USER)
        .await
        .unwrap_err();
    let text = match provider {
        Provider::Aitronos => "FORBIDDEN",
        Provider::Flashback => "Insufficient permissions to activate users",
        Provider::ZitadelV1 | Provider::ZitadelV2 => "AUTHZ-HKJD33",
        _ => "insufficient permissions",
    };
    assert_error(&err, ErrorKind::PermissionDenied, 403, text);
    assert_eq!(sim.user_state(USER), Some(UserState::Deactivated));
    assert_eq!(statuses(&sim.requests()), [403]);

    // Denying the default token takes its permission away too.
    sim.deny_permission(sim.token());
    let err = client(&sim).users().reactivate(USER).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    // ... and adding it again gives it back.
    sim.add_token(sim.token());
    client(&sim).users().reactivate(USER).await.unwrap();
}

async fn check_other_organization(provider: Provider) {
    let sim = Simulator::start(provider).await;
    sim.add_user(OTHER_USER, OTHER_ORG, UserState::Deactivated);
    let client = client(&sim);
    let err = client.users().reactivate(OTHER_USER).await.unwrap_err();
    match provider {
        Provider::Aitronos => {
            // The path names the token's organization: the user is not in it.
            assert_error(&err, ErrorKind::NotFound, 404, "USER_NOT_FOUND");
            // The path names the user's organization, which is not the token's.
            let req = ReactivateRequest::new(OTHER_USER).organization(OTHER_ORG);
            let err = client.users().reactivate(req).await.unwrap_err();
            assert_error(&err, ErrorKind::PermissionDenied, 403, "FORBIDDEN");
            assert!(api(&err).body.contains(OTHER_ORG), "{}", api(&err).body);
            let paths: Vec<String> = sim.requests().into_iter().map(|r| r.path).collect();
            assert_eq!(
                paths,
                [
                    wire_route(provider, sim.organization(), OTHER_USER).1,
                    wire_route(provider, OTHER_ORG, OTHER_USER).1
                ]
            );
        }
        Provider::Flashback => {
            assert_error(
                &err,
                ErrorKind::PermissionDenied,
                403,
                "Users not in same organization",
            );
        }
        Provider::ZitadelV1 => {
            // Not found in the organization of x-zitadel-orgid (the client's default).
            assert_error(&err, ErrorKind::NotFound, 404, "COMMAND-4M0sd");
            // Naming the user's organization finds it.
            let req = ReactivateRequest::new(OTHER_USER).organization(OTHER_ORG);
            client.users().reactivate(req).await.unwrap();
            let seen = sim.requests();
            assert_eq!(seen[0].header("x-zitadel-orgid"), Some(sim.organization()));
            assert_eq!(seen[1].header("x-zitadel-orgid"), Some(OTHER_ORG));
            assert_eq!(statuses(&seen), [404, 200]);
            assert_eq!(sim.user_state(OTHER_USER), Some(UserState::Active));
            return;
        }
        Provider::ZitadelV2 => {
            assert_error(&err, ErrorKind::NotFound, 404, "COMMAND-9hy5kzbuk6");
            // The organization on the request does not matter: v2 scopes by token.
            let req = ReactivateRequest::new(OTHER_USER).organization(OTHER_ORG);
            let err = client.users().reactivate(req).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        }
        Provider::Nethesis => {
            assert_error(
                &err,
                ErrorKind::PermissionDenied,
                403,
                "customers can only suspend users in their own organization",
            );
        }
        _ => unreachable!(),
    }
    assert_eq!(sim.user_state(OTHER_USER), Some(UserState::Deactivated));

    // A token of the user's organization may reactivate it.
    sim.add_token_in("other-org-token", OTHER_ORG);
    let other = builder(&sim, "other-org-token")
        .organization(OTHER_ORG)
        .build()
        .unwrap();
    other.users().reactivate(OTHER_USER).await.unwrap();
    assert_eq!(sim.user_state(OTHER_USER), Some(UserState::Active));
}

async fn check_rate_limited_then_ok(provider: Provider) {
    for retry_after in [Some(Duration::ZERO), None] {
        let sim = with_deactivated_user(provider).await;
        sim.fail_next(1, Failure::TooManyRequests { retry_after });
        let done = retrying_client(&sim)
            .users()
            .reactivate(USER)
            .await
            .unwrap();
        assert_eq!(done.attempts(), 2);
        assert!(!done.already_active());
        let seen = sim.requests();
        assert_eq!(statuses(&seen), [429, 200], "retry_after {retry_after:?}");
        assert_eq!(seen[0].path, seen[1].path);
        assert_eq!(seen[0].method, seen[1].method);
        assert_eq!(sim.user_state(USER), Some(UserState::Active));
    }
}

async fn check_retry_after_is_sent(provider: Provider) {
    let sim = with_deactivated_user(provider).await;
    sim.fail_next(
        1,
        Failure::TooManyRequests {
            retry_after: Some(Duration::from_millis(1500)),
        },
    );
    sim.fail_next(1, Failure::TooManyRequests { retry_after: None });
    let client = client(&sim);
    let err = client.users().reactivate(USER).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert_eq!(err.status(), Some(429));
    // Whole seconds, rounded up.
    assert_eq!(api(&err).retry_after, Some(Duration::from_secs(2)));
    let err = client.users().reactivate(USER).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert_eq!(api(&err).retry_after, None);
    // Injected failures change nothing.
    assert_eq!(sim.user_state(USER), Some(UserState::Deactivated));
    client.users().reactivate(USER).await.unwrap();
    assert_eq!(statuses(&sim.requests()), [429, 429, 200]);
}

async fn check_unavailable_then_ok(provider: Provider) {
    let sim = with_deactivated_user(provider).await;
    sim.fail_next(1, Failure::ServiceUnavailable);
    let err = client(&sim).users().reactivate(USER).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
    assert_eq!(sim.user_state(USER), Some(UserState::Deactivated));

    // Queued failures run in order: 503, then 429, then the real answer.
    sim.fail_next(1, Failure::ServiceUnavailable);
    sim.fail_next(
        1,
        Failure::TooManyRequests {
            retry_after: Some(Duration::ZERO),
        },
    );
    let done = retrying_client(&sim)
        .users()
        .reactivate(USER)
        .await
        .unwrap();
    assert_eq!(done.attempts(), 3);
    assert_eq!(statuses(&sim.requests()), [503, 503, 429, 200]);
}

async fn check_slow_answer(provider: Provider) {
    let sim = with_deactivated_user(provider).await;
    // The first call takes effect but its answer comes far too late.
    sim.fail_next(1, Failure::Slow(Duration::from_secs(30)));
    let client = builder(&sim, sim.token())
        .timeout(Duration::from_secs(1))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let done = client.users().reactivate(USER).await.unwrap();
    // The retry answers "not deactivated": the timed-out attempt did the work.
    assert!(done.already_active());
    assert_eq!(done.attempts(), 2);
    let not_deactivated = not_deactivated_example(provider).0;
    assert_eq!(statuses(&sim.requests()), [200, not_deactivated]);
    assert_eq!(sim.user_state(USER), Some(UserState::Active));
}

async fn check_routing(provider: Provider) {
    let sim = Simulator::start(provider).await;
    let (method, path) = wire_route(provider, sim.organization(), USER);
    let root = server_root(&sim);
    let http = reqwest::Client::new();

    let wrong = if method == "POST" { "PUT" } else { "POST" };
    let resp = http
        .request(wrong.parse().unwrap(), format!("{root}{path}"))
        .bearer_auth(sim.token())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(resp.headers()["allow"], method);

    let resp = http
        .request(method.parse().unwrap(), format!("{root}/no/such/route"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    let text = resp.text().await.unwrap();
    assert!(text.contains("no route"), "{text}");

    // A trailing slash or an empty id is no route either.
    let resp = http
        .request(method.parse().unwrap(), format!("{root}{path}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(statuses(&sim.requests()), [405, 404, 404]);
}

// ------------------------------------------------------ wire-level decoding

/// A raw answer.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "HTTP {} body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// Sends the documented request by hand (optionally without a token). `org` is
/// the Aitronos path organization and the Zitadel v1 `x-zitadel-orgid`.
async fn send(sim: &Simulator, token: Option<&str>, org: &str, id: &str) -> Answer {
    let provider = sim.provider();
    let (method, path) = wire_route(provider, org, id);
    let root = server_root(sim);
    let mut req = reqwest::Client::new().request(method.parse().unwrap(), format!("{root}{path}"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if provider == Provider::ZitadelV1 {
        req = req.header("x-zitadel-orgid", org);
    }
    if matches!(provider, Provider::ZitadelV1 | Provider::ZitadelV2) {
        req = req.json(&serde_json::json!({}));
    }
    let resp = req.send().await.unwrap();
    Answer {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.bytes().await.unwrap().to_vec(),
    }
}

/// Decodes an answer with the generated type its status is documented with (or,
/// for statuses the spec leaves undocumented, the type of the provider's other
/// errors) and checks what it says.
fn decode(provider: Provider, a: &Answer) {
    use serde_json::from_slice;
    let status = a.status;
    let ct = a.headers["content-type"].to_str().unwrap();
    assert_eq!(ct, "application/json", "HTTP {status}");
    let grpc = |code: Option<i32>| match status {
        400 => assert!(code == Some(9), "{code:?}"),
        401 => assert_eq!(code, Some(16)),
        403 => assert_eq!(code, Some(7)),
        404 => assert_eq!(code, Some(5)),
        429 => assert_eq!(code, Some(8)),
        503 => assert_eq!(code, Some(14)),
        other => panic!("undocumented Zitadel status {other}"),
    };
    // Zitadel v1 and v2 answer alike, with the types of their own clients.
    macro_rules! zitadel {
        ($module:ident) => {
            if status == 200 {
                let ok: $module::types::ReactivateUserResponse = from_slice(&a.body).unwrap();
                let d = ok.details.unwrap();
                assert!(d.sequence.unwrap().parse::<u64>().is_ok());
                assert!(d.resource_owner.is_some() && d.change_date.is_some());
            } else {
                let e: $module::types::RpcStatus = from_slice(&a.body).unwrap();
                grpc(e.code);
                assert!(e.message.is_some());
            }
        };
    }
    match (provider, status) {
        (Provider::Aitronos, 200) => {
            let user: aitronos::types::User = from_slice(&a.body).unwrap();
            assert_eq!(user.account_state, "active");
            assert!(user.id.starts_with("usr_"));
        }
        (Provider::Aitronos, _) => {
            let env: aitronos::types::ErrorEnvelope = from_slice(&a.body).unwrap();
            assert_eq!(env.success, Some(false));
            assert_eq!(env.error.status, Some(i64::from(status)));
            let request_id = a.headers["x-request-id"].to_str().unwrap();
            assert_eq!(env.error.trace_id.as_deref(), Some(request_id));
            let ts = env.error.timestamp.unwrap();
            assert!(ts.len() == 20 && ts.ends_with('Z'), "{ts}");
        }
        (Provider::Flashback, 200) => {
            let ok: flashback::types::ActivateUserResponse = from_slice(&a.body).unwrap();
            assert_eq!(ok.success, Some(true));
        }
        (Provider::Flashback, _) => {
            let e: flashback::types::FlashbackError = from_slice(&a.body).unwrap();
            assert_eq!(e.success, Some(false));
            assert!(e.message.is_some_and(|m| !m.is_empty()));
        }
        (Provider::ZitadelV1, _) => zitadel!(zitadel_v1),
        (Provider::ZitadelV2, _) => zitadel!(zitadel_v2),
        (Provider::Nethesis, 200) => {
            let ok: nethesis::types::NethesisSuccess = from_slice(&a.body).unwrap();
            assert_eq!(ok.code, Some(200));
        }
        (Provider::Nethesis, _) => {
            // What the generated client decodes every error status into...
            let any: nethesis::types::ReactivateUserErrorBody = from_slice(&a.body).unwrap();
            let code = match any {
                nethesis::types::ReactivateUserErrorBody::ErrorResponse(e) => e.code,
                nethesis::types::ReactivateUserErrorBody::SimpleError(e) => e.code,
            };
            assert_eq!(code, Some(i64::from(status)));
            // ... and the schema the spec names for the status.
            if matches!(status, 401 | 403) {
                let _: nethesis::types::NethesisSimpleError = from_slice(&a.body).unwrap();
            } else {
                let _: nethesis::types::NethesisErrorResponse = from_slice(&a.body).unwrap();
            }
        }
        (other, _) => panic!("no decoder for {other}"),
    }
}

/// Removes the per-answer fields of an Aitronos error (trace id, timestamp).
fn without_trace(mut body: Value) -> Value {
    if let Some(error) = body.get_mut("error").and_then(Value::as_object_mut) {
        error.remove("trace_id");
        error.remove("timestamp");
    }
    body
}

async fn check_decoding(provider: Provider) {
    // Each outcome on a fresh simulator: (name, answer).
    let mut answers = Vec::new();
    for outcome in [
        "ok",
        "again",
        "unknown",
        "missing token",
        "wrong token",
        "no permission",
        "other organization",
        "429",
        "503",
    ] {
        let sim = Simulator::start(provider).await;
        let org = sim.organization().to_string();
        let mut token = Some(sim.token().to_string());
        let mut path_org = org.clone();
        match outcome {
            "again" => sim.add_user(USER, &org, UserState::Active),
            "unknown" => {}
            "missing token" => token = None,
            "wrong token" => token = Some("wrong".into()),
            "no permission" => {
                sim.deny_permission("reader");
                token = Some("reader".into());
            }
            "other organization" => {
                sim.add_user(USER, OTHER_ORG, UserState::Deactivated);
                if provider == Provider::Aitronos {
                    path_org = OTHER_ORG.to_string();
                }
            }
            "429" => sim.fail_next(
                1,
                Failure::TooManyRequests {
                    retry_after: Some(Duration::from_secs(3)),
                },
            ),
            "503" => sim.fail_next(1, Failure::ServiceUnavailable),
            _ => {}
        }
        if !matches!(outcome, "again" | "unknown" | "other organization") {
            sim.add_user(USER, &org, UserState::Deactivated);
        }
        let answer = send(&sim, token.as_deref(), &path_org, USER).await;
        decode(provider, &answer);
        assert_eq!(sim.requests().len(), 1);
        assert_eq!(sim.requests()[0].status, answer.status);
        answers.push((outcome, answer));
    }

    let status_of = |name: &str| answers.iter().find(|(n, _)| *n == name).unwrap().1.status;
    let body_of = |name: &str| answers.iter().find(|(n, _)| *n == name).unwrap().1.json();
    let expected: [u16; 9] = match provider {
        Provider::Aitronos => [200, 422, 404, 401, 401, 403, 403, 429, 503],
        Provider::Flashback | Provider::Nethesis => [200, 400, 404, 401, 401, 403, 403, 429, 503],
        _ => [200, 400, 404, 401, 401, 403, 404, 429, 503],
    };
    let got: Vec<u16> = answers.iter().map(|(_, a)| a.status).collect();
    assert_eq!(got, expected, "{provider}");
    let retry_after = answers.iter().find(|(n, _)| *n == "429").unwrap();
    assert_eq!(retry_after.1.headers["retry-after"], "3");

    // The bodies are the spec's examples.
    let same = |outcome: &str, status: &str, example: &str| {
        assert_eq!(
            body_of(outcome),
            spec_example(provider, status, example),
            "{provider}: {outcome}"
        );
    };
    match provider {
        Provider::Aitronos => {
            let same_masked = |outcome: &str, status: &str, example: &str| {
                assert_eq!(
                    without_trace(body_of(outcome)),
                    without_trace(spec_example(provider, status, example)),
                    "{provider}: {outcome}"
                );
            };
            same_masked("again", "422", "userNotDeactivated");
            same_masked("unknown", "404", "userNotFound");
            same_masked("missing token", "401", "unauthorized");
            same_masked("wrong token", "401", "unauthorized");
            same_masked("no permission", "403", "forbidden");
            // Every field the simulator sends is the page's value.
            let ok = body_of("ok");
            let example = spec_example(provider, "200", "reactivated");
            for (key, value) in ok.as_object().unwrap() {
                assert_eq!(Some(value), example.get(key), "{key}");
            }
            assert_eq!(ok["account_state"], "active");
            // The example's `retry_after` is 30; the simulator's is the injected 3.
            let limited = body_of("429");
            assert_eq!(limited["error"]["details"]["retry_after"], 3);
            let mut example = spec_example(provider, "429", "rateLimited");
            example["error"]["details"]["retry_after"] = Value::from(3);
            assert_eq!(without_trace(limited), without_trace(example));
            assert_eq!(body_of("503")["error"]["type"], "server_error");
            assert_eq!(body_of("other organization")["error"]["code"], "FORBIDDEN");
            assert_eq!(
                body_of("other organization")["error"]["details"]["organization_id"],
                OTHER_ORG
            );
        }
        Provider::Flashback => {
            same("ok", "200", "activated");
            same("again", "400", "userNotDeleted");
            same("unknown", "404", "userNotFound");
            same("no permission", "403", "insufficientPermissions");
            let unauthorized = serde_json::json!({"success": false, "message": "Unauthorized"});
            assert_eq!(body_of("missing token"), unauthorized);
            assert_eq!(body_of("wrong token"), unauthorized);
            assert_eq!(
                body_of("other organization"),
                serde_json::json!({"success": false, "message": "Users not in same organization"})
            );
        }
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            let v1 = provider == Provider::ZitadelV1;
            same("again", "default", "notInactive");
            same("unknown", if v1 { "default" } else { "404" }, "notFound");
            same(
                "no permission",
                if v1 { "default" } else { "403" },
                "permissionDenied",
            );
            same("missing token", "default", "unauthenticated");
            assert_eq!(
                body_of("wrong token")["message"],
                "Token is invalid (AUTH-7fs1e)"
            );
            assert_eq!(body_of("wrong token")["details"][0]["id"], "AUTH-7fs1e");
            // The success has the page's fields.
            let ok = body_of("ok");
            let example = spec_example(provider, "200", "reactivated");
            let keys = |v: &Value| {
                let mut k: Vec<String> =
                    v["details"].as_object().unwrap().keys().cloned().collect();
                k.sort();
                k
            };
            assert_eq!(keys(&ok), keys(&example));
            assert_eq!(ok["details"]["resourceOwner"], "69629023906488334");
            assert_eq!(ok["details"]["sequence"], "3");
            let other = body_of("other organization");
            assert_eq!(other["code"], 5);
            assert_eq!(
                other["details"][0]["id"],
                if v1 {
                    "COMMAND-4M0sd"
                } else {
                    "COMMAND-9hy5kzbuk6"
                }
            );
        }
        Provider::Nethesis => {
            same("ok", "200", "fromBackend");
            same("again", "400", "notSuspended");
            same("unknown", "404", "fromBackend");
            same("missing token", "401", "invalidToken");
            same("wrong token", "401", "invalidToken");
            same("no permission", "403", "insufficientPermissions");
            assert_eq!(
                body_of("other organization"),
                serde_json::json!({
                    "code": 403,
                    "message": "customers can only suspend users in their own organization",
                    "data": null
                })
            );
        }
        _ => unreachable!(),
    }
    assert_eq!(status_of("ok"), 200);
}

macro_rules! for_every_provider {
    ($($module:ident: $provider:expr;)*) => {$(
        mod $module {
            use super::*;

            #[tokio::test]
            async fn lifecycle() {
                check_lifecycle($provider).await
            }

            #[tokio::test]
            async fn unknown_user() {
                check_unknown_user($provider).await
            }

            #[tokio::test]
            async fn bad_token() {
                check_bad_token($provider).await
            }

            #[tokio::test]
            async fn token_without_permission() {
                check_token_without_permission($provider).await
            }

            #[tokio::test]
            async fn other_organization() {
                check_other_organization($provider).await
            }

            #[tokio::test]
            async fn rate_limited_then_ok_with_retries() {
                check_rate_limited_then_ok($provider).await
            }

            #[tokio::test]
            async fn retry_after_is_sent() {
                check_retry_after_is_sent($provider).await
            }

            #[tokio::test]
            async fn unavailable_then_ok_with_retries() {
                check_unavailable_then_ok($provider).await
            }

            #[tokio::test]
            async fn slow_answer_then_retry() {
                check_slow_answer($provider).await
            }

            #[tokio::test]
            async fn routing_errors() {
                check_routing($provider).await
            }

            #[tokio::test]
            async fn every_answer_decodes_with_the_generated_types() {
                check_decoding($provider).await
            }
        }
    )*};
}

for_every_provider! {
    aitronos_sim: Provider::Aitronos;
    flashback_sim: Provider::Flashback;
    zitadel_v1_sim: Provider::ZitadelV1;
    zitadel_v2_sim: Provider::ZitadelV2;
    nethesis_sim: Provider::Nethesis;
}

// ------------------------------------------------------------------- general

#[tokio::test]
async fn base_urls_are_what_the_client_needs() {
    for provider in Provider::ALL {
        let sim = Simulator::start(provider).await;
        let url = sim.base_url();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        assert_eq!(
            url.ends_with("/api"),
            provider == Provider::Nethesis,
            "{url}"
        );
        assert_eq!(sim.provider(), provider);
        assert_eq!(sim.token(), DEFAULT_TOKEN);
        let sim2 = Simulator::try_start(provider).await.unwrap();
        assert_ne!(sim.base_url(), sim2.base_url());
    }
}

#[tokio::test]
async fn ids_are_percent_decoded() {
    // Aitronos ids are `usr_*` with letters, digits, `_` and `-` only: nothing
    // to encode. The others take any id.
    let id = "user 1/ä%x";
    for provider in [
        Provider::Flashback,
        Provider::ZitadelV1,
        Provider::ZitadelV2,
        Provider::Nethesis,
    ] {
        let sim = Simulator::start(provider).await;
        sim.add_user(id, sim.organization(), UserState::Deactivated);
        client(&sim).users().reactivate(id).await.unwrap();
        assert_eq!(sim.user_state(id), Some(UserState::Active), "{provider}");
        let path = &sim.requests()[0].path;
        assert!(path.contains("user%201%2F%C3%A4%25x"), "{provider}: {path}");
    }
}

#[tokio::test]
async fn user_state_labels() {
    let labels: Vec<&str> = Provider::ALL
        .iter()
        .map(|p| UserState::Deactivated.label(*p))
        .collect();
    assert_eq!(
        labels,
        [
            "deactivated",
            "deleted",
            "inactive",
            "inactive",
            "suspended"
        ]
    );
    assert!(Provider::ALL
        .iter()
        .all(|p| UserState::Active.label(*p) == "active"));
}

/// The blocking client against a simulator: the simulator starts on a runtime the
/// caller owns and serves from its own thread.
#[test]
fn blocking_client_against_a_simulator() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(Simulator::start(Provider::Nethesis));
    sim.add_user("usr_123456789", sim.organization(), UserState::Deactivated);

    let client = userbridge_blocking::Client::builder(Provider::Nethesis)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .build()
        .unwrap();
    let done = client.users().reactivate("usr_123456789").unwrap();
    assert_eq!(done.message(), Some("user reactivated successfully"));
    let again = client.users().reactivate("usr_123456789").unwrap_err();
    assert_eq!(again.kind(), userbridge_blocking::ErrorKind::NotDeactivated);
    assert_eq!(sim.user_state("usr_123456789"), Some(UserState::Active));
    assert_eq!(statuses(&sim.requests()), [200, 400]);
}
