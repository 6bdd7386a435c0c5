//! Issue 10, points 4, 5 and 10, through the blocking client: simulators started
//! and used from plain `#[test]` functions, with no Tokio and no async code in
//! this file; and every name the blocking crate re-exports.
//!
//! The simulator is `userbridge::mock` here: `userbridge_blocking::mock` is the
//! same module re-exported, behind the blocking crate's feature `mock` (tested
//! in `sdk-blocking/tests/mock_reexport.rs`).

use std::thread;
use std::time::Duration;
use userbridge_tests::Credentials;

use userbridge::mock::{Answer, Failure, Simulator, UserState};
use userbridge_blocking::{
    kind_for_status, Client, ClientBuilder, ErrorKind, Provider, RetryPolicy, DEFAULT_DEADLINE,
    DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, MAX_ID_CHARS, MAX_KEPT_BODY,
};
use userbridge_tests::sim::normal_statuses;

const USER: &str = "usr_abc123";

fn builder(sim: &Simulator) -> ClientBuilder {
    Client::builder(sim.provider())
        .base_url(sim.base_url())
        .credentials(sim.provider(), sim.token())
        .organization(sim.organization())
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
}

fn client(sim: &Simulator) -> Client {
    builder(sim).build().unwrap()
}

fn statuses(sim: &Simulator) -> Vec<u16> {
    sim.requests().iter().map(|r| r.status).collect()
}

/// Every name point 10 found missing, used: they are the async crate's.
#[test]
fn blocking_crate_reexports_the_whole_api() {
    assert_eq!(DEFAULT_TIMEOUT, userbridge::DEFAULT_TIMEOUT);
    assert_eq!(DEFAULT_DEADLINE, userbridge::DEFAULT_DEADLINE);
    assert_eq!(DEFAULT_MAX_BODY, userbridge::DEFAULT_MAX_BODY);
    assert_eq!(MAX_ID_CHARS, userbridge::MAX_ID_CHARS);
    assert_eq!(MAX_KEPT_BODY, userbridge::MAX_KEPT_BODY);
    let f: fn(u16) -> ErrorKind = kind_for_status;
    assert_eq!(f(502), ErrorKind::Server);
    assert_eq!(f(418), userbridge::kind_for_status(418));
    // `map` hands over the async crate's builder.
    let built = Client::builder(Provider::ZitadelV2)
        .base_url("https://example.zitadel.cloud")
        .bearer_token("t")
        .map(|inner: userbridge::ClientBuilder| inner.deadline(DEFAULT_DEADLINE / 2))
        .build();
    assert!(built.is_ok());
}

#[test]
fn blocking_client_against_a_blocking_simulator() {
    for provider in Provider::ALL {
        let sim = Simulator::start_blocking(provider).unwrap();
        sim.add_user(USER, sim.organization(), UserState::Deactivated);
        let client = client(&sim);
        client.users().reactivate(USER).unwrap();
        let again = client.users().reactivate(USER).unwrap_err();
        assert_eq!(again.kind(), ErrorKind::NotDeactivated, "{provider}");
        assert_eq!(sim.user_state(USER), Some(UserState::Active));
        // A reactivation's requests, then the refusal's (its read, or its
        // answered write).
        assert!(
            sim.requests().len() > normal_statuses(provider).len(),
            "{provider}"
        );
    }
}

#[test]
fn blocking_client_sees_each_new_failure() {
    let cases = [
        (Failure::ServerError, ErrorKind::Server, Some(500)),
        (Failure::BadGateway, ErrorKind::Server, Some(502)),
        (
            Failure::MalformedBody,
            ErrorKind::UnexpectedResponse,
            Some(200),
        ),
        (Failure::ConnectionReset, ErrorKind::Network, None),
        (
            Failure::Custom(Answer::new(418).body("teapot")),
            ErrorKind::UnexpectedResponse,
            Some(418),
        ),
    ];
    for provider in Provider::ALL {
        let sim = Simulator::start_blocking(provider).unwrap();
        sim.add_user(USER, sim.organization(), UserState::Deactivated);
        let client = client(&sim);
        for (failure, kind, status) in cases.clone() {
            sim.fail_next(1, failure.clone());
            let err = client.users().reactivate(USER).unwrap_err();
            assert_eq!(err.kind(), kind, "{provider} {failure:?}: {err}");
            assert_eq!(err.status(), status, "{provider} {failure:?}");
        }
        assert_eq!(statuses(&sim), [500, 502, 200, 0, 418], "{provider}");
        assert_eq!(sim.user_state(USER), Some(UserState::Deactivated));
    }
}

/// Blocking calls from several threads: the failure for one user hits that
/// user only.
#[test]
fn targeted_failure_from_threads() {
    let ids: Vec<String> = (0..6).map(|i| format!("usr_thread{i}")).collect();
    let target = ids[2].clone();
    for provider in Provider::ALL {
        let sim = Simulator::start_blocking(provider).unwrap();
        for id in &ids {
            sim.add_user(id.as_str(), sim.organization(), UserState::Deactivated);
        }
        sim.fail_user(target.as_str(), 1, Failure::ConnectionReset);
        let client = client(&sim);
        let outcomes: Vec<(String, Result<_, _>)> = thread::scope(|scope| {
            let calls: Vec<_> = ids
                .iter()
                .map(|id| {
                    let client = client.clone();
                    (
                        id.clone(),
                        scope.spawn(move || client.users().reactivate(id.as_str())),
                    )
                })
                .collect();
            calls
                .into_iter()
                .map(|(id, call)| (id, call.join().unwrap()))
                .collect()
        });
        for (id, outcome) in &outcomes {
            if *id == target {
                let err = outcome.as_ref().unwrap_err();
                assert_eq!(err.kind(), ErrorKind::Network, "{provider}: {err}");
            } else {
                assert!(outcome.is_ok(), "{provider} {id}: {outcome:?}");
            }
        }
        let failed: Vec<_> = sim
            .requests()
            .into_iter()
            .filter(|r| !(200..300).contains(&r.status))
            // The id in the path, or (Firebase) in the JSON body.
            .map(|r| {
                let named = r.path.contains(target.as_str())
                    || String::from_utf8_lossy(&r.body).contains(&format!("\"{target}\""));
                (named, r.status)
            })
            .collect();
        assert_eq!(failed, [(true, 0)], "{provider}");
        let per_user = normal_statuses(provider).len();
        assert_eq!(
            sim.requests().len(),
            (ids.len() - 1) * per_user + 1,
            "{provider}"
        );
    }
}

/// A 1 ms rate-limit wait reaches the blocking client as 1 ms.
#[test]
fn one_millisecond_retry_after_through_the_blocking_client() {
    for provider in Provider::ALL {
        let sim = Simulator::start_blocking(provider).unwrap();
        sim.add_user(USER, sim.organization(), UserState::Deactivated);
        sim.fail_next(
            1,
            Failure::TooManyRequests {
                retry_after: Some(Duration::from_millis(1)),
            },
        );
        let err = client(&sim).users().reactivate(USER).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RateLimited, "{provider}");
        assert_eq!(
            err.api_error().unwrap().retry_after,
            Some(Duration::from_millis(1)),
            "{provider}"
        );
    }
}
