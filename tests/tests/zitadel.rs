//! Zitadel (management API v1 and user service v2): what only Zitadel does.
//!
//! The generic suites cover both versions from `openapi/zitadel-v1.yaml` and
//! `openapi/zitadel-v2.yaml`. Here: the architecture's rows for Zitadel, the gRPC
//! status bodies (a numeric or lower-case string `code`, the codes of the mapping
//! table and the HTTP statuses grpc-gateway gives them), v1's `x-zitadel-orgid`,
//! the literal values of the answers, the simulators' Zitadel behaviour
//! (organizations, event sequences, texts), and the generated clients.

use std::time::Duration;

use serde_json::{json, Value};
use userbridge::generated::{zitadel_v1, zitadel_v2, CallContext};
use userbridge::mock::{Simulator, UserState};
use userbridge_tests::cases::{run_table, Case};
use userbridge_tests::classify::classification_holds;
use userbridge_tests::generated::check_generated_examples;
use userbridge_tests::hostile::{self, HostileCase};
use userbridge_tests::sim::{self, api, assert_error, client, simulator_answers, statuses};
use userbridge_tests::{
    assert_spec_agrees_with_architecture, call_configured, call_example, gen_outcome,
    kind_by_status, kind_name, req_header, runners, spec, success_answer, Answer, Error, ErrorKind,
    Provider, ReactivateRequest,
};

const VERSIONS: [Provider; 2] = [Provider::ZitadelV1, Provider::ZitadelV2];

// ---------------------------------------------------------------------------
// The gRPC status: codes, names, gateway statuses, kinds
// ---------------------------------------------------------------------------

/// The gRPC codes the mapping table covers, with their lower-case names.
const GRPC_NAMES: [(u16, &str); 8] = [
    (3, "invalid_argument"),
    (5, "not_found"),
    (7, "permission_denied"),
    (8, "resource_exhausted"),
    (9, "failed_precondition"),
    (13, "internal"),
    (14, "unavailable"),
    (16, "unauthenticated"),
];

/// A gRPC code from a body's `code`: an integer or a lower-case name.
fn grpc_code(v: &Value) -> Option<u16> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => GRPC_NAMES
            .iter()
            .find(|(_, name)| *name == s.as_str())
            .map(|(c, _)| *c),
        _ => None,
    }
}

/// The HTTP status grpc-gateway answers a gRPC code with (the codes of the
/// mapping table, nothing else).
fn grpc_http_status(code: u16) -> Option<u16> {
    Some(match code {
        9 | 3 => 400,
        5 => 404,
        7 => 403,
        16 => 401,
        8 => 429,
        13 => 500,
        14 => 503,
        _ => return None,
    })
}

/// The kind of a gRPC code of the mapping table.
fn grpc_kind(code: u16) -> Option<ErrorKind> {
    Some(match code {
        9 => ErrorKind::NotDeactivated,
        5 => ErrorKind::NotFound,
        7 => ErrorKind::PermissionDenied,
        16 => ErrorKind::Unauthenticated,
        3 => ErrorKind::InvalidArgument,
        8 => ErrorKind::RateLimited,
        13 | 14 => ErrorKind::Server,
        _ => return None,
    })
}

/// The outcome of a gRPC status body served with `status`, from the mapping
/// table: the code decides when its gateway status is the one served, else the
/// status; the code is kept as a number, the detail id apart, the message
/// without the appended id; a `Retry-After` in seconds is the wait.
fn expected(status: u16, body: &Value, retry_after: Option<u64>) -> Value {
    let code = grpc_code(&body["code"]).expect("a gRPC code of the table");
    let kind = match grpc_kind(code) {
        Some(k) if grpc_http_status(code) == Some(status) => k,
        _ => kind_by_status(status),
    };
    let id = body["details"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|d| d["id"].as_str());
    let message = body["message"].as_str().expect("a message");
    let message = id
        .and_then(|id| message.strip_suffix(&format!(" ({id})")))
        .unwrap_or(message);
    let mut want = json!({
        "kind": kind_name(kind),
        "status": status,
        "code": code.to_string(),
        "error_id": id,
        "message": message,
        "trace_id": null,
        "field_errors": [],
    });
    if let Some(secs) = retry_after {
        want["retry_after_ms"] = json!(secs * 1000);
    }
    want
}

