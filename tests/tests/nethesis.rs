//! My Nethesis: what only My Nethesis does.
//!
//! The generic suites cover My Nethesis from `openapi/nethesis.yaml`. Here: the
//! architecture's rows for My Nethesis, its refinement of a 400 by the body
//! (`validation_error` field errors, `external_api_error` as an upstream
//! failure), the literal values of its answers, its simulator (organization
//! scoping, texts) and its generated client.

use std::time::Duration;

use serde_json::{json, Value};
use userbridge::generated::{nethesis, CallContext};
use userbridge::mock::{Simulator, UserState};
use userbridge_tests::classify::{classification_holds, client_kinds};
use userbridge_tests::generated::check_generated_examples;
use userbridge_tests::hostile::{self, HostileCase};
use userbridge_tests::sim::{self, answer_to, api, assert_error, client, simulator_answers};
use userbridge_tests::{
    assert_spec_agrees_with_architecture, call_example, gen_outcome, runners, spec, Answer,
    ErrorKind, Provider,
};

const P: Provider = Provider::Nethesis;

/// ARCHITECTURE.md's error-mapping rows for My Nethesis, written out by hand:
/// 200 `{code: 200, message, data}` -> Reactivated with the message; 400
/// `validation_error` -> InvalidArgument with field errors; 400 `user not found
/// or not suspended` -> NotDeactivated; 400 `external_api_error` -> Server; 401 /
/// 403 / 404 -> Unauthenticated / PermissionDenied / NotFound whatever the body's
/// `code`; and the rows for any provider: 429 -> RateLimited, another
/// undocumented status (500, 503) by status.
#[test]
fn spec_agrees_with_the_architecture() {
    use ErrorKind::*;
    assert_spec_agrees_with_architecture(
        P,
        &[
            ("200", "reactivated", None),
            ("200", "fromBackend", None),
            ("400", "validationError", Some(InvalidArgument)),
            ("400", "notSuspended", Some(NotDeactivated)),
            ("400", "externalApiError", Some(Server)),
            ("401", "invalidToken", Some(Unauthenticated)),
            ("403", "insufficientPermissions", Some(PermissionDenied)),
            ("404", "pageExample", Some(NotFound)),
            ("404", "fromBackend", Some(NotFound)),
            ("429", "tooManyRequests", Some(RateLimited)),
            ("500", "failedToReactivate", Some(Server)),
            ("503", "serviceUnavailable", Some(Server)),
        ],
    );
}

/// The key rules with literal values (so a mistake shared by the spec data and
/// the SDK cannot hide), through both clients.
#[test]
fn key_rules_with_literal_values() {
    for runner in runners() {
        let runner = runner.as_ref();
        // The 404 page example says "code": 400 and is NotFound.
        let e = call_example(runner, P, "404", "pageExample", "u1").expect_err("an error");
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.status(), Some(404));
        let e = call_example(runner, P, "400", "validationError", "u1").expect_err("an error");
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let f = &e.api_error().expect("api error").field_errors;
        assert_eq!(f.len(), 1);
        assert_eq!(
            (
                f[0].field.as_str(),
                f[0].message.as_str(),
                f[0].value.as_deref()
            ),
            ("username", "required", Some("string"))
        );
        let e = call_example(runner, P, "400", "notSuspended", "u1").expect_err("an error");
        assert_eq!(e.kind(), ErrorKind::NotDeactivated);
        let e = call_example(runner, P, "400", "externalApiError", "u1").expect_err("an error");
        assert_eq!(e.kind(), ErrorKind::Server);
        let done = call_example(runner, P, "200", "fromBackend", "u1").expect("a success");
        assert_eq!(done.message(), Some("user reactivated successfully"));
    }
}

/// Whether `body` is an upstream-failure answer (`data.type =
/// external_api_error`).
fn is_upstream_failure(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/data/type")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .is_some_and(|t| t == "external_api_error")
}

