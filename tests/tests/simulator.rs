//! The embedded provider simulators (`userbridge::mock`, feature `mock`): every
//! provider's lifecycle through the SDK, every outcome, injected failures with
//! retries, and the wire. What each answer must be comes from the provider's
//! spec (the kind, status, code, error id and message of the example with the
//! same outcome); what only one provider's simulator does (organizations, texts,
//! event sequences, the generated types of its answers) is in the provider's
//! test file.

use std::time::Duration;
use userbridge_tests::Credentials;

use serde_json::Value;
use userbridge::mock::{Failure, Simulator, UserState, DEFAULT_TOKEN};
use userbridge::{Error, ErrorKind, Provider, ReactivateRequest};
use userbridge_tests::sim::{
    answer_to, api, builder, client, client_for, for_every_provider, like_outcome, normal_statuses,
    other_org, other_user, requests_before_the_write, retrying_client, server_root,
    simulator_answers, statuses, user, wire_route, with_deactivated_user,
};
use userbridge_tests::single_call_providers;
use userbridge_tests::{fast_retry, spec};

/// The fields of an error the spec's outcome gives, compared with the
/// simulator's answer.
const FIELDS: [&str; 5] = ["kind", "status", "code", "error_id", "message"];

/// Asserts that `e` is like one of the spec's examples of `kind` on `fields`.
fn assert_like_one_of(p: Provider, e: &Error, kind: &str, fields: &[&str]) {
    let examples = spec(p).examples_of(kind);
    assert!(!examples.is_empty(), "{p}: the spec has no {kind} example");
    assert!(
        examples
            .iter()
            .any(|ex| like_outcome(e, &ex.outcome, fields).is_ok()),
        "{p}: {e:?} is like none of the spec's {kind} examples ({})",
        examples
            .iter()
            .map(|ex| ex.outcome.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// Every organization header of every provider's spec.
fn organization_headers() -> Vec<&'static str> {
    single_call_providers()
        .into_iter()
        .filter_map(|p| spec(p).organization_header())
        .collect()
}

// ------------------------------------------------------------- SDK scenarios

async fn check_lifecycle(provider: Provider) {
    let spec = spec(provider);
    let sim = Simulator::start(provider).await;
    let org = sim.organization().to_string();
    sim.add_user(user(provider), &org, UserState::Deactivated);
    assert_eq!(sim.user_state(user(provider)), Some(UserState::Deactivated));
    let client = client(&sim);

    let done = client.users().reactivate(user(provider)).await.unwrap();
    assert_eq!(done.provider(), provider);
    assert_eq!(done.user_id(), user(provider));
    assert_eq!(done.attempts(), 1);
    assert!(!done.already_active());
    // What the spec's success carries: its message, its kind of details.
    let want = &spec.example_of("ok").outcome;
    let got = serde_json::to_value(&done).unwrap();
    assert_eq!(got["message"], want["message"], "{provider}: message");
    assert_eq!(
        got["details"]["type"], want["details"]["type"],
        "{provider}: details"
    );
    assert_eq!(sim.user_state(user(provider)), Some(UserState::Active));

    let again = client.users().reactivate(user(provider)).await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::NotDeactivated, "{again}");
    assert_eq!(again.attempts(), 1);
    let not_deactivated = spec.example_of("not_deactivated");
    assert_like_one_of(provider, &again, "not_deactivated", &FIELDS);
    // A trace id where the spec's answer has one.
    assert_eq!(
        api(&again)
            .trace_id
            .as_deref()
            .is_some_and(|t| !t.is_empty()),
        not_deactivated.outcome["trace_id"].is_string(),
        "{provider}: trace id {:?}",
        api(&again).trace_id
    );
    assert_eq!(sim.user_state(user(provider)), Some(UserState::Active));

    // What went over the wire.
    let seen = sim.requests();
    let (method, path) = wire_route(provider, &org, user(provider));
    assert_eq!(seen.len(), 2);
    assert_eq!(statuses(&seen), [200, not_deactivated.status()]);
    for r in &seen {
        assert_eq!(r.method, method);
        assert_eq!(r.path, path);
        assert_eq!(r.header("authorization"), Some("Bearer <redacted>"));
        for header in organization_headers() {
            let want = (spec.organization_header() == Some(header)).then_some(org.as_str());
            assert_eq!(r.header(header), want, "{provider}: {header}");
        }
        match spec.request_body_example() {
            Some(example) => assert_eq!(r.body_text(), example.to_string()),
            None => assert!(r.body.is_empty(), "{}", r.body_text()),
        }
    }
    let dump = format!("{seen:?} {sim:?}");
    assert!(!dump.contains(DEFAULT_TOKEN), "the token leaked: {dump}");
}

async fn check_unknown_user(provider: Provider) {
    let sim = with_deactivated_user(provider).await;
    let err = client(&sim)
        .users()
        .reactivate(other_user(provider))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert_eq!(err.status(), Some(404));
    assert_like_one_of(provider, &err, "not_found", &FIELDS);
    assert_eq!(sim.user_state(user(provider)), Some(UserState::Deactivated));
    assert_eq!(sim.user_state(&other_user(provider)), None);
    assert_eq!(statuses(&sim.requests()), [404]);
}

async fn check_bad_token(provider: Provider) {
    let sim = with_deactivated_user(provider).await;
    let err = client_for(&sim, "not-a-valid-token")
        .users()
        .reactivate(user(provider))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{err}");
    assert_eq!(err.status(), Some(401));
    assert_like_one_of(
        provider,
        &err,
        "unauthenticated",
        &["kind", "status", "code"],
    );
    assert_eq!(sim.user_state(user(provider)), Some(UserState::Deactivated));
    let seen = sim.requests();
    assert_eq!(statuses(&seen), [401]);
    assert_eq!(seen[0].header("authorization"), Some("Bearer <redacted>"));
    assert!(!format!("{seen:?}").contains("not-a-valid-token"));

    // A token added later is accepted.
    sim.add_token("not-a-valid-token");
    client_for(&sim, "not-a-valid-token")
        .users()
        .reactivate(user(provider))
        .await
        .unwrap();
    assert_eq!(sim.user_state(user(provider)), Some(UserState::Active));
}

async fn check_token_without_permission(provider: Provider) {
    let sim = with_deactivated_user(provider).await;
    sim.deny_permission("read-only-token");
    let err = client_for(&sim, "read-only-token")
        .users()
        .reactivate(user(provider))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    assert_eq!(err.status(), Some(403));
    assert_like_one_of(
        provider,
        &err,
        "permission_denied",
        &["kind", "status", "code", "error_id"],
    );
    assert_eq!(sim.user_state(user(provider)), Some(UserState::Deactivated));
    assert_eq!(statuses(&sim.requests()), [403]);

    // Denying the default token takes its permission away too.
    sim.deny_permission(sim.token());
    let err = client(&sim)
        .users()
        .reactivate(user(provider))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    // ... and adding it again gives it back.
    sim.add_token(sim.token());
    client(&sim)
        .users()
        .reactivate(user(provider))
        .await
        .unwrap();
}

async fn check_other_organization(provider: Provider) {
    let (other_user, other_org) = (other_user(provider), other_org(provider));
    let sim = Simulator::start(provider).await;
    sim.add_user(&other_user, &other_org, UserState::Deactivated);
    // The default token's organization is not the user's: the user is not
    // found, or not the caller's to reactivate (how, the provider's file says).
    let err = client(&sim)
        .users()
        .reactivate(&other_user)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::NotFound | ErrorKind::PermissionDenied
        ),
        "{provider}: {err}"
    );
    assert_eq!(sim.user_state(&other_user), Some(UserState::Deactivated));

    // A token of the user's organization may reactivate it.
    sim.add_token_in("other-org-token", &other_org);
    let other = builder(&sim, "other-org-token")
        .organization(&other_org)
        .build()
        .unwrap();
    other.users().reactivate(&other_user).await.unwrap();
    assert_eq!(sim.user_state(&other_user), Some(UserState::Active));
}

