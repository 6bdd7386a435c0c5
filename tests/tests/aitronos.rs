//! Aitronos: what only Aitronos does.
//!
//! The generic suites cover Aitronos from `openapi/aitronos.yaml`. Here: the
//! architecture's rows for Aitronos, the `x-request-id` fallback of its trace
//! id, its organization and id rules (`org_*` in the path, `usr_*` users), the
//! literal values of its answers, its simulator (organizations, the user object,
//! texts) and its generated client.

use std::time::Duration;

use serde_json::{json, Value};
use userbridge::generated::{aitronos, CallContext};
use userbridge::mock::{Simulator, UserState};
use userbridge_tests::cases::{run_table, Case};
use userbridge_tests::generated::check_generated_examples;
use userbridge_tests::hostile::{self, HostileCase};
use userbridge_tests::sim::{
    self, answer_to, api, assert_error, client, simulator_answers, wire_route,
};
use userbridge_tests::{
    accepted, assert_spec_agrees_with_architecture, call_configured, call_example, gen_outcome,
    rejected, runners, spec, success_answer, Answer, ErrorKind, Provider, ReactivateRequest,
};

const P: Provider = Provider::Aitronos;

/// ARCHITECTURE.md's error-mapping rows for Aitronos, written out by hand: 200
/// user object -> Reactivated with the user; 422 `USER_NOT_DEACTIVATED` ->
/// NotDeactivated; 401 / 403 / 404 / 429 / 5xx, same envelope -> by status.
#[test]
fn spec_agrees_with_the_architecture() {
    use ErrorKind::*;
    assert_spec_agrees_with_architecture(
        P,
        &[
            ("200", "reactivated", None),
            ("401", "unauthorized", Some(Unauthenticated)),
            ("403", "forbidden", Some(PermissionDenied)),
            ("404", "userNotFound", Some(NotFound)),
            ("422", "userNotDeactivated", Some(NotDeactivated)),
            ("429", "rateLimited", Some(RateLimited)),
            ("5XX", "internalError", Some(Server)),
        ],
    );
}

/// An error envelope without `error.trace_id`: the `x-request-id` header is the
/// trace id.
#[test]
fn trace_id_falls_back_to_x_request_id() {
    let ex = spec(P).example("422", "userNotDeactivated");
    let mut body = ex.body.clone();
    body["error"]
        .as_object_mut()
        .expect("error object")
        .remove("trace_id");
    let case = Case::new(
        P,
        "422 without error.trace_id, x-request-id: req-42",
        Answer::json(422, &body).header("x-request-id", "req-42"),
        json!({
            "kind": "not_deactivated",
            "status": 422,
            "code": "USER_NOT_DEACTIVATED",
            "error_id": null,
            "message": "This user account is not deactivated and cannot be reactivated.",
            "trace_id": "req-42",
            "field_errors": [],
        }),
    );
    for runner in runners() {
        run_table(runner.as_ref(), std::slice::from_ref(&case));
    }
}

/// The key rules with literal values (so a mistake shared by the spec data and
/// the SDK cannot hide), through both clients.
#[test]
fn key_rules_with_literal_values() {
    for runner in runners() {
        let runner = runner.as_ref();
        // 422: code and trace id kept.
        let e = call_example(runner, P, "422", "userNotDeactivated", "usr_abc123")
            .expect_err("an error");
        assert_eq!(e.kind(), ErrorKind::NotDeactivated);
        let a = e.api_error().expect("api error");
        assert_eq!(a.status, 422);
        assert_eq!(a.code.as_deref(), Some("USER_NOT_DEACTIVATED"));
        assert_eq!(a.trace_id.as_deref(), Some("abc-123-def"));
        assert_eq!(
            a.message,
            "This user account is not deactivated and cannot be reactivated."
        );
        let e =
            call_example(runner, P, "5XX", "internalError", "usr_abc123").expect_err("an error");
        assert_eq!(e.kind(), ErrorKind::Server);
        assert_eq!(
            e.api_error().and_then(|a| a.code.as_deref()),
            Some("INTERNAL_ERROR")
        );

        let done = call_example(runner, P, "200", "reactivated", "usr_abc123").expect("a success");
        let u = done.aitronos_user().expect("Aitronos user");
        assert_eq!(u.id, "usr_abc123");
        assert_eq!(u.account_state, "active");
        assert_eq!(u.role_ids, vec!["role_admin1".to_string()]);
        assert_eq!(u.department_ids, vec!["dept_eng001".to_string()]);
        assert_eq!(u.deactivated_at, None);
    }
}