/// A gRPC status body as Zitadel sends it: with an error id, the message is
/// `"<message> (<id>)"` and `details` holds one `zitadel.v1.ErrorDetail`.
fn status_body(code: Value, message: &str, id: Option<&str>) -> Value {
    let details: Vec<Value> = id
        .map(|id| {
            json!({
                "@type": "type.googleapis.com/zitadel.v1.ErrorDetail",
                "id": id,
                "message": message,
            })
        })
        .into_iter()
        .collect();
    let full = match id {
        Some(id) => format!("{message} ({id})"),
        None => message.to_string(),
    };
    json!({ "code": code, "message": full, "details": details })
}

/// The gRPC cases of one version: every error example of the spec again with
/// `code` as its string name; the table's codes in both forms with their HTTP
/// statuses; a 429 with `Retry-After: 7`.
fn grpc_cases(p: Provider) -> Vec<Case> {
    let mut out = Vec::new();
    for ex in spec(p).examples().iter().filter(|e| !e.is_ok()) {
        let Some(code) = grpc_code(&ex.body["code"]) else {
            continue;
        };
        let (_, name) = GRPC_NAMES
            .iter()
            .find(|(c, _)| *c == code)
            .expect("documented code is in the table");
        let mut body = ex.body.clone();
        body["code"] = json!(name);
        let want = expected(ex.status(), &body, None);
        // The string form means what the number means, which is what the spec's
        // outcome says.
        let mut documented = ex.expectation(&[]);
        documented["status"] = json!(ex.status());
        assert_eq!(want, documented, "{}", ex.label());
        out.push(Case::new(
            p,
            format!("{} with code \"{name}\"", ex.case_label()),
            Answer::json(ex.status(), &body),
            want,
        ));
    }
    let samples: [(u16, &str, Option<&str>); 8] = [
        (3, "Errors.Invalid.Argument", Some("USER-asdf3")),
        (5, "User could not be found", Some("COMMAND-4M0sd")),
        (7, "No matching permissions found", Some("AUTH-5mWD2")),
        (8, "Quota exceeded", Some("QUOTA-B8cgt")),
        (9, "User is not inactive", Some("COMMAND-6M0sf")),
        (13, "Errors.Internal", Some("SQL-5nh0d")),
        (14, "Errors.Unavailable", None),
        (16, "auth header missing", None),
    ];
    for (code, message, id) in samples {
        let status = grpc_http_status(code).expect("table code");
        let (_, name) = GRPC_NAMES.iter().find(|(c, _)| *c == code).expect("name");
        for form in [json!(code), json!(name)] {
            let body = status_body(form.clone(), message, id);
            out.push(Case::new(
                p,
                format!("{status} gRPC {form}"),
                Answer::json(status, &body),
                expected(status, &body, None),
            ));
        }
    }
    let body = status_body(json!(8), "Quota exceeded", None);
    out.push(Case::new(
        p,
        "429 gRPC 8 with Retry-After: 7",
        Answer::json(429, &body).header("retry-after", "7"),
        expected(429, &body, Some(7)),
    ));
    out
}

#[test]
fn grpc_status_bodies_in_both_forms() {
    for runner in runners() {
        for p in VERSIONS {
            run_table(runner.as_ref(), &grpc_cases(p));
        }
    }
}

/// The statuses the `default` examples are served with (their outcome's
/// `status`) are the ones grpc-gateway gives their codes.
#[test]
fn default_examples_are_served_with_the_gateway_status() {
    for p in VERSIONS {
        for ex in spec(p).examples() {
            if ex.status_key == "default" {
                let code = ex.body["code"].as_u64().expect("integer code") as u16;
                assert_eq!(
                    Some(ex.status()),
                    grpc_http_status(code),
                    "{}: code {code}",
                    ex.label()
                );
            }
        }
    }
}

/// The gateway statuses and the string names of the table.
#[test]
fn grpc_codes_get_the_gateway_status_in_both_forms() {
    for (code, http) in [
        (9, 400),
        (3, 400),
        (5, 404),
        (7, 403),
        (16, 401),
        (8, 429),
        (13, 500),
        (14, 503),
    ] {
        assert_eq!(
            grpc_code(&json!(code)).and_then(grpc_http_status),
            Some(http),
            "gRPC {code}"
        );
    }
    assert_eq!(
        grpc_code(&json!("failed_precondition")).and_then(grpc_http_status),
        Some(400)
    );
    assert_eq!(grpc_code(&json!("no_such_name")), None);
}

