//! The blocking crate's feature `mock` (enabled for this crate's own tests):
//! `userbridge_blocking::mock` is `userbridge::mock`, every name of it, and a
//! blocking user starts a simulator with no Tokio and no async code.

use std::time::Duration;

use userbridge_blocking::mock::wiremock::MockServer;
use userbridge_blocking::mock::{
    Answer, Failure, ReceivedRequest, Simulator, UserState, DEFAULT_TOKEN,
};
use userbridge_blocking::{Client, ErrorKind, Provider, RetryPolicy};

/// The names are the async crate's items, not copies.
#[test]
fn every_name_is_the_async_crates() {
    fn same<T>(_: Option<T>, _: Option<T>) {}
    same::<Simulator>(None, None::<userbridge::mock::Simulator>);
    same::<UserState>(None, None::<userbridge::mock::UserState>);
    same::<Failure>(None, None::<userbridge::mock::Failure>);
    same::<Answer>(None, None::<userbridge::mock::Answer>);
    same::<ReceivedRequest>(None, None::<userbridge::mock::ReceivedRequest>);
    same::<&MockServer>(None, None::<&userbridge::mock::wiremock::MockServer>);
    assert_eq!(DEFAULT_TOKEN, userbridge::mock::DEFAULT_TOKEN);
}

#[test]
fn a_blocking_user_needs_no_runtime() {
    let sim = Simulator::start_blocking(Provider::Aitronos).unwrap();
    assert_eq!(sim.token(), DEFAULT_TOKEN);
    sim.add_user("usr_1", sim.organization(), UserState::Deactivated);
    sim.fail_user(
        "usr_1",
        1,
        Failure::TooManyRequests {
            retry_after: Some(Duration::from_millis(1)),
        },
    );
    let client = Client::builder(Provider::Aitronos)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .organization(sim.organization())
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_secs(10))
                .max_wait(Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    // Retried after the 1 ms hint (a 1 s hint would exceed max_wait).
    let done = client.users().reactivate("usr_1").unwrap();
    assert_eq!(done.attempts(), 2);
    let seen: Vec<u16> = sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(seen, [429, 200]);
    let again = client.users().reactivate("usr_1").unwrap_err();
    assert_eq!(again.kind(), ErrorKind::NotDeactivated);
}