/// 2xx bodies that are not the user object, and an error body of another shape
/// (nothing is read from it).
#[test]
fn hostile_answers() {
    let mut cases: Vec<HostileCase> = [
        r#"{"x":1}"#,
        r#"{"id":5,"account_state":"active"}"#,
        r#"{"id":"usr_abc123"}"#,
        r#"{"id":"usr_abc123","account_state":"active","role_ids":"role_admin1"}"#,
    ]
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
        label: "500 JSON of another shape".into(),
        answer: Answer::raw(500, "application/json", r#"{"error":"boom","code":[1]}"#),
        kind: ErrorKind::Server,
        want: Some(json!({
            "kind": "server",
            "status": 500,
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
// Organizations and ids
// ---------------------------------------------------------------------------

#[test]
fn the_request_organization_is_the_path_organization() {
    for runner in runners() {
        // The client's default organization is another one: the request's wins.
        let (result, reqs) = call_configured(
            runner.as_ref(),
            P,
            &success_answer(P),
            |cfg| cfg.organization(Some("org_clientdefault")),
            ReactivateRequest::new("usr_abc123").organization("org_xyz789"),
        );
        result.unwrap();
        assert_eq!(
            reqs[0].url.path(),
            "/v1/organizations/org_xyz789/users/usr_abc123/reactivate"
        );
        assert!(reqs[0].headers.get("x-zitadel-orgid").is_none());
    }
}

#[test]
fn ids_must_be_usr_and_org() {
    for runner in runners() {
        let runner = runner.as_ref();
        for user in [
            "abc123",
            "usr_",
            "USR_abc",
            "org_abc123",
            "usr_a/b",
            "usr_../x",
            "usr_a?b",
            "usr_a#b",
            "usr_%2F",
            "usr_é",
            "usr_ x",
            "usr_a.b",
            " usr_abc",
        ] {
            rejected(runner, P, Some("org_xyz789"), ReactivateRequest::new(user));
        }
        for org in ["xyz789", "org_", "usr_abc", "org_a/b", "org_x y", "org_%2F"] {
            // Client default and per request.
            rejected(runner, P, Some(org), ReactivateRequest::new("usr_abc123"));
            rejected(
                runner,
                P,
                None,
                ReactivateRequest::new("usr_abc123").organization(org),
            );
        }
        // The documented forms, with `_` and `-`, go through unchanged.
        accepted(
            runner,
            P,
            ReactivateRequest::new("usr_Ab-9_z"),
            "/v1/organizations/org_xyz789/users/usr_Ab-9_z/reactivate",
        );
    }
}

// ---------------------------------------------------------------------------
// The simulator
// ---------------------------------------------------------------------------

async fn lifecycle_in_words() {
    let user = sim::user(P);
    let other_user = sim::other_user(P);
    let other_user = other_user.as_str();
    let sim = Simulator::start(P).await;
    let org = sim.organization().to_string();
    sim.add_user(user, &org, UserState::Deactivated);
    let done = client(&sim).users().reactivate(user).await.unwrap();
    let object = done.aitronos_user().expect("Aitronos returns the user");
    assert_eq!(object.id, user);
    assert_eq!(object.account_state, "active");
    assert_eq!(object.organization_id.as_deref(), Some(org.as_str()));
    assert_eq!(object.deactivated_at, None);

    let again = client(&sim).users().reactivate(user).await.unwrap_err();
    let e = api(&again);
    assert_eq!(e.status, 422);
    assert_eq!(e.code.as_deref(), Some("USER_NOT_DEACTIVATED"));
    assert_eq!(
        e.message,
        "This user account is not deactivated and cannot be reactivated."
    );
    assert!(e.trace_id.as_deref().is_some_and(|t| !t.is_empty()));
    assert!(again.to_string().starts_with(&format!(
        "Aitronos: user {user} is not deactivated (HTTP 422, USER_NOT_DEACTIVATED)"
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
    assert_error(&err, ErrorKind::NotFound, 404, "USER_NOT_FOUND");
    assert_eq!(api(&err).code.as_deref(), Some("USER_NOT_FOUND"));
    assert!(err.to_string().starts_with(&format!(
        "Aitronos: user {other_user} not found (HTTP 404, USER_NOT_FOUND)"
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
    assert_error(&err, ErrorKind::Unauthenticated, 401, "UNAUTHORIZED");
    sim.deny_permission("read-only-token");
    let err = sim::client_for(&sim, "read-only-token")
        .users()
        .reactivate(user)
        .await
        .unwrap_err();
    assert_error(&err, ErrorKind::PermissionDenied, 403, "FORBIDDEN");
}

async fn other_organization_in_words() {
    let other_user = sim::other_user(P);
    let other_user = other_user.as_str();
    let other_org = sim::other_org(P);
    let other_org = other_org.as_str();
    let sim = Simulator::start(P).await;
    sim.add_user(other_user, other_org, UserState::Deactivated);
    let client = client(&sim);
    // The path names the token's organization: the user is not in it.
    let err = client.users().reactivate(other_user).await.unwrap_err();
    assert_error(&err, ErrorKind::NotFound, 404, "USER_NOT_FOUND");
    // The path names the user's organization, which is not the token's.
    let req = ReactivateRequest::new(other_user).organization(other_org);
    let err = client.users().reactivate(req).await.unwrap_err();
    assert_error(&err, ErrorKind::PermissionDenied, 403, "FORBIDDEN");
    assert!(api(&err).body.contains(other_org), "{}", api(&err).body);
    let paths: Vec<String> = sim.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            wire_route(P, sim.organization(), other_user).1,
            wire_route(P, other_org, other_user).1
        ]
    );
    assert_eq!(sim.user_state(other_user), Some(UserState::Deactivated));
}

/// Removes the per-answer fields of an error (trace id, timestamp).
fn without_trace(mut body: Value) -> Value {
    if let Some(error) = body.get_mut("error").and_then(Value::as_object_mut) {
        error.remove("trace_id");
        error.remove("timestamp");
    }
    body
}

async fn answers_in_words() {
    let other_org = sim::other_org(P);
    let other_org = other_org.as_str();
    use serde_json::from_slice;
    let answers = simulator_answers(P).await;
    for (situation, a) in &answers {
        if a.status == 200 {
            let user: aitronos::types::User = from_slice(&a.body).unwrap();
            assert_eq!(user.account_state, "active");
            assert!(user.id.starts_with("usr_"));
        } else {
            let env: aitronos::types::ErrorEnvelope = from_slice(&a.body).unwrap();
            assert_eq!(env.success, Some(false), "{situation}");
            assert_eq!(env.error.status, Some(i64::from(a.status)));
            let request_id = a.headers["x-request-id"].to_str().unwrap();
            assert_eq!(env.error.trace_id.as_deref(), Some(request_id));
            let ts = env.error.timestamp.unwrap();
            assert!(ts.len() == 20 && ts.ends_with('Z'), "{ts}");
        }
    }
    let got: Vec<u16> = answers.iter().map(|(_, a)| a.status).collect();
    assert_eq!(got, [200, 422, 404, 401, 401, 403, 403, 429, 503]);
    let body_of = |s: &str| answer_to(&answers, s).json();
    let same_masked = |situation: &str, key: &str, name: &str| {
        assert_eq!(
            without_trace(body_of(situation)),
            without_trace(spec(P).example(key, name).body.clone()),
            "{situation}"
        );
    };
    same_masked("again", "422", "userNotDeactivated");
    same_masked("unknown", "404", "userNotFound");
    same_masked("missing token", "401", "unauthorized");
    same_masked("wrong token", "401", "unauthorized");
    same_masked("no permission", "403", "forbidden");
    // Every field the simulator sends is the page's value.
    let ok = body_of("ok");
    let example = &spec(P).example("200", "reactivated").body;
    for (key, value) in ok.as_object().unwrap() {
        assert_eq!(Some(value), example.get(key), "{key}");
    }
    assert_eq!(ok["account_state"], "active");
    // The example's `retry_after` is 30; the simulator's is the injected 3.
    let limited = body_of("429");
    assert_eq!(limited["error"]["details"]["retry_after"], 3);
    let mut example = spec(P).example("429", "rateLimited").body.clone();
    example["error"]["details"]["retry_after"] = Value::from(3);
    assert_eq!(without_trace(limited), without_trace(example));
    assert_eq!(body_of("503")["error"]["type"], "server_error");
    assert_eq!(body_of("other organization")["error"]["code"], "FORBIDDEN");
    assert_eq!(
        body_of("other organization")["error"]["details"]["organization_id"],
        other_org
    );
}

#[tokio::test]
async fn simulator_in_words() {
    lifecycle_in_words().await;
    tokens_in_words().await;
    other_organization_in_words().await;
    answers_in_words().await;
    assert_eq!(UserState::Deactivated.label(P), "deactivated");
}

// ---------------------------------------------------------------------------
// The generated client
// ---------------------------------------------------------------------------

#[tokio::test]
async fn every_example_decodes_through_the_generated_client() {
    check_generated_examples(P, |op, base| async move {
        let context = CallContext::new(1 << 20, Duration::from_secs(10));
        let client = aitronos::Client::new_with_client(&base, reqwest::Client::new(), context);
        match op.as_str() {
            "reactivateUser" => gen_outcome!(
                aitronos,
                client.reactivate_user("org_xyz789", "usr_abc123").await
            ),
            other => panic!("no caller for operation `{other}` of aitronos.yaml"),
        }
    })
    .await;
}