// ---------------------------------------------------------------------------
// The architecture's rows, and literal values
// ---------------------------------------------------------------------------

/// ARCHITECTURE.md's error-mapping rows for Zitadel v1 and v2, written out by
/// hand: 200 details -> Reactivated; gRPC 9 -> NotDeactivated; 5 / 7 / 16 / 3 /
/// 8 / 13-14 (or their HTTP statuses) -> NotFound / PermissionDenied /
/// Unauthenticated / InvalidArgument / RateLimited / Server.
#[test]
fn spec_agrees_with_the_architecture() {
    use ErrorKind::*;
    assert_spec_agrees_with_architecture(
        Provider::ZitadelV1,
        &[
            ("200", "reactivated", None),
            ("400", "notInactive", Some(NotDeactivated)),
            ("404", "notFound", Some(NotFound)),
            ("403", "permissionDenied", Some(PermissionDenied)),
            ("401", "unauthenticated", Some(Unauthenticated)),
            ("default", "resourceExhausted", Some(RateLimited)),
            ("default", "unavailable", Some(Server)),
        ],
    );
    assert_spec_agrees_with_architecture(
        Provider::ZitadelV2,
        &[
            ("200", "reactivated", None),
            ("403", "permissionDenied", Some(PermissionDenied)),
            ("404", "notFound", Some(NotFound)),
            ("default", "notInactive", Some(NotDeactivated)),
            ("default", "unauthenticated", Some(Unauthenticated)),
            ("default", "resourceExhausted", Some(RateLimited)),
            ("default", "unavailable", Some(Server)),
        ],
    );
}

/// The key rules with literal values (so a mistake shared by the spec data and
/// the SDK cannot hide), through both clients.
#[test]
fn key_rules_with_literal_values() {
    for runner in runners() {
        let runner = runner.as_ref();
        // Zitadel v2, not inactive: the Display line of the architecture.
        let e = call_example(runner, Provider::ZitadelV2, "default", "notInactive", "123")
            .expect_err("an error");
        assert_eq!(e.kind(), ErrorKind::NotDeactivated);
        assert!(matches!(e, Error::NotDeactivated(_)));
        assert_eq!(
            e.to_string(),
            "Zitadel v2: user 123 is not deactivated (HTTP 400, COMMAND-s5qqcz97hf): User is not inactive"
        );
        let a = e.api_error().expect("api error");
        assert_eq!(a.code.as_deref(), Some("9"));
        assert_eq!(a.error_id.as_deref(), Some("COMMAND-s5qqcz97hf"));

        let e = call_example(runner, Provider::ZitadelV1, "400", "notInactive", "123")
            .expect_err("an error");
        assert_eq!(e.kind(), ErrorKind::NotDeactivated);
        let a = e.api_error().expect("api error");
        assert_eq!(a.status, 400);
        assert_eq!(a.error_id.as_deref(), Some("COMMAND-6M0sf"));
        assert_eq!(a.message, "User is not inactive");

        let e = call_example(runner, Provider::ZitadelV1, "404", "notFound", "123")
            .expect_err("an error");
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(
            e.api_error().and_then(|a| a.error_id.as_deref()),
            Some("COMMAND-4M0sd")
        );

        for p in VERSIONS {
            let done = call_example(runner, p, "200", "reactivated", "69629023906488334")
                .expect("a success");
            let d = done.change_details().expect("change details");
            assert_eq!(d.sequence, Some(2));
            assert_eq!(d.resource_owner.as_deref(), Some("69629023906488334"));
            assert!(d.change_date.is_some());
            assert_eq!(done.message(), None);
        }
    }
}

