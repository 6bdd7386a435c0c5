//! Flashback: what only Flashback does.
//!
//! The generic suites cover Flashback from `openapi/flashback.yaml`. Here: the
//! architecture's rows for Flashback, its `{success: false}` rule on a 2xx, the
//! literal values of its answers, its simulator (organization scoping, texts)
//! and its generated client.

use std::time::Duration;

use serde_json::json;
use userbridge::generated::{flashback, CallContext};
use userbridge::mock::{Simulator, UserState};
use userbridge_tests::generated::check_generated_examples;
use userbridge_tests::hostile::{self, HostileCase};
use userbridge_tests::sim::{self, answer_to, api, assert_error, client, simulator_answers};
use userbridge_tests::{
    assert_spec_agrees_with_architecture, call_example, gen_outcome, runners, spec, Answer,
    ErrorKind, Provider,
};

const P: Provider = Provider::Flashback;

/// ARCHITECTURE.md's error-mapping rows for Flashback, written out by hand: 200
/// `{success: true, message}` -> Reactivated with the message; 400 `User is not
/// deleted` -> NotDeactivated; 403 / 404 / 500 -> PermissionDenied / NotFound /
/// Server; and the rows for any provider: 429 -> RateLimited, another
/// undocumented status (401 here) by status.
#[test]
fn spec_agrees_with_the_architecture() {
    use ErrorKind::*;
    assert_spec_agrees_with_architecture(
        P,
        &[
            ("200", "activated", None),
            ("400", "userNotDeleted", Some(NotDeactivated)),
            ("403", "insufficientPermissions", Some(PermissionDenied)),
            ("404", "userNotFound", Some(NotFound)),
            ("500", "internalError", Some(Server)),
            ("401", "unauthorized", Some(Unauthenticated)),
            ("429", "tooManyRequests", Some(RateLimited)),
        ],
    );
}

/// The key rules with literal values (so a mistake shared by the spec data and
/// the SDK cannot hide), through both clients.
#[test]
fn key_rules_with_literal_values() {
    for runner in runners() {
        let runner = runner.as_ref();
        let e = call_example(runner, P, "400", "userNotDeleted", "u1").expect_err("an error");
        assert_eq!(e.kind(), ErrorKind::NotDeactivated);
        assert_eq!(
            e.api_error().map(|a| a.message.as_str()),
            Some("User is not deleted")
        );
        let done = call_example(runner, P, "200", "activated", "u1").expect("a success");
        assert_eq!(done.message(), Some("User activated successfully"));
    }
}

/// 2xx bodies that are not a success: the wrong shapes, and `success: false`,
/// which has the success schema's shape but is Flashback's failure.
#[test]
fn hostile_answers() {
    let mut cases: Vec<HostileCase> = [r#"{"success":"yes"}"#, r#"{"message":42}"#]
        .into_iter()
        .map(|body| {
            HostileCase::new(
                format!("200 wrong shape {body}"),
                Answer::raw(200, "application/json", body),
                ErrorKind::UnexpectedResponse,
            )
        })
        .collect();
    cases.push(HostileCase {
        label: "200 with success: false".into(),
        answer: Answer::raw(
            200,
            "application/json",
            r#"{"success":false,"message":"Could not activate"}"#,
        ),
        kind: ErrorKind::UnexpectedResponse,
        want: Some(json!({
            "kind": "unexpected_response",
            "status": 200,
            "code": null,
            "error_id": null,
            "trace_id": null,
            "field_errors": [],
        })),
    });
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
    assert_eq!(done.message(), Some("User activated successfully"));
    let again = client(&sim).users().reactivate(user).await.unwrap_err();
    assert_eq!(api(&again).status, 400);
    assert_eq!(api(&again).message, "User is not deleted");
    assert!(again.to_string().starts_with(&format!(
        "Flashback: user {user} is not deactivated (HTTP 400): User is not deleted"
    )));
    for r in sim.requests() {
        assert_eq!(r.header("x-zitadel-orgid"), None);
        assert!(r.body.is_empty(), "{}", r.body_text());
    }
    let err = client(&sim)
        .users()
        .reactivate(other_user)
        .await
        .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, 404, "User not found");
    assert!(err.to_string().starts_with(&format!(
        "Flashback: user {other_user} not found (HTTP 404): User not found"
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
    assert_error(&err, ErrorKind::Unauthenticated, 401, "Unauthorized");
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
        "Insufficient permissions to activate users",
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
        "Users not in same organization",
    );
    assert_eq!(sim.user_state(other_user), Some(UserState::Deactivated));
}

async fn answers_in_words() {
    use serde_json::from_slice;
    let answers = simulator_answers(P).await;
    for (situation, a) in &answers {
        if a.status == 200 {
            let ok: flashback::types::ActivateUserResponse = from_slice(&a.body).unwrap();
            assert_eq!(ok.success, Some(true));
        } else {
            let e: flashback::types::FlashbackError = from_slice(&a.body).unwrap();
            assert_eq!(e.success, Some(false), "{situation}");
            assert!(e.message.is_some_and(|m| !m.is_empty()));
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
    same("ok", "200", "activated");
    same("again", "400", "userNotDeleted");
    same("unknown", "404", "userNotFound");
    same("no permission", "403", "insufficientPermissions");
    same("missing token", "401", "unauthorized");
    same("429", "429", "tooManyRequests");
    let unauthorized = json!({"success": false, "message": "Unauthorized"});
    assert_eq!(body_of("missing token"), unauthorized);
    assert_eq!(body_of("wrong token"), unauthorized);
    assert_eq!(
        body_of("other organization"),
        json!({"success": false, "message": "Users not in same organization"})
    );
    assert_eq!(
        body_of("503"),
        json!({"success": false, "message": "Service unavailable"})
    );
}

#[tokio::test]
async fn simulator_in_words() {
    lifecycle_in_words().await;
    tokens_in_words().await;
    other_organization_in_words().await;
    answers_in_words().await;
    assert_eq!(UserState::Deactivated.label(P), "deleted");
}

// ---------------------------------------------------------------------------
// The generated client
// ---------------------------------------------------------------------------

#[tokio::test]
async fn every_example_decodes_through_the_generated_client() {
    check_generated_examples(P, |op, base| async move {
        let context = CallContext::new(1 << 20, Duration::from_secs(10));
        let client = flashback::Client::new_with_client(&base, reqwest::Client::new(), context);
        match op.as_str() {
            "activateOrganizationUser" => gen_outcome!(
                flashback,
                client
                    .activate_organization_user("550e8400-e29b-41d4-a716-446655440000")
                    .await
            ),
            other => panic!("no caller for operation `{other}` of flashback.yaml"),
        }
    })
    .await;
}