async fn check_rate_limited_then_ok(provider: Provider) {
    for retry_after in [Some(Duration::ZERO), None] {
        let sim = with_deactivated_user(provider).await;
        sim.fail_next(1, Failure::TooManyRequests { retry_after });
        let done = retrying_client(&sim)
            .users()
            .reactivate(user(provider))
            .await
            .unwrap();
        assert_eq!(done.attempts(), 2);
        assert!(!done.already_active());
        let seen = sim.requests();
        assert_eq!(statuses(&seen), [429, 200], "retry_after {retry_after:?}");
        assert_eq!(seen[0].path, seen[1].path);
        assert_eq!(seen[0].method, seen[1].method);
        assert_eq!(sim.user_state(user(provider)), Some(UserState::Active));
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
    let err = client.users().reactivate(user(provider)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert_eq!(err.status(), Some(429));
    // Whole seconds, rounded up.
    assert_eq!(api(&err).retry_after, Some(Duration::from_secs(2)));
    let err = client.users().reactivate(user(provider)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert_eq!(api(&err).retry_after, None);
    // Injected failures change nothing.
    assert_eq!(sim.user_state(user(provider)), Some(UserState::Deactivated));
    client.users().reactivate(user(provider)).await.unwrap();
    assert_eq!(statuses(&sim.requests()), [429, 429, 200]);
}

async fn check_unavailable_then_ok(provider: Provider) {
    let sim = with_deactivated_user(provider).await;
    sim.fail_next(1, Failure::ServiceUnavailable);
    let err = client(&sim)
        .users()
        .reactivate(user(provider))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
    assert_eq!(sim.user_state(user(provider)), Some(UserState::Deactivated));

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
        .reactivate(user(provider))
        .await
        .unwrap();
    assert_eq!(done.attempts(), 3);
    assert_eq!(statuses(&sim.requests()), [503, 503, 429, 200]);
}

async fn check_slow_answer(provider: Provider) {
    let normal = normal_statuses(provider);
    let sim = with_deactivated_user(provider).await;
    // The write takes effect but its answer comes far too late; the reads
    // before it (where the provider reads first) go as usual.
    let before = requests_before_the_write(provider);
    sim.fail_next(before, Failure::Slow(Duration::ZERO));
    sim.fail_next(1, Failure::Slow(Duration::from_secs(30)));
    let client = builder(&sim, sim.token())
        .timeout(Duration::from_secs(1))
        .retry_policy(fast_retry(3))
        .build()
        .unwrap();
    let done = client.users().reactivate(user(provider)).await.unwrap();
    // The retry finds the user active: the timed-out attempt did the work, its
    // answer was lost and is recovered (issue 10: not "already active").
    assert!(done.recovered(), "{provider}: {done:?}");
    assert!(!done.already_active(), "{provider}: {done:?}");
    assert_eq!(done.message(), None, "{provider}");
    assert_eq!(done.attempts(), 2);
    let seen = statuses(&sim.requests());
    assert_eq!(
        seen[..=before],
        normal[..=before],
        "{provider}: the first attempt"
    );
    let not_deactivated = spec(provider).example_of("not_deactivated").status();
    assert_eq!(seen.last(), Some(&not_deactivated), "{provider}: {seen:?}");
    assert_eq!(sim.user_state(user(provider)), Some(UserState::Active));
}

async fn check_routing(provider: Provider) {
    let sim = Simulator::start(provider).await;
    let (method, path) = wire_route(provider, sim.organization(), user(provider));
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
    // The provider's own answer to an unknown route where it is known (each
    // provider's test file checks it), else the simulator's text naming
    // the routes it serves.
    let text = resp.text().await.unwrap();
    assert!(
        text.contains("no route") || serde_json::from_str::<Value>(&text).is_ok(),
        "{text}"
    );

    // A trailing slash or an empty id is no route either.
    let resp = http
        .request(method.parse().unwrap(), format!("{root}{path}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(statuses(&sim.requests()), [405, 404, 404]);
}

/// The raw answers to each situation: JSON, with the statuses the spec's
/// examples of the same outcome have, and the injected hint.
async fn check_answers(provider: Provider) {
    let spec = spec(provider);
    let answers = simulator_answers(provider).await;
    for (situation, a) in &answers {
        let ct = a.headers["content-type"].to_str().unwrap();
        assert_eq!(ct, "application/json", "{situation}: HTTP {}", a.status);
        let _: Value = a.json();
    }
    let status_of = |s: &str| answer_to(&answers, s).status;
    assert_eq!(status_of("ok"), 200);
    let of_kind =
        |kind: &str| -> Vec<u16> { spec.examples_of(kind).iter().map(|e| e.status()).collect() };
    for (situation, kind) in [
        ("again", "not_deactivated"),
        ("unknown", "not_found"),
        ("missing token", "unauthenticated"),
        ("wrong token", "unauthenticated"),
        ("no permission", "permission_denied"),
        ("429", "rate_limited"),
    ] {
        assert!(
            of_kind(kind).contains(&status_of(situation)),
            "{provider}: {situation}: HTTP {} is not the status of a {kind} example",
            status_of(situation)
        );
    }
    assert!([403, 404].contains(&status_of("other organization")));
    assert_eq!(status_of("503"), 503);
    assert_eq!(answer_to(&answers, "429").headers["retry-after"], "3");
}

macro_rules! every_provider {
    ($($name:ident: $check:ident,)*) => {$(
        #[tokio::test]
        async fn $name() {
            for_every_provider($check).await
        }
    )*};
}

every_provider! {
    lifecycle: check_lifecycle,
    unknown_user: check_unknown_user,
    bad_token: check_bad_token,
    token_without_permission: check_token_without_permission,
    other_organization: check_other_organization,
    rate_limited_then_ok_with_retries: check_rate_limited_then_ok,
    retry_after_is_sent: check_retry_after_is_sent,
    unavailable_then_ok_with_retries: check_unavailable_then_ok,
    slow_answer_then_retry: check_slow_answer,
    routing_errors: check_routing,
    every_answer_has_the_status_of_its_outcome: check_answers,
}

// ------------------------------------------------------------------- general

#[tokio::test]
async fn base_urls_are_what_the_client_needs() {
    for provider in single_call_providers() {
        let sim = Simulator::start(provider).await;
        let url = sim.base_url();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        // The path of the spec's server URL, which the documented path follows.
        let prefix = spec(provider).server_prefix();
        assert_eq!(
            url.trim_start_matches("http://127.0.0.1:").contains('/'),
            !prefix.is_empty()
        );
        assert!(url.ends_with(&prefix), "{provider}: {url} vs {prefix:?}");
        assert_eq!(sim.provider(), provider);
        assert_eq!(sim.token(), DEFAULT_TOKEN);
        let sim2 = Simulator::try_start(provider).await.unwrap();
        assert_ne!(sim.base_url(), sim2.base_url());
    }
}

#[tokio::test]
async fn ids_are_percent_decoded() {
    // Providers that take any id (the others insist on a form with nothing to
    // encode).
    let id = "user 1/ä%x";
    let mut checked = 0;
    for provider in single_call_providers() {
        if !spec(provider).accepts_any_user_id() {
            continue;
        }
        checked += 1;
        let sim = Simulator::start(provider).await;
        sim.add_user(id, sim.organization(), UserState::Deactivated);
        client(&sim).users().reactivate(id).await.unwrap();
        assert_eq!(sim.user_state(id), Some(UserState::Active), "{provider}");
        let path = &sim.requests()[0].path;
        assert!(path.contains("user%201%2F%C3%A4%25x"), "{provider}: {path}");
    }
    assert!(checked > 0);
}

#[tokio::test]
async fn user_state_labels() {
    // Each provider's word for "deactivated" is in its test file.
    for p in single_call_providers() {
        let label = UserState::Deactivated.label(p);
        assert!(!label.is_empty() && label != "active", "{p}: {label}");
        assert_eq!(UserState::Active.label(p), "active");
    }
}

/// The blocking client against a simulator: the simulator starts on a runtime the
/// caller owns and serves from its own thread.
#[test]
fn blocking_client_against_a_simulator() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for p in single_call_providers() {
        let sim = runtime.block_on(Simulator::start(p));
        sim.add_user(user(p), sim.organization(), UserState::Deactivated);

        let client = userbridge_blocking::Client::builder(p)
            .base_url(sim.base_url())
            .credentials(p, sim.token())
            .organization(sim.organization())
            .build()
            .unwrap();
        let done = client.users().reactivate(user(p)).unwrap();
        let want = &spec(p).example_of("ok").outcome;
        assert_eq!(
            serde_json::to_value(done.message()).unwrap(),
            want["message"],
            "{p}"
        );
        let again = client
            .users()
            .reactivate(ReactivateRequest::new(user(p)))
            .unwrap_err();
        assert_eq!(again.kind(), userbridge_blocking::ErrorKind::NotDeactivated);
        assert_eq!(sim.user_state(user(p)), Some(UserState::Active));
        let not_deactivated = spec(p).example_of("not_deactivated").status();
        assert_eq!(statuses(&sim.requests()), [200, not_deactivated]);
    }
}
