//! Issue 3: every documented response example of every provider (read from
//! `openapi/*.yaml`, so a new example is a new case), plus the cases the specs
//! describe in prose, through the async client. The expected outcome of each
//! case comes from ARCHITECTURE.md's mapping rules (`expected_outcome`).

use userbridge_tests::{
    architecture_table, documented_examples, example, expected_outcome, mount, providers,
    runner_case_tests, sample_user_id, served_status, success_answer, Answer, AsyncRunner, Config,
    ErrorKind, Expected, Provider, ReactivateRequest,
};

runner_case_tests!(AsyncRunner);

/// The rules function agrees with ARCHITECTURE.md's table, written out by hand,
/// for every documented example the table names (no SDK involved).
#[test]
fn rules_agree_with_the_architecture_table() {
    let table = architecture_table();
    for (p, key, name, want) in &table {
        let ex = example(*p, key, name);
        let body = ex.body.to_string();
        let got = match expected_outcome(*p, served_status(&ex), &[], body.as_bytes()) {
            Expected::Ok(_) => None,
            Expected::Err(e) => Some(e.kind),
        };
        assert_eq!(got, *want, "{p:?} {key} {name}");
    }
    // Every provider has cases, and every documented example is exercised.
    for p in providers() {
        let n = documented_examples(p).len();
        assert!(n >= 5, "{p:?}: only {n} documented examples");
        let named = table.iter().filter(|(tp, ..)| *tp == p).count();
        assert!(named <= n, "{p:?}: the table names examples the spec lacks");
    }
}

/// The statuses `default` examples are served with follow grpc-gateway.
#[test]
fn default_examples_are_served_with_the_gateway_status() {
    for p in [Provider::ZitadelV1, Provider::ZitadelV2] {
        for ex in documented_examples(p) {
            if ex.status_key == "default" {
                let code = ex.body["code"].as_u64().expect("integer code");
                let want = match code {
                    9 | 3 => 400,
                    5 => 404,
                    7 => 403,
                    16 => 401,
                    8 => 429,
                    13 => 500,
                    14 => 503,
                    other => panic!("unexpected code {other}"),
                };
                assert_eq!(served_status(&ex), want, "{p:?} {}", ex.name);
            }
        }
    }
}

/// The async client used natively with `.await` inside a Tokio runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_await_inside_tokio() {
    for p in providers() {
        let server = wiremock::MockServer::start().await;
        mount(&server, &success_answer(p)).await;
        let client = Config::for_server(p, &server.uri())
            .async_builder()
            .build()
            .expect("client");
        let user = sample_user_id(p);
        let done = client
            .users()
            .reactivate(ReactivateRequest::new(user))
            .await
            .expect("reactivated");
        assert_eq!(done.user_id(), user);
        assert_eq!(done.provider(), p);
        assert_eq!(
            server.received_requests().await.expect("recording").len(),
            1
        );
    }
    // And a mapped error, natively.
    let server = wiremock::MockServer::start().await;
    let not_found = Answer::raw(
        404,
        "application/json",
        r#"{"code":404,"message":"user not found","data":null}"#,
    );
    mount(&server, &not_found).await;
    let client = Config::for_server(Provider::Nethesis, &server.uri())
        .async_builder()
        .build()
        .expect("client");
    let err = client.users().reactivate("u1").await.expect_err("404");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        err.api_error().map(|a| a.message.as_str()),
        Some("user not found")
    );
}