/// 2xx bodies that are not the success shape.
#[test]
fn wrong_shape_successes_are_unexpected() {
    let cases: Vec<HostileCase> = [r#"{"details":"done"}"#, r#"{"details":[1,2]}"#]
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
        for p in VERSIONS {
            failures.extend(hostile::run(runner.as_ref(), p, &cases));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The classification property with the string forms of `code` among the
/// bodies.
#[test]
fn classification_holds_with_string_codes() {
    let extra = [
        json!({"code": "failed_precondition", "message": "User is not inactive", "details": []}),
        json!({"code": "unavailable", "message": "x", "details": []}),
    ];
    for p in VERSIONS {
        let failures = classification_holds(p, &extra, None);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

// ---------------------------------------------------------------------------
// The request: v1's x-zitadel-orgid
// ---------------------------------------------------------------------------

/// One successful call; returns the single request the server saw.
fn one_request(
    runner: &dyn userbridge_tests::Runner,
    p: Provider,
    client_org: Option<&str>,
    req: ReactivateRequest,
) -> wiremock::Request {
    let (result, mut reqs) = call_configured(
        runner,
        p,
        &success_answer(p),
        |cfg| cfg.organization(client_org),
        req,
    );
    result.unwrap_or_else(|e| panic!("[{}] {p}: {e}", runner.name()));
    assert_eq!(reqs.len(), 1);
    reqs.remove(0)
}

#[test]
fn v1_sends_the_organization_in_x_zitadel_orgid_and_v2_never() {
    for runner in runners() {
        let runner = runner.as_ref();
        let r = one_request(runner, Provider::ZitadelV1, None, "123".into());
        assert_eq!(r.url.path(), "/management/v1/users/123/_reactivate");
        assert!(r.headers.get("x-zitadel-orgid").is_none());
        assert_eq!(r.body, b"{}");

        let r = one_request(
            runner,
            Provider::ZitadelV1,
            Some("org_client1"),
            "123".into(),
        );
        assert_eq!(
            req_header(&r, "x-zitadel-orgid").as_deref(),
            Some("org_client1")
        );
        let req = ReactivateRequest::new("123").organization("258190124534");
        let r = one_request(runner, Provider::ZitadelV1, Some("org_client1"), req);
        assert_eq!(
            req_header(&r, "x-zitadel-orgid").as_deref(),
            Some("258190124534")
        );
        assert_eq!(r.headers.get_all("x-zitadel-orgid").iter().count(), 1);

        let req = ReactivateRequest::new("123").organization("258190124534");
        let r = one_request(runner, Provider::ZitadelV2, Some("org_client1"), req);
        assert_eq!(r.url.path(), "/v2/users/123/reactivate");
        assert!(r.headers.get("x-zitadel-orgid").is_none());
        assert_eq!(r.body, b"{}");
    }
}

// ---------------------------------------------------------------------------
// The simulators
// ---------------------------------------------------------------------------

/// The error ids the simulator of `p` raises: (not found, not inactive).
fn ids(p: Provider) -> (&'static str, &'static str) {
    if p == Provider::ZitadelV1 {
        ("COMMAND-4M0sd", "COMMAND-6M0sf")
    } else {
        ("COMMAND-9hy5kzbuk6", "COMMAND-s5qqcz97hf")
    }
}

async fn lifecycle_in_words(p: Provider) {
    let user = sim::user(p);
    let other_user = sim::other_user(p);
    let other_user = other_user.as_str();
    let (not_found, not_inactive) = ids(p);
    let sim = Simulator::start(p).await;
    let org = sim.organization().to_string();
    sim.add_user(user, &org, UserState::Deactivated);
    let done = client(&sim).users().reactivate(user).await.unwrap();
    let details = done.change_details().expect("Zitadel returns details");
    assert_eq!(details.resource_owner.as_deref(), Some(org.as_str()));
    // created (1), deactivated (2), reactivated (3)
    assert_eq!(details.sequence, Some(3));
    assert!(details
        .change_date
        .as_deref()
        .is_some_and(|d| d.ends_with('Z')));

    let again = client(&sim).users().reactivate(user).await.unwrap_err();
    let e = api(&again);
    assert_eq!(e.status, 400);
    assert_eq!(e.code.as_deref(), Some("9"));
    assert_eq!(e.error_id.as_deref(), Some(not_inactive));
    assert_eq!(e.message, "User is not inactive");
    assert!(again.to_string().starts_with(&format!(
        "{p}: user {user} is not deactivated (HTTP 400, {not_inactive})"
    )));
    for r in sim.requests() {
        let header = (p == Provider::ZitadelV1).then_some(org.as_str());
        assert_eq!(r.header("x-zitadel-orgid"), header);
        assert_eq!(r.body_text(), "{}");
    }

    let err = client(&sim)
        .users()
        .reactivate(other_user)
        .await
        .unwrap_err();
    assert_error(&err, ErrorKind::NotFound, 404, not_found);
    assert_eq!(api(&err).code.as_deref(), Some("5"));
    assert_eq!(api(&err).error_id.as_deref(), Some(not_found));
    assert!(err.to_string().starts_with(&format!(
        "{p}: user {other_user} not found (HTTP 404, {not_found})"
    )));
}

async fn tokens_in_words(p: Provider) {
    let user = sim::user(p);
    let sim = sim::with_deactivated_user(p).await;
    let err = sim::client_for(&sim, "not-a-valid-token")
        .users()
        .reactivate(user)
        .await
        .unwrap_err();
    assert_error(
        &err,
        ErrorKind::Unauthenticated,
        401,
        "Token is invalid (AUTH-7fs1e)",
    );
    assert_eq!(api(&err).code.as_deref(), Some("16"));

    sim.deny_permission("read-only-token");
    let err = sim::client_for(&sim, "read-only-token")
        .users()
        .reactivate(user)
        .await
        .unwrap_err();
    let id = if p == Provider::ZitadelV1 {
        "AUTH-5mWD2"
    } else {
        "AUTH-AWfge"
    };
    assert_error(&err, ErrorKind::PermissionDenied, 403, id);
}

async fn other_organization_in_words(p: Provider) {
    let other_user = sim::other_user(p);
    let other_user = other_user.as_str();
    let other_org = sim::other_org(p);
    let other_org = other_org.as_str();
    let (not_found, _) = ids(p);
    let sim = Simulator::start(p).await;
    sim.add_user(other_user, other_org, UserState::Deactivated);
    let client = client(&sim);
    let err = client.users().reactivate(other_user).await.unwrap_err();
    assert_error(&err, ErrorKind::NotFound, 404, not_found);
    let req = ReactivateRequest::new(other_user).organization(other_org);
    if p == Provider::ZitadelV1 {
        // Not found in the organization of x-zitadel-orgid (the client's
        // default); naming the user's organization finds it.
        client.users().reactivate(req).await.unwrap();
        let seen = sim.requests();
        assert_eq!(seen[0].header("x-zitadel-orgid"), Some(sim.organization()));
        assert_eq!(seen[1].header("x-zitadel-orgid"), Some(other_org));
        assert_eq!(statuses(&seen), [404, 200]);
        assert_eq!(sim.user_state(other_user), Some(UserState::Active));
    } else {
        // The organization on the request does not matter: v2 scopes by token.
        let err = client.users().reactivate(req).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        assert_eq!(sim.user_state(other_user), Some(UserState::Deactivated));
    }
}

/// Decodes a simulator answer with the generated types of `p`'s client.
fn decode(p: Provider, status: u16, body: &[u8]) {
    use serde_json::from_slice;
    let grpc = |code: Option<i32>| match status {
        400 => assert!(code == Some(9), "{code:?}"),
        401 => assert_eq!(code, Some(16)),
        403 => assert_eq!(code, Some(7)),
        404 => assert_eq!(code, Some(5)),
        429 => assert_eq!(code, Some(8)),
        503 => assert_eq!(code, Some(14)),
        other => panic!("undocumented Zitadel status {other}"),
    };
    macro_rules! zitadel {
        ($module:ident) => {
            if status == 200 {
                let ok: $module::types::ReactivateUserResponse = from_slice(body).unwrap();
                let d = ok.details.unwrap();
                assert!(d.sequence.unwrap().parse::<u64>().is_ok());
                assert!(d.resource_owner.is_some() && d.change_date.is_some());
            } else {
                let e: $module::types::RpcStatus = from_slice(body).unwrap();
                grpc(e.code);
                assert!(e.message.is_some());
            }
        };
    }
    if p == Provider::ZitadelV1 {
        zitadel!(zitadel_v1)
    } else {
        zitadel!(zitadel_v2)
    }
}

async fn answers_in_words(p: Provider) {
    let v1 = p == Provider::ZitadelV1;
    let answers = simulator_answers(p).await;
    for (_, a) in &answers {
        decode(p, a.status, &a.body);
    }
    let got: Vec<u16> = answers.iter().map(|(_, a)| a.status).collect();
    assert_eq!(got, [200, 400, 404, 401, 401, 403, 404, 429, 503], "{p}");
    let body_of = |s: &str| sim::answer_to(&answers, s).json();
    let same = |situation: &str, key: &str, name: &str| {
        assert_eq!(
            body_of(situation),
            spec(p).example(key, name).body,
            "{p}: {situation}"
        );
    };
    // v1 documents 400/401/403/404 beside `default`; v2 403/404.
    same("again", if v1 { "400" } else { "default" }, "notInactive");
    same("unknown", "404", "notFound");
    same("no permission", "403", "permissionDenied");
    same(
        "missing token",
        if v1 { "401" } else { "default" },
        "unauthenticated",
    );
    same("429", "default", "resourceExhausted");
    same("503", "default", "unavailable");
    assert_eq!(
        body_of("wrong token")["message"],
        "Token is invalid (AUTH-7fs1e)"
    );
    assert_eq!(body_of("wrong token")["details"][0]["id"], "AUTH-7fs1e");
    // The success has the page's fields.
    let ok = body_of("ok");
    let example = &spec(p).example("200", "reactivated").body;
    let keys = |v: &Value| {
        let mut k: Vec<String> = v["details"].as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&ok), keys(example));
    assert_eq!(ok["details"]["resourceOwner"], "69629023906488334");
    assert_eq!(ok["details"]["sequence"], "3");
    let other = body_of("other organization");
    assert_eq!(other["code"], 5);
    assert_eq!(other["details"][0]["id"], ids(p).0);
}

#[tokio::test]
async fn simulators_in_words() {
    for p in VERSIONS {
        lifecycle_in_words(p).await;
        tokens_in_words(p).await;
        other_organization_in_words(p).await;
        answers_in_words(p).await;
        assert_eq!(UserState::Deactivated.label(p), "inactive");
    }
}

// ---------------------------------------------------------------------------
// The generated clients
// ---------------------------------------------------------------------------

fn context() -> CallContext {
    CallContext::new(1 << 20, Duration::from_secs(10))
}

#[tokio::test]
async fn every_example_decodes_through_the_generated_clients() {
    let n = check_generated_examples(Provider::ZitadelV1, |op, base| async move {
        let client = zitadel_v1::Client::new_with_client(&base, reqwest::Client::new(), context());
        let empty = serde_json::Map::new();
        match op.as_str() {
            "managementReactivateUser" => gen_outcome!(
                zitadel_v1,
                client
                    .management_reactivate_user("69629023906488334", None, &empty)
                    .await
            ),
            other => panic!("no caller for operation `{other}` of zitadel-v1.yaml"),
        }
    })
    .await;
    assert_eq!(n, spec(Provider::ZitadelV1).documented_examples().count());
    check_generated_examples(Provider::ZitadelV2, |op, base| async move {
        let client = zitadel_v2::Client::new_with_client(&base, reqwest::Client::new(), context());
        let empty = serde_json::Map::new();
        match op.as_str() {
            "reactivateUser" => gen_outcome!(
                zitadel_v2,
                client.reactivate_user("69629023906488334", &empty).await
            ),
            other => panic!("no caller for operation `{other}` of zitadel-v2.yaml"),
        }
    })
    .await;
}

// ---------------------------------------------------------------------------
// The simulators' token endpoint
// ---------------------------------------------------------------------------

/// The simulators' OAuth 2.0 token endpoint (both versions), driven with raw
/// requests: the generic checks of [`userbridge_tests::tokens`] with Zitadel's
/// facts, and Zitadel's own (HTTP Basic, its refusals, the audience scope).
mod token_endpoint {
    use userbridge::mock::Simulator;
    use userbridge::Provider;
    use userbridge_tests::tokens::{
        self, assert_refused_like_unknown, issue, post, token_url, use_token, with_secret,
        ClientAuth, TokenFacts,
    };

    use super::VERSIONS;

    const ZITADEL_SCOPE: &str = "openid urn:zitadel:iam:org:project:id:zitadel:aud";

    fn facts(p: Provider) -> TokenFacts {
        TokenFacts {
            provider: p,
            user: "69629023906488334",
            token_url: |sim| format!("{}/oauth/v2/token", sim.base_url()),
            extras: |_| vec![("scope", ZITADEL_SCOPE.to_string())],
            // The issuer.
            assertion_audience: |sim| sim.base_url(),
            // Zitadel's documented way: HTTP Basic.
            auth: ClientAuth::SecretInBasic,
            success_fields: &["access_token", "expires_in", "token_type"],
            lifetime: 43_199,
            lifetime_fields: &[],
            zero_fields: &[],
        }
    }

    userbridge_tests::token_endpoint_tests!(VERSIONS.map(facts));

    #[tokio::test]
    async fn zitadel_refusals() {
        for p in VERSIONS {
            let f = facts(p);
            let sim = tokens::started(&f).await;
            let url = token_url(&sim);
            let id = sim.client_id().to_string();
            let pairs = [
                ("grant_type", "client_credentials"),
                ("scope", ZITADEL_SCOPE),
            ];
            assert_eq!(
                post(&url, &pairs, Some(("nobody", "x"))).await.oauth(),
                (401, "invalid_client", "client not found"),
                "{p}"
            );
            assert_eq!(
                post(&url, &pairs, Some((&id, "wrong"))).await.oauth(),
                (400, "invalid_request", "Errors.User.Machine.Secret.Invalid"),
                "{p}"
            );
            assert_eq!(
                post(&url, &[("grant_type", "password")], Some((&id, "x")))
                    .await
                    .oauth(),
                (400, "unsupported_grant_type", "password not supported"),
                "{p}"
            );
            // The secret in the form works as well as in HTTP Basic.
            assert_eq!(
                with_secret(&f, &sim, &id, sim.client_secret(), "client_credentials")
                    .await
                    .status,
                200
            );
            // Basic form-encodes the id and the secret first (RFC 6749 §2.3.1).
            sim.add_client("svc:user", "p@ss:w+rd/=");
            let basic = post(&url, &pairs, Some(("svc:user", "p@ss:w+rd/="))).await;
            use_token(&f, &sim, &basic.token()).await.unwrap();
            // Without the API's audience scope, the API refuses the token.
            let openid = post(
                &url,
                &[("grant_type", "client_credentials"), ("scope", "openid")],
                Some((&id, sim.client_secret())),
            )
            .await;
            assert_refused_like_unknown(&f, &sim, &openid.token()).await;
        }
    }

    #[tokio::test]
    async fn http_basic_is_redacted_in_the_record() {
        // HTTP Basic is redacted as any Authorization header.
        let f = facts(Provider::ZitadelV2);
        let zitadel = Simulator::start(f.provider).await;
        issue(&f, &zitadel).await.token();
        assert_eq!(
            zitadel.requests()[0].header("authorization"),
            Some("<redacted>")
        );
    }
}

// --------------------------------------------- what zitadel-client 4.x sends

mod official_sdks {
    use serde_json::json;
    use userbridge::mock::{Failure, Simulator, UserState};
    use userbridge::Provider;
    use userbridge_tests::sim::wire;

    const AUTH: (&str, &str) = ("authorization", "Bearer userbridge-simulator-token");
    const JSON: (&str, &str) = ("content-type", "application/json");
    const SERVICE: &str = "zitadel.user.v2.UserService";

    async fn v2() -> Simulator {
        let sim = Simulator::start(Provider::ZitadelV2).await;
        sim.seed_user(
            "u1",
            "inactive",
            Some("ann".into()),
            Some("ann@example.com".into()),
        )
        .unwrap();
        sim
    }

    #[tokio::test]
    async fn connect_reactivate_user_and_get_user_by_id() {
        let sim = v2().await;
        let procedure = |name: &str| format!("{}/{SERVICE}/{name}", sim.base_url());
        let read = wire(
            "POST",
            &procedure("GetUserByID"),
            &[AUTH, JSON],
            Some(r#"{"userId":"u1"}"#),
        )
        .await;
        assert_eq!(read.status, 200, "{}", read.text);
        assert_eq!(read.json["user"]["userId"], "u1");
        assert_eq!(read.json["user"]["state"], "USER_STATE_INACTIVE");
        assert_eq!(read.json["user"]["username"], "ann");
        assert_eq!(
            read.json["user"]["human"]["email"]["email"],
            "ann@example.com"
        );
        let done = wire(
            "POST",
            &procedure("ReactivateUser"),
            &[AUTH, JSON],
            Some(r#"{"userId":"u1"}"#),
        )
        .await;
        assert_eq!(done.status, 200, "{}", done.text);
        assert!(done.json["details"]["sequence"].is_string());
        assert_eq!(sim.user_state("u1"), Some(UserState::Active));
        // Again: Connect's failed_precondition, HTTP 400.
        let again = wire(
            "POST",
            &procedure("ReactivateUser"),
            &[AUTH, JSON],
            Some(r#"{"userId":"u1"}"#),
        )
        .await;
        assert_eq!(again.status, 400);
        assert_eq!(again.json["code"], "failed_precondition");
        assert!(again.json["message"]
            .as_str()
            .unwrap()
            .contains("COMMAND-s5qqcz97hf"));
        let missing = wire(
            "POST",
            &procedure("ReactivateUser"),
            &[AUTH, JSON],
            Some(r#"{"userId":"nobody"}"#),
        )
        .await;
        assert_eq!(
            (missing.status, &missing.json["code"]),
            (404, &json!("not_found"))
        );
        let anonymous = wire(
            "POST",
            &procedure("GetUserByID"),
            &[JSON],
            Some(r#"{"userId":"u1"}"#),
        )
        .await;
        assert_eq!(
            (anonymous.status, &anonymous.json["code"]),
            (401, &json!("unauthenticated"))
        );
        let empty = wire(
            "POST",
            &procedure("ReactivateUser"),
            &[AUTH, JSON],
            Some("{}"),
        )
        .await;
        assert_eq!(
            (empty.status, &empty.json["code"]),
            (400, &json!("invalid_argument"))
        );
        let proto = wire(
            "POST",
            &procedure("ReactivateUser"),
            &[AUTH, ("content-type", "application/proto")],
            Some("\n\x02u1"),
        )
        .await;
        assert_eq!(proto.status, 415);
        let unknown = wire(
            "POST",
            &procedure("FrobnicateUser"),
            &[AUTH, JSON],
            Some("{}"),
        )
        .await;
        assert_eq!(
            (unknown.status, &unknown.json["code"]),
            (404, &json!("unimplemented"))
        );
    }

    #[tokio::test]
    async fn connect_failures_for_a_user_and_in_connects_shape() {
        let sim = v2().await;
        sim.fail_user("u1", 1, Failure::ServiceUnavailable);
        let url = format!("{}/{SERVICE}/ReactivateUser", sim.base_url());
        let failed = wire("POST", &url, &[AUTH, JSON], Some(r#"{"userId":"u1"}"#)).await;
        assert_eq!(
            (failed.status, &failed.json["code"]),
            (503, &json!("unavailable"))
        );
        let done = wire("POST", &url, &[AUTH, JSON], Some(r#"{"userId":"u1"}"#)).await;
        assert_eq!(done.status, 200);
    }

    #[tokio::test]
    async fn get_v2_user_on_the_rest_gateway() {
        let sim = v2().await;
        let url = format!("{}/v2/users/u1", sim.base_url());
        let read = wire("GET", &url, &[AUTH], None).await;
        assert_eq!(read.status, 200, "{}", read.text);
        assert_eq!(read.json["user"]["state"], "USER_STATE_INACTIVE");
        assert!(read.json["details"]["resourceOwner"].is_string());
        let none = wire(
            "GET",
            &format!("{}/v2/users/nobody", sim.base_url()),
            &[AUTH],
            None,
        )
        .await;
        assert_eq!((none.status, &none.json["code"]), (404, &json!(5)));
    }

    #[tokio::test]
    async fn unknown_routes_answer_as_the_gateway() {
        let sim = v2().await;
        let answer = wire(
            "GET",
            &format!("{}/v2/userz", sim.base_url()),
            &[AUTH],
            None,
        )
        .await;
        assert_eq!(answer.status, 404);
        assert_eq!(
            answer.json,
            json!({"code": 5, "message": "Not Found", "details": []})
        );
        let answer = wire(
            "DELETE",
            &format!("{}/v2/users/u1/reactivate", sim.base_url()),
            &[AUTH],
            None,
        )
        .await;
        assert_eq!(answer.status, 405);
        assert_eq!(answer.json["code"], 12);
    }
}
