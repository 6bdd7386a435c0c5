//! Issue 3: every answer of every provider spec (the documented examples and the
//! undocumented answers the spec lists, read from `openapi/*.yaml`, so a new
//! example is a new case), plus the generic extra cases (`Retry-After`,
//! `x-request-id`), through the async client. The expected outcome of each is
//! the spec's `x-userbridge-outcome`. What only one provider does is in its own
//! test file (`tests/tests/<provider>.rs`).

use userbridge_tests::cases::all_cases;
use userbridge_tests::outcome::outcome_follows_the_rules;
use userbridge_tests::single_call_providers;
use userbridge_tests::{
    check_outcome, for_every_provider, generic_expectation, mount, run_providers, sample_user_id,
    spec, success_answer, AsyncRunner, Config, ErrorKind, ReactivateRequest,
};

/// Every answer of every provider's spec, and the generic extra cases.
#[test]
fn every_provider_every_answer() {
    run_providers(&AsyncRunner, all_cases);
}

/// The outcomes the specs give follow the generic rules of the architecture's
/// table (no SDK involved): a success only on 2xx with the success shape; 401,
/// 403, 404, 429 and 5xx, and every undocumented status, by status; the texts
/// they name are in the body. And the generic rules give every example its
/// outcome.
#[test]
fn spec_outcomes_follow_the_generic_rules() {
    for_every_provider(|p| {
        let spec = spec(p);
        let mut problems = Vec::new();
        let documented = spec.documented_examples().count();
        if documented < 5 {
            problems.push(format!("{p}: only {documented} documented examples"));
        }
        for kind in ["ok", "not_deactivated", "not_found", "unauthenticated"] {
            if spec.examples_of(kind).is_empty() {
                problems.push(format!("{p}: no example with outcome {kind}"));
            }
        }
        for ex in spec.examples() {
            for problem in outcome_follows_the_rules(ex) {
                problems.push(format!("{}: {problem}", ex.label()));
            }
            let body = ex.body.to_string();
            let generic = generic_expectation(p, ex.status(), &[], body.as_bytes());
            if generic != ex.expectation(&[]) {
                problems.push(format!("{}: the generic rules say {generic}", ex.label()));
            }
        }
        problems
    });
}

/// The async client used natively with `.await` inside a Tokio runtime: every
/// provider's success, and its not-found answer mapped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_await_inside_tokio() {
    for p in single_call_providers() {
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
            .unwrap_or_else(|e| panic!("{p}: {e}"));
        assert_eq!(done.user_id(), user, "{p}");
        assert_eq!(done.provider(), p);
        assert_eq!(
            server.received_requests().await.expect("recording").len(),
            1,
            "{p}"
        );

        // And a mapped error, natively.
        let not_found = spec(p).example_of("not_found");
        let server = wiremock::MockServer::start().await;
        mount(&server, &not_found.answer()).await;
        let client = Config::for_server(p, &server.uri())
            .async_builder()
            .build()
            .expect("client");
        let result = client.users().reactivate(user).await;
        let err = result.as_ref().expect_err("404");
        assert_eq!(err.kind(), ErrorKind::NotFound, "{p}: {err}");
        let problems = check_outcome(
            p,
            user,
            &not_found.expectation(&[]),
            &result,
            Some(&not_found.answer().body_text()),
        );
        assert!(problems.is_empty(), "{}: {problems:?}", not_found.label());
    }
}