/// The classification property with My Nethesis' exact rule for a 400: an
/// upstream failure (`external_api_error`) is `Server` and nothing else; any
/// other 400 is a client-error kind, never `Server`.
#[test]
fn classification_holds_with_the_400_rule() {
    let rule = |status: u16, body: &[u8]| -> Option<Vec<ErrorKind>> {
        (status == 400).then(|| {
            if is_upstream_failure(body) {
                vec![ErrorKind::Server]
            } else {
                client_kinds()
            }
        })
    };
    let failures = classification_holds(P, &[], Some(&rule));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// 2xx bodies that are not the success shape.
#[test]
fn wrong_shape_successes_are_unexpected() {
    let cases: Vec<HostileCase> = [r#"{"code":"ok"}"#, r#"{"message":5}"#, r#"{"data":[]}"#]
        .into_iter()
        .map(|body| {
            HostileCase::new(
                format!("200 wrong shape {body}"),
                Answer::raw(200, "application/json", body),
                ErrorKind::UnexpectedResponse,
            )
        })
        .collect();
    let mut failures = Vec::new();
    for runner in runners() {
        failures.extend(hostile::run(runner.as_ref(), P, &cases));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// The simulator
// ---------------------------------------------------------------------------

async fn lifecycle_in_words() {
    let user = sim::user(P);
    let other_user = sim::other_user(P);
    let other_user = other_user.as_str();
    let sim = sim::with_deactivated_user(P).await;
    let done = client(&sim).users().reactivate(user).await.unwrap();
    assert_eq!(done.message(), Some("user reactivated successfully"));
    let again = client(&sim).users().reactivate(user).await.unwrap_err();
    assert_eq!(api(&again).status, 400);
    assert_eq!(api(&again).message, "user not found or not suspended");
    assert!(again.to_string().starts_with(&format!(
        "My Nethesis: user {user} is not deactivated (HTTP 400): user not found or not suspended"
    )));
    for r in sim.requests() {
        assert_eq!(r.header("x-zitadel-orgid"), None);
        assert!(r.body.is_empty(), "{}", r.body_text());
        assert!(r.path.starts_with("/api/users/"), "{}", r.path);
    }
    let err = client(&sim)
        .users()
        .reactivate(other_user)
        .await
        .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, 404, "user not found");
    assert!(err.to_string().starts_with(&format!(
        "My Nethesis: user {other_user} not found (HTTP 404): user not found"
    )));
}

async fn tokens_in_words() {
    let user = sim::user(P);
    let sim = sim::with_deactivated_user(P).await;
    let err = sim::client_for(&sim, "not-a-valid-token")
        .users()
        .reactivate(user)
        .await
        .unwrap_err();
    assert_error(&err, ErrorKind::Unauthenticated, 401, "invalid token");
    sim.deny_permission("read-only-token");
    let err = sim::client_for(&sim, "read-only-token")
        .users()
        .reactivate(user)
        .await
        .unwrap_err();
    assert_error(
        &err,
        ErrorKind::PermissionDenied,
        403,
        "insufficient permissions",
    );
}

async fn other_organization_in_words() {
    let other_user = sim::other_user(P);
    let other_user = other_user.as_str();
    let other_org = sim::other_org(P);
    let other_org = other_org.as_str();
    let sim = Simulator::start(P).await;
    sim.add_user(other_user, other_org, UserState::Deactivated);
    let err = client(&sim)
        .users()
        .reactivate(other_user)
        .await
        .unwrap_err();
    assert_error(
        &err,
        ErrorKind::PermissionDenied,
        403,
        "customers can only suspend users in their own organization",
    );
    assert_eq!(sim.user_state(other_user), Some(UserState::Deactivated));
}

async fn answers_in_words() {
    use serde_json::from_slice;
    let answers = simulator_answers(P).await;
    for (situation, a) in &answers {
        let status = a.status;
        if status == 200 {
            let ok: nethesis::types::NethesisSuccess = from_slice(&a.body).unwrap();
            assert_eq!(ok.code, Some(200));
            continue;
        }
        // What the generated client decodes every error status into...
        let any: nethesis::types::ReactivateUserErrorBody = from_slice(&a.body).unwrap();
        let code = match any {
            nethesis::types::ReactivateUserErrorBody::ErrorResponse(e) => e.code,
            nethesis::types::ReactivateUserErrorBody::SimpleError(e) => e.code,
        };
        assert_eq!(code, Some(i64::from(status)), "{situation}");
        // ... and the schema the spec names for the status.
        if matches!(status, 401 | 403) {
            let _: nethesis::types::NethesisSimpleError = from_slice(&a.body).unwrap();
        } else {
            let _: nethesis::types::NethesisErrorResponse = from_slice(&a.body).unwrap();
        }
    }
    let got: Vec<u16> = answers.iter().map(|(_, a)| a.status).collect();
    assert_eq!(got, [200, 400, 404, 401, 401, 403, 403, 429, 503]);
    let body_of = |s: &str| answer_to(&answers, s).json();
    let same = |situation: &str, key: &str, name: &str| {
        assert_eq!(
            body_of(situation),
            spec(P).example(key, name).body,
            "{situation}"
        );
    };
    same("ok", "200", "fromBackend");
    same("again", "400", "notSuspended");
    same("unknown", "404", "fromBackend");
    same("missing token", "401", "invalidToken");
    same("wrong token", "401", "invalidToken");
    same("no permission", "403", "insufficientPermissions");
    same("429", "429", "tooManyRequests");
    same("503", "503", "serviceUnavailable");
    assert_eq!(
        body_of("other organization"),
        json!({
            "code": 403,
            "message": "customers can only suspend users in their own organization",
            "data": null
        })
    );
}

#[tokio::test]
async fn simulator_in_words() {
    lifecycle_in_words().await;
    tokens_in_words().await;
    other_organization_in_words().await;
    answers_in_words().await;
    assert_eq!(UserState::Deactivated.label(P), "suspended");
}

// ---------------------------------------------------------------------------
// The generated client
// ---------------------------------------------------------------------------

#[tokio::test]
async fn every_example_decodes_through_the_generated_client() {
    check_generated_examples(P, |op, base| async move {
        let context = CallContext::new(1 << 20, Duration::from_secs(10));
        let client = nethesis::Client::new_with_client(&base, reqwest::Client::new(), context);
        match op.as_str() {
            "reactivateUser" => {
                gen_outcome!(nethesis, client.reactivate_user("usr_123456789").await)
            }
            other => panic!("no caller for operation `{other}` of nethesis.yaml"),
        }
    })
    .await;
}

/// The backend's router answers a path it does not serve "api not found"
/// (gin's NoRoute in NethServer/my `backend/main.go`), and the SDK reads that
/// as a wrong base URL, not an unknown user.
#[tokio::test]
async fn simulator_unknown_routes_answer_api_not_found() {
    let sim = userbridge::mock::Simulator::start(userbridge::Provider::Nethesis).await;
    let answer = userbridge_tests::sim::wire(
        "GET",
        &format!("{}/userz", sim.base_url()),
        &[("authorization", "Bearer userbridge-simulator-token")],
        None,
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.json,
        serde_json::json!({"code": 404, "message": "api not found", "data": null})
    );
}
